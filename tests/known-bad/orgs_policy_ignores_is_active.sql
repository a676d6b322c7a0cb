-- Seed 002's Phase 2 policy without "AND is_active": an inactive membership grants access.
DROP POLICY uploads_client_isolation ON public.uploads;
CREATE POLICY uploads_client_isolation ON public.uploads FOR ALL TO authenticated
  USING (client_id IN (SELECT organization_id FROM public.user_organizations WHERE user_id = auth.uid()));
