-- A backfill that put some deals into another owner's tenant.
UPDATE public.deals d
SET tenant_id = (SELECT t.id FROM public.tenants t WHERE t.id <> d.tenant_id ORDER BY t.id LIMIT 1)
WHERE d.id IN (SELECT id FROM public.deals ORDER BY id LIMIT 5);
