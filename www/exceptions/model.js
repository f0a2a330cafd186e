// Kibana's exception operators and the entry shapes they stand for, and the small text ↔ list
// conversions of the form's inputs. Pure functions, no DOM: tests/unit/exceptions_model.test.mjs.

/**
 * The operators of Kibana's exception builder, in its order, with the entry each one writes
 * (`type`, `operator`); see kbn-securitysolution-list-utils `ALL_OPERATORS`.
 */
export const OPERATORS = [
  { label: 'is', type: 'match', operator: 'included' },
  { label: 'is not', type: 'match', operator: 'excluded' },
  { label: 'is one of', type: 'match_any', operator: 'included' },
  { label: 'is not one of', type: 'match_any', operator: 'excluded' },
  { label: 'exists', type: 'exists', operator: 'included' },
  { label: 'does not exist', type: 'exists', operator: 'excluded' },
  { label: 'matches', type: 'wildcard', operator: 'included' },
  { label: 'does not match', type: 'wildcard', operator: 'excluded' },
  { label: 'is in list', type: 'list', operator: 'included' },
  { label: 'is not in list', type: 'list', operator: 'excluded' },
];

/**
 * The operator label of an entry.
 * @param {{type?: string, operator?: string}} entry
 */
export function operatorOf(entry) {
  const op = entry.operator === 'excluded' ? 'excluded' : 'included';
  const found = OPERATORS.find((o) => o.type === entry.type && o.operator === op);
  return found ? found.label : 'is';
}

/**
 * The entry with another operator: the field stays, and the value is carried over where it fits
 * (one value ↔ the first of a list).
 * @param {Record<string, any>} entry
 * @param {string} label
 */
export function withOperator(entry, label) {
  const o = OPERATORS.find((x) => x.label === label) || OPERATORS[0];
  const field = entry.field || '';
  const values = Array.isArray(entry.value) ? entry.value : entry.value != null && entry.value !== '' ? [String(entry.value)] : [];
  /** @type {Record<string, any>} */
  const out = { field, operator: o.operator, type: o.type };
  if (o.type === 'match' || o.type === 'wildcard') out.value = values[0] ?? '';
  else if (o.type === 'match_any') out.value = values;
  else if (o.type === 'list') out.list = entry.list || { id: '', type: 'keyword' };
  return out;
}

export function newEntry() {
  return { field: '', operator: 'included', type: 'match', value: '' };
}

/** @param {number} n */
export function newItem(n) {
  return { name: `Exception ${n}`, entries: [newEntry()], os_types: [] };
}

/**
 * "a, b ,c" → ["a", "b", "c"].
 * @param {string} text
 */
export function splitList(text) {
  return text.split(',').map((s) => s.trim()).filter(Boolean);
}

/** @param {string[]} list */
export function joinList(list) {
  return list.join(', ');
}

/**
 * The comments' text, one a line.
 * @param {unknown} comments Kibana's `[{comment, id, created_at, …}]`
 */
export function commentsText(comments) {
  return Array.isArray(comments) ? comments.map((c) => (c && typeof c === 'object' && 'comment' in c ? String(c.comment) : '')).join('\n') : '';
}

/**
 * Comments from the textarea's lines; a line the same as before keeps its comment object (its
 * id, author and time).
 * @param {string} text
 * @param {unknown} before
 */
export function commentsFrom(text, before) {
  const old = Array.isArray(before) ? before : [];
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .map((line, i) => {
      const same = old.find((c, j) => c && c.comment === line && j === i) || old.find((c) => c && c.comment === line);
      return same || { comment: line };
    });
}

/**
 * JSON with keys sorted, to compare two items whatever their keys' order.
 * @param {unknown} value
 * @returns {string}
 */
export function canonical(value) {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const obj = /** @type {Record<string, unknown>} */ (value);
    return `{${Object.keys(obj).sort().filter((k) => obj[k] !== undefined).map((k) => `${JSON.stringify(k)}:${canonical(obj[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
