-- Not in seeds 000/001: what tenant-harness found in them, fixed.
-- 1. Seed 001's additive policies (`org_id = auth.uid() OR tenant_id IN …`) let a
--    user insert a row, or move their own row, into any tenant as long as org_id
--    is their own (write.insert-foreign, write.update-moves-row).
-- 2. The profiles UPDATE policy lets a user rewrite their own tenant_id
--    (escalation.own-tenant).
-- A RESTRICTIVE policy per tenant table pins every command to the caller's
-- tenant; it is AND-ed with the plan's permissive policies, which stay as written.
DO $$
DECLARE
  t regclass;
BEGIN
  FOR t IN
    SELECT c.oid::regclass FROM pg_class c
    JOIN pg_namespace n ON n.oid = c.relnamespace
    JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped
    WHERE n.nspname = 'public' AND c.relkind = 'r'
  LOOP
    EXECUTE format(
      'CREATE POLICY tenant_guard ON %s AS RESTRICTIVE FOR ALL TO authenticated '
      'USING (tenant_id = (SELECT public.current_tenant_id())) '
      'WITH CHECK (tenant_id = (SELECT public.current_tenant_id()))', t);
  END LOOP;
END $$;

-- 3. Supabase's default privileges grant TRUNCATE, REFERENCES and TRIGGER to the
--    API roles; RLS governs none of them (privilege.truncate empties every tenant).
REVOKE TRUNCATE, REFERENCES, TRIGGER ON ALL TABLES IN SCHEMA public FROM anon, authenticated;
