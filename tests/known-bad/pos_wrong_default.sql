-- Seed 003 with a typo in the default: every existing row lands in tenant 'caps'.
DO $$
DECLARE t text;
BEGIN
  FOR t IN SELECT table_name FROM information_schema.columns
           WHERE table_schema = 'public' AND column_name = 'tenant_id' LOOP
    EXECUTE format('UPDATE %I SET tenant_id = %L', t, 'caps');
  END LOOP;
END $$;
