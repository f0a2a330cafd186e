//! Kibana's exception-list export format, read and written back: `../shared/corpus/
//! exceptions_example.ndjson` (a real export, third-party data read in place). Without
//! `../shared` the test fails under CI and skips with a message otherwise.

use ruleplay::exceptions::{export_ndjson, import_ndjson};
use serde_json::Value;

mod common;

#[test]
fn kibana_export_round_trip() {
    let Some(path) = common::shared("exceptions_export", "corpus/exceptions_example.ndjson") else {
        return;
    };
    let text = std::fs::read_to_string(path).expect("read the export");
    let imp = import_ndjson(&text);
    assert!(imp.errors.is_empty(), "{:?}", imp.errors);
    assert_eq!(imp.lists.len(), 1);
    assert_eq!(imp.items.len(), 6);
    assert!(imp.summary.is_some());
    let again = import_ndjson(&export_ndjson(&imp.lists, &imp.items));
    assert_eq!(again.items, imp.items);
    assert_eq!(again.lists, imp.lists);
    // Every original key survives the round trip.
    let orig: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect();
    let back: Vec<Value> = export_ndjson(&imp.lists, &imp.items)
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect();
    assert_eq!(orig[1..7], back[1..7]);
}
