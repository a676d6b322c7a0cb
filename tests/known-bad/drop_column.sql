-- A migration that drops a pre-existing column ("unused").
ALTER TABLE public.contacts DROP COLUMN title;
