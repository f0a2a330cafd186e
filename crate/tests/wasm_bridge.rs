//! The Elasticsearch bridge's bindings from wasm (`npm test` runs it with
//! wasm-bindgen-test-runner; natively this file compiles to nothing): a Kibana export with two
//! rules asks which, a choice converts with its exceptions, the session exports for Kibana and
//! names the hit an event came from.
#![cfg(target_arch = "wasm32")]

use ruleplay::wasm::{is_kibana_rule, kibana_rule, JsSession as Session};
use serde_json::Value;
use wasm_bindgen::JsValue;
use wasm_bindgen_test::*;

fn js(v: JsValue) -> Value {
    serde_wasm_bindgen::from_value(v).expect("result converts back to JSON")
}

const EXPORT: &str = concat!(
    r#"{"rule_id":"r1","name":"One","type":"query","language":"kuery","query":"process.name:bash","description":"d","risk_score":21,"severity":"low","exceptions_list":[{"id":"e","list_id":"l1","namespace_type":"single","type":"detection"}]}"#,
    "\n",
    r#"{"rule_id":"r2","name":"Two","type":"eql","language":"eql","query":"process where true","description":"d","risk_score":21,"severity":"low"}"#,
    "\n",
    r#"{"list_id":"l1","name":"L","type":"detection","namespace_type":"single","description":""}"#,
    "\n",
    r#"{"list_id":"l1","item_id":"i","name":"sort","type":"simple","namespace_type":"single","description":"","entries":[{"field":"process.parent.name","operator":"included","type":"match","value":"postfix"}]}"#,
    "\n",
);

#[wasm_bindgen_test]
fn a_kibana_export_converts_after_a_choice() {
    assert!(is_kibana_rule(EXPORT));
    let r = js(kibana_rule(EXPORT, None).expect("answers"));
    assert_eq!(r["ok"], false);
    assert_eq!(r["choices"][1]["name"], "Two");
    let r = js(kibana_rule(EXPORT, Some(0)).expect("answers"));
    assert_eq!(r["ok"], true);
    let toml = r["toml"].as_str().expect("toml");
    assert!(toml.contains("rule_id = \"r1\""), "{toml}");
    let exceptions = r["exceptions"].as_str().expect("exceptions");
    assert_eq!(exceptions.lines().count(), 2);

    let mut s = Session::new();
    s.set_rule(toml.to_string(), "toml").expect("loads");
    s.set_exceptions(exceptions).expect("reads");
    let response = r#"{"took":1,"hits":{"hits":[{"_index":"i","_id":"a1","_source":{"process":{"name":"bash","parent":{"name":"postfix"}}}}]}}"#;
    let report = js(s.set_events(JsValue::from_str(response)).expect("events"));
    assert_eq!(report["format"], "search");
    assert_eq!(s.event_origin(0).as_deref(), Some("hit 1 (_id a1)"));
    let nd = s.export_kibana().expect("a rule file");
    assert_eq!(nd.lines().count(), 4, "{nd}");
    let bad = js(kibana_rule("{\"rule_id\": x}", None).expect("answers"));
    assert_eq!(bad["ok"], false);
    assert_eq!(bad["diagnostics"][0]["line"], 1);
}
