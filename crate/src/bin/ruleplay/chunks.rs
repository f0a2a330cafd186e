//! Both cores for `ruleplay match`: a reader thread cuts the input into chunks of whole lines,
//! workers parse and judge them (query, filters, exceptions: `engine::Judge`, which reads no
//! other event), and the caller gets the chunks back strictly in input order to give the rule
//! type (which does remember earlier events) and to print. Chunk `k` goes to worker
//! `k % threads` and comes back through that worker's own channel, so order needs no sorting,
//! and the bounded channels keep at most a few chunks per worker in memory.
//!
//! One thread runs the same functions without spawning any, so the output is the same bytes
//! whatever the thread count (`tests/cli_threads.rs`).

use crate::input::Buffered;
use ruleplay::engine::{Judge, Judged};
use ruleplay::event::parse::{parse_line, EventError};
use ruleplay::event::prune::{parse_line_pruned, Needed};
use serde_json::Value;
use std::sync::mpsc::{sync_channel, Receiver, SyncSender, TryRecvError};

/// Chunks each worker may have waiting, and results waiting for the writer.
const QUEUE: usize = 2;

/// A run of whole lines (the last one maybe without its newline, at the end of the input).
/// Buffers and result lists go round and are reused: allocating them afresh per chunk (large
/// blocks) makes glibc consolidate its free lists each time, measured at 1.8x the run time.
pub struct Chunk(Vec<u8>);

/// What became of one line.
pub enum Item {
    /// An event (its line, numbered from 1 within its chunk): the event itself only when the
    /// rule type reads it.
    Event(usize, Option<Value>, Judged),
    /// A line that is not an event, numbered from 1 within its chunk.
    Bad(usize, String, EventError),
    /// The input cannot be read on (not UTF-8): the run stops here.
    Fatal(String),
}

/// One chunk's lines, judged.
#[derive(Default)]
pub struct Judgements {
    pub lines: usize,
    pub items: Vec<Item>,
}

/// Parses and judges lines; shared by every worker.
pub struct Worker<'a> {
    pub judge: Judge<'a>,
    /// Parse only these fields (see `event::prune`); `None` parses everything.
    pub needed: Option<Needed>,
    pub keep_events: bool,
    /// For messages: the input's name.
    pub path: String,
}

impl Worker<'_> {
    fn run(&self, chunk: &Chunk, mut into: Judgements) -> Judgements {
        into.items.clear();
        let items = &mut into.items;
        let mut lines = 0;
        for raw in chunk.0.split_inclusive(|&b| b == b'\n') {
            lines += 1;
            let Ok(line) = std::str::from_utf8(raw) else {
                items.push(Item::Fatal(format!(
                    "cannot read {}: stream did not contain valid UTF-8",
                    self.path
                )));
                break;
            };
            let parsed = match &self.needed {
                Some(n) => parse_line_pruned(line, lines, n),
                None => parse_line(line, lines),
            };
            match parsed {
                Ok(Some(event)) => {
                    let judged = self.judge.judge(&event);
                    items.push(Item::Event(
                        lines,
                        self.keep_events.then_some(event),
                        judged,
                    ));
                }
                Ok(None) => {}
                Err(e) => items.push(Item::Bad(lines, line.to_string(), e)),
            }
        }
        into.lines = lines;
        into
    }
}

/// The next chunk, in `chunk`'s buffer: what one read gives, cut after its last newline (the
/// rest waits in `carry` for the next read). False at the end of the input.
fn next_chunk(
    reader: &mut dyn Buffered,
    chunk: &mut Chunk,
    carry: &mut Vec<u8>,
    path: &str,
) -> Result<bool, String> {
    let bytes = &mut chunk.0;
    bytes.clear();
    bytes.append(carry);
    loop {
        let buf = reader
            .fill_buf()
            .map_err(|e| format!("cannot read {path}: {e}"))?;
        if buf.is_empty() {
            return Ok(!bytes.is_empty());
        }
        let n = buf.len();
        let cut = buf.iter().rposition(|&b| b == b'\n');
        bytes.extend_from_slice(buf);
        reader.consume(n);
        if let Some(p) = cut {
            let end = bytes.len() - n + p + 1;
            carry.extend_from_slice(&bytes[end..]);
            bytes.truncate(end);
            return Ok(true);
        }
    }
}

/// Read `reader` to the end, judging its lines on `threads` threads; `each` gets every chunk's
/// judgements in input order (it takes the items; it returns false to stop reading), and `None`
/// before the run waits for input (the moment to flush what was written).
pub fn judge_all(
    reader: Box<dyn Buffered + Send>,
    threads: usize,
    worker: &Worker,
    each: &mut dyn FnMut(Option<&mut Judgements>) -> Result<bool, String>,
) -> Result<(), String> {
    if threads <= 1 {
        let mut reader = reader;
        let mut carry = Vec::new();
        let mut chunk = Chunk(Vec::new());
        let mut judged = Judgements::default();
        loop {
            if !reader.has_buffered() {
                each(None)?;
            }
            if !next_chunk(&mut *reader, &mut chunk, &mut carry, &worker.path)? {
                return Ok(());
            }
            judged = worker.run(&chunk, judged);
            if !each(Some(&mut judged))? {
                return Ok(());
            }
        }
    }
    // The user's mappings are in force per thread (`event::mapping`); some judging reads them.
    let mappings = ruleplay::event::mapping::current().map(|m| (*m).clone());
    let (free_tx, free_rx) = sync_channel::<Chunk>(threads * (QUEUE + 2));
    std::thread::scope(|s| {
        let mut lanes = Vec::with_capacity(threads);
        let mut work = Vec::with_capacity(threads);
        for _ in 0..threads {
            let (work_tx, work_rx) = sync_channel::<Result<Chunk, String>>(QUEUE);
            let (done_tx, done_rx) = sync_channel(QUEUE);
            let (spare_tx, spare_rx) = sync_channel::<Judgements>(QUEUE + 2);
            work.push(work_tx);
            lanes.push((done_rx, spare_tx));
            let mappings = mappings.clone();
            let free = free_tx.clone();
            s.spawn(move || {
                ruleplay::event::mapping::set_current(mappings);
                for chunk in work_rx {
                    let done = chunk.map(|c| {
                        let j = worker.run(&c, spare_rx.try_recv().unwrap_or_default());
                        let _ = free.try_send(c);
                        j
                    });
                    if done_tx.send(done).is_err() {
                        return;
                    }
                }
            });
        }
        drop(free_tx);
        s.spawn(move || read_into(reader, &work, &free_rx, &worker.path));
        collect(&lanes, each)
    })
}

/// The reader thread: chunk `k` to worker `k % n`; a read error goes in order like a chunk.
fn read_into(
    mut reader: Box<dyn Buffered + Send>,
    work: &[SyncSender<Result<Chunk, String>>],
    free: &Receiver<Chunk>,
    path: &str,
) {
    let mut carry = Vec::new();
    for k in 0.. {
        let mut chunk = free.try_recv().unwrap_or(Chunk(Vec::new()));
        let next = match next_chunk(&mut *reader, &mut chunk, &mut carry, path) {
            Ok(true) => Ok(chunk),
            Ok(false) => return,
            Err(e) => Err(e),
        };
        let last = next.is_err();
        if work[k % work.len()].send(next).is_err() || last {
            return;
        }
    }
}

/// A worker's results, and the way its emptied judgements go back to it.
type Lane = (Receiver<Result<Judgements, String>>, SyncSender<Judgements>);

/// The writer's side: chunk `k` from worker `k % n`, flushing (`None`) before waiting; the
/// emptied judgements go back to their worker.
fn collect(
    lanes: &[Lane],
    each: &mut dyn FnMut(Option<&mut Judgements>) -> Result<bool, String>,
) -> Result<(), String> {
    for k in 0.. {
        let (rx, spare) = &lanes[k % lanes.len()];
        let next = match rx.try_recv() {
            Ok(r) => r,
            Err(TryRecvError::Empty) => {
                each(None)?;
                match rx.recv() {
                    Ok(r) => r,
                    Err(_) => return Ok(()),
                }
            }
            Err(TryRecvError::Disconnected) => return Ok(()),
        };
        let mut judged = next?;
        if !each(Some(&mut judged))? {
            return Ok(());
        }
        let _ = spare.try_send(judged);
    }
    Ok(())
}

/// The threads a run uses by default: every core.
pub fn default_threads() -> usize {
    std::thread::available_parallelism().map_or(1, usize::from)
}
