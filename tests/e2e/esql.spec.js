// ES|QL rules on the page (issue 16 §2, §3): the ES|QL wasm module loads with the first ES|QL rule,
// the results show the stage counts and the output table with each row's events, a selected event
// says where it dropped out (with its WHERE clause tree), and the exclusion chips edit the query.
import { test, expect } from '@playwright/test';
import { watchPage, openExample } from './helpers.js';

test.use({ viewport: { width: 1400, height: 900 } });

watchPage();

const ruleText = (page) => page.evaluate(() => {
  const host = document.querySelector('#rule-editor .cm-host');
  const content = host && host.shadowRoot && host.shadowRoot.querySelector('.cm-content');
  // @ts-ignore
  const tile = content && content.cmTile;
  return tile ? tile.root.view.state.doc.toString() : null;
});

test('an aggregating ES|QL rule: stage counts, one output row with its grouped events, a dropped event explained', async ({ page }) => {
  const wasm = [];
  page.on('request', (r) => { if (r.url().endsWith('.wasm')) wasm.push(r.url().split('/').pop()); });
  await openExample(page, 'esql_widespread_malware');
  expect(wasm).toContain('ruleplay_full_bg.wasm');
  for (const i of [0, 1, 2, 3]) await expect(page.locator(`#row-${i}`)).toHaveAttribute('data-status', 'alert');
  for (const i of [4, 5, 6, 9]) await expect(page.locator(`#row-${i}`)).toHaveAttribute('data-status', 'match');

  const box = page.locator('#esql-results');
  await expect(box).toBeVisible();
  const stages = box.getByLabel('Rows after each command');
  await expect(stages).toContainText('FROM 10');
  await expect(stages).toContainText('WHERE 8');
  await expect(stages).toContainText('STATS 4');
  await expect(stages).toContainText('WHERE 1');
  await expect(stages).toContainText('1 alert: one per output row');
  const table = box.getByRole('table', { name: 'ES|QL output table' });
  await expect(table.locator('thead')).toContainText('Esql.host_id_count_distinct');
  await expect(table.locator('thead')).toContainText('rule.name');
  await expect(table.locator('tbody tr')).toHaveCount(1);
  await expect(table.locator('tbody tr').first()).toContainText('Windows.Trojan.Emotet');
  for (const i of [0, 1, 2, 3]) await expect(table.getByRole('button', { name: `#${i}`, exact: true })).toBeVisible();

  // Event #7 (event.code "behavior") dropped out at the first WHERE; its clause tree says why.
  await page.locator('#row-7').click();
  const why = page.locator('#explain');
  await expect(why.locator('[data-testid=esql-explain]')).toContainText('Dropped out at WHERE (command 2)');
  await expect(why).toContainText('event.code');
  await expect(why.getByRole('tree').first()).toBeVisible();
  await page.screenshot({ path: 'test-results/esql-dropped.png' });

  // Event #4's group had two hosts: the WHERE after STATS dropped its row.
  await page.locator('#row-4').click();
  await expect(why.locator('[data-testid=esql-explain]')).toContainText('Dropped out at WHERE (command 5)');
  await expect(why).toContainText('Esql.host_id_count_distinct');

  // An alerting event: the row it went into and the events grouped with it; a click selects one.
  await table.getByRole('button', { name: '#2', exact: true }).click();
  await expect(why.locator('[data-testid=esql-explain]')).toContainText('Source of output row 1, grouped with');
  // Styled by its own sheet (the CSP forbids inline styles), with nothing refused.
  await expect(table.locator('td').first()).toHaveCSS('white-space', 'nowrap');
  expect(await page.evaluate(() => /** @type {any} */ (window).__csp)).toEqual([]);
  await page.screenshot({ path: 'test-results/esql-aggregating.png' });
});

test('an event-level ES|QL rule: rows per event, the KEEP columns, and an exclusion chip edits the query', async ({ page }) => {
  await openExample(page, 'esql_bedrock_phantom_user');
  for (const i of [0, 1, 9]) await expect(page.locator(`#row-${i}`)).toHaveAttribute('data-status', 'alert');
  await expect(page.locator('#row-6')).not.toHaveAttribute('data-status', 'alert');
  const box = page.locator('#esql-results');
  await expect(box.getByLabel('Rows after each command')).toContainText('WHERE 3');
  const table = box.getByRole('table', { name: 'ES|QL output table' });
  await expect(table.locator('tbody tr')).toHaveCount(3);
  await expect(table.locator('thead')).toContainText('aws.cloudtrail.user_identity.arn');
  await expect(table.locator('thead')).toContainText('_id');

  const arn = 'arn:aws:iam::111122223333:role/bedrock-key-rotation';
  const group = page.getByRole('group', { name: 'Exclusions: aws.cloudtrail.user_identity.arn' });
  await expect(group.getByRole('button', { name: `Remove ${arn}`, exact: true })).toBeVisible();
  await page.screenshot({ path: 'test-results/esql-event-level.png' });
  await group.getByRole('button', { name: `Remove ${arn}`, exact: true }).click();
  await expect.poll(() => ruleText(page)).not.toContain('bedrock-key-rotation');
  await expect(page.locator('#row-6')).toHaveAttribute('data-status', 'alert');
  await expect(box.getByLabel('Rows after each command')).toContainText('WHERE 4');

  // Undo in the rule editor restores the list, and the verdict with it.
  await page.locator('#rule-editor .cm-content').click();
  await page.keyboard.press('Control+z');
  await expect.poll(() => ruleText(page)).toContain('bedrock-key-rotation');
  await expect(page.locator('#row-6')).not.toHaveAttribute('data-status', 'alert');
});
