-- Catalog #40: every row lumped into one tenant.
DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['profiles', 'clients', 'orders', 'properties', 'contacts', 'activities', 'deals',
                           'cases', 'tags', 'tasks', 'goals', 'agent_cards', 'chat_messages'] LOOP
    EXECUTE format('UPDATE public.%I SET tenant_id = (SELECT min(id::text)::uuid FROM public.tenants)', t);
  END LOOP;
END $$;
