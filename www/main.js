// The page: wires the editors, the engine worker, the result list, the explanation and the metadata
// panel. Data flows one way: editors → worker → results → explanation.
import { createEditor, queryCompletion } from './editor.js';
import { EngineClient } from './client.js';
import { ResultList, statusOf } from './results.js';
import { renderExplanation } from './explain.js';
import { renderMeta } from './meta.js';
import { renderExclusions } from './chips.js';
import { renderMarkdown } from './markdown.js';
import { initShare } from './share/ui.js';
import { initExceptionsIO } from './exceptions/io.js';
import { initPreview } from './preview.js';
import { initMappings, showMappings } from './mappings.js';

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
  /** The big events file is read by the worker in slices (www/bigfile/open.js). */
  streamed: false,
  firstResults: null,
  explainSeq: 0,
  filterSeq: 0,
  // The event in the JSON editor, and whether the user changed it there.
  editing: -1,
  editDirty: false,
  // Language switches sent and not answered yet.
  switching: 0,
  /** When the last chip edit was asked for (performance.now), until its verdicts are drawn. */
  chipStarted: /** @type {number | null} */ (null),
  /** When the last exceptions form edit was asked for, until its verdicts are drawn. */
  exceptionsStarted: /** @type {number | null} */ (null),
};

function debounce(fn, ms) {
  let t = 0;
  const f = (...args) => {
    clearTimeout(t);
    t = setTimeout(() => fn(...args), ms);
  };
  f.cancel = () => clearTimeout(t);
  return f;
}

function plural(n, word, many = word + 's') {
  return `${n.toLocaleString('en-US')} ${n === 1 ? word : many}`;
}

// ---------- editors ----------

// Field names seen in the events, offered while typing a query.
let eventFields = [];

// Field names, and after `field:` / `field ==` the events' values (asked of the core).
const completeField = queryCompletion({
  fields: () => eventFields,
  values: async (field) => {
    const res = await engine.values(field);
    return res.type === 'values' ? res.values : [];
  },
  lang: () => {
    const r = state.rule;
    const l = state.lang === 'toml' ? r && (r.language || (r.type === 'eql' ? 'eql' : null)) : state.lang;
    return l === 'kql' || l === 'kuery' ? 'kql' : l === 'eql' ? 'eql' : null;
  },
  // In a TOML rule, only inside the query.
  inQuery: (pos) => state.lang !== 'toml' || Boolean(state.querySpan && pos >= state.querySpan.start && pos <= state.querySpan.end),
});

const onRuleEdit = debounce((text) => {
  state.buffers[state.lang] = text;
  ruleEditor.highlight(null);
  sendRule();
}, DEBOUNCE_MS);

const ruleEditor = createEditor($('rule-editor'), {
  complete: completeField,
  lang: 'toml',
  label: 'Rule editor',
  placeholder: 'Paste a rule (TOML) or switch to KQL / EQL for a bare query',
  onChange: onRuleEdit,
});

const onEventsEdit = debounce((text) => {
  if (!state.bigEvents) sendEvents(text);
}, DEBOUNCE_MS);

const eventsEditor = createEditor($('events-editor'), {
  lang: 'json',
  label: 'Events editor',
  wrap: false,
  placeholder: 'Paste events: one JSON object per line, a JSON array, or an Elasticsearch search response',
  onChange: (text) => onEventsEdit(text),
});

const exceptionsEditor = createEditor($('exceptions-editor'), {
  lang: 'json',
  label: 'Exceptions editor',
  placeholder: 'Exception list export, one JSON object per line',
  onChange: debounce((text) => sendExceptions(text), DEBOUNCE_MS),
});

// The exceptions editor's form view: edits go through the core into that editor (one change each).
// Its code loads off the first load (after the first verdicts, or when the panel opens first);
// until then the NDJSON view shows, and what the form would be told is kept for it.
/** @type {{update: (u: object) => void, setFields: (f: string[]) => void} | null} */
let formApi = null;
/** @type {Record<string, unknown>} */
let formPending = {};
/** @type {string[] | null} */
let formFields = null;
/** @type {Promise<void> | null} */
let formLoading = null;
const loadExceptionsForm = () =>
  (formLoading ??= import('./exceptions/form.js').then(({ initExceptionsForm }) => {
    formApi = initExceptionsForm({
      root: /** @type {HTMLDetailsElement} */ ($('exceptions')),
      editorHost: $('exceptions-editor'),
      editor: exceptionsEditor,
      rewrite: (edit) => engine.editExceptions(edit),
      edited: (text, started) => {
        state.exceptionsStarted = started;
        sendExceptions(text);
      },
    });
    if (formFields) formApi.setFields(formFields);
    if (Object.keys(formPending).length) formApi.update(formPending);
    formPending = {};
  }));
const exceptionsForm = {
  /** @param {Record<string, unknown>} u */
  update(u) {
    if (formApi) return formApi.update(u);
    for (const [k, v] of Object.entries(u)) if (v !== undefined) formPending[k] = v;
  },
  /** @param {string[]} f */
  setFields(f) {
    formFields = f;
    if (formApi) formApi.setFields(f);
  },
};
$('exceptions').addEventListener('toggle', () => {
  if (/** @type {HTMLDetailsElement} */ ($('exceptions')).open) void loadExceptionsForm();
});
/** ECS field names, offered after the events' own in the form's field inputs. */
let ecsFields = /** @type {string[]} */ ([]);

// The editors' text areas are contenteditable, which is focusable, but say so with a tabindex so
// that checkers (axe's scrollable-region-focusable) see the scrolling editor can be reached by keyboard.
for (const ed of [ruleEditor, eventsEditor, exceptionsEditor]) ed.view.contentDOM.setAttribute('tabindex', '0');

// Each send skips text the engine already has: programmatic edits fire the (debounced) change
// listener too, and would otherwise evaluate twice.
const sent = { rule: null, events: null, exceptions: null };

// A rule as Kibana gives it (JSON; TOML never starts so) is converted to TOML first
// (www/bridge/rule_import.js, loaded then).
const KIBANA_JSON = /^\s*(\{|\[\s*\{)/;
function openKibana(text) {
  import('./bridge/rule_import.js').then(({ openKibanaRule }) =>
    openKibanaRule(text, {
      ask: (q) => engine.ask(q),
      setRule: (toml) => loadRuleText('toml', toml),
      setExceptions: (ndjson) => {
        exceptionsEditor.setText(ndjson);
        sendExceptions(ndjson);
      },
      anchor: /** @type {HTMLElement} */ ($('rule-export').parentElement),
    }),
  );
}

function sendRule() {
  if (state.lang === 'toml' && KIBANA_JSON.test(ruleEditor.text)) return openKibana(ruleEditor.text);
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

const mappings = initMappings((text) => {
  engine.update({ mappings: text });
  share.changed();
});

function sendExceptions(text) {
  if (text === sent.exceptions) return;
  sent.exceptions = text;
  engine.update({ exceptions: text });
  share.changed();
}

// ---------- language switch (a radio group: arrows move, Space/Enter pick) ----------

const langButtons = [.../** @type {NodeListOf<HTMLElement>} */ (document.querySelectorAll('.seg [data-lang]'))];

/** @param {string} lang */
function showLang(lang) {
  state.lang = lang;
  for (const b of langButtons) {
    const on = b.dataset.lang === lang;
    b.setAttribute('aria-checked', String(on));
    b.tabIndex = on ? 0 : -1;
  }
  ruleEditor.setLanguage(lang);
}

/**
 * Puts `text` in the rule editor as the `lang` view and loads it (a file, an example).
 * @param {string} lang
 * @param {string} text
 */
function loadRuleText(lang, text) {
  onRuleEdit.cancel();
  // A Kibana file's note belongs to the rule it converted (www/bridge/rule_import.js sets it after).
  document.getElementById('kibana-rule')?.replaceChildren();
  showLang(lang);
  state.buffers[lang] = text;
  ruleEditor.setText(text);
  sendRule();
  tools.setOriginal(lang === 'toml' ? text : null);
}

/**
 * The TOML | KQL | EQL switch. There is one query: the core carries it between the views (the
 * rule's query into a bare view, the rule file with the query as edited back into TOML) and says
 * what it shows; the editor takes that text when the answer comes.
 * @param {string} lang
 */
function setLang(lang) {
  if (lang === state.lang) return;
  onRuleEdit.cancel();
  const from = state.lang;
  sent.rule = null;
  showLang(lang);
  // While an earlier switch is on its way the editor still shows the view before it: only the
  // switch is sent, never that text as the new view's.
  const switchTo = { lang, fallback: state.buffers[lang] };
  if (state.switching > 0) {
    engine.update({ switchTo });
  } else {
    state.buffers[from] = ruleEditor.text;
    engine.update({ rule: { source: state.buffers[from], lang: from }, switchTo });
  }
  state.switching++;
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

const PROBLEM_ICON = { info: 'ℹ', warning: '⚠', error: '✘' };

// Warnings and notes do not take the place of the OK line; errors do.
function problems(el, items, editor, okText) {
  el.replaceChildren();
  const errors = items.some((i) => (i.severity || 'error') === 'error');
  el.classList.toggle('has-errors', errors);
  // "OK" stands beside warnings and notes (the bare query's link to the rule, what is not simulated).
  if (!errors && okText) el.append(okText, items.length ? ' ' : '');
  if (!items.length) return;
  for (const it of items.slice(0, 5)) {
    const b = document.createElement('button');
    b.type = 'button';
    b.className = `problem p-${it.severity || 'error'}`;
    b.textContent = `${PROBLEM_ICON[it.severity || 'error']} ${it.where ? it.where + ' ' : ''}${it.message}`;
    if (it.pos != null) b.addEventListener('click', () => editor.focusAt(it.pos));
    el.append(b);
  }
  if (items.length > 5) el.append(` … and ${items.length - 5} more`);
}

/** @typedef {import('./client.js').Evaluation} Evaluation */

/** @param {import('./client.js').RuleReport} res */
function showRule(res) {
  // After the language switch: the text the core carried over, before its diagnostics.
  if (res.source != null) {
    // Switches sent together arrive as one answer: what is still queued is what is unanswered.
    state.switching = engine.pending && engine.pending.switchTo ? 1 : 0;
    state.buffers[state.lang] = res.source;
    sent.rule = `${state.lang}\u0000${res.source}`;
    ruleEditor.setText(res.source);
  }
  const diags = (res.diagnostics || []).map((d) => ({
    from: d.span.start,
    to: d.span.end,
    message: d.expected && d.expected.length && !/expected|did you mean/i.test(d.message) ? `${d.message} (expected ${d.expected.join(', ')})` : d.message,
    severity: d.severity,
  }));
  ruleEditor.setDiagnostics(diags);
  state.querySpan = state.lang === 'toml' ? res.query_span : null;
  ruleEditor.setRegion(state.querySpan);
  const notes = res.notes || [];
  problems(
    $('rule-problems'),
    [
      ...diags.map((d, i) => ({ message: d.message, severity: d.severity, pos: d.from, where: `${res.diagnostics[i].line}:${res.diagnostics[i].col}` })),
      ...notes.map((n) => ({ message: n, severity: 'info' })),
    ],
    ruleEditor,
    res.ok ? '✔ Rule OK' : '',
  );
  state.rule = res.rule || null;
  state.ruleNotes = notes;
  // A bare query edits the rule file too: keep the TOML view's text in step.
  if (res.rule_file != null) state.buffers.toml = res.rule_file;
  renderMeta($('meta-body'), state.rule, state.lang, notes);
  renderExclusions($('exclusions'), res.exclusions || [], { edit: editExclusions });
  tools.afterChips();
}

/**
 * A chip's edit: the core rewrites the editor's text, which then takes it as one undoable change
 * and is evaluated at once (no debounce). Resolves to an error message, or null.
 * @param {string} field
 * @param {'add' | 'add_pattern' | 'remove'} op
 * @param {string[]} values
 */
async function editExclusions(field, op, values) {
  const started = performance.now();
  const source = ruleEditor.text;
  const r = await engine.exclude({ source, lang: state.lang, field, op, values });
  if (r.type !== 'exclude') return r.type === 'error' ? r.message : 'The engine stopped.';
  if (!r.ok || r.text == null) return (r.diagnostics[0] && r.diagnostics[0].message) || 'The edit could not be made.';
  // Typed over meanwhile: the edit was for another text.
  if (ruleEditor.text !== source) return 'The rule changed meanwhile; try again.';
  // A value the list already holds leaves the text as it is.
  if (r.text === source) return null;
  ruleEditor.replaceText(r.text);
  state.buffers[state.lang] = r.text;
  state.chipStarted = started;
  sendRule();
  return null;
}

/** @param {import('./client.js').EventsReport} res */
function showEvents(res) {
  eventFields = res.fields || [];
  exceptionsForm.setFields([...eventFields, ...ecsFields]);
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
  // What an Elasticsearch response or hits were read as (event::formats), here and over the results.
  for (const [id, text] of [['events-source', res.note], ['counts-source', res.note && `Events from ${res.note.split(':')[0]}`]]) {
    $(id).hidden = !text;
    $(id).textContent = text ? `ℹ ${text}` : '';
  }
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
  let said = parts.map(([, text]) => text).join(', ');
  if (list.filtered) {
    const shown = document.createElement('strong');
    shown.className = 'shown';
    shown.textContent = ` · ${list.length.toLocaleString('en-US')} of ${plural(ev.status.length, 'event')} shown`;
    el.append(shown);
    said += `; ${list.length} of ${ev.status.length} shown`;
  }
  announce(said);
  for (const n of ev.notes || []) {
    const s = document.createElement('span');
    s.className = 'note';
    s.textContent = ` ${n}`;
    el.append(s);
  }
}

// The counts are announced on their own (polite) live region, once they settle and only when they
// changed: a screen reader is not interrupted at every keystroke that re-evaluates.
const ANNOUNCE_MS = 1000;
const announcer = { said: '', next: '' };
const sayCounts = debounce(() => {
  if (announcer.next === announcer.said) return;
  announcer.said = announcer.next;
  $('counts-live').textContent = announcer.next;
}, ANNOUNCE_MS);
/** @param {string} text */
function announce(text) {
  announcer.next = text;
  sayCounts();
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

/**
 * @param {import('./client.js').UpdateReply} res
 * @param {{exceptions?: string}} [sentMsg] what was sent (the exceptions text the report is of)
 */
function onUpdate(res, sentMsg) {
  // A failure earlier is over once the engine answers again.
  if ($('engine-status').classList.contains('error')) {
    $('engine-status').textContent = '';
    $('engine-status').classList.remove('error');
  }
  if (res.rule) showRule(res.rule);
  if (res.edit) showEdit(res.edit);
  if (res.events) showEvents(res.events);
  if (res.fileRead && bigfile) bigfile.shown(res, $);
  if (res.mappings) showMappings(res.mappings);
  if (res.exceptions) {
    const x = res.exceptions;
    $('exceptions-count').textContent = x.count ? `(${x.count})` : '';
    problems($('exceptions-problems'), (x.errors || []).map((e) => ({ message: e.message, where: e.line ? `line ${e.line}` : '' })), exceptionsEditor, x.count ? `✔ ${plural(x.count, 'exception item')}` : '');
  }
  exceptionsIO.onUpdate(res);
  if (res.exceptions || res.exceptionWarnings) {
    exceptionsForm.update({ items: res.exceptions && res.exceptions.items, text: sentMsg && sentMsg.exceptions, warnings: res.exceptionWarnings });
  }
  if (res.events && state.loadTimes) {
    // For the bench: a big file's way from "chosen" to verdicts, split into reading and the engine.
    const t = state.loadTimes;
    document.body.dataset.lastLoad = JSON.stringify({ read: Math.round(t.read), engine: Math.round(res.totalMs), total: Math.round(performance.now() - t.started) });
    state.loadTimes = null;
  }
  if (res.eval && state.exceptionsStarted != null) {
    // For the e2e test: from a form edit to its verdicts on screen.
    document.body.dataset.exceptionsMs = String(Math.round(performance.now() - state.exceptionsStarted));
    state.exceptionsStarted = null;
  }
  if (res.eval && state.chipStarted != null) {
    // For the e2e test: from a chip's click to its verdicts on screen.
    document.body.dataset.chipMs = String(Math.round(performance.now() - state.chipStarted));
    state.chipStarted = null;
  }
  if (res.eval) {
    state.eval = res.eval;
    list.setData(res.eval);
    // The filter's matches are per batch of events: ask again for new events.
    if (res.events && /** @type {HTMLInputElement} */ ($('results-filter')).value.trim()) runFilter();
    showCounts(res.eval);
    showSequences(res.eval);
    showEsql(res);
    // The workshop's "fix" exercises check every new evaluation.
    document.dispatchEvent(new Event('ruleplay:evaluated'));
    if (state.firstResults == null) {
      state.firstResults = performance.now();
      document.body.dataset.firstResultsMs = String(Math.round(state.firstResults));
      // The parts loaded on first use (Share dialog, workshop) are fetched now that the verdicts
      // are on screen, so the page keeps working offline once loaded.
      setTimeout(() => {
        void loadExceptionsForm();
        void loadAllExamples();
        import('./share/dialog.js').catch(() => {});
        import('./workshop/view.js').catch(() => {});
      }, 0);
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

// ---------- ES|QL output (www/esql/view.js, loaded with the first ES|QL report) ----------

/** @type {Promise<typeof import('./esql/view.js')> | null} */
let esqlView = null;
const esqlHooks = () => ({ select: (/** @type {number} */ i) => list.select(i, true), hover: explainHooks.onHover, pick: explainHooks.onPick });

/** @param {import('./client.js').UpdateReply} res */
function showEsql(res) {
  if (res.esql) esqlView ??= import('./esql/view.js');
  if (esqlView) void esqlView.then((m) => m.showReport(res.esql ?? null, esqlHooks()));
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
  if (index < 0) {
    // The filters hide every event: nothing to explain or edit.
    const p = document.createElement('p');
    p.className = 'muted';
    p.textContent = 'No event passes the filters.';
    $('explain').replaceChildren(p);
    showEventEditor(-1, null);
    return;
  }
  const res = await engine.explain(index);
  if (seq !== state.explainSeq || !state.eval) return;
  const ok = res.type === 'explain';
  showEventEditor(index, ok ? res.pretty : null);
  renderExplanation($('explain'), {
    index,
    status: statusOf(state.eval, index),
    reason: state.eval.reasons[index],
    explanation: ok ? res.explanation : null,
    event: ok ? res.event : undefined,
    line: state.bigEvents || !ok ? null : res.line,
    origin: ok ? res.origin : null,
    error: ok ? res.error : res.type === 'error' ? res.message : null,
    source: ruleEditor.text,
    hooks: explainHooks,
  });
  const esql = ok && res.explanation ? res.explanation.esql : undefined;
  if (esql && esqlView) void esqlView.then((m) => seq === state.explainSeq && m.showExplanation($('explain'), esql, index, esqlHooks()));
  tools.afterExplain(index);
}

// ---------- editing the selected event ----------

/**
 * Offers event `index` pretty-printed for editing; keeps what the user is typing when the same event
 * is shown again (every evaluation re-explains it).
 * @param {number} index
 * @param {string | null} pretty
 */
function showEventEditor(index, pretty) {
  const box = /** @type {HTMLTextAreaElement} */ ($('event-json'));
  const section = $('event-edit');
  section.hidden = index < 0 || pretty == null;
  if (section.hidden) {
    state.editing = -1;
    return;
  }
  if (state.editing === index && state.editDirty) return;
  state.editing = index;
  state.editDirty = false;
  $('event-edit-h').textContent = `Edit event #${index} as JSON`;
  box.setAttribute('aria-label', `JSON of event #${index}`);
  box.value = pretty;
  $('event-edit-problems').replaceChildren();
}

$('event-json').addEventListener('input', () => {
  state.editDirty = true;
});

function applyEventEdit() {
  if (state.editing < 0) return;
  const json = /** @type {HTMLTextAreaElement} */ ($('event-json')).value;
  engine.update({ editEvent: { index: state.editing, json } });
}
$('event-apply').addEventListener('click', applyEventEdit);
$('event-json').addEventListener('keydown', (e) => {
  if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
    e.preventDefault();
    applyEventEdit();
  }
});

/**
 * The core replaced the event in the events text: make the same change in the events editor, so the
 * editor and the engine hold one text.
 * @param {import('./client.js').EventEdit} edit
 */
function showEdit(edit) {
  const el = $('event-edit-problems');
  el.replaceChildren();
  el.classList.toggle('has-errors', !edit.ok);
  if (!edit.ok) {
    el.textContent = edit.diagnostics.map((d) => `✘ line ${d.line}:${d.col} ${d.message}`).join(' ');
    return;
  }
  state.editDirty = false;
  el.textContent = '✔ Applied';
  if (!state.bigEvents && edit.span && edit.text != null) {
    onEventsEdit.cancel();
    eventsEditor.view.dispatch({ changes: { from: edit.span.start, to: edit.span.end, insert: edit.text } });
    sent.events = eventsEditor.text;
  }
}

// ---------- the KQL filter box ----------

async function runFilter() {
  const query = /** @type {HTMLInputElement} */ ($('results-filter')).value;
  const seq = ++state.filterSeq;
  if (!query.trim()) {
    $('filter-problems').replaceChildren();
    $('filter-problems').classList.remove('has-errors');
    list.setOnly(null);
    if (state.eval) showCounts(state.eval);
    return;
  }
  const res = await engine.filter(query);
  if (seq !== state.filterSeq || res.type !== 'filter') return;
  const el = $('filter-problems');
  el.classList.toggle('has-errors', !res.ok);
  if (!res.ok) {
    // Keep the last filter that parsed while this one is being typed.
    el.textContent = res.diagnostics.map((d) => `✘ ${d.col}: ${d.message}${d.expected && d.expected.length && !/expected/i.test(d.message) ? ` (expected ${d.expected.join(', ')})` : ''}`).join(' ');
    return;
  }
  el.replaceChildren();
  list.setOnly(res.indices);
  if (state.eval) showCounts(state.eval);
}
$('results-filter').addEventListener('input', debounce(runFilter, DEBOUNCE_MS));

// ---------- filters ----------

function setFilter(which) {
  const alerts = $('filter-alerts');
  const near = $('filter-near');
  const cur = list.filter;
  const next = cur === which ? 'all' : which;
  alerts.setAttribute('aria-pressed', String(next === 'alerts'));
  near.setAttribute('aria-pressed', String(next === 'near'));
  list.setFilter(next);
  if (state.eval) showCounts(state.eval);
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
  onUpdate: (res, sent) => {
    onUpdate(res, sent);
    if (res.eval) tools.onEval(res.eval, sent);
  },
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

const exceptionsIO = initExceptionsIO({
  root: $('exceptions-io'),
  dropZone: $('exceptions-editor'),
  editor: exceptionsEditor,
  convert: async (text, format) => {
    const r = await engine.convertExceptions(text, format);
    return r.type === 'convert' ? r : null;
  },
  sendLists: (valueLists) => engine.update({ valueLists }),
  opened: () => (/** @type {HTMLDetailsElement} */ ($('exceptions')).open = true),
  changed: () => share.changed(),
});

engine.ecsFields().then((r) => {
  if (r.type !== 'ecsFields') return;
  ecsFields = r.fields;
  exceptionsForm.setFields([...eventFields, ...ecsFields]);
});

let stopTimer = 0;

// "Exclude this", the diff line, coverage, the rule export and page-level undo (www/preview.js).
const tools = initPreview({
  engine,
  list,
  ruleEditor,
  exceptionsEditor,
  flush: () => {
    onRuleEdit.cancel();
    if (!state.switching) {
      state.buffers[state.lang] = ruleEditor.text;
      sendRule();
    }
    sendExceptions(exceptionsEditor.text);
  },
  applyRule: (text) => {
    ruleEditor.replaceText(text);
    state.buffers[state.lang] = text;
    sendRule();
  },
  appendException: (line) => {
    exceptionsEditor.appendLine(line);
    /** @type {HTMLDetailsElement} */ ($('exceptions')).open = true;
    sendExceptions(exceptionsEditor.text);
  },
  selected: () => state.selected,
  name: () => document.body.dataset.example || 'rule',
});

// Stop: a new worker gets the current rule, events and exceptions back, but evaluates only at the
// next edit, so a query that is too slow for the input cannot lock the page.
$('stop-btn').addEventListener('click', () => {
  // While the worker reads a big file, Stop ends the read and keeps what was read.
  if (state.streamed && bigfile && bigfile.stopReading(engine)) return;
  reloadEngine('Stopped. Edit the rule or the events to evaluate again.');
});

async function reloadEngine(message) {
  $('stop-btn').hidden = true;
  state.switching = 0;
  hideProgress();
  await engine.restart();
  const file = state.streamed ? state.bigFile : undefined;
  const events = file ? undefined : state.bigFile ? await readFile(state.bigFile) : eventsEditor.text;
  sent.rule = `${state.lang}\u0000${ruleEditor.text}`;
  sent.events = state.bigFile ? null : eventsEditor.text;
  sent.exceptions = exceptionsEditor.text;
  const ruleFile = state.lang !== 'toml' && state.buffers.toml ? state.buffers.toml : undefined;
  engine.update({ ruleFile, rule: { source: ruleEditor.text, lang: state.lang }, events, file, exceptions: exceptionsEditor.text, valueLists: exceptionsIO.inputs(), mappings: mappings.text(), now: state.pinnedNow ?? null, noEval: true });
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
  state.streamed = false;
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

/** @type {typeof import('./bigfile/open.js') | null} */
let bigfile = null;

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
  // Kibana names its rule export rules_export.ndjson: a rule file, not events.
  const kind = target || (/\.(toml|kql|eql)$/.test(name) || /^rules_export.*\.ndjson$/.test(name) ? 'rule' : 'events');
  if (kind === 'rule') {
    const text = await file.text();
    const lang = name.endsWith('.kql') ? 'kql' : name.endsWith('.eql') ? 'eql' : 'toml';
    loadRuleText(lang, text);
    return;
  }
  if (file.size <= BIG_INPUT) {
    setEventsText(await file.text());
    return;
  }
  // Bigger files still are read by the worker in slices, never here (www/bigfile/open.js).
  bigfile ??= await import('./bigfile/open.js');
  if (file.size > bigfile.STREAM_MIN) {
    const clearDiagnostics = () => eventsEditor.setDiagnostics([]);
    bigfile.openStreamed(file, { engine, state, sent, $, clearDiagnostics, changed: () => share.changed() });
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
  exceptionsIO.setLists(s.lists);
  mappings.setText(s.mappings);
  setEventsText(s.events);
  sendEvents(s.events);
  loadRuleText(s.mode, s.rule);
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
    lists: exceptionsIO.lists(),
    mappings: mappings.text(),
    now: state.pinnedNow != null ? new Date(state.pinnedNow).toISOString() : null,
    example: document.body.dataset.example || null,
    selected: state.selected >= 0 ? state.selected : null,
    filter: list.filter,
    view: { details: !document.body.classList.contains('meta-collapsed') },
    exercise: null,
    workshop: null,
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

/** The gallery's cards, the opening example whole (dist/examples-index.json, built by dev.mjs). */
async function loadExamples() {
  try {
    const res = await fetch('examples-index.json');
    if (!res.ok) throw new Error(res.statusText);
    const j = await res.json();
    const whole = new Map((j.full || []).map((/** @type {any} */ e) => [e.name, e]));
    examples = (j.examples || []).map((/** @type {any} */ e) => whole.get(e.name) || e);
  } catch {
    examples = [];
  }
  renderGallery();
}

// Every example whole: fetched after the first verdicts (so the page works offline once loaded),
// or at the first need before that (a gallery card, a workshop, `#example=`).
const EXAMPLES_WHOLE = 'examples.json';
/** @type {Promise<void> | null} */
let allExamples = null;
function loadAllExamples() {
  allExamples ??= fetch(EXAMPLES_WHOLE)
    .then((res) => (res.ok ? res.json() : Promise.reject(new Error(res.statusText))))
    .then((j) => {
      examples = j.examples || [];
    })
    .catch(() => {
      allExamples = null;
    });
  return allExamples;
}

/**
 * An example with its files: the gallery's card until examples.json is in.
 * @param {{name: string, rule?: string}} ex
 */
async function wholeExample(ex) {
  if (typeof ex.rule === 'string') return ex;
  await loadAllExamples();
  return examples.find((x) => x.name === ex.name) || ex;
}

// ---------- side panel ----------

/** @param {boolean} open */
function setMetaOpen(open) {
  $('meta-toggle').setAttribute('aria-expanded', String(open));
  $('meta-toggle').title = open ? 'Collapse rule details' : 'Expand rule details';
  $('meta-toggle').textContent = open ? '⟩' : '⟨';
  document.body.classList.toggle('meta-collapsed', !open);
}
$('meta-toggle').addEventListener('click', () => setMetaOpen($('meta-toggle').getAttribute('aria-expanded') !== 'true'));
// Below 1400 px the editors and the results need the room more: rule details start collapsed.
if (window.innerWidth < 1400) setMetaOpen(false);

// ---------- the split between the editors and the results ----------

// Percent of the height the editors take; remembered when storage works, silently not otherwise.
const SPLIT = { key: 'ruleplay.split', min: 20, max: 80, initial: 46, step: 4 };

function storage() {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

/**
 * @param {number} value percent of the height for the editors
 * @param {boolean} [save]
 */
function setSplit(value, save = false) {
  const v = Math.round(Math.max(SPLIT.min, Math.min(SPLIT.max, value)));
  const layout = /** @type {HTMLElement} */ (document.querySelector('.layout'));
  layout.style.setProperty('--top', `${v}fr`);
  layout.style.setProperty('--bottom', `${100 - v}fr`);
  const sep = $('splitter');
  sep.setAttribute('aria-valuenow', String(v));
  sep.setAttribute('aria-valuetext', `editors ${v}%, results ${100 - v}%`);
  if (!save) return;
  try {
    storage()?.setItem(SPLIT.key, String(v));
  } catch {
    // Storage full or refused: the split still works for this visit.
  }
}

{
  let saved = NaN;
  try {
    saved = Number(storage()?.getItem(SPLIT.key) ?? NaN);
  } catch {
    saved = NaN;
  }
  setSplit(Number.isFinite(saved) && saved > 0 ? saved : SPLIT.initial);
  const sep = $('splitter');
  const current = () => Number(sep.getAttribute('aria-valuenow'));
  sep.addEventListener('keydown', (e) => {
    const next = {
      ArrowUp: current() - SPLIT.step,
      ArrowLeft: current() - SPLIT.step,
      ArrowDown: current() + SPLIT.step,
      ArrowRight: current() + SPLIT.step,
      PageUp: current() - 4 * SPLIT.step,
      PageDown: current() + 4 * SPLIT.step,
      Home: SPLIT.min,
      End: SPLIT.max,
    }[e.key];
    if (next == null) return;
    e.preventDefault();
    setSplit(next, true);
  });
  sep.addEventListener('pointerdown', (e) => {
    e.preventDefault();
    sep.setPointerCapture(e.pointerId);
    sep.classList.add('dragging');
    const box = /** @type {HTMLElement} */ (document.querySelector('.layout')).getBoundingClientRect();
    /** @param {PointerEvent} ev */
    const move = (ev) => setSplit(((ev.clientY - box.top) / box.height) * 100);
    const up = () => {
      sep.classList.remove('dragging');
      sep.removeEventListener('pointermove', move);
      setSplit(current(), true);
    };
    sep.addEventListener('pointermove', move);
    sep.addEventListener('pointerup', up, { once: true });
  });
}

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
  wholeExample,
  workshop: (w) => workshop.open(w),
  ask: (msg) => engine.call(msg),
});

// ---------- workshop mode (workshop/) ----------

/** The workshop's pages load at first use (the Workshop button, a workshop link), not with the page. */
/** @type {Promise<ReturnType<import('./workshop/view.js').initWorkshop>> | null} */
let workshopLoaded = null;
const loadWorkshop = () =>
  (workshopLoaded ??= loadAllExamples()
    .then(() => import('./workshop/view.js'))
    .then(({ initWorkshop }) => initWorkshop(workshopPage)));
const workshop = {
  /** @param {import('./share/codec.js').Workshop} w */
  open: (w) => void loadWorkshop().then((x) => x.open(w)),
  openDefault: () => void loadWorkshop().then((x) => x.openDefault()),
};
/** @type {Parameters<import('./workshop/view.js').initWorkshop>[0]} */
const workshopPage = ({
  examples: () => examples,
  open: (s, label) => share.openState(s, label),
  read: readState,
  verdicts: () => (state.eval ? { status: Array.from(state.eval.status, (_, i) => statusOf(state.eval, i)), reasons: state.eval.reasons } : null),
  query: () => (state.querySpan ? ruleEditor.text.slice(state.querySpan.start, state.querySpan.end) : ruleEditor.text),
  explain: async (root, index) => {
    const res = await engine.explain(index);
    if (!state.eval) return;
    const ok = res.type === 'explain';
    const none = () => {};
    renderExplanation(root, {
      index, status: statusOf(state.eval, index), reason: state.eval.reasons[index], explanation: ok ? res.explanation : null,
      event: ok ? res.event : undefined, line: null, error: ok ? res.error : res.type === 'error' ? res.message : null,
      source: ruleEditor.text, hooks: { onHover: none, onPick: none },
    });
  },
  headline: async (index) => {
    const res = await engine.explain(index);
    return { reason: (state.eval && state.eval.reasons[index]) || null, explanation: res.type === 'explain' ? res.explanation : null };
  },
  select: (i) => list.select(i),
});
$('workshop-btn').addEventListener('click', () => workshop.openDefault());

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
    loadRuleText('kql', state.buffers.kql);
  }
}

start();
