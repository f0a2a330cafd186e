//! Example folders that are exercises (`rules/<name>/exercise.md`), and the check `ruleplay test`
//! runs on every folder. An exercise asks the learner either to *predict* each event's verdict (the
//! folder's `expected.json` holds for its rule, as in any example) or to *fix* the rule or its
//! exceptions until `expected.json` holds: then `rule.toml`/`exceptions.ndjson` are the starting
//! state, which must NOT give the expected verdicts (or there is nothing to fix), and
//! `solution/rule.toml` and/or `solution/exceptions.ndjson` are a reference solution, which must.
//!
//! `exercise.md` is plain Markdown with one convention, so it reads well on GitHub too:
//!
//! ```text
//! # Title
//! kind: predict            (or: kind: fix)
//!
//! ## Task                  required: what the learner is asked to do
//! ## Hints                 optional: one hint per "- " item, shown one at a time
//! ## Why                   optional: shown once the verdicts are revealed or the fix holds
//! ```

use crate::exceptions::value_lists::ValueLists;
use std::io;

/// What an exercise asks of the learner.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Predict "alert or not" per event before the verdicts are shown.
    Predict,
    /// Edit the query, the exclusions or the exceptions until the expected verdicts hold.
    Fix,
}

/// The parts of `exercise.md`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exercise {
    pub kind: Kind,
    /// The `# ` heading, when there is one.
    pub title: Option<String>,
    pub task: String,
    pub hints: Vec<String>,
    pub why: String,
}

/// Reads `exercise.md`; the error says which part is missing or wrong (with its line).
pub fn parse(md: &str) -> Result<Exercise, String> {
    let mut kind = None;
    let mut title = None;
    let mut section: Option<&str> = None;
    let (mut task, mut hints_text, mut why) = (String::new(), String::new(), String::new());
    for (n, line) in md.lines().enumerate() {
        let trimmed = line.trim();
        if let Some(h) = trimmed.strip_prefix("## ") {
            section = Some(match h.trim().to_ascii_lowercase().as_str() {
                "task" => "task",
                "hints" | "hint" => "hints",
                "why" => "why",
                other => {
                    return Err(format!(
                        "exercise.md:{}: unknown section \"## {other}\": expected \"## Task\", \"## Hints\" or \"## Why\"",
                        n + 1
                    ))
                }
            });
            continue;
        }
        match section {
            None => {
                if let Some(t) = trimmed.strip_prefix("# ") {
                    title.get_or_insert_with(|| t.trim().to_string());
                } else if let Some(k) = trimmed.strip_prefix("kind:") {
                    kind = Some(match k.trim() {
                        "predict" => Kind::Predict,
                        "fix" => Kind::Fix,
                        other => {
                            return Err(format!(
                            "exercise.md:{}: kind is \"{other}\": expected \"predict\" or \"fix\"",
                            n + 1
                        ))
                        }
                    });
                }
            }
            Some(s) => {
                let buf = match s {
                    "task" => &mut task,
                    "hints" => &mut hints_text,
                    _ => &mut why,
                };
                buf.push_str(line);
                buf.push('\n');
            }
        }
    }
    let Some(kind) = kind else {
        return Err(
            "exercise.md: no \"kind: predict\" or \"kind: fix\" line before the first section"
                .into(),
        );
    };
    let task = task.trim().to_string();
    if task.is_empty() {
        return Err("exercise.md: the \"## Task\" section is missing or empty".into());
    }
    Ok(Exercise {
        kind,
        title,
        task,
        hints: split_items(&hints_text),
        why: why.trim().to_string(),
    })
}

/// `- item` lines, a following indented line continuing the item.
fn split_items(text: &str) -> Vec<String> {
    let mut items: Vec<String> = Vec::new();
    for line in text.lines() {
        let t = line.trim();
        if let Some(item) = t.strip_prefix("- ").or_else(|| t.strip_prefix("* ")) {
            items.push(item.trim().to_string());
        } else if let (false, Some(last)) = (t.is_empty(), items.last_mut()) {
            last.push(' ');
            last.push_str(t);
        }
    }
    items
}

/// Checks one example folder, exercise or not; `read` gives a file of the folder by its relative
/// path. Returns the problems, empty when the folder passes.
pub fn check_folder(read: &dyn Fn(&str) -> io::Result<String>) -> Vec<String> {
    check_folder_with_lists(read, &ValueLists::new())
}

/// [`check_folder`] with value lists for the exceptions' `list` entries (`ruleplay test
/// --value-list`).
pub fn check_folder_with_lists(
    read: &dyn Fn(&str) -> io::Result<String>,
    lists: &ValueLists,
) -> Vec<String> {
    let optional = |f: &str| match read(f) {
        Ok(s) => Ok(Some(s)),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(format!("{f}: {e}")),
    };
    let (rule, events, expected) = match (
        read("rule.toml"),
        read("events.ndjson"),
        read("expected.json"),
    ) {
        (Ok(r), Ok(e), Ok(x)) => (r, e, x),
        (r, e, x) => {
            return [
                ("rule.toml", r.err()),
                ("events.ndjson", e.err()),
                ("expected.json", x.err()),
            ]
            .into_iter()
            .filter_map(|(f, err)| err.map(|err| format!("{f}: {err}")))
            .collect()
        }
    };
    let files = (
        optional("exceptions.ndjson"),
        optional("exercise.md"),
        optional("solution/rule.toml"),
        optional("solution/exceptions.ndjson"),
    );
    let (Ok(exceptions), Ok(exercise), Ok(sol_rule), Ok(sol_exceptions)) = files else {
        let (a, b, c, d) = files;
        return [a.err(), b.err(), c.err(), d.err()]
            .into_iter()
            .flatten()
            .collect();
    };
    let start =
        || super::check_example_with_lists(&rule, &events, &expected, exceptions.as_deref(), lists);
    let Some(md) = exercise else {
        if sol_rule.is_some() || sol_exceptions.is_some() {
            return vec![
                "solution/ is only for exercises: add an exercise.md with \"kind: fix\"".into(),
            ];
        }
        return start();
    };
    let ex = match parse(&md) {
        Ok(ex) => ex,
        Err(e) => return vec![e],
    };
    match ex.kind {
        Kind::Predict => {
            let mut problems = start();
            if sol_rule.is_some() || sol_exceptions.is_some() {
                problems.push("a \"kind: predict\" exercise has no solution/ folder: the learner predicts the verdicts of rule.toml itself".into());
            }
            problems
        }
        Kind::Fix => {
            if sol_rule.is_none() && sol_exceptions.is_none() {
                return vec!["a \"kind: fix\" exercise needs solution/rule.toml or solution/exceptions.ndjson (the reference solution)".into()];
            }
            let sol_rule = sol_rule.as_deref().unwrap_or(&rule);
            let sol_exc = sol_exceptions.as_deref().or(exceptions.as_deref());
            let mut problems: Vec<String> =
                super::check_example_with_lists(sol_rule, &events, &expected, sol_exc, lists)
                    .into_iter()
                    .map(|p| format!("solution: {p}"))
                    .collect();
            if start().is_empty() {
                problems.push("the starting state (rule.toml, exceptions.ndjson) already gives the expected verdicts: there is nothing to fix".into());
            }
            problems
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    const RULE: &str = "[rule]\ntype = 'query'\nlanguage = 'kuery'\nquery = 'process.name:bash and not user.name:(root)'\n";
    const FIXED: &str = "[rule]\ntype = 'query'\nlanguage = 'kuery'\nquery = 'process.name:bash'\n";
    const EVENTS: &str = "{\"process\":{\"name\":\"bash\"},\"user\":{\"name\":\"root\"}}\n{\"process\":{\"name\":\"sh\"}}\n";
    const EXPECTED: &str = r#"{"verdicts": ["alert", "no_match"]}"#;

    fn folder(files: &[(&str, &str)]) -> Vec<String> {
        let map: HashMap<String, String> = files
            .iter()
            .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
            .collect();
        check_folder(&|f: &str| {
            map.get(f)
                .cloned()
                .ok_or_else(|| io::Error::from(io::ErrorKind::NotFound))
        })
    }

    #[test]
    fn parses_the_sections() {
        let ex = parse("# Fix it\nkind: fix\n\n## Task\nMake #0 alert.\n\n## Hints\n- look at\n  the list\n- second\n\n## Why\nBecause.\n").unwrap();
        assert_eq!(ex.kind, Kind::Fix);
        assert_eq!(ex.title.as_deref(), Some("Fix it"));
        assert_eq!(ex.task, "Make #0 alert.");
        assert_eq!(ex.hints, ["look at the list", "second"]);
        assert_eq!(ex.why, "Because.");
    }

    #[test]
    fn refuses_a_missing_kind_task_or_an_unknown_section() {
        assert!(parse("## Task\nx\n").unwrap_err().contains("kind"));
        assert!(parse("kind: guess\n## Task\nx\n")
            .unwrap_err()
            .contains("\"predict\" or \"fix\""));
        assert!(parse("kind: fix\n## Task\n\n")
            .unwrap_err()
            .contains("Task"));
        assert!(parse("kind: fix\n## Task\nx\n## Answer\n")
            .unwrap_err()
            .contains("exercise.md:4"));
    }

    #[test]
    fn a_fix_exercise_needs_a_solution_that_works_and_a_start_that_does_not() {
        let md = "kind: fix\n## Task\nMake root's bash alert.\n";
        let base = [
            ("rule.toml", RULE),
            ("events.ndjson", EVENTS),
            ("expected.json", EXPECTED),
            ("exercise.md", md),
        ];
        assert!(folder(&base)[0].contains("needs solution/"));
        let good = [&base[..], &[("solution/rule.toml", FIXED)]].concat();
        assert_eq!(folder(&good), Vec::<String>::new());
        // A "solution" that is the starting rule does not reach the verdicts.
        let wrong = [&base[..], &[("solution/rule.toml", RULE)]].concat();
        assert!(folder(&wrong)
            .iter()
            .any(|p| p.starts_with("solution: event 0")));
        // A start that already passes has nothing to fix.
        let nothing = [
            ("rule.toml", FIXED),
            ("events.ndjson", EVENTS),
            ("expected.json", EXPECTED),
            ("exercise.md", md),
            ("solution/rule.toml", FIXED),
        ];
        assert!(folder(&nothing)[0].contains("nothing to fix"));
    }

    #[test]
    fn a_predict_exercise_is_checked_like_an_example() {
        let md = "kind: predict\n## Task\nAlert or not?\n";
        let files = [
            ("rule.toml", FIXED),
            ("events.ndjson", EVENTS),
            ("expected.json", EXPECTED),
            ("exercise.md", md),
        ];
        assert_eq!(folder(&files), Vec::<String>::new());
        let stray = [&files[..], &[("solution/rule.toml", FIXED)]].concat();
        assert!(folder(&stray)[0].contains("no solution/"));
        let wrong = [
            ("rule.toml", RULE),
            ("events.ndjson", EVENTS),
            ("expected.json", EXPECTED),
            ("exercise.md", md),
        ];
        assert!(folder(&wrong)[0].starts_with("event 0"));
        // Not an exercise: a solution/ folder is a mistake.
        let plain = [
            ("rule.toml", FIXED),
            ("events.ndjson", EVENTS),
            ("expected.json", EXPECTED),
            ("solution/rule.toml", FIXED),
        ];
        assert!(folder(&plain)[0].contains("only for exercises"));
    }
}
