-- A migration that invents rows (a default tag per tenant, say).
INSERT INTO public.tags (org_id, tenant_id, name)
SELECT p.id, p.tenant_id, 'imported' FROM public.profiles p ORDER BY p.id LIMIT 1;
