// www/markdown.js's parser, checked on its plain tree (no DOM): `node --test tests/unit/`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseMarkdown, parseInline, safeHref } from '../../www/markdown.js';

// The text of a tree, links as [text](href), to compare shapes briefly.
function flat(nodes) {
  return nodes
    .map((n) => {
      if (n.type === 'text') return n.text;
      if (n.type === 'code') return `\`${n.text}\``;
      if (n.type === 'strong') return `**${flat(n.children)}**`;
      if (n.type === 'em') return `*${flat(n.children)}*`;
      if (n.type === 'link') return `[${flat(n.children)}](${n.href})`;
      throw new Error(`unexpected inline node ${n.type}`);
    })
    .join('');
}

const links = (nodes, out = []) => {
  for (const n of nodes) {
    if (n.type === 'link') out.push(n);
    if (n.children) links(n.children, out);
    if (n.items) for (const it of n.items) links(it.children, out);
    if (n.head) for (const c of [...n.head, ...n.rows.flat()]) links(c, out);
  }
  return out;
};

test('bare URLs become links, trailing punctuation stays prose', () => {
  const t = parseInline('See https://attack.mitre.org/techniques/T1059/. Then (https://example.com/a_(b)) and https://x.org/q?a=1, end');
  assert.equal(flat(t), 'See [https://attack.mitre.org/techniques/T1059/](https://attack.mitre.org/techniques/T1059/). Then ([https://example.com/a_(b)](https://example.com/a_(b))) and [https://x.org/q?a=1](https://x.org/q?a=1), end');
  assert.equal(flat(parseInline('<https://e.com/x>')), '[https://e.com/x](https://e.com/x)');
  assert.equal(flat(parseInline('[https://e.com/x] and "https://e.com/y"')), '[[https://e.com/x](https://e.com/x)] and "[https://e.com/y](https://e.com/y)"');
  // Not inside a word, and not without a host.
  assert.equal(flat(parseInline('xhttps://e.com http:// plain')), 'xhttps://e.com http:// plain');
});

test('a link whose text is a URL is one link, not a link in a link', () => {
  const t = parseInline('[https://example.com/a](https://example.com/a) after');
  assert.deepEqual(t, [
    { type: 'link', href: 'https://example.com/a', children: [{ type: 'text', text: 'https://example.com/a' }] },
    { type: 'text', text: ' after' },
  ]);
  assert.equal(flat(parseInline('[**see** https://a.org](https://b.org "title")')), '[**see** https://a.org](https://b.org)');
});

test('a description with URLs keeps everything after them', () => {
  const blocks = parseMarkdown('See https://a.org/x and [https://b.org](https://b.org). AFTER\n\n## Next\nmore https://c.org');
  assert.equal(blocks.length, 3);
  assert.match(flat(blocks[0].children), /AFTER$/);
  assert.equal(links(blocks).length, 3);
});

test('emphasis, code and escapes', () => {
  assert.equal(flat(parseInline('**bold** and *em* and _em_ and `a_b*c` and \\*not\\*')), '**bold** and *em* and *em* and `a_b*c` and *not*');
  // Underscores inside words are not emphasis (field names).
  assert.equal(flat(parseInline('process.parent_name and user_name_x')), 'process.parent_name and user_name_x');
  assert.equal(flat(parseInline('**`cmd.exe` /c**')), '**`cmd.exe` /c**');
  assert.equal(flat(parseInline('``a ` b``')), '`a ` b`');
  assert.equal(flat(parseInline('2 * 3 * 4 and a ** b')), '2 * 3 * 4 and a ** b');
});

test('nested lists keep their nesting', () => {
  const blocks = parseMarkdown('- one\n  - two\n    - three\n  - two b\n- four\n\n1. first\n    - sub\n2. second');
  assert.equal(blocks.length, 2);
  const [ul, ol] = blocks;
  assert.equal(ul.type, 'list');
  assert.equal(ul.ordered, false);
  assert.equal(ul.items.length, 2);
  const inner = ul.items[0].children[1];
  assert.equal(inner.type, 'list');
  assert.deepEqual(inner.items.map((it) => flat(it.children[0].children)), ['two', 'two b']);
  assert.equal(flat(inner.items[0].children[1].items[0].children[0].children), 'three');
  assert.equal(flat(ul.items[1].children[0].children), 'four');
  assert.equal(ol.ordered, true);
  assert.equal(ol.items.length, 2);
  assert.equal(ol.items[0].children[1].type, 'list');
  assert.equal(flat(ol.items[0].children[1].items[0].children[0].children), 'sub');
});

test('list items continue lazily, and a loose list is marked', () => {
  const [list] = parseMarkdown('- a long item\nthat wraps\n\n- b');
  assert.equal(flat(list.items[0].children[0].children), 'a long item that wraps');
  assert.equal(list.tight, false);
  const [tight] = parseMarkdown('* x\n* y');
  assert.equal(tight.tight, true);
  // A list right after a paragraph line, as Elastic guides write them.
  const blocks = parseMarkdown('Possible steps:\n- isolate\n- reset');
  assert.deepEqual(blocks.map((b) => b.type), ['paragraph', 'list']);
});

test('fenced code inside a list item and block quotes', () => {
  const [list] = parseMarkdown('- run:\n  ```sql\n  SELECT *\n    FROM x\n  ```\n- done');
  assert.deepEqual(list.items[0].children.map((b) => b.type), ['paragraph', 'codeblock']);
  assert.equal(list.items[0].children[1].text, 'SELECT *\n  FROM x');
  const [quote] = parseMarkdown('> a\n> > b\nlazy');
  assert.equal(quote.type, 'quote');
  assert.equal(quote.children[1].type, 'quote');
});

test('tables: header, alignment, cells with inline Markdown and escaped pipes', () => {
  const [table] = parseMarkdown('| Field | Meaning | n |\n|:------|:------:|--:|\n| `process.name` | the **image** | 1 |\n| a \\| b | short\n');
  assert.equal(table.type, 'table');
  assert.deepEqual(table.align, ['left', 'center', 'right']);
  assert.deepEqual(table.head.map(flat), ['Field', 'Meaning', 'n']);
  assert.deepEqual(table.rows.map((r) => r.map(flat)), [
    ['`process.name`', 'the **image**', '1'],
    ['a | b', 'short', ''],
  ]);
  // Without a delimiter row it is a paragraph.
  assert.equal(parseMarkdown('a | b\nc | d')[0].type, 'paragraph');
  // A delimiter row with another cell count is not a table either.
  assert.equal(parseMarkdown('| a | b |\n|---|\n| c | d |')[0].type, 'paragraph');
});

test('headings and rules', () => {
  assert.deepEqual(parseMarkdown('## Triage ##\ntext\n\nTitle\n===\n\n---').map((b) => [b.type, b.level, b.children && flat(b.children)]), [
    ['heading', 2, 'Triage'],
    ['paragraph', undefined, 'text'],
    ['heading', 1, 'Title'],
    ['hr', undefined, undefined],
  ]);
  assert.equal(parseMarkdown('#hashtag')[0].type, 'paragraph');
});

test('HTML and script tags stay text', () => {
  const blocks = parseMarkdown('<script>alert(1)</script>\n<img src=x onerror="x()">');
  assert.equal(blocks.length, 1);
  assert.equal(flat(blocks[0].children), '<script>alert(1)</script> <img src=x onerror="x()">');
});

test('only http(s) URLs become links', () => {
  for (const href of ['javascript:alert(1)', 'JaVaScRiPt:alert(1)', 'data:text/html,x', 'vbscript:x', '//evil.org', 'file:///etc/passwd']) {
    const t = parseInline(`[click](${href})`);
    assert.equal(links(t).length, 0, href);
    assert.equal(flat(t), 'click', href);
    assert.equal(safeHref(href), false, href);
  }
  assert.equal(links(parseInline('<javascript:alert(1)>')).length, 0);
  assert.equal(safeHref('https://a.org/x'), true);
  assert.equal(safeHref('https://a.org/\u0000x'), false);
});

// Hostile input finishes fast: each case is ~1 MB or deeply nested.
const HOSTILE = {
  stars: '*a '.repeat(200_000),
  underscores: '_a '.repeat(200_000),
  doubleStars: '**a '.repeat(200_000),
  brackets: '['.repeat(300_000) + '](' + 'x'.repeat(300_000),
  bracketsSpaces: '[a](' + ' '.repeat(500_000) + 'x',
  backticks: Array.from({ length: 1000 }, (_, k) => '`'.repeat(k + 1)).join(' a '),
  urls: 'https://a.org/'.repeat(50_000),
  urlParens: 'https://a.org/' + ')'.repeat(500_000),
  headingSpaces: '# a' + ' '.repeat(500_000) + 'b',
  nestedList: Array.from({ length: 1000 }, (_, k) => ' '.repeat(2 * k) + '- item').join('\n'),
  nestedQuote: '>'.repeat(100_000) + ' deep',
  nestedEmphasis: '*_'.repeat(50_000) + 'x' + '_*'.repeat(50_000),
  tableRows: '| a | b |\n|---|---|\n' + '| x | y |\n'.repeat(50_000),
  pipes: '|'.repeat(500_000) + '\n' + '|-'.repeat(250_000),
  fences: '```\n'.repeat(100_000),
  angle: '<https://a.org/'.repeat(50_000),
};

for (const [name, src] of Object.entries(HOSTILE)) {
  test(`hostile input finishes fast: ${name}`, () => {
    const t0 = performance.now();
    const tree = parseMarkdown(src);
    const ms = performance.now() - t0;
    assert.ok(Array.isArray(tree));
    assert.ok(ms < 3000, `${name}: ${ms.toFixed(0)} ms`);
  });
}

test('deep nesting is capped, its text kept', () => {
  const src = Array.from({ length: 100 }, (_, k) => ' '.repeat(2 * k) + `- item${k}`).join('\n');
  let depth = 0;
  let node = parseMarkdown(src)[0];
  let text = '';
  while (node && node.type === 'list') {
    depth++;
    const kids = node.items[0].children;
    node = kids[kids.length - 1];
    if (node.type === 'paragraph') text = flat(node.children);
  }
  assert.ok(depth <= 16, `depth ${depth}`);
  assert.match(text, /item99/);
});
