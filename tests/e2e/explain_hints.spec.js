// End-to-end tests of explanations that say what decided a verdict, and of the editor's hints:
// misspelled keywords, unknown fields, event errors with one position, value completion.
import { test, expect } from '@playwright/test';
import { watchPage, ready, settled } from './helpers.js';

const shot = (page, name) => page.screenshot({ path: `test-results/${name}.png` });

test.use({ viewport: { width: 1400, height: 900 } });

watchPage();

test.afterEach(async ({ page }) => {
  // Warning squiggles, the collapsed lists and the completion list break no CSP rule.
  expect(await page.evaluate(() => window.__csp)).toEqual([]);
});

async function openExample(page, name) {
  await page.getByRole('button', { name: /Examples/ }).click();
  await page.locator(`#gallery-list [data-example="${name}"]`).click();
  await expect(page.locator('body')).toHaveAttribute('data-example', name);
}

async function replaceText(page, editor, text) {
  await page.locator(`${editor} .cm-content`).click();
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Delete');
  await page.keyboard.insertText(text);
}

async function kql(page, query) {
  await page.getByRole('radio', { name: 'KQL' }).click();
  await replaceText(page, '#rule-editor', query);
}

test('an event kept out by one value of an exclusion list says so in one line', async ({ page }) => {
  await ready(page);
  await openExample(page, 'exim4');
  await settled(page);
  // Event #1 is `sort` under exim4: every positive clause held, the list's `sort` kept it out.
  await expect(page.locator('#row-1')).toHaveAttribute('data-status', 'near');
  await page.locator('#row-1').click();
  const explain = page.locator('#explain');
  await expect(explain.locator('h3')).toHaveText('Why #1');
  await expect(explain.locator('.near-title')).toHaveText('Near miss: excluded by process.name:(… sort …)');
  const not = explain.locator('[role=treeitem]', { has: page.locator(':scope > .clause-line', { hasText: 'process.name "sort" is in the exclusion list (14 of 15)' }) });
  await expect(not).toHaveCount(1);
  // The values are collapsed; the `not` that failed and the list that held under it are red, not green.
  await expect(not).toHaveAttribute('aria-expanded', 'false');
  await expect(not).toHaveClass(/v-false/);
  const list = not.locator(':scope > ul > li');
  await expect(list).toHaveClass(/v-false/);
  await expect(list).toHaveAttribute('aria-expanded', 'false');
  // Still reachable: expanding shows the matching value first.
  await not.locator(':scope > .clause-line .twisty').click();
  await list.locator(':scope > .clause-line .twisty').click();
  await expect(list.locator(':scope > ul > li').first()).toContainText('sort');
  await shot(page, 'explain-exclusion-list');
});

test('a one-clause query has no near misses', async ({ page }) => {
  await ready(page);
  await openExample(page, 'exim4');
  await settled(page);
  await kql(page, 'process.name:bash');
  await settled(page);
  await expect(page.locator('#results-list [data-status=alert], #results-list [data-status=match]').first()).toBeVisible();
  await expect(page.locator('#results-list [data-status=near]')).toHaveCount(0);
  await page.locator('#results-list [data-status=no_match]').first().click();
  await expect(page.locator('#explain .near-title')).toHaveText(/^Did not match: /);
});

test('a misspelled keyword is pointed at, with the keyword it looks like', async ({ page }) => {
  await ready(page);
  await openExample(page, 'exim4');
  await settled(page);
  // Kibana reads "exim4 adn sort" as one value: the query is valid, with a warning on `adn`.
  await kql(page, 'process.parent.name:exim4 adn sort');
  const problems = page.locator('#rule-problems');
  await expect(problems).toContainText('✔ Rule OK');
  await expect(problems.locator('.p-warning')).toContainText('"adn" is read as part of the value "exim4 adn sort"; did you mean "and"?');
  await expect(page.locator('#rule-editor .cm-lintRange-warning')).toHaveText('adn');
  // Before `not` it is an error as Kibana reads it, and the warning says why.
  await kql(page, 'process.parent.name:exim4 adn not process.name:sort');
  await expect(problems.locator('.p-error')).toHaveCount(1);
  await expect(problems.locator('.p-warning')).toContainText('did you mean "and"?');
  await expect(page.locator('#rule-editor .cm-lintRange-warning')).toHaveText('adn');
  await shot(page, 'hint-misspelled-keyword');
});

test('a field no event has and ECS does not define gets a warning with a suggestion', async ({ page }) => {
  await ready(page);
  await openExample(page, 'exim4');
  await settled(page);
  await kql(page, 'proces.name:bash');
  const problems = page.locator('#rule-problems');
  await expect(problems).toContainText('✔ Rule OK');
  await expect(problems.locator('.p-warning')).toContainText('did you mean "process.name"?');
  await expect(page.locator('#rule-editor .cm-lintRange-warning')).toHaveText('proces.name');
  await kql(page, 'process.name:bash');
  await expect(problems.locator('.p-warning')).toHaveCount(0);
  await shot(page, 'hint-unknown-field');
});

test('event errors give one position, and a trailing comma keeps the events before it', async ({ page }) => {
  await ready(page);
  await openExample(page, 'exim4');
  await settled(page);
  await kql(page, 'a:*');
  await replaceText(page, '#events-editor', '[\n  {"a": 1},\n  {"a": 2},\n]');
  const problems = page.locator('#events-problems');
  await expect(problems.locator('.problem')).toHaveText('✘ line 3:11 trailing comma');
  await settled(page);
  await expect(page.locator('#results-list [role=option]')).toHaveCount(2);
  await expect(page.locator('#results-list [data-status=alert], #results-list [data-status=match]')).toHaveCount(2);
});

test('values of the field are offered after field: and field ==', async ({ page }) => {
  await ready(page);
  await openExample(page, 'exim4');
  await settled(page);
  await kql(page, 'process.name:');
  await page.keyboard.press('Control+Space');
  const options = page.locator('#rule-editor .cm-tooltip-autocomplete li');
  await expect(options.first()).toBeVisible();
  // Most frequent first: bash is in three events.
  await expect(options.first()).toContainText('bash');
  await expect(options.filter({ hasText: 'systemctl' })).toHaveCount(1);
  await shot(page, 'complete-values-kql');
  await page.keyboard.press('Enter');
  await expect(page.locator('#rule-editor .cm-content')).toHaveText('process.name:bash');
  await page.keyboard.press('Escape');

  await page.getByRole('radio', { name: 'EQL' }).click();
  await replaceText(page, '#rule-editor', 'process where process.name == ');
  await page.keyboard.press('Control+Space');
  await expect(options.filter({ hasText: '"python3"' })).toHaveCount(1);
  await options.filter({ hasText: '"python3"' }).click();
  await expect(page.locator('#rule-editor .cm-content')).toHaveText('process where process.name == "python3"');
});
