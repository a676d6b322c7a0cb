-- Seed 004, /migrations/multi_tenant_migration.sql, re-runnable (IF NOT EXISTS, ON CONFLICT).

-- Migration 1: tenants, with the three initial rows.
CREATE TABLE IF NOT EXISTS public.tenants (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  slug text NOT NULL UNIQUE,
  name text NOT NULL,
  owner_name text,
  is_active boolean NOT NULL DEFAULT true,
  created_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO public.tenants (slug, name, owner_name) VALUES
  ('ppcu', 'Postpartum Care USA', 'Eric'),
  ('centner', 'Centner Wellness', NULL),
  ('columnline', 'Columnline AI', 'Connor')
ON CONFLICT (slug) DO NOTHING;

-- Migration 2: per-tenant API credentials (empty at first).
CREATE TABLE IF NOT EXISTS public.tenant_integrations (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES public.tenants(id),
  provider text NOT NULL CHECK (provider IN ('manychat', 'ghl', 'stripe', 'meta')),
  api_key text,
  api_secret text,
  webhook_secret text,
  config jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (tenant_id, provider)
);

-- Migration 3: tenant_id on the core tables.
ALTER TABLE public.contacts ADD COLUMN IF NOT EXISTS tenant_id uuid REFERENCES public.tenants(id);
ALTER TABLE public.payments ADD COLUMN IF NOT EXISTS tenant_id uuid REFERENCES public.tenants(id);
ALTER TABLE public.webhook_logs ADD COLUMN IF NOT EXISTS tenant_id uuid REFERENCES public.tenants(id);
ALTER TABLE public.meta_ads ADD COLUMN IF NOT EXISTS tenant_id uuid REFERENCES public.tenants(id);
ALTER TABLE public.meta_ad_creatives ADD COLUMN IF NOT EXISTS tenant_id uuid REFERENCES public.tenants(id);
ALTER TABLE public.meta_ad_insights ADD COLUMN IF NOT EXISTS tenant_id uuid REFERENCES public.tenants(id);

-- Migration 4: all existing data is PPCU's.
UPDATE public.contacts SET tenant_id = (SELECT id FROM public.tenants WHERE slug = 'ppcu') WHERE tenant_id IS NULL;
UPDATE public.payments SET tenant_id = (SELECT id FROM public.tenants WHERE slug = 'ppcu') WHERE tenant_id IS NULL;
UPDATE public.webhook_logs SET tenant_id = (SELECT id FROM public.tenants WHERE slug = 'ppcu') WHERE tenant_id IS NULL;
UPDATE public.meta_ads SET tenant_id = (SELECT id FROM public.tenants WHERE slug = 'ppcu') WHERE tenant_id IS NULL;
UPDATE public.meta_ad_creatives SET tenant_id = (SELECT id FROM public.tenants WHERE slug = 'ppcu') WHERE tenant_id IS NULL;
UPDATE public.meta_ad_insights SET tenant_id = (SELECT id FROM public.tenants WHERE slug = 'ppcu') WHERE tenant_id IS NULL;

ALTER TABLE public.contacts ALTER COLUMN tenant_id SET NOT NULL;
ALTER TABLE public.payments ALTER COLUMN tenant_id SET NOT NULL;
ALTER TABLE public.webhook_logs ALTER COLUMN tenant_id SET NOT NULL;
ALTER TABLE public.meta_ads ALTER COLUMN tenant_id SET NOT NULL;
ALTER TABLE public.meta_ad_creatives ALTER COLUMN tenant_id SET NOT NULL;
ALTER TABLE public.meta_ad_insights ALTER COLUMN tenant_id SET NOT NULL;

-- Migration 5: unique constraints become tenant-scoped.
ALTER TABLE public.contacts DROP CONSTRAINT IF EXISTS contacts_mc_id_key;
ALTER TABLE public.contacts ADD CONSTRAINT contacts_tenant_id_mc_id_key UNIQUE (tenant_id, mc_id);
ALTER TABLE public.contacts DROP CONSTRAINT IF EXISTS contacts_ghl_id_key;
ALTER TABLE public.contacts ADD CONSTRAINT contacts_tenant_id_ghl_id_key UNIQUE (tenant_id, ghl_id);
ALTER TABLE public.payments DROP CONSTRAINT IF EXISTS payments_payment_event_id_key;
ALTER TABLE public.payments ADD CONSTRAINT payments_tenant_id_payment_event_id_key UNIQUE (tenant_id, payment_event_id);
ALTER TABLE public.meta_ads DROP CONSTRAINT IF EXISTS meta_ads_ad_id_key;
ALTER TABLE public.meta_ads ADD CONSTRAINT meta_ads_tenant_id_ad_id_key UNIQUE (tenant_id, ad_id);

-- Tenant-scoped indexes.
CREATE INDEX IF NOT EXISTS idx_contacts_tenant_stage ON public.contacts(tenant_id, stage);
CREATE INDEX IF NOT EXISTS idx_payments_tenant_paid_at ON public.payments(tenant_id, paid_at DESC);
CREATE INDEX IF NOT EXISTS idx_webhook_logs_tenant_received ON public.webhook_logs(tenant_id, received_at DESC);
CREATE INDEX IF NOT EXISTS idx_meta_ad_creatives_tenant ON public.meta_ad_creatives(tenant_id);
CREATE INDEX IF NOT EXISTS idx_meta_ad_insights_tenant_date ON public.meta_ad_insights(tenant_id, date);
