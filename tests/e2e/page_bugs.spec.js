// Bugs new users met on the page ("The page as new users found it"): each test failed before its fix.
import { test, expect } from '@playwright/test';
import { watchPage, ready, settled } from './helpers.js';

test.use({ viewport: { width: 1400, height: 900 } });

watchPage();

const consoleErrors = [];
test.beforeEach(async ({ page }) => {
  consoleErrors.length = 0;
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(m.text());
  });
});

async function loadRule(page, toml) {
  await page.locator('#open-file').setInputFiles({ name: 'rule.toml', mimeType: 'text/plain', buffer: Buffer.from(toml) });
}

async function loadEvents(page, events) {
  const text = events.map((e) => JSON.stringify(e)).join('\n');
  await page.locator('#open-file').setInputFiles({ name: 'events.ndjson', mimeType: 'text/plain', buffer: Buffer.from(text) });
}

const ONE_LINE_RULE = `[rule]
name = "One-line query"
description = "A rule whose query sits on one line."
type = "query"
language = "kuery"
severity = "low"
risk_score = 21
query = "process.name:bash and host.os.type:linux"
`;

const EVENTS = [
  { process: { name: 'bash' }, host: { os: { type: 'linux' } } },
  { process: { name: 'bash' }, host: { os: { type: 'windows' } } },
  { process: { name: 'sh' }, host: { os: { type: 'macos' } } },
];

// ---------- 1. Enter on a clause ----------

test('Enter on a focused clause or near miss jumps to the rule without typing into it', async ({ page }) => {
  await ready(page);
  await loadEvents(page, EVENTS);
  await loadRule(page, ONE_LINE_RULE);
  await expect(page.locator('#meta-body .rule-name')).toHaveText('One-line query');
  await expect(page.locator('#counts [data-count=alert]')).toHaveText('1 alert');
  await settled(page);
  const before = await page.locator('#rule-editor .cm-content').innerText();
  await expect(page.locator('#explain h3')).toHaveText('Why #0');
  // A leaf clause: Enter moves to its span in the rule editor.
  const tree = page.locator('#explain .clauses.tree');
  await tree.locator('[tabindex="0"]').first().focus();
  await page.keyboard.press('Enter');
  await page.waitForTimeout(400);
  expect(await page.locator('#rule-editor .cm-content').innerText()).toBe(before);
  await expect(page.locator('#rule-problems')).toContainText('Rule OK');
  await expect(page.locator('#counts [data-count=alert]')).toHaveText('1 alert');

  // A near miss's button: the same.
  await page.locator('#row-1').click();
  await expect(page.locator('#explain h3')).toHaveText('Why #1');
  await page.locator('#explain .near-box button').first().focus();
  await page.keyboard.press('Enter');
  await page.waitForTimeout(400);
  expect(await page.locator('#rule-editor .cm-content').innerText()).toBe(before);
  await expect(page.locator('#rule-problems')).toContainText('Rule OK');
  // The editor has the clause's span selected (nothing was inserted over it).
  await expect(page.locator('#rule-editor .cm-content')).toBeFocused();
});

// ---------- 2. URLs in Markdown; references ----------

test('URLs in the description and guide render as links, and references are shown', async ({ page }) => {
  await ready(page);
  const rule = `[rule]
name = "Rule with URLs"
description = "See https://attack.mitre.org/techniques/T1059/ and [https://example.com/a](https://example.com/a). AFTER-DESCRIPTION"
type = "query"
language = "kuery"
severity = "low"
risk_score = 21
references = ["https://www.elastic.co/security-labs/some-post", "http://example.org/x", "javascript:alert(1)", "ftp://files.example/y"]
tags = ["Domain: Endpoint"]
note = """## Triage

Read https://www.elastic.co/guide/en/security/current/prebuilt-rules.html first.

- [https://example.net/nested](https://example.net/nested)
- GUIDE-END
"""
query = "process.name:bash"
`;
  await loadRule(page, rule);
  await expect(page.locator('#meta-body .rule-name')).toHaveText('Rule with URLs');
  const meta = page.locator('#meta-body');
  await expect(meta).toContainText('AFTER-DESCRIPTION');
  await expect(meta.locator('.tags')).toContainText('Domain: Endpoint');
  await expect(meta.locator('.guide')).toContainText('GUIDE-END');
  await expect(meta.locator('a[href="https://attack.mitre.org/techniques/T1059/"]')).toHaveText('https://attack.mitre.org/techniques/T1059/');
  await expect(meta.locator('a[href="https://example.com/a"]')).toHaveText('https://example.com/a');
  await expect(meta.locator('.guide a[href="https://www.elastic.co/guide/en/security/current/prebuilt-rules.html"]')).toBeVisible();
  await expect(meta.locator('.guide a[href="https://example.net/nested"]')).toBeVisible();
  // References: http(s) as links, anything else as plain text.
  const refs = meta.locator('.references');
  await expect(refs.locator('a')).toHaveCount(2);
  await expect(refs.locator('a[href="https://www.elastic.co/security-labs/some-post"]')).toHaveAttribute('rel', 'noopener noreferrer');
  await expect(refs.locator('a[href="http://example.org/x"]')).toHaveAttribute('rel', 'noopener noreferrer');
  await expect(refs).toContainText('javascript:alert(1)');
  await expect(refs).toContainText('ftp://files.example/y');
  expect(await meta.locator('a[href^="javascript"], a[href^="ftp"]').count()).toBe(0);
  for (const a of await meta.locator('a').all()) expect(await a.getAttribute('rel')).toBe('noopener noreferrer');
});

// ---------- 3. Bidi and control characters ----------

test('a right-to-left override or a control character in a value is shown, not obeyed', async ({ page }) => {
  await ready(page);
  const rule = ONE_LINE_RULE.replace('name = "One-line query"', 'name = "Evil \\u202Ename"');
  await loadEvents(page, [
    { process: { name: 'bash', command_line: 'run \u202Etxt.exe now\u0007' }, host: { os: { type: 'linux' } } },
    ...EVENTS.slice(1),
  ]);
  await loadRule(page, rule);
  await expect(page.locator('#counts [data-count=alert]')).toHaveText('1 alert');
  await settled(page);
  const row = page.locator('#row-0');
  await expect(row.locator('.summary')).toContainText('txt.exe');
  // No raw bidi control reaches the row; its escape is shown in a distinct style.
  const rowText = await row.evaluate((el) => el.textContent);
  expect(rowText).not.toMatch(/[\u202A-\u202E\u2066-\u2069\u0000-\u001F]/);
  await expect(row.locator('.ctl').first()).toHaveText('\\u202E');
  await expect(row.locator('.ctl').nth(1)).toHaveText('\\u0007');
  // Every piece of user text in the row is isolated.
  for (const cls of ['.summary']) {
    expect(await row.locator(cls).evaluate((el) => getComputedStyle(el).unicodeBidi)).toMatch(/isolate|plaintext/);
  }
  // The explanation's event JSON and the rule details, the same.
  const explain = page.locator('#explain');
  await expect(explain.locator('.json')).toContainText('txt.exe');
  expect(await explain.evaluate((el) => el.textContent)).not.toMatch(/[\u202A-\u202E\u2066-\u2069]/);
  await expect(explain.locator('.json .ctl').first()).toHaveText('\\u202E');
  await expect(page.locator('#meta-body .rule-name .ctl')).toHaveText('\\u202E');
  expect(await page.locator('#meta-body').evaluate((el) => el.textContent)).not.toMatch(/[\u202A-\u202E\u2066-\u2069]/);
  for (const sel of ['#explain .json .j-str', '#explain .clauses .src', '#meta-body .rule-name']) {
    expect(await page.locator(sel).first().evaluate((el) => getComputedStyle(el).unicodeBidi), sel).toMatch(/isolate|plaintext/);
  }
});

// ---------- 4. Markdown: nested lists and tables ----------

test('the investigation guide renders nested lists and tables', async ({ page }) => {
  await ready(page);
  const rule = ONE_LINE_RULE + `note = """
### Response

- Isolate the host.
  - Kill the process.
    - Check its children.
- Reset credentials.

| Field | Meaning |
|:------|--------:|
| \`process.name\` | the **image** name |
| user.name | who ran it |
"""
`;
  await loadRule(page, rule);
  const guide = page.locator('#meta-body .guide');
  await expect(guide).toBeVisible();
  await expect(guide.locator('.md > ul > li')).toHaveCount(2);
  await expect(guide.locator('.md > ul > li > ul > li')).toHaveText(/Kill the process\./);
  await expect(guide.locator('.md > ul > li > ul > li > ul > li')).toHaveText('Check its children.');
  const table = guide.locator('table');
  await expect(table.locator('th')).toHaveText(['Field', 'Meaning']);
  await expect(table.locator('tbody tr')).toHaveCount(2);
  await expect(table.locator('tbody tr').first().locator('td code')).toHaveText('process.name');
  await expect(table.locator('tbody tr').first().locator('td strong')).toHaveText('image');
  expect(await table.locator('th').nth(1).evaluate((el) => getComputedStyle(el).textAlign)).toBe('right');
});

// ---------- 5. The clause tree is one Tab stop ----------

test('the clause tree is one Tab stop with arrow keys inside; a new event scrolls the explanation to its top', async ({ page }) => {
  await ready(page, '#example=foxmail');
  await expect(page.locator('body')).toHaveAttribute('data-example', 'foxmail');
  await settled(page);
  await page.locator('#row-0').click();
  await expect(page.locator('#explain h3')).toHaveText('Why #0');
  const tree = page.getByRole('tree', { name: /Query clauses/ });
  await expect(tree).toBeVisible();
  const items = tree.getByRole('treeitem');
  const n = await items.count();
  expect(n).toBeGreaterThan(3);
  // Exactly one item is in the Tab order.
  await expect(tree.locator('[tabindex="0"]')).toHaveCount(1);
  await tree.locator('[tabindex="0"]').focus();
  const focusedLabel = () => page.evaluate(() => document.activeElement.closest('[role=treeitem]')?.querySelector('.src')?.textContent);
  const first = await focusedLabel();
  await page.keyboard.press('ArrowDown');
  const second = await focusedLabel();
  expect(second).not.toBe(first);
  await expect(page.locator('#rule-editor .cm-span-hl').first()).toBeVisible();
  await expect(tree.locator('[tabindex="0"]')).toHaveCount(1);
  await page.keyboard.press('ArrowUp');
  expect(await focusedLabel()).toBe(first);
  await page.keyboard.press('End');
  const last = await focusedLabel();
  expect(last).not.toBe(first);
  await page.keyboard.press('Home');
  expect(await focusedLabel()).toBe(first);
  // Left collapses the root, Right expands it again.
  const root = items.first();
  await expect(root).toHaveAttribute('aria-expanded', 'true');
  await page.keyboard.press('ArrowLeft');
  await expect(root).toHaveAttribute('aria-expanded', 'false');
  await expect(items.nth(1)).toBeHidden();
  await page.keyboard.press('ArrowRight');
  await expect(root).toHaveAttribute('aria-expanded', 'true');
  await page.keyboard.press('ArrowRight');
  expect(await focusedLabel()).toBe(second);
  // Tab leaves the tree at once.
  await page.keyboard.press('Tab');
  expect(await page.evaluate(() => Boolean(document.activeElement.closest('.clauses.tree')))).toBe(false);

  // Selecting another event starts its explanation at the top.
  const explain = page.locator('#explain');
  await explain.evaluate((el) => {
    el.scrollTop = el.scrollHeight;
  });
  expect(await explain.evaluate((el) => el.scrollTop)).toBeGreaterThan(0);
  await page.locator('#row-1').click();
  await expect(page.locator('#explain h3')).toHaveText('Why #1');
  expect(await explain.evaluate((el) => el.scrollTop)).toBe(0);
});

// ---------- 6. Contrast ----------

// The contrast of an element's text against the first opaque background behind it.
function contrastOf(el) {
  const rgb = (s) => (s.match(/[\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => {
    const f = (c) => ((c /= 255) <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  let bg = null;
  for (let n = el; n && n.nodeType === 1; n = n.parentNode instanceof ShadowRoot ? n.parentNode.host : n.parentNode) {
    const c = rgb(getComputedStyle(n).backgroundColor);
    if (c.length === 3 || (c.length === 4 && c[3] === 1)) {
      bg = c;
      break;
    }
  }
  bg = bg || [255, 255, 255];
  const fg = rgb(getComputedStyle(el).color);
  const [a, b] = [lum(fg), lum(bg)].sort((x, y) => y - x);
  return (a + 0.05) / (b + 0.05);
}

for (const scheme of ['light', 'dark']) {
  test(`${scheme} theme: pressed buttons, the language switch and the editor's active line have text contrast ≥ 4.5`, async ({ browser }) => {
    const page = await browser.newPage({ colorScheme: scheme, viewport: { width: 1400, height: 900 } });
    await ready(page, '#example=exim4');
    await settled(page);
    await page.locator('#filter-alerts').click();
    const ratios = {};
    ratios.pressed = await page.locator('#filter-alerts').evaluate(contrastOf);
    ratios.seg = await page.locator('.seg [aria-checked="true"]').evaluate(contrastOf);
    // The active line of the rule editor, walked down the rule: keys, strings, numbers, the query.
    await page.locator('#rule-editor .cm-content').click();
    await page.keyboard.press('Control+Home');
    const active = page.locator('#rule-editor .cm-activeLine');
    const fn = contrastOf.toString();
    for (let i = 0; i < 45; i++) {
      await expect(active).toHaveCount(1);
      const spans = await active.locator('span').evaluateAll((els, src) => els.map((e) => [e.className, new Function(`return ${src}`)()(e)]), fn);
      for (const [cls, r] of spans) ratios[`active ${cls}`] = Math.min(r, ratios[`active ${cls}`] ?? Infinity);
      await page.keyboard.press('ArrowDown');
    }
    expect(Object.keys(ratios).filter((k) => k.startsWith('active ')).length).toBeGreaterThan(3);
    ratios['active gutter'] = await page.locator('#rule-editor .cm-activeLineGutter').first().evaluate(contrastOf);
    for (const [k, r] of Object.entries(ratios)) expect(r, `${scheme}: ${k} = ${r.toFixed(2)}`).toBeGreaterThanOrEqual(4.5);
    await page.close();
  });
}

// ---------- 7. CSP while typing over a selection ----------

test('typing over a multi-line selection logs no CSP violation', async ({ page }) => {
  await ready(page, '#example=exim4');
  await settled(page);
  await page.locator('#rule-editor .cm-content').click();
  await page.keyboard.press('Control+Home');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Home');
  for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowRight');
  await page.keyboard.press('Shift+ArrowDown');
  await page.keyboard.press('Shift+ArrowRight');
  await page.keyboard.press('Shift+ArrowRight');
  const lines = await page.locator('#rule-editor .cm-line').allInnerTexts();
  await page.keyboard.type('x');
  await expect.poll(() => page.locator('#rule-editor .cm-line').nth(1).innerText()).toBe(`${lines[1].slice(0, 3)}x${lines[2].slice(5)}`);
  // Brackets still wrap a selection, and undo still works.
  await page.keyboard.press('Shift+Home');
  await page.keyboard.type('(');
  await expect(page.locator('#rule-editor .cm-line').nth(1)).toHaveText(`(${lines[1].slice(0, 3)}x)${lines[2].slice(5)}`);
  for (let i = 0; i < 3 && (await page.locator('#rule-editor .cm-line').nth(1).innerText()) !== lines[1]; i++) {
    await page.keyboard.press('Control+z');
  }
  await expect(page.locator('#rule-editor .cm-line').nth(1)).toHaveText(lines[1]);
  await page.waitForTimeout(200);
  expect(await page.evaluate(() => window.__csp)).toEqual([]);
  expect(consoleErrors.filter((m) => /Content Security Policy/.test(m))).toEqual([]);
});
