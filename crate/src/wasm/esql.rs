//! ES|QL on the page. The page's first wasm module is built without ES|QL; `esql_needed` tells
//! the worker when a rule needs the second module (built with it), which then serves the
//! session. `Session.esql_report` gives the output table and the stage counts.

use super::JsSession;
use crate::engine::Lang;
use wasm_bindgen::prelude::*;

/// Whether `source` (in `lang`: `toml`, `kql`, `eql`) is an ES|QL rule that this module cannot
/// evaluate (it was built without ES|QL): then the worker loads the ES|QL module.
#[wasm_bindgen]
pub fn esql_needed(source: &str, lang: &str) -> bool {
    if cfg!(feature = "esql") || Lang::parse(lang) != Some(Lang::Toml) {
        return false;
    }
    crate::rule::load_rule(source).is_ok_and(|r| r.effective_language() == Some("esql"))
}

#[wasm_bindgen(js_class = Session)]
impl JsSession {
    /// The events text as the session holds it (edits included), for handing the session's
    /// state to the ES|QL module.
    pub fn events_text(&self) -> String {
        self.inner.events_text().to_string()
    }

    /// The last evaluation's output table, source events per row and stage counts; `null` when
    /// the rule is not ES|QL (always, in a module built without ES|QL). Stage spans are UTF-16
    /// offsets into the rule text.
    #[wasm_bindgen(unchecked_return_type = "EsqlReport | null")]
    pub fn esql_report(&self) -> Result<JsValue, JsError> {
        #[cfg(feature = "esql")]
        if let Some(report) = self.inner.esql_report() {
            let mut report = report.clone();
            let map = super::Utf16Map::new(self.inner.source());
            for s in &mut report.stages {
                s.span = map.span(s.span);
            }
            if let Some(d) = &mut report.error {
                d.span = map.span(d.span);
            }
            return super::to_js(&report);
        }
        Ok(JsValue::NULL)
    }
}
