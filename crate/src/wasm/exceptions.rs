//! The exceptions form's bindings: warnings and the core's rewrite of the exceptions text.

use super::{to_js, JsSession};
use wasm_bindgen::prelude::*;

#[wasm_bindgen(js_class = Session)]
impl JsSession {
    /// Kibana's warnings about the exception items as last set (see `exceptions::warnings`).
    #[wasm_bindgen(unchecked_return_type = "ExceptionWarning[]")]
    pub fn exception_warnings(&self) -> Result<JsValue, JsError> {
        to_js(&self.inner.exception_warnings())
    }

    /// `text` with one exception item set (`index` and `item`, the item's JSON), added (`item`
    /// only) or removed (`index` only), other lines' bytes kept; the session is unchanged.
    pub fn edit_exceptions(
        &self,
        text: &str,
        index: Option<u32>,
        item: Option<String>,
    ) -> Result<String, JsError> {
        self.inner
            .edit_exceptions(text, index.map(|i| i as usize), item.as_deref())
            .map_err(|e| JsError::new(&e))
    }
}

/// Every ECS field name, for the form's field completion (after the events' own fields).
#[wasm_bindgen]
pub fn ecs_field_names() -> Vec<String> {
    crate::event::ecs::ecs_field_names()
        .map(str::to_string)
        .collect()
}
