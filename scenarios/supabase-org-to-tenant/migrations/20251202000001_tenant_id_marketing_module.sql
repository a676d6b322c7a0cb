-- Seed 000 Phase 1, week 1: the marketing module (marketing_*, email_*, newsletter_*).
-- The seed's "Migration Process (For Each Table Group)": add column, backfill,
-- NOT NULL, index, tenant policy; then the legacy org_id policies go.

-- marketing_campaigns
ALTER TABLE public.marketing_campaigns ADD COLUMN tenant_id UUID REFERENCES public.tenants(id);

UPDATE public.marketing_campaigns t SET tenant_id = p.tenant_id
FROM public.profiles p WHERE t.org_id = p.id;

ALTER TABLE public.marketing_campaigns ALTER COLUMN tenant_id SET NOT NULL;

CREATE INDEX idx_marketing_campaigns_tenant_id ON public.marketing_campaigns(tenant_id);

CREATE POLICY marketing_campaigns_tenant_isolation ON public.marketing_campaigns
FOR ALL USING (
  tenant_id IN (
    SELECT tenant_id FROM public.profiles WHERE id = auth.uid()
  )
);

DROP POLICY IF EXISTS "Users can view own marketing_campaigns" ON public.marketing_campaigns;
DROP POLICY IF EXISTS "Users can insert own marketing_campaigns" ON public.marketing_campaigns;
DROP POLICY IF EXISTS "Users can update own marketing_campaigns" ON public.marketing_campaigns;
DROP POLICY IF EXISTS "Users can delete own marketing_campaigns" ON public.marketing_campaigns;

-- marketing_content
ALTER TABLE public.marketing_content ADD COLUMN tenant_id UUID REFERENCES public.tenants(id);

UPDATE public.marketing_content t SET tenant_id = p.tenant_id
FROM public.profiles p WHERE t.org_id = p.id;

ALTER TABLE public.marketing_content ALTER COLUMN tenant_id SET NOT NULL;

CREATE INDEX idx_marketing_content_tenant_id ON public.marketing_content(tenant_id);

CREATE POLICY marketing_content_tenant_isolation ON public.marketing_content
FOR ALL USING (
  tenant_id IN (
    SELECT tenant_id FROM public.profiles WHERE id = auth.uid()
  )
);

DROP POLICY IF EXISTS "Users can view own marketing_content" ON public.marketing_content;
DROP POLICY IF EXISTS "Users can insert own marketing_content" ON public.marketing_content;
DROP POLICY IF EXISTS "Users can update own marketing_content" ON public.marketing_content;
DROP POLICY IF EXISTS "Users can delete own marketing_content" ON public.marketing_content;

-- marketing_audiences
ALTER TABLE public.marketing_audiences ADD COLUMN tenant_id UUID REFERENCES public.tenants(id);

UPDATE public.marketing_audiences t SET tenant_id = p.tenant_id
FROM public.profiles p WHERE t.org_id = p.id;

ALTER TABLE public.marketing_audiences ALTER COLUMN tenant_id SET NOT NULL;

CREATE INDEX idx_marketing_audiences_tenant_id ON public.marketing_audiences(tenant_id);

CREATE POLICY marketing_audiences_tenant_isolation ON public.marketing_audiences
FOR ALL USING (
  tenant_id IN (
    SELECT tenant_id FROM public.profiles WHERE id = auth.uid()
  )
);

DROP POLICY IF EXISTS "Users can view own marketing_audiences" ON public.marketing_audiences;
DROP POLICY IF EXISTS "Users can insert own marketing_audiences" ON public.marketing_audiences;
DROP POLICY IF EXISTS "Users can update own marketing_audiences" ON public.marketing_audiences;
DROP POLICY IF EXISTS "Users can delete own marketing_audiences" ON public.marketing_audiences;

-- marketing_audience_members
ALTER TABLE public.marketing_audience_members ADD COLUMN tenant_id UUID REFERENCES public.tenants(id);

UPDATE public.marketing_audience_members t SET tenant_id = p.tenant_id
FROM public.profiles p WHERE t.org_id = p.id;

ALTER TABLE public.marketing_audience_members ALTER COLUMN tenant_id SET NOT NULL;

CREATE INDEX idx_marketing_audience_members_tenant_id ON public.marketing_audience_members(tenant_id);

CREATE POLICY marketing_audience_members_tenant_isolation ON public.marketing_audience_members
FOR ALL USING (
  tenant_id IN (
    SELECT tenant_id FROM public.profiles WHERE id = auth.uid()
  )
);

DROP POLICY IF EXISTS "Users can view own marketing_audience_members" ON public.marketing_audience_members;
DROP POLICY IF EXISTS "Users can insert own marketing_audience_members" ON public.marketing_audience_members;
DROP POLICY IF EXISTS "Users can update own marketing_audience_members" ON public.marketing_audience_members;
DROP POLICY IF EXISTS "Users can delete own marketing_audience_members" ON public.marketing_audience_members;

-- marketing_assets
ALTER TABLE public.marketing_assets ADD COLUMN tenant_id UUID REFERENCES public.tenants(id);

UPDATE public.marketing_assets t SET tenant_id = p.tenant_id
FROM public.profiles p WHERE t.org_id = p.id;

ALTER TABLE public.marketing_assets ALTER COLUMN tenant_id SET NOT NULL;

CREATE INDEX idx_marketing_assets_tenant_id ON public.marketing_assets(tenant_id);

CREATE POLICY marketing_assets_tenant_isolation ON public.marketing_assets
FOR ALL USING (
  tenant_id IN (
    SELECT tenant_id FROM public.profiles WHERE id = auth.uid()
  )
);

DROP POLICY IF EXISTS "Users can view own marketing_assets" ON public.marketing_assets;
DROP POLICY IF EXISTS "Users can insert own marketing_assets" ON public.marketing_assets;
DROP POLICY IF EXISTS "Users can update own marketing_assets" ON public.marketing_assets;
DROP POLICY IF EXISTS "Users can delete own marketing_assets" ON public.marketing_assets;

-- marketing_analytics
ALTER TABLE public.marketing_analytics ADD COLUMN tenant_id UUID REFERENCES public.tenants(id);

UPDATE public.marketing_analytics t SET tenant_id = p.tenant_id
FROM public.profiles p WHERE t.org_id = p.id;

ALTER TABLE public.marketing_analytics ALTER COLUMN tenant_id SET NOT NULL;

CREATE INDEX idx_marketing_analytics_tenant_id ON public.marketing_analytics(tenant_id);

CREATE POLICY marketing_analytics_tenant_isolation ON public.marketing_analytics
FOR ALL USING (
  tenant_id IN (
    SELECT tenant_id FROM public.profiles WHERE id = auth.uid()
  )
);

DROP POLICY IF EXISTS "Users can view own marketing_analytics" ON public.marketing_analytics;
DROP POLICY IF EXISTS "Users can insert own marketing_analytics" ON public.marketing_analytics;
DROP POLICY IF EXISTS "Users can update own marketing_analytics" ON public.marketing_analytics;
DROP POLICY IF EXISTS "Users can delete own marketing_analytics" ON public.marketing_analytics;

-- email_templates
ALTER TABLE public.email_templates ADD COLUMN tenant_id UUID REFERENCES public.tenants(id);

UPDATE public.email_templates t SET tenant_id = p.tenant_id
FROM public.profiles p WHERE t.org_id = p.id;

ALTER TABLE public.email_templates ALTER COLUMN tenant_id SET NOT NULL;

CREATE INDEX idx_email_templates_tenant_id ON public.email_templates(tenant_id);

CREATE POLICY email_templates_tenant_isolation ON public.email_templates
FOR ALL USING (
  tenant_id IN (
    SELECT tenant_id FROM public.profiles WHERE id = auth.uid()
  )
);

DROP POLICY IF EXISTS "Users can view own email_templates" ON public.email_templates;
DROP POLICY IF EXISTS "Users can insert own email_templates" ON public.email_templates;
DROP POLICY IF EXISTS "Users can update own email_templates" ON public.email_templates;
DROP POLICY IF EXISTS "Users can delete own email_templates" ON public.email_templates;

-- email_campaigns
ALTER TABLE public.email_campaigns ADD COLUMN tenant_id UUID REFERENCES public.tenants(id);

UPDATE public.email_campaigns t SET tenant_id = p.tenant_id
FROM public.profiles p WHERE t.org_id = p.id;

ALTER TABLE public.email_campaigns ALTER COLUMN tenant_id SET NOT NULL;

CREATE INDEX idx_email_campaigns_tenant_id ON public.email_campaigns(tenant_id);

CREATE POLICY email_campaigns_tenant_isolation ON public.email_campaigns
FOR ALL USING (
  tenant_id IN (
    SELECT tenant_id FROM public.profiles WHERE id = auth.uid()
  )
);

DROP POLICY IF EXISTS "Users can view own email_campaigns" ON public.email_campaigns;
DROP POLICY IF EXISTS "Users can insert own email_campaigns" ON public.email_campaigns;
DROP POLICY IF EXISTS "Users can update own email_campaigns" ON public.email_campaigns;
DROP POLICY IF EXISTS "Users can delete own email_campaigns" ON public.email_campaigns;

-- email_sends
ALTER TABLE public.email_sends ADD COLUMN tenant_id UUID REFERENCES public.tenants(id);

UPDATE public.email_sends t SET tenant_id = p.tenant_id
FROM public.profiles p WHERE t.org_id = p.id;

ALTER TABLE public.email_sends ALTER COLUMN tenant_id SET NOT NULL;

CREATE INDEX idx_email_sends_tenant_id ON public.email_sends(tenant_id);

CREATE POLICY email_sends_tenant_isolation ON public.email_sends
FOR ALL USING (
  tenant_id IN (
    SELECT tenant_id FROM public.profiles WHERE id = auth.uid()
  )
);

DROP POLICY IF EXISTS "Users can view own email_sends" ON public.email_sends;
DROP POLICY IF EXISTS "Users can insert own email_sends" ON public.email_sends;
DROP POLICY IF EXISTS "Users can update own email_sends" ON public.email_sends;
DROP POLICY IF EXISTS "Users can delete own email_sends" ON public.email_sends;

-- newsletter_subscribers
ALTER TABLE public.newsletter_subscribers ADD COLUMN tenant_id UUID REFERENCES public.tenants(id);

UPDATE public.newsletter_subscribers t SET tenant_id = p.tenant_id
FROM public.profiles p WHERE t.org_id = p.id;

ALTER TABLE public.newsletter_subscribers ALTER COLUMN tenant_id SET NOT NULL;

CREATE INDEX idx_newsletter_subscribers_tenant_id ON public.newsletter_subscribers(tenant_id);

CREATE POLICY newsletter_subscribers_tenant_isolation ON public.newsletter_subscribers
FOR ALL USING (
  tenant_id IN (
    SELECT tenant_id FROM public.profiles WHERE id = auth.uid()
  )
);

DROP POLICY IF EXISTS "Users can view own newsletter_subscribers" ON public.newsletter_subscribers;
DROP POLICY IF EXISTS "Users can insert own newsletter_subscribers" ON public.newsletter_subscribers;
DROP POLICY IF EXISTS "Users can update own newsletter_subscribers" ON public.newsletter_subscribers;
DROP POLICY IF EXISTS "Users can delete own newsletter_subscribers" ON public.newsletter_subscribers;

-- newsletter_issues
ALTER TABLE public.newsletter_issues ADD COLUMN tenant_id UUID REFERENCES public.tenants(id);

UPDATE public.newsletter_issues t SET tenant_id = p.tenant_id
FROM public.profiles p WHERE t.org_id = p.id;

ALTER TABLE public.newsletter_issues ALTER COLUMN tenant_id SET NOT NULL;

CREATE INDEX idx_newsletter_issues_tenant_id ON public.newsletter_issues(tenant_id);

CREATE POLICY newsletter_issues_tenant_isolation ON public.newsletter_issues
FOR ALL USING (
  tenant_id IN (
    SELECT tenant_id FROM public.profiles WHERE id = auth.uid()
  )
);

DROP POLICY IF EXISTS "Users can view own newsletter_issues" ON public.newsletter_issues;
DROP POLICY IF EXISTS "Users can insert own newsletter_issues" ON public.newsletter_issues;
DROP POLICY IF EXISTS "Users can update own newsletter_issues" ON public.newsletter_issues;
DROP POLICY IF EXISTS "Users can delete own newsletter_issues" ON public.newsletter_issues;
