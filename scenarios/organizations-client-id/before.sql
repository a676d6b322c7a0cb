-- Seed 002: a single-tenant sell-out analytics app on Supabase. Users upload files,
-- the pipeline turns them into sellout_entries2 rows; nothing names a client.

CREATE TABLE public.users (
  id uuid PRIMARY KEY,
  email text NOT NULL UNIQUE,
  full_name text,
  role text NOT NULL DEFAULT 'analyst' CHECK (role IN ('admin', 'analyst', 'viewer')),
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE public.uploads (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id uuid NOT NULL REFERENCES public.users(id),
  file_name text NOT NULL,
  file_size bigint,
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'processing', 'processed', 'failed')),
  row_count integer,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE public.products (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  ean text NOT NULL UNIQUE,
  name text NOT NULL,
  brand text,
  category text,
  price numeric(10,2),
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE public.sellout_entries2 (
  id bigserial PRIMARY KEY,
  upload_id uuid REFERENCES public.uploads(id),
  product_id uuid REFERENCES public.products(id),
  store_name text,
  quantity integer NOT NULL,
  amount numeric(12,2),
  year integer NOT NULL CHECK (year BETWEEN 2000 AND 2100),
  month integer NOT NULL CHECK (month BETWEEN 1 AND 12),
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE public.processing_logs (
  id bigserial PRIMARY KEY,
  upload_id uuid REFERENCES public.uploads(id),
  step text NOT NULL,
  status text NOT NULL CHECK (status IN ('started', 'completed', 'failed')),
  message text,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE public.transform_logs (
  id bigserial PRIMARY KEY,
  upload_id uuid REFERENCES public.uploads(id),
  rule text NOT NULL,
  rows_affected integer,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE public.email_logs (
  id bigserial PRIMARY KEY,
  user_id uuid REFERENCES public.users(id),
  recipient text NOT NULL,
  subject text,
  status text NOT NULL CHECK (status IN ('sent', 'failed')),
  sent_at timestamptz NOT NULL DEFAULT now()
);
