-- Seed 000 Phase 2: medium-priority business, field-service and integration tables.
-- The seed's "Migration Process (For Each Table Group)": add column, backfill,
-- NOT NULL, index, tenant policy; then the legacy org_id policies go.

-- property_units
ALTER TABLE public.property_units ADD COLUMN tenant_id UUID REFERENCES public.tenants(id);

UPDATE public.property_units t SET tenant_id = p.tenant_id
FROM public.profiles p WHERE t.org_id = p.id;

ALTER TABLE public.property_units ALTER COLUMN tenant_id SET NOT NULL;

CREATE INDEX idx_property_units_tenant_id ON public.property_units(tenant_id);

CREATE POLICY property_units_tenant_isolation ON public.property_units
FOR ALL USING (
  tenant_id IN (
    SELECT tenant_id FROM public.profiles WHERE id = auth.uid()
  )
);

DROP POLICY IF EXISTS "Users can view own property_units" ON public.property_units;
DROP POLICY IF EXISTS "Users can insert own property_units" ON public.property_units;
DROP POLICY IF EXISTS "Users can update own property_units" ON public.property_units;
DROP POLICY IF EXISTS "Users can delete own property_units" ON public.property_units;

-- party_roles
ALTER TABLE public.party_roles ADD COLUMN tenant_id UUID REFERENCES public.tenants(id);

UPDATE public.party_roles t SET tenant_id = p.tenant_id
FROM public.profiles p WHERE t.org_id = p.id;

ALTER TABLE public.party_roles ALTER COLUMN tenant_id SET NOT NULL;

CREATE INDEX idx_party_roles_tenant_id ON public.party_roles(tenant_id);

CREATE POLICY party_roles_tenant_isolation ON public.party_roles
FOR ALL USING (
  tenant_id IN (
    SELECT tenant_id FROM public.profiles WHERE id = auth.uid()
  )
);

DROP POLICY IF EXISTS "Users can view own party_roles" ON public.party_roles;
DROP POLICY IF EXISTS "Users can insert own party_roles" ON public.party_roles;
DROP POLICY IF EXISTS "Users can update own party_roles" ON public.party_roles;
DROP POLICY IF EXISTS "Users can delete own party_roles" ON public.party_roles;

-- email_notifications
ALTER TABLE public.email_notifications ADD COLUMN tenant_id UUID REFERENCES public.tenants(id);

UPDATE public.email_notifications t SET tenant_id = p.tenant_id
FROM public.profiles p WHERE t.org_id = p.id;

ALTER TABLE public.email_notifications ALTER COLUMN tenant_id SET NOT NULL;

CREATE INDEX idx_email_notifications_tenant_id ON public.email_notifications(tenant_id);

CREATE POLICY email_notifications_tenant_isolation ON public.email_notifications
FOR ALL USING (
  tenant_id IN (
    SELECT tenant_id FROM public.profiles WHERE id = auth.uid()
  )
);

DROP POLICY IF EXISTS "Users can view own email_notifications" ON public.email_notifications;
DROP POLICY IF EXISTS "Users can insert own email_notifications" ON public.email_notifications;
DROP POLICY IF EXISTS "Users can update own email_notifications" ON public.email_notifications;
DROP POLICY IF EXISTS "Users can delete own email_notifications" ON public.email_notifications;

-- validation_logs
ALTER TABLE public.validation_logs ADD COLUMN tenant_id UUID REFERENCES public.tenants(id);

UPDATE public.validation_logs t SET tenant_id = p.tenant_id
FROM public.profiles p WHERE t.org_id = p.id;

ALTER TABLE public.validation_logs ALTER COLUMN tenant_id SET NOT NULL;

CREATE INDEX idx_validation_logs_tenant_id ON public.validation_logs(tenant_id);

CREATE POLICY validation_logs_tenant_isolation ON public.validation_logs
FOR ALL USING (
  tenant_id IN (
    SELECT tenant_id FROM public.profiles WHERE id = auth.uid()
  )
);

DROP POLICY IF EXISTS "Users can view own validation_logs" ON public.validation_logs;
DROP POLICY IF EXISTS "Users can insert own validation_logs" ON public.validation_logs;
DROP POLICY IF EXISTS "Users can update own validation_logs" ON public.validation_logs;
DROP POLICY IF EXISTS "Users can delete own validation_logs" ON public.validation_logs;

-- territories
ALTER TABLE public.territories ADD COLUMN tenant_id UUID REFERENCES public.tenants(id);

UPDATE public.territories t SET tenant_id = p.tenant_id
FROM public.profiles p WHERE t.org_id = p.id;

ALTER TABLE public.territories ALTER COLUMN tenant_id SET NOT NULL;

CREATE INDEX idx_territories_tenant_id ON public.territories(tenant_id);

CREATE POLICY territories_tenant_isolation ON public.territories
FOR ALL USING (
  tenant_id IN (
    SELECT tenant_id FROM public.profiles WHERE id = auth.uid()
  )
);

DROP POLICY IF EXISTS "Users can view own territories" ON public.territories;
DROP POLICY IF EXISTS "Users can insert own territories" ON public.territories;
DROP POLICY IF EXISTS "Users can update own territories" ON public.territories;
DROP POLICY IF EXISTS "Users can delete own territories" ON public.territories;

-- resources
ALTER TABLE public.resources ADD COLUMN tenant_id UUID REFERENCES public.tenants(id);

UPDATE public.resources t SET tenant_id = p.tenant_id
FROM public.profiles p WHERE t.org_id = p.id;

ALTER TABLE public.resources ALTER COLUMN tenant_id SET NOT NULL;

CREATE INDEX idx_resources_tenant_id ON public.resources(tenant_id);

CREATE POLICY resources_tenant_isolation ON public.resources
FOR ALL USING (
  tenant_id IN (
    SELECT tenant_id FROM public.profiles WHERE id = auth.uid()
  )
);

DROP POLICY IF EXISTS "Users can view own resources" ON public.resources;
DROP POLICY IF EXISTS "Users can insert own resources" ON public.resources;
DROP POLICY IF EXISTS "Users can update own resources" ON public.resources;
DROP POLICY IF EXISTS "Users can delete own resources" ON public.resources;

-- bookings
ALTER TABLE public.bookings ADD COLUMN tenant_id UUID REFERENCES public.tenants(id);

UPDATE public.bookings t SET tenant_id = p.tenant_id
FROM public.profiles p WHERE t.org_id = p.id;

ALTER TABLE public.bookings ALTER COLUMN tenant_id SET NOT NULL;

CREATE INDEX idx_bookings_tenant_id ON public.bookings(tenant_id);

CREATE POLICY bookings_tenant_isolation ON public.bookings
FOR ALL USING (
  tenant_id IN (
    SELECT tenant_id FROM public.profiles WHERE id = auth.uid()
  )
);

DROP POLICY IF EXISTS "Users can view own bookings" ON public.bookings;
DROP POLICY IF EXISTS "Users can insert own bookings" ON public.bookings;
DROP POLICY IF EXISTS "Users can update own bookings" ON public.bookings;
DROP POLICY IF EXISTS "Users can delete own bookings" ON public.bookings;

-- notifications
ALTER TABLE public.notifications ADD COLUMN tenant_id UUID REFERENCES public.tenants(id);

UPDATE public.notifications t SET tenant_id = p.tenant_id
FROM public.profiles p WHERE t.org_id = p.id;

ALTER TABLE public.notifications ALTER COLUMN tenant_id SET NOT NULL;

CREATE INDEX idx_notifications_tenant_id ON public.notifications(tenant_id);

CREATE POLICY notifications_tenant_isolation ON public.notifications
FOR ALL USING (
  tenant_id IN (
    SELECT tenant_id FROM public.profiles WHERE id = auth.uid()
  )
);

DROP POLICY IF EXISTS "Users can view own notifications" ON public.notifications;
DROP POLICY IF EXISTS "Users can insert own notifications" ON public.notifications;
DROP POLICY IF EXISTS "Users can update own notifications" ON public.notifications;
DROP POLICY IF EXISTS "Users can delete own notifications" ON public.notifications;

-- webhooks
ALTER TABLE public.webhooks ADD COLUMN tenant_id UUID REFERENCES public.tenants(id);

UPDATE public.webhooks t SET tenant_id = p.tenant_id
FROM public.profiles p WHERE t.org_id = p.id;

ALTER TABLE public.webhooks ALTER COLUMN tenant_id SET NOT NULL;

CREATE INDEX idx_webhooks_tenant_id ON public.webhooks(tenant_id);

CREATE POLICY webhooks_tenant_isolation ON public.webhooks
FOR ALL USING (
  tenant_id IN (
    SELECT tenant_id FROM public.profiles WHERE id = auth.uid()
  )
);

DROP POLICY IF EXISTS "Users can view own webhooks" ON public.webhooks;
DROP POLICY IF EXISTS "Users can insert own webhooks" ON public.webhooks;
DROP POLICY IF EXISTS "Users can update own webhooks" ON public.webhooks;
DROP POLICY IF EXISTS "Users can delete own webhooks" ON public.webhooks;

-- api_keys
ALTER TABLE public.api_keys ADD COLUMN tenant_id UUID REFERENCES public.tenants(id);

UPDATE public.api_keys t SET tenant_id = p.tenant_id
FROM public.profiles p WHERE t.org_id = p.id;

ALTER TABLE public.api_keys ALTER COLUMN tenant_id SET NOT NULL;

CREATE INDEX idx_api_keys_tenant_id ON public.api_keys(tenant_id);

CREATE POLICY api_keys_tenant_isolation ON public.api_keys
FOR ALL USING (
  tenant_id IN (
    SELECT tenant_id FROM public.profiles WHERE id = auth.uid()
  )
);

DROP POLICY IF EXISTS "Users can view own api_keys" ON public.api_keys;
DROP POLICY IF EXISTS "Users can insert own api_keys" ON public.api_keys;
DROP POLICY IF EXISTS "Users can update own api_keys" ON public.api_keys;
DROP POLICY IF EXISTS "Users can delete own api_keys" ON public.api_keys;
