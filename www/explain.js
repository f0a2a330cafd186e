// The explanation panel: plain-words summary, the clause tree with verdicts, and the event's JSON with
// the values the query looked at marked. Everything is built with text nodes; rule and event text goes
// through text.js, which shows control characters (a right-to-left override, say) as escapes.
import { BADGE } from './results.js';
import { textEl, visibleText } from './text.js';

const ICON = { true: '✔', false: '✘', missing: '∅' };
const WORD = { true: 'true', false: 'false', missing: 'field missing' };
const EFFECT = { helps: 'works for the match', hurts: 'stands in the way of the match' };

// The mark shows what the clause did to the event's verdict (the core's `effect`), not its bare
// truth: a list that held under a `not` kept the event out, so it gets no green ✔. A missing field
// keeps its ∅ unless that helped (under a `not`).
function mark(c) {
  if (c.effect === 'helps') return c.verdict === 'missing' ? 'missing' : 'true';
  if (c.effect === 'hurts') return c.verdict === 'missing' ? 'missing' : 'false';
  return c.verdict;
}

// A value list (`field:(a or b or …)`), or a `not` over one, reads as one line: the core's words.
function isList(c) {
  return Boolean(c.list || (c.kind === 'not' && c.children && c.children.length === 1 && c.children[0].list));
}

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
  if (isList(c) && c.message) return clip(c.message, 160);
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

let clauseIds = 0;

// One clause as a treeitem: its line (verdict, kind, source text, values looked at) and its children
// as a group. The tree's keyboard handling is on the tree itself (see clauseTree).
function renderClause(c, source, hooks, level) {
  const li = el('li', `clause v-${mark(c)}`);
  li.setAttribute('role', 'treeitem');
  li.setAttribute('aria-level', String(level));
  li.tabIndex = -1;
  const line = el('div', 'clause-line');
  line.id = `clause-${++clauseIds}`;
  li.setAttribute('aria-labelledby', line.id);
  const hasKids = Boolean(c.children && c.children.length);
  const twisty = el('span', 'twisty');
  twisty.setAttribute('aria-hidden', 'true');
  const icon = el('span', 'verdict', ICON[mark(c)] || '?');
  icon.setAttribute('aria-label', `${WORD[c.verdict] || c.verdict}${c.effect ? `, ${EFFECT[c.effect]}` : ''}`);
  icon.setAttribute('role', 'img');
  const kind = el('span', 'kind', c.kind);
  const text = textEl('code', 'src', clauseLabel(c, source));
  // The clause's own text, the values and the message wrap in a column of their own, beside the icons.
  const body = el('span', 'clause-body');
  body.append(text);
  line.append(twisty, icon, kind, body);
  if (c.looked && c.looked.length) {
    const vals = el('span', 'looked');
    for (const l of c.looked.slice(0, 6)) {
      const v = textEl('span', l.matched ? 'val hit' : 'val miss', clip(valueText(l.value), 60));
      v.title = visibleText(`${l.path}${l.pattern != null ? ` vs ${l.pattern}` : ''}: ${l.matched ? 'matched' : 'did not match'}`);
      // For "Exclude this" from the clause (www/exclude.js): the value's place and text.
      v.dataset.path = l.path;
      if (l.value !== null && typeof l.value !== 'object') v.dataset.value = String(l.value);
      vals.append(v);
    }
    if (c.looked.length > 6) vals.append(el('span', 'muted', ` +${c.looked.length - 6}`));
    body.append(vals);
  }
  const hasText = c.span.end > c.span.start;
  if (c.message && c.verdict !== 'true' && hasText && !isList(c)) body.append(textEl('span', 'msg', c.message));
  line.addEventListener('mouseenter', () => hooks.onHover(hasText ? c.span : null));
  line.addEventListener('mouseleave', () => hooks.onHover(null));
  line.addEventListener('click', () => hasText && hooks.onPick(c.span));
  if (hasKids) {
    twisty.addEventListener('click', (e) => {
      e.stopPropagation();
      setExpanded(li, li.getAttribute('aria-expanded') !== 'true');
    });
  }
  spans.set(li, hasText ? c.span : null);
  // Where the clause is in the rule, for its coverage badge (www/coverage.js).
  if (hasText) li.dataset.span = `${c.span.start}:${c.span.end}`;
  li.append(line);
  if (hasKids) {
    // A list's values stay reachable, collapsed, the one that matched first.
    li.setAttribute('aria-expanded', String(!isList(c)));
    const ul = el('ul', 'clauses');
    ul.setAttribute('role', 'group');
    const kids = c.list ? [...c.children].sort((a, b) => Number(b.verdict === 'true') - Number(a.verdict === 'true')) : c.children;
    for (const ch of kids) ul.append(renderClause(ch, source, hooks, level + 1));
    li.append(ul);
  }
  return li;
}

// treeitem → the span it highlights in the rule (null for clauses outside the query text).
const spans = new WeakMap();

function setExpanded(item, open) {
  item.setAttribute('aria-expanded', String(open));
  // Focus inside a collapsed branch moves up to the branch.
  if (!open && item.contains(document.activeElement) && document.activeElement !== item) item.focus();
}

// The treeitems a user can reach: none inside a collapsed branch.
function visibleItems(tree) {
  return [...tree.querySelectorAll('[role=treeitem]')].filter((it) => !it.parentElement.closest('[role=treeitem][aria-expanded="false"]'));
}

// A tree is one Tab stop (roving tabindex): ↑/↓ move, ←/→ collapse, expand or go to the parent or the
// first child, Home/End go to the ends, Enter selects the clause's text in the rule editor.
function clauseTree(label, hooks) {
  const tree = el('ul', 'clauses tree');
  tree.setAttribute('role', 'tree');
  tree.setAttribute('aria-label', label);
  const move = (item) => {
    if (!item) return;
    for (const it of tree.querySelectorAll('[role=treeitem][tabindex="0"]')) it.tabIndex = -1;
    item.tabIndex = 0;
    item.focus();
  };
  tree.addEventListener('focusin', (e) => {
    const item = e.target.closest('[role=treeitem]');
    if (!item) return;
    for (const it of tree.querySelectorAll('[role=treeitem][tabindex="0"]')) if (it !== item) it.tabIndex = -1;
    item.tabIndex = 0;
    hooks.onHover(spans.get(item) || null);
  });
  tree.addEventListener('focusout', (e) => {
    if (!tree.contains(e.relatedTarget)) hooks.onHover(null);
  });
  tree.addEventListener('keydown', (e) => {
    if (e.altKey || e.ctrlKey || e.metaKey) return;
    const item = e.target.closest('[role=treeitem]');
    if (!item) return;
    const items = visibleItems(tree);
    const at = items.indexOf(item);
    const expanded = item.getAttribute('aria-expanded');
    switch (e.key) {
      case 'ArrowDown':
        move(items[at + 1]);
        break;
      case 'ArrowUp':
        move(items[at - 1]);
        break;
      case 'Home':
        move(items[0]);
        break;
      case 'End':
        move(items[items.length - 1]);
        break;
      case 'ArrowRight':
        if (expanded === 'false') setExpanded(item, true);
        else if (expanded === 'true') move(item.querySelector('[role=treeitem]'));
        break;
      case 'ArrowLeft':
        if (expanded === 'true') setExpanded(item, false);
        else move(item.parentElement.closest('[role=treeitem]'));
        break;
      case 'Enter': {
        // Handled here, not by default: focus moves to the editor during this keydown, and the Enter
        // would otherwise be typed there as a newline.
        const span = spans.get(item);
        if (span) hooks.onPick(span);
        break;
      }
      default:
        return;
    }
    e.preventDefault();
  });
  return tree;
}

function fillTree(tree, clauses, source, hooks) {
  for (const c of clauses) tree.append(renderClause(c, source, hooks, 1));
  const first = tree.querySelector('[role=treeitem]');
  if (first) first.tabIndex = 0;
  return tree;
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
        const key = textEl('span', 'j-key', JSON.stringify(k));
        const m = keyMarks.get(p);
        if (m) key.classList.add(`j-${m}`);
        parent.append(key, ': ');
        walk(v[k], p, indent + '  ', parent);
        parent.append(i < keys.length - 1 ? ',\n' : '\n');
      });
      parent.append(indent + '}');
    } else {
      const cls = v === null ? 'j-null' : typeof v === 'string' ? 'j-str' : typeof v === 'number' ? 'j-num' : 'j-bool';
      const span = textEl('span', cls, JSON.stringify(v));
      // The value's place in the event, for "Exclude this" (www/exclude.js).
      span.dataset.path = path;
      const m = marks.get(path);
      if (m) {
        span.classList.add(`j-${m}`);
        span.title = visibleText(m === 'hit' ? `${path}: matched` : `${path}: looked at, did not match`);
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
export function renderExplanation(root, { index, status, reason, explanation, event, line, origin = null, error, source, hooks }) {
  // Another event starts at the top; the same one (re-rendered after new results) keeps its place,
  // and its keyboard focus in a clause tree.
  const again = root.dataset.index === String(index);
  const focus = again ? focusPath(root) : null;
  root.dataset.index = String(index);
  root.replaceChildren();
  if (!again) root.scrollTop = 0;
  const head = el('div', 'explain-head');
  const h = el('h3', null, `Why #${index}`);
  const badge = el('span', `badge b-${status}`, `${BADGE[status].icon} ${BADGE[status].text}`);
  head.append(h, badge);
  if (line != null && hooks.onLine) {
    const b = el('button', 'small line-btn', origin ? `${origin} · line ${line}` : `line ${line}`);
    b.type = 'button';
    b.title = `Show event #${index} in the events editor`;
    b.addEventListener('click', () => hooks.onLine(line));
    head.append(b);
  }
  root.append(head);
  if (error) root.append(textEl('p', 'error', error));
  if (reason) root.append(textEl('p', 'reason', reason));
  const x = explanation;
  if (x && x.reason && x.reason !== reason) root.append(textEl('p', 'reason', x.reason));
  if (x && x.near_miss && x.near_miss.length && !x.matched) {
    // The core's headline names what decided the verdict; with one deciding clause it is the link
    // to that clause, with more the clauses follow as a list.
    const box = el('div', `near-box${x.near ? ' is-near' : ''}`);
    const n = x.near_miss.length;
    const title = el('p', 'near-title');
    const link = (m, text) => {
      const b = textEl('button', 'linkish', text);
      b.type = 'button';
      b.addEventListener('mouseenter', () => hooks.onHover(m.span));
      b.addEventListener('mouseleave', () => hooks.onHover(null));
      b.addEventListener('focus', () => hooks.onHover(m.span));
      b.addEventListener('blur', () => hooks.onHover(null));
      b.addEventListener('click', () => hooks.onPick(m.span));
      return b;
    };
    const headline = x.headline || `Did not match: ${n} clause${n === 1 ? '' : 's'} would have to change`;
    if (n === 1) title.append(link(x.near_miss[0], headline));
    else title.append(textEl('span', null, headline));
    box.append(title);
    if (n > 1) {
      const ul = el('ul');
      for (const m of x.near_miss) {
        const li = el('li');
        li.append(link(m, m.message));
        ul.append(li);
      }
      box.append(ul);
    }
    root.append(box);
  }
  for (const seq of (x && x.sequences) || []) {
    const list = Array.isArray(seq) ? seq : seq.events || [];
    root.append(el('p', 'reason', `Part of a sequence: ${list.map((i) => (i == null ? '(missing event)' : `#${i}`)).join(' → ')}`));
  }
  if (x && x.exceptions && x.exceptions.length) {
    root.append(el('h4', null, 'Exceptions'));
    root.append(fillTree(clauseTree('Exception items and their verdicts', hooks), x.exceptions, '', hooks));
  }
  if (x && x.root) {
    root.append(el('h4', null, 'Clauses'));
    root.append(fillTree(clauseTree('Query clauses and their verdicts', hooks), [x.root], source, hooks));
  } else if (!error) {
    root.append(el('p', 'muted', 'No clause trace for this event.'));
  }
  if (event !== undefined) {
    root.append(el('h4', null, 'Event'));
    root.append(renderJson(event, lookedPaths(x && x.root)));
  }
  if (focus) restoreFocus(root, focus);
}

// Where keyboard focus is in the panel's clause trees: [tree number, item number], or null.
/** @param {HTMLElement} root @returns {[number, number] | null} */
function focusPath(root) {
  const item = document.activeElement;
  if (!item || !root.contains(item) || item.getAttribute('role') !== 'treeitem') return null;
  const trees = [...root.querySelectorAll('[role=tree]')];
  const tree = item.closest('[role=tree]');
  return [trees.indexOf(tree), [...tree.querySelectorAll('[role=treeitem]')].indexOf(item)];
}

/** @param {HTMLElement} root @param {[number, number]} at */
function restoreFocus(root, [t, i]) {
  const tree = root.querySelectorAll('[role=tree]')[t];
  const item = tree && tree.querySelectorAll('[role=treeitem]')[i];
  if (!(item instanceof HTMLElement)) return;
  for (const it of tree.querySelectorAll('[role=treeitem][tabindex="0"]')) if (it instanceof HTMLElement) it.tabIndex = -1;
  item.tabIndex = 0;
  item.focus({ preventScroll: true });
}
