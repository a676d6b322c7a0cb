//! Acting as a user the way the application's API does it.
//!
//! Tokens are real HS256 JWTs, minted with the project's secret and verified
//! the way PostgREST verifies them (signature, expiry) before anything
//! reaches the database. Each request then runs in its own transaction that
//! starts with one statement setting `role` (from the token's `role` claim)
//! and `request.jwt.claims` transaction-locally, exactly as PostgREST does,
//! so `auth.uid()` and RLS policies see what they would see in production.
//! The statements of a request are pipelined: BEGIN, the impersonation, the
//! query and the ROLLBACK leave in one round trip.

use crate::error::{Error, Result};
use crate::scenario::Identity;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use postgres_types::{ToSql, Type};
use serde_json::{json, Value as Json};
use tokio_postgres::{Client, Row};

/// How long minted tokens live.
const TOKEN_LIFETIME_SECS: i64 = 3600;

/// The HS256 secret: minting and verification. Never printed.
#[derive(Clone)]
pub struct JwtKeys {
    secret: Vec<u8>,
}

impl std::fmt::Debug for JwtKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("JwtKeys(<secret>)")
    }
}

impl JwtKeys {
    /// Keys from `secret`.
    pub fn new(secret: impl AsRef<[u8]>) -> JwtKeys {
        JwtKeys {
            secret: secret.as_ref().to_vec(),
        }
    }

    /// Keys from a fresh random secret.
    pub fn random() -> JwtKeys {
        JwtKeys::new(
            uuid::Uuid::new_v4().simple().to_string() + &uuid::Uuid::new_v4().simple().to_string(),
        )
    }

    /// The secret as text, for the report's redactor only.
    pub(crate) fn secret_text(&self) -> String {
        String::from_utf8_lossy(&self.secret).into_owned()
    }

    /// Signs `claims`.
    pub fn mint(&self, claims: &Json) -> Result<String> {
        jsonwebtoken::encode(
            &Header::new(Algorithm::HS256),
            claims,
            &EncodingKey::from_secret(&self.secret),
        )
        .map_err(|e| Error::Impersonation(format!("minting a token: {e}")))
    }

    /// Verifies `token` as PostgREST does: HS256 signature and expiry.
    /// Returns its claims.
    pub fn verify(&self, token: &str) -> Result<Json> {
        let mut v = Validation::new(Algorithm::HS256);
        v.validate_aud = false;
        v.leeway = 0;
        v.set_required_spec_claims(&["exp"]);
        jsonwebtoken::decode::<Json>(token, &DecodingKey::from_secret(&self.secret), &v)
            .map(|d| d.claims)
            .map_err(|e| Error::Impersonation(format!("token rejected: {e}")))
    }
}

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// Claims of a signed-in user, as Supabase Auth issues them.
pub fn user_claims(id: &uuid::Uuid, email: &str, role: &str, extra: Option<(&str, &str)>) -> Json {
    let mut c = json!({
        "sub": id.to_string(),
        "email": email,
        "role": role,
        "aud": "authenticated",
        "iat": now(),
        "exp": now() + TOKEN_LIFETIME_SECS,
        "app_metadata": {},
        "user_metadata": {},
    });
    if let Some((k, v)) = extra {
        c[k] = json!(v);
    }
    c
}

/// `claims` with user-editable metadata (`user_metadata`, which Supabase
/// lets every user set for themselves) naming `tenant` under every key a
/// policy might read it from. A policy that trusts it lets the user pick a tenant.
pub fn with_forged_metadata(mut claims: Json, tenant: &str) -> Json {
    claims["user_metadata"] = json!({ "tenant_id": tenant, "tenant": tenant, "org_id": tenant, "organization_id": tenant, "client_id": tenant });
    claims
}

/// Claims of the anon key.
pub fn anon_claims(role: &str) -> Json {
    json!({ "role": role, "iss": "tenant-harness", "iat": now(), "exp": now() + TOKEN_LIFETIME_SECS })
}

/// The simple-query text that opens a transaction as `who`: BEGIN, then
/// role, claims and setting set transaction-locally, as PostgREST does per
/// request. Literals are escaped here once, so the load driver can send the
/// text as is on every request (a simple query needs no extra round trip).
pub fn begin_as(who: &crate::probe::As) -> String {
    use postgres_protocol::escape::escape_literal;
    let mut sets = Vec::new();
    if let Some(role) = &who.role {
        sets.push(format!(
            "set_config('role', {}, true)",
            escape_literal(role)
        ));
    }
    if let Some(claims) = &who.claims {
        sets.push(format!(
            "set_config('request.jwt.claims', {}, true)",
            escape_literal(claims)
        ));
    }
    if let Some((name, value)) = &who.setting {
        sets.push(format!(
            "set_config({}, {}, true)",
            escape_literal(name),
            escape_literal(value)
        ));
    }
    if sets.is_empty() {
        "BEGIN".into()
    } else {
        format!("BEGIN; SELECT {}", sets.join(", "))
    }
}

/// A connection acting as one identity. Every call is one transaction
/// that is rolled back, so checks never change the data they check.
pub struct Actor {
    client: Client,
    /// Who this is, for reports: an e-mail or `anon`.
    pub label: String,
    role: String,
    claims: Option<String>,
    setting: Option<(String, String)>,
}

/// What the database says about the impersonated session.
#[derive(Debug, Clone)]
pub struct SessionFacts {
    /// The role the session acts as after impersonation.
    pub current_user: String,
    /// Whether that role is a superuser.
    pub superuser: bool,
    /// Whether that role has BYPASSRLS.
    pub bypass_rls: bool,
    /// Checked tables the session's role owns (owners bypass RLS unless FORCE is set).
    pub owned_tables: Vec<String>,
}

impl SessionFacts {
    /// Why RLS would not apply to this session, if it would not.
    pub fn unsafe_reason(&self) -> Option<String> {
        if self.superuser {
            Some(format!("role {} is a superuser", self.current_user))
        } else if self.bypass_rls {
            Some(format!("role {} has BYPASSRLS", self.current_user))
        } else if !self.owned_tables.is_empty() {
            Some(format!(
                "role {} owns {:?}",
                self.current_user, self.owned_tables
            ))
        } else {
            None
        }
    }
}

impl Actor {
    /// An actor presenting `token` (verified first; a bad token never reaches the database).
    pub fn from_token(
        client: Client,
        keys: &JwtKeys,
        token: &str,
        identity: &Identity,
        label: impl Into<String>,
    ) -> Result<Actor> {
        let claims = keys.verify(token)?;
        let role = claims
            .get("role")
            .and_then(Json::as_str)
            .map(str::to_string)
            .or_else(|| identity.anon_role().map(str::to_string))
            .ok_or_else(|| {
                Error::Impersonation(
                    "token has no role claim and the identity model has no anon role".into(),
                )
            })?;
        Ok(Actor {
            client,
            label: label.into(),
            role,
            claims: Some(claims.to_string()),
            setting: None,
        })
    }

    /// An actor identified by a session setting (`app.tenant_id = value`) under `role`.
    pub fn from_setting(
        client: Client,
        role: &str,
        setting: &str,
        value: &str,
        label: impl Into<String>,
    ) -> Actor {
        Actor {
            client,
            label: label.into(),
            role: role.into(),
            claims: None,
            setting: Some((setting.into(), value.into())),
        }
    }

    /// The role requests run as.
    pub fn role(&self) -> &str {
        &self.role
    }

    /// This identity for a [`crate::probe`] step.
    pub fn who(&self) -> crate::probe::As {
        crate::probe::As {
            role: Some(self.role.clone()),
            claims: self.claims.clone(),
            setting: self.setting.clone(),
        }
    }

    /// One statement that sets role, claims and setting, transaction-locally.
    fn impersonation(&self) -> (String, Vec<String>) {
        let mut sql = "SELECT set_config('role', $1, true)".to_string();
        let mut params = vec![self.role.clone()];
        if let Some(claims) = &self.claims {
            params.push(claims.clone());
            sql.push_str(&format!(
                ", set_config('request.jwt.claims', ${}, true)",
                params.len()
            ));
        }
        if let Some((name, value)) = &self.setting {
            params.push(name.clone());
            params.push(value.clone());
            sql.push_str(&format!(
                ", set_config(${}, ${}, true)",
                params.len() - 1,
                params.len()
            ));
        }
        (sql, params)
    }

    /// Runs `sql` as this actor, in one pipelined round trip, and rolls back.
    pub async fn query(
        &self,
        sql: &str,
        params: &[(&(dyn ToSql + Sync), Type)],
    ) -> Result<Vec<Row>, tokio_postgres::Error> {
        let (imp_sql, imp_params) = self.impersonation();
        let imp: Vec<(&(dyn ToSql + Sync), Type)> = imp_params
            .iter()
            .map(|p| (p as &(dyn ToSql + Sync), Type::TEXT))
            .collect();
        let (begin, set, rows, rollback) = tokio::join!(
            self.client.batch_execute("BEGIN"),
            self.client.query_typed(&imp_sql, &imp),
            self.client.query_typed(sql, params),
            self.client.batch_execute("ROLLBACK"),
        );
        begin?;
        set?;
        rollback?;
        rows
    }

    /// The facts that decide whether RLS applies to this actor on `tables`.
    pub async fn session_facts(&self, tables: &[String]) -> Result<SessionFacts> {
        let rows = self
            .query(
                "SELECT current_user::text, r.rolsuper, r.rolbypassrls, \
                 coalesce((SELECT array_agg(format('%I.%I', n.nspname, c.relname)) FROM pg_class c \
                   JOIN pg_namespace n ON n.oid = c.relnamespace \
                   WHERE format('%I.%I', n.nspname, c.relname) = ANY($1) \
                   AND pg_has_role(current_user, c.relowner, 'MEMBER')), '{}') \
                 FROM pg_roles r WHERE r.rolname = current_user",
                &[(&tables, Type::TEXT_ARRAY)],
            )
            .await
            .map_err(|e| {
                Error::Impersonation(format!("{}: reading session facts: {e}", self.label))
            })?;
        let r = rows.first().ok_or_else(|| {
            Error::Impersonation(format!("{}: role {} does not exist", self.label, self.role))
        })?;
        Ok(SessionFacts {
            current_user: r.get(0),
            superuser: r.get(1),
            bypass_rls: r.get(2),
            owned_tables: r.get(3),
        })
    }
}

/// Shows that the harness refuses, before anything reaches the database,
/// the tokens PostgREST refuses: a bad signature and an expired one.
/// Returns their labels. A token that got through is a bug of the harness
/// (its impersonation would prove nothing), not a finding about the migration.
pub fn rejected_tokens(keys: &JwtKeys, identity: &Identity, seed: u64) -> Result<Vec<String>> {
    let Some(role) = identity.role() else {
        return Ok(Vec::new());
    };
    let id = uuid::Uuid::from_u64_pair(seed, 1);
    let claims = user_claims(&id, "probe@tenant-harness.invalid", role, None);
    let mut expired = claims.clone();
    expired["exp"] = json!(now() - 60);
    let cases = [
        (
            "a token with a bad signature",
            JwtKeys::random().mint(&claims)?,
        ),
        ("an expired token", keys.mint(&expired)?),
    ];
    let mut rejected = Vec::new();
    for (label, token) in cases {
        match keys.verify(&token) {
            Err(_) => rejected.push(label.to_string()),
            Ok(_) => {
                return Err(Error::Internal(format!(
                    "{label} passed the harness's token check, so its impersonation would prove nothing"
                )))
            }
        }
    }
    Ok(rejected)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minted_tokens_verify_and_forged_or_expired_ones_do_not() {
        let keys = JwtKeys::random();
        let id = uuid::Uuid::new_v4();
        let token = keys
            .mint(&user_claims(&id, "a@b.c", "authenticated", None))
            .unwrap();
        let claims = keys.verify(&token).unwrap();
        assert_eq!(claims["sub"], id.to_string());
        assert_eq!(claims["role"], "authenticated");

        assert!(
            JwtKeys::random().verify(&token).is_err(),
            "another secret must not verify"
        );
        let mut expired = user_claims(&id, "a@b.c", "authenticated", None);
        expired["exp"] = json!(now() - 10);
        assert!(
            keys.verify(&keys.mint(&expired).unwrap()).is_err(),
            "an expired token must not verify"
        );
    }

    #[test]
    fn the_secret_is_not_printed() {
        let keys = JwtKeys::new("super-secret-value");
        assert!(!format!("{keys:?}").contains("super-secret"));
    }
}
