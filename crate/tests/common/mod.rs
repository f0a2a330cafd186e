//! The published detection-rules corpus, read from `../shared` (beside the repository) by the
//! conformance tests and the KQL bench. It is third-party data and never copied into the repo:
//! every helper returns `None` when it is absent so callers can skip with a visible message.
#![allow(dead_code)] // each test crate uses a subset

use std::path::{Path, PathBuf};

pub const DETECTION_RULES: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../shared/corpus/detection-rules"
);

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

/// Every rule file of the corpus, sorted; `None` when the corpus is absent.
pub fn rule_files() -> Option<Vec<PathBuf>> {
    let root = Path::new(DETECTION_RULES);
    root.is_dir().then(|| toml_files(root))
}

/// `(file, query)` for every rule of the corpus written in `language` (`"kuery"`, `"eql"`),
/// under `rules/` and `rules_building_block/`; `None` when the corpus is absent. Panics on a
/// file that is not TOML (every published rule file is).
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
