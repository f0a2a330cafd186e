//! The page's view of an ES|QL rule's last run: the output table, each row's source events and
//! the pipeline's stage counts.

use super::Session;
use crate::engine::EsqlReport;

impl Session {
    /// The last evaluation's ES|QL report; `None` when the rule is not ES|QL or nothing ran.
    pub fn esql_report(&self) -> Option<&EsqlReport> {
        self.last.as_ref()?.esql.as_deref()
    }
}
