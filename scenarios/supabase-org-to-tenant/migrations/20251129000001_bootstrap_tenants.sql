-- Seed 001 step 2 and seed 000 "Bootstrap Tenants": internal users (@myroihome.com)
-- share the "ROI Appraisal Group" tenant; every external user gets a tenant of their own.

CREATE TABLE IF NOT EXISTS public.tenants (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  name TEXT NOT NULL,
  type TEXT NOT NULL DEFAULT 'internal' CHECK (type IN (
    'lender', 'investor', 'amc', 'attorney', 'accountant', 'borrower', 'internal'
  )),
  owner_id UUID REFERENCES public.profiles(id) NOT NULL,
  theme_settings JSONB DEFAULT '{"primaryColor": "#3b82f6", "logo": null}'::jsonb,
  sla_settings JSONB DEFAULT '{"standard_turnaround_days": 7, "rush_turnaround_days": 3}'::jsonb,
  settings JSONB DEFAULT '{}'::jsonb,
  is_active BOOLEAN DEFAULT true,
  created_at TIMESTAMPTZ DEFAULT NOW(),
  updated_at TIMESTAMPTZ DEFAULT NOW()
);

CREATE INDEX idx_tenants_owner ON public.tenants(owner_id);

-- The internal tenant, owned by the earliest internal user.
INSERT INTO public.tenants (name, type, owner_id)
SELECT 'ROI Appraisal Group', 'internal', p.id
FROM public.profiles p
WHERE lower(p.email) LIKE '%@myroihome.com'
ORDER BY p.created_at, p.id
LIMIT 1;

-- One tenant per external user.
INSERT INTO public.tenants (name, type, owner_id)
SELECT COALESCE(p.name || '''s Organization', 'Organization'), 'lender', p.id
FROM public.profiles p
WHERE lower(p.email) NOT LIKE '%@myroihome.com'
  AND NOT EXISTS (SELECT 1 FROM public.tenants t WHERE t.owner_id = p.id);

-- Seed 001 step 3: profiles.tenant_id
ALTER TABLE public.profiles
  ADD COLUMN IF NOT EXISTS tenant_id UUID REFERENCES public.tenants(id);

UPDATE public.profiles p
SET tenant_id = t.id
FROM public.tenants t
WHERE t.name = 'ROI Appraisal Group'
  AND lower(p.email) LIKE '%@myroihome.com'
  AND p.tenant_id IS NULL;

UPDATE public.profiles p
SET tenant_id = t.id
FROM public.tenants t
WHERE t.owner_id = p.id
  AND p.tenant_id IS NULL;

ALTER TABLE public.profiles ALTER COLUMN tenant_id SET NOT NULL;
CREATE INDEX idx_profiles_tenant ON public.profiles(tenant_id);

ALTER TABLE public.tenants ENABLE ROW LEVEL SECURITY;

CREATE POLICY "Users can view their own tenant"
  ON public.tenants FOR SELECT
  USING (
    id IN (SELECT tenant_id FROM public.profiles WHERE id = auth.uid())
    OR owner_id = auth.uid()
  );
