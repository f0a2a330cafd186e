//! Bindings for the Elasticsearch bridge: Kibana rule files → TOML for the rule editor, the
//! edited rule as a Kibana rule export, and which hit an event came from.

use super::{one_diagnostic, to_js, JsDiagnostic, JsSession};
use crate::rule::from_kibana::{self, RuleChoice};
use serde::Serialize;
use wasm_bindgen::prelude::*;

/// A Kibana rule file read for the rule editor (see `KibanaRule` in wasm_types.d.ts).
#[derive(Serialize)]
struct JsKibanaRule {
    ok: bool,
    choices: Vec<RuleChoice>,
    #[serde(skip_serializing_if = "Option::is_none")]
    toml: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    exceptions: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    note: Option<String>,
    diagnostics: Vec<JsDiagnostic>,
}

/// Whether `text` is a rule as Kibana gives it (export NDJSON or API JSON), not TOML.
#[wasm_bindgen(js_name = isKibanaRule)]
pub fn is_kibana_rule(text: &str) -> bool {
    from_kibana::is_kibana(text)
}

/// Convert rule `index` of a Kibana rule file (the only rule when `index` is undefined) to
/// TOML, with the exceptions it references. Several rules and no index: `ok` false with the
/// `choices` to pick from.
#[wasm_bindgen(js_name = kibanaRule, unchecked_return_type = "KibanaRule")]
pub fn kibana_rule(text: &str, index: Option<u32>) -> Result<JsValue, JsError> {
    let out = match from_kibana::read(text) {
        Err(d) => JsKibanaRule {
            ok: false,
            choices: Vec::new(),
            toml: None,
            exceptions: None,
            note: None,
            diagnostics: one_diagnostic(&d, text),
        },
        Ok(file) => {
            let choices = file.choices();
            let picked = match index {
                Some(i) => usize::try_from(i).ok().filter(|&i| i < choices.len()),
                None if choices.len() == 1 => Some(0),
                None => None,
            };
            match picked {
                Some(i) => {
                    let c = file.converted(i);
                    JsKibanaRule {
                        ok: true,
                        choices,
                        toml: Some(c.toml),
                        exceptions: c.exceptions,
                        note: Some(c.note),
                        diagnostics: Vec::new(),
                    }
                }
                None => JsKibanaRule {
                    ok: false,
                    note: Some(format!("{}: {} rules; pick one", file.what, choices.len())),
                    choices,
                    toml: None,
                    exceptions: None,
                    diagnostics: Vec::new(),
                },
            }
        }
    };
    to_js(&out)
}

#[wasm_bindgen(js_class = Session)]
impl JsSession {
    /// The rule with the current query and exceptions as Kibana rule export NDJSON (Rules →
    /// Import); `undefined` without a rule file.
    pub fn export_kibana(&self) -> Option<String> {
        self.inner.export_kibana()
    }

    /// The search hit event `index` came from ("hit 3 (_id abc)"); `undefined` for NDJSON.
    pub fn event_origin(&self, index: usize) -> Option<String> {
        self.inner.event_origin(index)
    }
}
