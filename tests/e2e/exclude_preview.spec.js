// End-to-end: "Exclude this" with its preview, the diff line, page-level undo and the rule export,
// on the Exim4 example (issue 11 §6), then the same dialog by keyboard alone, and axe over it.
import { test, expect } from '@playwright/test';
import fs from 'node:fs';
import { watchPage, pageErrors, openExample } from './helpers.js';

test.use({ viewport: { width: 1400, height: 900 } });

watchPage();

const openExim4 = (page) => openExample(page, 'exim4');

/** An editor's text, read off its CodeMirror view. */
const editorText = (page, id) => page.evaluate((id) => {
  const host = document.querySelector(`#${id} .cm-host`);
  const content = host && host.shadowRoot && host.shadowRoot.querySelector('.cm-content');
  // @ts-ignore
  const tile = content && content.cmTile;
  return tile ? tile.root.view.state.doc.toString() : null;
}, id);

/** The process.name exclusion list of the Exim4 rule, as written. */
const listOf = (text) => {
  const at = text.indexOf('not process.name:(');
  return text.slice(at, text.indexOf(')', at) + 1);
};

test('§6: remove sort, exclude /usr/bin/bash with its preview, undo, export the rule', async ({ page }) => {
  await openExim4(page);
  const original = await editorText(page, 'rule-editor');
  const diff = page.locator('#diff-line');

  // Remove `sort` with its chip: the sort event (#1) alerts and the diff line says +1.
  const chips = page.getByRole('group', { name: 'Exclusions: process.name' });
  await chips.getByRole('button', { name: 'Remove sort', exact: true }).click();
  await expect(page.locator('#row-1')).toHaveAttribute('data-status', 'alert');
  await expect(diff).toBeVisible();
  await expect(diff).toHaveAttribute('role', 'status');
  await expect(diff).toContainText('+1 alert');
  await expect(diff.getByRole('button', { name: '#1' })).toBeVisible();
  await expect(page.locator('#row-1')).toContainText('changed, was no match');
  await expect(page.locator('#row-0')).not.toContainText('changed');
  // The listed event is clickable: it selects that event.
  await diff.getByRole('button', { name: '#1' }).click();
  await expect(page.locator('#explain h3')).toHaveText('Why #1');

  // Coverage: each chip has a count; a value no event has is flagged.
  await expect(page.locator('body')).toHaveAttribute('data-coverage-ms', /\d+/);
  await expect(chips.locator('.excl-chip', { hasText: 'cppcheck' }).locator('.cov')).toHaveAttribute('aria-label', 'excludes 0 events in this sample');
  await expect(chips.locator('.cov-flags')).toContainText('cppcheck');
  await expect(chips.locator('.excl-chip', { hasText: 'systemctl' }).locator('.cov')).toHaveAttribute('aria-label', 'excludes 1 event in this sample');
  await expect(page.locator('#explain .clause-line .cov').first()).toBeVisible();

  // "Exclude this" on /usr/bin/bash in event #0's JSON: the preview first, nothing applied.
  await page.locator('#row-0').click();
  await expect(page.locator('#explain h3')).toHaveText('Why #0');
  const alertsBefore = await page.locator('#results-list .row[data-status="alert"]').count();
  await page.getByRole('button', { name: 'Exclude this: process.executable is /usr/bin/bash' }).click();
  const dialog = page.getByRole('dialog', { name: 'Exclude this' });
  await expect(dialog).toBeVisible();
  const item = dialog.getByRole('radio', { name: /Exception item: process\.executable is “\/usr\/bin\/bash”/ });
  await expect(item).toBeChecked();
  const preview = dialog.locator('#exclude-preview');
  await expect(preview).toHaveText('Preview: removes 2 alerts (#0, #13); 1 other verdict changes (#5 match → suppressed).');
  expect(await editorText(page, 'exceptions-editor')).toBe('');
  // The narrower item follows the checkboxes, live.
  await dialog.getByRole('radio', { name: /Narrower exception item/ }).check();
  await dialog.getByRole('checkbox', { name: /^host\.name is/ }).check();
  await expect(preview).toHaveText('Preview: removes 2 alerts (#0, #13); 1 other verdict changes (#5 match → suppressed).');
  await dialog.getByRole('checkbox', { name: /^process\.executable is/ }).uncheck();
  await expect(preview).toContainText('removes 6 alerts');
  await item.check();
  await expect(preview).toHaveText('Preview: removes 2 alerts (#0, #13); 1 other verdict changes (#5 match → suppressed).');
  await dialog.getByRole('button', { name: 'Apply' }).click();
  await expect(dialog).toBeHidden();

  // Applied: exactly those alerts are gone, by one item in the exceptions editor.
  await expect(page.locator('#row-0')).toHaveAttribute('data-status', 'suppressed');
  await expect(page.locator('#row-13')).toHaveAttribute('data-status', 'suppressed');
  await expect(page.locator('#results-list .row[data-status="alert"]')).toHaveCount(alertsBefore - 2);
  await expect(diff).toContainText('−2 alerts');
  const exceptions = await editorText(page, 'exceptions-editor');
  expect(exceptions.trim().split('\n')).toHaveLength(1);
  expect(JSON.parse(exceptions).entries).toEqual([{ type: 'match', field: 'process.executable', operator: 'included', value: '/usr/bin/bash' }]);

  // Undo (page-level, focus outside the editors) takes the exception out, then puts sort back.
  await page.getByRole('button', { name: 'Undo' }).click();
  await expect.poll(() => editorText(page, 'exceptions-editor')).toBe('');
  await expect(page.locator('#row-0')).toHaveAttribute('data-status', 'alert');
  expect(listOf(await editorText(page, 'rule-editor'))).not.toMatch(/\bsort\b/);

  // The export: the original file but for the list.
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Download rule (TOML)' }).click();
  const file = fs.readFileSync(await (await download).path(), 'utf8');
  expect(file).toBe(await editorText(page, 'rule-editor'));
  expect(listOf(file)).not.toMatch(/\bsort\b/);
  expect(file.replace(listOf(file), 'LIST')).toBe(original.replace(listOf(original), 'LIST'));
  await expect(page.locator('.export-status')).toContainText('Only the query differs from the file as opened.');

  // Ctrl+Z outside the editors undoes the chip; Ctrl+Shift+Z redoes it.
  await page.locator('#results-list').focus();
  await page.keyboard.press('Control+z');
  await expect.poll(() => editorText(page, 'rule-editor')).toBe(original);
  await expect(page.locator('#row-1')).not.toHaveAttribute('data-status', 'alert');
  await page.keyboard.press('Control+Shift+z');
  await expect.poll(async () => listOf(await editorText(page, 'rule-editor'))).not.toMatch(/\bsort\b/);
  await page.getByRole('button', { name: 'Redo' }).click();
  await expect.poll(() => editorText(page, 'exceptions-editor')).toContain('/usr/bin/bash');
});

test('"Exclude this" works by keyboard alone, from a result row', async ({ page }) => {
  await openExim4(page);
  const list = page.locator('#results-list');
  await list.focus();
  await page.keyboard.press('Home');
  await expect(page.locator('#explain h3')).toHaveText('Why #0');
  await page.keyboard.press('x');
  const dialog = page.getByRole('dialog', { name: 'Exclude this' });
  await expect(dialog).toBeVisible();
  // The first choice has the focus; the arrows move between the choices.
  const first = dialog.getByRole('radio').first();
  await expect(first).toBeFocused();
  await expect(dialog.locator('#exclude-preview')).toContainText('Preview: removes 2 alerts (#0, #13)');
  await page.keyboard.press('ArrowDown');
  await expect(dialog.getByRole('radio', { name: /Narrower/ })).toBeChecked();
  await expect(dialog.getByRole('checkbox').first()).toBeEnabled();
  await page.keyboard.press('ArrowUp');
  await expect(first).toBeChecked();
  await expect(dialog.locator('#exclude-preview')).toContainText('Preview: removes 2 alerts (#0, #13)');
  // Escape closes without change and gives the focus back to the list.
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  await expect(list).toBeFocused();
  expect(await editorText(page, 'exceptions-editor')).toBe('');
  // Again, and apply with the keyboard: Tab to Apply, Enter.
  await page.keyboard.press('x');
  await expect(dialog.locator('#exclude-preview')).toContainText('Preview: removes 2 alerts');
  const apply = dialog.getByRole('button', { name: 'Apply' });
  await expect(apply).toBeEnabled();
  for (let i = 0; i < 40 && !(await apply.evaluate((b) => b === document.activeElement)); i++) await page.keyboard.press('Tab');
  await expect(apply).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(dialog).toBeHidden();
  await expect(page.locator('#row-0')).toHaveAttribute('data-status', 'suppressed');
  await expect(list).toBeFocused();

  // From a clause of the explanation: `x` on it offers the value it looked at.
  const clause = page.locator('#explain [role=treeitem]:has(> .clause-line .val[data-path="host.os.type"])');
  await clause.focus();
  await page.keyboard.press('x');
  await expect(dialog.getByRole('radio', { name: /Exception item: host\.os\.type is “linux”/ })).toBeChecked();
  await expect(dialog.locator('#exclude-preview')).toContainText('Preview:');
  await page.keyboard.press('Escape');
  await expect(clause).toBeFocused();
});

for (const scheme of /** @type {const} */ (['light', 'dark'])) {
  test(`${scheme} theme: the "Exclude this" dialog and the diff line pass axe`, async ({ browser }) => {
    const { default: AxeBuilder } = await import('@axe-core/playwright');
    const context = await browser.newContext({ colorScheme: scheme, viewport: { width: 1400, height: 900 } });
    const page = await context.newPage();
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await openExim4(page);
    await page.getByRole('group', { name: 'Exclusions: process.name' }).getByRole('button', { name: 'Remove sort', exact: true }).click();
    await expect(page.locator('#diff-line')).toContainText('+1 alert');
    await page.locator('#row-0').click();
    await page.getByRole('button', { name: 'Exclude this: process.executable is /usr/bin/bash' }).click();
    const dialog = page.getByRole('dialog', { name: 'Exclude this' });
    await expect(dialog.locator('#exclude-preview')).toContainText('Preview:');
    const inDialog = await new AxeBuilder({ page }).include('#exclude-dialog').analyze();
    expect(inDialog.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
    await page.keyboard.press('Escape');
    const around = await new AxeBuilder({ page }).include('#diff-line').include('#rule-export').include('#exclusions').include('#explain').include('.actions').analyze();
    expect(around.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
    await context.close();
  });
}
