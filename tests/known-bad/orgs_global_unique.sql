-- Catalog #32: a unique key without the tenant column. Inserting a reference
-- that another client already uses fails with a duplicate key: the error says
-- it exists there.
ALTER TABLE public.uploads ADD COLUMN external_ref text;
UPDATE public.uploads SET external_ref = 'ref-' || id;
ALTER TABLE public.uploads ADD CONSTRAINT uploads_external_ref_key UNIQUE (external_ref);
