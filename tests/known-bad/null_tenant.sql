-- Catalog #14/#41: the backfill missed two owners' rows (NOT NULL was never added).
ALTER TABLE public.goals ALTER COLUMN tenant_id DROP NOT NULL;
UPDATE public.goals SET tenant_id = NULL
WHERE org_id IN (SELECT id FROM public.profiles ORDER BY id LIMIT 2);
