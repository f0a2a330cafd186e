//! The edited rule as a file to commit: the rule TOML with the current query in it, and whether
//! it differs from the file first loaded only inside the query string.

use super::*;
use crate::rule::only_query_differs;

/// The rule to export.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RuleExport {
    /// The rule file with the current query; `None` when the session has no rule file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub toml: Option<String>,
    /// The query alone, as last set (the bare query, or the rule file's query).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub query: Option<String>,
    /// Against the `original` given: every byte outside the query string is the same. `None`
    /// without an original or when either file has no query to compare.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub only_query_changed: Option<bool>,
}

impl Session {
    /// The current rule as a file and its query; `original` (the file as loaded) is compared
    /// with it outside the query string.
    pub fn export_rule(&self, original: Option<&str>) -> RuleExport {
        let toml = match self.lang {
            Some(Lang::Toml) => Some(self.source.clone()),
            _ => self.rule_file().map(str::to_string),
        };
        let query = match self.lang {
            Some(Lang::Toml) => self.rule().and_then(|r| r.query.clone()),
            Some(_) => Some(self.source.clone()),
            None => None,
        };
        let only_query_changed = match (original, &toml) {
            (Some(o), Some(t)) => only_query_differs(o, t).ok(),
            _ => None,
        };
        RuleExport {
            toml,
            query,
            only_query_changed,
        }
    }
}
