// Small element builders the workshop views share. Every text from an exercise, a link or an event
// goes in as text nodes (control characters shown as escapes, text.js) or through the safe Markdown
// renderer; nothing here sets HTML.
import { renderMarkdown } from '../markdown.js';
import { appendText, textEl } from '../text.js';

/**
 * @param {string} tag @param {string | null} cls @param {string | null} [text]
 * @returns {HTMLElement}
 */
export const el = (tag, cls, text) => textEl(tag, cls, text);

/**
 * @param {string} label @param {() => void} run
 * @param {{ cls?: string, id?: string, keys?: string }} [opts] `keys`: aria-keyshortcuts
 */
export function button(label, run, { cls = '', id = '', keys = '' } = {}) {
  const b = /** @type {HTMLButtonElement} */ (el('button', cls || null, label));
  b.type = 'button';
  if (id) b.id = id;
  if (keys) b.setAttribute('aria-keyshortcuts', keys);
  b.addEventListener('click', run);
  return b;
}

/** A `<pre>` of code or JSON: its line breaks and tabs kept, other controls shown as escapes. */
export function codeBlock(/** @type {string} */ cls, /** @type {string} */ text) {
  const pre = document.createElement('pre');
  pre.className = cls;
  // It may scroll: keyboard users reach it to scroll it (axe's scrollable-region-focusable).
  pre.tabIndex = 0;
  return appendText(pre, text, '\n\t');
}

/** Markdown blocks (a task, a hint, the "why"). @param {string} md */
export function markdown(md) {
  const d = el('div', 'ws-md');
  d.append(renderMarkdown(md));
  return d;
}

/** One line of Markdown (a title with `code`), without its paragraph. @param {string} md */
export function inline(md) {
  const span = document.createElement('span');
  for (const n of [...renderMarkdown(md).childNodes]) span.append(...n.childNodes);
  return span;
}

/** Pretty JSON for an event (its own text when it is not JSON). @param {{ text: string, value: unknown }} e */
export function prettyEvent(e) {
  if (e.value === null) return e.text;
  // Arrays of plain values on one line: an event fits on a screen.
  return JSON.stringify(e.value, null, 2).replace(/\[\n\s*([^[\]{}]*?)\n\s*\]/g, (_, inner) => `[${inner.split(/,\n\s*/).join(', ')}]`);
}
