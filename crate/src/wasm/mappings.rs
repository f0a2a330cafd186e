//! `Session.set_mappings`: the page's Mappings panel (issue 13, §5).

use super::{to_js, JsSession};
use wasm_bindgen::prelude::*;

#[wasm_bindgen(js_class = Session)]
impl JsSession {
    /// Elasticsearch mappings whose field types override ECS (`GET index/_mapping` JSON, an
    /// index template's `mappings`); empty text means ECS only. The rule is compiled again.
    #[wasm_bindgen(unchecked_return_type = "MappingsReport")]
    pub fn set_mappings(&mut self, text: &str) -> Result<JsValue, JsError> {
        to_js(&self.inner.set_mappings(text))
    }
}
