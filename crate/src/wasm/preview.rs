//! Bindings for "Exclude this" (preview, pre-fill, exception item), the diff line, coverage and
//! the rule export: conversions only (spans to UTF-16), as in the parent module.

use super::*;
use crate::engine::{Change, Preview};

/// A preview, or why the change cannot be made.
#[derive(Serialize)]
struct JsPreview {
    ok: bool,
    diagnostics: Vec<JsDiagnostic>,
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    preview: Option<Preview>,
}

/// The difference between two evaluations' `status` arrays (same events): alerts removed and
/// added, every changed verdict, and the words for it.
#[wasm_bindgen]
pub fn verdict_diff(
    #[wasm_bindgen(unchecked_param_type = "Uint8Array")] before: &[u8],
    #[wasm_bindgen(unchecked_param_type = "Uint8Array")] after: &[u8],
) -> Result<JsValue, JsError> {
    to_js(&engine::verdict_diff(before, after))
}

/// `[{field, values: string[]}]` from its JSON text.
fn field_values(spec: &str) -> Result<Vec<(String, Vec<String>)>, JsError> {
    let bad = || JsError::new("expected a JSON array of {field, values}");
    let Value::Array(items) = serde_json::from_str(spec).map_err(|_| bad())? else {
        return Err(bad());
    };
    items
        .iter()
        .map(|it| {
            let field = it.get("field").and_then(Value::as_str).ok_or_else(bad)?;
            let values = it
                .get("values")
                .and_then(Value::as_array)
                .ok_or_else(bad)?
                .iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect();
            Ok((field.to_string(), values))
        })
        .collect()
}

#[wasm_bindgen(js_class = Session)]
impl JsSession {
    /// What adding `values` to the exclusion list of `field` would change, without doing it
    /// (`text`: the rule view's text with them added).
    #[wasm_bindgen(unchecked_return_type = "PreviewReport")]
    pub fn preview_exclusion(
        &mut self,
        field: String,
        values: Vec<String>,
    ) -> Result<JsValue, JsError> {
        self.preview(&Change::Exclude { field, values })
    }

    /// What one more exception item (entries given as JSON `[{field, values}]`) would change,
    /// without adding it (`line`: the item's NDJSON line).
    #[wasm_bindgen(unchecked_return_type = "PreviewReport")]
    pub fn preview_exception(&mut self, entries: &str) -> Result<JsValue, JsError> {
        let item = self.inner.exception_item(&field_values(entries)?);
        self.preview(&Change::Exception(item))
    }

    fn preview(&mut self, change: &Change) -> Result<JsValue, JsError> {
        let source = self.inner.source().to_string();
        to_js(&match self.inner.preview(change) {
            Ok(p) => JsPreview {
                ok: true,
                diagnostics: Vec::new(),
                preview: Some(p),
            },
            Err(d) => JsPreview {
                ok: false,
                diagnostics: one_diagnostic(&d, &source),
                preview: None,
            },
        })
    }

    /// The pre-fill of "Exclude this" for event `index` (`field` first); `null` when there is
    /// no such event.
    #[wasm_bindgen(unchecked_return_type = "Offer | null")]
    pub fn exclude_offer(&self, index: usize, field: Option<String>) -> Result<JsValue, JsError> {
        match self.inner.exclude_offer(index, field.as_deref()) {
            Some(offer) => to_js(&offer),
            None => Ok(JsValue::NULL),
        }
    }

    /// The coverage pass over the current events, `budget` more events per call: `null` until
    /// the last step, which gives the coverage per clause and per exclusion value.
    #[wasm_bindgen(unchecked_return_type = "Coverage | null")]
    pub fn coverage_step(&mut self, budget: usize) -> Result<JsValue, JsError> {
        let Some(mut c) = self.inner.coverage_step(budget) else {
            return Ok(JsValue::NULL);
        };
        let map = Utf16Map::new(self.inner.source());
        for clause in &mut c.clauses {
            clause.span = map.span(clause.span);
        }
        for value in &mut c.values {
            value.span = map.span(value.span);
        }
        to_js(&c)
    }

    /// The rule file with the current query, the query alone, and whether the file differs
    /// from `original` only inside the query string.
    #[wasm_bindgen(unchecked_return_type = "RuleExport")]
    pub fn export_rule(&self, original: Option<String>) -> Result<JsValue, JsError> {
        to_js(&self.inner.export_rule(original.as_deref()))
    }
}
