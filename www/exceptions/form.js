// The exceptions panel's form: a second view of the exceptions editor's NDJSON, which stays the
// one source of truth. The form draws the items the core read from that text; an edit asks the
// core to rewrite the text (one item set, added or removed) and puts the result into the editor as
// one change, so the editor's undo covers it. The warnings (Kibana's, and the events') come from
// the core too; the page only shows them beside their entry.
import { OPERATORS, operatorOf, withOperator, newEntry, newItem, splitList, joinList, commentsFrom, commentsText, canonical } from './model.js';

/** @typedef {import('../../pkg/ruleplay.js').ExceptionItem} ExceptionItem */
/** @typedef {import('../../pkg/ruleplay.js').ExceptionWarning} ExceptionWarning */
/** @typedef {Record<string, any>} Entry */

/**
 * @typedef {object} FormHooks
 * @property {HTMLDetailsElement} root the exceptions panel
 * @property {HTMLElement} editorHost the exceptions editor's element (it becomes the NDJSON view)
 * @property {{text: string, replaceText: (text: string) => void}} editor
 * @property {(edit: {text: string, index: number | null, item: string | null}) => Promise<{type: string, ok?: boolean, text?: string, message?: string}>} rewrite
 *   the core's rewrite of the text (see `Session.edit_exceptions`)
 * @property {(text: string, started: number) => void} edited called with the editor's new text after a
 *   form edit, and when (performance.now) the edit was asked for
 */

let uid = 0;

/** @param {string} tag @param {Record<string, string>} [attrs] @param {(Node | string)[]} [children] */
function el(tag, attrs = {}, children = []) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'text') node.textContent = v;
    else if (k === 'class') node.className = v;
    else node.setAttribute(k, v);
  }
  node.append(...children);
  return node;
}

/** @param {FormHooks} hooks */
export function initExceptionsForm(hooks) {
  const { root, editorHost, editor } = hooks;
  /** @type {ExceptionItem[]} */
  let model = [];
  /** @type {ExceptionWarning[]} */
  let warnings = [];
  /** The latest report not drawn yet because form edits were on their way. */
  let stashed = /** @type {{items: ExceptionItem[], text: string} | null} */ (null);
  let chain = Promise.resolve();
  let inFlight = 0;
  /** Items whose "set" is queued and not started: a later keystroke rides along with it. */
  const queuedSets = new Set();
  /** The control to focus after the next drawing (a new entry's field). */
  let focusNext = /** @type {string | null} */ (null);
  const id = `exc${++uid}`;

  // ---- the two views ----
  const toolbar = el('div', { class: 'exc-toolbar' });
  const tabs = el('div', { class: 'exc-tabs', role: 'tablist', 'aria-label': 'Exceptions view' });
  const formTab = el('button', { type: 'button', role: 'tab', id: `${id}-tab-form`, 'aria-controls': `${id}-form`, text: 'Form' });
  const rawTab = el('button', { type: 'button', role: 'tab', id: `${id}-tab-raw`, 'aria-controls': editorHost.id, text: 'NDJSON' });
  tabs.append(formTab, rawTab);
  toolbar.append(tabs);
  const formPanel = el('div', { class: 'exc-form', role: 'tabpanel', id: `${id}-form`, 'aria-labelledby': formTab.id });
  const status = el('p', { class: 'exc-status', role: 'status' });
  const datalist = el('datalist', { id: `${id}-fields` });
  editorHost.setAttribute('role', 'tabpanel');
  editorHost.setAttribute('aria-labelledby', rawTab.id);
  editorHost.before(toolbar, formPanel);
  formPanel.after(datalist);
  formPanel.before(status);

  /** @param {'form' | 'raw'} view @param {boolean} [focus] */
  function show(view, focus = false) {
    const form = view === 'form';
    formTab.setAttribute('aria-selected', String(form));
    rawTab.setAttribute('aria-selected', String(!form));
    formTab.tabIndex = form ? 0 : -1;
    rawTab.tabIndex = form ? -1 : 0;
    formPanel.hidden = !form;
    editorHost.hidden = form;
    root.dataset.view = view;
    if (focus) (form ? formTab : rawTab).focus();
  }
  formTab.addEventListener('click', () => show('form'));
  rawTab.addEventListener('click', () => show('raw'));
  tabs.addEventListener('keydown', (e) => {
    if (!['ArrowLeft', 'ArrowRight', 'Home', 'End'].includes(e.key)) return;
    e.preventDefault();
    const toForm = e.key === 'Home' || (e.key !== 'End' && root.dataset.view !== 'form');
    show(toForm ? 'form' : 'raw', true);
  });
  show('form');

  // ---- edits ----

  /**
   * Queues the core's rewrite of the editor's text for one item: its current state in the model
   * (set, add) or its removal. Runs one at a time, each on the text the previous one left.
   * @param {'set' | 'add' | 'remove'} op
   * @param {number} index
   */
  function commit(op, index) {
    if (op === 'set') {
      if (queuedSets.has(index)) return;
      queuedSets.add(index);
    }
    inFlight++;
    const started = performance.now();
    chain = chain
      .then(async () => {
        if (op === 'set') queuedSets.delete(index);
        const text = editor.text;
        const item = op === 'remove' ? null : JSON.stringify(model[index]);
        const r = await hooks.rewrite({ text, index: op === 'add' ? null : index, item });
        if (r.type !== 'editExceptions' || !r.ok || r.text == null) {
          status.textContent = r.message || 'The edit could not be made.';
          return;
        }
        if (editor.text !== text) {
          status.textContent = 'The exceptions changed meanwhile; the edit was not made.';
          return;
        }
        status.textContent = '';
        if (r.text !== text) {
          editor.replaceText(r.text);
          hooks.edited(r.text, started);
        }
      })
      .catch((e) => {
        status.textContent = String(e instanceof Error ? e.message : e);
      })
      .finally(() => {
        inFlight--;
        if (!inFlight && stashed) {
          const s = stashed;
          stashed = null;
          update(s);
        }
      });
  }

  /** An edit that changes the form's structure: draw at once, then write it. */
  function restructure(op, index) {
    draw();
    commit(op, index);
  }

  // ---- drawing ----

  /**
   * The warnings of one item and entry path.
   * @param {number} item @param {number[]} path
   */
  const warningsAt = (item, path) => warnings.filter((w) => w.item === item && w.entry.join('.') === path.join('.'));

  /**
   * @param {HTMLElement} box
   * @param {ExceptionWarning[]} list
   * @param {number} item
   * @param {number[]} path
   */
  function drawWarnings(box, list, item, path) {
    box.dataset.at = `${item}/${path.join('.')}`;
    box.replaceChildren(...list.map((w) => {
      const p = el('p', { class: `exc-warning exc-w-${w.kind}` }, [el('span', { 'aria-hidden': 'true', text: '⚠ ' }), w.message]);
      if (w.kind === 'wildcard_with_is') {
        const b = el('button', { type: 'button', class: 'exc-fix', text: 'Change to matches' });
        b.addEventListener('click', () => {
          const entry = entryAt(model[item], path);
          if (!entry) return;
          Object.assign(entry, withOperator(entry, entry.operator === 'excluded' ? 'does not match' : 'matches'));
          focusNext = key(item, path, 'operator');
          restructure('set', item);
        });
        p.append(' ', b);
      }
      return p;
    }));
  }

  /** @param {number} item @param {number[]} path @param {string} part */
  const key = (item, path, part) => `${item}/${path.join('.')}/${part}`;

  /** @param {ExceptionItem} item @param {number[]} path @returns {Entry | null} */
  function entryAt(item, path) {
    /** @type {any} */
    let list = item.entries;
    /** @type {Entry | null} */
    let entry = null;
    for (const i of path) {
      entry = list && list[i];
      if (!entry) return null;
      list = entry.entries;
    }
    return entry;
  }

  /** @param {ExceptionItem} item @param {number[]} path */
  function listAt(item, path) {
    if (!path.length) return item.entries;
    const parent = entryAt(item, path);
    return /** @type {Entry[]} */ (parent && parent.entries) || [];
  }

  /**
   * A labelled text input bound to the model; `write` stores the typed text, then the item is set.
   * @param {string} k @param {string} label @param {string} value @param {(v: string) => void} write @param {number} index
   * @param {Record<string, string>} [attrs]
   */
  function textInput(k, label, value, write, index, attrs = {}) {
    const input = /** @type {HTMLInputElement} */ (el('input', { type: 'text', 'aria-label': label, spellcheck: 'false', autocomplete: 'off', ...attrs }));
    input.value = value;
    input.dataset.key = k;
    input.addEventListener('input', () => {
      write(input.value);
      commit('set', index);
    });
    return input;
  }

  /**
   * @param {number} index @param {number[]} path @param {Entry} entry @param {boolean} nestedChild
   */
  function drawEntry(index, path, entry, nestedChild) {
    const row = el('div', { class: 'exc-entry', role: 'group', 'aria-label': `Entry ${path.map((i) => i + 1).join('.')}` });
    if (entry.type === 'nested') {
      row.classList.add('exc-nested');
      const head = el('div', { class: 'exc-entry-row' }, [
        el('span', { class: 'exc-tag', text: 'nested' }),
        textInput(key(index, path, 'field'), 'Field', entry.field || '', (v) => { entry.field = v; }, index, { list: datalist.id, placeholder: 'parent field, e.g. process.Ext.code_signature' }),
        removeEntryButton(index, path),
      ]);
      const children = el('div', { class: 'exc-nested-entries' });
      (entry.entries || []).forEach((/** @type {Entry} */ child, /** @type {number} */ i) => children.append(drawEntry(index, [...path, i], child, true)));
      const add = el('button', { type: 'button', class: 'exc-add', text: 'Add entry' });
      add.dataset.key = key(index, path, 'add');
      add.addEventListener('click', () => {
        entry.entries = [...(entry.entries || []), newEntry()];
        focusNext = key(index, [...path, entry.entries.length - 1], 'field');
        restructure('set', index);
      });
      const w = el('div', { class: 'exc-warnings' });
      drawWarnings(w, warningsAt(index, path), index, path);
      row.append(head, w, children, add);
      return row;
    }
    const op = operatorOf(entry);
    const select = /** @type {HTMLSelectElement} */ (el('select', { 'aria-label': 'Operator' }));
    select.dataset.key = key(index, path, 'operator');
    for (const o of OPERATORS) {
      if (nestedChild && o.type === 'list') continue;
      select.append(el('option', { value: o.label, text: o.label }));
    }
    select.value = op;
    select.addEventListener('change', () => {
      const next = withOperator(entry, select.value);
      for (const k of Object.keys(entry)) delete entry[k];
      Object.assign(entry, next);
      focusNext = select.dataset.key || null;
      restructure('set', index);
    });
    const field = textInput(key(index, path, 'field'), 'Field', entry.field || '', (v) => { entry.field = v; }, index, { list: datalist.id, placeholder: 'field' });
    /** @type {HTMLElement[]} */
    const parts = [field, select];
    if (entry.type === 'match' || entry.type === 'wildcard') {
      parts.push(textInput(key(index, path, 'value'), 'Value', entry.value ?? '', (v) => { entry.value = v; }, index, { placeholder: 'value' }));
    } else if (entry.type === 'match_any') {
      parts.push(textInput(key(index, path, 'value'), 'Values', joinList(entry.value || []), (v) => { entry.value = splitList(v); }, index, { placeholder: 'values, comma-separated' }));
    } else if (entry.type === 'list') {
      const list = entry.list || (entry.list = { id: '', type: 'keyword' });
      parts.push(textInput(key(index, path, 'list'), 'List id', list.id || '', (v) => { list.id = v; }, index, { placeholder: 'value list id' }));
      parts.push(textInput(key(index, path, 'list-type'), 'List type', list.type || '', (v) => { list.type = v; }, index, { placeholder: 'keyword, ip, ip_range…', class: 'exc-short' }));
    }
    parts.push(removeEntryButton(index, path));
    const w = el('div', { class: 'exc-warnings' });
    drawWarnings(w, warningsAt(index, path), index, path);
    row.append(el('div', { class: 'exc-entry-row' }, parts), w);
    return row;
  }

  /** @param {number} index @param {number[]} path */
  function removeEntryButton(index, path) {
    const b = el('button', { type: 'button', class: 'exc-remove', 'aria-label': 'Remove entry', title: 'Remove entry', text: '×' });
    b.dataset.key = key(index, path, 'remove');
    b.addEventListener('click', () => {
      const list = listAt(model[index], path.slice(0, -1));
      list.splice(path[path.length - 1], 1);
      focusNext = key(index, [], 'add');
      restructure('set', index);
    });
    return b;
  }

  /** @param {ExceptionItem} item @param {number} index */
  function drawItem(item, index) {
    const expired = warnings.some((w) => w.item === index && w.kind === 'expired');
    const legend = el('legend', {}, [`Item ${index + 1}`]);
    if (expired) legend.append(' ', el('span', { class: 'exc-badge', text: 'expired, not applied' }));
    const box = el('fieldset', { class: `exc-item${expired ? ' exc-expired' : ''}` }, [legend]);
    /** @param {string} label @param {HTMLElement} control */
    const labelled = (label, control) => {
      control.id = `${id}-${index}-${label.replace(/\W+/g, '-').toLowerCase()}`;
      control.removeAttribute('aria-label');
      return el('div', { class: 'exc-prop' }, [el('label', { for: control.id, text: label }), control]);
    };
    const extra = /** @type {Record<string, any>} */ (item);
    const comments = /** @type {HTMLTextAreaElement} */ (el('textarea', { rows: '1', spellcheck: 'true', placeholder: 'one comment a line' }));
    comments.value = commentsText(extra.comments);
    comments.dataset.key = key(index, [], 'comments');
    comments.addEventListener('input', () => {
      extra.comments = commentsFrom(comments.value, extra.comments);
      commit('set', index);
    });
    const props = el('div', { class: 'exc-props' }, [
      labelled('Name', textInput(key(index, [], 'name'), 'Name', item.name || '', (v) => { item.name = v; }, index)),
      labelled('OS types', textInput(key(index, [], 'os'), 'OS types', joinList(item.os_types || []), (v) => { item.os_types = splitList(v); }, index, { placeholder: 'linux, macos, windows' })),
      labelled('Expires', textInput(key(index, [], 'expires'), 'Expires', item.expire_time || '', (v) => {
        if (v.trim()) item.expire_time = v.trim();
        else delete item.expire_time;
      }, index, { placeholder: '2026-12-31T00:00:00Z' })),
      labelled('Tags', textInput(key(index, [], 'tags'), 'Tags', joinList(extra.tags || []), (v) => { extra.tags = splitList(v); }, index, { placeholder: 'comma-separated' })),
      labelled('Comments', comments),
    ]);
    const w = el('div', { class: 'exc-warnings' });
    drawWarnings(w, warningsAt(index, []), index, []);
    const entries = el('div', { class: 'exc-entries', role: 'group', 'aria-label': `Entries of item ${index + 1} (all must match)` });
    item.entries.forEach((entry, i) => {
      if (i) entries.append(el('p', { class: 'exc-join', 'aria-hidden': 'true', text: 'AND' }));
      entries.append(drawEntry(index, [i], /** @type {Entry} */ (entry), false));
    });
    if (!item.entries.length) entries.append(el('p', { class: 'exc-none', text: 'No entries: the item is not applied.' }));
    const addEntry = el('button', { type: 'button', class: 'exc-add', text: 'Add entry' });
    addEntry.dataset.key = key(index, [], 'add');
    addEntry.addEventListener('click', () => {
      item.entries.push(newEntry());
      focusNext = key(index, [item.entries.length - 1], 'field');
      restructure('set', index);
    });
    const addNested = el('button', { type: 'button', class: 'exc-add', text: 'Add nested group' });
    addNested.addEventListener('click', () => {
      item.entries.push({ field: '', type: 'nested', entries: [newEntry()] });
      focusNext = key(index, [item.entries.length - 1], 'field');
      restructure('set', index);
    });
    const remove = el('button', { type: 'button', class: 'exc-add exc-danger', text: 'Remove item' });
    remove.addEventListener('click', () => {
      model.splice(index, 1);
      focusNext = model.length ? key(Math.min(index, model.length - 1), [], 'name') : 'add-item';
      restructure('remove', index);
    });
    box.append(props, w, entries, el('div', { class: 'exc-actions' }, [addEntry, addNested, remove]));
    return box;
  }

  function draw() {
    // Where the keyboard was, to put it back on the same control once redrawn.
    const active = /** @type {HTMLElement | null} */ (document.activeElement);
    const activeKey = active && formPanel.contains(active) ? active.dataset.key || null : null;
    const sel = active instanceof HTMLInputElement || active instanceof HTMLTextAreaElement ? [active.selectionStart, active.selectionEnd] : null;
    const parts = [];
    model.forEach((item, i) => {
      if (i) parts.push(el('p', { class: 'exc-join exc-or', 'aria-hidden': 'true', text: 'OR' }));
      parts.push(drawItem(item, i));
    });
    if (!model.length) parts.push(el('p', { class: 'exc-none', text: 'No exception items. Add one, or paste a Kibana export in the NDJSON view.' }));
    const addItem = el('button', { type: 'button', class: 'exc-add', text: 'Add item' });
    addItem.dataset.key = 'add-item';
    addItem.addEventListener('click', () => {
      model.push(newItem(model.length + 1));
      focusNext = key(model.length - 1, [0], 'field');
      restructure('add', model.length - 1);
    });
    parts.push(el('div', { class: 'exc-actions' }, [addItem]));
    formPanel.replaceChildren(...parts);
    const want = focusNext || activeKey;
    const useSel = !focusNext && sel;
    focusNext = null;
    if (!want) return;
    const target = /** @type {HTMLElement | null} */ (formPanel.querySelector(`[data-key="${CSS.escape(want)}"]`));
    if (!target) return;
    target.focus();
    if (useSel && (target instanceof HTMLInputElement || target instanceof HTMLTextAreaElement)) {
      target.setSelectionRange(useSel[0], useSel[1]);
    }
  }

  /**
   * A report from the core. `items` are drawn only when they are of the editor's text as it is
   * now and no form edit is on its way: otherwise a newer report follows.
   * @param {{items?: ExceptionItem[], text?: string, warnings?: ExceptionWarning[]}} r
   */
  function update(r) {
    const expiredBefore = expiredItems();
    if (r.warnings) warnings = r.warnings;
    if (r.items && r.text != null) {
      if (inFlight) {
        stashed = { items: r.items, text: r.text };
      } else if (r.text === editor.text && canonical(r.items) !== canonical(model)) {
        model = structuredClone(r.items);
        draw();
        return;
      }
    }
    if (!r.warnings) return;
    if (!inFlight && expiredItems() !== expiredBefore) draw();
    else refreshWarnings();
  }

  const expiredItems = () => warnings.filter((w) => w.kind === 'expired').map((w) => w.item).join(',');

  /** The warnings drawn again in their places; the controls (and the caret) stay. */
  function refreshWarnings() {
    for (const box of formPanel.querySelectorAll('.exc-warnings')) {
      const at = /** @type {HTMLElement} */ (box).dataset.at || '';
      const [item, path] = at.split('/');
      const p = path ? path.split('.').map(Number) : [];
      drawWarnings(/** @type {HTMLElement} */ (box), warningsAt(Number(item), p), Number(item), p);
    }
  }

  /** @param {string[]} names */
  function setFields(names) {
    const seen = new Set();
    const options = [];
    for (const n of names) {
      if (seen.has(n)) continue;
      seen.add(n);
      const o = document.createElement('option');
      o.value = n;
      options.push(o);
    }
    datalist.replaceChildren(...options);
  }

  draw();
  return { update, setFields, show, toolbar };
}
