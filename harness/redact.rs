//! Secrets never reach a report or a log.
//!
//! Two kinds leak without care. The run's own secrets: the JWT signing
//! secret and a database password. Every rendered report goes through a
//! [`Redactor`] that knows them. And credentials stored in the tenant tables
//! (API keys, OAuth tokens, password hashes): a write probe's reproduction
//! carries a whole row as JSON, and a verification query may select any
//! column. Values of columns whose names say "secret" are masked where the
//! row is shown ([`mask_json_text`], [`is_secret_column`]).

use regex::Regex;
use std::sync::LazyLock;

/// What replaces a secret.
pub const MASK: &str = "[redacted]";

/// Whether a column of this name holds a credential (`password_hash`,
/// `api_key`, `access_token`, `client_secret`, `webhook_secret`, …).
pub fn is_secret_column(name: &str) -> bool {
    static SECRET: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(
            r"(?i)(passw|secret|token|api_?key|private_?key|key_?hash|credential|signing_?key|auth_?code)",
        )
        .expect("valid regex")
    });
    SECRET.is_match(name)
}

/// `text` with the string values of secret-named keys of every JSON object
/// in it masked: `{"api_key": "sk_live_…"}` → `{"api_key": "[redacted]"}`.
/// Works on JSON embedded in SQL literals too (quotes doubled or not).
pub fn mask_json_text(text: &str) -> String {
    static PAIR: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#""([A-Za-z0-9_]+)"(\s*:\s*)"((?:[^"\\]|\\.)*)""#).expect("valid regex")
    });
    PAIR.replace_all(text, |c: &regex::Captures<'_>| {
        if is_secret_column(&c[1]) {
            format!("\"{}\"{}\"{MASK}\"", &c[1], &c[2])
        } else {
            c[0].to_string()
        }
    })
    .into_owned()
}

/// Masks the run's own secrets, and secret-named JSON values, in rendered text.
#[derive(Debug, Clone, Default)]
pub struct Redactor {
    literals: Vec<String>,
}

impl Redactor {
    /// A redactor for `secrets` (empty and very short strings are ignored:
    /// masking every "a" would ruin the report and protect nothing).
    pub fn new(secrets: impl IntoIterator<Item = String>) -> Redactor {
        // Each secret also in the forms the reporters escape it to (JSON,
        // XML/HTML, a SQL literal), so masking after rendering finds them all.
        let mut literals: Vec<String> = secrets
            .into_iter()
            .filter(|s| s.len() >= 4)
            .flat_map(|s| escaped_forms(&s))
            .collect();
        // Longest first, so a secret containing another is masked whole.
        literals.sort_by_key(|s| std::cmp::Reverse(s.len()));
        literals.dedup();
        Redactor { literals }
    }

    /// Adds the password of a `postgres://user:password@host/db` URL.
    pub fn with_url_password(mut self, url: Option<&str>) -> Redactor {
        if let Some(p) = url
            .and_then(|u| u.parse::<tokio_postgres::Config>().ok())
            .and_then(|c| {
                c.get_password()
                    .map(|p| String::from_utf8_lossy(p).into_owned())
            })
        {
            self = Redactor::new(self.literals.into_iter().chain([p]));
        }
        self
    }

    /// This redactor and `other`'s secrets together (a command over several runs).
    pub fn merge(self, other: &Redactor) -> Redactor {
        Redactor::new(self.literals.into_iter().chain(other.literals.clone()))
    }

    /// `text` with every known secret masked, and the values of
    /// secret-named settings and JSON keys.
    pub fn apply(&self, text: &str) -> String {
        let mut out = mask_secret_settings(&mask_json_text(text));
        for s in &self.literals {
            if out.contains(s.as_str()) {
                out = out.replace(s.as_str(), MASK);
            }
        }
        out
    }
}

/// `secret` as it stands in JSON, in XML or HTML, and in a SQL literal.
fn escaped_forms(secret: &str) -> Vec<String> {
    let json = serde_json::to_string(secret).unwrap_or_default();
    let json = json[1..json.len().saturating_sub(1)].to_string();
    let xml = secret
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&apos;");
    let html = xml.replace("&apos;", "&#39;");
    let sql = secret.replace('\'', "''");
    let mut forms = vec![secret.to_string(), json, xml, html, sql];
    forms.dedup();
    forms
}

/// `text` with the values given to secret-named settings masked, as a
/// failing statement prints them: `SET "app.jwt_secret" TO 'xyz'`,
/// `set_config('app.jwt_secret', 'xyz', …)`, `app.api_key = 'xyz'`.
pub fn mask_secret_settings(text: &str) -> String {
    static SETTING: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(
            r#"(?i)((?:"|')?[a-z_][a-z0-9_]*\.([a-z0-9_]+)(?:"|')?\s*(?:TO|=|,)\s*)'((?:[^']|'')*)'"#,
        )
        .expect("valid regex")
    });
    SETTING
        .replace_all(text, |c: &regex::Captures<'_>| {
            if is_secret_column(&c[2]) {
                format!("{}'{MASK}'", &c[1])
            } else {
                c[0].to_string()
            }
        })
        .into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_columns_are_recognised_and_ordinary_ones_are_not() {
        for c in [
            "password_hash",
            "api_key",
            "apikey",
            "access_token",
            "client_secret",
            "key_hash",
            "refresh_token",
            "ManyChat_API_Key",
            "db_password",
            "credentials",
        ] {
            assert!(is_secret_column(c), "{c}");
        }
        for c in [
            "name",
            "email",
            "tenant_id",
            "status",
            "created_at",
            "key",
            "mc_id",
            "amount",
            "footprint",
        ] {
            assert!(!is_secret_column(c), "{c}");
        }
    }

    #[test]
    fn json_values_of_secret_keys_are_masked_inside_sql_literals() {
        let sql = r#"SELECT jsonb_populate_record(NULL::public.api_keys, '{"id": "k1", "key_hash": "abc\"def", "name": "ci"}'::jsonb)"#;
        let masked = mask_json_text(sql);
        assert!(masked.contains(r#""key_hash": "[redacted]""#), "{masked}");
        assert!(masked.contains(r#""name": "ci""#));
        assert!(!masked.contains("abc"));
    }

    #[test]
    fn a_secret_is_masked_in_every_escaped_form() {
        let secret = r#"s3cr<t&"q'\x"#;
        let r = Redactor::new([secret.to_string()]);
        let json = serde_json::to_string(secret).unwrap();
        for text in [
            secret.to_string(),
            json,
            r#"s3cr&lt;t&amp;&quot;q&apos;\x"#.to_string(),
            r#"s3cr&lt;t&amp;&quot;q&#39;\x"#.to_string(),
            r#"'s3cr<t&"q''\x'"#.to_string(),
        ] {
            let out = r.apply(&text);
            assert!(out.contains(MASK), "{text} -> {out}");
            assert!(!out.contains("s3cr"), "{text} -> {out}");
        }
    }

    #[test]
    fn values_of_secret_settings_are_masked_in_statements() {
        for sql in [
            r#"ALTER DATABASE postgres SET "app.jwt_secret" TO 'super-secret-jwt-token'"#,
            "SELECT set_config('app.jwt_secret', 'super-secret-jwt-token', false)",
            "SET app.api_key = 'super-secret-jwt-token'",
        ] {
            let out = mask_secret_settings(sql);
            assert!(!out.contains("super-secret"), "{out}");
            assert!(out.contains(MASK), "{out}");
        }
        let plain = "ALTER DATABASE postgres SET \"app.settings.region\" TO 'eu-west-1'";
        assert_eq!(mask_secret_settings(plain), plain);
    }

    #[test]
    fn run_secrets_and_url_passwords_are_masked() {
        let r = Redactor::new(["jwt-secret-value".to_string(), "x".to_string()])
            .with_url_password(Some("postgres://app:hunter2pw@127.0.0.1:5432/db"));
        let out = r.apply("signed with jwt-secret-value at app:hunter2pw@127.0.0.1, x stays");
        assert_eq!(
            out,
            "signed with [redacted] at app:[redacted]@127.0.0.1, x stays"
        );
    }
}
