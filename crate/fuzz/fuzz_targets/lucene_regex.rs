//! Any pattern and text (split at the first NUL byte): the Lucene regex compiler returns a
//! program or a message, never panics, and matching runs to completion (libFuzzer's -timeout
//! catches a non-linear blow-up).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(src) = std::str::from_utf8(data) else {
        return;
    };
    let (pattern, text) = src.split_once('\0').unwrap_or((src, "abc"));
    for ci in [false, true] {
        if let Ok(re) = ruleplay::eql::regex::compile(pattern, ci) {
            let _ = re.is_match(text);
            let _ = re.is_match("");
        }
    }
});
