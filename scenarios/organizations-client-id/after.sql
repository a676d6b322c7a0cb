-- Two more clients exist after the migration, with data the harness wrote. Every
-- pre-existing user becomes an INACTIVE member of Acme Retail: that must grant nothing.
INSERT INTO public.organizations (id, name, slug) VALUES
  ('a0000000-0000-4000-8000-000000000001', 'Acme Retail', 'acme-retail'),
  ('b0000000-0000-4000-8000-000000000002', 'Brightside Foods', 'brightside-foods');

INSERT INTO public.user_organizations (user_id, organization_id, role, is_active)
SELECT id, 'a0000000-0000-4000-8000-000000000001', 'member', false
FROM public.users
WHERE client_id = (SELECT id FROM public.organizations WHERE slug = 'default-org');
