// A tiny Markdown → DOM renderer for investigation guides. It builds elements and sets textContent
// only, so rule text can never become markup; links are kept only for http(s) URLs.

function el(tag, text) {
  const e = document.createElement(tag);
  if (text != null) e.textContent = text;
  return e;
}

// Inline: `code`, **strong**, *em* / _em_, [text](url), bare https:// URLs.
const INLINE = /(`+)([^`]+?)\1|\*\*([^*]+?)\*\*|__([^_]+?)__|\*([^*\s][^*]*?)\*|\[([^\]]+)\]\(([^)\s]+)\)|(https?:\/\/[^\s)<>]+)/g;

export function inline(parent, text) {
  let last = 0;
  // A fresh regex per call: the recursion for nested emphasis must not share lastIndex.
  const re = new RegExp(INLINE.source, 'g');
  for (let m; (m = re.exec(text)); ) {
    if (m.index > last) parent.append(text.slice(last, m.index));
    if (m[2] != null) parent.append(el('code', m[2]));
    else if (m[3] != null || m[4] != null) {
      const s = el('strong');
      inline(s, m[3] ?? m[4]);
      parent.append(s);
    } else if (m[5] != null) {
      const s = el('em');
      inline(s, m[5]);
      parent.append(s);
    } else if (m[6] != null) parent.append(link(m[6], m[7]));
    else if (m[8] != null) parent.append(link(m[8], m[8]));
    last = re.lastIndex;
  }
  if (last < text.length) parent.append(text.slice(last));
}

function link(text, href) {
  if (!/^https?:\/\//i.test(href)) return document.createTextNode(text);
  const a = el('a');
  inline(a, text);
  a.href = href;
  a.rel = 'noopener noreferrer';
  a.target = '_blank';
  return a;
}

/** Renders Markdown source into a DocumentFragment. */
export function renderMarkdown(src) {
  const root = document.createDocumentFragment();
  const lines = String(src || '').replace(/\r\n?/g, '\n').split('\n');
  let para = null;
  let list = null;
  let quote = null;
  const flush = () => {
    para = null;
    list = null;
    quote = null;
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const fence = /^\s*(```|~~~)/.exec(line);
    if (fence) {
      flush();
      const pre = el('pre');
      const code = el('code');
      const body = [];
      for (i++; i < lines.length && !lines[i].trim().startsWith(fence[1]); i++) body.push(lines[i]);
      code.textContent = body.join('\n');
      pre.append(code);
      root.append(pre);
      continue;
    }
    if (!line.trim()) {
      flush();
      continue;
    }
    const h = /^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$/.exec(line);
    if (h) {
      flush();
      // Guides start at ##; keep headings below the panel's own h2.
      const level = Math.min(6, h[1].length + 2);
      const e = el('h' + level);
      inline(e, h[2]);
      root.append(e);
      continue;
    }
    const q = /^\s*>\s?(.*)$/.exec(line);
    if (q) {
      if (!quote) {
        flush();
        quote = el('blockquote');
        root.append(quote);
      }
      const p = el('p');
      inline(p, q[1]);
      quote.append(p);
      continue;
    }
    const li = /^(\s*)([-*+]|\d+[.)])\s+(.*)$/.exec(line);
    if (li) {
      const ordered = /\d/.test(li[2]);
      const nested = li[1].length >= 2 && list;
      if (!list || (list.tagName === 'OL') !== ordered) {
        if (!nested) {
          para = null;
          quote = null;
          list = el(ordered ? 'ol' : 'ul');
          root.append(list);
        }
      }
      const item = el('li');
      inline(item, li[3]);
      list.append(item);
      continue;
    }
    if (list && /^\s{2,}\S/.test(line)) {
      const lastItem = list.lastElementChild;
      lastItem.append(' ');
      inline(lastItem, line.trim());
      continue;
    }
    if (para) {
      para.append(' ');
      inline(para, line.trim());
    } else {
      list = null;
      quote = null;
      para = el('p');
      inline(para, line.trim());
      root.append(para);
    }
  }
  return root;
}
