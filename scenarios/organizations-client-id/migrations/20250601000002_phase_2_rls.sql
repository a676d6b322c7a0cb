-- Seed 002's Phase 2 ("Implement Row-Level Security"): a user sees a client's data
-- only through an active membership of that client.

ALTER TABLE public.user_organizations ENABLE ROW LEVEL SECURITY;
CREATE POLICY own_memberships ON public.user_organizations FOR SELECT TO authenticated
  USING (user_id = auth.uid());

ALTER TABLE public.organizations ENABLE ROW LEVEL SECURITY;
CREATE POLICY member_organizations ON public.organizations FOR SELECT TO authenticated
  USING (id IN (SELECT organization_id FROM public.user_organizations WHERE user_id = auth.uid() AND is_active));

ALTER TABLE public.users ENABLE ROW LEVEL SECURITY;
CREATE POLICY users_client_isolation ON public.users FOR ALL TO authenticated
  USING (client_id IN (SELECT organization_id FROM public.user_organizations WHERE user_id = auth.uid() AND is_active))
  WITH CHECK (client_id IN (SELECT organization_id FROM public.user_organizations WHERE user_id = auth.uid() AND is_active));

ALTER TABLE public.uploads ENABLE ROW LEVEL SECURITY;
CREATE POLICY uploads_client_isolation ON public.uploads FOR ALL TO authenticated
  USING (client_id IN (SELECT organization_id FROM public.user_organizations WHERE user_id = auth.uid() AND is_active))
  WITH CHECK (client_id IN (SELECT organization_id FROM public.user_organizations WHERE user_id = auth.uid() AND is_active));

ALTER TABLE public.sellout_entries2 ENABLE ROW LEVEL SECURITY;
CREATE POLICY sellout_entries2_client_isolation ON public.sellout_entries2 FOR ALL TO authenticated
  USING (client_id IN (SELECT organization_id FROM public.user_organizations WHERE user_id = auth.uid() AND is_active))
  WITH CHECK (client_id IN (SELECT organization_id FROM public.user_organizations WHERE user_id = auth.uid() AND is_active));

ALTER TABLE public.products ENABLE ROW LEVEL SECURITY;
CREATE POLICY products_client_isolation ON public.products FOR ALL TO authenticated
  USING (client_id IN (SELECT organization_id FROM public.user_organizations WHERE user_id = auth.uid() AND is_active))
  WITH CHECK (client_id IN (SELECT organization_id FROM public.user_organizations WHERE user_id = auth.uid() AND is_active));

ALTER TABLE public.processing_logs ENABLE ROW LEVEL SECURITY;
CREATE POLICY processing_logs_client_isolation ON public.processing_logs FOR ALL TO authenticated
  USING (client_id IN (SELECT organization_id FROM public.user_organizations WHERE user_id = auth.uid() AND is_active))
  WITH CHECK (client_id IN (SELECT organization_id FROM public.user_organizations WHERE user_id = auth.uid() AND is_active));

ALTER TABLE public.transform_logs ENABLE ROW LEVEL SECURITY;
CREATE POLICY transform_logs_client_isolation ON public.transform_logs FOR ALL TO authenticated
  USING (client_id IN (SELECT organization_id FROM public.user_organizations WHERE user_id = auth.uid() AND is_active))
  WITH CHECK (client_id IN (SELECT organization_id FROM public.user_organizations WHERE user_id = auth.uid() AND is_active));

ALTER TABLE public.email_logs ENABLE ROW LEVEL SECURITY;
CREATE POLICY email_logs_client_isolation ON public.email_logs FOR ALL TO authenticated
  USING (client_id IN (SELECT organization_id FROM public.user_organizations WHERE user_id = auth.uid() AND is_active))
  WITH CHECK (client_id IN (SELECT organization_id FROM public.user_organizations WHERE user_id = auth.uid() AND is_active));

INSERT INTO public.migration_log (phase, operation, status) VALUES ('phase_2', 'row level security', 'completed');
