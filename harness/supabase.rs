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

/// `auth.<name>()` returning `claim` of the JWT as `ty`, read the way
/// Supabase reads it: the legacy `request.jwt.claim.<claim>` setting first,
/// then `request.jwt.claims`. Created only when missing.
fn claim_function(name: &str, ty: &str, claim: &str) -> String {
    format!(
        r#"DO $$ BEGIN
IF to_regprocedure('auth.{name}()') IS NULL THEN
  CREATE FUNCTION auth.{name}() RETURNS {ty} LANGUAGE sql STABLE AS $f$
    SELECT coalesce(
      nullif(current_setting('request.jwt.claim.{claim}', true), ''),
      (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> '{claim}')
    )::{ty}
  $f$;
END IF;
END $$"#
    )
}

/// `auth.jwt()`: the whole claim set.
const JWT_FUNCTION: &str = r#"DO $$ BEGIN
IF to_regprocedure('auth.jwt()') IS NULL THEN
  CREATE FUNCTION auth.jwt() RETURNS jsonb LANGUAGE sql STABLE AS $f$
    SELECT coalesce(
      nullif(current_setting('request.jwt.claim', true), ''),
      nullif(current_setting('request.jwt.claims', true), '')
    )::jsonb
  $f$;
END IF;
END $$"#;

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
    let functions = [
        ("auth.uid()", claim_function("uid", "uuid", "sub")),
        ("auth.role()", claim_function("role", "text", "role")),
        ("auth.email()", claim_function("email", "text", "email")),
        ("auth.jwt()", JWT_FUNCTION.to_string()),
    ];
    // Grants name the functions, so they go last.
    let (grants, objects) = STEPS.split_last().expect("steps");
    let steps = objects
        .iter()
        .map(|(w, s)| (*w, s.to_string()))
        .chain(functions)
        .chain([(grants.0, grants.1.to_string())]);
    let mut done = Vec::new();
    for (what, sql) in steps {
        client
            .batch_execute(&sql)
            .await
            .map_err(Error::db(format!("installing Supabase {what}")))?;
        done.push(what);
    }
    Ok(done)
}
