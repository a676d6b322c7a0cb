-- Pre-migration schema (seeds 000 and 001): single-user "organizations",
-- where org_id is the owning user's id, and RLS policies keyed on it.

CREATE TABLE public.profiles (
  id uuid PRIMARY KEY REFERENCES auth.users(id) ON DELETE CASCADE,
  email text NOT NULL UNIQUE,
  name text,
  role text NOT NULL DEFAULT 'appraiser' CHECK (role IN ('admin', 'appraiser', 'reviewer', 'client')),
  phone text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE public.clients (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  org_id uuid NOT NULL REFERENCES public.profiles(id),
  name text NOT NULL,
  company text,
  email text,
  phone text,
  type text NOT NULL DEFAULT 'lender' CHECK (type IN ('lender', 'amc', 'attorney', 'investor', 'individual')),
  address text,
  city text,
  state text,
  zip text,
  notes text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX idx_clients_org ON public.clients(org_id);

CREATE TABLE public.properties (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  org_id uuid NOT NULL REFERENCES public.profiles(id),
  client_id uuid REFERENCES public.clients(id),
  address text NOT NULL,
  city text,
  state text,
  zip text,
  property_type text CHECK (property_type IN ('single_family', 'condo', 'multi_family', 'commercial', 'land')),
  bedrooms integer,
  bathrooms numeric(3,1),
  square_feet integer,
  year_built integer,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX idx_properties_org ON public.properties(org_id);

CREATE TABLE public.orders (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  org_id uuid NOT NULL REFERENCES public.profiles(id),
  client_id uuid NOT NULL REFERENCES public.clients(id),
  property_id uuid REFERENCES public.properties(id),
  order_number text NOT NULL,
  status text NOT NULL DEFAULT 'new' CHECK (status IN ('new', 'assigned', 'in_progress', 'review', 'completed', 'cancelled')),
  fee numeric(10,2),
  due_date date,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX idx_orders_org ON public.orders(org_id);

CREATE TABLE public.contacts (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  org_id uuid NOT NULL REFERENCES public.profiles(id),
  client_id uuid REFERENCES public.clients(id),
  first_name text NOT NULL,
  last_name text NOT NULL,
  email text,
  phone text,
  title text,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE public.activities (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  org_id uuid NOT NULL REFERENCES public.profiles(id),
  contact_id uuid REFERENCES public.contacts(id),
  activity_type text NOT NULL CHECK (activity_type IN ('call', 'email', 'meeting', 'note')),
  subject text,
  body text,
  occurred_at timestamptz NOT NULL DEFAULT now(),
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE public.deals (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  org_id uuid NOT NULL REFERENCES public.profiles(id),
  client_id uuid REFERENCES public.clients(id),
  contact_id uuid REFERENCES public.contacts(id),
  title text NOT NULL,
  stage text NOT NULL DEFAULT 'lead' CHECK (stage IN ('lead', 'qualified', 'proposal', 'won', 'lost')),
  amount numeric(12,2),
  expected_close date,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE public.cases (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  org_id uuid NOT NULL REFERENCES public.profiles(id),
  order_id uuid REFERENCES public.orders(id),
  title text NOT NULL,
  status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'pending', 'closed')),
  priority text CHECK (priority IN ('low', 'medium', 'high')),
  description text,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE public.tags (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  org_id uuid NOT NULL REFERENCES public.profiles(id),
  name text NOT NULL,
  color text,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (org_id, name)
);

CREATE TABLE public.tasks (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  org_id uuid NOT NULL REFERENCES public.profiles(id),
  order_id uuid REFERENCES public.orders(id),
  assigned_to uuid REFERENCES public.profiles(id),
  title text NOT NULL,
  status text NOT NULL DEFAULT 'todo' CHECK (status IN ('todo', 'doing', 'done')),
  due_at timestamptz,
  completed boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE public.goals (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  org_id uuid NOT NULL REFERENCES public.profiles(id),
  title text NOT NULL,
  target_value numeric(12,2),
  current_value numeric(12,2),
  period text CHECK (period IN ('monthly', 'quarterly', 'yearly')),
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE public.agent_cards (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  org_id uuid NOT NULL REFERENCES public.profiles(id),
  agent_name text NOT NULL,
  config jsonb NOT NULL DEFAULT '{}'::jsonb,
  is_active boolean NOT NULL DEFAULT true,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE public.chat_messages (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  org_id uuid NOT NULL REFERENCES public.profiles(id),
  user_id uuid REFERENCES public.profiles(id),
  role text NOT NULL CHECK (role IN ('user', 'assistant', 'system')),
  content text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- Legacy policies: each user sees and changes only the rows they own.
ALTER TABLE public.profiles ENABLE ROW LEVEL SECURITY;
CREATE POLICY "Users can view own profile" ON public.profiles FOR SELECT USING (id = auth.uid());
CREATE POLICY "Users can update own profile" ON public.profiles FOR UPDATE USING (id = auth.uid()) WITH CHECK (id = auth.uid());

-- Seed 001's rollback restores this one: the old clients read policy was "any signed-in user".
ALTER TABLE public.clients ENABLE ROW LEVEL SECURITY;
CREATE POLICY "Authenticated users can view clients" ON public.clients FOR SELECT TO authenticated USING (true);

CREATE POLICY "Users can view own clients" ON public.clients FOR SELECT USING (org_id = auth.uid());
CREATE POLICY "Users can insert own clients" ON public.clients FOR INSERT WITH CHECK (org_id = auth.uid());
CREATE POLICY "Users can update own clients" ON public.clients FOR UPDATE USING (org_id = auth.uid()) WITH CHECK (org_id = auth.uid());
CREATE POLICY "Users can delete own clients" ON public.clients FOR DELETE USING (org_id = auth.uid());

ALTER TABLE public.orders ENABLE ROW LEVEL SECURITY;
CREATE POLICY "Users can view own orders" ON public.orders FOR SELECT USING (org_id = auth.uid());
CREATE POLICY "Users can insert own orders" ON public.orders FOR INSERT WITH CHECK (org_id = auth.uid());
CREATE POLICY "Users can update own orders" ON public.orders FOR UPDATE USING (org_id = auth.uid()) WITH CHECK (org_id = auth.uid());
CREATE POLICY "Users can delete own orders" ON public.orders FOR DELETE USING (org_id = auth.uid());

ALTER TABLE public.properties ENABLE ROW LEVEL SECURITY;
CREATE POLICY "Users can view own properties" ON public.properties FOR SELECT USING (org_id = auth.uid());
CREATE POLICY "Users can insert own properties" ON public.properties FOR INSERT WITH CHECK (org_id = auth.uid());
CREATE POLICY "Users can update own properties" ON public.properties FOR UPDATE USING (org_id = auth.uid()) WITH CHECK (org_id = auth.uid());
CREATE POLICY "Users can delete own properties" ON public.properties FOR DELETE USING (org_id = auth.uid());

ALTER TABLE public.contacts ENABLE ROW LEVEL SECURITY;
CREATE POLICY "Users can view own contacts" ON public.contacts FOR SELECT USING (org_id = auth.uid());
CREATE POLICY "Users can insert own contacts" ON public.contacts FOR INSERT WITH CHECK (org_id = auth.uid());
CREATE POLICY "Users can update own contacts" ON public.contacts FOR UPDATE USING (org_id = auth.uid()) WITH CHECK (org_id = auth.uid());
CREATE POLICY "Users can delete own contacts" ON public.contacts FOR DELETE USING (org_id = auth.uid());

ALTER TABLE public.activities ENABLE ROW LEVEL SECURITY;
CREATE POLICY "Users can view own activities" ON public.activities FOR SELECT USING (org_id = auth.uid());
CREATE POLICY "Users can insert own activities" ON public.activities FOR INSERT WITH CHECK (org_id = auth.uid());
CREATE POLICY "Users can update own activities" ON public.activities FOR UPDATE USING (org_id = auth.uid()) WITH CHECK (org_id = auth.uid());
CREATE POLICY "Users can delete own activities" ON public.activities FOR DELETE USING (org_id = auth.uid());

ALTER TABLE public.deals ENABLE ROW LEVEL SECURITY;
CREATE POLICY "Users can view own deals" ON public.deals FOR SELECT USING (org_id = auth.uid());
CREATE POLICY "Users can insert own deals" ON public.deals FOR INSERT WITH CHECK (org_id = auth.uid());
CREATE POLICY "Users can update own deals" ON public.deals FOR UPDATE USING (org_id = auth.uid()) WITH CHECK (org_id = auth.uid());
CREATE POLICY "Users can delete own deals" ON public.deals FOR DELETE USING (org_id = auth.uid());

ALTER TABLE public.cases ENABLE ROW LEVEL SECURITY;
CREATE POLICY "Users can view own cases" ON public.cases FOR SELECT USING (org_id = auth.uid());
CREATE POLICY "Users can insert own cases" ON public.cases FOR INSERT WITH CHECK (org_id = auth.uid());
CREATE POLICY "Users can update own cases" ON public.cases FOR UPDATE USING (org_id = auth.uid()) WITH CHECK (org_id = auth.uid());
CREATE POLICY "Users can delete own cases" ON public.cases FOR DELETE USING (org_id = auth.uid());

ALTER TABLE public.tags ENABLE ROW LEVEL SECURITY;
CREATE POLICY "Users can view own tags" ON public.tags FOR SELECT USING (org_id = auth.uid());
CREATE POLICY "Users can insert own tags" ON public.tags FOR INSERT WITH CHECK (org_id = auth.uid());
CREATE POLICY "Users can update own tags" ON public.tags FOR UPDATE USING (org_id = auth.uid()) WITH CHECK (org_id = auth.uid());
CREATE POLICY "Users can delete own tags" ON public.tags FOR DELETE USING (org_id = auth.uid());

ALTER TABLE public.tasks ENABLE ROW LEVEL SECURITY;
CREATE POLICY "Users can view own tasks" ON public.tasks FOR SELECT USING (org_id = auth.uid());
CREATE POLICY "Users can insert own tasks" ON public.tasks FOR INSERT WITH CHECK (org_id = auth.uid());
CREATE POLICY "Users can update own tasks" ON public.tasks FOR UPDATE USING (org_id = auth.uid()) WITH CHECK (org_id = auth.uid());
CREATE POLICY "Users can delete own tasks" ON public.tasks FOR DELETE USING (org_id = auth.uid());

ALTER TABLE public.goals ENABLE ROW LEVEL SECURITY;
CREATE POLICY "Users can view own goals" ON public.goals FOR SELECT USING (org_id = auth.uid());
CREATE POLICY "Users can insert own goals" ON public.goals FOR INSERT WITH CHECK (org_id = auth.uid());
CREATE POLICY "Users can update own goals" ON public.goals FOR UPDATE USING (org_id = auth.uid()) WITH CHECK (org_id = auth.uid());
CREATE POLICY "Users can delete own goals" ON public.goals FOR DELETE USING (org_id = auth.uid());

ALTER TABLE public.agent_cards ENABLE ROW LEVEL SECURITY;
CREATE POLICY "Users can view own agent_cards" ON public.agent_cards FOR SELECT USING (org_id = auth.uid());
CREATE POLICY "Users can insert own agent_cards" ON public.agent_cards FOR INSERT WITH CHECK (org_id = auth.uid());
CREATE POLICY "Users can update own agent_cards" ON public.agent_cards FOR UPDATE USING (org_id = auth.uid()) WITH CHECK (org_id = auth.uid());
CREATE POLICY "Users can delete own agent_cards" ON public.agent_cards FOR DELETE USING (org_id = auth.uid());

ALTER TABLE public.chat_messages ENABLE ROW LEVEL SECURITY;
CREATE POLICY "Users can view own chat_messages" ON public.chat_messages FOR SELECT USING (org_id = auth.uid());
CREATE POLICY "Users can insert own chat_messages" ON public.chat_messages FOR INSERT WITH CHECK (org_id = auth.uid());
CREATE POLICY "Users can update own chat_messages" ON public.chat_messages FOR UPDATE USING (org_id = auth.uid()) WITH CHECK (org_id = auth.uid());
CREATE POLICY "Users can delete own chat_messages" ON public.chat_messages FOR DELETE USING (org_id = auth.uid());

-- Seed 000's remaining inventory: the high-priority groups (marketing, e-mail,
-- newsletter, Gmail, chat embeddings, campaign responses) and the medium-priority
-- business, field-service and integration tables, with the same legacy policies.

CREATE TABLE public.marketing_campaigns (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  org_id uuid NOT NULL REFERENCES public.profiles(id),
  name text NOT NULL,
  status text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'scheduled', 'active', 'completed', 'archived')),
  channel text NOT NULL CHECK (channel IN ('email', 'sms', 'social')),
  budget numeric(12,2),
  starts_at timestamptz,
  ends_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE public.marketing_campaigns ENABLE ROW LEVEL SECURITY;
CREATE POLICY "Users can view own marketing_campaigns" ON public.marketing_campaigns FOR SELECT USING (org_id = auth.uid());
CREATE POLICY "Users can insert own marketing_campaigns" ON public.marketing_campaigns FOR INSERT WITH CHECK (org_id = auth.uid());
CREATE POLICY "Users can update own marketing_campaigns" ON public.marketing_campaigns FOR UPDATE USING (org_id = auth.uid()) WITH CHECK (org_id = auth.uid());
CREATE POLICY "Users can delete own marketing_campaigns" ON public.marketing_campaigns FOR DELETE USING (org_id = auth.uid());

CREATE TABLE public.marketing_content (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  org_id uuid NOT NULL REFERENCES public.profiles(id),
  campaign_id uuid REFERENCES public.marketing_campaigns(id),
  title text NOT NULL,
  body text,
  content_type text CHECK (content_type IN ('post', 'article', 'ad', 'video')),
  published_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE public.marketing_content ENABLE ROW LEVEL SECURITY;
CREATE POLICY "Users can view own marketing_content" ON public.marketing_content FOR SELECT USING (org_id = auth.uid());
CREATE POLICY "Users can insert own marketing_content" ON public.marketing_content FOR INSERT WITH CHECK (org_id = auth.uid());
CREATE POLICY "Users can update own marketing_content" ON public.marketing_content FOR UPDATE USING (org_id = auth.uid()) WITH CHECK (org_id = auth.uid());
CREATE POLICY "Users can delete own marketing_content" ON public.marketing_content FOR DELETE USING (org_id = auth.uid());

CREATE TABLE public.marketing_audiences (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  org_id uuid NOT NULL REFERENCES public.profiles(id),
  name text NOT NULL,
  description text,
  criteria jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE public.marketing_audiences ENABLE ROW LEVEL SECURITY;
CREATE POLICY "Users can view own marketing_audiences" ON public.marketing_audiences FOR SELECT USING (org_id = auth.uid());
CREATE POLICY "Users can insert own marketing_audiences" ON public.marketing_audiences FOR INSERT WITH CHECK (org_id = auth.uid());
CREATE POLICY "Users can update own marketing_audiences" ON public.marketing_audiences FOR UPDATE USING (org_id = auth.uid()) WITH CHECK (org_id = auth.uid());
CREATE POLICY "Users can delete own marketing_audiences" ON public.marketing_audiences FOR DELETE USING (org_id = auth.uid());

CREATE TABLE public.marketing_audience_members (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  org_id uuid NOT NULL REFERENCES public.profiles(id),
  audience_id uuid NOT NULL REFERENCES public.marketing_audiences(id) ON DELETE CASCADE,
  contact_id uuid REFERENCES public.contacts(id),
  added_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (audience_id, contact_id)
);
ALTER TABLE public.marketing_audience_members ENABLE ROW LEVEL SECURITY;
CREATE POLICY "Users can view own marketing_audience_members" ON public.marketing_audience_members FOR SELECT USING (org_id = auth.uid());
CREATE POLICY "Users can insert own marketing_audience_members" ON public.marketing_audience_members FOR INSERT WITH CHECK (org_id = auth.uid());
CREATE POLICY "Users can update own marketing_audience_members" ON public.marketing_audience_members FOR UPDATE USING (org_id = auth.uid()) WITH CHECK (org_id = auth.uid());
CREATE POLICY "Users can delete own marketing_audience_members" ON public.marketing_audience_members FOR DELETE USING (org_id = auth.uid());

CREATE TABLE public.marketing_assets (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  org_id uuid NOT NULL REFERENCES public.profiles(id),
  campaign_id uuid REFERENCES public.marketing_campaigns(id),
  file_name text NOT NULL,
  mime_type text,
  size_bytes bigint,
  url text,
  created_at timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE public.marketing_assets ENABLE ROW LEVEL SECURITY;
CREATE POLICY "Users can view own marketing_assets" ON public.marketing_assets FOR SELECT USING (org_id = auth.uid());
CREATE POLICY "Users can insert own marketing_assets" ON public.marketing_assets FOR INSERT WITH CHECK (org_id = auth.uid());
CREATE POLICY "Users can update own marketing_assets" ON public.marketing_assets FOR UPDATE USING (org_id = auth.uid()) WITH CHECK (org_id = auth.uid());
CREATE POLICY "Users can delete own marketing_assets" ON public.marketing_assets FOR DELETE USING (org_id = auth.uid());

CREATE TABLE public.marketing_analytics (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  org_id uuid NOT NULL REFERENCES public.profiles(id),
  campaign_id uuid NOT NULL REFERENCES public.marketing_campaigns(id),
  metric_date date NOT NULL,
  impressions integer,
  clicks integer,
  conversions integer,
  spend numeric(10,2)
);
ALTER TABLE public.marketing_analytics ENABLE ROW LEVEL SECURITY;
CREATE POLICY "Users can view own marketing_analytics" ON public.marketing_analytics FOR SELECT USING (org_id = auth.uid());
CREATE POLICY "Users can insert own marketing_analytics" ON public.marketing_analytics FOR INSERT WITH CHECK (org_id = auth.uid());
CREATE POLICY "Users can update own marketing_analytics" ON public.marketing_analytics FOR UPDATE USING (org_id = auth.uid()) WITH CHECK (org_id = auth.uid());
CREATE POLICY "Users can delete own marketing_analytics" ON public.marketing_analytics FOR DELETE USING (org_id = auth.uid());

CREATE TABLE public.email_templates (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  org_id uuid NOT NULL REFERENCES public.profiles(id),
  name text NOT NULL,
  subject text,
  body text,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (org_id, name)
);
ALTER TABLE public.email_templates ENABLE ROW LEVEL SECURITY;
CREATE POLICY "Users can view own email_templates" ON public.email_templates FOR SELECT USING (org_id = auth.uid());
CREATE POLICY "Users can insert own email_templates" ON public.email_templates FOR INSERT WITH CHECK (org_id = auth.uid());
CREATE POLICY "Users can update own email_templates" ON public.email_templates FOR UPDATE USING (org_id = auth.uid()) WITH CHECK (org_id = auth.uid());
CREATE POLICY "Users can delete own email_templates" ON public.email_templates FOR DELETE USING (org_id = auth.uid());

CREATE TABLE public.email_campaigns (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  org_id uuid NOT NULL REFERENCES public.profiles(id),
  template_id uuid REFERENCES public.email_templates(id),
  audience_id uuid REFERENCES public.marketing_audiences(id),
  name text NOT NULL,
  status text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'sending', 'sent')),
  sent_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE public.email_campaigns ENABLE ROW LEVEL SECURITY;
CREATE POLICY "Users can view own email_campaigns" ON public.email_campaigns FOR SELECT USING (org_id = auth.uid());
CREATE POLICY "Users can insert own email_campaigns" ON public.email_campaigns FOR INSERT WITH CHECK (org_id = auth.uid());
CREATE POLICY "Users can update own email_campaigns" ON public.email_campaigns FOR UPDATE USING (org_id = auth.uid()) WITH CHECK (org_id = auth.uid());
CREATE POLICY "Users can delete own email_campaigns" ON public.email_campaigns FOR DELETE USING (org_id = auth.uid());

CREATE TABLE public.email_sends (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  org_id uuid NOT NULL REFERENCES public.profiles(id),
  email_campaign_id uuid NOT NULL REFERENCES public.email_campaigns(id),
  contact_id uuid REFERENCES public.contacts(id),
  status text NOT NULL CHECK (status IN ('queued', 'sent', 'bounced', 'opened', 'clicked')),
  sent_at timestamptz
);
ALTER TABLE public.email_sends ENABLE ROW LEVEL SECURITY;
CREATE POLICY "Users can view own email_sends" ON public.email_sends FOR SELECT USING (org_id = auth.uid());
CREATE POLICY "Users can insert own email_sends" ON public.email_sends FOR INSERT WITH CHECK (org_id = auth.uid());
CREATE POLICY "Users can update own email_sends" ON public.email_sends FOR UPDATE USING (org_id = auth.uid()) WITH CHECK (org_id = auth.uid());
CREATE POLICY "Users can delete own email_sends" ON public.email_sends FOR DELETE USING (org_id = auth.uid());

CREATE TABLE public.newsletter_subscribers (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  org_id uuid NOT NULL REFERENCES public.profiles(id),
  email text NOT NULL,
  name text,
  subscribed_at timestamptz NOT NULL DEFAULT now(),
  unsubscribed_at timestamptz,
  UNIQUE (org_id, email)
);
ALTER TABLE public.newsletter_subscribers ENABLE ROW LEVEL SECURITY;
CREATE POLICY "Users can view own newsletter_subscribers" ON public.newsletter_subscribers FOR SELECT USING (org_id = auth.uid());
CREATE POLICY "Users can insert own newsletter_subscribers" ON public.newsletter_subscribers FOR INSERT WITH CHECK (org_id = auth.uid());
CREATE POLICY "Users can update own newsletter_subscribers" ON public.newsletter_subscribers FOR UPDATE USING (org_id = auth.uid()) WITH CHECK (org_id = auth.uid());
CREATE POLICY "Users can delete own newsletter_subscribers" ON public.newsletter_subscribers FOR DELETE USING (org_id = auth.uid());

CREATE TABLE public.newsletter_issues (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  org_id uuid NOT NULL REFERENCES public.profiles(id),
  title text NOT NULL,
  body text,
  sent_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE public.newsletter_issues ENABLE ROW LEVEL SECURITY;
CREATE POLICY "Users can view own newsletter_issues" ON public.newsletter_issues FOR SELECT USING (org_id = auth.uid());
CREATE POLICY "Users can insert own newsletter_issues" ON public.newsletter_issues FOR INSERT WITH CHECK (org_id = auth.uid());
CREATE POLICY "Users can update own newsletter_issues" ON public.newsletter_issues FOR UPDATE USING (org_id = auth.uid()) WITH CHECK (org_id = auth.uid());
CREATE POLICY "Users can delete own newsletter_issues" ON public.newsletter_issues FOR DELETE USING (org_id = auth.uid());

CREATE TABLE public.gmail_messages (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  org_id uuid NOT NULL REFERENCES public.profiles(id),
  user_id uuid REFERENCES public.profiles(id),
  gmail_id text NOT NULL,
  thread_id text,
  subject text,
  snippet text,
  from_address text,
  received_at timestamptz,
  UNIQUE (org_id, gmail_id)
);
ALTER TABLE public.gmail_messages ENABLE ROW LEVEL SECURITY;
CREATE POLICY "Users can view own gmail_messages" ON public.gmail_messages FOR SELECT USING (org_id = auth.uid());
CREATE POLICY "Users can insert own gmail_messages" ON public.gmail_messages FOR INSERT WITH CHECK (org_id = auth.uid());
CREATE POLICY "Users can update own gmail_messages" ON public.gmail_messages FOR UPDATE USING (org_id = auth.uid()) WITH CHECK (org_id = auth.uid());
CREATE POLICY "Users can delete own gmail_messages" ON public.gmail_messages FOR DELETE USING (org_id = auth.uid());

CREATE TABLE public.gmail_sync_state (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  org_id uuid NOT NULL REFERENCES public.profiles(id),
  user_id uuid NOT NULL UNIQUE REFERENCES public.profiles(id),
  history_id bigint,
  last_synced_at timestamptz
);
ALTER TABLE public.gmail_sync_state ENABLE ROW LEVEL SECURITY;
CREATE POLICY "Users can view own gmail_sync_state" ON public.gmail_sync_state FOR SELECT USING (org_id = auth.uid());
CREATE POLICY "Users can insert own gmail_sync_state" ON public.gmail_sync_state FOR INSERT WITH CHECK (org_id = auth.uid());
CREATE POLICY "Users can update own gmail_sync_state" ON public.gmail_sync_state FOR UPDATE USING (org_id = auth.uid()) WITH CHECK (org_id = auth.uid());
CREATE POLICY "Users can delete own gmail_sync_state" ON public.gmail_sync_state FOR DELETE USING (org_id = auth.uid());

CREATE TABLE public.embeddings_index (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  org_id uuid NOT NULL REFERENCES public.profiles(id),
  source_table text NOT NULL DEFAULT 'chat_messages',
  source_id uuid,
  chunk text NOT NULL,
  embedding real[],
  created_at timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE public.embeddings_index ENABLE ROW LEVEL SECURITY;
CREATE POLICY "Users can view own embeddings_index" ON public.embeddings_index FOR SELECT USING (org_id = auth.uid());
CREATE POLICY "Users can insert own embeddings_index" ON public.embeddings_index FOR INSERT WITH CHECK (org_id = auth.uid());
CREATE POLICY "Users can update own embeddings_index" ON public.embeddings_index FOR UPDATE USING (org_id = auth.uid()) WITH CHECK (org_id = auth.uid());
CREATE POLICY "Users can delete own embeddings_index" ON public.embeddings_index FOR DELETE USING (org_id = auth.uid());

CREATE TABLE public.campaign_responses (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  org_id uuid NOT NULL REFERENCES public.profiles(id),
  campaign_id uuid NOT NULL REFERENCES public.marketing_campaigns(id),
  contact_id uuid REFERENCES public.contacts(id),
  response text NOT NULL CHECK (response IN ('interested', 'not_interested', 'unsubscribe', 'bounced')),
  responded_at timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE public.campaign_responses ENABLE ROW LEVEL SECURITY;
CREATE POLICY "Users can view own campaign_responses" ON public.campaign_responses FOR SELECT USING (org_id = auth.uid());
CREATE POLICY "Users can insert own campaign_responses" ON public.campaign_responses FOR INSERT WITH CHECK (org_id = auth.uid());
CREATE POLICY "Users can update own campaign_responses" ON public.campaign_responses FOR UPDATE USING (org_id = auth.uid()) WITH CHECK (org_id = auth.uid());
CREATE POLICY "Users can delete own campaign_responses" ON public.campaign_responses FOR DELETE USING (org_id = auth.uid());

CREATE TABLE public.property_units (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  org_id uuid NOT NULL REFERENCES public.profiles(id),
  property_id uuid NOT NULL REFERENCES public.properties(id),
  unit_number text NOT NULL,
  bedrooms integer,
  rent numeric(10,2)
);
ALTER TABLE public.property_units ENABLE ROW LEVEL SECURITY;
CREATE POLICY "Users can view own property_units" ON public.property_units FOR SELECT USING (org_id = auth.uid());
CREATE POLICY "Users can insert own property_units" ON public.property_units FOR INSERT WITH CHECK (org_id = auth.uid());
CREATE POLICY "Users can update own property_units" ON public.property_units FOR UPDATE USING (org_id = auth.uid()) WITH CHECK (org_id = auth.uid());
CREATE POLICY "Users can delete own property_units" ON public.property_units FOR DELETE USING (org_id = auth.uid());

CREATE TABLE public.party_roles (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  org_id uuid NOT NULL REFERENCES public.profiles(id),
  order_id uuid NOT NULL REFERENCES public.orders(id),
  contact_id uuid REFERENCES public.contacts(id),
  role text NOT NULL CHECK (role IN ('borrower', 'lender', 'agent', 'attorney'))
);
ALTER TABLE public.party_roles ENABLE ROW LEVEL SECURITY;
CREATE POLICY "Users can view own party_roles" ON public.party_roles FOR SELECT USING (org_id = auth.uid());
CREATE POLICY "Users can insert own party_roles" ON public.party_roles FOR INSERT WITH CHECK (org_id = auth.uid());
CREATE POLICY "Users can update own party_roles" ON public.party_roles FOR UPDATE USING (org_id = auth.uid()) WITH CHECK (org_id = auth.uid());
CREATE POLICY "Users can delete own party_roles" ON public.party_roles FOR DELETE USING (org_id = auth.uid());

CREATE TABLE public.email_notifications (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  org_id uuid NOT NULL REFERENCES public.profiles(id),
  user_id uuid REFERENCES public.profiles(id),
  subject text NOT NULL,
  body text,
  sent_at timestamptz,
  read_at timestamptz
);
ALTER TABLE public.email_notifications ENABLE ROW LEVEL SECURITY;
CREATE POLICY "Users can view own email_notifications" ON public.email_notifications FOR SELECT USING (org_id = auth.uid());
CREATE POLICY "Users can insert own email_notifications" ON public.email_notifications FOR INSERT WITH CHECK (org_id = auth.uid());
CREATE POLICY "Users can update own email_notifications" ON public.email_notifications FOR UPDATE USING (org_id = auth.uid()) WITH CHECK (org_id = auth.uid());
CREATE POLICY "Users can delete own email_notifications" ON public.email_notifications FOR DELETE USING (org_id = auth.uid());

CREATE TABLE public.validation_logs (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  org_id uuid NOT NULL REFERENCES public.profiles(id),
  order_id uuid REFERENCES public.orders(id),
  rule text NOT NULL,
  passed boolean NOT NULL,
  details jsonb,
  created_at timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE public.validation_logs ENABLE ROW LEVEL SECURITY;
CREATE POLICY "Users can view own validation_logs" ON public.validation_logs FOR SELECT USING (org_id = auth.uid());
CREATE POLICY "Users can insert own validation_logs" ON public.validation_logs FOR INSERT WITH CHECK (org_id = auth.uid());
CREATE POLICY "Users can update own validation_logs" ON public.validation_logs FOR UPDATE USING (org_id = auth.uid()) WITH CHECK (org_id = auth.uid());
CREATE POLICY "Users can delete own validation_logs" ON public.validation_logs FOR DELETE USING (org_id = auth.uid());

CREATE TABLE public.territories (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  org_id uuid NOT NULL REFERENCES public.profiles(id),
  name text NOT NULL,
  region text,
  created_at timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE public.territories ENABLE ROW LEVEL SECURITY;
CREATE POLICY "Users can view own territories" ON public.territories FOR SELECT USING (org_id = auth.uid());
CREATE POLICY "Users can insert own territories" ON public.territories FOR INSERT WITH CHECK (org_id = auth.uid());
CREATE POLICY "Users can update own territories" ON public.territories FOR UPDATE USING (org_id = auth.uid()) WITH CHECK (org_id = auth.uid());
CREATE POLICY "Users can delete own territories" ON public.territories FOR DELETE USING (org_id = auth.uid());

CREATE TABLE public.resources (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  org_id uuid NOT NULL REFERENCES public.profiles(id),
  territory_id uuid REFERENCES public.territories(id),
  name text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('appraiser', 'inspector', 'vehicle')),
  is_active boolean NOT NULL DEFAULT true
);
ALTER TABLE public.resources ENABLE ROW LEVEL SECURITY;
CREATE POLICY "Users can view own resources" ON public.resources FOR SELECT USING (org_id = auth.uid());
CREATE POLICY "Users can insert own resources" ON public.resources FOR INSERT WITH CHECK (org_id = auth.uid());
CREATE POLICY "Users can update own resources" ON public.resources FOR UPDATE USING (org_id = auth.uid()) WITH CHECK (org_id = auth.uid());
CREATE POLICY "Users can delete own resources" ON public.resources FOR DELETE USING (org_id = auth.uid());

CREATE TABLE public.bookings (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  org_id uuid NOT NULL REFERENCES public.profiles(id),
  resource_id uuid NOT NULL REFERENCES public.resources(id),
  property_id uuid REFERENCES public.properties(id),
  starts_at timestamptz NOT NULL,
  ends_at timestamptz,
  status text NOT NULL DEFAULT 'tentative' CHECK (status IN ('tentative', 'confirmed', 'cancelled'))
);
ALTER TABLE public.bookings ENABLE ROW LEVEL SECURITY;
CREATE POLICY "Users can view own bookings" ON public.bookings FOR SELECT USING (org_id = auth.uid());
CREATE POLICY "Users can insert own bookings" ON public.bookings FOR INSERT WITH CHECK (org_id = auth.uid());
CREATE POLICY "Users can update own bookings" ON public.bookings FOR UPDATE USING (org_id = auth.uid()) WITH CHECK (org_id = auth.uid());
CREATE POLICY "Users can delete own bookings" ON public.bookings FOR DELETE USING (org_id = auth.uid());

CREATE TABLE public.notifications (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  org_id uuid NOT NULL REFERENCES public.profiles(id),
  user_id uuid REFERENCES public.profiles(id),
  title text NOT NULL,
  body text,
  is_read boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE public.notifications ENABLE ROW LEVEL SECURITY;
CREATE POLICY "Users can view own notifications" ON public.notifications FOR SELECT USING (org_id = auth.uid());
CREATE POLICY "Users can insert own notifications" ON public.notifications FOR INSERT WITH CHECK (org_id = auth.uid());
CREATE POLICY "Users can update own notifications" ON public.notifications FOR UPDATE USING (org_id = auth.uid()) WITH CHECK (org_id = auth.uid());
CREATE POLICY "Users can delete own notifications" ON public.notifications FOR DELETE USING (org_id = auth.uid());

CREATE TABLE public.webhooks (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  org_id uuid NOT NULL REFERENCES public.profiles(id),
  url text NOT NULL,
  event text NOT NULL CHECK (event IN ('order.created', 'order.completed', 'payment.received')),
  secret text,
  is_active boolean NOT NULL DEFAULT true
);
ALTER TABLE public.webhooks ENABLE ROW LEVEL SECURITY;
CREATE POLICY "Users can view own webhooks" ON public.webhooks FOR SELECT USING (org_id = auth.uid());
CREATE POLICY "Users can insert own webhooks" ON public.webhooks FOR INSERT WITH CHECK (org_id = auth.uid());
CREATE POLICY "Users can update own webhooks" ON public.webhooks FOR UPDATE USING (org_id = auth.uid()) WITH CHECK (org_id = auth.uid());
CREATE POLICY "Users can delete own webhooks" ON public.webhooks FOR DELETE USING (org_id = auth.uid());

CREATE TABLE public.api_keys (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  org_id uuid NOT NULL REFERENCES public.profiles(id),
  name text NOT NULL,
  key_hash text NOT NULL,
  last_used_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  revoked_at timestamptz
);
ALTER TABLE public.api_keys ENABLE ROW LEVEL SECURITY;
CREATE POLICY "Users can view own api_keys" ON public.api_keys FOR SELECT USING (org_id = auth.uid());
CREATE POLICY "Users can insert own api_keys" ON public.api_keys FOR INSERT WITH CHECK (org_id = auth.uid());
CREATE POLICY "Users can update own api_keys" ON public.api_keys FOR UPDATE USING (org_id = auth.uid()) WITH CHECK (org_id = auth.uid());
CREATE POLICY "Users can delete own api_keys" ON public.api_keys FOR DELETE USING (org_id = auth.uid());
