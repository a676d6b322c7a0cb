//! Typed check ids: the one registry of what a finding can be.
//!
//! Each id owns its stable text (`isolation.foreign-rows`, in every report
//! and JUnit case), the part of the checks that emits it (which is also its
//! report part and JUnit suite), what it means (the README's table is
//! tested against it), and which catalog-audit rules a finding of it
//! proves. Audit findings are `audit.<rule>`, one id per rule of
//! [`super::audit::RULES`].

use serde::{Serialize, Serializer};
use std::fmt;

/// A part of the checks. The report lists the parts that ran, so a reporter
/// tells a check that passed from one that was not run; each part is one
/// JUnit suite.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Part {
    /// Rows, tenant values and the plan's verification queries.
    Integrity,
    /// Reads as every identity, tokens, the application's queries.
    Isolation,
    /// Write, side-channel, privilege and definer-object probes.
    Writes,
    /// The property-based leak search.
    Search,
    /// The catalog audit.
    Audit,
    /// The rollback proof.
    Rollback,
}

impl Part {
    /// The JUnit suite (and summary row) of this part.
    pub fn suite(self) -> &'static str {
        match self {
            Part::Integrity => "integrity",
            Part::Isolation => "isolation",
            Part::Writes => "writes",
            Part::Search => "leak search",
            Part::Audit => "audit",
            Part::Rollback => "rollback",
        }
    }
}

macro_rules! check_ids {
    ($( $(#[$doc:meta])* $variant:ident = $text:literal, $part:ident, $means:literal,
        proves [$($rule:literal),*] $(, alone = $alone:literal)?; )*) => {
        /// One kind of finding.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum CheckId {
            $( $(#[$doc])* $variant, )*
            /// An audit rule that fails the run (error level, or a warning a dynamic check proved).
            Audit(&'static str),
        }

        impl CheckId {
            /// Every id but the audit ones (those are one per audit rule).
            pub const ALL: &'static [CheckId] = &[$(CheckId::$variant),*];

            /// The stable text, e.g. `write.delete-foreign`.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(CheckId::$variant => $text,)*
                    CheckId::Audit(rule) => audit_text(rule),
                }
            }

            /// The part of the checks that emits it.
            pub fn part(self) -> Part {
                match self {
                    $(CheckId::$variant => Part::$part,)*
                    CheckId::Audit(_) => Part::Audit,
                }
            }

            /// When a finding of it is raised (README's "What is checked").
            pub fn means(self) -> &'static str {
                match self {
                    $(CheckId::$variant => $means,)*
                    CheckId::Audit(_) => "an error-level audit rule matched, or a warning-level one a dynamic check proved",
                }
            }

            /// The audit rules a finding of this id reproduces on its object.
            pub fn proves(self) -> &'static [&'static str] {
                match self {
                    $(CheckId::$variant => &[$($rule),*],)*
                    CheckId::Audit(_) => &[],
                }
            }

            /// Whether a finding of it has one audit cause only, so accepting
            /// that audit finding explains (and accepts) it too.
            pub fn proves_alone(self) -> bool {
                match self {
                    $(CheckId::$variant => false $(|| $alone)?,)*
                    CheckId::Audit(_) => false,
                }
            }
        }
    };
}

check_ids! {
    /// A pre-existing row is gone.
    IntegrityRowsLost = "integrity.rows-lost", Integrity,
        "a row that existed before the migration is gone", proves [];
    /// A pre-existing column of a row has another value.
    IntegrityRowsChanged = "integrity.rows-changed", Integrity,
        "a pre-existing column of a row has a different value", proves [];
    /// A row appeared in a tenant table.
    IntegrityRowsAdded = "integrity.rows-added", Integrity,
        "a row appeared in a tenant table", proves [];
    /// A pre-existing column is gone.
    IntegrityColumnsDropped = "integrity.columns-dropped", Integrity,
        "a pre-existing column no longer exists", proves [];
    /// A tenant table did not get its tenant column.
    IntegrityNoTenantColumn = "integrity.no-tenant-column", Integrity,
        "a tenant table did not get the tenant column", proves [];
    /// A tenant table is gone after the migration.
    IntegrityTableDropped = "integrity.table-dropped", Integrity,
        "a tenant table no longer exists after the migration", proves [];
    /// A row has a NULL tenant.
    IntegrityNullTenant = "integrity.null-tenant", Integrity,
        "a row has a NULL tenant id", proves [];
    /// A row is in another tenant than its owner's.
    IntegrityMisassigned = "integrity.misassigned", Integrity,
        "a row is not in the tenant its owner belongs to", proves [];
    /// Users of different tenants share one.
    IntegrityTenantsMerged = "integrity.tenants-merged", Integrity,
        "users of different tenants ended up in one tenant", proves [];
    /// A child row is in another tenant than its parent.
    IntegrityChildTenantMismatch = "integrity.child-tenant-mismatch", Integrity,
        "a row is in another tenant than the parent its foreign key points at", proves [];
    /// Single-tenant scenarios: rows are not in the stated tenant.
    IntegrityWrongTenant = "integrity.wrong-tenant", Integrity,
        "single-tenant scenarios: pre-existing rows are not in the stated tenant", proves [];
    /// A verification query returned something else than expected.
    VerifyFailed = "verify.failed", Integrity,
        "a verification query of the plan returned something else than it expects", proves [];
    /// A verification query failed.
    VerifyError = "verify.error", Integrity,
        "a verification query of the plan failed", proves [];
    /// Someone sees another tenant's rows.
    IsolationForeignRows = "isolation.foreign-rows", Isolation,
        "a user (or anon) sees rows of another tenant",
        proves ["rls_disabled_in_public", "policy_exists_rls_disabled", "rls_policy_always_true",
                "force_rls_missing", "multiple_permissive_policies", "policy_without_to",
                "rls_references_user_metadata"];
    /// Someone misses rows of their own tenant.
    IsolationMissingRows = "isolation.missing-rows", Isolation,
        "a user does not see all of their own tenant's rows", proves [];
    /// The impersonated role would bypass RLS.
    IsolationUnsafeRole = "isolation.unsafe-role", Isolation,
        "the impersonated role is a superuser, has BYPASSRLS or owns a checked table: RLS would not apply, so the harness refuses to call it isolated", proves [];
    /// A read failed with something else than a denial.
    IsolationError = "isolation.error", Isolation,
        "a read failed with anything but \"permission denied\" (42501); an error is never a pass", proves [];
    /// An application query returns another tenant's rows.
    IsolationQueryForeignRows = "isolation.query-foreign-rows", Isolation,
        "an application query for tenant X returns rows of another tenant", proves [];
    /// An application query returns nothing for every tenant.
    IsolationQueryProvesNothing = "isolation.query-proves-nothing", Isolation,
        "an application query returns no rows for any tenant, so it shows nothing", proves [];
    /// An insert landed in another tenant.
    WriteInsertForeign = "write.insert-foreign", Writes,
        "an identity inserted a row into another tenant (a copy of that tenant's row, or of its own row with the tenant changed)",
        proves ["insert_check_without_tenant", "rls_policy_always_true", "multiple_permissive_policies",
                "rls_disabled_in_public", "force_rls_missing"];
    /// An insert naming no tenant landed in another.
    WriteInsertDefaultForeign = "write.insert-default-foreign", Writes,
        "an insert that names no tenant landed in another tenant (a constant default)",
        proves ["constant_tenant_default", "insert_check_without_tenant"];
    /// An UPDATE touched another tenant's row.
    WriteUpdateForeign = "write.update-foreign", Writes,
        "an UPDATE touched another tenant's row",
        proves ["rls_policy_always_true", "multiple_permissive_policies", "rls_disabled_in_public"];
    /// A DELETE touched another tenant's row.
    WriteDeleteForeign = "write.delete-foreign", Writes,
        "a DELETE touched another tenant's row",
        proves ["rls_policy_always_true", "multiple_permissive_policies", "rls_disabled_in_public"];
    /// An upsert changed another tenant's row.
    WriteUpsertForeign = "write.upsert-foreign", Writes,
        "INSERT … ON CONFLICT DO UPDATE changed another tenant's row", proves [];
    /// A MERGE changed another tenant's row.
    WriteMergeForeign = "write.merge-foreign", Writes,
        "MERGE changed another tenant's row", proves [];
    /// An identity moved its own row into another tenant.
    WriteUpdateMovesRow = "write.update-moves-row", Writes,
        "an identity moved its own row into another tenant",
        proves ["with_check_weaker_than_using", "rls_policy_always_true", "multiple_permissive_policies"];
    /// An own row could reference another tenant's parent.
    WriteChildOfForeignParent = "write.child-of-foreign-parent", Writes,
        "an own row could reference another tenant's parent (foreign keys ignore RLS)",
        proves ["fk_without_tenant"], alone = true;
    /// An allowed own-tenant write was refused.
    WriteOwnRowsDenied = "write.own-rows-denied", Writes,
        "a regression: an own-tenant insert or update that the role's grants and policies allow is refused", proves [];
    /// A user changed their own tenant.
    EscalationOwnTenant = "escalation.own-tenant", Writes,
        "a user changed the tenant of their own row in the users table", proves [];
    /// A duplicate-key error tells a foreign value exists.
    SideChannelUnique = "side-channel.unique", Writes,
        "a duplicate-key error on a value only another tenant has, while a fresh value succeeds: the error says the value exists",
        proves ["unique_without_tenant"], alone = true;
    /// TRUNCATE succeeded as an API identity.
    PrivilegeTruncate = "privilege.truncate", Writes,
        "TRUNCATE (not governed by RLS) succeeded as an API identity",
        proves ["api_role_table_privileges"], alone = true;
    /// A view returns more with its owner's rights than with the caller's.
    PathView = "path.view", Writes,
        "a view readable by an identity returns more rows with its owner's rights than with the caller's (compared in one rolled-back transaction by setting `security_invoker`)",
        proves ["security_definer_view"];
    /// The leak search found a divergence from the tenant model.
    SearchDivergence = "search.divergence", Search,
        "the property-based leak search found a sequence of operations where the database disagrees with the tenant model; the message holds the shrunk case as a psql script and the replay command", proves [];
    /// The leak search could judge no case.
    SearchNothingJudged = "search.nothing-judged", Search,
        "reported as undecided, not as a failure: the leak search judged no case (no identity, table or row to play with), so it proves nothing either way", proves [];
    /// A pre-existing row is gone after the rollback.
    RollbackRowsLost = "rollback.rows-lost", Rollback,
        "after the rollback, a pre-existing row is gone", proves [];
    /// A pre-existing row differs after the rollback.
    RollbackRowsChanged = "rollback.rows-changed", Rollback,
        "after the rollback, a pre-existing row has different values", proves [];
    /// A row the migration added survives the rollback.
    RollbackRowsAdded = "rollback.rows-added", Rollback,
        "after the rollback, a tenant table holds rows that did not exist before", proves [];
    /// A pre-existing column is gone after the rollback.
    RollbackColumnsDropped = "rollback.columns-dropped", Rollback,
        "after the rollback, a pre-existing column no longer exists", proves [];
    /// The rollback left a column the migration added.
    RollbackSchemaNotRestored = "rollback.schema-not-restored", Rollback,
        "a column the migration added to a tenant table survives the rollback", proves [];
}

/// `audit.<rule>` for a rule of the audit's registry (leaked once per rule:
/// the set of rules is fixed, so this is bounded).
fn audit_text(rule: &'static str) -> &'static str {
    use std::collections::HashMap;
    use std::sync::{Mutex, OnceLock};
    static TEXTS: OnceLock<Mutex<HashMap<&'static str, &'static str>>> = OnceLock::new();
    let mut texts = TEXTS
        .get_or_init(Default::default)
        .lock()
        .expect("poisoned");
    texts
        .entry(rule)
        .or_insert_with(|| Box::leak(format!("audit.{rule}").into_boxed_str()))
}

/// Which comparison of rows produced a finding: after the migration, or
/// after the rollback on its copy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compared {
    /// The migrated database against the snapshot.
    Migration,
    /// The rolled-back copy against the snapshot.
    Rollback,
}

impl Compared {
    /// The id for lost rows.
    pub fn rows_lost(self) -> CheckId {
        match self {
            Compared::Migration => CheckId::IntegrityRowsLost,
            Compared::Rollback => CheckId::RollbackRowsLost,
        }
    }
    /// The id for changed rows.
    pub fn rows_changed(self) -> CheckId {
        match self {
            Compared::Migration => CheckId::IntegrityRowsChanged,
            Compared::Rollback => CheckId::RollbackRowsChanged,
        }
    }
    /// The id for added rows.
    pub fn rows_added(self) -> CheckId {
        match self {
            Compared::Migration => CheckId::IntegrityRowsAdded,
            Compared::Rollback => CheckId::RollbackRowsAdded,
        }
    }
}

impl fmt::Display for CheckId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for CheckId {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl PartialEq<str> for CheckId {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for CheckId {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::audit::{rule, RULES};

    #[test]
    fn ids_are_unique_and_prefixed_by_their_family() {
        let mut seen = std::collections::HashSet::new();
        for id in CheckId::ALL {
            assert!(seen.insert(id.as_str()), "{id} twice");
            let family = id.as_str().split('.').next().unwrap();
            let ok = match id.part() {
                Part::Integrity => ["integrity", "verify"].contains(&family),
                Part::Isolation => family == "isolation",
                Part::Writes => {
                    ["write", "escalation", "side-channel", "privilege", "path"].contains(&family)
                }
                Part::Search => family == "search",
                Part::Audit => family == "audit",
                Part::Rollback => family == "rollback",
            };
            assert!(ok, "{id} is in part {:?}", id.part());
            assert!(!id.means().is_empty());
        }
    }

    #[test]
    fn every_proof_names_a_rule_of_the_audit() {
        for id in CheckId::ALL {
            for r in id.proves() {
                assert!(rule(r).is_some(), "{id} proves unknown rule {r}");
            }
            assert!(!id.proves_alone() || id.proves().len() == 1, "{id}");
        }
    }

    #[test]
    fn audit_ids_are_one_per_rule() {
        for r in RULES {
            let id = CheckId::Audit(r.id);
            assert_eq!(id.as_str(), format!("audit.{}", r.id));
            assert_eq!(id.part(), Part::Audit);
            assert!(std::ptr::eq(id.as_str(), CheckId::Audit(r.id).as_str()));
        }
    }

    #[test]
    fn the_readme_lists_every_check_with_its_meaning() {
        let readme = include_str!("../../README.md");
        for id in CheckId::ALL {
            let row = format!("| `{}` | {} |", id.as_str(), id.means());
            assert!(readme.contains(&row), "README's check table lacks:\n{row}");
        }
    }
}
