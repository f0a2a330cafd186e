// Exceptions import/export and value lists on the page: a detection-rules TOML file imported by the
// picker lands in the exceptions editor as Kibana NDJSON (one undoable change); the downloads equal
// the core's export (tests/fixtures/exceptions_io/, which crate/tests/exceptions_export.rs pins to the
// core); a value list turns the `is in list` item on, and the alert becomes suppressed.
import { test, expect } from '@playwright/test';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { watchPage, pageErrors, ready, settled } from './helpers.js';

const FIX = path.join(process.cwd(), 'tests', 'fixtures', 'exceptions_io');
const fixture = (name) => fs.readFileSync(path.join(FIX, name), 'utf8');
const fragment = (state) => `#v1.${Buffer.from(zlib.deflateRawSync(Buffer.from(JSON.stringify(state), 'utf8'))).toString('base64url')}`;

const EVENTS = [
  { '@timestamp': '2026-11-23T10:00:00Z', event: { category: 'authentication', outcome: 'success' }, source: { ip: '10.0.0.5' }, host: { os: { type: 'linux' } }, user: { name: 'root' } },
  { '@timestamp': '2026-11-23T10:01:00Z', event: { category: 'authentication', outcome: 'success' }, source: { ip: '198.51.100.7' }, host: { os: { type: 'linux' } }, user: { name: 'root' } },
].map((e) => JSON.stringify(e)).join('\n');
const STATE = { mode: 'kql', rule: 'event.category:authentication and user.name:root', events: EVENTS };

watchPage();
test.use({ viewport: { width: 1400, height: 900 } });

/** @param {import('@playwright/test').Page} page @param {string} button */
async function downloaded(page, button) {
  const [dl] = await Promise.all([page.waitForEvent('download'), page.locator(button).click()]);
  return fs.readFileSync(await dl.path(), 'utf8');
}

test('import a detection-rules TOML file, download both formats, a value list suppresses', async ({ page }) => {
  await ready(page, fragment(STATE));
  await settled(page);
  await expect(page.locator('#counts [data-count=alert]')).toHaveText('2 alerts');

  await page.locator('#exceptions > summary').click();
  await page.locator('#exceptions-import-file').setInputFiles({ name: 'ssh_admin_exceptions.toml', mimeType: 'application/toml', buffer: Buffer.from(fixture('ssh_admin_exceptions.toml')) });
  await expect(page.locator('#exceptions-io-status')).toContainText('Imported ssh_admin_exceptions.toml');
  await expect(page.locator('#exceptions-count')).toHaveText('(1)');
  await expect(page.locator('#exceptions-editor')).toContainText('admin-jump-hosts.txt');
  await settled(page);
  // The item's value list is not loaded: reported, not applied.
  await expect(page.locator('#counts [data-count=alert]')).toHaveText('2 alerts');

  expect(await downloaded(page, '#exceptions-download-ndjson')).toBe(fixture('ssh_admin_exceptions.ndjson'));
  expect(await downloaded(page, '#exceptions-download-toml')).toBe(fixture('ssh_admin_exceptions.toml'));

  await page.locator('#vl-id').fill('admin-jump-hosts.txt');
  await page.locator('#vl-type').selectOption('ip');
  await page.locator('#vl-text').fill('10.0.0.5\n10.0.0.6\n');
  await page.locator('#vl-add').click();
  await expect(page.locator('#vl-loaded li')).toContainText('admin-jump-hosts.txt (ip): 2 values');
  await settled(page);
  await expect(page.locator('#counts [data-count=alert]')).toHaveText('1 alert');
  await expect(page.locator('#counts [data-count=suppressed]')).toHaveText('1 suppressed');
  await page.locator('#exceptions').screenshot({ path: 'test-results/exceptions-io.png' });

  // The import was one change of the exceptions editor: one undo empties it again.
  await page.locator('#exceptions').getByRole('tab', { name: 'NDJSON' }).click();
  await page.locator('#exceptions-editor .cm-content').click();
  await page.keyboard.press('Control+z');
  await expect(page.locator('#exceptions-count')).toHaveText('');

  // Removing the list takes the suppression away.
  await page.keyboard.press('Control+y');
  await page.locator('#vl-loaded .vl-remove').click();
  await settled(page);
  await expect(page.locator('#counts [data-count=suppressed]')).toHaveText('0 suppressed');
});

test('a bad value list line is reported with its line; share state carries the lists', async ({ page }) => {
  const lists = [{ id: 'admin-jump-hosts.txt', type: 'ip', values: '10.0.0.5\nnot-an-ip\n' }];
  const exceptions = fixture('ssh_admin_exceptions.ndjson');
  await ready(page, fragment({ ...STATE, exceptions, lists }));
  await settled(page);
  await expect(page.locator('#vl-loaded li')).toContainText('1 value');
  await expect(page.locator('#vl-loaded li')).toContainText('line 2');
  await expect(page.locator('#counts [data-count=suppressed]')).toHaveText('1 suppressed');
});

test("the rule's exception-list references show whether the list is loaded, and open it", async ({ page }) => {
  const rule = [
    '[metadata]', 'creation_date = "2026/11/23"', '', '[rule]', 'name = "Root SSH logon"', 'description = "d"',
    'rule_id = "00000000-0000-4000-8000-000000000001"', 'type = "query"', 'language = "kuery"', 'risk_score = 21',
    'severity = "low"', "query = 'event.category:authentication and user.name:root'", '',
    '[[rule.exceptions_list]]', 'id = "9a1b2c3d-0000-4000-8000-000000000001"', 'list_id = "ssh-admin-exceptions"',
    'namespace_type = "single"', 'type = "detection"', '',
  ].join('\n');
  await ready(page, fragment({ mode: 'toml', rule, events: EVENTS, lists: [{ id: 'admin-jump-hosts.txt', type: 'ip', values: '10.0.0.5\n' }] }));
  await settled(page);
  await page.locator('#exceptions > summary').click();
  const ref = page.locator('#exceptions-refs li[data-list-id="ssh-admin-exceptions"]');
  await expect(ref).toContainText('not loaded');
  await expect(ref).toContainText('detection, single');
  const [chooser] = await Promise.all([page.waitForEvent('filechooser'), ref.locator('button').click()]);
  await chooser.setFiles({ name: 'ssh_admin_exceptions.toml', mimeType: 'application/toml', buffer: Buffer.from(fixture('ssh_admin_exceptions.toml')) });
  await expect(ref).toContainText('✔ loaded');
  await settled(page);
  await expect(page.locator('#counts [data-count=suppressed]')).toHaveText('1 suppressed');
  await page.locator('#exceptions').screenshot({ path: 'test-results/exceptions-io-refs.png' });
});

for (const scheme of ['light', 'dark']) {
  test(`${scheme} theme: the exceptions toolbar, references and value lists pass axe`, async ({ browser }) => {
    const { default: AxeBuilder } = await import('@axe-core/playwright');
    const context = await browser.newContext({ colorScheme: scheme, viewport: { width: 1400, height: 900 } });
    const page = await context.newPage();
    page.on('pageerror', (e) => pageErrors.push(e.message));
    const lists = [{ id: 'admin-jump-hosts.txt', type: 'ip', values: '10.0.0.5\nnope\n' }];
    await ready(page, fragment({ ...STATE, exceptions: fixture('ssh_admin_exceptions.ndjson'), lists }));
    await settled(page);
    // A restored state with exceptions opens the panel already.
    await expect(page.locator('#exceptions')).toHaveAttribute('open', '');
    await expect(page.locator('#vl-loaded li')).toBeVisible();
    await expect(page.locator('#vl-loaded li')).toContainText('line 2');
    const result = await new AxeBuilder({ page }).include('#exceptions-io').analyze();
    expect(result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
    await page.locator('#exceptions').screenshot({ path: `test-results/exceptions-io-${scheme}.png` });
    await context.close();
  });
}

test('a TOML file dropped on the exceptions editor is imported', async ({ page }) => {
  await ready(page, fragment(STATE));
  await settled(page);
  await page.locator('#exceptions > summary').click();
  const toml = fixture('ssh_admin_exceptions.toml');
  const dt = await page.evaluateHandle((text) => {
    const d = new DataTransfer();
    d.items.add(new File([text], 'ssh_admin_exceptions.toml', { type: 'application/toml' }));
    return d;
  }, toml);
  await page.locator('#exceptions-editor').dispatchEvent('drop', { dataTransfer: dt });
  await expect(page.locator('#exceptions-count')).toHaveText('(1)');
  await expect(page.locator('#exceptions-editor')).toContainText('"list_id":"ssh-admin-exceptions"');
  await expect(page.locator('#exceptions-io-status')).toContainText('Imported ssh_admin_exceptions.toml');
});
