//! Any input: parsing and compiling never panic; a compiled query evaluates and explains a small
//! event without panicking, and both give the same verdict.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(src) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(q) = ruleplay::kql::compile(src) else {
        return;
    };
    let event = serde_json::json!({
        "a": ["b", 1, {"c": "d"}], "message": "Hello world", "source": {"ip": "10.0.0.1"},
        "process.pid": 42, "@timestamp": "2024-01-01T00:00:00Z", "x": {"y": [{"z": "w"}]}
    });
    let m = q.matches(&event, 1_700_000_000_000);
    assert_eq!(m, q.explain(&event, 1_700_000_000_000).verdict.is_true());
});
