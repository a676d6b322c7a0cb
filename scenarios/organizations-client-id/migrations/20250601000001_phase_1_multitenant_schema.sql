-- Seed 002, phase_1_multitenant_schema.sql: organizations and memberships, client_id
-- on the seven data tables, a Default Organization that owns all existing data,
-- composite indexes, the utility functions, and a migration_log entry per step.

CREATE TABLE IF NOT EXISTS public.migration_log (
  id bigserial PRIMARY KEY,
  phase text NOT NULL,
  operation text NOT NULL,
  status text NOT NULL,
  details jsonb,
  created_at timestamptz DEFAULT now()
);

CREATE TABLE public.organizations (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name text NOT NULL UNIQUE,
  slug text NOT NULL UNIQUE,
  settings jsonb DEFAULT '{}',
  is_active boolean DEFAULT true,
  created_at timestamp with time zone DEFAULT now(),
  updated_at timestamp with time zone DEFAULT now()
);

CREATE TABLE public.user_organizations (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id uuid NOT NULL,
  organization_id uuid NOT NULL REFERENCES organizations(id),
  role text NOT NULL DEFAULT 'member',
  is_active boolean DEFAULT true,
  created_at timestamp with time zone DEFAULT now(),
  updated_at timestamp with time zone DEFAULT now()
);
CREATE INDEX idx_user_organizations_user ON public.user_organizations(user_id, organization_id);
INSERT INTO public.migration_log (phase, operation, status) VALUES ('phase_1', 'create organization tables', 'completed');

INSERT INTO public.organizations (name, slug) VALUES ('Default Organization', 'default-org');

ALTER TABLE public.users ADD COLUMN client_id uuid;
ALTER TABLE public.uploads ADD COLUMN client_id uuid;
ALTER TABLE public.sellout_entries2 ADD COLUMN client_id uuid;
ALTER TABLE public.products ADD COLUMN client_id uuid;
ALTER TABLE public.processing_logs ADD COLUMN client_id uuid;
ALTER TABLE public.transform_logs ADD COLUMN client_id uuid;
ALTER TABLE public.email_logs ADD COLUMN client_id uuid;
INSERT INTO public.migration_log (phase, operation, status) VALUES ('phase_1', 'add client_id columns', 'completed');

-- All existing data belongs to the Default Organization.
UPDATE public.users SET client_id = (SELECT id FROM public.organizations WHERE slug = 'default-org') WHERE client_id IS NULL;
UPDATE public.uploads SET client_id = (SELECT id FROM public.organizations WHERE slug = 'default-org') WHERE client_id IS NULL;
UPDATE public.sellout_entries2 SET client_id = (SELECT id FROM public.organizations WHERE slug = 'default-org') WHERE client_id IS NULL;
UPDATE public.products SET client_id = (SELECT id FROM public.organizations WHERE slug = 'default-org') WHERE client_id IS NULL;
UPDATE public.processing_logs SET client_id = (SELECT id FROM public.organizations WHERE slug = 'default-org') WHERE client_id IS NULL;
UPDATE public.transform_logs SET client_id = (SELECT id FROM public.organizations WHERE slug = 'default-org') WHERE client_id IS NULL;
UPDATE public.email_logs SET client_id = (SELECT id FROM public.organizations WHERE slug = 'default-org') WHERE client_id IS NULL;

-- users.client_id links a user to their organization; memberships follow it.
INSERT INTO public.user_organizations (user_id, organization_id, role)
SELECT id, client_id, 'member' FROM public.users;
INSERT INTO public.migration_log (phase, operation, status, details)
SELECT 'phase_1', 'backfill client_id', 'completed', jsonb_build_object('users', count(*)) FROM public.users;

CREATE INDEX idx_users_client ON public.users(client_id);
CREATE INDEX idx_uploads_client_created_at ON public.uploads(client_id, created_at DESC);
CREATE INDEX idx_sellout_entries2_client_year_month ON public.sellout_entries2(client_id, year, month);
CREATE INDEX idx_products_client_ean ON public.products(client_id, ean);
CREATE INDEX idx_processing_logs_client ON public.processing_logs(client_id, created_at DESC);
CREATE INDEX idx_transform_logs_client ON public.transform_logs(client_id, created_at DESC);
CREATE INDEX idx_email_logs_client ON public.email_logs(client_id, sent_at DESC);

CREATE OR REPLACE FUNCTION public.get_user_organization_id(p_user_id uuid)
RETURNS uuid LANGUAGE sql STABLE AS $$
  SELECT organization_id FROM public.user_organizations
  WHERE user_id = p_user_id AND is_active
  ORDER BY created_at LIMIT 1
$$;

CREATE OR REPLACE FUNCTION public.validate_client_access(p_user_id uuid, p_client_id uuid)
RETURNS boolean LANGUAGE sql STABLE AS $$
  SELECT EXISTS (
    SELECT 1 FROM public.user_organizations
    WHERE user_id = p_user_id AND organization_id = p_client_id AND is_active
  )
$$;

CREATE OR REPLACE FUNCTION public.validate_client_data_integrity()
RETURNS jsonb LANGUAGE sql STABLE AS $$
  SELECT jsonb_build_object(
    'users', (SELECT count(*) FROM public.users WHERE client_id IS NULL),
    'uploads', (SELECT count(*) FROM public.uploads WHERE client_id IS NULL),
    'sellout_entries2', (SELECT count(*) FROM public.sellout_entries2 WHERE client_id IS NULL),
    'products', (SELECT count(*) FROM public.products WHERE client_id IS NULL),
    'processing_logs', (SELECT count(*) FROM public.processing_logs WHERE client_id IS NULL),
    'transform_logs', (SELECT count(*) FROM public.transform_logs WHERE client_id IS NULL),
    'email_logs', (SELECT count(*) FROM public.email_logs WHERE client_id IS NULL)
  )
$$;
INSERT INTO public.migration_log (phase, operation, status) VALUES ('phase_1', 'indexes and utility functions', 'completed');
