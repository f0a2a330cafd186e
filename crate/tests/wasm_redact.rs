//! The sharing bindings (`crate/src/wasm/redact.rs`) in wasm: what crosses to the page for the
//! redaction step and the example-folder export. Run with `wasm-bindgen-test-runner` (npm test).
#![cfg(target_arch = "wasm32")]

use ruleplay::wasm::JsSession as Session;
use serde_json::{json, Value};
use wasm_bindgen::JsValue;
use wasm_bindgen_test::*;

fn js(v: JsValue) -> Value {
    serde_wasm_bindgen::from_value(v).unwrap()
}

fn session() -> Session {
    let mut s = Session::new();
    s.pin_now(Some(1_700_000_000_000.0));
    s.set_rule("user.name:root and host.name:*".into(), "kql")
        .unwrap();
    s.set_events(
        "{\"user\":{\"name\":\"root\"},\"host\":{\"name\":\"db-1\"},\"source\":{\"ip\":\"10.9.8.7\"}}\n{\"user\":{\"name\":\"alice\"},\"host\":{\"name\":\"db-1\"}}\n"
            .into(),
    )
    .unwrap();
    s
}

#[wasm_bindgen_test]
fn redaction_crosses_as_plain_objects() {
    let s = session();
    let choices = js(s.redaction_choices().unwrap());
    assert_eq!(
        choices[0],
        json!({"field": "host.name", "category": "host", "default": true})
    );
    let r = js(s
        .redact(vec!["host.name".into(), "source.ip".into()])
        .unwrap());
    let text = r["redaction"]["text"].as_str().unwrap();
    assert!(text.contains("\"host-1\"") && text.contains("\"10.0.0.1\"") && !text.contains("db-1"));
    assert_eq!(r["check"]["changes"], json!([]));
    assert_eq!(r["check"]["after"], json!(["alert", "no_match"]));
    let r = js(s.redact(vec!["user.name".into()]).unwrap());
    assert_eq!(r["check"]["changes"][0]["fields"], json!(["user.name"]));
    assert_eq!(r["literals"][0]["place"], json!("rule"));
}

#[wasm_bindgen_test]
fn the_example_folder_crosses_with_its_files() {
    let s = session();
    let folder = js(s.example_folder("t", None, "").unwrap());
    assert_eq!(folder["problems"], json!([]));
    assert_eq!(folder["files"][1][0], json!("rule.toml"));
    assert_eq!(
        folder["files"][3][1],
        json!("{\"verdicts\": [\"alert\", \"no_match\"], \"now\": \"2023-11-14T22:13:20.000Z\"}\n")
    );
    assert!(Session::new()
        .example_folder("t", None, "")
        .unwrap()
        .is_null());
}
