-- Seed 001 "Rollback Procedure" (manual revert), completed for every table.
-- The tenants table goes first: in the seed's order (columns, then tenants)
-- DROP COLUMN profiles.tenant_id fails, because the tenants policy reads it.
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

DROP POLICY IF EXISTS "Users can view profiles of their tenant" ON public.profiles;
DROP FUNCTION IF EXISTS public.current_tenant_id();
ALTER TABLE public.profiles DROP COLUMN IF EXISTS tenant_id;
