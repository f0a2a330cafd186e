//! The Elasticsearch request of the session's rule (or bare query) with its exceptions, and the
//! Dev Tools kit over its events (see [`crate::es`]).

use super::*;
use crate::es::kit::kit;
use crate::es::{build, query_rule, Built, Options};

impl Session {
    fn es_rule(&self) -> Option<Rule> {
        if let Some(r) = self.rule() {
            return Some(r.clone());
        }
        match self.lang()? {
            Lang::Kql => Some(query_rule("kuery", self.source())),
            Lang::Eql => Some(query_rule("eql", self.source())),
            _ => None,
        }
    }

    fn es_options(&self) -> Options<'_> {
        Options {
            exceptions: self.exceptions(),
            lists: Some(&self.value_lists),
            now_ms: self.now(),
            ..Default::default()
        }
    }

    /// The request the detection engine would send for the loaded rule; `None` before a rule
    /// loads.
    pub fn es_request(&self, time_range: bool) -> Option<Result<Built, Diagnostic>> {
        let rule = self.es_rule()?;
        let opts = Options {
            time_range,
            ..self.es_options()
        };
        Some(build(&rule, &opts))
    }

    /// The Dev Tools console text checking the rule on the session's events.
    pub fn es_kit(&self) -> Option<Result<String, Diagnostic>> {
        let rule = self.es_rule()?;
        Some(kit(&rule, self.events(), &self.es_options()))
    }
}
