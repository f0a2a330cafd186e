// "Exclude this": from a value in the event's JSON view, the explanation's head or a result row
// (its context menu, or `x` in the list), a dialog offers to add the value to the field's
// exclusion list (when the query has one), to add an exception item `F is V`, or a narrower item
// from several fields of the event chosen with checkboxes (pre-filled by the core from the rule's
// investigation_fields and the fields the query matched). Before anything is applied it shows
// what the change would do to the current events, evaluated by the core without keeping it.
// Applying is one editor transaction: the rule editor's text (as chips do) or one NDJSON line
// appended to the exceptions editor.
import { textEl as el } from './text.js';

/** @typedef {import('../pkg/ruleplay.js').Offer} Offer */
/** @typedef {import('../pkg/ruleplay.js').OfferField} OfferField */
/** @typedef {import('../pkg/ruleplay.js').PreviewReport} PreviewReport */

/**
 * @typedef {object} ExcludeHooks
 * @property {(q: any) => Promise<any>} ask the engine's question (client.ask)
 * @property {() => Promise<void>} settle sends pending editor text and waits for the engine
 * @property {(text: string) => void} applyRule puts the rule view's new text in the rule editor
 * @property {(line: string) => void} appendException appends an item to the exceptions editor
 */

/** The preview follows the choices this long after the last change. */
const PREVIEW_MS = 80;

export class ExcludeDialog {
  /** @param {ExcludeHooks} hooks */
  constructor(hooks) {
    this.hooks = hooks;
    this.seq = 0;
    /** @type {{key: string, report: PreviewReport} | null} */
    this.preview = null;
    this.timer = 0;
    const d = /** @type {HTMLDialogElement} */ (el('dialog', 'exclude-dialog'));
    d.id = 'exclude-dialog';
    d.setAttribute('aria-labelledby', 'exclude-h');
    d.setAttribute('aria-describedby', 'exclude-preview');
    const head = el('div', 'gallery-head');
    const h = el('h2', null, 'Exclude this');
    h.id = 'exclude-h';
    const close = /** @type {HTMLButtonElement} */ (el('button', 'icon-btn', '✕'));
    close.type = 'button';
    close.setAttribute('aria-label', 'Close');
    close.addEventListener('click', () => d.close());
    head.append(h, close);
    this.about = el('p', 'muted small');
    this.kinds = /** @type {HTMLFieldSetElement} */ (el('fieldset', 'exclude-kinds'));
    this.fields = /** @type {HTMLFieldSetElement} */ (el('fieldset', 'exclude-fields'));
    this.status = el('p', 'exclude-preview');
    this.status.id = 'exclude-preview';
    this.status.setAttribute('role', 'status');
    const actions = el('div', 'exclude-actions');
    this.apply = /** @type {HTMLButtonElement} */ (el('button', 'primary', 'Apply'));
    this.apply.type = 'button';
    this.apply.addEventListener('click', () => this.doApply());
    const cancel = /** @type {HTMLButtonElement} */ (el('button', null, 'Cancel'));
    cancel.type = 'button';
    cancel.addEventListener('click', () => d.close());
    actions.append(this.apply, cancel);
    const body = el('div', 'exclude-body');
    body.append(this.about, this.kinds, this.fields, this.status, actions);
    d.append(head, body);
    d.addEventListener('change', () => this.changed());
    d.addEventListener('close', () => {
      this.seq++;
      if (this.opener && this.opener.isConnected) this.opener.focus();
    });
    document.body.append(d);
    this.dialog = d;
    /** @type {Offer | null} */
    this.offer = null;
    /** @type {HTMLElement | null} */
    this.opener = null;
  }

  /**
   * Opens the offer for event `index`; `field` and `value` when it came from a value.
   * @param {number} index
   * @param {string | null} field
   * @param {string | null} value
   */
  async open(index, field = null, value = null) {
    this.opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    await this.hooks.settle();
    /** @type {Offer | null} */
    const offer = await this.hooks.ask({ what: 'offer', index, field });
    if (!offer || !offer.fields.length) return;
    this.offer = offer;
    // Without a value asked about: the first field the query did not match itself (every
    // alert shares those, so they make poor exceptions).
    const focus = (field && offer.fields.find((f) => f.field === field)) || offer.fields.find((f) => !f.matched) || offer.fields[0];
    this.focus = { field: focus.field, value: value != null && focus.values.includes(value) ? value : focus.values[0] };
    this.about.textContent = `Event #${index}. Nothing changes until you apply; the sentence below says what it would do to the current events.`;
    this.drawKinds(focus);
    this.drawFields(offer, focus.field);
    this.preview = null;
    this.status.textContent = 'Evaluating…';
    if (!this.dialog.open) this.dialog.showModal();
    const first = /** @type {HTMLInputElement | null} */ (this.kinds.querySelector('input:checked'));
    if (first) first.focus();
    this.changed();
  }

  /** @param {OfferField} focus */
  drawKinds(focus) {
    const { field, value } = /** @type {{field: string, value: string}} */ (this.focus);
    this.kinds.replaceChildren(el('legend', null, 'What to add'));
    const choice = (/** @type {string} */ kind, /** @type {string} */ text, /** @type {boolean} */ checked) => {
      const label = el('label', 'exclude-choice');
      const input = /** @type {HTMLInputElement} */ (el('input'));
      input.type = 'radio';
      input.name = 'exclude-kind';
      input.value = kind;
      input.checked = checked;
      label.append(input, ` ${text}`);
      this.kinds.append(label);
    };
    if (focus.list) choice('list', `Add “${value}” to the ${field} exclusion list in the query`, true);
    choice('item', `Exception item: ${field} is “${value}”`, !focus.list);
    choice('narrow', 'Narrower exception item: every field checked below', false);
  }

  /**
   * @param {Offer} offer
   * @param {string} focus
   */
  drawFields(offer, focus) {
    this.fields.replaceChildren(el('legend', null, `Fields of event #${offer.index} for the narrower item`));
    for (const f of offer.fields) {
      const label = el('label', 'exclude-field');
      const input = /** @type {HTMLInputElement} */ (el('input'));
      input.type = 'checkbox';
      input.value = f.field;
      input.checked = f.checked || f.field === focus;
      const name = el('code', null, f.field);
      const values = el('code', 'exclude-values', f.values.length > 1 ? `any of ${f.values.map((v) => JSON.stringify(v)).join(', ')}` : JSON.stringify(f.values[0]));
      label.append(input, ' ', name, ' is ', values);
      if (f.investigation) label.append(' ', el('span', 'tag', 'investigation field'));
      if (f.matched) label.append(' ', el('span', 'tag', 'matched by the query'));
      this.fields.append(label);
    }
  }

  /** The change the choices describe, as a question for the engine, and its key. */
  question() {
    if (!this.offer || !this.focus) return null;
    const kind = /** @type {HTMLInputElement | null} */ (this.kinds.querySelector('input:checked'));
    const { field, value } = this.focus;
    if (!kind) return null;
    if (kind.value === 'list') return { what: 'exclusion', field, values: [value] };
    if (kind.value === 'item') return { what: 'exception', entries: [{ field, values: [value] }] };
    const checked = [...this.fields.querySelectorAll('input:checked')].map((i) => /** @type {HTMLInputElement} */ (i).value);
    const entries = this.offer.fields.filter((f) => checked.includes(f.field)).map((f) => ({ field: f.field, values: f.values }));
    return entries.length ? { what: 'exception', entries } : null;
  }

  changed() {
    const kind = /** @type {HTMLInputElement | null} */ (this.kinds.querySelector('input:checked'));
    this.fields.disabled = !kind || kind.value !== 'narrow';
    clearTimeout(this.timer);
    this.apply.disabled = true;
    this.timer = window.setTimeout(() => this.runPreview(), PREVIEW_MS);
  }

  async runPreview() {
    const q = this.question();
    const seq = ++this.seq;
    if (!q) {
      this.status.textContent = 'Check at least one field.';
      return;
    }
    /** @type {PreviewReport | null} */
    const report = await this.hooks.ask(q);
    if (seq !== this.seq) return;
    if (!report || !report.ok || !report.diff) {
      const d = report && report.diagnostics[0];
      this.status.textContent = `This cannot be applied: ${d ? d.message : 'the engine did not answer'}.`;
      return;
    }
    this.preview = { key: JSON.stringify(q), report };
    this.status.textContent = `Preview: ${report.diff.sentence}.`;
    this.apply.disabled = false;
  }

  async doApply() {
    const q = this.question();
    const p = this.preview;
    if (!q || !p || p.key !== JSON.stringify(q)) return;
    this.dialog.close();
    if (p.report.text != null) this.hooks.applyRule(p.report.text);
    else if (p.report.line != null) this.hooks.appendException(p.report.line);
  }

  /**
   * "Exclude this" from the clause tree of an explanation: `x` on a clause, or the context menu
   * on a value it looked at, opens the offer for that value (the tree keeps its own keys, so no
   * buttons go inside its items).
   * @param {HTMLElement} root the explanation panel
   * @param {() => number} index the event it explains
   */
  listenToClauses(root, index) {
    /** @param {Element | null} v @returns {{field: string, value: string} | null} */
    const valueOf = (v) => {
      const el = /** @type {HTMLElement | null} */ (v);
      if (!el || el.dataset.value == null) return null;
      return { field: (el.dataset.path || '').replace(/\[\d+\]/g, ''), value: el.dataset.value };
    };
    root.addEventListener('keydown', (e) => {
      const item = e.target instanceof HTMLElement && e.target.getAttribute('role') === 'treeitem' ? e.target : null;
      if (!item || e.key !== 'x' || e.ctrlKey || e.metaKey || e.altKey) return;
      const v = valueOf(item.querySelector(':scope > .clause-line .val[data-value]'));
      if (!v || index() < 0) return;
      e.preventDefault();
      this.open(index(), v.field, v.value);
    });
    root.addEventListener('contextmenu', (e) => {
      const v = valueOf(e.target instanceof Element ? e.target.closest('.val[data-value]') : null);
      if (!v || index() < 0) return;
      e.preventDefault();
      this.open(index(), v.field, v.value);
    });
  }

  /**
   * Adds the "Exclude this" buttons to the explanation of event `index`: one in its head, one
   * after each value of the event's JSON.
   * @param {HTMLElement} root
   * @param {number} index
   */
  decorate(root, index) {
    const head = root.querySelector('.explain-head');
    if (head && !head.querySelector('.exclude-btn')) {
      const b = /** @type {HTMLButtonElement} */ (el('button', 'small exclude-btn', 'Exclude this…'));
      b.type = 'button';
      b.setAttribute('aria-haspopup', 'dialog');
      b.title = `Exclude event #${index} by one of its values: preview first, then apply`;
      b.addEventListener('click', () => this.open(index));
      head.append(b);
    }
    for (const v of root.querySelectorAll('.json [data-path]')) {
      const span = /** @type {HTMLElement} */ (v);
      if (span.nextElementSibling && span.nextElementSibling.classList.contains('exclude-value')) continue;
      const path = span.dataset.path || '';
      let value;
      try {
        value = JSON.parse(span.textContent || '');
      } catch {
        continue;
      }
      if (value === null || typeof value === 'object') continue;
      const field = path.replace(/\[\d+\]/g, '');
      const text = String(value);
      const b = /** @type {HTMLButtonElement} */ (el('button', 'exclude-value', '⊘'));
      b.type = 'button';
      b.setAttribute('aria-haspopup', 'dialog');
      b.setAttribute('aria-label', `Exclude this: ${field} is ${text}`);
      b.title = `Exclude this: ${field} is ${text}`;
      b.addEventListener('click', () => this.open(index, field, text));
      span.after(b);
    }
  }
}
