//! The session's user mappings (issue 13, §5) and the field names its events know, which decide
//! whether an EQL optional field is `null` (`eql::optional`). Both change what a query compiles
//! to, so the query is compiled again when they change.

use super::Session;
use crate::engine::{load, Lang};
use crate::eql::optional;
use crate::event::mapping::{self, Mappings};
use serde::Serialize;

/// What [`Session::set_mappings`] read.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct MappingsReport {
    /// Mapped fields (multi-fields included); 0 when the text was empty or not a mapping.
    pub fields: usize,
    /// Why the text is not a mapping (the previous mappings are then dropped: ECS only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl Session {
    /// Elasticsearch mappings (`GET index/_mapping` JSON, an index template's `mappings`, or
    /// `{"properties": …}`) whose field types override ECS; empty text means ECS only.
    pub fn set_mappings(&mut self, text: &str) -> MappingsReport {
        let report = if text.trim().is_empty() {
            mapping::set_current(None);
            MappingsReport::default()
        } else {
            match Mappings::parse(text) {
                Ok(m) => {
                    let fields = m.len();
                    mapping::set_current(Some(m));
                    MappingsReport {
                        fields,
                        error: None,
                    }
                }
                Err(e) => {
                    mapping::set_current(None);
                    MappingsReport {
                        fields: 0,
                        error: Some(e.message),
                    }
                }
            }
        };
        self.recompile();
        report
    }

    /// After new events: the field names they know, and the query again when it has optional
    /// fields (whose `null`-ness may have changed).
    pub(super) fn events_changed(&mut self) {
        optional::set_event_fields(Some(optional::event_field_names(&self.parsed.events)));
        if self.query_lang() == Some(Lang::Eql) && self.source.contains('?') {
            self.recompile();
        }
    }

    /// Compile the current rule or query again (field types or known fields changed).
    fn recompile(&mut self) {
        let Some(lang) = self.lang else {
            return;
        };
        let (loaded, diagnostics) = match load(&self.source, lang) {
            Ok(loaded) => (Some(loaded), Vec::new()),
            Err(diagnostics) => (None, diagnostics),
        };
        self.loaded = loaded;
        self.diagnostics = diagnostics;
        self.refresh_warnings();
        self.forget_run();
    }
}
