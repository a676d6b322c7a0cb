-- Seed 000 steps 3 and 4: NOT NULL and an index on every business table.

ALTER TABLE public.clients ALTER COLUMN tenant_id SET NOT NULL;
CREATE INDEX idx_clients_tenant_id ON public.clients(tenant_id);

ALTER TABLE public.orders ALTER COLUMN tenant_id SET NOT NULL;
CREATE INDEX idx_orders_tenant_id ON public.orders(tenant_id);

ALTER TABLE public.properties ALTER COLUMN tenant_id SET NOT NULL;
CREATE INDEX idx_properties_tenant_id ON public.properties(tenant_id);

ALTER TABLE public.contacts ALTER COLUMN tenant_id SET NOT NULL;
CREATE INDEX idx_contacts_tenant_id ON public.contacts(tenant_id);

ALTER TABLE public.activities ALTER COLUMN tenant_id SET NOT NULL;
CREATE INDEX idx_activities_tenant_id ON public.activities(tenant_id);

ALTER TABLE public.deals ALTER COLUMN tenant_id SET NOT NULL;
CREATE INDEX idx_deals_tenant_id ON public.deals(tenant_id);

ALTER TABLE public.cases ALTER COLUMN tenant_id SET NOT NULL;
CREATE INDEX idx_cases_tenant_id ON public.cases(tenant_id);

ALTER TABLE public.tags ALTER COLUMN tenant_id SET NOT NULL;
CREATE INDEX idx_tags_tenant_id ON public.tags(tenant_id);

ALTER TABLE public.tasks ALTER COLUMN tenant_id SET NOT NULL;
CREATE INDEX idx_tasks_tenant_id ON public.tasks(tenant_id);

ALTER TABLE public.goals ALTER COLUMN tenant_id SET NOT NULL;
CREATE INDEX idx_goals_tenant_id ON public.goals(tenant_id);

ALTER TABLE public.agent_cards ALTER COLUMN tenant_id SET NOT NULL;
CREATE INDEX idx_agent_cards_tenant_id ON public.agent_cards(tenant_id);

ALTER TABLE public.chat_messages ALTER COLUMN tenant_id SET NOT NULL;
CREATE INDEX idx_chat_messages_tenant_id ON public.chat_messages(tenant_id);
