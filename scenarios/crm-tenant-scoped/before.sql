-- Seed 004: a single-client CRM/analytics database (Postpartum Care USA). Contacts come
-- in through ManyChat and GoHighLevel webhooks, payments through Stripe, ads from Meta.

CREATE TABLE public.contacts (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  mc_id text UNIQUE,
  ghl_id text UNIQUE,
  first_name text,
  last_name text,
  email text,
  phone text,
  stage text NOT NULL DEFAULT 'lead' CHECK (stage IN ('lead', 'booked', 'attended', 'purchased', 'lost')),
  source text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE public.payments (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  contact_id uuid REFERENCES public.contacts(id),
  payment_event_id text NOT NULL UNIQUE,
  amount numeric(10,2) NOT NULL CHECK (amount >= 0),
  currency text NOT NULL DEFAULT 'usd',
  status text NOT NULL CHECK (status IN ('succeeded', 'refunded', 'failed')),
  paid_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE public.webhook_logs (
  id bigserial PRIMARY KEY,
  source text NOT NULL CHECK (source IN ('manychat', 'ghl', 'stripe', 'meta')),
  event_type text NOT NULL,
  payload jsonb,
  contact_id uuid REFERENCES public.contacts(id),
  received_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE public.meta_ads (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  ad_id text NOT NULL UNIQUE,
  name text NOT NULL,
  status text NOT NULL CHECK (status IN ('active', 'paused', 'archived')),
  campaign_name text,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE public.meta_ad_creatives (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  ad_id uuid NOT NULL REFERENCES public.meta_ads(id),
  headline text,
  body text,
  image_url text
);

CREATE TABLE public.meta_ad_insights (
  id bigserial PRIMARY KEY,
  ad_id uuid NOT NULL REFERENCES public.meta_ads(id),
  date date NOT NULL,
  impressions integer,
  clicks integer,
  spend numeric(10,2),
  leads integer,
  UNIQUE (ad_id, date)
);
