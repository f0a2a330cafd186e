// End-to-end tests of the playground page: gallery, verdicts, explanations, editing, errors, keyboard,
// big inputs, safety. Screenshots of the main states go to test-results/ (look at them).
import { test, expect } from '@playwright/test';
import { watchPage, ready } from './helpers.js';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';

// npm and playwright run from the repository root.
const ROOT = process.cwd();
const shot = (page, name) => page.screenshot({ path: `test-results/${name}.png` });

function expected(name) {
  return JSON.parse(fs.readFileSync(path.join(ROOT, 'rules', name, 'expected.json'), 'utf8'));
}

// The page's verdict words map onto expected.json's: a near miss is a kind of no_match.
const VERDICT = { alert: 'alert', match: 'match', suppressed: 'suppressed', near: 'no_match', no_match: 'no_match' };

test.use({ viewport: { width: 1400, height: 900 } });

test.beforeAll(async ({ request }) => {
  // The page drives the engine through the wasm's Session API: without it nothing below can work.
  const glue = await request.get('/ruleplay.js');
  expect(glue.ok(), 'dist/ruleplay.js is served').toBe(true);
  expect(await glue.text(), 'the built wasm exports the Session API').toContain('Session');
});

watchPage();

async function openExample(page, name) {
  await page.getByRole('button', { name: /Examples/ }).click();
  await expect(page.getByRole('dialog', { name: 'Examples' })).toBeVisible();
  await page.locator(`#gallery-list [data-example="${name}"]`).click();
  await expect(page.getByRole('dialog', { name: 'Examples' })).toBeHidden();
  await expect(page.locator('body')).toHaveAttribute('data-example', name);
}

async function verdicts(page) {
  // Wait for the engine to settle on the latest input.
  await expect(page.locator('body')).toHaveAttribute('data-busy', 'false');
  return page.locator('#results-list [role=option]').evaluateAll((rows) =>
    rows.map((r) => ({ index: Number(r.dataset.index), status: r.dataset.status })).sort((a, b) => a.index - b.index),
  );
}

async function ruleEditorText(page) {
  return page.locator('#rule-editor .cm-content').innerText();
}

/** Replaces the whole text of the rule editor by typing, as a user would. */
async function typeRule(page, text) {
  await page.locator('#rule-editor .cm-content').click();
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Delete');
  await page.keyboard.insertText(text);
}

test('opens the Foxmail example from the gallery and exactly the expected events alert', async ({ page }) => {
  await ready(page);
  await openExample(page, 'foxmail');
  await expect(page.locator('#meta-body .rule-name')).toHaveText('Potential Foxmail Exploitation');
  const want = expected('foxmail').verdicts;
  await expect(page.locator('#counts [data-count=alert]')).toHaveText(`${want.filter((v) => v === 'alert').length} alerts`);
  const got = await verdicts(page);
  expect(got.map((r) => r.index)).toEqual(want.map((_, i) => i));
  expect(got.map((r) => VERDICT[r.status])).toEqual(want);
  // The rule details panel shows MITRE techniques and the investigation guide.
  await expect(page.locator('#meta-body .mitre')).toContainText('T1566');
  await expect(page.locator('#meta-body .guide')).toContainText('Investigating Potential Foxmail Exploitation');
  await shot(page, 'foxmail');
  expect(await page.evaluate(() => window.__csp)).toEqual([]);
});

/**
 * Where the page opens an example. A "fix" exercise's expected verdicts are its reference
 * solution's (rules/<name>/solution/): a share link opens the solved state, named after the example.
 */
function exampleHash(name) {
  const dir = path.join(ROOT, 'rules', name);
  if (!fs.existsSync(path.join(dir, 'solution'))) return `#example=${name}`;
  const read = (f) => (fs.existsSync(path.join(dir, f)) ? fs.readFileSync(path.join(dir, f), 'utf8') : null);
  const state = {
    rule: read('solution/rule.toml') ?? read('rule.toml'), events: read('events.ndjson'),
    exceptions: read('solution/exceptions.ndjson') ?? read('exceptions.ndjson') ?? '', example: name,
  };
  return `#v1.${zlib.deflateRawSync(Buffer.from(JSON.stringify(state))).toString('base64url')}`;
}

// Every example in the library gives, on the page, exactly the verdicts (and sequences) it expects.
for (const name of fs.readdirSync(path.join(ROOT, 'rules')).filter((n) => fs.existsSync(path.join(ROOT, 'rules', n, 'expected.json'))).sort()) {
  test(`example ${name}: the page shows the expected verdicts`, async ({ page }) => {
    await ready(page, exampleHash(name));
    await expect(page.locator('body')).toHaveAttribute('data-example', name);
    const want = expected(name);
    await expect.poll(async () => (await verdicts(page)).length).toBe(want.verdicts.length);
    const got = await verdicts(page);
    expect(got.map((r) => VERDICT[r.status])).toEqual(want.verdicts);
    if (want.sequences) {
      const seqs = await page.locator('#sequences .seq').evaluateAll((bs) => bs.map((b) => JSON.parse(b.dataset.events)));
      expect(seqs).toEqual(want.sequences);
    }
  });
}

test('selecting an event shows its explanation, highlighted fields and clause spans', async ({ page }) => {
  await ready(page);
  await openExample(page, 'foxmail');
  const want = expected('foxmail').verdicts;
  const alert = want.indexOf('alert');
  await page.locator(`#row-${alert}`).click();
  const explain = page.locator('#explain');
  await expect(explain.locator('h3')).toHaveText(`Why #${alert}`);
  await expect(explain.locator('.clauses.tree > li')).toHaveClass(/v-true/);
  // The event's JSON marks the values that matched.
  await expect(explain.locator('.json .j-hit').first()).toBeVisible();
  expect(await explain.locator('.json .j-hit').count()).toBeGreaterThanOrEqual(3);
  // Hovering a clause highlights exactly its text in the rule editor.
  const leaf = explain.locator('.clauses.tree li li > .clause-line').first();
  const src = (await leaf.locator('.src').innerText()).trim();
  await leaf.hover();
  const hl = page.locator('#rule-editor .cm-span-hl');
  await expect(hl.first()).toBeVisible();
  // (Labels of values inside a list name their field first: "field: value".)
  const highlighted = (await hl.allInnerTexts()).join('').replace(/\s+/g, ' ').trim();
  expect(highlighted).not.toBe('');
  expect(src.endsWith(highlighted), `"${src}" ends with the highlighted "${highlighted}"`).toBe(true);
  await shot(page, 'explain-alert');

  // A non-matching event says in plain words what failed.
  const miss = want.indexOf('no_match');
  await page.locator(`#row-${miss}`).click();
  await expect(explain.locator('h3')).toHaveText(`Why #${miss}`);
  await expect(explain.locator('.clauses.tree > li')).toHaveClass(/v-(false|missing)/);
  await expect(explain.locator('.near-box')).toBeVisible();
  await shot(page, 'explain-no-match');
});

test('editing the query changes the verdicts as you type', async ({ page }) => {
  await ready(page);
  await openExample(page, 'foxmail');
  const before = await verdicts(page);
  const alertsBefore = before.filter((r) => r.status === 'alert').length;
  // Switching to EQL starts from the rule's own query.
  await page.getByRole('radio', { name: 'EQL' }).click();
  await expect.poll(() => ruleEditorText(page)).toContain('Foxmail.exe');
  // Drop the argument condition: every Foxmail child process now alerts.
  await typeRule(page, 'process where host.os.type == "windows" and process.parent.name : "Foxmail.exe"');
  await expect.poll(async () => (await verdicts(page)).filter((r) => r.status === 'alert').length).toBeGreaterThan(alertsBefore);
  // And a query nothing matches turns every alert off.
  await typeRule(page, 'process where process.parent.name : "Thunderbird.exe"');
  await expect(page.locator('#counts [data-count=alert]')).toHaveText('0 alerts');
  await shot(page, 'edited-query');
});

test('a broken query shows its error at the right place', async ({ page }) => {
  await ready(page);
  await page.getByRole('radio', { name: 'KQL' }).click();
  const query = 'process.name:bash and (event.type:start or )';
  await typeRule(page, query);
  const err = page.locator('#rule-editor .cm-lintRange-error');
  await expect(err.first()).toBeVisible();
  // The underline sits on the closing parenthesis, where a value was expected.
  const at = query.lastIndexOf(')');
  await expect(page.locator('#rule-problems .problem').first()).toContainText(`1:${at + 1}`);
  expect((await err.allInnerTexts()).join('')).toBe(')');
  await expect(page.locator('#counts')).toContainText('Fix the rule');
  // The message is also on hover.
  await err.first().hover();
  await expect(page.locator('#rule-editor .cm-tooltip-hover')).toBeVisible();
  await shot(page, 'broken-query');
  // Fixing it brings results back.
  await page.keyboard.press('Control+End');
  await typeRule(page, 'process.name:bash');
  await expect(page.locator('#rule-problems')).toContainText('Rule OK');
});

test('keyboard-only use', async ({ page }) => {
  await ready(page);
  // Tab from the top reaches the gallery button; Enter opens it, the first card has focus.
  await page.keyboard.press('Tab'); // skip link
  await page.keyboard.press('Tab');
  await expect(page.getByRole('button', { name: /Examples/ })).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('dialog', { name: 'Examples' })).toBeVisible();
  await page.locator('#gallery-list [data-example="foxmail"]').focus();
  await page.keyboard.press('Enter');
  await expect(page.locator('body')).toHaveAttribute('data-example', 'foxmail');
  await verdicts(page);
  // Alt+3 jumps to the results; j / ArrowDown move the selection and the explanation follows.
  await page.keyboard.press('Alt+3');
  await expect(page.locator('#results-list')).toBeFocused();
  await page.keyboard.press('Home');
  await expect(page.locator('#explain h3')).toHaveText('Why #0');
  await page.keyboard.press('j');
  await expect(page.locator('#explain h3')).toHaveText('Why #1');
  await page.keyboard.press('ArrowDown');
  await expect(page.locator('#explain h3')).toHaveText('Why #2');
  await page.keyboard.press('k');
  await expect(page.locator('#explain h3')).toHaveText('Why #1');
  await expect(page.locator('#results-list')).toHaveAttribute('aria-activedescendant', 'row-1');
  // Alt+4 jumps to the explanation; Tab reaches its clause tree (one Tab stop: a roving
  // tabindex over the treeitems), and a focused clause highlights its span in the rule editor.
  await page.keyboard.press('Alt+4');
  await expect(page.locator('#explain')).toBeFocused();
  const onClause = () => page.evaluate(() => Boolean(document.activeElement?.closest('#explain [role=treeitem]')));
  for (let i = 0; i < 15 && !(await onClause()); i++) await page.keyboard.press('Tab');
  expect(await onClause(), 'Tab reaches a clause of the explanation').toBe(true);
  await expect(page.locator('#rule-editor .cm-span-hl').first()).toBeVisible();
  // Filters are buttons reachable with Tab, toggled with Space: only the alerts remain, all of them.
  await page.locator('#filter-alerts').focus();
  await page.keyboard.press('Space');
  await expect(page.locator('#filter-alerts')).toHaveAttribute('aria-pressed', 'true');
  const alerts = expected('foxmail').verdicts.filter((v) => v === 'alert').length;
  expect(alerts).toBeGreaterThan(0);
  await expect.poll(async () => (await verdicts(page)).length).toBe(alerts);
  const shown = await verdicts(page);
  expect(shown.map((r) => r.status)).toEqual(Array(alerts).fill('alert'));
  // The language switch is a radio group: arrows move between languages.
  await page.keyboard.press('Alt+1');
  await expect(page.locator('#rule-editor .cm-content')).toBeFocused();
  await page.getByRole('radio', { name: 'TOML' }).focus();
  await page.keyboard.press('ArrowRight');
  await expect(page.getByRole('radio', { name: 'KQL' })).toHaveAttribute('aria-checked', 'true');
  await expect(page.getByRole('radio', { name: 'KQL' })).toBeFocused();
  // Alt+3 and Alt+4 still move focus from the editor.
  await page.keyboard.press('Alt+3');
  await expect(page.locator('#results-list')).toBeFocused();
  await page.keyboard.press('Alt+4');
  await expect(page.locator('#explain')).toBeFocused();
  await shot(page, 'keyboard');
});

test('a 100,000-event file loads with progress and the page stays responsive', async ({ page }) => {
  test.setTimeout(180_000);
  await ready(page);
  await openExample(page, 'exim4');
  const lines = [];
  const names = ['bash', 'sort', 'sh', 'grep', 'python3', 'exim4', 'curl'];
  for (let i = 0; i < 100_000; i++) {
    lines.push(JSON.stringify({
      '@timestamp': new Date(Date.UTC(2024, 4, 1) + i * 1000).toISOString(),
      event: { category: ['process'], type: ['start'], action: 'exec', ingested: new Date(Date.UTC(2024, 4, 1) + i * 1000).toISOString() },
      host: { name: `host-${i % 50}`, os: { type: 'linux' } },
      process: {
        name: names[i % names.length],
        executable: `/usr/bin/${names[i % names.length]}${i % 1000}`,
        args: [`/usr/bin/${names[i % names.length]}`, '-c', `echo ${i}`],
        parent: { name: i % 3 ? 'exim4' : 'postfix', executable: '/usr/sbin/exim4' },
      },
      user: { name: 'Debian-exim' },
    }));
  }
  // A file on disk: the browser reads it itself, as it would a user's.
  const file = test.info().outputPath('big.ndjson');
  fs.writeFileSync(file, lines.join('\n') + '\n');
  expect(fs.statSync(file).size).toBeGreaterThan(20_000_000);
  // Watch the main thread: long tasks are what "frozen" means.
  await page.evaluate(() => {
    window.__longest = 0;
    new PerformanceObserver((l) => {
      for (const e of l.getEntries()) window.__longest = Math.max(window.__longest, e.duration);
    }).observe({ type: 'longtask', buffered: false });
  });
  const t0 = Date.now();
  await page.locator('#open-file').setInputFiles(file);
  await expect(page.locator('#progress')).toBeVisible();
  await shot(page, 'big-progress');
  await expect(page.locator('#counts')).toContainText('100,000 events', { timeout: 120_000 });
  console.log(`100k events: file chosen → verdicts on screen in ${Date.now() - t0} ms ; page: ${await page.locator('body').getAttribute('data-last-load')}`);
  await expect(page.locator('#big-notice')).toBeVisible();
  await expect(page.locator('#big-info')).toContainText('100,000 events');
  expect(await page.locator('body').getAttribute('data-progress')).toBeTruthy();
  // Only the rows in view exist in the DOM.
  expect(await page.locator('#results-list [role=option]').count()).toBeLessThan(80);
  await page.locator('#results-list').evaluate((el) => {
    el.scrollTop = el.scrollHeight / 2;
  });
  await expect(page.locator('#results-list [role=option]').first()).toHaveAttribute('data-index', /^[1-9]\d{3,}$/);
  // The page answered while the engine worked (logged, not asserted: speed is for the bench).
  const longest = await page.evaluate(() => window.__longest);
  console.log(`longest main-thread task during the 100k load: ${Math.round(longest)} ms`);
  await shot(page, 'big-loaded');
  // Near-miss counts for a big input are computed when the near-miss filter asks for them.
  await page.locator('#filter-near').click();
  await expect(page.locator('#filter-near')).toHaveAttribute('aria-pressed', 'true', { timeout: 60_000 });
  await expect(page.locator('#counts [data-count=near]')).toHaveText(/^[\d,]+ near miss/);
  const shown = await page.locator('#results-list [role=option]').evaluateAll((rows) => rows.map((r) => r.dataset.status));
  expect(shown.length).toBeGreaterThan(0);
  expect(shown.every((st) => st === 'near')).toBe(true);
  await shot(page, 'big-near-misses');
});

test('rule text is never turned into markup', async ({ page }) => {
  await ready(page);
  const rule = `[rule]
name = "<img src=x onerror=\\"window.__xss=1\\">Evil"
description = "**bold** <script>window.__xss=2</script> [x](javascript:window.__xss=3)"
note = """## Guide
<img src=x onerror="window.__xss=4">
- [click](javascript:window.__xss=5)
"""
type = "query"
language = "kuery"
severity = "low"
risk_score = 1
query = '''
process.name:bash
'''
`;
  await page.locator('#open-file').setInputFiles({ name: 'evil.toml', mimeType: 'text/plain', buffer: Buffer.from(rule) });
  await expect(page.locator('#meta-body .rule-name')).toContainText('<img');
  expect(await page.locator('#meta-body img, #meta-body script').count()).toBe(0);
  expect(await page.locator('#meta-body a[href^="javascript"]').count()).toBe(0);
  await expect(page.locator('#meta-body strong').first()).toHaveText('bold');
  expect(await page.evaluate(() => window.__xss)).toBeUndefined();
});

test('Stop replaces the engine and the next edit evaluates again', async ({ page }) => {
  await ready(page);
  await openExample(page, 'foxmail');
  await verdicts(page);
  // The button shows only while the engine is busy for a while; press it directly.
  await page.locator('#stop-btn').evaluate((b) => {
    b.hidden = false;
  });
  await page.locator('#stop-btn').click();
  await expect(page.locator('#counts')).toHaveText('Stopped.');
  await expect(page.locator('#results-list')).toContainText('Stopped');
  await page.getByRole('radio', { name: 'EQL' }).click();
  await expect(page.locator('#counts [data-count=alert]')).toHaveText('5 alerts');
});

test('field names from the events are offered while typing a query', async ({ page }) => {
  await ready(page);
  await openExample(page, 'foxmail');
  await page.getByRole('radio', { name: 'KQL' }).click();
  await typeRule(page, 'process.pare');
  await page.keyboard.press('Control+Space');
  const option = page.locator('#rule-editor .cm-tooltip-autocomplete li', { hasText: 'process.parent.name' });
  await expect(option.first()).toBeVisible();
  await shot(page, 'autocomplete');
});

test('dark theme follows the system', async ({ browser }) => {
  const page = await browser.newPage({ colorScheme: 'dark', viewport: { width: 1400, height: 900 } });
  await ready(page);
  await openExample(page, 'exim4');
  await verdicts(page);
  const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  expect(bg).not.toBe('rgb(246, 247, 249)');
  await shot(page, 'dark');
  await page.close();
});
