//! `ruleplay`: evaluate Elastic detection rules, KQL and EQL against JSON events from the shell.
//! Arguments are parsed by hand (no CLI dependency); see `USAGE`.

use ruleplay::engine::{self, Lang, Loaded, RunOptions, Status};
use ruleplay::event::parse::parse_events;
use ruleplay::exceptions::import_ndjson;
use ruleplay::explain::{Clause, Trace};
use serde::Serialize;
use serde_json::Value;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

const USAGE: &str = "\
ruleplay — Elastic detection rules, KQL and EQL against JSON events

USAGE:
  ruleplay match (--kql QUERY | --eql QUERY | --rule FILE.toml) --events FILE
                 [--explain] [--now ISO8601] [--exceptions FILE.ndjson]
      One JSON line per event: {\"index\":N,\"match\":bool}, plus \"alert\" and \"status\"
      with --rule, plus \"trace\" with --explain. EQL sequences and samples print one line
      per hit: {\"sequence\":[i,j,…]}. Events are NDJSON or a JSON array; FILE `-` reads stdin.
      A malformed event line is reported on stderr and the exit status is 1.
  ruleplay parse (--kql QUERY | --eql QUERY | --rule FILE.toml)
      Exit 0 when valid; otherwise `LINE:COL: message` on stderr and exit 1.
  ruleplay test DIR
      Run the examples in DIR (each sub-folder: rule.toml, events.ndjson, expected.json,
      optional exceptions.ndjson) and print `N passed, N failed`.
  ruleplay --help

--now sets \"now\" for date math and exception expiry (default: the clock).
--exceptions takes a Kibana exception-list export (NDJSON).
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(code) => code,
        Err(msg) => {
            eprintln!("ruleplay: {msg}");
            ExitCode::from(2)
        }
    }
}

fn run(args: &[String]) -> Result<ExitCode, String> {
    let Some(cmd) = args.first() else {
        print!("{USAGE}");
        return Ok(ExitCode::from(2));
    };
    match cmd.as_str() {
        "-h" | "--help" | "help" => {
            print!("{USAGE}");
            Ok(ExitCode::SUCCESS)
        }
        "match" => cmd_match(&Opts::parse(&args[1..])?),
        "parse" => cmd_parse(&Opts::parse(&args[1..])?),
        "test" => {
            let dir = args
                .get(1)
                .filter(|a| !a.starts_with('-'))
                .ok_or("test needs a folder, e.g. `ruleplay test rules/`")?;
            if args.len() > 2 {
                return Err(format!("unexpected argument `{}`", args[2]));
            }
            cmd_test(Path::new(dir))
        }
        other => Err(format!("unknown command `{other}` (try --help)")),
    }
}

/// Options of `match` and `parse`.
#[derive(Default)]
struct Opts {
    /// (language, the query text or the rule file path)
    source: Option<(Lang, String)>,
    events: Option<String>,
    exceptions: Option<String>,
    now: Option<i64>,
    explain: bool,
}

impl Opts {
    fn parse(args: &[String]) -> Result<Opts, String> {
        let mut o = Opts::default();
        let mut it = args.iter();
        while let Some(a) = it.next() {
            let mut value = |name: &str| {
                it.next()
                    .cloned()
                    .ok_or_else(|| format!("{name} needs a value"))
            };
            let mut set_source = |lang: Lang, v: String| {
                if o.source.is_some() {
                    return Err("give only one of --kql, --eql and --rule".to_string());
                }
                o.source = Some((lang, v));
                Ok(())
            };
            match a.as_str() {
                "--kql" => set_source(Lang::Kql, value("--kql")?)?,
                "--eql" => set_source(Lang::Eql, value("--eql")?)?,
                "--rule" => set_source(Lang::Toml, value("--rule")?)?,
                "--events" => o.events = Some(value("--events")?),
                "--exceptions" => o.exceptions = Some(value("--exceptions")?),
                "--now" => {
                    let v = value("--now")?;
                    o.now = Some(
                        ruleplay::time::parse_date(&v)
                            .ok_or_else(|| format!("--now: `{v}` is not an ISO 8601 date"))?,
                    );
                }
                "--explain" => o.explain = true,
                other => return Err(format!("unknown option `{other}` (try --help)")),
            }
        }
        Ok(o)
    }

    /// Load the query or rule; on errors print `LINE:COL: message` lines and return `None`.
    fn load(&self) -> Result<Option<Loaded>, String> {
        let (lang, arg) = self
            .source
            .as_ref()
            .ok_or("give the query with --kql, --eql or --rule")?;
        let (text, prefix) = match lang {
            Lang::Toml => (read_file(arg)?, format!("{arg}:")),
            _ => (arg.clone(), String::new()),
        };
        match engine::load(&text, *lang) {
            Ok(l) => Ok(Some(l)),
            Err(diags) => {
                for d in diags {
                    let mut line = format!("{prefix}{}", d.render(&text));
                    if !d.expected.is_empty() && !d.message.contains("expected") {
                        line.push_str(&format!(" (expected {})", d.expected.join(", ")));
                    }
                    eprintln!("{line}");
                }
                Ok(None)
            }
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

fn cmd_parse(o: &Opts) -> Result<ExitCode, String> {
    if o.events.is_some() || o.explain {
        return Err("parse takes only --kql, --eql or --rule".into());
    }
    match o.load()? {
        Some(l) => {
            for n in l.notes() {
                eprintln!("note: {n}");
            }
            Ok(ExitCode::SUCCESS)
        }
        None => Ok(ExitCode::from(1)),
    }
}

fn cmd_match(o: &Opts) -> Result<ExitCode, String> {
    let events_path = o.events.as_ref().ok_or("match needs --events FILE")?;
    let Some(loaded) = o.load()? else {
        return Ok(ExitCode::from(1));
    };
    let text = read_file(events_path)?;
    let parsed = parse_events(&text);
    let mut failed = false;
    for e in &parsed.errors {
        eprintln!("{events_path}:{}:{}: {}", e.line, e.column, e.message);
        failed = true;
    }
    let mut opts = RunOptions {
        now: o.now,
        skip_misses: true,
        ..Default::default()
    };
    if let Some(path) = &o.exceptions {
        let imp = import_ndjson(&read_file(path)?);
        for e in &imp.errors {
            eprintln!("{path}:{}: {}", e.line, e.message);
            failed = true;
        }
        opts.exceptions = imp.items;
    }
    let result = loaded.run(&parsed.events, &opts);
    for n in &result.notes {
        eprintln!("note: {n}");
    }
    let is_rule = loaded.lang() == Lang::Toml;
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
