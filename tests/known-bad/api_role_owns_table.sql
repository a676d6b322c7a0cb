-- Catalog #4/#6: the API role owns a table, so RLS does not apply to it.
ALTER TABLE public.goals OWNER TO authenticated;
