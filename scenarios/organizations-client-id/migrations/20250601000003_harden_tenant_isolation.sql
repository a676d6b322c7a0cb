-- Not in seed 002: what tenant-harness found in it, fixed.
-- 1. client_id stays NULL-able after the backfill; a NULL-tenant row is visible
--    to no one (audit nullable_tenant_column).
ALTER TABLE public.users ALTER COLUMN client_id SET NOT NULL;
ALTER TABLE public.uploads ALTER COLUMN client_id SET NOT NULL;
ALTER TABLE public.sellout_entries2 ALTER COLUMN client_id SET NOT NULL;
ALTER TABLE public.products ALTER COLUMN client_id SET NOT NULL;
ALTER TABLE public.processing_logs ALTER COLUMN client_id SET NOT NULL;
ALTER TABLE public.transform_logs ALTER COLUMN client_id SET NOT NULL;
ALTER TABLE public.email_logs ALTER COLUMN client_id SET NOT NULL;

-- 2. The plan's migration_log table has no RLS and the API roles may read and
--    write it (audit rls_disabled_in_public): it is not for them.
REVOKE ALL ON public.migration_log FROM anon, authenticated;

-- 3. Supabase's default privileges grant TRUNCATE, REFERENCES and TRIGGER to the
--    API roles; RLS governs none of them (privilege.truncate empties every client).
REVOKE TRUNCATE, REFERENCES, TRIGGER ON ALL TABLES IN SCHEMA public FROM anon, authenticated;
