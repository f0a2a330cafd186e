//! `ruleplay es`: the request Elasticsearch would run for a rule, or the Dev Tools kit.

use crate::args::EsArgs;
use crate::commands::{load, read_file, report, set_mappings, value_lists};
use ruleplay::engine::{self, Lang};
use ruleplay::es::kql::{Fields, KqlConfig};
use ruleplay::es::{build, kit::kit, query_rule, Options};
use ruleplay::event::parse::parse_events;
use ruleplay::exceptions::toml_format::import_any;
use std::process::ExitCode;

pub fn cmd_es(a: &EsArgs) -> Result<ExitCode, String> {
    if !set_mappings(&a.mapping)? {
        return Ok(ExitCode::from(1));
    }
    let Some(loaded) = load(&a.source)? else {
        return Ok(ExitCode::from(1));
    };
    let mut failed = false;
    let rule = match loaded.rule() {
        Some(r) => r.clone(),
        None => {
            let lang = match loaded.lang() {
                Lang::Eql => "eql",
                _ => "kuery",
            };
            let (_, text) = a
                .source
                .get()
                .ok_or("give the query with --kql, --eql or --rule")?;
            query_rule(lang, text)
        }
    };
    let mut items = Vec::new();
    if let Some(path) = &a.exceptions {
        let text = read_file(path)?;
        let imp = import_any(&text);
        for e in &imp.errors {
            report(&format!("{path}:"), &e.diagnostic(&text), &text);
            failed = true;
        }
        items = imp.items;
    }
    let (lists, ok) = value_lists(&a.lists, &items)?;
    failed |= !ok;
    let opts = Options {
        exceptions: &items,
        lists: Some(&lists),
        now_ms: a.now.unwrap_or_else(engine::clock_now),
        time_range: a.time_range,
        kql: KqlConfig {
            fields: if a.data_view {
                Fields::Ecs
            } else {
                Fields::None
            },
            ..Default::default()
        },
        ..Default::default()
    };
    let out = if a.kit {
        let path = a.events.as_deref().ok_or("--kit needs --events FILE")?;
        let text = read_file(path)?;
        let events = parse_events(&text);
        for e in &events.errors {
            report(&format!("{path}:"), &e.diagnostic(&text), &text);
            failed = true;
        }
        kit(&rule, &events.events, &opts)
    } else {
        build(&rule, &opts).map(|b| {
            for n in &b.notes {
                eprintln!("note: {n}");
            }
            serde_json::to_string_pretty(&b.request).unwrap_or_default() + "\n"
        })
    };
    match out {
        Ok(text) => print!("{text}"),
        Err(d) => {
            eprintln!("ruleplay: {}", d.message);
            return Ok(ExitCode::from(1));
        }
    }
    Ok(if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
