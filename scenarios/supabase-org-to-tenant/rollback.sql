-- Seed 001 "Rollback Procedure" (manual revert), completed for every table.
-- The tenants table goes first: in the seed's order (columns, then tenants)
-- DROP COLUMN profiles.tenant_id fails, because the tenants policy reads it.
-- The hardening migration first: its guard policies read tenant_id.
DO $$
DECLARE
  t regclass;
BEGIN
  FOR t IN SELECT polrelid::regclass FROM pg_policy WHERE polname = 'tenant_guard' LOOP
    EXECUTE format('DROP POLICY tenant_guard ON %s', t);
  END LOOP;
END $$;
GRANT TRUNCATE, REFERENCES, TRIGGER ON ALL TABLES IN SCHEMA public TO anon, authenticated;
DROP TABLE IF EXISTS public.tenants CASCADE;
DROP POLICY IF EXISTS "Users can view their clients" ON public.clients;
DROP POLICY IF EXISTS "Users can insert clients" ON public.clients;
DROP POLICY IF EXISTS "Users can update their clients" ON public.clients;
DROP POLICY IF EXISTS "Users can delete their clients" ON public.clients;
CREATE POLICY "Users can view own clients" ON public.clients FOR SELECT USING (org_id = auth.uid());
CREATE POLICY "Users can insert own clients" ON public.clients FOR INSERT WITH CHECK (org_id = auth.uid());
CREATE POLICY "Users can update own clients" ON public.clients FOR UPDATE USING (org_id = auth.uid()) WITH CHECK (org_id = auth.uid());
CREATE POLICY "Users can delete own clients" ON public.clients FOR DELETE USING (org_id = auth.uid());
ALTER TABLE public.clients DROP COLUMN IF EXISTS tenant_id;

DROP POLICY IF EXISTS "Users can view their orders" ON public.orders;
DROP POLICY IF EXISTS "Users can insert orders" ON public.orders;
DROP POLICY IF EXISTS "Users can update their orders" ON public.orders;
DROP POLICY IF EXISTS "Users can delete their orders" ON public.orders;
CREATE POLICY "Users can view own orders" ON public.orders FOR SELECT USING (org_id = auth.uid());
CREATE POLICY "Users can insert own orders" ON public.orders FOR INSERT WITH CHECK (org_id = auth.uid());
CREATE POLICY "Users can update own orders" ON public.orders FOR UPDATE USING (org_id = auth.uid()) WITH CHECK (org_id = auth.uid());
CREATE POLICY "Users can delete own orders" ON public.orders FOR DELETE USING (org_id = auth.uid());
ALTER TABLE public.orders DROP COLUMN IF EXISTS tenant_id;

DROP POLICY IF EXISTS "Users can view their properties" ON public.properties;
DROP POLICY IF EXISTS "Users can insert properties" ON public.properties;
DROP POLICY IF EXISTS "Users can update their properties" ON public.properties;
DROP POLICY IF EXISTS "Users can delete their properties" ON public.properties;
CREATE POLICY "Users can view own properties" ON public.properties FOR SELECT USING (org_id = auth.uid());
CREATE POLICY "Users can insert own properties" ON public.properties FOR INSERT WITH CHECK (org_id = auth.uid());
CREATE POLICY "Users can update own properties" ON public.properties FOR UPDATE USING (org_id = auth.uid()) WITH CHECK (org_id = auth.uid());
CREATE POLICY "Users can delete own properties" ON public.properties FOR DELETE USING (org_id = auth.uid());
ALTER TABLE public.properties DROP COLUMN IF EXISTS tenant_id;

DROP POLICY IF EXISTS "Users can view their contacts" ON public.contacts;
DROP POLICY IF EXISTS "Users can insert contacts" ON public.contacts;
DROP POLICY IF EXISTS "Users can update their contacts" ON public.contacts;
DROP POLICY IF EXISTS "Users can delete their contacts" ON public.contacts;
CREATE POLICY "Users can view own contacts" ON public.contacts FOR SELECT USING (org_id = auth.uid());
CREATE POLICY "Users can insert own contacts" ON public.contacts FOR INSERT WITH CHECK (org_id = auth.uid());
CREATE POLICY "Users can update own contacts" ON public.contacts FOR UPDATE USING (org_id = auth.uid()) WITH CHECK (org_id = auth.uid());
CREATE POLICY "Users can delete own contacts" ON public.contacts FOR DELETE USING (org_id = auth.uid());
ALTER TABLE public.contacts DROP COLUMN IF EXISTS tenant_id;

DROP POLICY IF EXISTS "Users can view their activities" ON public.activities;
DROP POLICY IF EXISTS "Users can insert activities" ON public.activities;
DROP POLICY IF EXISTS "Users can update their activities" ON public.activities;
DROP POLICY IF EXISTS "Users can delete their activities" ON public.activities;
CREATE POLICY "Users can view own activities" ON public.activities FOR SELECT USING (org_id = auth.uid());
CREATE POLICY "Users can insert own activities" ON public.activities FOR INSERT WITH CHECK (org_id = auth.uid());
CREATE POLICY "Users can update own activities" ON public.activities FOR UPDATE USING (org_id = auth.uid()) WITH CHECK (org_id = auth.uid());
CREATE POLICY "Users can delete own activities" ON public.activities FOR DELETE USING (org_id = auth.uid());
ALTER TABLE public.activities DROP COLUMN IF EXISTS tenant_id;

DROP POLICY IF EXISTS "Users can view their deals" ON public.deals;
DROP POLICY IF EXISTS "Users can insert deals" ON public.deals;
DROP POLICY IF EXISTS "Users can update their deals" ON public.deals;
DROP POLICY IF EXISTS "Users can delete their deals" ON public.deals;
CREATE POLICY "Users can view own deals" ON public.deals FOR SELECT USING (org_id = auth.uid());
CREATE POLICY "Users can insert own deals" ON public.deals FOR INSERT WITH CHECK (org_id = auth.uid());
CREATE POLICY "Users can update own deals" ON public.deals FOR UPDATE USING (org_id = auth.uid()) WITH CHECK (org_id = auth.uid());
CREATE POLICY "Users can delete own deals" ON public.deals FOR DELETE USING (org_id = auth.uid());
ALTER TABLE public.deals DROP COLUMN IF EXISTS tenant_id;

DROP POLICY IF EXISTS "Users can view their cases" ON public.cases;
DROP POLICY IF EXISTS "Users can insert cases" ON public.cases;
DROP POLICY IF EXISTS "Users can update their cases" ON public.cases;
DROP POLICY IF EXISTS "Users can delete their cases" ON public.cases;
CREATE POLICY "Users can view own cases" ON public.cases FOR SELECT USING (org_id = auth.uid());
CREATE POLICY "Users can insert own cases" ON public.cases FOR INSERT WITH CHECK (org_id = auth.uid());
CREATE POLICY "Users can update own cases" ON public.cases FOR UPDATE USING (org_id = auth.uid()) WITH CHECK (org_id = auth.uid());
CREATE POLICY "Users can delete own cases" ON public.cases FOR DELETE USING (org_id = auth.uid());
ALTER TABLE public.cases DROP COLUMN IF EXISTS tenant_id;

DROP POLICY IF EXISTS "Users can view their tags" ON public.tags;
DROP POLICY IF EXISTS "Users can insert tags" ON public.tags;
DROP POLICY IF EXISTS "Users can update their tags" ON public.tags;
DROP POLICY IF EXISTS "Users can delete their tags" ON public.tags;
CREATE POLICY "Users can view own tags" ON public.tags FOR SELECT USING (org_id = auth.uid());
CREATE POLICY "Users can insert own tags" ON public.tags FOR INSERT WITH CHECK (org_id = auth.uid());
CREATE POLICY "Users can update own tags" ON public.tags FOR UPDATE USING (org_id = auth.uid()) WITH CHECK (org_id = auth.uid());
CREATE POLICY "Users can delete own tags" ON public.tags FOR DELETE USING (org_id = auth.uid());
ALTER TABLE public.tags DROP COLUMN IF EXISTS tenant_id;

DROP POLICY IF EXISTS "Users can view their tasks" ON public.tasks;
DROP POLICY IF EXISTS "Users can insert tasks" ON public.tasks;
DROP POLICY IF EXISTS "Users can update their tasks" ON public.tasks;
DROP POLICY IF EXISTS "Users can delete their tasks" ON public.tasks;
CREATE POLICY "Users can view own tasks" ON public.tasks FOR SELECT USING (org_id = auth.uid());
CREATE POLICY "Users can insert own tasks" ON public.tasks FOR INSERT WITH CHECK (org_id = auth.uid());
CREATE POLICY "Users can update own tasks" ON public.tasks FOR UPDATE USING (org_id = auth.uid()) WITH CHECK (org_id = auth.uid());
CREATE POLICY "Users can delete own tasks" ON public.tasks FOR DELETE USING (org_id = auth.uid());
ALTER TABLE public.tasks DROP COLUMN IF EXISTS tenant_id;

DROP POLICY IF EXISTS "Users can view their goals" ON public.goals;
DROP POLICY IF EXISTS "Users can insert goals" ON public.goals;
DROP POLICY IF EXISTS "Users can update their goals" ON public.goals;
DROP POLICY IF EXISTS "Users can delete their goals" ON public.goals;
CREATE POLICY "Users can view own goals" ON public.goals FOR SELECT USING (org_id = auth.uid());
CREATE POLICY "Users can insert own goals" ON public.goals FOR INSERT WITH CHECK (org_id = auth.uid());
CREATE POLICY "Users can update own goals" ON public.goals FOR UPDATE USING (org_id = auth.uid()) WITH CHECK (org_id = auth.uid());
CREATE POLICY "Users can delete own goals" ON public.goals FOR DELETE USING (org_id = auth.uid());
ALTER TABLE public.goals DROP COLUMN IF EXISTS tenant_id;

DROP POLICY IF EXISTS "Users can view their agent_cards" ON public.agent_cards;
DROP POLICY IF EXISTS "Users can insert agent_cards" ON public.agent_cards;
DROP POLICY IF EXISTS "Users can update their agent_cards" ON public.agent_cards;
DROP POLICY IF EXISTS "Users can delete their agent_cards" ON public.agent_cards;
CREATE POLICY "Users can view own agent_cards" ON public.agent_cards FOR SELECT USING (org_id = auth.uid());
CREATE POLICY "Users can insert own agent_cards" ON public.agent_cards FOR INSERT WITH CHECK (org_id = auth.uid());
CREATE POLICY "Users can update own agent_cards" ON public.agent_cards FOR UPDATE USING (org_id = auth.uid()) WITH CHECK (org_id = auth.uid());
CREATE POLICY "Users can delete own agent_cards" ON public.agent_cards FOR DELETE USING (org_id = auth.uid());
ALTER TABLE public.agent_cards DROP COLUMN IF EXISTS tenant_id;

DROP POLICY IF EXISTS "Users can view their chat_messages" ON public.chat_messages;
DROP POLICY IF EXISTS "Users can insert chat_messages" ON public.chat_messages;
DROP POLICY IF EXISTS "Users can update their chat_messages" ON public.chat_messages;
DROP POLICY IF EXISTS "Users can delete their chat_messages" ON public.chat_messages;
CREATE POLICY "Users can view own chat_messages" ON public.chat_messages FOR SELECT USING (org_id = auth.uid());
CREATE POLICY "Users can insert own chat_messages" ON public.chat_messages FOR INSERT WITH CHECK (org_id = auth.uid());
CREATE POLICY "Users can update own chat_messages" ON public.chat_messages FOR UPDATE USING (org_id = auth.uid()) WITH CHECK (org_id = auth.uid());
CREATE POLICY "Users can delete own chat_messages" ON public.chat_messages FOR DELETE USING (org_id = auth.uid());
ALTER TABLE public.chat_messages DROP COLUMN IF EXISTS tenant_id;


-- Seed 000's groups: back to the legacy policies, then the column goes.
DROP POLICY IF EXISTS marketing_campaigns_tenant_isolation ON public.marketing_campaigns;
CREATE POLICY "Users can view own marketing_campaigns" ON public.marketing_campaigns FOR SELECT USING (org_id = auth.uid());
CREATE POLICY "Users can insert own marketing_campaigns" ON public.marketing_campaigns FOR INSERT WITH CHECK (org_id = auth.uid());
CREATE POLICY "Users can update own marketing_campaigns" ON public.marketing_campaigns FOR UPDATE USING (org_id = auth.uid()) WITH CHECK (org_id = auth.uid());
CREATE POLICY "Users can delete own marketing_campaigns" ON public.marketing_campaigns FOR DELETE USING (org_id = auth.uid());
ALTER TABLE public.marketing_campaigns DROP COLUMN IF EXISTS tenant_id;

DROP POLICY IF EXISTS marketing_content_tenant_isolation ON public.marketing_content;
CREATE POLICY "Users can view own marketing_content" ON public.marketing_content FOR SELECT USING (org_id = auth.uid());
CREATE POLICY "Users can insert own marketing_content" ON public.marketing_content FOR INSERT WITH CHECK (org_id = auth.uid());
CREATE POLICY "Users can update own marketing_content" ON public.marketing_content FOR UPDATE USING (org_id = auth.uid()) WITH CHECK (org_id = auth.uid());
CREATE POLICY "Users can delete own marketing_content" ON public.marketing_content FOR DELETE USING (org_id = auth.uid());
ALTER TABLE public.marketing_content DROP COLUMN IF EXISTS tenant_id;

DROP POLICY IF EXISTS marketing_audiences_tenant_isolation ON public.marketing_audiences;
CREATE POLICY "Users can view own marketing_audiences" ON public.marketing_audiences FOR SELECT USING (org_id = auth.uid());
CREATE POLICY "Users can insert own marketing_audiences" ON public.marketing_audiences FOR INSERT WITH CHECK (org_id = auth.uid());
CREATE POLICY "Users can update own marketing_audiences" ON public.marketing_audiences FOR UPDATE USING (org_id = auth.uid()) WITH CHECK (org_id = auth.uid());
CREATE POLICY "Users can delete own marketing_audiences" ON public.marketing_audiences FOR DELETE USING (org_id = auth.uid());
ALTER TABLE public.marketing_audiences DROP COLUMN IF EXISTS tenant_id;

DROP POLICY IF EXISTS marketing_audience_members_tenant_isolation ON public.marketing_audience_members;
CREATE POLICY "Users can view own marketing_audience_members" ON public.marketing_audience_members FOR SELECT USING (org_id = auth.uid());
CREATE POLICY "Users can insert own marketing_audience_members" ON public.marketing_audience_members FOR INSERT WITH CHECK (org_id = auth.uid());
CREATE POLICY "Users can update own marketing_audience_members" ON public.marketing_audience_members FOR UPDATE USING (org_id = auth.uid()) WITH CHECK (org_id = auth.uid());
CREATE POLICY "Users can delete own marketing_audience_members" ON public.marketing_audience_members FOR DELETE USING (org_id = auth.uid());
ALTER TABLE public.marketing_audience_members DROP COLUMN IF EXISTS tenant_id;

DROP POLICY IF EXISTS marketing_assets_tenant_isolation ON public.marketing_assets;
CREATE POLICY "Users can view own marketing_assets" ON public.marketing_assets FOR SELECT USING (org_id = auth.uid());
CREATE POLICY "Users can insert own marketing_assets" ON public.marketing_assets FOR INSERT WITH CHECK (org_id = auth.uid());
CREATE POLICY "Users can update own marketing_assets" ON public.marketing_assets FOR UPDATE USING (org_id = auth.uid()) WITH CHECK (org_id = auth.uid());
CREATE POLICY "Users can delete own marketing_assets" ON public.marketing_assets FOR DELETE USING (org_id = auth.uid());
ALTER TABLE public.marketing_assets DROP COLUMN IF EXISTS tenant_id;

DROP POLICY IF EXISTS marketing_analytics_tenant_isolation ON public.marketing_analytics;
CREATE POLICY "Users can view own marketing_analytics" ON public.marketing_analytics FOR SELECT USING (org_id = auth.uid());
CREATE POLICY "Users can insert own marketing_analytics" ON public.marketing_analytics FOR INSERT WITH CHECK (org_id = auth.uid());
CREATE POLICY "Users can update own marketing_analytics" ON public.marketing_analytics FOR UPDATE USING (org_id = auth.uid()) WITH CHECK (org_id = auth.uid());
CREATE POLICY "Users can delete own marketing_analytics" ON public.marketing_analytics FOR DELETE USING (org_id = auth.uid());
ALTER TABLE public.marketing_analytics DROP COLUMN IF EXISTS tenant_id;

DROP POLICY IF EXISTS email_templates_tenant_isolation ON public.email_templates;
CREATE POLICY "Users can view own email_templates" ON public.email_templates FOR SELECT USING (org_id = auth.uid());
CREATE POLICY "Users can insert own email_templates" ON public.email_templates FOR INSERT WITH CHECK (org_id = auth.uid());
CREATE POLICY "Users can update own email_templates" ON public.email_templates FOR UPDATE USING (org_id = auth.uid()) WITH CHECK (org_id = auth.uid());
CREATE POLICY "Users can delete own email_templates" ON public.email_templates FOR DELETE USING (org_id = auth.uid());
ALTER TABLE public.email_templates DROP COLUMN IF EXISTS tenant_id;

DROP POLICY IF EXISTS email_campaigns_tenant_isolation ON public.email_campaigns;
CREATE POLICY "Users can view own email_campaigns" ON public.email_campaigns FOR SELECT USING (org_id = auth.uid());
CREATE POLICY "Users can insert own email_campaigns" ON public.email_campaigns FOR INSERT WITH CHECK (org_id = auth.uid());
CREATE POLICY "Users can update own email_campaigns" ON public.email_campaigns FOR UPDATE USING (org_id = auth.uid()) WITH CHECK (org_id = auth.uid());
CREATE POLICY "Users can delete own email_campaigns" ON public.email_campaigns FOR DELETE USING (org_id = auth.uid());
ALTER TABLE public.email_campaigns DROP COLUMN IF EXISTS tenant_id;

DROP POLICY IF EXISTS email_sends_tenant_isolation ON public.email_sends;
CREATE POLICY "Users can view own email_sends" ON public.email_sends FOR SELECT USING (org_id = auth.uid());
CREATE POLICY "Users can insert own email_sends" ON public.email_sends FOR INSERT WITH CHECK (org_id = auth.uid());
CREATE POLICY "Users can update own email_sends" ON public.email_sends FOR UPDATE USING (org_id = auth.uid()) WITH CHECK (org_id = auth.uid());
CREATE POLICY "Users can delete own email_sends" ON public.email_sends FOR DELETE USING (org_id = auth.uid());
ALTER TABLE public.email_sends DROP COLUMN IF EXISTS tenant_id;

DROP POLICY IF EXISTS newsletter_subscribers_tenant_isolation ON public.newsletter_subscribers;
CREATE POLICY "Users can view own newsletter_subscribers" ON public.newsletter_subscribers FOR SELECT USING (org_id = auth.uid());
CREATE POLICY "Users can insert own newsletter_subscribers" ON public.newsletter_subscribers FOR INSERT WITH CHECK (org_id = auth.uid());
CREATE POLICY "Users can update own newsletter_subscribers" ON public.newsletter_subscribers FOR UPDATE USING (org_id = auth.uid()) WITH CHECK (org_id = auth.uid());
CREATE POLICY "Users can delete own newsletter_subscribers" ON public.newsletter_subscribers FOR DELETE USING (org_id = auth.uid());
ALTER TABLE public.newsletter_subscribers DROP COLUMN IF EXISTS tenant_id;

DROP POLICY IF EXISTS newsletter_issues_tenant_isolation ON public.newsletter_issues;
CREATE POLICY "Users can view own newsletter_issues" ON public.newsletter_issues FOR SELECT USING (org_id = auth.uid());
CREATE POLICY "Users can insert own newsletter_issues" ON public.newsletter_issues FOR INSERT WITH CHECK (org_id = auth.uid());
CREATE POLICY "Users can update own newsletter_issues" ON public.newsletter_issues FOR UPDATE USING (org_id = auth.uid()) WITH CHECK (org_id = auth.uid());
CREATE POLICY "Users can delete own newsletter_issues" ON public.newsletter_issues FOR DELETE USING (org_id = auth.uid());
ALTER TABLE public.newsletter_issues DROP COLUMN IF EXISTS tenant_id;

DROP POLICY IF EXISTS gmail_messages_tenant_isolation ON public.gmail_messages;
CREATE POLICY "Users can view own gmail_messages" ON public.gmail_messages FOR SELECT USING (org_id = auth.uid());
CREATE POLICY "Users can insert own gmail_messages" ON public.gmail_messages FOR INSERT WITH CHECK (org_id = auth.uid());
CREATE POLICY "Users can update own gmail_messages" ON public.gmail_messages FOR UPDATE USING (org_id = auth.uid()) WITH CHECK (org_id = auth.uid());
CREATE POLICY "Users can delete own gmail_messages" ON public.gmail_messages FOR DELETE USING (org_id = auth.uid());
ALTER TABLE public.gmail_messages DROP COLUMN IF EXISTS tenant_id;

DROP POLICY IF EXISTS gmail_sync_state_tenant_isolation ON public.gmail_sync_state;
CREATE POLICY "Users can view own gmail_sync_state" ON public.gmail_sync_state FOR SELECT USING (org_id = auth.uid());
CREATE POLICY "Users can insert own gmail_sync_state" ON public.gmail_sync_state FOR INSERT WITH CHECK (org_id = auth.uid());
CREATE POLICY "Users can update own gmail_sync_state" ON public.gmail_sync_state FOR UPDATE USING (org_id = auth.uid()) WITH CHECK (org_id = auth.uid());
CREATE POLICY "Users can delete own gmail_sync_state" ON public.gmail_sync_state FOR DELETE USING (org_id = auth.uid());
ALTER TABLE public.gmail_sync_state DROP COLUMN IF EXISTS tenant_id;

DROP POLICY IF EXISTS embeddings_index_tenant_isolation ON public.embeddings_index;
CREATE POLICY "Users can view own embeddings_index" ON public.embeddings_index FOR SELECT USING (org_id = auth.uid());
CREATE POLICY "Users can insert own embeddings_index" ON public.embeddings_index FOR INSERT WITH CHECK (org_id = auth.uid());
CREATE POLICY "Users can update own embeddings_index" ON public.embeddings_index FOR UPDATE USING (org_id = auth.uid()) WITH CHECK (org_id = auth.uid());
CREATE POLICY "Users can delete own embeddings_index" ON public.embeddings_index FOR DELETE USING (org_id = auth.uid());
ALTER TABLE public.embeddings_index DROP COLUMN IF EXISTS tenant_id;

DROP POLICY IF EXISTS campaign_responses_tenant_isolation ON public.campaign_responses;
CREATE POLICY "Users can view own campaign_responses" ON public.campaign_responses FOR SELECT USING (org_id = auth.uid());
CREATE POLICY "Users can insert own campaign_responses" ON public.campaign_responses FOR INSERT WITH CHECK (org_id = auth.uid());
CREATE POLICY "Users can update own campaign_responses" ON public.campaign_responses FOR UPDATE USING (org_id = auth.uid()) WITH CHECK (org_id = auth.uid());
CREATE POLICY "Users can delete own campaign_responses" ON public.campaign_responses FOR DELETE USING (org_id = auth.uid());
ALTER TABLE public.campaign_responses DROP COLUMN IF EXISTS tenant_id;

DROP POLICY IF EXISTS property_units_tenant_isolation ON public.property_units;
CREATE POLICY "Users can view own property_units" ON public.property_units FOR SELECT USING (org_id = auth.uid());
CREATE POLICY "Users can insert own property_units" ON public.property_units FOR INSERT WITH CHECK (org_id = auth.uid());
CREATE POLICY "Users can update own property_units" ON public.property_units FOR UPDATE USING (org_id = auth.uid()) WITH CHECK (org_id = auth.uid());
CREATE POLICY "Users can delete own property_units" ON public.property_units FOR DELETE USING (org_id = auth.uid());
ALTER TABLE public.property_units DROP COLUMN IF EXISTS tenant_id;

DROP POLICY IF EXISTS party_roles_tenant_isolation ON public.party_roles;
CREATE POLICY "Users can view own party_roles" ON public.party_roles FOR SELECT USING (org_id = auth.uid());
CREATE POLICY "Users can insert own party_roles" ON public.party_roles FOR INSERT WITH CHECK (org_id = auth.uid());
CREATE POLICY "Users can update own party_roles" ON public.party_roles FOR UPDATE USING (org_id = auth.uid()) WITH CHECK (org_id = auth.uid());
CREATE POLICY "Users can delete own party_roles" ON public.party_roles FOR DELETE USING (org_id = auth.uid());
ALTER TABLE public.party_roles DROP COLUMN IF EXISTS tenant_id;

DROP POLICY IF EXISTS email_notifications_tenant_isolation ON public.email_notifications;
CREATE POLICY "Users can view own email_notifications" ON public.email_notifications FOR SELECT USING (org_id = auth.uid());
CREATE POLICY "Users can insert own email_notifications" ON public.email_notifications FOR INSERT WITH CHECK (org_id = auth.uid());
CREATE POLICY "Users can update own email_notifications" ON public.email_notifications FOR UPDATE USING (org_id = auth.uid()) WITH CHECK (org_id = auth.uid());
CREATE POLICY "Users can delete own email_notifications" ON public.email_notifications FOR DELETE USING (org_id = auth.uid());
ALTER TABLE public.email_notifications DROP COLUMN IF EXISTS tenant_id;

DROP POLICY IF EXISTS validation_logs_tenant_isolation ON public.validation_logs;
CREATE POLICY "Users can view own validation_logs" ON public.validation_logs FOR SELECT USING (org_id = auth.uid());
CREATE POLICY "Users can insert own validation_logs" ON public.validation_logs FOR INSERT WITH CHECK (org_id = auth.uid());
CREATE POLICY "Users can update own validation_logs" ON public.validation_logs FOR UPDATE USING (org_id = auth.uid()) WITH CHECK (org_id = auth.uid());
CREATE POLICY "Users can delete own validation_logs" ON public.validation_logs FOR DELETE USING (org_id = auth.uid());
ALTER TABLE public.validation_logs DROP COLUMN IF EXISTS tenant_id;

DROP POLICY IF EXISTS territories_tenant_isolation ON public.territories;
CREATE POLICY "Users can view own territories" ON public.territories FOR SELECT USING (org_id = auth.uid());
CREATE POLICY "Users can insert own territories" ON public.territories FOR INSERT WITH CHECK (org_id = auth.uid());
CREATE POLICY "Users can update own territories" ON public.territories FOR UPDATE USING (org_id = auth.uid()) WITH CHECK (org_id = auth.uid());
CREATE POLICY "Users can delete own territories" ON public.territories FOR DELETE USING (org_id = auth.uid());
ALTER TABLE public.territories DROP COLUMN IF EXISTS tenant_id;

DROP POLICY IF EXISTS resources_tenant_isolation ON public.resources;
CREATE POLICY "Users can view own resources" ON public.resources FOR SELECT USING (org_id = auth.uid());
CREATE POLICY "Users can insert own resources" ON public.resources FOR INSERT WITH CHECK (org_id = auth.uid());
CREATE POLICY "Users can update own resources" ON public.resources FOR UPDATE USING (org_id = auth.uid()) WITH CHECK (org_id = auth.uid());
CREATE POLICY "Users can delete own resources" ON public.resources FOR DELETE USING (org_id = auth.uid());
ALTER TABLE public.resources DROP COLUMN IF EXISTS tenant_id;

DROP POLICY IF EXISTS bookings_tenant_isolation ON public.bookings;
CREATE POLICY "Users can view own bookings" ON public.bookings FOR SELECT USING (org_id = auth.uid());
CREATE POLICY "Users can insert own bookings" ON public.bookings FOR INSERT WITH CHECK (org_id = auth.uid());
CREATE POLICY "Users can update own bookings" ON public.bookings FOR UPDATE USING (org_id = auth.uid()) WITH CHECK (org_id = auth.uid());
CREATE POLICY "Users can delete own bookings" ON public.bookings FOR DELETE USING (org_id = auth.uid());
ALTER TABLE public.bookings DROP COLUMN IF EXISTS tenant_id;

DROP POLICY IF EXISTS notifications_tenant_isolation ON public.notifications;
CREATE POLICY "Users can view own notifications" ON public.notifications FOR SELECT USING (org_id = auth.uid());
CREATE POLICY "Users can insert own notifications" ON public.notifications FOR INSERT WITH CHECK (org_id = auth.uid());
CREATE POLICY "Users can update own notifications" ON public.notifications FOR UPDATE USING (org_id = auth.uid()) WITH CHECK (org_id = auth.uid());
CREATE POLICY "Users can delete own notifications" ON public.notifications FOR DELETE USING (org_id = auth.uid());
ALTER TABLE public.notifications DROP COLUMN IF EXISTS tenant_id;

DROP POLICY IF EXISTS webhooks_tenant_isolation ON public.webhooks;
CREATE POLICY "Users can view own webhooks" ON public.webhooks FOR SELECT USING (org_id = auth.uid());
CREATE POLICY "Users can insert own webhooks" ON public.webhooks FOR INSERT WITH CHECK (org_id = auth.uid());
CREATE POLICY "Users can update own webhooks" ON public.webhooks FOR UPDATE USING (org_id = auth.uid()) WITH CHECK (org_id = auth.uid());
CREATE POLICY "Users can delete own webhooks" ON public.webhooks FOR DELETE USING (org_id = auth.uid());
ALTER TABLE public.webhooks DROP COLUMN IF EXISTS tenant_id;

DROP POLICY IF EXISTS api_keys_tenant_isolation ON public.api_keys;
CREATE POLICY "Users can view own api_keys" ON public.api_keys FOR SELECT USING (org_id = auth.uid());
CREATE POLICY "Users can insert own api_keys" ON public.api_keys FOR INSERT WITH CHECK (org_id = auth.uid());
CREATE POLICY "Users can update own api_keys" ON public.api_keys FOR UPDATE USING (org_id = auth.uid()) WITH CHECK (org_id = auth.uid());
CREATE POLICY "Users can delete own api_keys" ON public.api_keys FOR DELETE USING (org_id = auth.uid());
ALTER TABLE public.api_keys DROP COLUMN IF EXISTS tenant_id;

DROP POLICY IF EXISTS "Users can view profiles of their tenant" ON public.profiles;
DROP FUNCTION IF EXISTS public.current_tenant_id();
ALTER TABLE public.profiles DROP COLUMN IF EXISTS tenant_id;
