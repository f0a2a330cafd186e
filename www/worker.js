// The engine thread: owns the wasm Playground, parses and evaluates off the page's main thread, and
// answers small questions (rows, explanations) so the page never holds 100,000 parsed events.
// A namespace import: a wasm build without the Playground export still bundles, and says so at run time.
import * as wasm from '../pkg/ruleplay.js';

const STATUS_CODE = { alert: 0, match: 1, suppressed: 2, no_match: 3 };

let pg = null;
let ready = null;
let generation = 0;
// Raw events text and a lazily built index from event number to its JSON, for row summaries and the
// explanation's JSON view.
let eventsText = '';
let eventIndex = null;
let lastEval = null;
let summaryFields = null;
let ruleOk = false;
let lastEventsResult = null;
// Row reasons cost one explain() each; some rule types explain against the whole timeline, so when
// one call is slow the list stops asking for reasons until the next evaluation.
let slowExplain = false;
// A "now" the page asked for (an example's expected.json); otherwise the latest event time.
let pinnedNow = null;

function progress(id, label, value) {
  self.postMessage({ type: 'progress', id, label, value });
}

async function start() {
  await wasm.default({ module_or_path: new URL('./ruleplay_bg.wasm', import.meta.url) });
  if (typeof wasm.Playground !== 'function') throw new Error('this wasm build has no Playground API');
  pg = new wasm.Playground();
}

// NDJSON: event i sits on line lines[i] (1-based, from set_events) or, without that, on the i-th
// non-blank line the parser kept; a JSON array is parsed once, on demand.
function buildIndex(result) {
  const t = eventsText;
  let i = 0;
  while (i < t.length && /\s/.test(t[i])) i++;
  if (t[i] === '[') {
    try {
      const arr = JSON.parse(t);
      return { get: (n) => arr[n] };
    } catch {
      return { get: () => undefined };
    }
  }
  const bad = new Set((result.errors || []).map((e) => e.line));
  const starts = [];
  const ends = [];
  let line = 1;
  let pos = 0;
  while (pos <= t.length) {
    let nl = t.indexOf('\n', pos);
    if (nl < 0) nl = t.length;
    if (result.lines) {
      starts.push(pos);
      ends.push(nl);
    } else if (!bad.has(line) && t.slice(pos, nl).trim()) {
      starts.push(pos);
      ends.push(nl);
    }
    line++;
    pos = nl + 1;
  }
  const at = result.lines ? (n) => result.lines[n] - 1 : (n) => n;
  return {
    get(n) {
      const k = at(n);
      if (!(k >= 0 && k < starts.length)) return undefined;
      try {
        return JSON.parse(t.slice(starts[k], ends[k]));
      } catch {
        return undefined;
      }
    },
  };
}

// "now" defaults to the latest event time, as `ruleplay test` does, so history windows and date
// math over sample events from the past behave as they did when the events were fresh. A scan of
// the raw text is enough and costs ~1 ms per MB.
function latestTimestamp(text) {
  const re = /"@timestamp"\s*:\s*(?:"([^"]{4,40})"|(\d{10,16}))/g;
  let best = NaN;
  for (let m; (m = re.exec(text)); ) {
    const ms = m[1] != null ? Date.parse(m[1]) : Number(m[2]);
    if (Number.isFinite(ms) && !(ms <= best)) best = ms;
  }
  return Number.isFinite(best) ? best : null;
}

function getEvent(n) {
  if (!eventIndex) eventIndex = buildIndex(lastEventsResult || { errors: [] });
  return eventIndex.get(n);
}

// Dotted keys and nested objects may mix ("process.parent": {"name": …}); try every split.
function lookup(ev, path) {
  if (ev == null || typeof ev !== 'object') return undefined;
  if (path in ev) return ev[path];
  for (let k = path.indexOf('.'); k > 0; k = path.indexOf('.', k + 1)) {
    const head = path.slice(0, k);
    if (head in ev) {
      const v = lookup(ev[head], path.slice(k + 1));
      if (v !== undefined) return v;
    }
  }
  return undefined;
}

// The explanation as the page draws it, whether the engine nests the query trace or not. The wasm
// layer already gives every span in UTF-16 offsets of the editor's text (for a TOML rule, of the
// whole file), so nothing is shifted here: a rule with [[rule.filters]] has a synthetic root at 0..0.
function normalize(x) {
  if (!x) return x;
  const t = x.trace || {};
  return {
    ...x,
    matched: x.matched ?? t.matched,
    root: x.root || t.root || null,
    near_miss: x.near_miss || t.near_miss || [],
    sequences: x.sequences || (x.sequence ? [x.sequence] : []),
    exceptions: x.exceptions || [],
  };
}

function collectFields(clause, out) {
  if (!clause) return;
  if (clause.field && !out.includes(clause.field)) out.push(clause.field);
  for (const c of clause.children || []) collectFields(c, out);
}

function text(v) {
  if (Array.isArray(v)) return v.filter((x) => typeof x !== 'object').join(' ');
  return v == null || typeof v === 'object' ? '' : String(v);
}

// One line per event: for process events the parent → child and its command line (what an analyst
// reads first), otherwise the values of the fields the query looks at.
function summarize(ev) {
  let s;
  const name = text(lookup(ev, 'process.name'));
  if (name) {
    const parent = text(lookup(ev, 'process.parent.name'));
    const cmd = text(lookup(ev, 'process.command_line')) || text(lookup(ev, 'process.args'));
    s = `${parent ? parent + ' → ' : ''}${name}${cmd ? '  ' + cmd : ''}`;
  } else {
    const parts = [];
    if (!summaryFields) {
      // The fields the query looks at, read off one explanation.
      summaryFields = [];
      try {
        const x = normalize(pg.explain(0));
        if (x) collectFields(x.root, summaryFields);
      } catch {
        /* a summary is a nicety */
      }
    }
    const fields = summaryFields.filter((f) => f !== 'event.category');
    for (const f of fields.length ? fields : ['event.action', 'message']) {
      const v = text(lookup(ev, f));
      if (v) parts.push(v);
      if (parts.length >= 3) break;
    }
    s = parts.join(' · ');
  }
  return s.length > 160 ? s.slice(0, 160) + '…' : s;
}

// Near-miss counts cost an explanation per non-matching event (most of an evaluation's time), so
// when the engine can skip them, verdicts go out first and the counts follow: by themselves for
// small inputs, when the page asks (the near-miss filter) for big ones.
const AUTO_MISSES_MAX = 20_000;
let missesPending = false;

function canSkipMisses() {
  return typeof pg.set_skip_misses === 'function';
}

function evaluate(id, big) {
  if (big) progress(id, 'Evaluating…', 0.85);
  const split = canSkipMisses();
  if (split) pg.set_skip_misses(true);
  const r = pg.evaluate();
  missesPending = split;
  const n = r.events.length;
  const status = new Uint8Array(n);
  const misses = new Int32Array(n).fill(-1);
  const reasons = {};
  for (let i = 0; i < n; i++) {
    const e = r.events[i];
    status[i] = STATUS_CODE[e.status] ?? 3;
    if (e.misses != null) misses[i] = e.misses;
    if (e.reason) reasons[i] = e.reason;
  }
  summaryFields = null;
  lastEval = { status, misses };
  slowExplain = false;
  return {
    result: {
      status,
      misses,
      reasons,
      sequences: r.sequences || [],
      counts: r.counts,
      notes: r.notes || [],
      ms: r.ms,
      generation,
      missesPending: split,
    },
    transfer: [status.buffer.slice(0), misses.buffer.slice(0)],
  };
}

function handleUpdate(msg) {
  const out = { type: 'update', id: msg.id };
  let big = false;
  const t0 = performance.now();
  if ('now' in msg) {
    pinnedNow = msg.now;
    if (pinnedNow != null) pg.set_now(pinnedNow);
    else if (msg.events == null) pg.set_now(latestTimestamp(eventsText) ?? Date.now());
  }
  if (msg.rule) {
    out.rule = pg.set_rule(msg.rule.source, msg.rule.lang);
    ruleOk = Boolean(out.rule.ok);
  }
  if (msg.exceptions != null) out.exceptions = pg.set_exceptions(msg.exceptions);
  if (msg.events != null) {
    eventsText = typeof msg.events === 'string' ? msg.events : new TextDecoder().decode(msg.events);
    big = eventsText.length > 2_000_000;
    if (big) progress(msg.id, 'Parsing events…', 0.6);
    const ev = pg.set_events(eventsText);
    lastEventsResult = { errors: ev.errors, lines: ev.lines };
    if (pinnedNow == null) {
      const latest = latestTimestamp(eventsText);
      pg.set_now(latest != null ? latest : Date.now());
    }
    eventIndex = null;
    // Fields can be thousands of names: send them once, trimmed.
    out.events = { count: ev.count, errors: ev.errors.slice(0, 200), errorCount: ev.errors.length, fields: (ev.fields || []).slice(0, 5000) };
  }
  generation++;
  let transfer = [];
  if (msg.noEval) {
    out.eval = undefined;
  } else if (ruleOk) {
    const e = evaluate(msg.id, big);
    out.eval = e.result;
    transfer = e.transfer;
  } else {
    out.eval = null;
  }
  out.totalMs = performance.now() - t0;
  if (big) progress(msg.id, 'Done', 1);
  self.postMessage(out, transfer);
  if (out.eval && out.eval.missesPending && out.eval.status.length <= AUTO_MISSES_MAX) {
    const gen = generation;
    // A pause lets the page's next edit arrive first; it makes these counts stale anyway.
    setTimeout(() => computeMisses(gen), 40);
  }
}

function computeMisses(gen, id) {
  if (gen !== generation || !missesPending || !ruleOk) {
    if (id != null) self.postMessage({ type: 'misses', id, generation, stale: true });
    return;
  }
  const big = lastEval.status.length > AUTO_MISSES_MAX;
  if (big && id != null) progress(id, 'Finding near misses…', 0.5);
  pg.set_skip_misses(false);
  let r;
  try {
    r = pg.evaluate();
  } finally {
    pg.set_skip_misses(true);
  }
  const n = r.events.length;
  const misses = new Int32Array(n).fill(-1);
  for (let i = 0; i < n; i++) if (r.events[i].misses != null) misses[i] = r.events[i].misses;
  lastEval.misses = misses;
  missesPending = false;
  if (big && id != null) progress(id, 'Done', 1);
  const copy = misses.slice();
  self.postMessage({ type: 'misses', id, generation, misses: copy, ms: r.ms }, [copy.buffer]);
}

function handleRows(msg) {
  const rows = msg.indices.map((i) => {
    const ev = getEvent(i);
    const row = { index: i, summary: ev === undefined ? '' : summarize(ev) };
    // A short "why not" for near misses, computed only for rows on screen.
    if (!slowExplain && lastEval && lastEval.status[i] === 3 && lastEval.misses[i] >= 1 && lastEval.misses[i] <= 2) {
      try {
        const t0 = performance.now();
        const x = normalize(pg.explain(i));
        if (performance.now() - t0 > 15) slowExplain = true;
        if (x && x.near_miss && x.near_miss.length) row.why = x.near_miss.map((m) => m.message).join('; ');
      } catch {
        /* leave it out */
      }
    }
    return row;
  });
  self.postMessage({ type: 'rows', id: msg.id, rows, generation });
}

function handleExplain(msg) {
  let explanation = null;
  let error = null;
  try {
    explanation = normalize(pg.explain(msg.index));
  } catch (e) {
    if (e instanceof WebAssembly.RuntimeError) throw e;
    error = String(e && e.message ? e.message : e);
  }
  const lines = lastEventsResult && lastEventsResult.lines;
  const line = lines && lines[msg.index] != null ? lines[msg.index] : null;
  self.postMessage({ type: 'explain', id: msg.id, index: msg.index, explanation, event: getEvent(msg.index), line, error, generation });
}

self.onmessage = async (e) => {
  const msg = e.data;
  try {
    if (!ready) ready = start();
    await ready;
    if (msg.type === 'init') self.postMessage({ type: 'init', id: msg.id });
    else if (msg.type === 'update') handleUpdate(msg);
    else if (msg.type === 'rows') handleRows(msg);
    else if (msg.type === 'explain') handleExplain(msg);
    else if (msg.type === 'misses') computeMisses(generation, msg.id);
  } catch (err) {
    // A trap (a Rust panic under panic=abort) leaves this wasm instance unusable: ask for a new worker.
    const fatal = err instanceof WebAssembly.RuntimeError;
    self.postMessage({ type: 'error', id: msg.id, fatal, message: String(err && err.message ? err.message : err) });
  }
};
