//! What Supabase provides and vanilla PostgreSQL lacks, installed only where
//! missing: the API roles, the `auth` schema with `auth.users`, and
//! `auth.uid()`, `auth.role()`, `auth.email()`, `auth.jwt()` with Supabase's
//! semantics (they read `request.jwt.claims`, falling back to the legacy
//! `request.jwt.claim.*` settings). On a real Supabase image every object
//! already exists and nothing is added.
//!
//! It also sets Supabase's default privileges in `public` (everything
//! granted to anon, authenticated and service_role), because that is what
//! makes RLS the only guard, and what the isolation checks must face.

use crate::error::{Error, Result};
use tokio_postgres::Client;

/// Each step is idempotent and skipped when its object exists.
const STEPS: &[(&str, &str)] = &[
    (
        "roles",
        r#"DO $$
DECLARE r text;
BEGIN
  FOREACH r IN ARRAY ARRAY['anon', 'authenticated', 'service_role'] LOOP
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r) THEN
      BEGIN
        EXECUTE format('CREATE ROLE %I NOLOGIN NOINHERIT', r);
      EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; -- a concurrent run made it
      END;
    END IF;
  END LOOP;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'service_role' AND rolbypassrls) THEN
    ALTER ROLE service_role BYPASSRLS;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'authenticator') THEN
    BEGIN
      CREATE ROLE authenticator LOGIN NOINHERIT;
    EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
    END;
  END IF;
  GRANT anon, authenticated, service_role TO authenticator;
END $$"#,
    ),
    ("auth schema", "CREATE SCHEMA IF NOT EXISTS auth"),
    (
        "auth.users",
        r#"CREATE TABLE IF NOT EXISTS auth.users (
  id uuid PRIMARY KEY,
  email varchar(255) UNIQUE,
  aud varchar(255) DEFAULT 'authenticated',
  role varchar(255) DEFAULT 'authenticated',
  raw_user_meta_data jsonb DEFAULT '{}'::jsonb,
  raw_app_meta_data jsonb DEFAULT '{}'::jsonb,
  created_at timestamptz DEFAULT now(),
  updated_at timestamptz DEFAULT now()
)"#,
    ),
    (
        "auth.uid()",
        r#"DO $$ BEGIN
IF to_regprocedure('auth.uid()') IS NULL THEN
  CREATE FUNCTION auth.uid() RETURNS uuid LANGUAGE sql STABLE AS $f$
    SELECT coalesce(
      nullif(current_setting('request.jwt.claim.sub', true), ''),
      (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub')
    )::uuid
  $f$;
END IF;
END $$"#,
    ),
    (
        "auth.role()",
        r#"DO $$ BEGIN
IF to_regprocedure('auth.role()') IS NULL THEN
  CREATE FUNCTION auth.role() RETURNS text LANGUAGE sql STABLE AS $f$
    SELECT coalesce(
      nullif(current_setting('request.jwt.claim.role', true), ''),
      (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'role')
    )::text
  $f$;
END IF;
END $$"#,
    ),
    (
        "auth.email()",
        r#"DO $$ BEGIN
IF to_regprocedure('auth.email()') IS NULL THEN
  CREATE FUNCTION auth.email() RETURNS text LANGUAGE sql STABLE AS $f$
    SELECT coalesce(
      nullif(current_setting('request.jwt.claim.email', true), ''),
      (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'email')
    )::text
  $f$;
END IF;
END $$"#,
    ),
    (
        "auth.jwt()",
        r#"DO $$ BEGIN
IF to_regprocedure('auth.jwt()') IS NULL THEN
  CREATE FUNCTION auth.jwt() RETURNS jsonb LANGUAGE sql STABLE AS $f$
    SELECT coalesce(
      nullif(current_setting('request.jwt.claim', true), ''),
      nullif(current_setting('request.jwt.claims', true), '')
    )::jsonb
  $f$;
END IF;
END $$"#,
    ),
    (
        "grants",
        r#"GRANT USAGE ON SCHEMA auth TO anon, authenticated, service_role;
GRANT EXECUTE ON FUNCTION auth.uid(), auth.role(), auth.email(), auth.jwt() TO anon, authenticated, service_role;
GRANT USAGE ON SCHEMA public TO anon, authenticated, service_role;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT ALL ON TABLES TO anon, authenticated, service_role;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT ALL ON SEQUENCES TO anon, authenticated, service_role;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT ALL ON FUNCTIONS TO anon, authenticated, service_role"#,
    ),
];

/// Installs the Supabase stand-in where missing; returns the steps that changed something.
pub async fn install(client: &Client) -> Result<Vec<&'static str>> {
    let real = client
        .query_one("SELECT to_regprocedure('auth.uid()') IS NOT NULL AND to_regclass('auth.users') IS NOT NULL", &[])
        .await
        .map_err(Error::db("checking for Supabase objects"))?
        .get::<_, bool>(0);
    if real {
        return Ok(Vec::new());
    }
    let mut done = Vec::new();
    for (what, sql) in STEPS {
        client
            .batch_execute(sql)
            .await
            .map_err(Error::db(format!("installing Supabase {what}")))?;
        done.push(*what);
    }
    Ok(done)
}
