-- Seed 001 step 5: additive policies (old org_id logic OR the new tenant logic).
-- Profiles: members of a tenant see each other. A policy on profiles cannot
-- query profiles under RLS (infinite recursion), so the lookup is a
-- SECURITY DEFINER helper with a fixed search_path.

CREATE OR REPLACE FUNCTION public.current_tenant_id()
RETURNS uuid
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = ''
AS $$
  SELECT tenant_id FROM public.profiles WHERE id = auth.uid()
$$;

CREATE POLICY "Users can view profiles of their tenant"
  ON public.profiles FOR SELECT
  USING (tenant_id = public.current_tenant_id());

DROP POLICY IF EXISTS "Authenticated users can view clients" ON public.clients;

CREATE POLICY "Users can view their clients"
  ON public.clients FOR SELECT
  USING (
    org_id = auth.uid()
    OR
    tenant_id IN (SELECT tenant_id FROM public.profiles WHERE id = auth.uid())
  );

CREATE POLICY "Users can insert clients"
  ON public.clients FOR INSERT
  WITH CHECK (
    org_id = auth.uid()
    OR
    tenant_id IN (SELECT tenant_id FROM public.profiles WHERE id = auth.uid())
  );

CREATE POLICY "Users can update their clients"
  ON public.clients FOR UPDATE
  USING (
    org_id = auth.uid()
    OR
    tenant_id IN (SELECT tenant_id FROM public.profiles WHERE id = auth.uid())
  )
  WITH CHECK (
    org_id = auth.uid()
    OR
    tenant_id IN (SELECT tenant_id FROM public.profiles WHERE id = auth.uid())
  );

CREATE POLICY "Users can delete their clients"
  ON public.clients FOR DELETE
  USING (
    org_id = auth.uid()
    OR
    tenant_id IN (SELECT tenant_id FROM public.profiles WHERE id = auth.uid())
  );

CREATE POLICY "Users can view their orders"
  ON public.orders FOR SELECT
  USING (
    org_id = auth.uid()
    OR
    tenant_id IN (SELECT tenant_id FROM public.profiles WHERE id = auth.uid())
  );

CREATE POLICY "Users can insert orders"
  ON public.orders FOR INSERT
  WITH CHECK (
    org_id = auth.uid()
    OR
    tenant_id IN (SELECT tenant_id FROM public.profiles WHERE id = auth.uid())
  );

CREATE POLICY "Users can update their orders"
  ON public.orders FOR UPDATE
  USING (
    org_id = auth.uid()
    OR
    tenant_id IN (SELECT tenant_id FROM public.profiles WHERE id = auth.uid())
  )
  WITH CHECK (
    org_id = auth.uid()
    OR
    tenant_id IN (SELECT tenant_id FROM public.profiles WHERE id = auth.uid())
  );

CREATE POLICY "Users can delete their orders"
  ON public.orders FOR DELETE
  USING (
    org_id = auth.uid()
    OR
    tenant_id IN (SELECT tenant_id FROM public.profiles WHERE id = auth.uid())
  );

CREATE POLICY "Users can view their properties"
  ON public.properties FOR SELECT
  USING (
    org_id = auth.uid()
    OR
    tenant_id IN (SELECT tenant_id FROM public.profiles WHERE id = auth.uid())
  );

CREATE POLICY "Users can insert properties"
  ON public.properties FOR INSERT
  WITH CHECK (
    org_id = auth.uid()
    OR
    tenant_id IN (SELECT tenant_id FROM public.profiles WHERE id = auth.uid())
  );

CREATE POLICY "Users can update their properties"
  ON public.properties FOR UPDATE
  USING (
    org_id = auth.uid()
    OR
    tenant_id IN (SELECT tenant_id FROM public.profiles WHERE id = auth.uid())
  )
  WITH CHECK (
    org_id = auth.uid()
    OR
    tenant_id IN (SELECT tenant_id FROM public.profiles WHERE id = auth.uid())
  );

CREATE POLICY "Users can delete their properties"
  ON public.properties FOR DELETE
  USING (
    org_id = auth.uid()
    OR
    tenant_id IN (SELECT tenant_id FROM public.profiles WHERE id = auth.uid())
  );

CREATE POLICY "Users can view their contacts"
  ON public.contacts FOR SELECT
  USING (
    org_id = auth.uid()
    OR
    tenant_id IN (SELECT tenant_id FROM public.profiles WHERE id = auth.uid())
  );

CREATE POLICY "Users can insert contacts"
  ON public.contacts FOR INSERT
  WITH CHECK (
    org_id = auth.uid()
    OR
    tenant_id IN (SELECT tenant_id FROM public.profiles WHERE id = auth.uid())
  );

CREATE POLICY "Users can update their contacts"
  ON public.contacts FOR UPDATE
  USING (
    org_id = auth.uid()
    OR
    tenant_id IN (SELECT tenant_id FROM public.profiles WHERE id = auth.uid())
  )
  WITH CHECK (
    org_id = auth.uid()
    OR
    tenant_id IN (SELECT tenant_id FROM public.profiles WHERE id = auth.uid())
  );

CREATE POLICY "Users can delete their contacts"
  ON public.contacts FOR DELETE
  USING (
    org_id = auth.uid()
    OR
    tenant_id IN (SELECT tenant_id FROM public.profiles WHERE id = auth.uid())
  );

CREATE POLICY "Users can view their activities"
  ON public.activities FOR SELECT
  USING (
    org_id = auth.uid()
    OR
    tenant_id IN (SELECT tenant_id FROM public.profiles WHERE id = auth.uid())
  );

CREATE POLICY "Users can insert activities"
  ON public.activities FOR INSERT
  WITH CHECK (
    org_id = auth.uid()
    OR
    tenant_id IN (SELECT tenant_id FROM public.profiles WHERE id = auth.uid())
  );

CREATE POLICY "Users can update their activities"
  ON public.activities FOR UPDATE
  USING (
    org_id = auth.uid()
    OR
    tenant_id IN (SELECT tenant_id FROM public.profiles WHERE id = auth.uid())
  )
  WITH CHECK (
    org_id = auth.uid()
    OR
    tenant_id IN (SELECT tenant_id FROM public.profiles WHERE id = auth.uid())
  );

CREATE POLICY "Users can delete their activities"
  ON public.activities FOR DELETE
  USING (
    org_id = auth.uid()
    OR
    tenant_id IN (SELECT tenant_id FROM public.profiles WHERE id = auth.uid())
  );

CREATE POLICY "Users can view their deals"
  ON public.deals FOR SELECT
  USING (
    org_id = auth.uid()
    OR
    tenant_id IN (SELECT tenant_id FROM public.profiles WHERE id = auth.uid())
  );

CREATE POLICY "Users can insert deals"
  ON public.deals FOR INSERT
  WITH CHECK (
    org_id = auth.uid()
    OR
    tenant_id IN (SELECT tenant_id FROM public.profiles WHERE id = auth.uid())
  );

CREATE POLICY "Users can update their deals"
  ON public.deals FOR UPDATE
  USING (
    org_id = auth.uid()
    OR
    tenant_id IN (SELECT tenant_id FROM public.profiles WHERE id = auth.uid())
  )
  WITH CHECK (
    org_id = auth.uid()
    OR
    tenant_id IN (SELECT tenant_id FROM public.profiles WHERE id = auth.uid())
  );

CREATE POLICY "Users can delete their deals"
  ON public.deals FOR DELETE
  USING (
    org_id = auth.uid()
    OR
    tenant_id IN (SELECT tenant_id FROM public.profiles WHERE id = auth.uid())
  );

CREATE POLICY "Users can view their cases"
  ON public.cases FOR SELECT
  USING (
    org_id = auth.uid()
    OR
    tenant_id IN (SELECT tenant_id FROM public.profiles WHERE id = auth.uid())
  );

CREATE POLICY "Users can insert cases"
  ON public.cases FOR INSERT
  WITH CHECK (
    org_id = auth.uid()
    OR
    tenant_id IN (SELECT tenant_id FROM public.profiles WHERE id = auth.uid())
  );

CREATE POLICY "Users can update their cases"
  ON public.cases FOR UPDATE
  USING (
    org_id = auth.uid()
    OR
    tenant_id IN (SELECT tenant_id FROM public.profiles WHERE id = auth.uid())
  )
  WITH CHECK (
    org_id = auth.uid()
    OR
    tenant_id IN (SELECT tenant_id FROM public.profiles WHERE id = auth.uid())
  );

CREATE POLICY "Users can delete their cases"
  ON public.cases FOR DELETE
  USING (
    org_id = auth.uid()
    OR
    tenant_id IN (SELECT tenant_id FROM public.profiles WHERE id = auth.uid())
  );

CREATE POLICY "Users can view their tags"
  ON public.tags FOR SELECT
  USING (
    org_id = auth.uid()
    OR
    tenant_id IN (SELECT tenant_id FROM public.profiles WHERE id = auth.uid())
  );

CREATE POLICY "Users can insert tags"
  ON public.tags FOR INSERT
  WITH CHECK (
    org_id = auth.uid()
    OR
    tenant_id IN (SELECT tenant_id FROM public.profiles WHERE id = auth.uid())
  );

CREATE POLICY "Users can update their tags"
  ON public.tags FOR UPDATE
  USING (
    org_id = auth.uid()
    OR
    tenant_id IN (SELECT tenant_id FROM public.profiles WHERE id = auth.uid())
  )
  WITH CHECK (
    org_id = auth.uid()
    OR
    tenant_id IN (SELECT tenant_id FROM public.profiles WHERE id = auth.uid())
  );

CREATE POLICY "Users can delete their tags"
  ON public.tags FOR DELETE
  USING (
    org_id = auth.uid()
    OR
    tenant_id IN (SELECT tenant_id FROM public.profiles WHERE id = auth.uid())
  );

CREATE POLICY "Users can view their tasks"
  ON public.tasks FOR SELECT
  USING (
    org_id = auth.uid()
    OR
    tenant_id IN (SELECT tenant_id FROM public.profiles WHERE id = auth.uid())
  );

CREATE POLICY "Users can insert tasks"
  ON public.tasks FOR INSERT
  WITH CHECK (
    org_id = auth.uid()
    OR
    tenant_id IN (SELECT tenant_id FROM public.profiles WHERE id = auth.uid())
  );

CREATE POLICY "Users can update their tasks"
  ON public.tasks FOR UPDATE
  USING (
    org_id = auth.uid()
    OR
    tenant_id IN (SELECT tenant_id FROM public.profiles WHERE id = auth.uid())
  )
  WITH CHECK (
    org_id = auth.uid()
    OR
    tenant_id IN (SELECT tenant_id FROM public.profiles WHERE id = auth.uid())
  );

CREATE POLICY "Users can delete their tasks"
  ON public.tasks FOR DELETE
  USING (
    org_id = auth.uid()
    OR
    tenant_id IN (SELECT tenant_id FROM public.profiles WHERE id = auth.uid())
  );

CREATE POLICY "Users can view their goals"
  ON public.goals FOR SELECT
  USING (
    org_id = auth.uid()
    OR
    tenant_id IN (SELECT tenant_id FROM public.profiles WHERE id = auth.uid())
  );

CREATE POLICY "Users can insert goals"
  ON public.goals FOR INSERT
  WITH CHECK (
    org_id = auth.uid()
    OR
    tenant_id IN (SELECT tenant_id FROM public.profiles WHERE id = auth.uid())
  );

CREATE POLICY "Users can update their goals"
  ON public.goals FOR UPDATE
  USING (
    org_id = auth.uid()
    OR
    tenant_id IN (SELECT tenant_id FROM public.profiles WHERE id = auth.uid())
  )
  WITH CHECK (
    org_id = auth.uid()
    OR
    tenant_id IN (SELECT tenant_id FROM public.profiles WHERE id = auth.uid())
  );

CREATE POLICY "Users can delete their goals"
  ON public.goals FOR DELETE
  USING (
    org_id = auth.uid()
    OR
    tenant_id IN (SELECT tenant_id FROM public.profiles WHERE id = auth.uid())
  );

CREATE POLICY "Users can view their agent_cards"
  ON public.agent_cards FOR SELECT
  USING (
    org_id = auth.uid()
    OR
    tenant_id IN (SELECT tenant_id FROM public.profiles WHERE id = auth.uid())
  );

CREATE POLICY "Users can insert agent_cards"
  ON public.agent_cards FOR INSERT
  WITH CHECK (
    org_id = auth.uid()
    OR
    tenant_id IN (SELECT tenant_id FROM public.profiles WHERE id = auth.uid())
  );

CREATE POLICY "Users can update their agent_cards"
  ON public.agent_cards FOR UPDATE
  USING (
    org_id = auth.uid()
    OR
    tenant_id IN (SELECT tenant_id FROM public.profiles WHERE id = auth.uid())
  )
  WITH CHECK (
    org_id = auth.uid()
    OR
    tenant_id IN (SELECT tenant_id FROM public.profiles WHERE id = auth.uid())
  );

CREATE POLICY "Users can delete their agent_cards"
  ON public.agent_cards FOR DELETE
  USING (
    org_id = auth.uid()
    OR
    tenant_id IN (SELECT tenant_id FROM public.profiles WHERE id = auth.uid())
  );

CREATE POLICY "Users can view their chat_messages"
  ON public.chat_messages FOR SELECT
  USING (
    org_id = auth.uid()
    OR
    tenant_id IN (SELECT tenant_id FROM public.profiles WHERE id = auth.uid())
  );

CREATE POLICY "Users can insert chat_messages"
  ON public.chat_messages FOR INSERT
  WITH CHECK (
    org_id = auth.uid()
    OR
    tenant_id IN (SELECT tenant_id FROM public.profiles WHERE id = auth.uid())
  );

CREATE POLICY "Users can update their chat_messages"
  ON public.chat_messages FOR UPDATE
  USING (
    org_id = auth.uid()
    OR
    tenant_id IN (SELECT tenant_id FROM public.profiles WHERE id = auth.uid())
  )
  WITH CHECK (
    org_id = auth.uid()
    OR
    tenant_id IN (SELECT tenant_id FROM public.profiles WHERE id = auth.uid())
  );

CREATE POLICY "Users can delete their chat_messages"
  ON public.chat_messages FOR DELETE
  USING (
    org_id = auth.uid()
    OR
    tenant_id IN (SELECT tenant_id FROM public.profiles WHERE id = auth.uid())
  );
