//! Bindings for sharing: redaction before sharing (with its verdict check) and the example-folder
//! export. The session's own events stay as they are.

use super::{to_js, JsSession};
use wasm_bindgen::prelude::*;

#[wasm_bindgen(js_class = Session)]
impl JsSession {
    /// The batch's fields offered for redaction, pre-checked by category.
    #[wasm_bindgen(unchecked_return_type = "RedactionChoice[]")]
    pub fn redaction_choices(&self) -> Result<JsValue, JsError> {
        to_js(&self.inner.redaction_choices())
    }

    /// The events with `fields` redacted, the verdict check and the literal warnings.
    #[wasm_bindgen(unchecked_return_type = "RedactReport")]
    pub fn redact(&self, fields: Vec<String>) -> Result<JsValue, JsError> {
        to_js(&self.inner.redact(&fields))
    }

    /// The session as an example folder (over `events` when given: the redacted events of a
    /// share); `null` without a loaded rule.
    #[wasm_bindgen(unchecked_return_type = "ExampleFolder | null")]
    pub fn example_folder(
        &self,
        title: &str,
        events: Option<String>,
        exceptions: &str,
    ) -> Result<JsValue, JsError> {
        match self
            .inner
            .example_folder(title, events.as_deref(), exceptions)
        {
            Some(folder) => to_js(&folder),
            None => Ok(JsValue::NULL),
        }
    }
}
