//! The exceptions form's JS API under node (wasm-bindgen-test-runner; natively nothing): the
//! core's rewrite of the exceptions text and the warnings, as JS sees them.
#![cfg(target_arch = "wasm32")]

use ruleplay::wasm::{self, JsSession as Session};
use serde_json::{json, Value};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::*;

fn js(v: JsValue) -> Value {
    serde_wasm_bindgen::from_value(v).expect("result converts back to JSON")
}

const EVENTS: &str = "{\"process\":{\"name\":\"sort\"}}\n{\"process\":{\"name\":\"bash\"}}\n";

#[wasm_bindgen_test]
fn form_edits_rewrite_the_text_and_warnings_name_their_entry() {
    let mut p = Session::new();
    p.set_rule("process.name:*".into(), "kql").unwrap();
    p.set_events(EVENTS.into()).unwrap();
    let item = json!({"name": "n", "entries": [
        {"field": "process.name", "type": "match", "operator": "included", "value": "so*"}]});
    let text = p.edit_exceptions("", None, Some(item.to_string())).unwrap();
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 3, "{text}");
    assert_eq!(lines[1]["entries"][0]["value"], json!("so*"));

    let report = js(p.set_exceptions(&text).unwrap());
    assert_eq!(report["count"], json!(1));
    let warnings = js(p.exception_warnings().unwrap());
    assert_eq!(
        warnings,
        json!([{"kind": "wildcard_with_is", "item": 0, "entry": [0],
            "message": warnings[0]["message"], "suggestion": "matches"}])
    );

    let removed = p.edit_exceptions(&text, Some(0), None).unwrap();
    assert_eq!(removed.lines().count(), 2, "{removed}");
    let err = p.edit_exceptions(&text, Some(4), None).unwrap_err();
    let err: JsValue = err.into();
    let message: String = err.dyn_into::<js_sys::Error>().unwrap().message().into();
    assert!(message.contains("#5"), "{message}");
    assert!(wasm::ecs_field_names().iter().any(|f| f == "process.name"));
}
