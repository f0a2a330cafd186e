//! The "Exclude this" bindings from wasm (`npm test` runs it with wasm-bindgen-test-runner;
//! natively this file compiles to nothing): previews keep nothing, coverage spans are UTF-16, the
//! diff and the export cross as plain objects.
#![cfg(target_arch = "wasm32")]

use ruleplay::wasm::{verdict_diff, JsSession as Session};
use serde_json::{json, Value};
use wasm_bindgen::JsValue;
use wasm_bindgen_test::*;

fn js(v: JsValue) -> Value {
    serde_wasm_bindgen::from_value(v).expect("result converts back to JSON")
}

const EVENTS: &str = r#"{"process":{"name":"bash","executable":"/bin/bash","parent":{"name":"exim4"}}}
{"process":{"name":"sort","executable":"/usr/bin/sort","parent":{"name":"exim4"}}}
"#;

const RULE: &str = r#"[metadata]
creation_date = "2024/01/01"

[rule]
name = "Child of exim4 — café ✉"
description = "d"
rule_id = "00000000-0000-0000-0000-000000000000"
type = "query"
language = "kuery"
risk_score = 47
severity = "medium"
query = '''
process.parent.name:exim4 and not process.name:(sort or cppcheck)
'''
"#;

fn session() -> Session {
    let mut s = Session::new();
    s.pin_now(Some(1_700_000_000_000.0));
    assert_eq!(
        js(s.set_rule(RULE.into(), "toml").unwrap())["ok"],
        json!(true)
    );
    js(s.set_events(EVENTS.into()).unwrap());
    s
}

#[wasm_bindgen_test]
fn previews_report_the_change_and_keep_nothing() {
    let mut s = session();
    let p = js(s
        .preview_exception(r#"[{"field":"process.executable","values":["/bin/bash"]}]"#)
        .unwrap());
    assert_eq!(p["ok"], json!(true), "{p}");
    assert_eq!(p["diff"]["removed"], json!([0]));
    assert_eq!(
        p["diff"]["sentence"],
        json!("removes 1 alert (#0); no other verdict changes")
    );
    assert!(p["line"].as_str().unwrap().contains("/bin/bash"));
    let p = js(s
        .preview_exclusion("process.name".into(), vec!["bash".into()])
        .unwrap());
    assert!(p["text"]
        .as_str()
        .unwrap()
        .contains("sort or cppcheck or bash"));
    // Nothing was kept: the same preview again says the same.
    let again = js(s
        .preview_exception(r#"[{"field":"process.executable","values":["/bin/bash"]}]"#)
        .unwrap());
    assert_eq!(again["diff"]["removed"], json!([0]));
    assert!(s.preview_exception("not json").is_err());
}

#[wasm_bindgen_test]
fn coverage_spans_count_utf16_units() {
    let mut s = session();
    let c = loop {
        let v = s.coverage_step(1).unwrap();
        if !v.is_null() {
            break js(v);
        }
    };
    let at = RULE.find("cppcheck").unwrap();
    let start = RULE[..at].encode_utf16().count();
    let value = c["values"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["value"] == json!("cppcheck"))
        .expect("cppcheck covered");
    assert_eq!(value["span"]["start"], json!(start));
    assert_eq!(
        value["flag"],
        json!("cppcheck excludes no event in this sample")
    );
}

#[wasm_bindgen_test]
fn the_diff_offer_and_export_cross_as_plain_objects() {
    let s = session();
    let d = js(verdict_diff(&[3, 0], &[0, 0]).unwrap());
    assert_eq!(d["added"], json!([0]));
    assert_eq!(d["short"], json!("+1 alert"));
    let offer = js(s
        .exclude_offer(0, Some("process.executable".into()))
        .unwrap());
    assert_eq!(offer["fields"][0]["values"], json!(["/bin/bash"]));
    assert!(s.exclude_offer(9, None).unwrap().is_null());
    let x = js(s.export_rule(Some(RULE.into())).unwrap());
    assert_eq!(x["only_query_changed"], json!(true));
    assert_eq!(x["toml"], json!(RULE));
}
