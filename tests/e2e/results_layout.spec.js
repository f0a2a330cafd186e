// "The page as new users found it": one query between the TOML and KQL/EQL views (bug 3), line
// numbers of events in a JSON array (bug 4), the results' KQL filter and in-place event editing, the
// counts' live region, the layout at 900 px and 1280×720 with a resizable split, and axe-core over
// the main states in both themes. Each test failed before its fix.
import { test, expect } from '@playwright/test';
import { watchPage, pageErrors, ready, settled, openFile } from './helpers.js';
import AxeBuilder from '@axe-core/playwright';

test.use({ viewport: { width: 1400, height: 900 } });

watchPage();

// The editor's text as shown, without the trailing line breaks innerText adds for empty lines.
const editorText = async (page, id) => (await page.locator(`#${id} .cm-content`).innerText()).replace(/\n+$/, '');

async function replaceEditorText(page, id, text) {
  await page.locator(`#${id} .cm-content`).click();
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Delete');
  await page.keyboard.insertText(text);
}

const NEW_TERMS_RULE = `[rule]
name = "New bash users"
description = "A new_terms rule."
type = "new_terms"
language = "kuery"
severity = "low"
risk_score = 21
query = '''
process.name:bash
'''

[rule.new_terms]
field = "new_terms_fields"
value = ["user.name"]
`;

const EVENTS = [
  { '@timestamp': '2024-05-01T08:00:00Z', process: { name: 'bash' }, user: { name: 'root' } },
  { '@timestamp': '2024-05-01T08:01:00Z', process: { name: 'sh' }, user: { name: 'alice' } },
  { '@timestamp': '2024-05-01T08:02:00Z', process: { name: 'bash' }, user: { name: 'bob' } },
  { '@timestamp': '2024-05-01T08:03:00Z', process: { name: 'zsh' }, user: { name: 'root' } },
];
const NDJSON = EVENTS.map((e) => JSON.stringify(e)).join('\n');

async function loadRuleAndEvents(page) {
  await ready(page);
  await openFile(page, 'events.ndjson', NDJSON);
  await openFile(page, 'rule.toml', NEW_TERMS_RULE);
  await expect(page.locator('#meta-body')).toContainText('New bash users');
  await settled(page);
}

// ---------- bug 3: one query ----------

test('the KQL view shows the query as last edited in the TOML, and says the rule type no longer applies', async ({ page }) => {
  await loadRuleAndEvents(page);
  await page.locator('#rule-editor .cm-line', { hasText: 'process.name:bash' }).click();
  await page.keyboard.press('End');
  await page.keyboard.insertText(' and user.name:root');
  await page.locator('.seg [data-lang="kql"]').click();
  await expect.poll(() => editorText(page, 'rule-editor')).toBe('process.name:bash and user.name:root');
  await expect(page.locator('#rule-problems')).toContainText(/new_terms.*no longer appl/);
  await settled(page);
  // A bare query alerts on every match: 1 of the 4 events.
  await expect(page.locator('#counts')).toContainText('1 alert ·');
});

test('an edit in the KQL view is written into the TOML with correct quoting', async ({ page }) => {
  await loadRuleAndEvents(page);
  await page.locator('.seg [data-lang="kql"]').click();
  await expect.poll(() => editorText(page, 'rule-editor')).toBe('process.name:bash');
  await replaceEditorText(page, 'rule-editor', `process.name:bash and not user.name:"o'neil" and not a:'''x`);
  await settled(page);
  await page.locator('.seg [data-lang="toml"]').click();
  await expect.poll(() => editorText(page, 'rule-editor')).toContain(`query = "process.name:bash and not user.name:\\"o'neil\\" and not a:'''x"\n`);
  await expect(page.locator('#rule-problems')).not.toHaveClass(/has-errors/);
  await expect(page.locator('#rule-problems')).not.toContainText('no longer');
  const text = await editorText(page, 'rule-editor');
  expect(text).toContain('[rule.new_terms]\nfield = "new_terms_fields"');
  expect(text.startsWith('[rule]\nname = "New bash users"\n')).toBe(true);
});

test('switching quickly through TOML, KQL and EQL leaves the rule file as it was', async ({ page }) => {
  await loadRuleAndEvents(page);
  await page.locator('.seg [data-lang="toml"]').focus();
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  await expect(page.locator('.seg [data-lang="toml"]')).toHaveAttribute('aria-checked', 'true');
  await settled(page);
  // (innerText doubles the break of an empty line: compare without empty lines.)
  const lines = (t) => t.replace(/\n+/g, '\n').trim();
  await expect.poll(async () => lines(await editorText(page, 'rule-editor'))).toBe(lines(NEW_TERMS_RULE));
  await expect(page.locator('#meta-body')).toContainText('new_terms');
});

// ---------- bug 4: line numbers of events in a JSON array ----------

test('events of a multi-line JSON array say their own line and jump there', async ({ page }) => {
  await ready(page);
  await openFile(page, 'rule.kql', 'process.name:bash');
  await openFile(page, 'events.json', JSON.stringify(EVENTS, null, 2));
  await settled(page);
  await page.locator('#row-2').click();
  // Event #2 starts at line 20 of the pretty-printed array (9 lines per event after the "[").
  const button = page.locator('#explain .line-btn');
  await expect(button).toHaveText('line 20');
  await button.click();
  await expect(page.locator('#events-editor .cm-lineNumbers .cm-activeLineGutter')).toHaveText('20');
  await expect(page.locator('#events-editor .cm-activeLine + .cm-line')).toContainText('2024-05-01T08:02:00Z');
  await page.locator('#row-1').click();
  await expect(button).toHaveText('line 11');
});

// ---------- results: KQL filter, in-place edits, hidden events ----------

test('a KQL filter over the results finds events by field value; the counts say how many are shown', async ({ page }) => {
  await loadRuleAndEvents(page);
  const filter = page.getByRole('searchbox', { name: /Filter events/ });
  await filter.fill('user.name:root');
  await expect(page.locator('#results-list [role=option]')).toHaveCount(2);
  await expect(page.locator('#counts')).toContainText('2 of 4 events shown');
  await filter.fill('user.name:(root');
  await expect(page.locator('#filter-problems')).toContainText('expected');
  await filter.fill('');
  await expect(page.locator('#results-list [role=option]')).toHaveCount(4);
  await expect(page.locator('#counts')).not.toContainText('shown');
});

test('with a filter on, the explanation never shows a hidden event', async ({ page }) => {
  await loadRuleAndEvents(page);
  await page.locator('#row-3').click();
  await expect(page.locator('#explain')).toContainText('#3');
  await page.getByRole('searchbox', { name: /Filter events/ }).fill('user.name:bob');
  await expect(page.locator('#results-list [role=option]')).toHaveCount(1);
  await expect(page.locator('#explain')).toContainText('#2');
  await expect(page.locator('#explain')).not.toContainText('#3');
  await page.getByRole('searchbox', { name: /Filter events/ }).fill('user.name:nobody');
  await expect(page.locator('#explain')).not.toContainText('#2');
  await expect(page.locator('#event-edit')).toBeHidden();
});

test('a selected event is offered pretty-printed and editable; the edit goes back to the events text', async ({ page }) => {
  await loadRuleAndEvents(page);
  await page.locator('#row-1').click();
  await page.getByText('Edit event #1 as JSON').click();
  const box = page.getByRole('textbox', { name: /JSON of event #1/ });
  await expect(box).toHaveValue(/^\{\n {2}"@timestamp": "2024-05-01T08:01:00Z",\n {2}"process": \{\n {4}"name": "sh"/);
  await box.fill((await box.inputValue()).replace('"sh"', '"bash"').replace('"alice"', '"carol"'));
  await page.getByRole('button', { name: 'Apply edit' }).click();
  await settled(page);
  await expect(page.locator('#row-1')).toHaveAttribute('data-status', 'alert');
  await expect.poll(() => editorText(page, 'events-editor')).toContain(
    '{"@timestamp":"2024-05-01T08:01:00Z","process":{"name":"bash"},"user":{"name":"carol"}}',
  );
  // Still NDJSON: four lines.
  expect((await editorText(page, 'events-editor')).trim().split('\n')).toHaveLength(4);
  await box.fill('{"a": }');
  await page.getByRole('button', { name: 'Apply edit' }).click();
  await expect(page.locator('#event-edit-problems')).toContainText('line 1');
});

test('the counts are announced only when they change, politely and debounced', async ({ page }) => {
  await loadRuleAndEvents(page);
  const live = page.locator('#counts-live');
  await expect(live).toHaveAttribute('aria-live', 'polite');
  await expect(page.locator('#counts')).not.toHaveAttribute('aria-live', /.*/);
  // The counts of the load itself are said once they settle.
  await expect(live).toContainText('2 alerts');
  await page.evaluate(() => {
    window.__announced = [];
    new MutationObserver(() => window.__announced.push(document.getElementById('counts-live').textContent)).observe(
      document.getElementById('counts-live'),
      { childList: true, characterData: true, subtree: true },
    );
  });
  // Same counts after an edit: nothing to say.
  await page.locator('#rule-editor .cm-line', { hasText: 'process.name:bash' }).click();
  await page.keyboard.press('End');
  await page.keyboard.insertText(' ');
  await settled(page);
  await page.waitForTimeout(1500);
  expect(await page.evaluate(() => window.__announced)).toEqual([]);
  // Several quick changes: one announcement, of the last counts.
  await page.keyboard.insertText('or process.name:sh');
  await page.keyboard.press('Backspace');
  await page.keyboard.press('Backspace');
  await page.keyboard.insertText('sh');
  await settled(page);
  await page.waitForTimeout(1500);
  const said = await page.evaluate(() => window.__announced.filter(Boolean));
  expect(said).toHaveLength(1);
  expect(said[0]).toMatch(/^3 alerts/);
});

// ---------- layout ----------

test('at 900 px: rule, events, then results directly below; rule details last and collapsed', async ({ page }) => {
  await page.setViewportSize({ width: 900, height: 1000 });
  await ready(page, '#example=exim4');
  const top = async (sel) => (await page.locator(sel).boundingBox()).y;
  const rule = await top('.rule-pane');
  const events = await top('.events-pane');
  const results = await top('.results');
  const meta = await top('#meta');
  expect(rule).toBeLessThan(events);
  expect(events).toBeLessThan(results);
  expect(results).toBeLessThan(meta);
  const eventsBox = await page.locator('.events-pane').boundingBox();
  expect(results - (eventsBox.y + eventsBox.height)).toBeLessThan(40);
  await expect(page.locator('#meta-toggle')).toHaveAttribute('aria-expanded', 'false');
  await expect(page.locator('#meta-body')).toBeHidden();
});

test('at 1280×720 the split between editors and results is a keyboard-operable separator, remembered', async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 720 });
  await ready(page, '#example=exim4');
  const sep = page.getByRole('separator', { name: /Resize/ });
  await expect(sep).toHaveAttribute('aria-valuenow', /\d+/);
  const results = page.locator('.results');
  const before = (await results.boundingBox()).height;
  expect(before).toBeGreaterThan(250);
  const value = Number(await sep.getAttribute('aria-valuenow'));
  await sep.focus();
  await page.keyboard.press('ArrowUp');
  await page.keyboard.press('ArrowUp');
  const after = Number(await sep.getAttribute('aria-valuenow'));
  expect(after).toBeLessThan(value);
  expect((await results.boundingBox()).height).toBeGreaterThan(before);
  await page.reload();
  await expect(page.locator('body')).toHaveAttribute('data-ready', 'true');
  await expect(page.getByRole('separator', { name: /Resize/ })).toHaveAttribute('aria-valuenow', String(after));
});

test('the split works when storage is unavailable', async ({ page }) => {
  await page.addInitScript(() => {
    Object.defineProperty(window, 'localStorage', { get() { throw new Error('storage disabled'); } });
  });
  await page.setViewportSize({ width: 1280, height: 720 });
  await ready(page, '#example=exim4');
  const sep = page.getByRole('separator', { name: /Resize/ });
  const value = Number(await sep.getAttribute('aria-valuenow'));
  await sep.focus();
  await page.keyboard.press('ArrowDown');
  await expect(sep).not.toHaveAttribute('aria-valuenow', String(value));
});

// ---------- axe-core, both themes ----------

const STATES = {
  'exim4 with its first alert': async (page) => ready(page, '#example=exim4'),
  'foxmail, a near miss selected': async (page) => {
    await ready(page, '#example=foxmail');
    await page.locator('#results-list [data-status="near"]').first().click();
  },
  'bare KQL with a filter error and the event editor': async (page) => {
    await ready(page, '#example=exim4');
    await page.locator('.seg [data-lang="kql"]').click();
    await page.getByRole('searchbox', { name: /Filter events/ }).fill('process.name:(');
    await page.locator('#event-edit summary').click();
    await expect(page.locator('#event-json')).toBeVisible();
  },
  'gallery open': async (page) => {
    await ready(page, '#example=exim4');
    await page.locator('#examples-btn').click();
  },
  '900 px wide': async (page) => {
    await page.setViewportSize({ width: 900, height: 1000 });
    await ready(page, '#example=exim4');
  },
};

for (const scheme of ['light', 'dark']) {
  for (const [name, open] of Object.entries(STATES)) {
    test(`axe: no serious or critical violations — ${name}, ${scheme}`, async ({ browser }) => {
      const context = await browser.newContext({ colorScheme: scheme, viewport: { width: 1400, height: 900 } });
      const page = await context.newPage();
      page.on('pageerror', (e) => pageErrors.push(e.message));
      await open(page);
      await settled(page);
      const result = await new AxeBuilder({ page }).analyze();
      const bad = result.violations
        .filter((v) => v.impact === 'serious' || v.impact === 'critical')
        .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')}`);
      expect(bad).toEqual([]);
      await context.close();
    });
  }
}
