//! Events read from a file too big to hold as text or as JSON trees (the page's "open a
//! million events"). The page feeds the file's bytes in chunks ([`Session::file_push`]); each line
//! is parsed keeping only the fields the rule reads (`event::prune`), and every
//! [`CHUNK_EVENTS`] events become one event view ([`EventTable`]: columns, strings stored once)
//! plus the pruned events as compact JSON (for the few events a run must read whole: those that
//! matched, for filters, exceptions and the rule type). Per event only its byte range in the file
//! is kept besides: an explanation or a row summary re-reads that event from the file.
//!
//! The fields kept are those of the rule, exceptions and timestamp at the time of reading; an
//! edit that needs another field makes [`Session::file_stale`] true and the page reads the file
//! again (the new fields joining the old, so going back costs nothing).

use super::*;
use crate::engine::{settle, Kind, Query};
use crate::event::parse::parse_line;
use crate::event::prune::{parse_line_pruned, Needed};
use crate::exceptions::ExceptionSet;
use crate::ruletype::{self, TypeVerdict};

/// Events per event view: small enough that building one holds little at a time (their JSON
/// trees), big enough that binding a query per view costs nothing next to evaluating it.
pub const CHUNK_EVENTS: usize = 65_536;

/// One [`CHUNK_EVENTS`]-sized slice of the events.
struct Chunk {
    /// `None` when the slice is too large for the view's ids: runs read its JSON then.
    table: Option<EventTable>,
    /// The pruned events as compact JSON, back to back; event `i` ends at `ends[i]`.
    json: Vec<u8>,
    ends: Vec<u32>,
}

impl Chunk {
    fn build(events: &[Value]) -> Chunk {
        let mut json = Vec::new();
        let mut ends = Vec::with_capacity(events.len());
        for ev in events {
            // Writing a Value to a Vec cannot fail; an empty object stands in if it ever did.
            if serde_json::to_writer(&mut json, ev).is_err() {
                json.extend_from_slice(b"{}");
            }
            ends.push(u32::try_from(json.len()).unwrap_or(u32::MAX));
        }
        json.shrink_to_fit();
        Chunk {
            table: EventTable::new(events),
            json,
            ends,
        }
    }

    fn len(&self) -> usize {
        self.ends.len()
    }

    /// Pruned event `row` of the chunk.
    fn event(&self, row: usize) -> Value {
        let from = match row {
            0 => 0,
            r => self.ends.get(r - 1).map_or(0, |&e| e as usize),
        };
        let to = self.ends.get(row).map_or(from, |&e| e as usize);
        // `from_str`, not `from_slice`: the wasm already holds that parser (a second reader type
        // would instantiate it again). The bytes were written by serde_json: valid UTF-8.
        self.json
            .get(from..to)
            .and_then(|b| std::str::from_utf8(b).ok())
            .and_then(|t| serde_json::from_str(t).ok())
            .unwrap_or(Value::Null)
    }

    fn events(&self) -> Vec<Value> {
        (0..self.len()).map(|r| self.event(r)).collect()
    }

    fn heap_bytes(&self) -> usize {
        self.json.capacity()
            + self.ends.capacity() * 4
            + self.table.as_ref().map_or(0, EventTable::heap_bytes)
    }
}

/// The verdicts of the last run over the file's events.
struct FileRun {
    status: Vec<u8>,
    matched: Vec<bool>,
    reasons: BTreeMap<usize, String>,
    sequences: Vec<SequenceHit>,
    groups: Vec<ThresholdGroup>,
    now: i64,
}

/// A file's events: see the module documentation.
#[derive(Default)]
pub struct FileEvents {
    /// What each event keeps; `None`: everything (the rule may read any field).
    needed: Option<Needed>,
    /// The timestamp field whose latest value `latest` is.
    timestamp_field: String,
    latest: Option<i64>,
    /// Bytes of an unfinished line, and where in the file they start.
    carry: Vec<u8>,
    carry_at: u64,
    /// Bytes read so far.
    read: u64,
    line_no: usize,
    /// Per event: where it starts in the file and its length in bytes.
    starts: Vec<u64>,
    lens: Vec<u32>,
    pending: Vec<Value>,
    chunks: Vec<Chunk>,
    errors: Vec<EventError>,
    error_count: usize,
    fields: Vec<String>,
    /// The input is a JSON array, which is not read in pieces.
    array: bool,
    run: Option<FileRun>,
}

/// What [`Session::file_push`] has read so far.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct FileProgress {
    pub events: usize,
    pub errors: usize,
}

impl FileEvents {
    fn count(&self) -> usize {
        self.starts.len()
    }

    fn push_line(&mut self, line: &[u8], at: u64) {
        self.line_no += 1;
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if self.count() == 0 && self.pending.is_empty() && line.trim_ascii_start().starts_with(b"[")
        {
            self.array = true;
        }
        if self.array {
            return;
        }
        let parsed = match std::str::from_utf8(line) {
            Ok(text) => match &self.needed {
                Some(n) => parse_line_pruned(text, self.line_no, n),
                None => parse_line(text, self.line_no),
            },
            Err(e) => Err(EventError {
                kind: EventErrorKind::InvalidUtf8,
                line: self.line_no,
                column: e.valid_up_to() + 1,
                message: "the line is not valid UTF-8".into(),
            }),
        };
        match parsed {
            Ok(Some(event)) => {
                self.starts.push(at);
                self.lens
                    .push(u32::try_from(line.len()).unwrap_or(u32::MAX));
                self.pending.push(event);
                if self.pending.len() == CHUNK_EVENTS {
                    self.flush();
                }
            }
            Ok(None) => {}
            Err(e) => {
                self.error_count += 1;
                if self.errors.len() < MAX_REPORTED_ERRORS {
                    self.errors.push(e);
                }
            }
        }
    }

    fn flush(&mut self) {
        if self.pending.is_empty() {
            return;
        }
        if let Some(t) = latest_event_time(&self.pending, &self.timestamp_field) {
            self.latest = Some(self.latest.map_or(t, |l| l.max(t)));
        }
        let new = field_names(&self.pending);
        if new.iter().any(|f| self.fields.binary_search(f).is_err()) {
            self.fields.extend(new);
            self.fields.sort();
            self.fields.dedup();
        }
        self.chunks.push(Chunk::build(&self.pending));
        self.pending = Vec::new();
    }

    fn covers(&self, needed: Option<&Needed>, timestamp_field: &str) -> bool {
        match (&self.needed, needed) {
            (None, _) => true,
            (Some(_), None) => false,
            (Some(have), Some(want)) => {
                timestamp_field == self.timestamp_field
                    && want
                        .paths()
                        .iter()
                        .all(|p| have.paths().binary_search(p).is_ok())
            }
        }
    }
}

impl Session {
    /// Start reading a file's events (the old ones, text or file, are dropped). What each event
    /// keeps follows the loaded rule and exceptions (joined with what the last file kept, when
    /// this is a re-read of it: `again`).
    pub fn file_begin(&mut self, again: bool) {
        let mut needed = self
            .loaded
            .as_ref()
            .and_then(|l| l.needed_fields(&self.options(true)));
        if again {
            let old = self.file.as_ref().and_then(|f| f.needed.as_ref());
            needed = match (needed, old) {
                (Some(n), Some(o)) => Some(Needed::new(n.paths().iter().chain(o.paths()).cloned())),
                _ => None,
            };
        }
        self.set_events(String::new());
        self.file = Some(FileEvents {
            needed,
            timestamp_field: self.timestamp_field().to_string(),
            ..FileEvents::default()
        });
    }

    /// The next bytes of the file (any split: lines, CRLF and UTF-8 characters may straddle
    /// chunks). `None` when no file is being read.
    pub fn file_push(&mut self, bytes: &[u8]) -> Option<FileProgress> {
        let f = self.file.as_mut()?;
        let base = f.read;
        let mut from = 0;
        for nl in memchr_iter(bytes) {
            let head = bytes.get(from..nl).unwrap_or(&[]);
            let at = f.carry_at;
            if f.carry.is_empty() {
                f.push_line(head, at);
            } else {
                let mut line = std::mem::take(&mut f.carry);
                line.extend_from_slice(head);
                f.push_line(&line, at);
                line.clear();
                f.carry = line;
            }
            from = nl + 1;
            f.carry_at = base + from as u64;
        }
        f.carry.extend_from_slice(bytes.get(from..).unwrap_or(&[]));
        f.read = base + bytes.len() as u64;
        Some(FileProgress {
            events: f.count(),
            errors: f.error_count,
        })
    }

    /// The end of the file (or of what was read, after a stop): the last line, the report.
    pub fn file_end(&mut self) -> Option<EventsReport> {
        let f = self.file.as_mut()?;
        let line = std::mem::take(&mut f.carry);
        if !line.is_empty() {
            let at = f.carry_at;
            f.push_line(&line, at);
        }
        f.flush();
        if f.array {
            f.errors = vec![EventError {
                kind: EventErrorKind::ArrayTooLarge,
                line: 1,
                column: 1,
                message: format!(
                    "a JSON array this big is not read in pieces: give the events as NDJSON, one per line (jq -c '.[]' file.json), or a file under {} MB",
                    FILE_ARRAY_MAX / 1_000_000
                ),
            }];
            f.error_count = 1;
        }
        self.fields = f.fields.clone();
        self.refresh_warnings();
        self.forget_run();
        let f = self.file.as_ref()?;
        Some(EventsReport {
            count: f.count(),
            errors: f.errors.clone(),
            error_count: f.error_count,
            fields: first(&f.fields, MAX_REPORTED_FIELDS),
            // Files this big are read line by line: NDJSON (smaller ones take the text path,
            // which detects the other formats).
            format: crate::event::parse::Format::Ndjson,
            note: None,
        })
    }

    /// Whether events come from a file (rather than the events text).
    pub fn from_file(&self) -> bool {
        self.file.is_some()
    }

    /// Whether the file must be read again: the rule or exceptions read a field it did not keep.
    pub fn file_stale(&self) -> bool {
        let Some(f) = &self.file else {
            return false;
        };
        let needed = self
            .loaded
            .as_ref()
            .and_then(|l| l.needed_fields(&self.options(true)));
        !f.covers(needed.as_ref(), self.timestamp_field())
    }

    /// Where event `index` lies in the file: byte offset and length.
    pub fn file_span(&self, index: usize) -> Option<(u64, u32)> {
        let f = self.file.as_ref()?;
        Some((*f.starts.get(index)?, *f.lens.get(index)?))
    }

    /// Approximate heap bytes the file's events hold in the core.
    pub fn file_heap_bytes(&self) -> usize {
        self.file.as_ref().map_or(0, |f| {
            f.chunks.iter().map(Chunk::heap_bytes).sum::<usize>()
                + f.starts.capacity() * 8
                + f.lens.capacity() * 4
        })
    }

    /// "now" for a file's events: pinned, else their latest time, else the clock.
    fn file_now(&self, f: &FileEvents) -> i64 {
        self.pinned_now.or(f.latest).unwrap_or_else(clock_now)
    }

    /// [`Session::evaluate`] over a file's events.
    pub(super) fn evaluate_file(&mut self) -> Option<EvaluationReport> {
        let loaded = self.loaded.as_ref()?;
        let f = self.file.as_ref()?;
        let now = self.file_now(f);
        let mut opts = self.options(true);
        opts.now = Some(now);
        let run = if loaded.is_sequence() || loaded.is_esql() {
            // Sequences join events across the whole file, and ES|QL's pipeline needs every row
            // at once: they read the pruned events whole.
            let events: Vec<Value> = f.chunks.iter().flat_map(Chunk::events).collect();
            let r = loaded.run(&events, &opts);
            FileRun {
                status: r.events.iter().map(|v| v.status.code()).collect(),
                matched: r.events.iter().map(|v| v.matched).collect(),
                reasons: {
                    let mut m = BTreeMap::new();
                    for v in &r.events {
                        if let Some(reason) = &v.reason {
                            m.insert(v.index, reason.clone());
                        }
                    }
                    m
                },
                sequences: r.sequences,
                groups: r.groups,
                now,
            }
        } else {
            run_chunks(loaded, f, &opts, now)
        };
        let exceptions = loaded.exception_set(&opts, now);
        let notes = loaded.run_notes(&opts, &exceptions);
        let mut counts = Counts::default();
        for &s in &run.status {
            match Status::from_code(s) {
                Some(Status::Alert) => counts.alert += 1,
                Some(Status::Match) => counts.matched += 1,
                Some(Status::Suppressed) => counts.suppressed += 1,
                _ => counts.no_match += 1,
            }
        }
        let n = run.status.len();
        let report = EvaluationReport {
            misses: vec![-1; n],
            status: run.status.clone(),
            reasons: {
                let mut m = BTreeMap::new();
                for (&i, r) in &run.reasons {
                    m.insert(i, r.clone());
                }
                m
            },
            sequences: run.sequences.clone(),
            groups: run.groups.clone(),
            counts,
            notes,
            now,
            misses_pending: false,
            misses_auto: false,
        };
        if let Some(f) = self.file.as_mut() {
            f.run = Some(run);
        }
        Some(report)
    }

    /// Why event `index` of the file got its verdict; `text` is the event as written in the
    /// file (read there again: the core keeps only its pruned fields).
    pub fn explain_file_event(&mut self, index: usize, text: &str) -> Option<ExplanationView> {
        if self.file.as_ref().is_some_and(|f| f.run.is_none()) {
            self.evaluate_file()?;
        }
        let loaded = self.loaded.as_ref()?;
        if loaded.is_esql() {
            // An ES|QL explanation is about the whole pipeline (the rows and groups an event
            // went into): it reruns over the kept events, as the evaluation did.
            let f = self.file.as_ref()?;
            let events: Vec<Value> = f.chunks.iter().flat_map(Chunk::events).collect();
            let mut opts = self.options(true);
            opts.now = Some(self.file_now(f));
            return loaded
                .explain(&events, index, &opts)
                .map(ExplanationView::from);
        }
        let run = self.file.as_ref()?.run.as_ref()?;
        let event: Value = serde_json::from_str(text).ok()?;
        let status = Status::from_code(*run.status.get(index)?)?;
        let opts = self.options(true);
        let exceptions = loaded.exception_set(&opts, run.now);
        Some(ExplanationView::from(Explanation {
            index,
            status,
            matched: run.matched.get(index).copied().unwrap_or(false),
            alert: status == Status::Alert,
            reason: run.reasons.get(&index).cloned(),
            trace: loaded.trace(&event, run.now),
            exceptions: exceptions.explain(&event),
            sequences: run
                .sequences
                .iter()
                .filter(|h| h.events.contains(&Some(index)))
                .cloned()
                .collect(),
            // ES|QL explanations returned above.
            #[cfg(feature = "esql")]
            esql: None,
        }))
    }

    /// Result-list rows of the file's events; `texts[i]` is event `indices[i]` as written.
    pub fn file_rows(&self, indices: &[usize], texts: &[String]) -> Vec<Row> {
        indices
            .iter()
            .zip(texts)
            .filter_map(|(&index, text)| {
                let event: Value = serde_json::from_str(text).ok()?;
                Some(Row {
                    index,
                    summary: self.summarize(&event),
                    why: None,
                    hit: None,
                })
            })
            .collect()
    }
}

/// JSON arrays up to this size are read whole (the page's text path); bigger ones are refused.
pub const FILE_ARRAY_MAX: usize = 48_000_000;

/// Query verdicts of one chunk's events, from its event view where the query is served by it.
fn chunk_hits(loaded: &Loaded, chunk: &Chunk, now: i64) -> Vec<bool> {
    match (&loaded.query, &chunk.table) {
        (Query::Eql(q), Some(t)) => {
            let b = q.bind(t);
            let mut hits = q.matching_rows(&b);
            if let Some(u) = q.until_index() {
                let all: Vec<u32> = (0..t.len()).filter_map(|r| u32::try_from(r).ok()).collect();
                for r in q.filter_rows(&b, u, &all) {
                    if let Some(h) = hits.get_mut(r as usize) {
                        *h = true;
                    }
                }
            }
            hits
        }
        (Query::Kql(q), Some(t)) => {
            let b = q.bind(t);
            if q.reads_event(&b) {
                let events = chunk.events();
                events
                    .iter()
                    .enumerate()
                    .map(|(i, ev)| q.matches_row(&b, i, ev, now))
                    .collect()
            } else {
                (0..t.len())
                    .map(|i| q.matches_row(&b, i, &Value::Null, now))
                    .collect()
            }
        }
        _ => chunk
            .events()
            .iter()
            .map(|ev| loaded.query_matches(ev, now))
            .collect(),
    }
}

/// A run of a query, new_terms or threshold rule over a file's chunks: the query from the event
/// views, then only the events that matched, read whole when filters, exceptions or the rule
/// type need them. Work and memory beyond one status byte per event follow the matches.
fn run_chunks(loaded: &Loaded, f: &FileEvents, opts: &RunOptions, now: i64) -> FileRun {
    let n = f.count();
    let exceptions: ExceptionSet = loaded.exception_set(opts, now);
    let by_type = matches!(loaded.kind, Kind::NewTerms(_) | Kind::Threshold(_));
    let read = by_type || !exceptions.is_empty() || !loaded.filters.is_empty();
    let mut matched = vec![false; n];
    // The events that matched: index, the exception item that removed it, the event when read.
    let mut hits: Vec<(usize, Option<usize>, Value)> = Vec::new();
    let mut first = 0;
    for chunk in &f.chunks {
        for (row, hit) in chunk_hits(loaded, chunk, now).into_iter().enumerate() {
            if !hit {
                continue;
            }
            let i = first + row;
            let ev = if read { chunk.event(row) } else { Value::Null };
            if !loaded.filters_pass(&ev) {
                continue;
            }
            if let Some(m) = matched.get_mut(i) {
                *m = true;
            }
            let item = if exceptions.is_empty() {
                None
            } else {
                exceptions.matching_item(&ev)
            };
            hits.push((i, item, ev));
        }
        first += chunk.len();
    }
    let mut groups = Vec::new();
    // The rule type's verdicts of the candidates (matched, no exception), by position in `hits`.
    let candidates = || hits.iter().filter(|h| h.1.is_none());
    let mut verdicts: Vec<Option<TypeVerdict>> = vec![None; hits.len()];
    match &loaded.kind {
        Kind::NewTerms(spec) => {
            let picked: Vec<(usize, &Value)> = candidates().map(|h| (h.0, &h.2)).collect();
            let mut got = ruletype::new_terms_picked(&picked, spec, loaded.timestamp_field());
            got.sort_unstable_by_key(|g| g.0);
            for (slot, h) in verdicts.iter_mut().zip(&hits) {
                if let Ok(k) = got.binary_search_by_key(&h.0, |g| g.0) {
                    *slot = got.get(k).map(|g| g.1.clone());
                }
            }
        }
        Kind::Threshold(spec) => {
            // Threshold's groups keep event indices: it is given every index (nulls elsewhere).
            let mut values = vec![Value::Null; n];
            let mut is_candidate = vec![false; n];
            for h in candidates() {
                if let (Some(v), Some(c)) = (values.get_mut(h.0), is_candidate.get_mut(h.0)) {
                    *v = h.2.clone();
                    *c = true;
                }
            }
            let (v, g) = ruletype::threshold(&values, &is_candidate, spec);
            groups = g;
            for (slot, h) in verdicts.iter_mut().zip(&hits) {
                *slot = v.get(h.0).cloned();
            }
        }
        Kind::NeverAlerts(why) => {
            for (slot, h) in verdicts.iter_mut().zip(&hits) {
                *slot = h.1.is_none().then(|| TypeVerdict {
                    alert: false,
                    reason: Some(why.clone()),
                });
            }
        }
        Kind::Query => {
            for (slot, h) in verdicts.iter_mut().zip(&hits) {
                *slot = h.1.is_none().then_some(TypeVerdict {
                    alert: true,
                    reason: None,
                });
            }
        }
    }
    let mut status = vec![Status::NoMatch.code(); n];
    let mut reasons = BTreeMap::new();
    for (h, tv) in hits.iter().zip(verdicts) {
        let (s, reason) = settle(true, h.1, tv.unwrap_or_default(), &exceptions);
        if let Some(slot) = status.get_mut(h.0) {
            *slot = s.code();
        }
        if let Some(r) = reason {
            reasons.insert(h.0, r);
        }
    }
    FileRun {
        status,
        matched,
        reasons,
        sequences: Vec::new(),
        groups,
        now,
    }
}

/// The positions of the newlines in `bytes`.
fn memchr_iter(bytes: &[u8]) -> impl Iterator<Item = usize> + '_ {
    bytes
        .iter()
        .enumerate()
        .filter_map(|(i, &b)| (b == b'\n').then_some(i))
}

#[cfg(test)]
#[path = "bigfile_tests.rs"]
mod tests;
