-- The tenant-scoped unique key was dropped and not replaced: mc_id is unique nowhere.
ALTER TABLE public.contacts DROP CONSTRAINT contacts_tenant_id_mc_id_key;
