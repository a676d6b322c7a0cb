-- Seed 003: the POS database before multi-tenancy. Every row is CAPS Automotive's,
-- and nothing says so. The application (a Rust service) connects as the owner.

CREATE TABLE users (
  id bigserial PRIMARY KEY,
  username text NOT NULL UNIQUE,
  email text UNIQUE,
  display_name text,
  role text NOT NULL CHECK (role IN ('admin', 'manager', 'cashier', 'technician')),
  password_hash text NOT NULL,
  is_active boolean NOT NULL DEFAULT true,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE sessions (
  id bigserial PRIMARY KEY,
  user_id bigint NOT NULL REFERENCES users(id),
  token text NOT NULL UNIQUE,
  expires_at timestamptz NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE audit_log (
  id bigserial PRIMARY KEY,
  user_id bigint REFERENCES users(id),
  action text NOT NULL,
  entity text,
  entity_id text,
  details jsonb,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE customers (
  id bigserial PRIMARY KEY,
  first_name text NOT NULL,
  last_name text NOT NULL,
  email text,
  phone text,
  address text,
  city text,
  state text,
  zip text,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE customer_vehicles (
  id bigserial PRIMARY KEY,
  customer_id bigint NOT NULL REFERENCES customers(id),
  vin text,
  make text,
  model text,
  year integer,
  license_plate text
);

CREATE TABLE price_levels (
  id bigserial PRIMARY KEY,
  name text NOT NULL UNIQUE,
  discount_percent numeric(5,2) NOT NULL DEFAULT 0
);

CREATE TABLE product_categories (
  id bigserial PRIMARY KEY,
  name text NOT NULL UNIQUE,
  parent_id bigint REFERENCES product_categories(id)
);

CREATE TABLE products (
  id bigserial PRIMARY KEY,
  category_id bigint REFERENCES product_categories(id),
  sku text NOT NULL UNIQUE,
  name text NOT NULL,
  description text,
  price numeric(10,2) NOT NULL,
  cost numeric(10,2),
  is_active boolean NOT NULL DEFAULT true
);

CREATE TABLE fitment_data (
  id bigserial PRIMARY KEY,
  product_id bigint NOT NULL REFERENCES products(id),
  make text NOT NULL,
  model text NOT NULL,
  year_from integer,
  year_to integer
);

CREATE TABLE inventory (
  id bigserial PRIMARY KEY,
  product_id bigint NOT NULL UNIQUE REFERENCES products(id),
  quantity integer NOT NULL DEFAULT 0,
  reorder_level integer,
  location text
);

CREATE TABLE inventory_transactions (
  id bigserial PRIMARY KEY,
  product_id bigint NOT NULL REFERENCES products(id),
  user_id bigint REFERENCES users(id),
  quantity integer NOT NULL,
  reason text NOT NULL CHECK (reason IN ('sale', 'purchase', 'adjustment', 'return')),
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE layaways (
  id bigserial PRIMARY KEY,
  customer_id bigint NOT NULL REFERENCES customers(id),
  status text NOT NULL CHECK (status IN ('open', 'completed', 'cancelled')),
  total numeric(10,2) NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE layaway_payments (
  id bigserial PRIMARY KEY,
  layaway_id bigint NOT NULL REFERENCES layaways(id),
  amount numeric(10,2) NOT NULL,
  paid_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE work_orders (
  id bigserial PRIMARY KEY,
  customer_id bigint NOT NULL REFERENCES customers(id),
  vehicle_id bigint REFERENCES customer_vehicles(id),
  technician_id bigint REFERENCES users(id),
  status text NOT NULL CHECK (status IN ('open', 'in_progress', 'completed', 'invoiced')),
  notes text,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE work_order_lines (
  id bigserial PRIMARY KEY,
  work_order_id bigint NOT NULL REFERENCES work_orders(id),
  product_id bigint REFERENCES products(id),
  description text,
  quantity integer NOT NULL DEFAULT 1,
  unit_price numeric(10,2)
);

CREATE TABLE commission_rules (
  id bigserial PRIMARY KEY,
  name text NOT NULL,
  rate numeric(5,2) NOT NULL,
  category_id bigint REFERENCES product_categories(id)
);

CREATE TABLE commissions (
  id bigserial PRIMARY KEY,
  user_id bigint NOT NULL REFERENCES users(id),
  work_order_id bigint REFERENCES work_orders(id),
  amount numeric(10,2) NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE loyalty_accounts (
  id bigserial PRIMARY KEY,
  customer_id bigint NOT NULL UNIQUE REFERENCES customers(id),
  points integer NOT NULL DEFAULT 0,
  tier text NOT NULL CHECK (tier IN ('bronze', 'silver', 'gold'))
);

CREATE TABLE loyalty_transactions (
  id bigserial PRIMARY KEY,
  loyalty_account_id bigint NOT NULL REFERENCES loyalty_accounts(id),
  points integer NOT NULL,
  reason text,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE credit_accounts (
  id bigserial PRIMARY KEY,
  customer_id bigint NOT NULL REFERENCES customers(id),
  credit_limit numeric(10,2) NOT NULL,
  balance numeric(10,2) NOT NULL DEFAULT 0
);

CREATE TABLE credit_transactions (
  id bigserial PRIMARY KEY,
  credit_account_id bigint NOT NULL REFERENCES credit_accounts(id),
  amount numeric(10,2) NOT NULL,
  kind text NOT NULL CHECK (kind IN ('charge', 'payment')),
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE gift_cards (
  id bigserial PRIMARY KEY,
  code text NOT NULL UNIQUE,
  balance numeric(10,2) NOT NULL,
  issued_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz
);

CREATE TABLE gift_card_transactions (
  id bigserial PRIMARY KEY,
  gift_card_id bigint NOT NULL REFERENCES gift_cards(id),
  amount numeric(10,2) NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE promotions (
  id bigserial PRIMARY KEY,
  name text NOT NULL,
  code text UNIQUE,
  discount_percent numeric(5,2),
  starts_at timestamptz,
  ends_at timestamptz
);

CREATE TABLE promotion_usage (
  id bigserial PRIMARY KEY,
  promotion_id bigint NOT NULL REFERENCES promotions(id),
  customer_id bigint REFERENCES customers(id),
  used_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE sync_log (
  id bigserial PRIMARY KEY,
  entity text NOT NULL,
  entity_id text NOT NULL,
  operation text NOT NULL CHECK (operation IN ('insert', 'update', 'delete')),
  synced_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE sync_conflicts (
  id bigserial PRIMARY KEY,
  entity text NOT NULL,
  entity_id text NOT NULL,
  local_data jsonb,
  remote_data jsonb,
  resolved boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE pending_operations (
  id bigserial PRIMARY KEY,
  operation text NOT NULL,
  payload jsonb,
  attempts integer NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE backups (
  id bigserial PRIMARY KEY,
  file_name text NOT NULL,
  size_bytes bigint,
  status text NOT NULL CHECK (status IN ('running', 'completed', 'failed')),
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE backup_destinations (
  id bigserial PRIMARY KEY,
  name text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('local', 's3', 'gdrive')),
  path text,
  is_active boolean NOT NULL DEFAULT true
);

CREATE TABLE backup_settings (
  id bigserial PRIMARY KEY,
  key text NOT NULL UNIQUE,
  value text
);

CREATE TABLE restore_jobs (
  id bigserial PRIMARY KEY,
  backup_id bigint NOT NULL REFERENCES backups(id),
  status text NOT NULL CHECK (status IN ('pending', 'running', 'completed', 'failed')),
  started_at timestamptz,
  finished_at timestamptz
);
