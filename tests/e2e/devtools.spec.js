// "Copy for Dev Tools": the console kit and the request alone, built by the second wasm module the
// worker fetches on the first click (www/devtools/, crate/src/es/).
import { test, expect } from '@playwright/test';
import { watchPage, openExample } from './helpers.js';

watchPage();

test.beforeEach(async ({ context }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
});

test('copies the Dev Tools kit and the request for the current rule, events and exceptions', async ({ page }) => {
  await openExample(page, 'exercise4_exception');
  const status = page.locator('#rule-export .export-status');
  await page.getByRole('button', { name: 'Copy for Dev Tools' }).click();
  await expect(status).toContainText('paste into Kibana');
  const kit = await page.evaluate(() => navigator.clipboard.readText());
  const index = /PUT \/(ruleplay-[0-9a-f]{16})\n/.exec(kit)?.[1];
  expect(index).toBeTruthy();
  expect(kit).toContain(`POST /${index}/_bulk?refresh=true`);
  expect(kit).toContain(`GET /${index}/_search`);
  expect(kit).toContain(`DELETE /${index}`);
  // The example's exception item (os_types windows) is in the query's must_not.
  expect(kit).toContain('"host.os.name.caseless": "windows"');

  await page.getByRole('button', { name: 'More copies for Dev Tools' }).click();
  await page.getByRole('menuitem', { name: 'Copy the request', exact: true }).click();
  await expect(status).toContainText('Request copied');
  await expect(page.getByRole('menu')).toHaveCount(0);
  const req = await page.evaluate(() => navigator.clipboard.readText());
  const [head, ...body] = req.split('\n');
  expect(head).toMatch(/^GET \/\S+\/_search$/);
  const parsed = JSON.parse(body.join('\n'));
  expect(parsed.query.bool.must_not).toHaveLength(1);
});

test('an EQL rule gives an _eql/search request', async ({ page }) => {
  await openExample(page, 'foxmail');
  await page.getByRole('button', { name: 'More copies for Dev Tools' }).click();
  await page.getByRole('menuitem', { name: "Copy the request with the rule's time window" }).click();
  await expect(page.locator('#rule-export .export-status')).toContainText('Request copied');
  const req = await page.evaluate(() => navigator.clipboard.readText());
  const lines = req.split('\n');
  expect(lines.find((l) => !l.startsWith('#'))).toMatch(/\/_eql\/search$/);
  expect(req).toContain('strict_date_optional_time');
  // Escape closes the menu.
  await page.getByRole('button', { name: 'More copies for Dev Tools' }).click();
  await expect(page.getByRole('menu')).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(page.getByRole('menu')).toHaveCount(0);
});
