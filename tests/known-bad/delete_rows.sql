-- Catalog #41: a "cleanup" that deletes rows during the migration.
DELETE FROM public.goals WHERE id IN (SELECT id FROM public.goals ORDER BY id LIMIT 3);
