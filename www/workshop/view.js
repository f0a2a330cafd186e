// The workshop view: a list of exercises, "predict the verdict" (verdicts hidden, Alert / No alert
// per event, keys a/n, then the reveal with explanations and a score) and "fix the rule" (a panel
// beside the page that checks the live verdicts against the expected ones). An exercise runs in the
// page itself: opening it loads its state like a share link does (earlier work stays one click
// away), so after a reveal the learner explores the same rule and events with every tool.
//
// While the list or a prediction is on screen the view covers the page, which is `inert`, so no
// verdict shows through and the keyboard stays in the view. Every text from an exercise or a link
// goes in as text or through the safe Markdown renderer, never as HTML.
import { setText } from '../text.js';
import { button, codeBlock, el, inline, markdown, prettyEvent } from './dom.js';
import {
  askedEvents, disagreements, itemProgress, itemState, libraryWorkshop, loadProgress, saveProgress,
  score, splitEvents, workshopId,
} from './model.js';
import { initPresentation } from './present.js';
import { initBuilder } from './builder.js';

/** @typedef {import('../share/codec.js').Workshop} Workshop */
/** @typedef {import('../share/codec.js').WorkshopItem} WorkshopItem */
/** @typedef {import('../share/codec.js').State} State */
/**
 * What main.js gives the workshop.
 * @typedef {object} WorkshopHooks
 * @property {() => import('./model.js').Example[]} examples
 * @property {(state: State, label: string) => Promise<void>} open  loads a state into the page
 * @property {() => State} read
 * @property {() => { status: string[], reasons: (string | null)[] } | null} verdicts  the live verdicts
 * @property {() => string} query   the rule's query text
 * @property {(root: HTMLElement, index: number) => Promise<void>} explain  renders event `index`'s explanation
 * @property {(index: number) => Promise<{ reason: string | null, explanation: any }>} headline
 *   what decided event `index`'s verdict, for a one-line "why"
 * @property {(index: number) => void} select  selects an event in the result list
 */

/**
 * One line saying what decided a verdict.
 * @param {{ reason: string | null, explanation: any }} h @param {string} status the live verdict
 */
function whyLine({ reason, explanation: x }, status) {
  const seqs = (x && x.sequences) || [];
  if (seqs.length) {
    const list = Array.isArray(seqs[0]) ? seqs[0] : seqs[0].events || [];
    return `Part of a sequence: ${list.map((/** @type {number | null} */ i) => (i == null ? '(missing event)' : `#${i}`)).join(' → ')}`;
  }
  if (reason) return reason;
  if (status === 'match') return 'The query matches, but the rule does not alert on it (for a sequence: it completes none in time).';
  if (x && x.headline) return x.headline;
  if (x && x.reason) return x.reason;
  return x && x.matched ? 'Every clause holds.' : '';
}

const ANSWER = { alert: 'Alert', no_alert: 'No alert', any: '—' };

/** @param {WorkshopHooks} page */
export function initWorkshop(page) {
  const root = document.createElement('section');
  root.id = 'workshop';
  root.className = 'workshop';
  root.hidden = true;
  root.setAttribute('aria-labelledby', 'ws-title');
  document.body.append(root);

  /** @type {Workshop | null} */
  let workshop = null;
  let id = '';
  /** @type {import('./model.js').Progress} */
  let progress = { current: 0, items: {} };
  /** @typedef {'closed' | 'home' | 'predict' | 'fix'} Mode */
  /** @type {Mode} */
  let mode = 'closed';
  let storageWarned = false;
  /** @type {{ text: string, value: unknown }[]} */
  let events = [];
  let at = 0;
  let hintsShown = 0;
  /** The fix dock shows only its title and the live check. */
  let minimized = false;
  /** @type {HTMLElement | null} */
  let returnFocus = null;

  const present = initPresentation(page);
  const builder = initBuilder(page, { tryOut: (w) => openWorkshop(w) });

  const current = () => /** @type {WorkshopItem} */ (workshop && workshop.items[progress.current]);

  function persist() {
    if (!saveProgress(id, progress) && !storageWarned) {
      storageWarned = true;
      root.dataset.storage = 'off';
    }
  }

  /** Covers the page (list, prediction) or docks beside it (fix). @param {Mode} m */
  function setMode(m) {
    mode = m;
    root.hidden = m === 'closed';
    root.classList.toggle('ws-full', m === 'home' || m === 'predict');
    root.classList.toggle('ws-dock', m === 'fix');
    document.body.dataset.workshop = m;
    const cover = m === 'home' || m === 'predict';
    for (const child of document.body.children) {
      if (child === root || child.tagName === 'DIALOG' || child.tagName === 'SCRIPT') continue;
      /** @type {HTMLElement} */ (child).inert = cover;
    }
  }

  function close() {
    setMode('closed');
    if (returnFocus && returnFocus.isConnected) returnFocus.focus();
  }

  /** A heading the view moves focus to, so screen readers announce the new screen. */
  function heading(text, level = 'h2') {
    const h = el(level, 'ws-title');
    h.append(inline(text));
    h.id = 'ws-title';
    h.tabIndex = -1;
    return h;
  }

  function topBar() {
    const bar = el('div', 'ws-bar');
    bar.append(
      button('All exercises', home, { id: 'ws-home' }),
      button('Present', () => present.open(), { id: 'ws-present' }),
      button('Close workshop', close, { id: 'ws-close' }),
    );
    return bar;
  }

  // ---------- the list ----------

  function home() {
    if (!workshop) return;
    setMode('home');
    const list = el('ol', 'ws-list');
    workshop.items.forEach((item, i) => {
      const p = progress.items[i];
      const li = document.createElement('li');
      let state = 'not started';
      if (item.kind === 'fix') state = p && p.solved ? 'solved ✔' : p ? 'started' : state;
      else if (p && p.revealed) {
        const s = score(item, p.answers, item.expect.length);
        state = `score ${s.right} of ${s.total}`;
      } else if (p && Object.keys(p.answers).length) state = 'started';
      const b = button(`${i + 1}. `, () => start(i), { cls: 'ws-item' });
      b.append(inline(item.title || 'Untitled exercise'));
      b.dataset.index = String(i);
      li.append(b, el('span', 'ws-kind', item.kind === 'fix' ? 'fix the rule' : 'predict the verdicts'), el('span', 'ws-state', state));
      list.append(li);
    });
    const actions = el('div', 'ws-actions');
    actions.append(
      button('Build a workshop…', () => builder.open(), { id: 'ws-build' }),
      button('Present the current rule', () => present.open(), { id: 'ws-present-current' }),
      button('Close', close, { id: 'ws-close' }),
    );
    const note = el('p', 'muted small', 'Your progress stays in this browser only.');
    if (root.dataset.storage === 'off') note.textContent = 'This browser does not let the page keep your progress: it lasts until you close the tab.';
    root.replaceChildren(heading(workshop.title || 'Workshop', 'h2'), workshop.items.length ? list : el('p', null, 'This workshop has no exercises.'), note, actions);
    focusTitle();
  }

  function focusTitle() {
    const h = /** @type {HTMLElement | null} */ (root.querySelector('#ws-title'));
    if (h) h.focus();
  }

  // ---------- an exercise ----------

  /** @param {number} i */
  async function start(i) {
    if (!workshop || !workshop.items[i]) return;
    progress.current = i;
    persist();
    const item = current();
    hintsShown = 0;
    events = splitEvents(item.events);
    // Loading the exercise replaces the page's work, which share/ui.js keeps one click away.
    root.replaceChildren(heading(item.title || 'Exercise'), el('p', 'muted', 'Loading the exercise…'));
    await page.open(itemState(item), `the exercise “${item.title || i + 1}”`);
    if (item.kind === 'fix') showFix();
    else {
      const asked = askedEvents(item, events.length);
      const p = itemProgress(progress, i);
      at = asked.find((k) => !(k in p.answers)) ?? asked[0] ?? 0;
      showPredict();
      focusTitle();
    }
  }

  /** The task, and the hints one at a time. @param {WorkshopItem} item */
  function taskBlock(item) {
    const box = el('div', 'ws-task');
    box.append(markdown(item.task));
    if (item.hints.length) {
      const hints = el('ol', 'ws-hints');
      for (const h of item.hints.slice(0, hintsShown)) {
        const li = document.createElement('li');
        li.append(markdown(h));
        hints.append(li);
      }
      box.append(hints);
      if (hintsShown < item.hints.length) {
        box.append(button(hintsShown ? `Another hint (${hintsShown} of ${item.hints.length} shown)` : 'Show a hint', () => {
          hintsShown++;
          (mode === 'fix' ? showFix : showPredict)();
          /** @type {HTMLElement | null} */ (root.querySelector('.ws-hints li:last-child'))?.setAttribute('tabindex', '-1');
          /** @type {HTMLElement | null} */ (root.querySelector('.ws-hints li:last-child'))?.focus();
        }, { id: 'ws-hint' }));
      }
    }
    return box;
  }

  function showPredict() {
    const item = current();
    const p = itemProgress(progress, progress.current);
    setMode('predict');
    if (p.revealed) return showReveal();
    const asked = askedEvents(item, events.length);
    const pos = Math.max(0, asked.indexOf(at));
    const answered = asked.filter((k) => k in p.answers).length;
    const q = codeBlock('ws-code ws-query', page.query());
    q.setAttribute('aria-label', 'The rule’s query');
    const card = el('div', 'ws-event');
    const head = el('h3', null, `Event #${at} — ${pos + 1} of ${asked.length}`);
    head.id = 'ws-event-h';
    const json = codeBlock('ws-code', events[at] ? prettyEvent(events[at]) : '');
    json.setAttribute('aria-labelledby', 'ws-event-h');
    const choose = el('div', 'ws-choose');
    choose.setAttribute('role', 'group');
    choose.setAttribute('aria-label', `Does event #${at} alert?`);
    const mine = p.answers[at];
    for (const [value, label, key] of /** @type {const} */ ([['alert', 'Alert', 'a'], ['no_alert', 'No alert', 'n']])) {
      const b = button(`${label} (${key})`, () => answer(value), { cls: `ws-answer ws-${value}`, id: `ws-${value}`, keys: key });
      b.setAttribute('aria-pressed', String(mine === value));
      choose.append(b);
    }
    card.append(head, json, choose);
    const nav = el('div', 'ws-actions');
    nav.append(
      button('Previous event', () => move(-1), { id: 'ws-prev', keys: 'ArrowLeft' }),
      button('Next event', () => move(1), { id: 'ws-next', keys: 'ArrowRight' }),
    );
    const reveal = button(`Reveal the verdicts (${answered} of ${asked.length} answered)`, () => {
      p.revealed = true;
      persist();
      showReveal();
    }, { id: 'ws-reveal', cls: 'primary' });
    reveal.disabled = answered < asked.length;
    nav.append(reveal);
    const parts = [topBar(), heading(item.title || 'Exercise'), taskBlock(item), q];
    if (item.exceptions.trim()) {
      const d = document.createElement('details');
      d.append(el('summary', null, 'The rule’s exception list'), codeBlock('ws-code', item.exceptions));
      parts.push(d);
    }
    parts.push(card, nav);
    root.replaceChildren(...parts);
  }

  /** @param {'alert' | 'no_alert'} value */
  function answer(value) {
    const p = itemProgress(progress, progress.current);
    p.answers[at] = value;
    persist();
    const asked = askedEvents(current(), events.length);
    const next = asked.find((k) => !(k in p.answers));
    if (next !== undefined) at = next;
    showPredict();
    const target = next === undefined ? 'ws-reveal' : `ws-${value}`;
    /** @type {HTMLElement | null} */ (root.querySelector(`#${target}`))?.focus();
  }

  /** @param {number} step */
  function move(step) {
    const asked = askedEvents(current(), events.length);
    const pos = asked.indexOf(at) + step;
    if (pos < 0 || pos >= asked.length) return;
    at = asked[pos];
    const focused = document.activeElement && document.activeElement.id;
    showPredict();
    if (focused) /** @type {HTMLElement | null} */ (root.querySelector(`#${focused}`))?.focus();
  }

  function showReveal() {
    const item = current();
    const p = itemProgress(progress, progress.current);
    const live = page.verdicts();
    const s = score(item, p.answers, events.length);
    const result = el('p', 'ws-score', `Score: ${s.right} of ${s.total}`);
    result.id = 'ws-score';
    result.setAttribute('role', 'status');
    const table = el('table', 'ws-table');
    const thead = el('thead', null);
    const tr = el('tr', null);
    for (const h of ['Event', 'Your answer', 'The rule', '', 'Why']) tr.append(el('th', null, h));
    thead.append(tr);
    const tbody = el('tbody', null);
    const explainBox = el('div', 'ws-explain');
    explainBox.id = 'ws-explain';
    for (const i of askedEvents(item, events.length)) {
      const row = el('tr', null);
      const right = p.answers[i] === item.expect[i];
      const verdict = live ? live.status[i] || '' : '';
      const explain = button(`Explain #${i}`, () => page.explain(explainBox, i).then(() => explainBox.focus()), { cls: 'small' });
      const why = el('td', null);
      const line = el('span', null, (live && live.reasons[i]) || '');
      why.append(line, ' ', explain);
      page.headline(i).then((h) => setText(line, whyLine(h, verdict))).catch(() => {});
      row.append(
        el('td', null, `#${i}`),
        el('td', null, ANSWER[p.answers[i] || 'any']),
        el('td', `ws-verdict v-${verdict}`, `${ANSWER[item.expect[i]]}${verdict && verdict !== 'alert' && verdict !== 'no_match' ? ` (${verdict === 'near' ? 'near miss' : verdict})` : ''}`),
        el('td', right ? 'ws-right' : 'ws-wrong', right ? '✔ right' : '✘ wrong'),
        why,
      );
      tbody.append(row);
    }
    table.append(thead, tbody);
    explainBox.tabIndex = -1;
    const parts = [topBar(), heading(item.title || 'Exercise'), result, table];
    if (item.why) parts.push(el('h3', null, 'Why'), markdown(item.why));
    parts.push(explainBox);
    const nav = el('div', 'ws-actions');
    nav.append(
      button('Try again', () => {
        progress.items[progress.current] = { answers: {}, revealed: false, solved: false };
        persist();
        start(progress.current);
      }, { id: 'ws-again' }),
      button('Explore it in the page', showFix, { id: 'ws-explore' }),
    );
    if (workshop && progress.current + 1 < workshop.items.length) nav.append(button('Next exercise', () => start(progress.current + 1), { id: 'ws-next-exercise', cls: 'primary' }));
    parts.push(nav);
    setMode('predict');
    root.replaceChildren(...parts);
    focusTitle();
  }

  // ---------- fix: checked live ----------

  function showFix() {
    const item = current();
    setMode('fix');
    const status = el('div', 'ws-live');
    status.id = 'ws-live';
    status.setAttribute('role', 'status');
    // The dock can shrink to its title and the live check, to free the page under it.
    const toggle = button(minimized ? 'Show the task' : 'Minimize', () => {
      minimized = !minimized;
      showFix();
      /** @type {HTMLElement | null} */ (root.querySelector('#ws-min'))?.focus();
    }, { id: 'ws-min', cls: 'small ws-min-btn' });
    toggle.setAttribute('aria-expanded', String(!minimized));
    root.classList.toggle('ws-minimized', minimized);
    const parts = [toggle, heading(item.title || 'Exercise', 'h2')];
    if (item.kind === 'fix') parts.push(taskBlock(item));
    else parts.push(el('p', 'muted', 'The exercise’s rule and events are in the page: explore them.'));
    parts.push(status);
    const nav = el('div', 'ws-actions');
    nav.append(button('All exercises', home, { id: 'ws-home' }), button('Present', () => present.open(), { id: 'ws-present' }), button('Close workshop', close, { id: 'ws-close' }));
    if (workshop && progress.current + 1 < workshop.items.length) nav.append(button('Next exercise', () => start(progress.current + 1), { id: 'ws-next-exercise' }));
    parts.push(nav);
    root.replaceChildren(...parts);
    check();
    if (document.activeElement === document.body || !root.contains(document.activeElement)) focusTitle();
  }

  /** Compares the live verdicts with the expected ones; called after every evaluation. */
  function check() {
    if (mode !== 'fix') return;
    const item = current();
    const box = root.querySelector('#ws-live');
    const live = page.verdicts();
    if (!box || item.kind !== 'fix') return;
    if (!live) {
      setText(box, 'The rule does not evaluate yet: see the problems under the editor.');
      box.className = 'ws-live ws-wrong';
      return;
    }
    const off = disagreements(item, live.status);
    const total = askedEvents(item, Math.max(live.status.length, item.expect.length)).length;
    const p = itemProgress(progress, progress.current);
    box.replaceChildren();
    if (!off.length) {
      box.className = 'ws-live ws-solved';
      box.append(el('strong', null, `Solved ✔ — all ${total} events as expected.`));
      if (item.why) box.append(markdown(item.why));
      if (!p.solved) {
        p.solved = true;
        persist();
      }
      root.dataset.solved = 'true';
      return;
    }
    root.dataset.solved = 'false';
    box.className = 'ws-live ws-wrong';
    box.append(el('strong', null, `${total - off.length} of ${total} events as expected.`), ' Still different:');
    const ul = el('ul', null);
    for (const d of off.slice(0, 20)) {
      const li = el('li', null);
      const b = button(`#${d.index}`, () => page.select(d.index), { cls: 'linkish' });
      b.setAttribute('aria-label', `Select event #${d.index}`);
      li.append(b, d.want === 'alert' ? ' should alert, and does not' : ' should not alert, and does');
      ul.append(li);
    }
    box.append(ul);
  }

  document.addEventListener('ruleplay:evaluated', check);

  // On the document: after a screen is redrawn the focus may sit on <body>.
  document.addEventListener('keydown', (e) => {
    if (e.ctrlKey || e.metaKey || e.altKey || e.defaultPrevented || mode === 'closed' || mode === 'fix') return;
    const t = /** @type {HTMLElement} */ (e.target);
    if (/^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName) || document.querySelector('dialog[open]')) return;
    if (e.key === 'Escape') {
      e.preventDefault();
      close();
      return;
    }
    if (mode !== 'predict' || itemProgress(progress, progress.current).revealed) return;
    const act = { a: () => answer('alert'), n: () => answer('no_alert'), ArrowLeft: () => move(-1), ArrowRight: () => move(1) }[e.key];
    if (act) {
      e.preventDefault();
      act();
    }
  });

  /**
   * Opens a workshop (from a link, a file, the builder, or the library's exercises).
   * @param {Workshop} w
   */
  function openWorkshop(w) {
    if (mode === 'closed') returnFocus = /** @type {HTMLElement | null} */ (document.activeElement);
    workshop = w;
    id = workshopId(w);
    progress = loadProgress(id);
    root.dataset.id = id;
    home();
  }

  function openDefault() {
    openWorkshop(workshop || libraryWorkshop(page.examples()));
  }

  return { open: openWorkshop, openDefault, close };
}
