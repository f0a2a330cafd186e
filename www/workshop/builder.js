// The teacher's workshop builder: exercises from the library or from the page as it is now, each
// with its kind, title, task and, per event, "must alert" / "must not alert" / "not asked"; reorder
// them, then share the whole workshop as one link (the share codec's `workshop` key) or one file.
import { encodeState, linkAdvice, ShareError, stateToFile, FILE_EXTENSION } from '../share/codec.js';
import { textEl } from '../text.js';
import { button } from './dom.js';
import { expectFromVerdicts, itemFromExample, splitEvents } from './model.js';

/** @typedef {import('../share/codec.js').Workshop} Workshop */
/** @typedef {import('../share/codec.js').WorkshopItem} WorkshopItem */

/** @param {unknown} v A few words naming an event in a list. */
function summary(v) {
  if (!v || typeof v !== 'object') return 'not JSON';
  const o = /** @type {Record<string, any>} */ (v);
  const get = (/** @type {string} */ path) => path.split('.').reduce((x, k) => (x && typeof x === 'object' ? x[k] ?? x[path.slice(path.indexOf(k))] : undefined), o);
  const parts = ['host.name', 'process.parent.name', 'process.name', 'process.executable', 'file.path', 'user.name']
    .map((f) => [f, get(f)])
    .filter(([, x]) => typeof x === 'string')
    .slice(0, 3)
    .map(([f, x]) => `${f}: ${x}`);
  return parts.length ? parts.join(', ') : JSON.stringify(v).slice(0, 80);
}

/**
 * @param {import('./view.js').WorkshopHooks} page
 * @param {{ tryOut: (w: Workshop) => void }} view
 */
export function initBuilder(page, view) {
  const dlg = document.createElement('dialog');
  dlg.id = 'ws-builder';
  dlg.className = 'ws-builder';
  dlg.setAttribute('aria-labelledby', 'wb-h');
  document.body.append(dlg);
  /** @type {Workshop} */
  let draft = { title: '', items: [] };

  /** @param {string} label @param {() => void} run @param {string} [id] */
  const btn = (label, run, id) => button(label, run, { id });
  let uid = 0;
  /** @param {string} label @param {HTMLElement} control */
  const labelled = (label, control) => {
    const l = textEl('label', 'wb-field', label);
    if (!control.id) control.id = `wb-c${uid++}`;
    l.htmlFor = control.id;
    const box = textEl('div', 'wb-row');
    box.append(l, control);
    return box;
  };

  function addCurrent() {
    const s = page.read();
    const live = page.verdicts();
    const n = live ? live.status.length : splitEvents(s.events).length;
    draft.items.push({
      title: s.example ? `${s.example} (from the page)` : 'The page as it is now', kind: 'predict',
      task: 'For each event: does the rule alert?', hints: [], why: '', mode: s.mode, rule: s.rule,
      events: s.events, exceptions: s.exceptions, now: s.now, example: s.example,
      expect: live ? expectFromVerdicts(live.status) : Array(n).fill('any'),
    });
    render(`Added exercise ${draft.items.length}.`);
  }

  /** @param {string} name */
  function addExample(name) {
    const ex = page.examples().find((e) => e.name === name);
    if (!ex) return;
    draft.items.push(itemFromExample(ex));
    render(`Added exercise ${draft.items.length}.`);
  }

  /** @param {WorkshopItem} item @param {number} i */
  function itemEditor(item, i) {
    const fs = document.createElement('fieldset');
    fs.className = 'wb-item';
    fs.dataset.index = String(i);
    fs.append(textEl('legend', null, `Exercise ${i + 1}`));
    const title = document.createElement('input');
    title.value = item.title;
    title.addEventListener('input', () => (item.title = title.value));
    const kind = document.createElement('select');
    for (const [v, l] of [['predict', 'Predict the verdicts'], ['fix', 'Fix the rule until the marks hold']]) {
      const o = textEl('option', null, l);
      /** @type {HTMLOptionElement} */ (o).value = v;
      kind.append(o);
    }
    kind.value = item.kind;
    kind.addEventListener('change', () => (item.kind = kind.value === 'fix' ? 'fix' : 'predict'));
    const task = document.createElement('textarea');
    task.rows = 3;
    task.value = item.task;
    task.addEventListener('input', () => (item.task = task.value));
    fs.append(labelled('Title', title), labelled('Kind', kind), labelled('Task', task));
    const marks = textEl('ol', 'wb-marks');
    marks.start = 0;
    splitEvents(item.events).forEach((e, k) => {
      const sel = document.createElement('select');
      for (const [v, l] of [['alert', 'must alert'], ['no_alert', 'must not alert'], ['any', 'not asked']]) {
        const o = textEl('option', null, l);
        /** @type {HTMLOptionElement} */ (o).value = v;
        sel.append(o);
      }
      sel.value = item.expect[k] || 'any';
      sel.className = 'wb-mark';
      sel.setAttribute('aria-label', `Event #${k} of exercise ${i + 1}`);
      sel.addEventListener('change', () => {
        while (item.expect.length <= k) item.expect.push('any');
        item.expect[k] = /** @type {import('../share/codec.js').Expect} */ (sel.value);
      });
      const li = textEl('li', null);
      li.append(sel, textEl('span', 'muted small', ` #${k} ${summary(e.value)}`));
      marks.append(li);
    });
    const details = document.createElement('details');
    details.append(textEl('summary', null, `Events: must alert / must not alert (${item.expect.filter((x) => x !== 'any').length} marked)`), marks);
    const moves = textEl('div', 'ws-actions');
    const up = btn('Move up', () => swap(i, i - 1));
    up.disabled = i === 0;
    up.setAttribute('aria-label', `Move exercise ${i + 1} up`);
    const down = btn('Move down', () => swap(i, i + 1));
    down.disabled = i === draft.items.length - 1;
    down.setAttribute('aria-label', `Move exercise ${i + 1} down`);
    const remove = btn('Remove', () => {
      draft.items.splice(i, 1);
      render(`Removed exercise ${i + 1}.`);
    });
    remove.setAttribute('aria-label', `Remove exercise ${i + 1}`);
    moves.append(up, down, remove);
    fs.append(details, moves);
    return fs;
  }

  /** @param {number} a @param {number} b */
  function swap(a, b) {
    if (b < 0 || b >= draft.items.length) return;
    [draft.items[a], draft.items[b]] = [draft.items[b], draft.items[a]];
    render(`Moved exercise ${a + 1} to place ${b + 1}.`);
    /** @type {HTMLElement | null} */ (dlg.querySelector(`fieldset[data-index="${b}"] legend`))?.scrollIntoView({ block: 'nearest' });
  }

  async function share() {
    const out = /** @type {HTMLElement} */ (dlg.querySelector('#wb-out'));
    out.replaceChildren();
    try {
      const link = `${location.origin}${location.pathname}${await encodeState({ workshop: draft })}`;
      const input = document.createElement('input');
      input.readOnly = true;
      input.value = link;
      input.id = 'wb-link';
      const advice = linkAdvice(link.length);
      out.append(labelled('Workshop link', input), textEl('p', 'muted small', `${link.length.toLocaleString('en-US')} characters. ${advice.warnings.map((w) => w.message).join(' ')}`));
      out.append(btn('Copy link', () => navigator.clipboard?.writeText(link).catch(() => {}), 'wb-copy'));
      input.select();
    } catch (e) {
      out.append(textEl('p', 'error', e instanceof ShareError ? e.message : 'The workshop could not be packed.'));
    }
  }

  function download() {
    try {
      const blob = new Blob([stateToFile({ workshop: draft })], { type: 'application/json' });
      const a = document.createElement('a');
      a.href = URL.createObjectURL(blob);
      a.download = `${(draft.title || 'workshop').replace(/[^\w.-]+/g, '-').slice(0, 60)}${FILE_EXTENSION}`;
      a.click();
      setTimeout(() => URL.revokeObjectURL(a.href), 1000);
    } catch (e) {
      const out = /** @type {HTMLElement} */ (dlg.querySelector('#wb-out'));
      out.replaceChildren(textEl('p', 'error', e instanceof ShareError ? e.message : 'The file could not be written.'));
    }
  }

  /** @param {string} [said] announced to screen readers */
  function render(said = '') {
    const h = textEl('h2', null, 'Build a workshop');
    h.id = 'wb-h';
    const title = document.createElement('input');
    title.value = draft.title;
    title.placeholder = 'e.g. Tuning exclusions, session 1';
    title.addEventListener('input', () => (draft.title = title.value));
    const pick = document.createElement('select');
    for (const ex of page.examples()) {
      // An option shows plain text: Markdown's backticks would only get in the way.
      const o = textEl('option', null, `${ex.exercise ? 'Exercise: ' : ''}${(ex.title || ex.name).replace(/`/g, '')}`);
      /** @type {HTMLOptionElement} */ (o).value = ex.name;
      pick.append(o);
    }
    const add = textEl('div', 'ws-actions');
    add.append(labelled('Example', pick), btn('Add example', () => addExample(pick.value), 'wb-add-example'), btn('Add the page as it is now', addCurrent, 'wb-add-current'));
    const items = textEl('div', 'wb-items');
    draft.items.forEach((item, i) => items.append(itemEditor(item, i)));
    if (!draft.items.length) items.append(textEl('p', 'muted', 'No exercises yet: add an example or the page as it is now.'));
    const status = textEl('p', 'visually-hidden', said);
    status.setAttribute('role', 'status');
    const out = textEl('div', 'wb-out');
    out.id = 'wb-out';
    const actions = textEl('div', 'ws-actions');
    const shareBtn = btn('Share workshop', share, 'wb-share');
    const fileBtn = btn(`Download ${FILE_EXTENSION}`, download, 'wb-file');
    const tryBtn = btn('Try it', () => {
      dlg.close();
      view.tryOut(structuredClone(draft));
    }, 'wb-try');
    for (const b of [shareBtn, fileBtn, tryBtn]) b.disabled = !draft.items.length;
    actions.append(shareBtn, fileBtn, tryBtn, btn('Close', () => dlg.close(), 'wb-close'));
    dlg.replaceChildren(h, labelled('Workshop title', title), add, items, actions, out, status);
  }

  return {
    /** Opens the builder with the draft as it was left (kept for this visit). */
    open() {
      render();
      dlg.showModal();
      /** @type {HTMLElement | null} */ (dlg.querySelector('input'))?.focus();
    },
  };
}
