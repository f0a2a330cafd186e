//! Bindings for "Copy for Dev Tools": the rule's Elasticsearch request and the console kit.

use super::{no_rule, to_js, JsSession};
use wasm_bindgen::prelude::*;

#[wasm_bindgen(js_class = Session)]
impl JsSession {
    /// The request the detection engine would send for the loaded rule, with the session's
    /// exceptions (time bounds when `time_range`); throws when there is none to build.
    #[wasm_bindgen(unchecked_return_type = "EsBuilt")]
    pub fn es_request(&self, time_range: bool) -> Result<JsValue, JsError> {
        match self.inner.es_request(time_range) {
            Some(Ok(built)) => to_js(&built),
            Some(Err(d)) => Err(JsError::new(&d.message)),
            None => Err(no_rule()),
        }
    }

    /// Kibana Dev Tools console text: a scratch index, the session's events, the request, the
    /// cleanup.
    pub fn es_kit(&self) -> Result<String, JsError> {
        match self.inner.es_kit() {
            Some(Ok(text)) => Ok(text),
            Some(Err(d)) => Err(JsError::new(&d.message)),
            None => Err(no_rule()),
        }
    }
}
