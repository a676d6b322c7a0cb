-- Catalog #40: every row lumped into one tenant.
DO $$
DECLARE t text;
BEGIN
  FOR t IN SELECT table_name FROM information_schema.columns
           WHERE table_schema = 'public' AND column_name = 'tenant_id' AND table_name <> 'tenants' LOOP
    EXECUTE format('UPDATE public.%I SET tenant_id = (SELECT min(id::text)::uuid FROM public.tenants)', t);
  END LOOP;
END $$;
