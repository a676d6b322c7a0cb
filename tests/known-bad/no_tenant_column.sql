-- A table that never got its tenant column (and the policies that used it).
ALTER TABLE public.goals DROP COLUMN tenant_id CASCADE;
