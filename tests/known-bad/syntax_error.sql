-- A typo on line 5 of this file.
CREATE TABLE public.notes (
  id uuid PRIMARY KEY,
  body text,
  tenant_id uuid NOT NUL
);
