//! The session as an example folder (`rules/<name>/`'s format): `rule.toml`, `events.ndjson`,
//! `expected.json` from the current verdicts, `README.md`, and `exceptions.ndjson` when there are
//! exceptions, so that a shared case becomes a test (`ruleplay test`). The folder is checked here
//! the way `ruleplay test` checks it before it is handed out.

use super::*;
use crate::engine::check_example;
use crate::time::format_millis;
use std::fmt::Write as _;

/// The files of an example folder.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ExampleFolder {
    /// (file name, text), in the order a reader wants them.
    pub files: Vec<(String, String)>,
    /// What `ruleplay test` would report on the folder: empty when it passes.
    pub problems: Vec<String>,
    /// Lines of the events text that are not events, left out of `events.ndjson`.
    pub skipped: usize,
}

impl Session {
    /// The session as an example folder named `title`, over `events` when given (the redacted
    /// events of a share) else the session's own, with the exceptions export `exceptions` (the
    /// text the session's exceptions came from). `None` without a loaded rule.
    pub fn example_folder(
        &self,
        title: &str,
        events: Option<&str>,
        exceptions: &str,
    ) -> Option<ExampleFolder> {
        let loaded = self.loaded.as_ref()?;
        let own;
        let parsed = match events {
            Some(text) => {
                own = read_events(text);
                &own
            }
            None => &self.parsed,
        };
        let text = events.unwrap_or(&self.text);
        let mut ndjson = String::new();
        for span in &parsed.spans {
            if let Some(event) = text.get(span.start..span.end) {
                ndjson.push_str(&layout::compact(event));
                ndjson.push('\n');
            }
        }
        let opts = self.options(true);
        let result = loaded.run(&parsed.events, &opts);
        let rule = match loaded.lang() {
            Lang::Toml => self.source.clone(),
            lang => bare_query_rule(title, &self.source, lang)?,
        };
        let expected = expected_json(&result, loaded, &parsed.events, opts.now);
        let exceptions = (!exceptions.trim().is_empty()).then(|| exceptions.to_string());
        let readme = readme(title, self.rule(), loaded, &result, exceptions.is_some());
        let problems = check_example(&rule, &ndjson, &expected, exceptions.as_deref());
        let mut files = vec![
            ("README.md".to_string(), readme),
            ("rule.toml".to_string(), rule),
            ("events.ndjson".to_string(), ndjson),
            ("expected.json".to_string(), expected),
        ];
        if let Some(x) = exceptions {
            files.push(("exceptions.ndjson".to_string(), x));
        }
        Some(ExampleFolder {
            files,
            problems,
            skipped: parsed.errors.len(),
        })
    }
}

/// A bare query as the smallest rule that evaluates it the same way: a `query` (KQL) or `eql`
/// rule, whose every match alerts.
fn bare_query_rule(title: &str, query: &str, lang: Lang) -> Option<String> {
    let (rule_type, language) = match lang {
        Lang::Eql => ("eql", "eql"),
        _ => ("query", "kuery"),
    };
    let name = serde_json::to_string(title).ok()?;
    let template = format!(
        "# A bare {} query from ruleplay, as the smallest rule that runs it: every match alerts.\n\
         [rule]\nname = {name}\ntype = \"{rule_type}\"\nlanguage = \"{language}\"\nquery = \"\"\"\nx\"\"\"\n",
        if lang == Lang::Eql { "EQL" } else { "KQL" }
    );
    set_query(&template, query).ok()
}

/// `expected.json` as the examples write it: `{"verdicts": […]}`, `"sequences"` for sequence
/// and sample queries, and `"now"` when the run's "now" is not the events' latest time.
fn expected_json(
    result: &RunResult,
    loaded: &Loaded,
    events: &[Value],
    now: Option<i64>,
) -> String {
    let verdicts: Vec<String> = result
        .events
        .iter()
        .map(|v| format!("\"{}\"", v.status.as_str()))
        .collect();
    let mut out = format!("{{\"verdicts\": [{}]", verdicts.join(", "));
    if loaded.is_sequence() {
        let hits: Vec<String> = result
            .sequences
            .iter()
            .map(|h| {
                let ids: Vec<String> = h
                    .events
                    .iter()
                    .map(|i| i.map_or_else(|| "null".into(), |i| i.to_string()))
                    .collect();
                format!("[{}]", ids.join(", "))
            })
            .collect();
        let _ = write!(out, ", \"sequences\": [{}]", hits.join(", "));
    }
    if let Some(now) = now.filter(|&n| loaded.latest_event_time(events) != Some(n)) {
        let _ = write!(out, ", \"now\": \"{}\"", format_millis(now));
    }
    out.push_str("}\n");
    out
}

fn readme(
    title: &str,
    rule: Option<&Rule>,
    loaded: &Loaded,
    result: &RunResult,
    exceptions: bool,
) -> String {
    let mut out = format!("# {}\n\n", one_line(title));
    match rule {
        Some(r) => {
            let _ = writeln!(out, "The {} rule **{}**.", r.rule_type, one_line(&r.name));
            if !r.description.trim().is_empty() {
                let d = &r.description;
                let _ = writeln!(out, "\n{}", d.trim());
            }
        }
        None => {
            let lang = if loaded.lang() == Lang::Eql {
                "EQL"
            } else {
                "KQL"
            };
            let _ = writeln!(
                out,
                "A bare {lang} query (in `rule.toml`, every match alerts)."
            );
        }
    }
    if exceptions {
        out.push_str("\nWith the Kibana exception list in `exceptions.ndjson`.\n");
    }
    let _ = writeln!(
        out,
        "\nExported from ruleplay with the verdicts it gave; `expected.json` holds them.\n\n\
         ## Events\n\n| # | verdict | why |\n|---|---|---|"
    );
    for v in &result.events {
        let why = v.reason.as_deref().map(one_line).unwrap_or_default();
        let _ = writeln!(
            out,
            "| {} | {} | {} |",
            v.index,
            v.status.as_str(),
            why.replace('|', "\\|")
        );
    }
    out.push_str(
        "\n## Run it\n\n```sh\nruleplay test .        # in this folder: \"1 passed, 0 failed\"\n```\n\n\
         Copy the folder under `rules/` of ruleplay, or into your own repository, to keep it as a test.\n",
    );
    out
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}
