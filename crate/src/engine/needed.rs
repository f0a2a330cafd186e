//! The fields a run reads, so that a streaming reader can parse only those
//! (`event::prune`). `None` whenever that set is not known for sure: a KQL value without a field
//! or a field-name pattern, rule filters (Kibana's query DSL can name anything).

use super::{Kind, Loaded, Query, RunOptions};
use crate::event::field_info;
use crate::event::prune::Needed;

impl Loaded {
    pub fn needed_fields(&self, opts: &RunOptions) -> Option<Needed> {
        if !self.filters.is_empty() {
            return None;
        }
        let mut fields: Vec<String> = match &self.query {
            Query::Kql(q) if q.reads_any_field() => return None,
            Query::Kql(q) => q.fields(),
            Query::Eql(q) => q.fields(),
            // ES|QL keeps every column (KEEP *, FROM's whole mapping): no pruning.
            #[cfg(feature = "esql")]
            Query::Esql(_) => return None,
            Query::None => Vec::new(),
        };
        fields.push(self.timestamp_field().to_string());
        fields.push("@timestamp".into());
        if let Some(rule) = &self.rule {
            fields.extend(rule.tiebreaker_field.iter().cloned());
        }
        match &self.kind {
            Kind::NewTerms(nt) => fields.extend(nt.fields.iter().cloned()),
            Kind::Threshold(t) => {
                fields.extend(t.field.iter().cloned());
                fields.extend(t.cardinality.iter().map(|c| c.field.clone()));
            }
            Kind::Query | Kind::NeverAlerts(_) => {}
        }
        for item in &opts.exceptions {
            // A nested entry's parent field covers its children.
            fields.extend(item.entries.iter().map(|e| e.field().to_string()));
            if !item.os_types.is_empty() {
                fields.extend(["host.os.type".into(), "host.os.name".into()]);
            }
        }
        let sources: Vec<String> = fields.iter().map(|f| field_info(f).source).collect();
        Some(Needed::new(fields.into_iter().chain(sources)))
    }
}
