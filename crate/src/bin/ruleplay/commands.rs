//! What each command does, on the arguments `args` parsed.

use crate::args::{Cli, Command, ExcludeArgs, MatchArgs, Source};
use ruleplay::diagnostic::Diagnostic;
use ruleplay::engine::{self, Loaded, RunOptions, Status};
use ruleplay::event::mapping::{self, Mappings};
use ruleplay::event::parse::parse_events;
use ruleplay::exceptions::import_ndjson;
use ruleplay::exclusions;
use ruleplay::explain::{Clause, Trace};
use serde::Serialize;
use serde_json::Value;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Run a command. `Err` is a usage or I/O problem (exit status 2); errors in the inputs are
/// reported on stderr and give exit status 1.
pub fn run(cli: Cli) -> Result<ExitCode, String> {
    match cli.command {
        Command::Match(m) => cmd_match(&m),
        Command::Parse(p) => {
            if !set_mappings(&p.mapping)? {
                return Ok(ExitCode::from(1));
            }
            cmd_parse(&p.source)
        }
        Command::Test { dir } => cmd_test(&dir),
        Command::Exclusions(p) => cmd_exclusions(&p.source),
        Command::Exclude(x) => cmd_exclude(&x),
    }
}

/// The text `source` names: the query itself, or the rule file read (with its path as the
/// prefix of error reports).
fn source_text(source: &Source) -> Result<(engine::Lang, String, String), String> {
    let (lang, arg) = source
        .get()
        .ok_or("give the query with --kql, --eql or --rule")?;
    Ok(match lang {
        engine::Lang::Toml => (lang, read_file(arg)?, format!("{arg}:")),
        _ => (lang, arg.to_string(), String::new()),
    })
}

fn exclusion_lang(lang: engine::Lang) -> Option<exclusions::Lang> {
    match lang {
        engine::Lang::Kql => Some(exclusions::Lang::Kql),
        engine::Lang::Eql => Some(exclusions::Lang::Eql),
        engine::Lang::Toml => None,
    }
}

fn cmd_exclusions(source: &Source) -> Result<ExitCode, String> {
    let (lang, text, prefix) = source_text(source)?;
    let found = match exclusion_lang(lang) {
        Some(l) => exclusions::find(l, &text),
        None => exclusions::rule_file::find(&text).map(|(_, lists)| lists),
    };
    match found {
        Ok(lists) => {
            let mut out = std::io::stdout().lock();
            for l in &lists {
                writeln!(out, "{}", l.to_json()).map_err(|e| e.to_string())?;
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(d) => {
            report(&prefix, &d, &text);
            Ok(ExitCode::from(1))
        }
    }
}

fn cmd_exclude(x: &ExcludeArgs) -> Result<ExitCode, String> {
    use exclusions::Op;
    let (lang, text, prefix) = source_text(&x.source)?;
    let pair = |(f, v): &(String, String)| (f.clone(), v.clone());
    let ops: Vec<Op> = (x.remove.iter().map(pair))
        .map(|(field, value)| Op::Remove { field, value })
        .chain(
            x.add
                .iter()
                .map(pair)
                .map(|(field, value)| Op::Add { field, value }),
        )
        .chain(
            x.add_pattern
                .iter()
                .map(pair)
                .map(|(field, pattern)| Op::AddPattern { field, pattern }),
        )
        .collect();
    let edited = match exclusion_lang(lang) {
        Some(l) => exclusions::apply(l, &text, &ops).map(|q| q + "\n"),
        None => exclusions::rule_file::apply(&text, &ops),
    };
    match edited {
        Ok(out) => {
            std::io::stdout()
                .lock()
                .write_all(out.as_bytes())
                .map_err(|e| e.to_string())?;
            Ok(ExitCode::SUCCESS)
        }
        Err(d) => {
            report(&prefix, &d, &text);
            Ok(ExitCode::from(1))
        }
    }
}

/// Print a diagnostic as `PREFIX` + its header, then the source line with carets.
fn report(prefix: &str, d: &Diagnostic, text: &str) {
    eprintln!("{prefix}{}", d.render_snippet(text));
}

/// Load the query or rule; on errors report them and return `None`.
fn load(source: &Source) -> Result<Option<Loaded>, String> {
    let (lang, text, prefix) = source_text(source)?;
    match engine::load(&text, lang) {
        Ok(l) => Ok(Some(l)),
        Err(diags) => {
            for d in &diags {
                report(&prefix, d, &text);
            }
            Ok(None)
        }
    }
}

fn read_file(path: &str) -> Result<String, String> {
    if path == "-" {
        let mut s = String::new();
        std::io::stdin()
            .read_to_string(&mut s)
            .map_err(|e| format!("cannot read stdin: {e}"))?;
        return Ok(s);
    }
    std::fs::read_to_string(path).map_err(|e| format!("cannot read {path}: {e}"))
}

fn cmd_parse(source: &Source) -> Result<ExitCode, String> {
    match load(source)? {
        Some(l) => {
            for n in l.notes() {
                eprintln!("note: {n}");
            }
            Ok(ExitCode::SUCCESS)
        }
        None => Ok(ExitCode::from(1)),
    }
}

/// Read the `--mapping` files and put their field types in force; `false` after reporting a
/// bad one.
fn set_mappings(paths: &[String]) -> Result<bool, String> {
    if paths.is_empty() {
        return Ok(true);
    }
    let mut m = Mappings::default();
    for path in paths {
        let text = read_file(path)?;
        if let Err(d) = m.add(&text) {
            eprintln!("{path}: {}", d.message);
            return Ok(false);
        }
    }
    mapping::set_current(Some(m));
    Ok(true)
}

fn cmd_match(o: &MatchArgs) -> Result<ExitCode, String> {
    let events_path = &o.events;
    if !set_mappings(&o.mapping)? {
        return Ok(ExitCode::from(1));
    }
    // The events come first: an EQL optional field (`?f`) no event, mapping or ECS knows is
    // `null` (see `eql::optional`).
    let text = read_file(events_path)?;
    let parsed = parse_events(&text);
    ruleplay::eql::optional::set_event_fields(Some(ruleplay::eql::optional::event_field_names(
        &parsed.events,
    )));
    let Some(loaded) = load(&o.source)? else {
        return Ok(ExitCode::from(1));
    };
    let mut failed = false;
    for e in &parsed.errors {
        report(&format!("{events_path}:"), &e.diagnostic(&text), &text);
        failed = true;
    }
    let mut opts = RunOptions {
        now: o.now,
        skip_misses: true,
        ..Default::default()
    };
    if let Some(path) = &o.exceptions {
        let exceptions = read_file(path)?;
        let imp = import_ndjson(&exceptions);
        for e in &imp.errors {
            report(&format!("{path}:"), &e.diagnostic(&exceptions), &exceptions);
            failed = true;
        }
        opts.exceptions = imp.items;
    }
    let result = loaded.run(&parsed.events, &opts);
    for n in &result.notes {
        eprintln!("note: {n}");
    }
    let is_rule = loaded.lang() == engine::Lang::Toml;
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut write = |v: &dyn erased::Line| -> Result<(), String> {
        match writeln!(out, "{}", v.json()) {
            // The reader went away (`| head`): stop quietly, as other Unix tools do.
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {
                std::process::exit(i32::from(failed))
            }
            r => r.map_err(|e| format!("cannot write: {e}")),
        }
    };
    if loaded.is_sequence() {
        for hit in &result.sequences {
            write(&SeqLine {
                sequence: &hit.events,
                join_keys: o.explain.then_some(&hit.join_keys),
            })?;
        }
    } else {
        for v in &result.events {
            let x = if o.explain {
                loaded.explain_run(&parsed.events, &result, v.index, &opts)
            } else {
                None
            };
            let line = Line {
                index: v.index,
                matched: v.matched,
                alert: is_rule.then_some(v.alert),
                status: is_rule.then_some(v.status),
                reason: x.as_ref().and_then(|x| x.reason.as_deref()),
                trace: x.as_ref().map(|x| &x.trace),
                exceptions: x.as_ref().map(|x| &x.exceptions).filter(|e| !e.is_empty()),
            };
            write(&line)?;
        }
    }
    Ok(if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

mod erased {
    /// Anything printed as one JSON line, in its own field order.
    pub trait Line {
        fn json(&self) -> String;
    }

    impl<T: serde::Serialize> Line for T {
        fn json(&self) -> String {
            serde_json::to_string(self).unwrap_or_default()
        }
    }
}

/// One output line of `match` for an event (fields in this order).
#[derive(Serialize)]
struct Line<'a> {
    index: usize,
    #[serde(rename = "match")]
    matched: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    alert: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    status: Option<Status>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    trace: Option<&'a Option<Trace>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    exceptions: Option<&'a Vec<Clause>>,
}

/// One output line of `match` for a sequence or sample hit.
#[derive(Serialize)]
struct SeqLine<'a> {
    sequence: &'a [Option<usize>],
    #[serde(skip_serializing_if = "Option::is_none")]
    join_keys: Option<&'a Vec<Value>>,
}

/// Example folders under `dir` (or `dir` itself when it holds a rule.toml), sorted by name.
fn example_dirs(dir: &Path) -> Result<Vec<PathBuf>, String> {
    if dir.join("rule.toml").is_file() {
        return Ok(vec![dir.to_path_buf()]);
    }
    let entries =
        std::fs::read_dir(dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
    let mut dirs: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.join("rule.toml").is_file())
        .collect();
    dirs.sort();
    Ok(dirs)
}

fn cmd_test(dir: &Path) -> Result<ExitCode, String> {
    let dirs = example_dirs(dir)?;
    let (mut passed, mut failed) = (0, 0);
    for d in &dirs {
        let name = d.file_name().map_or_else(
            || d.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        );
        let read = |f: &str| std::fs::read_to_string(d.join(f));
        let problems = match (
            read("rule.toml"),
            read("events.ndjson"),
            read("expected.json"),
        ) {
            (Ok(rule), Ok(events), Ok(expected)) => {
                let exceptions = read("exceptions.ndjson").ok();
                engine::check_example(&rule, &events, &expected, exceptions.as_deref())
            }
            (r, e, x) => [
                ("rule.toml", r.err()),
                ("events.ndjson", e.err()),
                ("expected.json", x.err()),
            ]
            .into_iter()
            .filter_map(|(f, err)| err.map(|err| format!("{f}: {err}")))
            .collect(),
        };
        if problems.is_empty() {
            passed += 1;
            println!("ok   {name}");
        } else {
            failed += 1;
            println!("FAIL {name}");
            for p in problems {
                println!("     {p}");
            }
        }
    }
    println!("{passed} passed, {failed} failed");
    Ok(if failed > 0 || dirs.is_empty() {
        if dirs.is_empty() {
            eprintln!(
                "ruleplay: no examples (folders with rule.toml) in {}",
                dir.display()
            );
        }
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
