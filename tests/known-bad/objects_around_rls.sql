-- Objects that bypass or escape RLS, one per catalog class; the audit must name each.
-- #22: a view without security_invoker, readable by the API roles.
CREATE VIEW public.all_clients AS SELECT id, tenant_id FROM public.clients;
GRANT SELECT ON public.all_clients TO authenticated, anon;
-- #23: a materialized view readable by the API roles.
CREATE MATERIALIZED VIEW public.client_counts AS SELECT tenant_id, count(*) AS n FROM public.clients GROUP BY tenant_id;
GRANT SELECT ON public.client_counts TO authenticated;
-- #24 and #25: a SECURITY DEFINER function executable by everyone, with a mutable search_path.
CREATE FUNCTION public.client_count_of(t uuid) RETURNS bigint LANGUAGE sql SECURITY DEFINER
  AS 'SELECT count(*) FROM public.clients WHERE tenant_id = t';
-- #35: a LEAKPROOF function that raises on its input.
CREATE FUNCTION public.checked_text(x text) RETURNS boolean LANGUAGE plpgsql IMMUTABLE LEAKPROOF
  AS $$ BEGIN IF x = '' THEN RAISE EXCEPTION 'empty: %', x; END IF; RETURN true; END $$;
-- #16 and #46: a policy reading a setting without missing_ok, unwrapped.
CREATE POLICY "Support staff read cases" ON public.cases FOR SELECT TO authenticated
  USING (current_setting('app.support_mode') = 'on');
-- #28: a partition of a tenant table queried directly has no RLS of its own.
CREATE TABLE public.events (id uuid NOT NULL, tenant_id uuid NOT NULL, at date NOT NULL) PARTITION BY RANGE (at);
ALTER TABLE public.events ENABLE ROW LEVEL SECURITY;
CREATE POLICY events_tenant ON public.events TO authenticated USING (tenant_id = (SELECT public.current_tenant_id()));
CREATE TABLE public.events_2025 PARTITION OF public.events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
GRANT SELECT ON public.events, public.events_2025 TO authenticated;
-- #2: policies on a table whose RLS is off.
CREATE TABLE public.notes (id uuid PRIMARY KEY, tenant_id uuid NOT NULL);
CREATE POLICY notes_tenant ON public.notes TO authenticated USING (tenant_id = (SELECT public.current_tenant_id()));
-- #3: RLS on, no policy.
CREATE TABLE public.drafts (id uuid PRIMARY KEY, tenant_id uuid NOT NULL);
ALTER TABLE public.drafts ENABLE ROW LEVEL SECURITY;
GRANT SELECT ON public.drafts TO authenticated;
-- #29: an inheritance child (legacy partitioning) has no RLS of its own either.
CREATE TABLE public.tags_archive () INHERITS (public.tags);
GRANT SELECT ON public.tags_archive TO authenticated;
