//! Any rule file text: loading never panics; a loaded rule runs over a few events, explains each
//! verdict and agrees with itself. Exception-list imports of the same bytes never panic either.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ruleplay::engine::{self, Lang, RunOptions};

fuzz_target!(|data: &[u8]| {
    let Ok(src) = std::str::from_utf8(data) else {
        return;
    };
    let imported = ruleplay::exceptions::import_ndjson(src);
    let Ok(loaded) = engine::load(src, Lang::Toml) else {
        return;
    };
    let events = vec![
        serde_json::json!({"@timestamp": "2024-01-01T00:00:00Z", "process": {"name": "a", "parent": {"name": "exim4"}}, "host": {"os": {"type": "linux"}}}),
        serde_json::json!({"@timestamp": "2024-01-20T00:00:00Z", "process": {"name": ["a", "b"]}, "event": {"type": ["start"]}}),
        serde_json::json!({"process.name": "a", "host.id": 1}),
    ];
    let opts = RunOptions {
        now: Some(1_725_300_000_000),
        exceptions: imported.items,
        skip_misses: false,
        ..Default::default()
    };
    let r = loaded.run(&events, &opts);
    assert_eq!(r.events.len(), events.len());
    for i in 0..events.len() {
        let x = loaded
            .explain_run(&events, &r, i, &opts)
            .expect("an explanation per event");
        assert_eq!(x.status, r.events[i].status);
    }
});
