// The exceptions panel's import/export toolbar, its value lists and the rule's exception-list
// references. The page keeps no exception semantics: files are converted by the core (Kibana NDJSON
// ⇄ detection-rules TOML), value lists are parsed and matched by the core, and what a list or a
// reference means comes back with the engine's answers. An import replaces the exceptions editor's
// text in ONE CodeMirror transaction, so Ctrl+Z in that editor undoes it.

/** @typedef {import('../../pkg/ruleplay.js').ValueListReport} ValueListReport */
/** @typedef {import('../../pkg/ruleplay.js').ExceptionListRef} ExceptionListRef */
/** @typedef {import('../../pkg/ruleplay.js').ExceptionConversion} ExceptionConversion */
/** @typedef {import('../share/codec.js').ValueList} ValueList */

/** Kibana's value list types ("Manage value lists"). */
const TYPES = [
  ['keyword', 'Keywords'],
  ['ip', 'IP addresses'],
  ['ip_range', 'IP ranges'],
  ['text', 'Text'],
];
/** Kibana's upload limit (`xpack.lists.maxImportPayloadBytes`). */
const MAX_LIST_BYTES = 9_000_000;

/**
 * @param {string} tag
 * @param {Record<string, string>} [attrs]
 * @param {(string | Node)[]} [children]
 */
function el(tag, attrs = {}, children = []) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  e.append(...children);
  return e;
}

/**
 * @param {string} text
 * @param {string} name
 * @param {string} type
 */
function download(text, name, type) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = el('a', { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/**
 * @param {object} o
 * @param {HTMLElement} o.root the container (inside the exceptions panel) this module owns
 * @param {HTMLElement} o.dropZone where a dropped exception file is imported (the editor)
 * @param {{text: string, setText: (text: string) => void}} o.editor the exceptions editor
 * @param {(text: string, format: 'ndjson' | 'toml') => Promise<ExceptionConversion | null>} o.convert
 * @param {(lists: {id: string, type: string, text: string}[]) => void} o.sendLists
 * @param {() => void} o.opened called after an import (the panel opens)
 * @param {() => void} o.changed the lists changed (share links, autosave)
 */
export function initExceptionsIO({ root, dropZone, editor, convert, sendLists, opened, changed }) {
  /** @type {ValueList[]} */
  let lists = [];
  /** @type {ValueListReport[]} */
  let reports = [];

  const status = el('p', { class: 'xio-status small', role: 'status', 'aria-live': 'polite', id: 'exceptions-io-status' });
  const fileInput = /** @type {HTMLInputElement} */ (el('input', { type: 'file', accept: '.ndjson,.json,.toml,text/plain', hidden: '', id: 'exceptions-import-file' }));
  const importBtn = el('button', { type: 'button', id: 'exceptions-import' }, ['Import exceptions…']);
  const ndjsonBtn = el('button', { type: 'button', id: 'exceptions-download-ndjson' }, ['Download NDJSON']);
  const tomlBtn = el('button', { type: 'button', id: 'exceptions-download-toml' }, ['Download TOML']);
  const toolbar = el('div', { class: 'xio-toolbar', role: 'group', 'aria-label': 'Exception list files' }, [importBtn, fileInput, ndjsonBtn, tomlBtn]);

  const refs = el('div', { class: 'xio-refs', id: 'exceptions-refs', hidden: '' });

  const idInput = /** @type {HTMLInputElement} */ (el('input', { type: 'text', id: 'vl-id', placeholder: 'list id, as entries reference it', 'aria-label': 'Value list id', spellcheck: 'false' }));
  const typeSelect = /** @type {HTMLSelectElement} */ (el('select', { id: 'vl-type', 'aria-label': 'Value list type' }, TYPES.map(([v, label]) => el('option', { value: v }, [label]))));
  const textArea = /** @type {HTMLTextAreaElement} */ (el('textarea', { id: 'vl-text', rows: '3', placeholder: 'One value per line', 'aria-label': 'Value list values', spellcheck: 'false' }));
  const listFile = /** @type {HTMLInputElement} */ (el('input', { type: 'file', accept: '.txt,.csv,text/plain', hidden: '', id: 'vl-file' }));
  const openBtn = el('button', { type: 'button', id: 'vl-open' }, ['Open file…']);
  const addBtn = el('button', { type: 'button', id: 'vl-add' }, ['Add list']);
  const loaded = el('ul', { class: 'vl-loaded', id: 'vl-loaded' });
  const listsBox = el('fieldset', { class: 'value-lists', id: 'value-lists' }, [
    el('legend', {}, ['Value lists']),
    el('p', { class: 'muted small' }, ['For “is in list” entries: one value per line, as Kibana uploads them.']),
    el('div', { class: 'vl-form' }, [idInput, typeSelect, openBtn, listFile, addBtn]),
    textArea,
    loaded,
  ]);
  root.replaceChildren(toolbar, status, refs, listsBox);

  /** @param {string} msg @param {boolean} [bad] */
  function say(msg, bad = false) {
    status.textContent = msg;
    status.classList.toggle('bad', bad);
  }

  /** @param {File} file */
  async function importFile(file) {
    const text = await file.text();
    const r = await convert(text, 'ndjson');
    if (!r) return;
    const errs = r.errors || [];
    if (errs.length && !r.text.split('\n').some((l) => l.includes('"entries"'))) {
      say(`${file.name}: ${errs.map((e) => `line ${e.line}: ${e.message}`).slice(0, 3).join('; ')}`, true);
      return;
    }
    editor.setText(r.text);
    opened();
    const bad = errs.length ? ` (${errs.length} line(s) skipped: ${errs[0].message})` : '';
    say(`Imported ${file.name}${bad}.`, Boolean(errs.length));
  }

  importBtn.addEventListener('click', () => fileInput.click());
  fileInput.addEventListener('change', () => {
    const f = fileInput.files && fileInput.files[0];
    fileInput.value = '';
    if (f) importFile(f);
  });
  for (const zone of [dropZone, root]) {
    zone.addEventListener('dragover', (e) => {
      if (e.dataTransfer && [...e.dataTransfer.types].includes('Files')) e.preventDefault();
    }, true);
    zone.addEventListener('drop', (e) => {
      const f = e.dataTransfer && e.dataTransfer.files && e.dataTransfer.files[0];
      if (!f) return;
      e.preventDefault();
      e.stopPropagation();
      importFile(f);
    }, true);
  }

  /** @param {'ndjson' | 'toml'} format */
  async function exportAs(format) {
    const r = await convert(editor.text, format);
    if (!r) return;
    if (format === 'ndjson') download(r.text, 'exceptions.ndjson', 'application/x-ndjson');
    else download(r.text, 'exceptions.toml', 'application/toml');
    say(r.errors.length ? `Downloaded; ${r.errors.length} line(s) of the editor were not exception items and were left out.` : `Downloaded exceptions.${format}.`, Boolean(r.errors.length));
  }
  ndjsonBtn.addEventListener('click', () => exportAs('ndjson'));
  tomlBtn.addEventListener('click', () => exportAs('toml'));

  // ---------- value lists ----------

  function send() {
    sendLists(lists.map((l) => ({ id: l.id, type: l.type, text: l.values })));
    changed();
  }

  function render() {
    loaded.replaceChildren();
    for (const l of lists) {
      const rep = reports.find((r) => r.id === l.id);
      const count = rep ? `${rep.count} value${rep.count === 1 ? '' : 's'}` : '…';
      const li = el('li', { 'data-id': l.id }, [el('code', {}, [l.id]), ` (${l.type}): ${count}`]);
      if (rep && rep.errors.length) {
        const first = rep.errors[0];
        li.append(el('span', { class: 'vl-errors' }, [` — ${rep.errors.length} line(s) not loaded: line ${first.line}: ${first.message}`]));
      }
      const rm = el('button', { type: 'button', class: 'vl-remove', 'aria-label': `Remove value list ${l.id}` }, ['Remove']);
      rm.addEventListener('click', () => {
        lists = lists.filter((x) => x.id !== l.id);
        render();
        send();
      });
      li.append(' ', rm);
      loaded.append(li);
    }
  }

  addBtn.addEventListener('click', () => {
    const id = idInput.value.trim();
    if (!id) {
      say('Give the list the id its entries reference (list.id).', true);
      idInput.focus();
      return;
    }
    if (textArea.value.length > MAX_LIST_BYTES) {
      say('Kibana imports value lists of at most 9,000,000 bytes.', true);
      return;
    }
    // A list with the same id replaces it, as a reference names one list.
    lists = [...lists.filter((l) => l.id !== id), { id, type: typeSelect.value, values: textArea.value }];
    idInput.value = '';
    textArea.value = '';
    say(`Value list ${id} added.`);
    render();
    send();
  });
  openBtn.addEventListener('click', () => listFile.click());
  listFile.addEventListener('change', async () => {
    const f = listFile.files && listFile.files[0];
    listFile.value = '';
    if (!f) return;
    textArea.value = await f.text();
    if (!idInput.value.trim()) idInput.value = f.name;
  });

  /** @param {ExceptionListRef[]} items */
  function renderRefs(items) {
    refs.hidden = !items.length;
    refs.replaceChildren();
    if (!items.length) return;
    refs.append(el('p', { class: 'small' }, ['The rule references these exception lists ([[rule.exceptions_list]]):']));
    const ul = el('ul');
    for (const r of items) {
      const meta = [r.type, r.namespace_type].filter(Boolean).join(', ');
      const li = el('li', { 'data-list-id': r.list_id }, [el('code', {}, [r.list_id]), meta ? ` (${meta}; id ${r.id}) ` : ` (id ${r.id}) `]);
      if (r.loaded) li.append(el('span', { class: 'ok' }, ['✔ loaded']));
      else {
        const b = el('button', { type: 'button', class: 'xio-open-ref' }, [`Open ${r.list_id} file…`]);
        b.addEventListener('click', () => fileInput.click());
        li.append(el('span', { class: 'muted' }, ['not loaded ']), b);
      }
      ul.append(li);
    }
    refs.append(ul);
  }

  return {
    /** The value lists, as share links and autosave keep them. */
    lists: () => lists.map((l) => ({ ...l })),
    /** The value lists as the engine takes them (after a restart). */
    inputs: () => lists.map((l) => ({ id: l.id, type: l.type, text: l.values })),
    /** @param {ValueList[]} next */
    setLists(next) {
      lists = next.map((l) => ({ id: l.id, type: l.type, values: l.values || '' }));
      reports = [];
      render();
      sendLists(lists.map((l) => ({ id: l.id, type: l.type, text: l.values })));
    },
    /** @param {{valueLists?: ValueListReport[], refs?: ExceptionListRef[]}} res */
    onUpdate(res) {
      if (res.valueLists) {
        reports = res.valueLists;
        render();
      }
      if (res.refs) renderRefs(res.refs);
    },
  };
}
