-- A migration that rewrites an existing value.
UPDATE public.clients SET name = name || ' (migrated)' WHERE id IN (SELECT id FROM public.clients ORDER BY id LIMIT 2);
