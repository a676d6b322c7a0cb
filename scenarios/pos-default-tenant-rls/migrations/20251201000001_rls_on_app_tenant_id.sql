-- The same isolation enforced by the database: the application connects as pos_app
-- (not the table owner, so RLS applies without FORCE) and sets app.tenant_id per
-- transaction. An unset tenant matches nothing: current_setting(..., true) is NULL.

DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'pos_app') THEN
    CREATE ROLE pos_app NOLOGIN;
  END IF;
END $$;

GRANT USAGE ON SCHEMA public TO pos_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO pos_app;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO pos_app;

ALTER TABLE users ENABLE ROW LEVEL SECURITY;
CREATE POLICY users_tenant_isolation ON users TO pos_app
  USING (tenant_id = current_setting('app.tenant_id', true))
  WITH CHECK (tenant_id = current_setting('app.tenant_id', true));

ALTER TABLE sessions ENABLE ROW LEVEL SECURITY;
CREATE POLICY sessions_tenant_isolation ON sessions TO pos_app
  USING (tenant_id = current_setting('app.tenant_id', true))
  WITH CHECK (tenant_id = current_setting('app.tenant_id', true));

ALTER TABLE audit_log ENABLE ROW LEVEL SECURITY;
CREATE POLICY audit_log_tenant_isolation ON audit_log TO pos_app
  USING (tenant_id = current_setting('app.tenant_id', true))
  WITH CHECK (tenant_id = current_setting('app.tenant_id', true));

ALTER TABLE customers ENABLE ROW LEVEL SECURITY;
CREATE POLICY customers_tenant_isolation ON customers TO pos_app
  USING (tenant_id = current_setting('app.tenant_id', true))
  WITH CHECK (tenant_id = current_setting('app.tenant_id', true));

ALTER TABLE customer_vehicles ENABLE ROW LEVEL SECURITY;
CREATE POLICY customer_vehicles_tenant_isolation ON customer_vehicles TO pos_app
  USING (tenant_id = current_setting('app.tenant_id', true))
  WITH CHECK (tenant_id = current_setting('app.tenant_id', true));

ALTER TABLE price_levels ENABLE ROW LEVEL SECURITY;
CREATE POLICY price_levels_tenant_isolation ON price_levels TO pos_app
  USING (tenant_id = current_setting('app.tenant_id', true))
  WITH CHECK (tenant_id = current_setting('app.tenant_id', true));

ALTER TABLE product_categories ENABLE ROW LEVEL SECURITY;
CREATE POLICY product_categories_tenant_isolation ON product_categories TO pos_app
  USING (tenant_id = current_setting('app.tenant_id', true))
  WITH CHECK (tenant_id = current_setting('app.tenant_id', true));

ALTER TABLE products ENABLE ROW LEVEL SECURITY;
CREATE POLICY products_tenant_isolation ON products TO pos_app
  USING (tenant_id = current_setting('app.tenant_id', true))
  WITH CHECK (tenant_id = current_setting('app.tenant_id', true));

ALTER TABLE fitment_data ENABLE ROW LEVEL SECURITY;
CREATE POLICY fitment_data_tenant_isolation ON fitment_data TO pos_app
  USING (tenant_id = current_setting('app.tenant_id', true))
  WITH CHECK (tenant_id = current_setting('app.tenant_id', true));

ALTER TABLE inventory ENABLE ROW LEVEL SECURITY;
CREATE POLICY inventory_tenant_isolation ON inventory TO pos_app
  USING (tenant_id = current_setting('app.tenant_id', true))
  WITH CHECK (tenant_id = current_setting('app.tenant_id', true));

ALTER TABLE inventory_transactions ENABLE ROW LEVEL SECURITY;
CREATE POLICY inventory_transactions_tenant_isolation ON inventory_transactions TO pos_app
  USING (tenant_id = current_setting('app.tenant_id', true))
  WITH CHECK (tenant_id = current_setting('app.tenant_id', true));

ALTER TABLE layaways ENABLE ROW LEVEL SECURITY;
CREATE POLICY layaways_tenant_isolation ON layaways TO pos_app
  USING (tenant_id = current_setting('app.tenant_id', true))
  WITH CHECK (tenant_id = current_setting('app.tenant_id', true));

ALTER TABLE layaway_payments ENABLE ROW LEVEL SECURITY;
CREATE POLICY layaway_payments_tenant_isolation ON layaway_payments TO pos_app
  USING (tenant_id = current_setting('app.tenant_id', true))
  WITH CHECK (tenant_id = current_setting('app.tenant_id', true));

ALTER TABLE work_orders ENABLE ROW LEVEL SECURITY;
CREATE POLICY work_orders_tenant_isolation ON work_orders TO pos_app
  USING (tenant_id = current_setting('app.tenant_id', true))
  WITH CHECK (tenant_id = current_setting('app.tenant_id', true));

ALTER TABLE work_order_lines ENABLE ROW LEVEL SECURITY;
CREATE POLICY work_order_lines_tenant_isolation ON work_order_lines TO pos_app
  USING (tenant_id = current_setting('app.tenant_id', true))
  WITH CHECK (tenant_id = current_setting('app.tenant_id', true));

ALTER TABLE commission_rules ENABLE ROW LEVEL SECURITY;
CREATE POLICY commission_rules_tenant_isolation ON commission_rules TO pos_app
  USING (tenant_id = current_setting('app.tenant_id', true))
  WITH CHECK (tenant_id = current_setting('app.tenant_id', true));

ALTER TABLE commissions ENABLE ROW LEVEL SECURITY;
CREATE POLICY commissions_tenant_isolation ON commissions TO pos_app
  USING (tenant_id = current_setting('app.tenant_id', true))
  WITH CHECK (tenant_id = current_setting('app.tenant_id', true));

ALTER TABLE loyalty_accounts ENABLE ROW LEVEL SECURITY;
CREATE POLICY loyalty_accounts_tenant_isolation ON loyalty_accounts TO pos_app
  USING (tenant_id = current_setting('app.tenant_id', true))
  WITH CHECK (tenant_id = current_setting('app.tenant_id', true));

ALTER TABLE loyalty_transactions ENABLE ROW LEVEL SECURITY;
CREATE POLICY loyalty_transactions_tenant_isolation ON loyalty_transactions TO pos_app
  USING (tenant_id = current_setting('app.tenant_id', true))
  WITH CHECK (tenant_id = current_setting('app.tenant_id', true));

ALTER TABLE credit_accounts ENABLE ROW LEVEL SECURITY;
CREATE POLICY credit_accounts_tenant_isolation ON credit_accounts TO pos_app
  USING (tenant_id = current_setting('app.tenant_id', true))
  WITH CHECK (tenant_id = current_setting('app.tenant_id', true));

ALTER TABLE credit_transactions ENABLE ROW LEVEL SECURITY;
CREATE POLICY credit_transactions_tenant_isolation ON credit_transactions TO pos_app
  USING (tenant_id = current_setting('app.tenant_id', true))
  WITH CHECK (tenant_id = current_setting('app.tenant_id', true));

ALTER TABLE gift_cards ENABLE ROW LEVEL SECURITY;
CREATE POLICY gift_cards_tenant_isolation ON gift_cards TO pos_app
  USING (tenant_id = current_setting('app.tenant_id', true))
  WITH CHECK (tenant_id = current_setting('app.tenant_id', true));

ALTER TABLE gift_card_transactions ENABLE ROW LEVEL SECURITY;
CREATE POLICY gift_card_transactions_tenant_isolation ON gift_card_transactions TO pos_app
  USING (tenant_id = current_setting('app.tenant_id', true))
  WITH CHECK (tenant_id = current_setting('app.tenant_id', true));

ALTER TABLE promotions ENABLE ROW LEVEL SECURITY;
CREATE POLICY promotions_tenant_isolation ON promotions TO pos_app
  USING (tenant_id = current_setting('app.tenant_id', true))
  WITH CHECK (tenant_id = current_setting('app.tenant_id', true));

ALTER TABLE promotion_usage ENABLE ROW LEVEL SECURITY;
CREATE POLICY promotion_usage_tenant_isolation ON promotion_usage TO pos_app
  USING (tenant_id = current_setting('app.tenant_id', true))
  WITH CHECK (tenant_id = current_setting('app.tenant_id', true));

ALTER TABLE sync_log ENABLE ROW LEVEL SECURITY;
CREATE POLICY sync_log_tenant_isolation ON sync_log TO pos_app
  USING (tenant_id = current_setting('app.tenant_id', true))
  WITH CHECK (tenant_id = current_setting('app.tenant_id', true));

ALTER TABLE sync_conflicts ENABLE ROW LEVEL SECURITY;
CREATE POLICY sync_conflicts_tenant_isolation ON sync_conflicts TO pos_app
  USING (tenant_id = current_setting('app.tenant_id', true))
  WITH CHECK (tenant_id = current_setting('app.tenant_id', true));

ALTER TABLE pending_operations ENABLE ROW LEVEL SECURITY;
CREATE POLICY pending_operations_tenant_isolation ON pending_operations TO pos_app
  USING (tenant_id = current_setting('app.tenant_id', true))
  WITH CHECK (tenant_id = current_setting('app.tenant_id', true));

ALTER TABLE backups ENABLE ROW LEVEL SECURITY;
CREATE POLICY backups_tenant_isolation ON backups TO pos_app
  USING (tenant_id = current_setting('app.tenant_id', true))
  WITH CHECK (tenant_id = current_setting('app.tenant_id', true));

ALTER TABLE backup_destinations ENABLE ROW LEVEL SECURITY;
CREATE POLICY backup_destinations_tenant_isolation ON backup_destinations TO pos_app
  USING (tenant_id = current_setting('app.tenant_id', true))
  WITH CHECK (tenant_id = current_setting('app.tenant_id', true));

ALTER TABLE backup_settings ENABLE ROW LEVEL SECURITY;
CREATE POLICY backup_settings_tenant_isolation ON backup_settings TO pos_app
  USING (tenant_id = current_setting('app.tenant_id', true))
  WITH CHECK (tenant_id = current_setting('app.tenant_id', true));

ALTER TABLE restore_jobs ENABLE ROW LEVEL SECURITY;
CREATE POLICY restore_jobs_tenant_isolation ON restore_jobs TO pos_app
  USING (tenant_id = current_setting('app.tenant_id', true))
  WITH CHECK (tenant_id = current_setting('app.tenant_id', true));
