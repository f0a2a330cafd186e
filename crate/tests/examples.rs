//! Every example of the repository's `rules/` folder gives the verdicts its `expected.json`
//! states (the same check as `ruleplay test rules/`).

use std::path::Path;

const RULES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../rules");

#[test]
fn every_example_passes() {
    let root = Path::new(RULES);
    let mut dirs: Vec<_> = std::fs::read_dir(root)
        .expect("the rules/ folder exists")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.join("rule.toml").is_file())
        .collect();
    dirs.sort();
    assert!(!dirs.is_empty(), "no examples in {RULES}");
    let mut failures = Vec::new();
    for d in &dirs {
        let read = |f: &str| std::fs::read_to_string(d.join(f));
        let name = d.file_name().unwrap_or_default().to_string_lossy();
        let (Ok(rule), Ok(events), Ok(expected)) = (
            read("rule.toml"),
            read("events.ndjson"),
            read("expected.json"),
        ) else {
            failures.push(format!(
                "{name}: rule.toml, events.ndjson and expected.json are required"
            ));
            continue;
        };
        let exceptions = read("exceptions.ndjson").ok();
        for p in ruleplay::engine::check_example(&rule, &events, &expected, exceptions.as_deref()) {
            failures.push(format!("{name}: {p}"));
        }
    }
    eprintln!("{} examples checked", dirs.len());
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
