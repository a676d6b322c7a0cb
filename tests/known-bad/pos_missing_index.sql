-- One of the 32 indexes was forgotten; seed 003's own validation must say so.
DROP INDEX idx_inventory_tenant_id;
