-- Not in seeds 000/001: the policy rewrite tenant-harness's load benchmark
-- suggests for them. Seed 001's policies test membership per row,
--   org_id = auth.uid() OR tenant_id IN (SELECT tenant_id FROM profiles WHERE id = auth.uid())
-- which PostgreSQL plans as a hashed SubPlan checked against every row, so
-- no index on tenant_id can be used. Compared to a scalar subquery instead,
--   tenant_id = (SELECT public.current_tenant_id())
-- the lookup becomes an InitPlan, computed once per statement, and the
-- comparison an index condition. Each policy keeps its name and command
-- (ALTER POLICY), so the plan's rollback still drops them by name.
DO $$
DECLARE
  p record;
  expr text;
BEGIN
  FOR p IN
    SELECT pol.polname, c.oid::regclass AS tab, c.relname,
           pol.polqual IS NOT NULL AS has_using, pol.polwithcheck IS NOT NULL AS has_check
    FROM pg_policy pol
    JOIN pg_class c ON c.oid = pol.polrelid
    JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = 'public' AND pol.polpermissive AND pol.polname <> 'tenant_guard'
      AND concat(pg_get_expr(pol.polqual, pol.polrelid), pg_get_expr(pol.polwithcheck, pol.polrelid)) ~ 'tenant_id'
  LOOP
    expr := CASE WHEN p.relname = 'tenants' THEN 'id' ELSE 'tenant_id' END
            || ' = (SELECT public.current_tenant_id())';
    IF p.has_using THEN
      EXECUTE format('ALTER POLICY %I ON %s USING (%s)', p.polname, p.tab, expr);
    END IF;
    IF p.has_check THEN
      EXECUTE format('ALTER POLICY %I ON %s WITH CHECK (%s)', p.polname, p.tab, expr);
    END IF;
  END LOOP;
END $$;
