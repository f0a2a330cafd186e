//! Every example of the repository's `rules/` folder gives the verdicts its `expected.json`
//! states, and every exercise's reference solution reaches them while its start does not (the
//! same check as `ruleplay test rules/`).

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
        let name = d.file_name().unwrap_or_default().to_string_lossy();
        let read = |f: &str| std::fs::read_to_string(d.join(f));
        for p in ruleplay::engine::exercise::check_folder(&read) {
            failures.push(format!("{name}: {p}"));
        }
    }
    eprintln!("{} examples checked", dirs.len());
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The library ships exercises of both kinds (issue 12 §4 asks for at least four).
#[test]
fn the_library_has_exercises_of_both_kinds() {
    let mut kinds = Vec::new();
    for entry in std::fs::read_dir(RULES)
        .expect("the rules/ folder exists")
        .flatten()
    {
        let Ok(md) = std::fs::read_to_string(entry.path().join("exercise.md")) else {
            continue;
        };
        match ruleplay::engine::exercise::parse(&md) {
            Ok(ex) => kinds.push(ex.kind),
            Err(e) => panic!("{}: {e}", entry.path().display()),
        }
    }
    use ruleplay::engine::exercise::Kind;
    assert!(kinds.len() >= 4, "{kinds:?}");
    assert!(
        kinds.contains(&Kind::Predict) && kinds.contains(&Kind::Fix),
        "{kinds:?}"
    );
}
