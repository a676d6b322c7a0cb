-- Catalog #1: a tenant table left without RLS.
ALTER TABLE public.tags DISABLE ROW LEVEL SECURITY;
