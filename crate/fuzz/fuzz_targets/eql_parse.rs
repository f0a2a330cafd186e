//! Any input: the EQL parser returns a query or a diagnostic whose spans lie inside the input,
//! never panics; a query that parses also compiles, evaluates and explains without panicking,
//! and the event view (`EventTable`) gives the same verdict as the JSON path on every event.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ruleplay::event::EventTable;
use serde_json::{json, Value};
use std::sync::OnceLock;

/// Events with the shapes the two paths could disagree on: dotted and nested keys mixed, arrays
/// of objects, nulls, numbers as strings, a long keyword, non-ASCII text.
fn events() -> &'static (Vec<Value>, EventTable) {
    static EVENTS: OnceLock<(Vec<Value>, EventTable)> = OnceLock::new();
    EVENTS.get_or_init(|| {
        let evs = vec![
            json!({"event": {"category": ["process"]},
                "process": {"name": "a.exe", "args": ["x", "C:\\Users\\b"], "pid": 4}}),
            json!({"event.category": "process", "process.name": "A.EXE", "process": {"pid": "4",
                "parent": {"name": "Foxmail.exe"}}, "host.os.type": "windows"}),
            json!({"event": {"category": ["network", "process"], "type": [null, "start"]},
                "process": [{"name": "b"}, {"name": "ü.exe", "args": []}], "user": {"name": null}}),
            json!({"event": {"category": "file"}, "file": {"path": "x".repeat(1100), "size": 1.5},
                "destination": {"ip": "10.1.2.3", "port": 443}, "process": {"pid": -1}}),
            json!({}),
        ];
        let table = EventTable::new(&evs).expect("a small table");
        (evs, table)
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(src) = std::str::from_utf8(data) else {
        return;
    };
    match ruleplay::eql::parse(src) {
        Ok(_) => {
            if let Ok(q) = ruleplay::eql::compile(src) {
                let (evs, table) = events();
                let b = q.bind(table);
                let batch = q.matching_rows(&b);
                for (row, ev) in evs.iter().enumerate() {
                    let m = q.matches(ev);
                    assert_eq!(m, q.explain(ev).verdict.is_true());
                    if q.is_event_query() {
                        assert_eq!(m, q.matches_row(&b, row), "table vs JSON on event {row}");
                        assert_eq!(m, batch[row], "batch vs JSON on event {row}");
                    }
                }
            }
        }
        Err(d) => {
            assert!(d.span.start <= d.span.end && d.span.end <= src.len());
            let _ = d.render(src);
        }
    }
});
