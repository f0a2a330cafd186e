//! ES|QL on the page. The page's first wasm module is built without ES|QL; `esql_needed` tells
//! the worker when a rule needs the second module (built with it), which then serves the
//! session. `Session.esql_report` gives the output table and the stage counts.

use super::{to_js, JsSession, Utf16Map};
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

/// Whether this module evaluates ES|QL.
#[wasm_bindgen]
pub fn has_esql() -> bool {
    cfg!(feature = "esql")
}

#[wasm_bindgen(js_class = Session)]
impl JsSession {
    /// The last evaluation's output table, source events per row and stage counts; `null` when
    /// the rule is not ES|QL. Stage spans are UTF-16 offsets into the rule text.
    #[wasm_bindgen(unchecked_return_type = "EsqlReport | null")]
    pub fn esql_report(&self) -> Result<JsValue, JsError> {
        let Some(report) = self.inner.esql_report() else {
            return Ok(JsValue::NULL);
        };
        let mut report = report.clone();
        let map = Utf16Map::new(self.inner.source());
        for s in &mut report.stages {
            s.span = map.span(s.span);
        }
        if let Some(d) = &mut report.error {
            d.span = map.span(d.span);
        }
        to_js(&report)
    }
}
