//! A finding: one way the migration under test failed a check.
//!
//! Checks produce findings, the report renders them; a finding always says
//! which check, and where it applies the table, the actor and an example row,
//! so a person can reproduce it.

use super::id::CheckId;
use serde::Serialize;

/// One failed check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// Which check, e.g. `isolation.foreign-rows`.
    pub check: CheckId,
    #[serde(skip_serializing_if = "Option::is_none")]
    /// The table, as the scenario names it.
    pub table: Option<String>,
    /// The object within the table the finding is about, when it is one
    /// (a foreign key, a unique index, a policy): audit proofs match it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub object: Option<String>,
    /// Who was impersonated (e-mail, or `anon`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub actor: Option<String>,
    /// An example row id (primary key as text).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub row: Option<String>,
    /// How many rows (or cases) the finding covers.
    pub count: u64,
    /// What is wrong, with examples.
    pub message: String,
}

impl Finding {
    /// A finding of `check` with `message`; the other fields via the builders.
    pub fn new(check: CheckId, message: impl Into<String>) -> Finding {
        Finding {
            check,
            table: None,
            object: None,
            actor: None,
            row: None,
            count: 1,
            message: message.into(),
        }
    }

    /// Sets the table.
    pub fn table(mut self, table: impl Into<String>) -> Self {
        self.table = Some(table.into());
        self
    }

    /// Sets the object within the table (a constraint, index or policy name).
    pub fn object(mut self, object: impl Into<String>) -> Self {
        self.object = Some(object.into());
        self
    }

    /// Sets the actor.
    pub fn actor(mut self, actor: impl Into<String>) -> Self {
        self.actor = Some(actor.into());
        self
    }

    /// Sets the example row id.
    pub fn row(mut self, row: Option<impl Into<String>>) -> Self {
        self.row = row.map(Into::into);
        self
    }

    /// Sets how many rows the finding covers.
    pub fn count(mut self, count: u64) -> Self {
        self.count = count;
        self
    }
}
