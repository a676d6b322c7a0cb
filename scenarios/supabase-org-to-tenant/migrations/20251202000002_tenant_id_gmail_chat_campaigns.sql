-- Seed 000 Phase 1, weeks 1-2: Gmail integration, chat embeddings, campaign responses.
-- The seed's "Migration Process (For Each Table Group)": add column, backfill,
-- NOT NULL, index, tenant policy; then the legacy org_id policies go.

-- gmail_messages
ALTER TABLE public.gmail_messages ADD COLUMN tenant_id UUID REFERENCES public.tenants(id);

UPDATE public.gmail_messages t SET tenant_id = p.tenant_id
FROM public.profiles p WHERE t.org_id = p.id;

ALTER TABLE public.gmail_messages ALTER COLUMN tenant_id SET NOT NULL;

CREATE INDEX idx_gmail_messages_tenant_id ON public.gmail_messages(tenant_id);

CREATE POLICY gmail_messages_tenant_isolation ON public.gmail_messages
FOR ALL USING (
  tenant_id IN (
    SELECT tenant_id FROM public.profiles WHERE id = auth.uid()
  )
);

DROP POLICY IF EXISTS "Users can view own gmail_messages" ON public.gmail_messages;
DROP POLICY IF EXISTS "Users can insert own gmail_messages" ON public.gmail_messages;
DROP POLICY IF EXISTS "Users can update own gmail_messages" ON public.gmail_messages;
DROP POLICY IF EXISTS "Users can delete own gmail_messages" ON public.gmail_messages;

-- gmail_sync_state
ALTER TABLE public.gmail_sync_state ADD COLUMN tenant_id UUID REFERENCES public.tenants(id);

UPDATE public.gmail_sync_state t SET tenant_id = p.tenant_id
FROM public.profiles p WHERE t.org_id = p.id;

ALTER TABLE public.gmail_sync_state ALTER COLUMN tenant_id SET NOT NULL;

CREATE INDEX idx_gmail_sync_state_tenant_id ON public.gmail_sync_state(tenant_id);

CREATE POLICY gmail_sync_state_tenant_isolation ON public.gmail_sync_state
FOR ALL USING (
  tenant_id IN (
    SELECT tenant_id FROM public.profiles WHERE id = auth.uid()
  )
);

DROP POLICY IF EXISTS "Users can view own gmail_sync_state" ON public.gmail_sync_state;
DROP POLICY IF EXISTS "Users can insert own gmail_sync_state" ON public.gmail_sync_state;
DROP POLICY IF EXISTS "Users can update own gmail_sync_state" ON public.gmail_sync_state;
DROP POLICY IF EXISTS "Users can delete own gmail_sync_state" ON public.gmail_sync_state;

-- embeddings_index
ALTER TABLE public.embeddings_index ADD COLUMN tenant_id UUID REFERENCES public.tenants(id);

UPDATE public.embeddings_index t SET tenant_id = p.tenant_id
FROM public.profiles p WHERE t.org_id = p.id;

ALTER TABLE public.embeddings_index ALTER COLUMN tenant_id SET NOT NULL;

CREATE INDEX idx_embeddings_index_tenant_id ON public.embeddings_index(tenant_id);

CREATE POLICY embeddings_index_tenant_isolation ON public.embeddings_index
FOR ALL USING (
  tenant_id IN (
    SELECT tenant_id FROM public.profiles WHERE id = auth.uid()
  )
);

DROP POLICY IF EXISTS "Users can view own embeddings_index" ON public.embeddings_index;
DROP POLICY IF EXISTS "Users can insert own embeddings_index" ON public.embeddings_index;
DROP POLICY IF EXISTS "Users can update own embeddings_index" ON public.embeddings_index;
DROP POLICY IF EXISTS "Users can delete own embeddings_index" ON public.embeddings_index;

-- campaign_responses
ALTER TABLE public.campaign_responses ADD COLUMN tenant_id UUID REFERENCES public.tenants(id);

UPDATE public.campaign_responses t SET tenant_id = p.tenant_id
FROM public.profiles p WHERE t.org_id = p.id;

ALTER TABLE public.campaign_responses ALTER COLUMN tenant_id SET NOT NULL;

CREATE INDEX idx_campaign_responses_tenant_id ON public.campaign_responses(tenant_id);

CREATE POLICY campaign_responses_tenant_isolation ON public.campaign_responses
FOR ALL USING (
  tenant_id IN (
    SELECT tenant_id FROM public.profiles WHERE id = auth.uid()
  )
);

DROP POLICY IF EXISTS "Users can view own campaign_responses" ON public.campaign_responses;
DROP POLICY IF EXISTS "Users can insert own campaign_responses" ON public.campaign_responses;
DROP POLICY IF EXISTS "Users can update own campaign_responses" ON public.campaign_responses;
DROP POLICY IF EXISTS "Users can delete own campaign_responses" ON public.campaign_responses;
