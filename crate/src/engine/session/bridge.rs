//! The Elasticsearch bridge, in the session: which hit an event came from, and the edited rule
//! with its exceptions as a Kibana rule export (`rule::to_kibana`).

use super::*;
use crate::rule::to_kibana;

impl Session {
    /// The search hit event `index` was read from ("hit 3 (_id abc)"); `None` for NDJSON and
    /// plain arrays.
    pub fn event_origin(&self, index: usize) -> Option<String> {
        self.parsed.origins.get(index).map(ToString::to_string)
    }

    /// The rule as it stands (the current query written into its file) with the current
    /// exceptions, as Kibana rule export NDJSON for Rules → Import. `None` without a rule file
    /// (a bare query has no name, severity, …: nothing Kibana could import) or when the file
    /// does not load.
    pub fn export_kibana(&self) -> Option<String> {
        let toml = self.export_rule(None).toml?;
        let rule = crate::rule::load_rule(&toml).ok()?;
        let items: Vec<Value> = self
            .exceptions
            .iter()
            .filter_map(|i| serde_json::to_value(i).ok())
            .collect();
        let (lists, items) =
            to_kibana::complete_exceptions(&rule.rule_id, self.exception_lists.clone(), items);
        Some(to_kibana::export(&rule, &lists, &items))
    }
}
