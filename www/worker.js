// The engine thread: owns the wasm Session (crate/src/engine/session.rs) and relays the page's
// questions to it, off the page's main thread, so the page never holds 100,000 parsed events. Every
// answer's meaning comes from the core; this file only schedules (the near-miss pass after the
// verdicts) and posts.
// A namespace import: a wasm build without the Session export still bundles, and says so at run time.
import * as wasm from '../pkg/ruleplay.js';
import { handleShare } from './share/worker_share.js';
import { remember, handleEs } from './devtools/worker_es.js';

/** @typedef {import('../pkg/ruleplay.js').Evaluation} Evaluation */
/** @typedef {import('../pkg/ruleplay.js').RuleReport} RuleReport */
/** @typedef {import('../pkg/ruleplay.js').EventsReport} EventsReport */
/** @typedef {import('../pkg/ruleplay.js').ExceptionsReport} ExceptionsReport */
/** @typedef {import('../pkg/ruleplay.js').MappingsReport} MappingsReport */
/** @typedef {import('../pkg/ruleplay.js').Explanation} Explanation */
/** @typedef {import('../pkg/ruleplay.js').Row} Row */
/** @typedef {import('../pkg/ruleplay.js').EventEdit} EventEdit */
/** @typedef {import('../pkg/ruleplay.js').ValueListReport} ValueListReport */
/** @typedef {import('../pkg/ruleplay.js').ExceptionListRef} ExceptionListRef */
/** @typedef {import('../pkg/ruleplay.js').ExceptionWarning} ExceptionWarning */

/** @type {wasm.Session} */
let session;
/** @type {Promise<void> | null} */
let ready = null;
let generation = 0;
let ruleOk = false;
let ruleSet = false;
// Near-miss counts come from a second pass (`near_misses`), at once for small batches (the core
// says which: `missesAuto`) and when the page asks (its near-miss filter) for big ones.
let missesPending = false;
let missesAuto = true;
// ES|QL: the first module has none (`wasm.esql_needed` says when a rule needs it); the ES|QL module
// (www/esql/engine.js) is loaded on the first ES|QL rule, takes over the session's state and then
// serves every message. What it cannot read back from the old session is kept here.
let esqlModule = false;
/** Messages wait while the ES|QL module loads, so they reach the session in order. */
let esqlGate = Promise.resolve();
/** @type {{now?: number | null, exceptions?: string, valueLists?: {id: string, type: string, text: string}[], mappings?: string}} */
const kept = {};
/** Inputs over this size report their progress. */
const BIG_INPUT = 2_000_000;
/** A big events file read in slices (www/bigfile/worker_file.js), loaded with the first one. */
/** @type {typeof import('./bigfile/worker_file.js') | null} */
let fileMod = null;

/**
 * @param {number} id
 * @param {string} label
 * @param {number} value
 */
function progress(id, label, value) {
  self.postMessage({ type: 'progress', id, label, value });
}

async function start() {
  await wasm.default({ module_or_path: new URL('./ruleplay_bg.wasm', import.meta.url) });
  if (typeof wasm.Session !== 'function') throw new Error('this wasm build has no Session API');
  session = new wasm.Session();
}

/**
 * The page's edits: any of rule, events, exceptions and a pinned "now"; then the verdicts.
 * ruleFile restores the rule file a bare query edits (after a restart); switchTo switches the rule
 * view (the core says what it shows: `rule.source`); editEvent replaces one event in the events text.
 * file: a big events file, read here in slices (www/bigfile/worker_file.js).
 * @param {{id: number, ruleFile?: string, rule?: {source: string, lang: string}, switchTo?: {lang: string, fallback: string}, editEvent?: {index: number, json: string}, events?: string | Uint8Array, file?: File, exceptions?: string, valueLists?: {id: string, type: string, text: string}[], mappings?: string, now?: number | null, noEval?: boolean}} msg
 */
/**
 * Load the ES|QL module when this update opens an ES|QL rule and hand it the session's state.
 * @param {{rule?: {source: string, lang: string}, ruleFile?: string}} msg
 */
async function ensureEsql(msg) {
  if (esqlModule) return;
  const needs = (msg.rule && wasm.esql_needed(msg.rule.source, msg.rule.lang)) || (msg.ruleFile != null && wasm.esql_needed(msg.ruleFile, 'toml'));
  if (!needs) return;
  const { loadEsqlModule } = await import('./esql/engine.js');
  const m = await loadEsqlModule();
  const next = new m.Session();
  if ('now' in kept) next.pin_now(kept.now ?? undefined);
  if (kept.mappings != null) next.set_mappings(kept.mappings);
  if (kept.valueLists) next.set_value_lists(kept.valueLists);
  if (kept.exceptions != null) next.set_exceptions(kept.exceptions);
  next.set_events(session.events_text());
  session.free();
  session = /** @type {any} */ (next);
  esqlModule = true;
}

/** @param {Parameters<typeof handleUpdate>[0]} msg */
function keep(msg) {
  if ('now' in msg) kept.now = msg.now;
  if (msg.exceptions != null) kept.exceptions = msg.exceptions;
  if (msg.valueLists) kept.valueLists = msg.valueLists;
  if (msg.mappings != null) kept.mappings = msg.mappings;
}

async function handleUpdate(msg) {
  /** @type {{type: 'update', id: number, rule?: RuleReport, exceptions?: ExceptionsReport, exceptionWarnings?: ExceptionWarning[], mappings?: MappingsReport, events?: EventsReport, edit?: EventEdit, valueLists?: ValueListReport[], refs?: ExceptionListRef[], eval?: (Evaluation & {generation: number}) | null, esql?: import('../pkg/ruleplay.js').EsqlReport | null, totalMs?: number, fileRead?: {stopped: boolean, ms: number, heap: number}}} */
  const out = { type: 'update', id: msg.id };
  keep(msg);
  let big = false;
  const t0 = performance.now();
  if ('now' in msg) session.pin_now(msg.now ?? undefined);
  if (msg.ruleFile != null) session.set_rule(msg.ruleFile, 'toml');
  if (msg.rule) {
    out.rule = session.set_rule(msg.rule.source, msg.rule.lang);
    ruleOk = out.rule.ok;
    ruleSet = true;
  }
  if (msg.switchTo) {
    out.rule = session.switch_lang(msg.switchTo.lang, msg.switchTo.fallback);
    ruleOk = out.rule.ok;
  }
  if (msg.exceptions != null) out.exceptions = session.set_exceptions(msg.exceptions);
  if (msg.valueLists) out.valueLists = session.set_value_lists(msg.valueLists);
  // The rule's [[rule.exceptions_list]] references, and whether the exceptions hold each list.
  if (out.rule || out.exceptions) out.refs = session.exception_list_refs();
  if (msg.mappings != null) {
    // Field types change what the rule compiles to (and whether it passes the EQL checks).
    out.mappings = session.set_mappings(msg.mappings);
    if (ruleSet) {
      out.rule = session.rule_report();
      ruleOk = out.rule.ok;
    }
  }
  if (msg.events != null) {
    big = msg.events.length > BIG_INPUT;
    if (big) progress(msg.id, 'Parsing events…', 0.6);
    out.events = session.set_events(msg.events);
    // The rule's warnings depend on the events' fields.
    if (!out.rule && ruleSet) out.rule = session.rule_report();
  }
  if (msg.file) {
    fileMod ??= await import('./bigfile/worker_file.js');
    out.events = await fileMod.read(session, msg.file, out, (label, value) => progress(msg.id, label, value));
    big = true;
    if (!out.rule && ruleSet) out.rule = session.rule_report();
  }
  if (msg.editEvent) {
    out.edit = session.replace_event(msg.editEvent.index, msg.editEvent.json);
    if (out.edit.events) out.events = out.edit.events;
  }
  // The exceptions form's warnings read the items, the events' fields and values, and the rule.
  if (out.exceptions || out.events || out.rule || out.valueLists || 'now' in msg) out.exceptionWarnings = session.exception_warnings();
  remember(msg, out.rule?.source);
  generation++;
  /** @type {Transferable[]} */
  let transfer = [];
  if (msg.noEval) {
    out.eval = undefined;
  } else if (ruleOk) {
    // An edit that reads a field the file's read did not keep: read the file again.
    if (fileMod && session.from_file() && session.file_stale()) {
      out.events = await fileMod.read(session, null, out, (label, value) => progress(msg.id, label, value));
      big = true;
    }
    if (big) progress(msg.id, 'Evaluating…', 0.95);
    const r = session.evaluate();
    missesPending = r.missesPending;
    missesAuto = r.missesAuto;
    out.eval = Object.assign(r, { generation });
    if (esqlModule) out.esql = session.esql_report();
    transfer = [r.status.buffer, r.misses.buffer];
  } else {
    out.eval = null;
  }
  out.totalMs = performance.now() - t0;
  if (big) progress(msg.id, 'Done', 1);
  self.postMessage(out, transfer);
  if (out.eval && missesPending && missesAuto) {
    const gen = generation;
    // A pause lets the page's next edit arrive first; it makes these counts stale anyway.
    setTimeout(() => computeMisses(gen), 40);
  }
}

/**
 * The near-miss pass, unless an edit made it stale.
 * @param {number} gen
 * @param {number} [id]
 */
function computeMisses(gen, id) {
  if (gen !== generation || !missesPending || !ruleOk) {
    if (id != null) self.postMessage({ type: 'misses', id, generation, stale: true });
    return;
  }
  const big = !missesAuto;
  if (big && id != null) progress(id, 'Finding near misses…', 0.5);
  const r = session.near_misses();
  missesPending = false;
  if (big && id != null) progress(id, 'Done', 1);
  self.postMessage({ type: 'misses', id, generation, misses: r.misses, ms: r.ms }, [r.misses.buffer]);
}

/** @param {{id: number, indices: number[]}} msg */
function handleRows(msg) {
  const indices = Uint32Array.from(msg.indices);
  const rows = fileMod && session.from_file() ? fileMod.rows(session, indices) : session.rows(indices);
  self.postMessage({ type: 'rows', id: msg.id, rows, generation });
}

/** @param {{id: number, source: string, lang: string, field: string, op: string, values: string[]}} msg */
function handleExclude(msg) {
  const r = session.exclude(msg.source, msg.lang, msg.field, msg.op, msg.values);
  self.postMessage({ type: 'exclude', id: msg.id, ...r });
}

/** @param {{id: number, text: string, format: string}} msg */
function handleConvert(msg) {
  const r = session.convert_exceptions(msg.text, msg.format);
  self.postMessage({ type: 'convert', id: msg.id, text: r.text, errors: r.errors });
}

/** @param {{id: number, text: string, index: number | null, item: string | null}} msg */
function handleEditExceptions(msg) {
  try {
    const text = session.edit_exceptions(msg.text, msg.index ?? undefined, msg.item ?? undefined);
    self.postMessage({ type: 'editExceptions', id: msg.id, ok: true, text });
  } catch (e) {
    if (e instanceof WebAssembly.RuntimeError) throw e;
    self.postMessage({ type: 'editExceptions', id: msg.id, ok: false, message: String(e instanceof Error ? e.message : e) });
  }
}

/** @param {{id: number, field: string}} msg */
function handleValues(msg) {
  self.postMessage({ type: 'values', id: msg.id, field: msg.field, values: session.field_values(msg.field) });
}

/** @param {{id: number, query: string}} msg */
function handleFilter(msg) {
  if (session.from_file()) {
    // The core keeps only the rule's fields of a big file: a filter could read any other.
    const message = 'the filter box is not available for events read from a big file (only the fields the rule reads are kept)';
    self.postMessage({ type: 'filter', id: msg.id, ok: false, diagnostics: [{ col: 1, message }], indices: new Uint32Array(0), generation });
    return;
  }
  const r = session.filter(msg.query);
  self.postMessage({ type: 'filter', id: msg.id, ok: r.ok, diagnostics: r.diagnostics, indices: r.indices, generation }, [r.indices.buffer]);
}

/** @param {{id: number, index: number}} msg */
function handleExplain(msg) {
  /** @type {Explanation | null} */
  let explanation = null;
  let error = null;
  if (fileMod && session.from_file()) {
    self.postMessage({ type: 'explain', id: msg.id, index: msg.index, generation, ...fileMod.explain(session, msg.index, wasm.pretty_event) });
    return;
  }
  try {
    explanation = session.explain(msg.index);
  } catch (e) {
    if (e instanceof WebAssembly.RuntimeError) throw e;
    error = String(e instanceof Error ? e.message : e);
  }
  const event = session.event(msg.index);
  const line = session.event_line(msg.index) ?? null;
  const pretty = session.event_pretty(msg.index) ?? null;
  const origin = session.event_origin(msg.index) ?? null;
  self.postMessage({ type: 'explain', id: msg.id, index: msg.index, explanation, event, pretty, line, origin, error, generation });
}

/**
 * "Exclude this", the diff line, coverage and the export (www/exclude.js and its siblings): each
 * one call of the core, answered with the generation it belongs to.
 * @param {any} msg
 */
function handlePreview(msg) {
  /** @type {any} */
  let out;
  // A big file's events are not held whole: these read every event's fields (not yet offered).
  if (session.from_file() && ['offer', 'exclusion', 'exception'].includes(msg.what)) out = null;
  // No counts rather than stale ones.
  else if (session.from_file() && msg.what === 'coverage') out = { events: 0, clauses: [], values: [] };
  else if (msg.what === 'exclusion') out = session.preview_exclusion(msg.field, msg.values);
  else if (msg.what === 'exception') out = session.preview_exception(JSON.stringify(msg.entries));
  else if (msg.what === 'offer') out = session.exclude_offer(msg.index, msg.field ?? undefined);
  else if (msg.what === 'coverage') return coverageSteps(msg.id, msg.generation);
  else if (msg.what === 'diff') out = wasm.verdict_diff(msg.before, msg.after);
  else if (msg.what === 'export') out = session.export_rule(msg.original ?? undefined);
  else if (msg.what === 'kibanaExport') out = session.export_kibana() ?? null;
  else if (msg.what === 'kibanaRule') out = wasm.kibanaRule(msg.text, msg.index ?? undefined);
  self.postMessage({ type: 'preview', id: msg.id, generation, result: out });
}

/** Events traced per coverage step: a step takes some tens of ms, so an edit waits no longer. */
const COVERAGE_STEP = 1000;

/**
 * The coverage pass in steps, letting the page's messages in between; `null` when an edit made
 * it stale.
 * @param {number} id
 * @param {number} gen
 */
function coverageSteps(id, gen) {
  if (gen !== generation || !ruleOk) {
    self.postMessage({ type: 'preview', id, generation, result: null });
    return;
  }
  const result = session.coverage_step(COVERAGE_STEP);
  if (result) self.postMessage({ type: 'preview', id, generation, result });
  else setTimeout(() => coverageSteps(id, gen), 0);
}

self.onmessage = async (e) => {
  const msg = e.data;
  try {
    if (!ready) ready = start();
    await ready;
    await esqlGate;
    if (msg.type === 'init') self.postMessage({ type: 'init', id: msg.id });
    else if (msg.type === 'update') {
      esqlGate = ensureEsql(msg);
      await esqlGate;
      await handleUpdate(msg);
    }
    else if (msg.type === 'fileStop') fileMod?.stop();
    else if (msg.type === 'rows') handleRows(msg);
    else if (msg.type === 'explain') handleExplain(msg);
    else if (msg.type === 'values') handleValues(msg);
    else if (msg.type === 'exclude') handleExclude(msg);
    else if (msg.type === 'editExceptions') handleEditExceptions(msg);
    else if (msg.type === 'ecsFields') self.postMessage({ type: 'ecsFields', id: msg.id, fields: wasm.ecs_field_names() });
    else if (msg.type === 'filter') handleFilter(msg);
    else if (msg.type === 'convert') handleConvert(msg);
    else if (msg.type === 'misses') computeMisses(generation, msg.id);
    else if (msg.type === 'preview' && msg.what === 'es') await handleEs(msg, generation);
    else if (msg.type === 'preview') handlePreview(msg);
    else handleShare(session, msg);
  } catch (err) {
    // A trap (a Rust panic under panic=abort) leaves this wasm instance unusable: ask for a new worker.
    const fatal = err instanceof WebAssembly.RuntimeError;
    self.postMessage({ type: 'error', id: msg.id, fatal, message: String(err instanceof Error ? err.message : err) });
  }
};
