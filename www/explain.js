// The explanation panel: plain-words summary, the clause tree with verdicts, and the event's JSON with
// the values the query looked at marked. Everything is built with textContent.
import { BADGE } from './results.js';

const ICON = { true: '✔', false: '✘', missing: '∅' };
const WORD = { true: 'true', false: 'false', missing: 'field missing' };

function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text != null) e.textContent = text;
  return e;
}

function clip(s, n = 120) {
  s = s.replace(/\s+/g, ' ').trim();
  return s.length > n ? s.slice(0, n - 1) + '…' : s;
}

function valueText(v) {
  return typeof v === 'string' ? JSON.stringify(v) : JSON.stringify(v);
}

// Clauses outside the query (exception items) have no source text: their field or words stand in.
function clauseLabel(c, source) {
  const text = c.span.end > c.span.start ? source.slice(c.span.start, c.span.end) : '';
  if (!text && c.kind !== 'and' && c.kind !== 'or') return clip(c.message || (c.field ? `${c.field}` : c.kind));
  if (c.kind === 'and' || c.kind === 'or') {
    const n = (c.children || []).length;
    return `${c.kind === 'and' ? 'all of' : 'any of'} ${n} clause${n === 1 ? '' : 's'}`;
  }
  // A value inside `field:(a or b)` spans only itself: name its field too.
  if (c.field && text && !text.includes(c.field)) return clip(`${c.field}: ${text}`);
  return clip(text || c.kind);
}

function renderClause(c, source, hooks) {
  const li = el('li', `clause v-${c.verdict}`);
  const line = el('div', 'clause-line');
  line.tabIndex = 0;
  const icon = el('span', 'verdict', ICON[c.verdict] || '?');
  icon.setAttribute('aria-label', WORD[c.verdict] || c.verdict);
  icon.setAttribute('role', 'img');
  const kind = el('span', 'kind', c.kind);
  const text = el('code', 'src', clauseLabel(c, source));
  line.append(icon, kind, text);
  if (c.looked && c.looked.length) {
    const vals = el('span', 'looked');
    for (const l of c.looked.slice(0, 6)) {
      const v = el('span', l.matched ? 'val hit' : 'val miss', clip(valueText(l.value), 60));
      v.title = `${l.path}${l.pattern != null ? ` vs ${l.pattern}` : ''}: ${l.matched ? 'matched' : 'did not match'}`;
      vals.append(v);
    }
    if (c.looked.length > 6) vals.append(el('span', 'muted', ` +${c.looked.length - 6}`));
    line.append(vals);
  }
  const hasText = c.span.end > c.span.start;
  if (c.message && c.verdict !== 'true' && hasText) line.append(el('span', 'msg', c.message));
  const enter = () => hooks.onHover(hasText ? c.span : null);
  const leave = () => hooks.onHover(null);
  line.addEventListener('mouseenter', enter);
  line.addEventListener('mouseleave', leave);
  line.addEventListener('focus', enter);
  line.addEventListener('blur', leave);
  line.addEventListener('click', () => hasText && hooks.onPick(c.span));
  line.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && hasText) hooks.onPick(c.span);
  });
  li.append(line);
  if (c.children && c.children.length) {
    const ul = el('ul', 'clauses');
    for (const ch of c.children) ul.append(renderClause(ch, source, hooks));
    li.append(ul);
  }
  return li;
}

// path → 'hit' | 'miss' for every value a clause looked at.
function lookedPaths(clause, out = new Map()) {
  if (!clause) return out;
  for (const l of clause.looked || []) {
    if (l.matched) out.set(l.path, 'hit');
    else if (!out.has(l.path)) out.set(l.path, 'miss');
  }
  for (const c of clause.children || []) lookedPaths(c, out);
  return out;
}

const MAX_NODES = 3000;

function renderJson(value, marks) {
  const pre = el('pre', 'json');
  // Keys are marked too, so a matched array element also lights up its field name.
  const keyMarks = new Map();
  for (const [path, m] of marks) {
    const k = path.replace(/(\[\d+\])+$/, '');
    if (m === 'hit' || !keyMarks.has(k)) keyMarks.set(k, m);
  }
  let nodes = 0;
  const walk = (v, path, indent, parent) => {
    if (++nodes > MAX_NODES) return;
    if (Array.isArray(v)) {
      if (!v.length) return parent.append('[]');
      parent.append('[\n');
      v.forEach((x, i) => {
        parent.append(indent + '  ');
        walk(x, `${path}[${i}]`, indent + '  ', parent);
        parent.append(i < v.length - 1 ? ',\n' : '\n');
      });
      parent.append(indent + ']');
    } else if (v && typeof v === 'object') {
      const keys = Object.keys(v);
      if (!keys.length) return parent.append('{}');
      parent.append('{\n');
      keys.forEach((k, i) => {
        const p = path ? `${path}.${k}` : k;
        parent.append(indent + '  ');
        const key = el('span', 'j-key', JSON.stringify(k));
        const m = keyMarks.get(p);
        if (m) key.classList.add(`j-${m}`);
        parent.append(key, ': ');
        walk(v[k], p, indent + '  ', parent);
        parent.append(i < keys.length - 1 ? ',\n' : '\n');
      });
      parent.append(indent + '}');
    } else {
      const cls = v === null ? 'j-null' : typeof v === 'string' ? 'j-str' : typeof v === 'number' ? 'j-num' : 'j-bool';
      const span = el('span', cls, JSON.stringify(v));
      const m = marks.get(path);
      if (m) {
        span.classList.add(`j-${m}`);
        span.title = m === 'hit' ? `${path}: matched` : `${path}: looked at, did not match`;
      }
      parent.append(span);
    }
  };
  walk(value, '', '', pre);
  if (nodes > MAX_NODES) pre.append(el('span', 'muted', '\n… (truncated)'));
  return pre;
}

/**
 * Renders an explanation into `root`. `hooks.onHover(span|null)` highlights a span in the rule editor,
 * `hooks.onPick(span)` jumps there.
 */
export function renderExplanation(root, { index, status, reason, explanation, event, line, error, source, hooks }) {
  root.replaceChildren();
  const head = el('div', 'explain-head');
  const h = el('h3', null, `Why #${index}`);
  const badge = el('span', `badge b-${status}`, `${BADGE[status].icon} ${BADGE[status].text}`);
  head.append(h, badge);
  if (line != null && hooks.onLine) {
    const b = el('button', 'small line-btn', `line ${line}`);
    b.type = 'button';
    b.title = `Show event #${index} in the events editor`;
    b.addEventListener('click', () => hooks.onLine(line));
    head.append(b);
  }
  root.append(head);
  if (error) root.append(el('p', 'error', error));
  if (reason) root.append(el('p', 'reason', reason));
  const x = explanation;
  if (x && x.reason && x.reason !== reason) root.append(el('p', 'reason', x.reason));
  if (x && x.near_miss && x.near_miss.length && !x.matched) {
    const box = el('div', 'near-box');
    const n = x.near_miss.length;
    box.append(el('p', 'near-title', n === 1 ? 'Nearly matched — one clause stood in the way:' : `Did not match — ${n} clauses would have to change:`));
    const ul = el('ul');
    for (const m of x.near_miss) {
      const li = el('li');
      const b = el('button', 'linkish', m.message);
      b.type = 'button';
      b.addEventListener('mouseenter', () => hooks.onHover(m.span));
      b.addEventListener('mouseleave', () => hooks.onHover(null));
      b.addEventListener('focus', () => hooks.onHover(m.span));
      b.addEventListener('blur', () => hooks.onHover(null));
      b.addEventListener('click', () => hooks.onPick(m.span));
      li.append(b);
      ul.append(li);
    }
    box.append(ul);
    root.append(box);
  }
  for (const seq of (x && x.sequences) || []) {
    const list = Array.isArray(seq) ? seq : seq.events || [];
    root.append(el('p', 'reason', `Part of a sequence: ${list.map((i) => (i == null ? '(missing event)' : `#${i}`)).join(' → ')}`));
  }
  if (x && x.exceptions && x.exceptions.length) {
    root.append(el('h4', null, 'Exceptions'));
    const tree = el('ul', 'clauses tree');
    tree.setAttribute('aria-label', 'Exception items and their verdicts');
    for (const c of x.exceptions) tree.append(renderClause(c, '', hooks));
    root.append(tree);
  }
  if (x && x.root) {
    root.append(el('h4', null, 'Clauses'));
    // Plain nested lists: each clause line is focusable and highlights its span on focus.
    const tree = el('ul', 'clauses tree');
    tree.setAttribute('aria-label', 'Query clauses and their verdicts');
    tree.append(renderClause(x.root, source, hooks));
    root.append(tree);
  } else if (!error) {
    root.append(el('p', 'muted', 'No clause trace for this event.'));
  }
  if (event !== undefined) {
    root.append(el('h4', null, 'Event'));
    root.append(renderJson(event, lookedPaths(x && x.root)));
  }
}
