// User text (rule fields, event values, Markdown) on the page: control characters are drawn as visible
// escapes instead of being obeyed. A right-to-left override (U+202E) in an event value would otherwise
// reverse everything after it, and C0/C1 controls are invisible; both can hide what an event really
// says. The elements that hold user text are also bidi-isolated in style.css.

// C0 and C1 controls, the Arabic letter mark, LRM/RLM, line/paragraph separators, bidi embeddings,
// overrides and isolates.
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]/;
const CONTROLS = new RegExp(CONTROL.source, 'g');

const NAMES = {
  0x061c: 'ARABIC LETTER MARK',
  0x200e: 'LEFT-TO-RIGHT MARK',
  0x200f: 'RIGHT-TO-LEFT MARK',
  0x2028: 'LINE SEPARATOR',
  0x2029: 'PARAGRAPH SEPARATOR',
  0x202a: 'LEFT-TO-RIGHT EMBEDDING',
  0x202b: 'RIGHT-TO-LEFT EMBEDDING',
  0x202c: 'POP DIRECTIONAL FORMATTING',
  0x202d: 'LEFT-TO-RIGHT OVERRIDE',
  0x202e: 'RIGHT-TO-LEFT OVERRIDE',
  0x2066: 'LEFT-TO-RIGHT ISOLATE',
  0x2067: 'RIGHT-TO-LEFT ISOLATE',
  0x2068: 'FIRST STRONG ISOLATE',
  0x2069: 'POP DIRECTIONAL ISOLATE',
};

/** `\u202E` for U+202E: the escape shown in place of a control character. */
export function escapeControl(ch) {
  return `\\u${ch.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;
}

/** The text with every control character replaced by its escape, for attributes such as `title`. */
export function visibleText(s) {
  s = String(s ?? '');
  return CONTROL.test(s) ? s.replace(CONTROLS, escapeControl) : s;
}

/**
 * Appends `s` to `parent` as text nodes, each control character as a `<span class="ctl">` holding its
 * escape. `keep` lists controls to leave as they are (a code block keeps its newlines and tabs).
 */
export function appendText(parent, s, keep = '') {
  s = String(s ?? '');
  if (!CONTROL.test(s)) {
    parent.append(s);
    return parent;
  }
  let last = 0;
  for (const m of s.matchAll(CONTROLS)) {
    if (keep.includes(m[0])) continue;
    if (m.index > last) parent.append(s.slice(last, m.index));
    const code = m[0].charCodeAt(0);
    const ctl = document.createElement('span');
    ctl.className = 'ctl';
    ctl.textContent = escapeControl(m[0]);
    ctl.title = `U+${code.toString(16).toUpperCase().padStart(4, '0')} ${NAMES[code] || 'control character'} (shown, not applied)`;
    parent.append(ctl);
    last = m.index + 1;
  }
  if (last < s.length) parent.append(s.slice(last));
  return parent;
}

/** Replaces the content of `el` with `s` (see appendText). */
export function setText(el, s) {
  s = String(s ?? '');
  if (!CONTROL.test(s)) {
    if (el.textContent !== s || el.childElementCount) el.textContent = s;
    return el;
  }
  el.replaceChildren();
  return appendText(el, s);
}

/** A new `<tag class=cls>` holding user text `s`. */
export function textEl(tag, cls, s) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (s != null) appendText(e, s);
  return e;
}
