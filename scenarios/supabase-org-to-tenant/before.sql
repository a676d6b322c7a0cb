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
