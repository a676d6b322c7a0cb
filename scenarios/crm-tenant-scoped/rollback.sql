-- Seed 004 "Option 2: Manual Rollback (Advanced)", as written: drop the columns,
-- restore the original constraints, drop the new tables.
ALTER TABLE contacts DROP COLUMN IF EXISTS tenant_id;
ALTER TABLE payments DROP COLUMN IF EXISTS tenant_id;
ALTER TABLE webhook_logs DROP COLUMN IF EXISTS tenant_id;
ALTER TABLE meta_ads DROP COLUMN IF EXISTS tenant_id;
ALTER TABLE meta_ad_creatives DROP COLUMN IF EXISTS tenant_id;
ALTER TABLE meta_ad_insights DROP COLUMN IF EXISTS tenant_id;

ALTER TABLE contacts ADD CONSTRAINT contacts_mc_id_key UNIQUE(mc_id);
ALTER TABLE contacts ADD CONSTRAINT contacts_ghl_id_key UNIQUE(ghl_id);
ALTER TABLE payments ADD CONSTRAINT payments_payment_event_id_key UNIQUE(payment_event_id);
ALTER TABLE meta_ads ADD CONSTRAINT meta_ads_ad_id_key UNIQUE(ad_id);

DROP TABLE IF EXISTS tenant_integrations CASCADE;
DROP TABLE IF EXISTS tenants CASCADE;
