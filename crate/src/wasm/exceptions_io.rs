//! Bindings for value lists, exception-file import and export, and the rule's exception-list
//! references (`engine::Session`'s `value_lists` module).

use super::{event_errors_to_js, to_js, JsSession};
use crate::engine::ValueListInput;
use crate::event::parse::EventError;
use crate::exceptions::toml_format::Format;
use serde::Serialize;
use wasm_bindgen::prelude::*;

/// An exception file converted (to NDJSON for the exceptions editor, or for a download).
#[derive(Serialize)]
struct JsConversion {
    text: String,
    errors: Vec<EventError>,
}

fn parse_format(format: &str) -> Result<Format, JsError> {
    Format::parse(format)
        .ok_or_else(|| JsError::new(&format!("unknown format `{format}`: ndjson or toml")))
}

#[wasm_bindgen(js_class = Session)]
impl JsSession {
    /// Replace the value lists (`[{id, type, text}]`); one report per list, errors with lines.
    #[wasm_bindgen(unchecked_return_type = "ValueListReport[]")]
    pub fn set_value_lists(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "ValueListInput[]")] lists: JsValue,
    ) -> Result<JsValue, JsError> {
        // Read by hand: serde-wasm-bindgen's deserializer would be new code in the module.
        let field = |o: &JsValue, key: &str| -> Result<String, JsError> {
            js_sys::Reflect::get(o, &JsValue::from_str(key))
                .ok()
                .and_then(|v| v.as_string())
                .ok_or_else(|| JsError::new(&format!("value lists: `{key}` must be a string")))
        };
        let inputs = js_sys::Array::from(&lists)
            .iter()
            .map(|o| {
                Ok(ValueListInput {
                    id: field(&o, "id")?,
                    list_type: field(&o, "type")?,
                    text: field(&o, "text")?,
                })
            })
            .collect::<Result<Vec<_>, JsError>>()?;
        let mut reports = self.inner.set_value_lists(&inputs);
        for (r, input) in reports.iter_mut().zip(&inputs) {
            event_errors_to_js(&mut r.errors, &input.text);
        }
        to_js(&reports)
    }

    /// The exceptions as last set, as `ndjson` (Kibana's export) or `toml` (detection-rules).
    pub fn export_exceptions(&self, format: &str) -> Result<String, JsError> {
        Ok(self.inner.export_exceptions(parse_format(format)?))
    }

    /// An exception file (Kibana NDJSON or detection-rules TOML) written as `ndjson` or `toml`.
    #[wasm_bindgen(unchecked_return_type = "ExceptionConversion")]
    pub fn convert_exceptions(&self, text: &str, format: &str) -> Result<JsValue, JsError> {
        let (text_out, mut errors) = self.inner.convert_exceptions(text, parse_format(format)?);
        event_errors_to_js(&mut errors, text);
        to_js(&JsConversion {
            text: text_out,
            errors,
        })
    }

    /// The loaded rule's `[[rule.exceptions_list]]` references, with whether the exceptions
    /// given hold each list.
    #[wasm_bindgen(unchecked_return_type = "ExceptionListRef[]")]
    pub fn exception_list_refs(&self) -> Result<JsValue, JsError> {
        to_js(&self.inner.exception_list_refs())
    }
}
