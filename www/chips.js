// The rule text's exclusion lists as chips under the rule editor: one group per field, one chip
// per value with its remove button, and an input that adds values (Enter adds one; a paste of
// several lines adds each line; with "pattern" ticked they go in as wildcard patterns, otherwise
// as literal values, quoted and escaped by the core). The page keeps no semantics: the lists come from the core with
// the rule report, and an edit is asked of the core, which rewrites the text (see main.js).
/** @typedef {import('../pkg/ruleplay.js').ExclusionList} ExclusionList */

/**
 * @typedef {object} ChipHandlers
 * @property {(field: string, op: 'add' | 'add_pattern' | 'remove', values: string[]) => Promise<string | null>} edit
 *   Makes the edit; resolves to an error message, or null when it was made.
 */

/**
 * Draws `lists` into `root`, updating groups in place so that an input keeps its text and focus
 * while the rule is re-read.
 * @param {HTMLElement} root
 * @param {ExclusionList[]} lists
 * @param {ChipHandlers} handlers
 */
export function renderExclusions(root, lists, handlers) {
  /** @type {Map<string, {value: string, pattern: boolean}[]>} */
  const byField = new Map();
  for (const l of lists) {
    const values = byField.get(l.field) || [];
    for (const it of l.items) if (!values.some((v) => v.value === it.value)) values.push({ value: it.value, pattern: it.pattern });
    byField.set(l.field, values);
  }
  // Where the keyboard was, to put it back on the same place after a chip goes away.
  const active = document.activeElement;
  const focusedChip = active instanceof HTMLButtonElement && root.contains(active) ? chipPlace(active) : null;

  /** @type {Map<string, HTMLFieldSetElement>} */
  const existing = new Map();
  for (const g of root.querySelectorAll('fieldset.excl-group')) existing.set(/** @type {HTMLElement} */ (g).dataset.field || '', /** @type {HTMLFieldSetElement} */ (g));
  for (const [field, g] of existing) if (!byField.has(field)) g.remove();
  let before = /** @type {Element | null} */ (root.querySelector('fieldset.excl-group'));
  for (const [field, values] of byField) {
    const group = existing.get(field) || newGroup(field, handlers);
    if (group !== before) root.insertBefore(group, before);
    before = group.nextElementSibling;
    const chips = /** @type {HTMLElement} */ (group.querySelector('.excl-chips'));
    chips.replaceChildren(...values.map((v) => chip(field, v.value, v.pattern, handlers, group)));
  }
  root.hidden = byField.size === 0;
  if (focusedChip) {
    const group = [...root.querySelectorAll('fieldset.excl-group')].find((g) => /** @type {HTMLElement} */ (g).dataset.field === focusedChip.field);
    if (group) {
      const buttons = group.querySelectorAll('.excl-chips button');
      const next = /** @type {HTMLElement | null} */ (buttons[Math.min(focusedChip.index, buttons.length - 1)] || group.querySelector('input'));
      if (next) next.focus();
    }
  }
}

/** @param {HTMLButtonElement} button */
function chipPlace(button) {
  const group = /** @type {HTMLElement | null} */ (button.closest('fieldset.excl-group'));
  if (!group) return null;
  const index = [...group.querySelectorAll('.excl-chips button')].indexOf(button);
  return { field: group.dataset.field || '', index };
}

/**
 * @param {string} field
 * @param {ChipHandlers} handlers
 */
function newGroup(field, handlers) {
  const group = document.createElement('fieldset');
  group.className = 'excl-group';
  group.dataset.field = field;
  const legend = document.createElement('legend');
  legend.textContent = `Exclusions: ${field}`;
  const chips = document.createElement('ul');
  chips.className = 'excl-chips';
  const input = document.createElement('input');
  input.type = 'text';
  input.className = 'excl-add';
  input.setAttribute('aria-label', `Add to ${field} exclusions`);
  input.placeholder = 'Add…';
  input.spellcheck = false;
  input.autocomplete = 'off';
  // A `*` typed into the input is a literal asterisk unless this is ticked (the issue's "a
  // wildcard pattern is added only when asked for as a pattern").
  const patternLabel = document.createElement('label');
  patternLabel.className = 'excl-pattern';
  const pattern = document.createElement('input');
  pattern.type = 'checkbox';
  pattern.setAttribute('aria-label', `Wildcard pattern, for ${field}`);
  patternLabel.title = 'Add as a wildcard pattern (* matches any characters) instead of a literal value';
  patternLabel.append(pattern, document.createTextNode(' pattern'));
  const error = document.createElement('span');
  error.className = 'excl-error';
  error.setAttribute('role', 'status');
  const add = async (/** @type {string[]} */ values) => {
    values = values.map((v) => v.trim()).filter(Boolean);
    if (!values.length) return;
    const message = await handlers.edit(field, pattern.checked ? 'add_pattern' : 'add', values);
    error.textContent = message || '';
    if (!message) input.value = '';
  };
  input.addEventListener('keydown', (e) => {
    if (e.key !== 'Enter') return;
    e.preventDefault();
    add([input.value]);
  });
  input.addEventListener('paste', (e) => {
    const text = e.clipboardData ? e.clipboardData.getData('text/plain') : '';
    if (!/[\r\n]/.test(text)) return;
    e.preventDefault();
    add(text.split(/\r?\n|\r/));
  });
  group.append(legend, chips, input, patternLabel, error);
  return group;
}

/**
 * @param {string} field
 * @param {string} value
 * @param {boolean} isPattern
 * @param {ChipHandlers} handlers
 * @param {HTMLElement} group
 */
function chip(field, value, isPattern, handlers, group) {
  const li = document.createElement('li');
  li.className = isPattern ? 'excl-chip excl-chip-pattern' : 'excl-chip';
  const text = document.createElement('span');
  text.textContent = value;
  if (isPattern) {
    text.title = 'a wildcard pattern';
    const note = document.createElement('span');
    note.className = 'visually-hidden';
    note.textContent = ' (wildcard pattern)';
    text.append(note);
  }
  const remove = document.createElement('button');
  remove.type = 'button';
  remove.textContent = '×';
  remove.setAttribute('aria-label', `Remove ${value}`);
  remove.title = `Remove ${value} from the ${field} exclusions`;
  remove.addEventListener('click', async () => {
    const message = await handlers.edit(field, 'remove', [value]);
    const error = group.querySelector('.excl-error');
    if (error) error.textContent = message || '';
  });
  li.append(text, remove);
  return li;
}
