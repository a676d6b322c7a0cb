-- Catalog #14/#41: the backfill missed some rows (NOT NULL was never added).
ALTER TABLE public.goals ALTER COLUMN tenant_id DROP NOT NULL;
UPDATE public.goals SET tenant_id = NULL WHERE id IN (SELECT id FROM public.goals ORDER BY id LIMIT 4);
