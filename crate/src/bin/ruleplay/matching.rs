//! `ruleplay match`: verdicts as JSON lines. NDJSON input streams (`engine::Stream`): lines are
//! parsed and judged on every core (`chunks`), then decided and printed in input order, so memory
//! grows only with what the rule type must remember — new_terms its distinct terms and a bounded
//! reorder window, threshold its groups, EQL sequences their open partial sequences (capped),
//! samples their join keys. JSON arrays, sequences with a `timestamp_override`, and queries
//! whose optional fields wait for the events are read whole.

use crate::args::MatchArgs;
use crate::chunks::{self, Item, Judgements, Worker};
use crate::commands::{load, load_full, read_file, report, set_mappings, value_lists};
use crate::input::{self, Input};
use ruleplay::engine::{self, Loaded, RunOptions, Status, StreamVerdict};
use ruleplay::event::formats::read_events;
use ruleplay::event::parse::{Origin, MAX_INPUT_BYTES};
use ruleplay::exceptions::toml_format::import_any;
use ruleplay::explain::{Clause, Trace};
use serde::Serialize;
use serde_json::Value;
use std::io::{BufWriter, Write};
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

/// Line by line, judged on every core (`chunks`), decided and printed in input order.
fn stream(
    loaded: &Loaded,
    opts: &RunOptions,
    input: Input,
    o: &MatchArgs,
    out: &mut Out,
) -> Result<(), String> {
    let Some(run) = loaded.stream(opts) else {
        return Ok(());
    };
    // A sequence's --explain shows its hits' join keys, not per-event traces.
    let seq = loaded.is_sequence();
    let explain = o.explain && !seq;
    let mut run = run
        .explain(explain)
        .reorder_window(o.reorder_window)
        .max_open(o.max_open_sequences);
    for n in run.notes() {
        eprintln!("note: {n}");
    }
    let worker = Worker {
        judge: run.judge().clone(),
        // Parse only what the rule reads, unless the explanations (which show the event's
        // values of any field a hint may name) are asked for.
        needed: if explain {
            None
        } else {
            loaded.needed_fields(opts)
        },
        keep_events: run.reads_events(),
        path: o.events.clone(),
    };
    let threads = o.threads.unwrap_or_else(chunks::default_threads).max(1);
    let mut line_no = 0;
    // Verdicts wait here for the writer: `push` calls back while it holds the stream.
    let mut ready = Vec::new();
    let mut stopped = false;
    let mut warned = false;
    let null = Value::Null;
    let mut each = |j: Option<&mut Judgements>| -> Result<bool, String> {
        let Some(j) = j else {
            out.flush()?;
            return Ok(true);
        };
        for item in j.items.drain(..) {
            match item {
                Item::Event(n, event, judged) => {
                    let event = event.as_ref().unwrap_or(&null);
                    if seq {
                        let (status, matched) = judged.status_alone();
                        out.summary.events += 1;
                        out.summary.count(status, matched);
                    }
                    if let Err(e) = run.push_judged(event, judged, &mut |v| ready.push(v)) {
                        eprintln!("{}:{}: {}", o.events, line_no + n, e.message);
                        out.failed = true;
                        stopped = true;
                        return Ok(false);
                    }
                    for v in ready.drain(..) {
                        out.verdict(&v)?;
                    }
                    for hit in run.take_hits() {
                        out.hit(&hit, o.explain)?;
                    }
                }
                Item::Bad(n, line, e) => {
                    report_line(&o.events, line_no + n, &line, &e);
                    out.summary.errors += 1;
                    out.failed = true;
                }
                Item::Fatal(msg) => return Err(msg),
            }
        }
        line_no += j.lines;
        if !warned {
            if let Some(w) = run.warning() {
                eprintln!("warning: {w}");
                warned = true;
            }
        }
        Ok(true)
    };
    chunks::judge_all(input.reader, threads, &worker, &mut each)?;
    if stopped {
        return Ok(());
    }
    let groups = run.finish(&mut |v| ready.push(v));
    if !groups.is_empty() {
        out.summary.groups = Some(groups.len());
    }
    for v in ready.drain(..) {
        out.verdict(&v)?;
    }
    if let Some(e) = run.late_error() {
        eprintln!("{}: {}", o.events, e.message);
        out.failed = true;
    }
    if seq {
        for hit in run.take_hits() {
            out.hit(&hit, o.explain)?;
        }
        out.summary.sequences = Some(out.summary.sequences.unwrap_or(0));
        out.summary.alerts += run.alerted();
        out.summary.matched_open_peak = run.peak_open();
        if let Some(w) = run.warning() {
            if !warned {
                eprintln!("warning: {w}");
            }
            out.summary.warnings.push(w);
        }
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
    /// A streamed sequence or sample: the most partial sequences (join keys) open at once.
    #[serde(rename = "open_peak", skip_serializing_if = "Option::is_none")]
    matched_open_peak: Option<usize>,
    /// Why the result may be incomplete (a cap was reached).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    warnings: Vec<String>,
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

    /// A streamed sequence or sample hit.
    fn hit(&mut self, hit: &engine::SequenceHit, explain: bool) -> Result<(), String> {
        *self.summary.sequences.get_or_insert(0) += 1;
        self.sequence(&SeqLine {
            sequence: &hit.events,
            join_keys: explain.then_some(&hit.join_keys),
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
