//! Third-party material the conformance tests read in place from `../shared` (beside the
//! repository; never copied into it): the published detection-rules corpus, the EQL conformance
//! suites and the seed rules. Also walked by the KQL bench.
//!
//! A conformance test that finds its material missing must not pass silently: [`shared`] fails
//! it when the `CI` environment variable is set, and otherwise (a fresh clone without
//! `../shared`) prints a SKIP line and lets the test return. `npm test` prints the same note
//! before the cargo tests, because cargo hides the output of passing tests.
#![allow(dead_code)] // each test crate uses a subset

use std::path::{Path, PathBuf};

pub const SHARED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared");

pub const DETECTION_RULES: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../shared/corpus/detection-rules"
);

/// Whether this run is CI's: `CI` is set to anything but empty, `0` or `false` (CI services set
/// `CI=true`; `.ci/run` and `npm test` under CI inherit it).
pub fn under_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !matches!(v.trim(), "" | "0" | "false"))
}

/// `../shared/<rel>` when it exists. When it does not, the test `test` fails under CI, and
/// otherwise prints a SKIP line and gets `None` (the caller returns: it checked nothing).
#[track_caller]
pub fn shared(test: &str, rel: &str) -> Option<PathBuf> {
    let path = Path::new(SHARED).join(rel);
    if path.exists() {
        return Some(path);
    }
    let what = format!("{test}: {} is absent", path.display());
    assert!(
        !under_ci(),
        "{what}. CI is set, so this conformance test may not skip: provide ../shared beside the repository"
    );
    eprintln!("SKIP {what}: not checked (with CI set, this fails)");
    None
}

/// Every `.toml` file under `dir`, recursively, sorted.
pub fn toml_files(dir: &Path) -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "toml") {
                out.push(path);
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, &mut out);
    out.sort();
    out
}

/// Every rule file of the corpus, sorted, for the test `test`; `None` when it must skip (see
/// [`shared`]).
pub fn corpus_rule_files(test: &str) -> Option<Vec<PathBuf>> {
    let root = shared(test, "corpus/detection-rules")?;
    Some(toml_files(&root))
}

/// Every rule file of the corpus, sorted; `None` when the corpus is absent (no SKIP policy:
/// tests go through [`corpus_rule_files`]).
pub fn rule_files() -> Option<Vec<PathBuf>> {
    let root = Path::new(DETECTION_RULES);
    root.is_dir().then(|| toml_files(root))
}

/// [`queries`] for the test `test`; `None` when it must skip (see [`shared`]).
pub fn corpus_queries(test: &str, language: &str) -> Option<Vec<(PathBuf, String)>> {
    shared(test, "corpus/detection-rules")?;
    queries(language)
}

/// `(file, query)` for every rule of the corpus written in `language` (`"kuery"`, `"eql"`),
/// under `rules/` and `rules_building_block/`; `None` when the corpus is absent (the benches skip
/// then; tests go through [`corpus_queries`]). Panics on a file that is not TOML (every published
/// rule file is).
pub fn queries(language: &str) -> Option<Vec<(PathBuf, String)>> {
    let root = Path::new(DETECTION_RULES);
    if !root.is_dir() {
        return None;
    }
    let mut out = Vec::new();
    for sub in ["rules", "rules_building_block"] {
        for file in toml_files(&root.join(sub)) {
            let text = std::fs::read_to_string(&file).expect("readable rule file");
            let doc: toml::Table = match text.parse() {
                Ok(doc) => doc,
                Err(e) => panic!("{}: not TOML: {e}", file.display()),
            };
            let Some(rule) = doc.get("rule").and_then(|r| r.as_table()) else {
                continue;
            };
            if rule.get("language").and_then(|l| l.as_str()) != Some(language) {
                continue;
            }
            if let Some(q) = rule.get("query").and_then(|q| q.as_str()) {
                out.push((file, q.to_string()));
            }
        }
    }
    Some(out)
}

/// One step of a xorshift64 generator: small, deterministic test data, so failures reproduce.
pub fn xorshift(state: &mut u64) -> u64 {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    *state
}

/// The example folders under `rules/` (those with a rule.toml), sorted.
pub fn example_dirs() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../rules");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(root)
        .expect("rules/ exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join("rule.toml").exists())
        .collect();
    dirs.sort();
    dirs
}

/// A file of an example folder, if it has one.
pub fn example_file(dir: &Path, file: &str) -> Option<String> {
    std::fs::read_to_string(dir.join(file)).ok()
}
