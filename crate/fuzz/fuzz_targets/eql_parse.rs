//! Any input: the EQL parser returns a query or a diagnostic whose spans lie inside the input,
//! never panics; a query that parses also compiles, evaluates and explains without panicking.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(src) = std::str::from_utf8(data) else {
        return;
    };
    match ruleplay::eql::parse(src) {
        Ok(_) => {
            if let Ok(q) = ruleplay::eql::compile(src) {
                let ev = serde_json::json!({"event": {"category": ["process"]},
                    "process": {"name": "a.exe", "args": ["x", "C:\\Users\\b"], "pid": 4}});
                let m = q.matches(&ev);
                assert_eq!(m, q.explain(&ev).verdict.is_true());
            }
        }
        Err(d) => {
            assert!(d.span.start <= d.span.end && d.span.end <= src.len());
            let _ = d.render(src);
        }
    }
});
