//! Rules as Kibana gives them, on the command line: `--rule` takes a Kibana rule export or API
//! rule JSON (converted to TOML by the core, `--rule-id` / `--rule-name` picking among several),
//! and `convert` writes a rule either way.

use crate::args::{ConvertArgs, RulePick};
use crate::commands::{read_file, report};
use ruleplay::engine::Lang;
use ruleplay::exceptions::toml_format::import_any;
use ruleplay::rule::{from_kibana, load_rule, to_kibana};
use std::io::Write;
use std::process::ExitCode;

/// A query or rule as the commands read it.
pub struct SourceText {
    pub lang: Lang,
    pub text: String,
    /// Before error reports: the path (and "(as TOML)" for a converted Kibana rule).
    pub prefix: String,
    /// What a Kibana rule file held and what was taken from it.
    pub note: Option<String>,
    /// The exceptions of a Kibana rule file its rule references (NDJSON).
    pub exceptions: Option<String>,
}

/// The rule file at `path` (holding `text`), converted when Kibana's. `None` after reporting
/// why it does not convert.
pub fn rule_source(path: &str, text: String, pick: &RulePick) -> Option<SourceText> {
    if !from_kibana::is_kibana(&text) {
        return Some(SourceText {
            lang: Lang::Toml,
            text,
            prefix: format!("{path}:"),
            note: None,
            exceptions: None,
        });
    }
    match from_kibana::convert(&text, pick.rule_id.as_deref(), pick.rule_name.as_deref()) {
        Ok(c) => Some(SourceText {
            lang: Lang::Toml,
            text: c.toml,
            prefix: format!("{path} (as TOML):"),
            note: Some(format!("{path}: {}", c.note)),
            exceptions: c.exceptions,
        }),
        Err(d) => {
            report(&format!("{path}:"), &d, &text);
            None
        }
    }
}

/// `convert --rule FILE --to kibana|toml`.
pub fn cmd_convert(c: &ConvertArgs) -> Result<ExitCode, String> {
    let Some(src) = rule_source(&c.rule, read_file(&c.rule)?, &c.pick) else {
        return Ok(ExitCode::from(1));
    };
    if let Some(note) = &src.note {
        eprintln!("note: {note}");
    }
    let out = if c.to == "toml" {
        src.text
    } else {
        let rule = match load_rule(&src.text) {
            Ok(r) => r,
            Err(d) => {
                report(&src.prefix, &d, &src.text);
                return Ok(ExitCode::from(1));
            }
        };
        let mut texts: Vec<(String, String)> = Vec::new();
        if let Some(e) = src.exceptions {
            texts.push((c.rule.clone(), e));
        }
        if let Some(path) = &c.exceptions {
            texts.push((path.clone(), read_file(path)?));
        }
        let (mut lists, mut items) = (Vec::new(), Vec::new());
        for (path, text) in &texts {
            let imp = import_any(text);
            for e in &imp.errors {
                report(&format!("{path}:"), &e.diagnostic(text), text);
            }
            if !imp.errors.is_empty() {
                return Ok(ExitCode::from(1));
            }
            lists.extend(imp.lists);
            items.extend(
                imp.items
                    .iter()
                    .filter_map(|i| serde_json::to_value(i).ok()),
            );
        }
        let (lists, items) = to_kibana::complete_exceptions(&rule.rule_id, lists, items);
        to_kibana::export(&rule, &lists, &items)
    };
    std::io::stdout()
        .lock()
        .write_all(out.as_bytes())
        .map_err(|e| format!("cannot write: {e}"))?;
    Ok(ExitCode::SUCCESS)
}
