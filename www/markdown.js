// Markdown for rule descriptions and investigation guides, in two steps: `parseMarkdown` turns the
// source into a plain tree (no DOM, so node's test runner checks it), `toDom` builds elements from the
// tree with createElement and text nodes only, so rule text can never become markup.
//
// Covered: paragraphs, ATX and setext headings, fenced code, block quotes, nested lists, GitHub tables,
// thematic breaks; inline code, **strong**, *em* / _em_, [text](url), <url> and bare http(s) URLs.
// Links are kept only for http(s) URLs; anything else (javascript:, data:, …) stays text.
//
// Hostile input must finish fast: every search that fails is remembered so it never runs twice, link
// destinations are parsed once per bracket, and nesting is capped (deeper structure stays plain text).
import { appendText } from './text.js';

const MAX_BLOCK_DEPTH = 16;
const MAX_INLINE_DEPTH = 8;

// ---------------------------------------------------------------------------------------------
// inline

const PUNCT = /[!-/:-@[-`{-~]/;
const ALNUM = /[\p{L}\p{N}]/u;
const SPACE = /\s/;
// A link destination after "](": <…>, or text with balanced (one level of) parentheses; an optional title.
const DEST = /(<[^<>\n]*>|[^\s()<>]*(?:\([^\s()<>]*\)[^\s()<>]*)*)(?:[ \t]+(?:"[^"\n]*"|'[^'\n]*'))?[ \t]*\)/y;
const URL_START = /https?:\/\//iy;
const URL_BODY = /[^\s<>"'`]*/y;
const AUTOLINK = /<(https?:\/\/[^\s<>]*)>/iy;

/** True for the only hrefs the page links to. */
export function safeHref(href) {
  return /^https?:\/\/[^\s\u0000-\u001f\u007f-\u009f]+$/i.test(String(href));
}

// Trailing punctuation is prose, not URL (as GitHub's autolinks): "see https://x.org/a." ends at "a",
// and "(https://x.org/a)" or "[https://x.org/a]" at "a" too, while "https://x.org/A_(b)" keeps its
// balanced parenthesis.
function trimUrl(url) {
  const count = (ch) => url.split(ch).length - 1;
  const open = { ')': count('('), ']': count('[') };
  const close = { ')': count(')'), ']': count(']') };
  let end = url.length;
  for (;;) {
    const last = url[end - 1];
    if ('?!.,:;*_~'.includes(last)) end--;
    else if ((last === ')' || last === ']') && open[last] < close[last]) {
      end--;
      close[last]--;
    } else return url.slice(0, end);
  }
}

function isDelimiterRun(text, j, ch) {
  return text[j - 1] === ch || text[j + 1] === ch;
}

/** Inline Markdown → [{type: 'text'|'code'|'strong'|'em'|'link', …}]. */
export function parseInline(text, depth = 0, inLink = false) {
  text = String(text ?? '');
  if (depth > MAX_INLINE_DEPTH) return text ? [{ type: 'text', text: text.replace(/\n/g, ' ') }] : [];
  const out = [];
  let buf = '';
  const push = (node) => {
    if (buf) out.push({ type: 'text', text: buf });
    buf = '';
    out.push(node);
  };
  const n = text.length;
  // Searches that failed once fail for every later start too: remember them.
  const noCloser = new Set();
  const ticks = backtickRuns(text);
  let closeBracket = -2;
  const dests = new Map();
  let i = 0;
  while (i < n) {
    const c = text[i];
    if (c === '\\' && i + 1 < n && PUNCT.test(text[i + 1])) {
      buf += text[i + 1];
      i += 2;
      continue;
    }
    if (c === '\n') {
      buf += ' ';
      i++;
      continue;
    }
    if (c === '`') {
      let k = 1;
      while (text[i + k] === '`') k++;
      const close = ticks.next(k, i + k);
      if (close < 0) {
        buf += '`'.repeat(k);
        i += k;
        continue;
      }
      let code = text.slice(i + k, close).replace(/\n/g, ' ');
      if (code.length > 2 && code[0] === ' ' && code[code.length - 1] === ' ' && code.trim()) code = code.slice(1, -1);
      push({ type: 'code', text: code });
      i = close + k;
      continue;
    }
    if (c === '*' || c === '_') {
      const strong = text[i + 1] === c;
      const delim = strong ? c + c : c;
      const after = text[i + delim.length];
      const opens = after !== undefined && !SPACE.test(after) && !(c === '_' && i > 0 && ALNUM.test(text[i - 1]));
      if (opens && !noCloser.has(delim)) {
        const close = findCloser(text, i + delim.length + 1, delim);
        if (close < 0) noCloser.add(delim);
        else {
          push({ type: strong ? 'strong' : 'em', children: parseInline(text.slice(i + delim.length, close), depth + 1, inLink) });
          i = close + delim.length;
          continue;
        }
      }
      // A run that opens nothing is text, all of it (so "***" is not tried three times).
      let k = 1;
      while (text[i + k] === c) k++;
      buf += c.repeat(k);
      i += k;
      continue;
    }
    if (c === '[' && !inLink) {
      if (closeBracket !== -1 && closeBracket <= i) closeBracket = text.indexOf(']', i + 1);
      const j = closeBracket;
      if (j > i + 1 && text[j + 1] === '(') {
        let d = dests.get(j);
        if (d === undefined) {
          // Spaces skipped here, not in the regex, where they would backtrack quadratically.
          let k = j + 2;
          while (text[k] === ' ' || text[k] === '\t') k++;
          DEST.lastIndex = k;
          const m = DEST.exec(text);
          d = m ? { href: m[1].replace(/^<|>$/g, ''), end: DEST.lastIndex } : null;
          dests.set(j, d);
        }
        if (d) {
          const children = parseInline(text.slice(i + 1, j), depth + 1, true);
          if (safeHref(d.href)) push({ type: 'link', href: d.href, children });
          else {
            // Not a link we follow: its text stays, as text.
            if (buf) out.push({ type: 'text', text: buf });
            buf = '';
            for (const ch of children) out.push(ch);
          }
          i = d.end;
          continue;
        }
      }
      buf += c;
      i++;
      continue;
    }
    if (c === '<' && !inLink) {
      AUTOLINK.lastIndex = i;
      const m = AUTOLINK.exec(text);
      if (m && safeHref(m[1])) {
        push({ type: 'link', href: m[1], children: [{ type: 'text', text: m[1] }] });
        i = AUTOLINK.lastIndex;
        continue;
      }
    }
    if ((c === 'h' || c === 'H') && !inLink && (i === 0 || !ALNUM.test(text[i - 1]))) {
      URL_START.lastIndex = i;
      if (URL_START.test(text)) {
        URL_BODY.lastIndex = URL_START.lastIndex;
        URL_BODY.exec(text);
        const url = trimUrl(text.slice(i, URL_BODY.lastIndex));
        if (safeHref(url) && url.length > URL_START.lastIndex - i) {
          push({ type: 'link', href: url, children: [{ type: 'text', text: url }] });
          i += url.length;
          continue;
        }
      }
    }
    buf += c;
    i++;
  }
  if (buf) out.push({ type: 'text', text: buf });
  return out;
}

// The closing delimiter: after non-space; for "_", not inside a word; a single "*" or "_" is not part
// of a double one.
function findCloser(text, from, delim) {
  const ch = delim[0];
  for (let j = text.indexOf(delim, from); j >= 0; j = text.indexOf(delim, j + 1)) {
    if (SPACE.test(text[j - 1])) continue;
    if (ch === '_' && j + delim.length < text.length && ALNUM.test(text[j + delim.length])) continue;
    if (delim.length === 1 && isDelimiterRun(text, j, ch)) continue;
    return j;
  }
  return -1;
}

// Code spans close at the next run of exactly as many backticks: the runs of each length, with a
// cursor that only moves forward, find it in linear time overall.
function backtickRuns(text) {
  let byLen = null;
  const cursor = new Map();
  return {
    next(len, from) {
      if (!byLen) {
        byLen = new Map();
        for (let i = text.indexOf('`'); i >= 0; i = text.indexOf('`', i)) {
          let k = 1;
          while (text[i + k] === '`') k++;
          if (!byLen.has(k)) byLen.set(k, []);
          byLen.get(k).push(i);
          i += k;
        }
      }
      const runs = byLen.get(len) || [];
      let p = cursor.get(len) || 0;
      while (p < runs.length && runs[p] < from) p++;
      cursor.set(len, p);
      return p < runs.length ? runs[p] : -1;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// blocks

const FENCE = /^ {0,3}(`{3,}|~{3,})(.*)$/;
const ATX = /^ {0,3}(#{1,6})(?:[ \t]|$)/;
const HR = /^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$/;
const SETEXT = /^ {0,3}(=+|-+)[ \t]*$/;
const QUOTE = /^ {0,3}> ?/;
const ITEM = /^( *)([-*+]|\d{1,9}[.)])(?:([ \t]+)(.*))?$/;

const blank = (l) => !l.trim();
const indentOf = (l) => l.length - l.trimStart().length;

// Leading tabs count as four columns.
function expandTabs(line) {
  return line.replace(/^[ \t]+/, (ws) => ws.replace(/\t/g, '    '));
}

function splitRow(line) {
  let s = line.trim();
  if (s.startsWith('|')) s = s.slice(1);
  if (s.endsWith('|') && !s.endsWith('\\|')) s = s.slice(0, -1);
  const cells = [];
  let cur = '';
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '\\' && s[i + 1] === '|') {
      cur += '|';
      i++;
    } else if (s[i] === '|') {
      cells.push(cur.trim());
      cur = '';
    } else cur += s[i];
  }
  cells.push(cur.trim());
  return cells;
}

function tableAt(lines, i) {
  const head = lines[i];
  const delim = lines[i + 1];
  if (delim === undefined || !head.includes('|') || !/^[\s|:-]+$/.test(delim) || !delim.includes('-')) return null;
  const spec = splitRow(delim);
  if (!spec.every((c) => /^:?-+:?$/.test(c))) return null;
  if (!delim.includes('|') && spec.length < 2) return null;
  const cells = splitRow(head);
  if (cells.length !== spec.length) return null;
  const align = spec.map((c) => (c.startsWith(':') && c.endsWith(':') ? 'center' : c.endsWith(':') ? 'right' : c.startsWith(':') ? 'left' : null));
  return { cells, align };
}

// Lines that end a paragraph (or a table, or a lazy continuation) by starting a block of their own.
function startsBlock(line) {
  return FENCE.test(line) || ATX.test(line) || HR.test(line) || QUOTE.test(line) || (ITEM.test(line) && indentOf(line) < 4);
}

// "## Title ##" → "Title" (by hand: a regex for the closing hashes backtracks on long runs of spaces).
function headingText(s) {
  s = s.trim();
  let k = s.length;
  while (k > 0 && s[k - 1] === '#') k--;
  if (k < s.length && (k === 0 || s[k - 1] === ' ' || s[k - 1] === '\t')) s = s.slice(0, k).trimEnd();
  return s;
}

/** Markdown source → an array of block nodes (see the file comment). */
export function parseMarkdown(src) {
  const lines = String(src ?? '').replace(/\r\n?/g, '\n').split('\n').map(expandTabs);
  return parseBlocks(lines, 0);
}

function parseBlocks(lines, depth) {
  if (depth >= MAX_BLOCK_DEPTH) {
    const text = lines.map((l) => l.trim()).filter(Boolean).join('\n');
    return text ? [{ type: 'paragraph', children: parseInline(text) }] : [];
  }
  const out = [];
  let para = null;
  const endPara = () => {
    if (para) out.push({ type: 'paragraph', children: parseInline(para.join('\n')) });
    para = null;
  };
  let i = 0;
  while (i < lines.length) {
    const line = lines[i];
    if (blank(line)) {
      endPara();
      i++;
      continue;
    }
    const fence = FENCE.exec(line);
    if (fence && !(fence[1][0] === '`' && fence[2].includes('`'))) {
      endPara();
      const indent = indentOf(line);
      const close = new RegExp(`^ {0,3}${fence[1][0] === '`' ? '`' : '~'}{${fence[1].length},}[ \\t]*$`);
      const body = [];
      for (i++; i < lines.length && !close.test(lines[i]); i++) {
        body.push(lines[i].slice(Math.min(indent, indentOf(lines[i]))));
      }
      i++;
      out.push({ type: 'codeblock', lang: fence[2].trim().split(/\s+/)[0] || '', text: body.join('\n') });
      continue;
    }
    if (para) {
      const setext = SETEXT.exec(line);
      if (setext) {
        out.push({ type: 'heading', level: setext[1][0] === '=' ? 1 : 2, children: parseInline(para.join('\n')) });
        para = null;
        i++;
        continue;
      }
    }
    const h = ATX.exec(line);
    if (h) {
      endPara();
      out.push({ type: 'heading', level: h[1].length, children: parseInline(headingText(line.slice(h[0].length))) });
      i++;
      continue;
    }
    if (HR.test(line)) {
      endPara();
      out.push({ type: 'hr' });
      i++;
      continue;
    }
    if (QUOTE.test(line)) {
      endPara();
      const body = [];
      while (i < lines.length && !blank(lines[i])) {
        if (QUOTE.test(lines[i])) body.push(lines[i].replace(QUOTE, ''));
        else if (!startsBlock(lines[i]) && body.length && !blank(body[body.length - 1])) body.push(lines[i]);
        else break;
        i++;
      }
      out.push({ type: 'quote', children: parseBlocks(body, depth + 1) });
      continue;
    }
    const item = ITEM.exec(line);
    // A marker indented 4+ inside a paragraph continues it (as on GitHub).
    if (item && !(para && indentOf(line) >= 4)) {
      endPara();
      const list = parseList(lines, i, depth);
      out.push(list.node);
      i = list.next;
      continue;
    }
    const table = tableAt(lines, i);
    if (table) {
      endPara();
      const rows = [];
      for (i += 2; i < lines.length && !blank(lines[i]) && !startsBlock(lines[i]); i++) {
        const cells = splitRow(lines[i]);
        rows.push(table.cells.map((_, k) => parseInline(cells[k] || '', 0)));
      }
      out.push({ type: 'table', align: table.align, head: table.cells.map((c) => parseInline(c)), rows });
      continue;
    }
    if (!para) para = [];
    para.push(line.trim());
    i++;
  }
  endPara();
  return out;
}

// One list starting at lines[i]: its items' lines (the content column stripped) are parsed as blocks.
function parseList(lines, i, depth) {
  const first = ITEM.exec(lines[i]);
  const ordered = /\d/.test(first[2]);
  const list = { type: 'list', ordered, start: ordered ? parseInt(first[2], 10) : 1, tight: true, items: [] };
  let gap = false;
  while (i < lines.length) {
    const m = ITEM.exec(lines[i]);
    // Lines indented to an item's content were taken by that item: this one is a sibling, or not ours.
    if (!m || /\d/.test(m[2]) !== ordered) break;
    if (gap) list.tight = false;
    const space = m[3] ? m[3].length : 1;
    const col = m[1].length + m[2].length + (space > 4 ? 1 : space);
    const body = [m[4] == null ? '' : space > 4 ? ' '.repeat(space - 1) + m[4] : m[4]];
    let j = i + 1;
    for (; j < lines.length; j++) {
      const l = lines[j];
      if (blank(l)) {
        body.push('');
        continue;
      }
      if (indentOf(l) >= col) {
        body.push(l.slice(col));
        continue;
      }
      // Less indented: a lazy continuation of a paragraph, or the end of the item.
      if (blank(body[body.length - 1]) || startsBlock(l) || tableAt(lines, j)) break;
      body.push(l.trim());
    }
    let trailing = 0;
    while (body.length && blank(body[body.length - 1])) {
      body.pop();
      trailing++;
    }
    if (body.some(blank)) list.tight = false;
    list.items.push({ children: parseBlocks(body, depth + 1) });
    gap = trailing > 0;
    i = j;
  }
  return { node: list, next: i };
}

// ---------------------------------------------------------------------------------------------
// DOM

function el(tag, cls) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  return e;
}

function inlineDom(parent, nodes) {
  for (const n of nodes) {
    if (n.type === 'text') appendText(parent, n.text);
    else if (n.type === 'code') parent.append(appendText(el('code'), n.text));
    else if (n.type === 'strong' || n.type === 'em') parent.append(inlineDom(el(n.type), n.children));
    else if (n.type === 'link') {
      if (!safeHref(n.href)) {
        inlineDom(parent, n.children);
        continue;
      }
      const a = el('a');
      a.href = n.href;
      a.rel = 'noopener noreferrer';
      a.target = '_blank';
      parent.append(inlineDom(a, n.children));
    }
  }
  return parent;
}

function blocksDom(parent, blocks, tight = false) {
  for (const b of blocks) {
    if (b.type === 'paragraph') {
      if (tight) inlineDom(parent, b.children);
      else parent.append(inlineDom(el('p'), b.children));
    } else if (b.type === 'heading') {
      // Guides start at ##; keep their headings below the panel's own h2/h3.
      parent.append(inlineDom(el(`h${Math.min(6, b.level + 2)}`), b.children));
    } else if (b.type === 'codeblock') {
      const pre = el('pre');
      pre.append(appendText(el('code'), b.text, '\n\t'));
      parent.append(pre);
    } else if (b.type === 'quote') {
      parent.append(blocksDom(el('blockquote'), b.children));
    } else if (b.type === 'hr') {
      parent.append(el('hr'));
    } else if (b.type === 'list') {
      const list = el(b.ordered ? 'ol' : 'ul');
      if (b.ordered && b.start !== 1) list.start = b.start;
      for (const item of b.items) list.append(blocksDom(el('li'), item.children, b.tight));
      parent.append(list);
    } else if (b.type === 'table') {
      const wrap = el('div', 'table-wrap');
      const table = el('table');
      const cell = (tag, content, k) => {
        const c = el(tag, b.align[k] ? `align-${b.align[k]}` : null);
        return inlineDom(c, content);
      };
      const thead = el('thead');
      const hr = el('tr');
      b.head.forEach((c, k) => hr.append(cell('th', c, k)));
      thead.append(hr);
      const tbody = el('tbody');
      for (const row of b.rows) {
        const tr = el('tr');
        row.forEach((c, k) => tr.append(cell('td', c, k)));
        tbody.append(tr);
      }
      table.append(thead, tbody);
      wrap.append(table);
      parent.append(wrap);
    }
  }
  return parent;
}

/** A parsed tree → a DocumentFragment. */
export function toDom(blocks) {
  return blocksDom(document.createDocumentFragment(), blocks);
}

/** Renders Markdown source into a DocumentFragment. */
export function renderMarkdown(src) {
  return toDom(parseMarkdown(src));
}
