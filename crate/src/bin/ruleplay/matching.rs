//! `ruleplay match`: verdicts as JSON lines. NDJSON input streams through queries (with
//! filters and exceptions) and new_terms rules: each line is parsed, decided, printed and dropped,
//! so memory does not grow with the input (new_terms remembers its distinct terms and holds back
//! a bounded number of candidates to put them in time order: `engine::Stream`). Threshold, EQL
//! sequences and samples, and JSON-array inputs are read whole.

use crate::args::MatchArgs;
use crate::commands::{load, load_full, read_file, report, set_mappings, value_lists};
use crate::input::{self, Input};
use ruleplay::engine::{self, Loaded, RunOptions, Status, StreamVerdict};
use ruleplay::event::formats::read_events;
use ruleplay::event::parse::{parse_line, Origin, MAX_INPUT_BYTES};
use ruleplay::event::prune::parse_line_pruned;
use ruleplay::exceptions::toml_format::import_any;
use ruleplay::explain::{Clause, Trace};
use serde::Serialize;
use serde_json::Value;
use std::io::{BufRead, BufWriter, Write};
use std::process::ExitCode;
use std::time::Instant;

pub fn cmd_match(o: &MatchArgs) -> Result<ExitCode, String> {
    let started = Instant::now();
    if !set_mappings(&o.mapping)? {
        return Ok(ExitCode::from(1));
    }
    let Some((loaded, kibana_exceptions)) = load_full(&o.source, true)? else {
        return Ok(ExitCode::from(1));
    };
    let mut opts = RunOptions {
        now: o.now,
        skip_misses: true,
        ..Default::default()
    };
    let mut out = Out::new(o, loaded.lang() == engine::Lang::Toml);
    if let Some(text) = &kibana_exceptions {
        // The lists a Kibana rule file holds for its rule apply, as Kibana applies them.
        opts.exceptions = import_any(text).items;
    }
    if let Some(path) = &o.exceptions {
        let exceptions = read_file(path)?;
        let imp = import_any(&exceptions);
        for e in &imp.errors {
            report(&format!("{path}:"), &e.diagnostic(&exceptions), &exceptions);
            out.failed = true;
        }
        opts.exceptions.extend(imp.items);
    }
    let (lists, ok) = value_lists(&o.lists, &opts.exceptions)?;
    opts.value_lists = lists;
    out.failed |= !ok;
    let input = input::open(&o.events)?;
    if !input.is_array && loaded.streams() {
        stream(&loaded, &opts, input, o, &mut out)?;
    } else {
        whole(&loaded, &opts, input, o, &mut out)?;
    }
    let failed = out.failed;
    out.finish(started)?;
    Ok(if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// Line by line.
fn stream(
    loaded: &Loaded,
    opts: &RunOptions,
    mut input: Input,
    o: &MatchArgs,
    out: &mut Out,
) -> Result<(), String> {
    let Some(run) = loaded.stream(opts) else {
        return Ok(());
    };
    let mut run = run.explain(o.explain).reorder_window(o.reorder_window);
    for n in run.notes() {
        eprintln!("note: {n}");
    }
    // Parse only what the rule reads, unless the explanations (which show the event's values
    // of any field a hint may name) are asked for.
    let needed = if o.explain {
        None
    } else {
        loaded.needed_fields(opts)
    };
    let mut line = String::new();
    let mut line_no = 0;
    // Verdicts wait here for the writer: `push` calls back while it holds the stream.
    let mut ready = Vec::new();
    loop {
        line.clear();
        if !input.reader.has_buffered() {
            out.flush()?;
        }
        let read = input
            .reader
            .read_line(&mut line)
            .map_err(|e| format!("cannot read {}: {e}", o.events))?;
        if read == 0 {
            break;
        }
        line_no += 1;
        let parsed = match &needed {
            Some(n) => parse_line_pruned(&line, line_no, n),
            None => parse_line(&line, line_no),
        };
        let event = match parsed {
            Ok(Some(ev)) => ev,
            Ok(None) => continue,
            Err(e) => {
                report_line(&o.events, line_no, &line, &e);
                out.summary.errors += 1;
                out.failed = true;
                continue;
            }
        };
        if let Err(e) = run.push(&event, &mut |v| ready.push(v)) {
            eprintln!("{}:{line_no}: {}", o.events, e.message);
            out.failed = true;
            return Ok(());
        }
        for v in ready.drain(..) {
            out.verdict(&v)?;
        }
    }
    let groups = run.finish(&mut |v| ready.push(v));
    if !groups.is_empty() {
        out.summary.groups = Some(groups.len());
    }
    for v in ready.drain(..) {
        out.verdict(&v)?;
    }
    Ok(())
}

/// A bad line, reported with the line alone as its source (the input is not kept) under its own
/// line number.
fn report_line(path: &str, line_no: usize, line: &str, e: &ruleplay::event::parse::EventError) {
    let mut one = e.clone();
    one.line = 1;
    let text = line.trim_end_matches(['\n', '\r']);
    let shown = one.diagnostic(text).render_snippet_from(text, line_no);
    eprintln!("{path}:{shown}");
}

/// All events at once.
fn whole(
    loaded: &Loaded,
    opts: &RunOptions,
    input: Input,
    o: &MatchArgs,
    out: &mut Out,
) -> Result<(), String> {
    let text = input.read_all(&o.events, MAX_INPUT_BYTES)?;
    let parsed = read_events(&text);
    if let Some(note) = &parsed.note {
        eprintln!("note: {}: {note}", o.events);
    }
    for e in &parsed.errors {
        report(&format!("{}:", o.events), &e.diagnostic(&text), &text);
        out.summary.errors += 1;
        out.failed = true;
    }
    // An EQL optional field is known when an event has it (`eql::optional`): compile again
    // now that the events are known.
    let reloaded;
    let loaded = if loaded.waits_for_event_fields() {
        ruleplay::eql::optional::set_event_fields(Some(
            ruleplay::eql::optional::event_field_names(&parsed.events),
        ));
        let Some(l) = load(&o.source)? else {
            out.failed = true;
            return Ok(());
        };
        reloaded = l;
        &reloaded
    } else {
        loaded
    };
    let result = loaded.run(&parsed.events, opts);
    for n in &result.notes {
        eprintln!("note: {n}");
    }
    out.summary.groups = Some(result.groups.len()).filter(|_| !result.groups.is_empty());
    if loaded.is_sequence() {
        out.summary.events = parsed.events.len();
        out.summary.sequences = Some(result.sequences.len());
        for hit in &result.sequences {
            out.sequence(&SeqLine {
                sequence: &hit.events,
                join_keys: o.explain.then_some(&hit.join_keys),
            })?;
        }
        for v in &result.events {
            out.summary.count(v.status, v.matched);
        }
        return Ok(());
    }
    for v in &result.events {
        let x = if o.explain && out.wants(v.status, v.matched) {
            loaded.explain_run(&parsed.events, &result, v.index, opts)
        } else {
            None
        };
        out.event(&EventLine {
            index: v.index,
            matched: v.matched,
            alert: out.is_rule.then_some(v.alert),
            status: out.is_rule.then_some(v.status),
            reason: x.as_ref().and_then(|x| x.reason.as_deref()),
            trace: x.as_ref().map(|x| &x.trace),
            exceptions: x.as_ref().map(|x| &x.exceptions).filter(|e| !e.is_empty()),
            from: parsed.origins.get(v.index),
        })?;
    }
    Ok(())
}

/// One output line of `match` for an event (fields in this order).
#[derive(Serialize)]
struct EventLine<'a> {
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
    /// The search hit the event was read from (Elasticsearch responses and hits).
    #[serde(skip_serializing_if = "Option::is_none")]
    from: Option<&'a Origin>,
}

/// One output line of `match` for a sequence or sample hit.
#[derive(Serialize)]
struct SeqLine<'a> {
    sequence: &'a [Option<usize>],
    #[serde(skip_serializing_if = "Option::is_none")]
    join_keys: Option<&'a Vec<Value>>,
}

/// The `--summary` line: `{"summary": {...}}`, keys in declaration order.
#[derive(Serialize)]
struct SummaryLine {
    summary: Summary,
}

#[derive(Default, Serialize)]
struct Summary {
    events: usize,
    /// Events the query and filters match (for a sequence: events in a hit).
    matched: usize,
    alerts: usize,
    suppressed: usize,
    no_match: usize,
    /// Input lines that are not events.
    errors: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    sequences: Option<usize>,
    /// Threshold buckets that reached the threshold.
    #[serde(skip_serializing_if = "Option::is_none")]
    groups: Option<usize>,
    /// From start to the last line written.
    seconds: f64,
}

impl Summary {
    fn count(&mut self, status: Status, matched: bool) {
        self.matched += usize::from(matched);
        match status {
            Status::Alert => self.alerts += 1,
            Status::Suppressed => self.suppressed += 1,
            Status::NoMatch => self.no_match += 1,
            Status::Match => {}
        }
    }
}

/// Standard output, with `--only-alerts` and `--summary` applied.
struct Out {
    w: BufWriter<std::io::Stdout>,
    is_rule: bool,
    only_alerts: bool,
    /// `--summary` without `--only-alerts` prints the summary alone.
    lines: bool,
    summary: Summary,
    with_summary: bool,
    /// An input was bad somewhere: exit status 1, even when the reader stops early.
    failed: bool,
}

impl Out {
    fn new(o: &MatchArgs, is_rule: bool) -> Out {
        Out {
            w: BufWriter::with_capacity(256 * 1024, std::io::stdout()),
            is_rule,
            only_alerts: o.only_alerts,
            lines: !o.summary || o.only_alerts,
            summary: Summary::default(),
            with_summary: o.summary,
            failed: false,
        }
    }

    /// Whether an event with this verdict gets a line (a query without a rule "alerts" when
    /// it matches).
    fn wants(&self, status: Status, matched: bool) -> bool {
        self.lines && (!self.only_alerts || status == Status::Alert || (!self.is_rule && matched))
    }

    fn event(&mut self, line: &EventLine) -> Result<(), String> {
        self.summary.events += 1;
        let status = line.status.unwrap_or(if line.matched {
            Status::Alert
        } else {
            Status::NoMatch
        });
        self.summary.count(status, line.matched);
        if self.wants(status, line.matched) {
            self.write(line)?;
        }
        Ok(())
    }

    fn verdict(&mut self, v: &StreamVerdict) -> Result<(), String> {
        let x = v.explanation.as_ref();
        self.event(&EventLine {
            index: v.index,
            matched: v.matched,
            alert: self.is_rule.then_some(v.status == Status::Alert),
            status: self.is_rule.then_some(v.status),
            reason: x.and_then(|x| x.reason.as_deref()),
            trace: x.map(|x| &x.trace),
            exceptions: x.map(|x| &x.exceptions).filter(|e| !e.is_empty()),
            from: None,
        })
    }

    fn sequence(&mut self, line: &SeqLine) -> Result<(), String> {
        if self.lines {
            self.write(line)?;
        }
        Ok(())
    }

    fn write(&mut self, v: &impl Serialize) -> Result<(), String> {
        let r = serde_json::to_writer(&mut self.w, v)
            .map_err(std::io::Error::from)
            .and_then(|()| self.w.write_all(b"\n"));
        match r {
            // The reader went away (`| head`): stop quietly, as other Unix tools do.
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {
                std::process::exit(i32::from(self.failed))
            }
            r => r.map_err(|e| format!("cannot write: {e}")),
        }
    }

    fn finish(mut self, started: Instant) -> Result<(), String> {
        if self.with_summary {
            self.summary.seconds = started.elapsed().as_secs_f64();
            let summary = std::mem::take(&mut self.summary);
            self.write(&SummaryLine { summary })?;
        }
        self.flush()
    }

    fn flush(&mut self) -> Result<(), String> {
        match self.w.flush() {
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {
                std::process::exit(i32::from(self.failed))
            }
            r => r.map_err(|e| format!("cannot write: {e}")),
        }
    }
}
