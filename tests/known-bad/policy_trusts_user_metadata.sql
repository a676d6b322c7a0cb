-- Catalog #18: a policy that reads the tenant from user_metadata, which every
-- user can set for themselves (supabase.auth.updateUser({ data: ... })).
DROP POLICY tenant_guard ON public.clients;
CREATE POLICY "Users can view clients of their metadata tenant"
  ON public.clients FOR SELECT TO authenticated
  USING (tenant_id::text = (auth.jwt() -> 'user_metadata' ->> 'tenant_id'));
