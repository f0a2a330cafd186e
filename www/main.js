// The page: wires the editors, the engine worker, the result list, the explanation and the metadata
// panel. Data flows one way: editors → worker → results → explanation.
import { createEditor } from './editor.js';
import { EngineClient } from './client.js';
import { ResultList, statusOf } from './results.js';
import { renderExplanation } from './explain.js';
import { renderMeta } from './meta.js';
import { renderMarkdown } from './markdown.js';
import { initShare } from './share/ui.js';

const DEBOUNCE_MS = 150;
// Inputs above this size stay out of the events editor; the worker still gets all of them.
const BIG_INPUT = 2_000_000;

/** @param {string} id */
const $ = (id) => /** @type {HTMLElement} */ (document.getElementById(id));
/** @param {string} id */
const dialog = (id) => /** @type {HTMLDialogElement} */ ($(id));

const DEFAULT_RULE = `host.os.type:linux and event.type:start and process.parent.name:exim4 and
not process.name:(sort or grep or exim4)`;
const DEFAULT_EVENTS = [
  { host: { os: { type: 'linux' } }, event: { type: ['start'] }, process: { name: 'bash', parent: { name: 'exim4' } } },
  { host: { os: { type: 'linux' } }, event: { type: ['start'] }, process: { name: 'sort', parent: { name: 'exim4' } } },
  { host: { os: { type: 'linux' } }, event: { type: ['start'] }, process: { name: 'bash', parent: { name: 'postfix' } } },
].map((e) => JSON.stringify(e)).join('\n');

const state = {
  lang: 'toml',
  // Each language keeps its own text, so switching back and forth loses nothing.
  buffers: { toml: '', kql: DEFAULT_RULE, eql: 'process where process.name : "cmd.exe"' },
  rule: null,
  ruleNotes: [],
  eval: null,
  selected: -1,
  bigEvents: false,
  firstResults: null,
  explainSeq: 0,
};

function debounce(fn, ms) {
  let t = 0;
  return (...args) => {
    clearTimeout(t);
    t = setTimeout(() => fn(...args), ms);
  };
}

function plural(n, word, many = word + 's') {
  return `${n.toLocaleString('en-US')} ${n === 1 ? word : many}`;
}

// ---------- editors ----------

// Field names seen in the events, offered while typing a query.
let eventFields = [];

function completeField(ctx) {
  const word = ctx.matchBefore(/[\w.@-]+/);
  if (!word || (word.from === word.to && !ctx.explicit)) return null;
  // In a TOML rule, only inside the query.
  if (state.lang === 'toml' && (!state.querySpan || ctx.pos < state.querySpan.start || ctx.pos > state.querySpan.end)) return null;
  if (!eventFields.length) return null;
  return {
    from: word.from,
    options: eventFields.map((f) => ({ label: f, type: 'property', detail: 'field' })),
    validFor: /^[\w.@-]*$/,
  };
}

const ruleEditor = createEditor($('rule-editor'), {
  complete: completeField,
  lang: 'toml',
  label: 'Rule editor',
  placeholder: 'Paste a rule (TOML) or switch to KQL / EQL for a bare query',
  onChange: debounce((text) => {
    state.buffers[state.lang] = text;
    ruleEditor.highlight(null);
    sendRule();
  }, DEBOUNCE_MS),
});

const eventsEditor = createEditor($('events-editor'), {
  lang: 'json',
  label: 'Events editor',
  wrap: false,
  placeholder: 'Paste events: one JSON object per line, or a JSON array',
  onChange: debounce((text) => {
    if (!state.bigEvents) sendEvents(text);
  }, DEBOUNCE_MS),
});

const exceptionsEditor = createEditor($('exceptions-editor'), {
  lang: 'json',
  label: 'Exceptions editor',
  placeholder: 'Exception list export, one JSON object per line',
  onChange: debounce((text) => sendExceptions(text), DEBOUNCE_MS),
});

// Each send skips text the engine already has: programmatic edits fire the (debounced) change
// listener too, and would otherwise evaluate twice.
const sent = { rule: null, events: null, exceptions: null };

function sendRule() {
  const key = `${state.lang}\u0000${ruleEditor.text}`;
  if (key === sent.rule) return;
  sent.rule = key;
  engine.update({ rule: { source: ruleEditor.text, lang: state.lang } });
  share.changed();
}

function sendEvents(text) {
  if (text === sent.events) return;
  sent.events = text;
  engine.update({ events: text });
  share.changed();
}

function sendExceptions(text) {
  if (text === sent.exceptions) return;
  sent.exceptions = text;
  engine.update({ exceptions: text });
  share.changed();
}

// ---------- language switch (a radio group: arrows move, Space/Enter pick) ----------

const langButtons = [.../** @type {NodeListOf<HTMLElement>} */ (document.querySelectorAll('.seg [data-lang]'))];

/**
 * @param {string} lang
 * @param {{text?: string}} [opts]
 */
function setLang(lang, { text } = {}) {
  if (lang === state.lang && text == null) return;
  state.buffers[state.lang] = ruleEditor.text;
  // Entering a bare language for the first time from a loaded rule: start from the rule's query.
  if (text == null && lang !== 'toml' && state.rule && state.rule.query && state.rule.language === (lang === 'kql' ? 'kuery' : lang)) {
    if (!state.buffers[lang] || state.buffers[lang] === (lang === 'kql' ? DEFAULT_RULE : 'process where process.name : "cmd.exe"')) {
      state.buffers[lang] = state.rule.query.trim();
    }
  }
  state.lang = lang;
  if (text != null) state.buffers[lang] = text;
  for (const b of langButtons) {
    const on = b.dataset.lang === lang;
    b.setAttribute('aria-checked', String(on));
    b.tabIndex = on ? 0 : -1;
  }
  ruleEditor.setLanguage(lang);
  ruleEditor.setText(state.buffers[lang]);
  sendRule();
}

for (const b of langButtons) {
  b.addEventListener('click', () => setLang(b.dataset.lang));
  b.addEventListener('keydown', (e) => {
    const d = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 }[e.key];
    if (!d) return;
    e.preventDefault();
    const i = (langButtons.indexOf(b) + d + langButtons.length) % langButtons.length;
    langButtons[i].focus();
    setLang(langButtons[i].dataset.lang);
  });
}

// ---------- problems lines ----------

function problems(el, items, editor, okText) {
  el.replaceChildren();
  el.classList.toggle('has-errors', items.some((i) => i.severity !== 'info'));
  if (!items.length) {
    el.textContent = okText;
    return;
  }
  for (const it of items.slice(0, 5)) {
    const b = document.createElement('button');
    b.type = 'button';
    b.className = `problem p-${it.severity || 'error'}`;
    b.textContent = `${it.severity === 'info' ? 'ℹ' : '✘'} ${it.where ? it.where + ' ' : ''}${it.message}`;
    if (it.pos != null) b.addEventListener('click', () => editor.focusAt(it.pos));
    el.append(b);
  }
  if (items.length > 5) el.append(` … and ${items.length - 5} more`);
}

/** @typedef {import('./client.js').Evaluation} Evaluation */

/** @param {import('./client.js').RuleReport} res */
function showRule(res) {
  const diags = (res.diagnostics || []).map((d) => ({
    from: d.span.start,
    to: d.span.end,
    message: d.expected && d.expected.length && !/expected/i.test(d.message) ? `${d.message} (expected ${d.expected.join(', ')})` : d.message,
  }));
  ruleEditor.setDiagnostics(diags);
  state.querySpan = state.lang === 'toml' ? res.query_span : null;
  ruleEditor.setRegion(state.querySpan);
  const notes = res.notes || [];
  problems(
    $('rule-problems'),
    [
      ...diags.map((d, i) => ({ message: d.message, pos: d.from, where: `${res.diagnostics[i].line}:${res.diagnostics[i].col}` })),
      ...notes.map((n) => ({ message: n, severity: 'info' })),
    ],
    ruleEditor,
    res.ok ? '✔ Rule OK' : '',
  );
  state.rule = res.rule || null;
  state.ruleNotes = notes;
  renderMeta($('meta-body'), state.rule, state.lang, notes);
}

/** @param {import('./client.js').EventsReport} res */
function showEvents(res) {
  eventFields = res.fields || [];
  if (!state.bigEvents) {
    eventsEditor.setDiagnostics(res.errors.map((e) => {
      const pos = eventsEditor.posOf(e.line, e.column);
      return { from: pos, to: pos + 1, message: e.message };
    }));
  }
  const items = res.errors.map((e) => ({
    message: e.message,
    where: `line ${e.line}:${e.column}`,
    pos: state.bigEvents ? null : eventsEditor.posOf(e.line, e.column),
  }));
  problems($('events-problems'), items, eventsEditor, `✔ ${plural(res.count, 'event')}${res.errorCount > items.length ? '' : ''}`);
  if (res.errorCount > res.errors.length) $('events-problems').append(` (${res.errorCount} errors in all)`);
  if (state.bigEvents) $('big-info').textContent = `${plural(res.count, 'event')} · ${($('big-info').dataset.size || '')}`;
}

// ---------- results ----------

const list = new ResultList($('results-list'), {
  onSelect: (i) => selectEvent(i),
  fetchRows: (indices) => engine.rows(indices),
});

/**
 * @param {Evaluation | null} ev
 * @param {string} [message]
 */
function showCounts(ev, message) {
  const el = $('counts');
  el.replaceChildren();
  if (!ev) {
    el.textContent = message || 'Fix the rule to see results.';
    return;
  }
  let near = 0;
  for (let i = 0; i < ev.status.length; i++) if (statusOf(ev, i) === 'near') near++;
  const nearText = ev.missesPending ? 'near misses …' : plural(near, 'near miss', 'near misses');
  const c = ev.counts;
  const parts = [
    ['alert', plural(c.alert, 'alert')],
    ['match', plural(c.match, 'match', 'matches')],
    ['suppressed', `${c.suppressed.toLocaleString('en-US')} suppressed`],
    ['no_match', `${c.no_match.toLocaleString('en-US')} no match`],
    ['near', nearText],
  ];
  parts.forEach(([cls, text], i) => {
    if (i) el.append(' · ');
    const s = document.createElement('span');
    s.className = `count c-${cls}`;
    s.dataset.count = cls;
    s.textContent = text;
    el.append(s);
  });
  const t = document.createElement('span');
  t.className = 'muted timing';
  t.textContent = ` — ${plural(ev.status.length, 'event')} in ${ev.ms != null ? ev.ms.toFixed(1) : '?'} ms`;
  el.append(t);
  for (const n of ev.notes || []) {
    const s = document.createElement('span');
    s.className = 'note';
    s.textContent = ` ${n}`;
    el.append(s);
  }
}

// EQL sequence and sample hits: one button per hit, selecting its first event.
/** @param {Evaluation | null} ev */
function showSequences(ev) {
  const box = $('sequences');
  box.replaceChildren();
  const seqs = (ev && ev.sequences) || [];
  box.hidden = !seqs.length;
  if (!seqs.length) return;
  const label = document.createElement('span');
  label.className = 'muted';
  label.textContent = `${plural(seqs.length, 'sequence')}:`;
  box.append(label);
  seqs.slice(0, 50).forEach((hit, k) => {
    const b = document.createElement('button');
    b.type = 'button';
    b.className = 'seq';
    b.dataset.events = JSON.stringify(hit.events);
    b.textContent = hit.events.map((i) => (i == null ? '∅' : `#${i}`)).join(' → ');
    b.title = `Sequence ${k + 1}${hit.join_keys && hit.join_keys.length ? ` joined by ${JSON.stringify(hit.join_keys)}` : ''}`;
    const first = hit.events.find((i) => i != null);
    b.addEventListener('click', () => first != null && list.select(first, true));
    box.append(b);
  });
  if (seqs.length > 50) box.append(` … and ${seqs.length - 50} more`);
}

/** @param {import('./client.js').UpdateReply} res */
function onUpdate(res) {
  // A failure earlier is over once the engine answers again.
  if ($('engine-status').classList.contains('error')) {
    $('engine-status').textContent = '';
    $('engine-status').classList.remove('error');
  }
  if (res.rule) showRule(res.rule);
  if (res.events) showEvents(res.events);
  if (res.exceptions) {
    const x = res.exceptions;
    $('exceptions-count').textContent = x.count ? `(${x.count})` : '';
    problems($('exceptions-problems'), (x.errors || []).map((e) => ({ message: e.message, where: e.line ? `line ${e.line}` : '' })), exceptionsEditor, x.count ? `✔ ${plural(x.count, 'exception item')}` : '');
  }
  if (res.events && state.loadTimes) {
    // For the bench: a big file's way from "chosen" to verdicts, split into reading and the engine.
    const t = state.loadTimes;
    document.body.dataset.lastLoad = JSON.stringify({ read: Math.round(t.read), engine: Math.round(res.totalMs), total: Math.round(performance.now() - t.started) });
    state.loadTimes = null;
  }
  if (res.eval) {
    state.eval = res.eval;
    list.setData(res.eval);
    showCounts(res.eval);
    showSequences(res.eval);
    if (state.firstResults == null) {
      state.firstResults = performance.now();
      document.body.dataset.firstResultsMs = String(Math.round(state.firstResults));
    }
    if (state.selected >= res.eval.status.length) state.selected = -1;
    if (state.selected < 0 && res.eval.status.length) {
      // Start on the first alert, which is what people look at first.
      const first = res.eval.status.indexOf(0);
      list.select(first >= 0 ? first : 0);
    } else if (state.selected >= 0) {
      list.select(state.selected);
    }
  } else if (res.eval === undefined) {
    // Loaded after a stop, deliberately not evaluated.
  } else if (res.rule && !res.rule.ok) {
    state.eval = null;
    list.clear('The rule has errors: see the problems under the editor.');
    showCounts(null);
    showSequences(null);
    $('explain').replaceChildren();
  }
  document.body.dataset.generation = String(res.eval ? res.eval.generation : -1);
  hideProgress();
}

// ---------- explanation ----------

const explainHooks = {
  onHover: (span) => ruleEditor.highlight(span, Boolean(span)),
  onPick: (span) => {
    ruleEditor.highlight(span, true);
    ruleEditor.focusAt(span.start);
  },
  onLine: (line) => {
    if (!state.bigEvents) eventsEditor.focusAt(eventsEditor.posOf(line, 1));
  },
};

async function selectEvent(index) {
  state.selected = index;
  share.changed();
  const seq = ++state.explainSeq;
  const res = await engine.explain(index);
  if (seq !== state.explainSeq || !state.eval) return;
  const ok = res.type === 'explain';
  renderExplanation($('explain'), {
    index,
    status: statusOf(state.eval, index),
    reason: state.eval.reasons[index],
    explanation: ok ? res.explanation : null,
    event: ok ? res.event : undefined,
    line: state.bigEvents || !ok ? null : res.line,
    error: ok ? res.error : res.type === 'error' ? res.message : null,
    source: ruleEditor.text,
    hooks: explainHooks,
  });
}

// ---------- filters ----------

function setFilter(which) {
  const alerts = $('filter-alerts');
  const near = $('filter-near');
  const cur = list.filter;
  const next = cur === which ? 'all' : which;
  alerts.setAttribute('aria-pressed', String(next === 'alerts'));
  near.setAttribute('aria-pressed', String(next === 'near'));
  list.setFilter(next);
}
$('filter-alerts').addEventListener('click', () => setFilter('alerts'));
$('filter-near').addEventListener('click', async () => {
  // Big inputs get their near-miss counts only when asked.
  if (list.filter !== 'near' && state.eval && state.eval.missesPending) await engine.misses();
  setFilter('near');
});

// ---------- progress ----------

let progressTimer = 0;
function showProgress(label, value) {
  clearTimeout(progressTimer);
  $('progress').hidden = false;
  $('progress-label').textContent = label;
  /** @type {HTMLProgressElement} */ ($('progress-bar')).value = value;
  document.body.dataset.progress = label;
}
function hideProgress() {
  if ($('progress').hidden) return;
  /** @type {HTMLProgressElement} */ ($('progress-bar')).value = 1;
  progressTimer = setTimeout(() => {
    $('progress').hidden = true;
  }, 400);
}

// ---------- engine ----------

const engine = new EngineClient({
  onUpdate,
  onProgress: showProgress,
  onMisses: (msg) => {
    if (!state.eval || msg.generation !== state.eval.generation) return;
    list.setMisses(msg.misses);
    showCounts(state.eval);
    hideProgress();
    document.body.dataset.misses = String(msg.generation);
    // The open explanation's badge may change from "no match" to "near miss".
    if (state.selected >= 0) selectEvent(state.selected);
  },
  onBusy: (busy) => {
    document.body.dataset.busy = String(busy);
    clearTimeout(stopTimer);
    if (busy) stopTimer = setTimeout(() => ($('stop-btn').hidden = false), 800);
    else $('stop-btn').hidden = true;
  },
  onError: (msg) => {
    $('engine-status').textContent = `Engine error: ${msg}`;
    $('engine-status').classList.add('error');
  },
  onFatal: () => reloadEngine('The engine stopped on this input (a bug in ruleplay) and was restarted. Edit the rule or the events to evaluate again.'),
});

let stopTimer = 0;

// Stop: a new worker gets the current rule, events and exceptions back, but evaluates only at the
// next edit, so a query that is too slow for the input cannot lock the page.
$('stop-btn').addEventListener('click', () => reloadEngine('Stopped. Edit the rule or the events to evaluate again.'));

async function reloadEngine(message) {
  $('stop-btn').hidden = true;
  hideProgress();
  await engine.restart();
  const events = state.bigFile ? await readFile(state.bigFile) : eventsEditor.text;
  sent.rule = `${state.lang}\u0000${ruleEditor.text}`;
  sent.events = state.bigFile ? null : eventsEditor.text;
  sent.exceptions = exceptionsEditor.text;
  engine.update({ rule: { source: ruleEditor.text, lang: state.lang }, events, exceptions: exceptionsEditor.text, now: state.pinnedNow ?? null, noEval: true });
  state.eval = null;
  list.clear(message);
  showCounts(null, 'Stopped.');
  $('explain').replaceChildren();
}

// ---------- loading events and rules ----------

function setEventsText(text) {
  leaveBig();
  eventsEditor.setText(text);
}

function leaveBig() {
  if (!state.bigEvents) return;
  state.bigEvents = false;
  state.bigFile = null;
  $('big-notice').hidden = true;
  $('events-editor').classList.remove('big');
}

$('big-clear').addEventListener('click', () => {
  leaveBig();
  eventsEditor.setText('');
  sendEvents('');
  eventsEditor.view.focus();
});

function formatBytes(n) {
  return n > 1e6 ? `${(n / 1e6).toFixed(1)} MB` : `${Math.ceil(n / 1e3)} kB`;
}

// Reads a file in chunks so a big one shows progress and never becomes one huge string here.
async function readFile(file) {
  const reader = file.stream().getReader();
  const chunks = [];
  let got = 0;
  const big = file.size > BIG_INPUT;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    got += value.length;
    if (big) showProgress(`Reading ${file.name}…`, 0.5 * (got / file.size));
  }
  const bytes = new Uint8Array(got);
  let off = 0;
  for (const c of chunks) {
    bytes.set(c, off);
    off += c.length;
  }
  return bytes;
}

async function openFile(file, target) {
  const name = file.name.toLowerCase();
  if (name.endsWith('.ruleplay.json')) return share.openStateFile(file);
  const kind = target || (/\.(toml|kql|eql)$/.test(name) ? 'rule' : 'events');
  if (kind === 'rule') {
    const text = await file.text();
    const lang = name.endsWith('.kql') ? 'kql' : name.endsWith('.eql') ? 'eql' : 'toml';
    setLang(lang, { text });
    return;
  }
  if (file.size <= BIG_INPUT) {
    setEventsText(await file.text());
    return;
  }
  const started = performance.now();
  state.bigFile = file;
  const bytes = await readFile(file);
  state.loadTimes = { started, read: performance.now() - started };
  state.bigEvents = true;
  $('events-editor').classList.add('big');
  $('big-notice').hidden = false;
  $('big-name').textContent = file.name;
  $('big-info').dataset.size = formatBytes(file.size);
  $('big-info').textContent = `${formatBytes(file.size)} · counting events…`;
  eventsEditor.setDiagnostics([]);
  showProgress('Sending to the engine…', 0.55);
  state.selected = -1;
  sent.events = null;
  engine.update({ events: bytes });
  share.changed();
}

$('open-btn').addEventListener('click', () => $('open-file').click());
$('open-file').addEventListener('change', (e) => {
  const input = /** @type {HTMLInputElement} */ (e.target);
  const f = input.files && input.files[0];
  if (f) openFile(f);
  input.value = '';
});

for (const zone of /** @type {NodeListOf<HTMLElement>} */ (document.querySelectorAll('[data-drop]'))) {
  zone.addEventListener('dragover', (e) => {
    e.preventDefault();
    zone.classList.add('drop-target');
  });
  zone.addEventListener('dragleave', () => zone.classList.remove('drop-target'));
  zone.addEventListener('drop', (e) => {
    e.preventDefault();
    zone.classList.remove('drop-target');
    const f = e.dataTransfer && e.dataTransfer.files && e.dataTransfer.files[0];
    if (f) openFile(f, zone.dataset.drop);
  });
}

// ---------- examples gallery ----------

let examples = [];

/**
 * Loads a whole state (an example, a share link, a saved session) into the editors and the engine;
 * share/ui.js restores the filter, the selection and the panel once the engine has answered.
 * @param {import('./share/codec.js').State} s
 */
function applyState(s) {
  state.selected = -1;
  list.setFilter('all');
  $('filter-alerts').setAttribute('aria-pressed', 'false');
  $('filter-near').setAttribute('aria-pressed', 'false');
  const now = s.now ? Date.parse(s.now) : NaN;
  state.pinnedNow = Number.isFinite(now) ? now : null;
  engine.update({ now: state.pinnedNow });
  exceptionsEditor.setText(s.exceptions);
  /** @type {HTMLDetailsElement} */ ($('exceptions')).open = Boolean(s.exceptions);
  sendExceptions(s.exceptions);
  setEventsText(s.events);
  sendEvents(s.events);
  setLang(s.mode, { text: s.rule });
  document.body.dataset.example = s.example || '';
}

/**
 * The page's state as share links and autosave see it.
 * @returns {import('./share/codec.js').State}
 */
function readState() {
  return /** @type {import('./share/codec.js').State} */ ({
    mode: state.lang,
    rule: ruleEditor.text,
    events: state.bigEvents ? '' : eventsEditor.text,
    exceptions: exceptionsEditor.text,
    lists: [],
    now: state.pinnedNow != null ? new Date(state.pinnedNow).toISOString() : null,
    example: document.body.dataset.example || null,
    selected: state.selected >= 0 ? state.selected : null,
    filter: list.filter,
    view: { details: !document.body.classList.contains('meta-collapsed') },
    exercise: null,
  });
}

function renderGallery() {
  const ul = $('gallery-list');
  ul.replaceChildren();
  if (!examples.length) {
    const li = document.createElement('li');
    li.className = 'muted';
    li.textContent = 'No examples were built into this page.';
    ul.append(li);
  }
  for (const ex of examples) {
    const li = document.createElement('li');
    const b = document.createElement('button');
    b.type = 'button';
    b.className = 'card';
    b.dataset.example = ex.name;
    const t = document.createElement('strong');
    t.append(renderMarkdownInline(ex.title || ex.name));
    const s = document.createElement('span');
    s.className = 'muted small summary-text';
    s.append(renderMarkdownInline(ex.summary || ''));
    b.title = ex.summary || '';
    b.append(t, s);
    b.addEventListener('click', () => {
      dialog('gallery').close();
      share.openExample(ex);
    });
    li.append(b);
    ul.append(li);
  }
}

function renderMarkdownInline(text) {
  const frag = renderMarkdown(text);
  const span = document.createElement('span');
  // Flatten paragraphs into one line of inline content.
  for (const n of [...frag.childNodes]) span.append(...n.childNodes);
  return span;
}

$('examples-btn').addEventListener('click', () => {
  dialog('gallery').showModal();
  const first = $('gallery-list').querySelector('button');
  if (first) first.focus();
});
$('gallery-close').addEventListener('click', () => dialog('gallery').close());
$('gallery').addEventListener('click', (e) => {
  if (e.target === $('gallery')) dialog('gallery').close();
});

async function loadExamples() {
  try {
    const res = await fetch('examples.json');
    if (!res.ok) throw new Error(res.statusText);
    const j = await res.json();
    examples = Array.isArray(j) ? j : j.examples || [];
  } catch {
    examples = [];
  }
  renderGallery();
}

// ---------- side panel ----------

$('meta-toggle').addEventListener('click', () => {
  const open = $('meta-toggle').getAttribute('aria-expanded') !== 'true';
  $('meta-toggle').setAttribute('aria-expanded', String(open));
  $('meta-toggle').title = open ? 'Collapse rule details' : 'Expand rule details';
  $('meta-toggle').textContent = open ? '⟩' : '⟨';
  document.body.classList.toggle('meta-collapsed', !open);
});

// ---------- keyboard ----------

function typing(t) {
  return t && (t.closest('.cm-editor') || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName));
}

document.addEventListener('keydown', (e) => {
  if (e.altKey && !e.ctrlKey && !e.metaKey) {
    const target = {
      1: () => ruleEditor.view.focus(),
      2: () => (state.bigEvents ? $('big-clear').focus() : eventsEditor.view.focus()),
      3: () => $('results-list').focus(),
      4: () => $('explain').focus(),
    }[e.key];
    if (target) {
      e.preventDefault();
      target();
    }
    return;
  }
  if (e.ctrlKey || e.metaKey || typing(e.target) || e.target === $('results-list')) return;
  if (e.key === 'j' || e.key === 'k') {
    e.preventDefault();
    list.move(e.key === 'j' ? 1 : -1);
  }
});

// ---------- share links, state files, autosave (share/ui.js) ----------

const share = initShare({
  read: readState,
  bigFile: () => state.bigFile || null,
  apply: applyState,
  select: (i) => list.select(i),
  busy: () => engine.busy,
  examples: () => examples,
});

// ---------- start ----------

async function start() {
  const examplesReady = loadExamples();
  await engine.ready;
  $('engine-status').textContent = '';
  document.body.dataset.ready = 'true';
  await examplesReady;
  // A share link, this tab's saved work, the example the URL names, the last session or Exim4.
  if (!(await share.start())) {
    setEventsText(DEFAULT_EVENTS);
    sendEvents(DEFAULT_EVENTS);
    setLang('kql');
  }
}

start();
