// End-to-end tests of the exclusion-list chips under the rule editor: a chip's removal and an added
// value rewrite the rule text through the editor (so undo covers them) and the verdicts follow.
import { test, expect } from '@playwright/test';
import { watchPage, pageErrors, openExample } from './helpers.js';

test.use({ viewport: { width: 1400, height: 900 } });

watchPage();

const openExim4 = (page) => openExample(page, 'exim4');

/** The process.name exclusion list of the Exim4 rule, as written. */
const listOf = (text) => {
  const at = text.indexOf('not process.name:(');
  return text.slice(at, text.indexOf(')', at) + 1);
};

const ruleText = (page) => page.evaluate(() => {
  const host = document.querySelector('#rule-editor .cm-host');
  const content = host && host.shadowRoot && host.shadowRoot.querySelector('.cm-content');
  // The CodeMirror view hangs off its content element (what EditorView.findFromDOM reads).
  // @ts-ignore
  const tile = content && content.cmTile;
  return tile ? tile.root.view.state.doc.toString() : null;
});

test('chips remove and add exclusion values through the editor, undoably, and the verdicts follow', async ({ page }) => {
  await openExim4(page);
  const group = page.getByRole('group', { name: 'Exclusions: process.name' });
  await expect(group).toBeVisible();
  const values = ['exim4', 'start-stop-daemon', 'run-parts', 'systemctl', 'update-exim4.conf', 'install', 'plymouth', 'readlink', 'grep', 'stat', 'cmake', 'gcc', 'cppcheck', 'sort', 'sshd'];
  await expect(group.getByRole('listitem')).toHaveCount(values.length);
  for (const v of values) await expect(group.getByRole('button', { name: `Remove ${v}`, exact: true })).toBeVisible();

  // Event #1 is `sort` under exim4, kept out by the list.
  await expect(page.locator('#row-1')).toHaveAttribute('data-status', 'near');
  const before = await ruleText(page);
  expect(before).toContain(' sort ');

  await group.getByRole('button', { name: 'Remove sort', exact: true }).click();
  await expect(page.locator('#row-1')).toHaveAttribute('data-status', 'alert');
  await expect(page.locator('#row-1 .badge')).toContainText('alert');
  const ms = Number(await page.locator('body').getAttribute('data-chip-ms'));
  console.log(`chip click to verdicts on screen: ${ms} ms`);
  const after = await ruleText(page);
  expect(listOf(after)).not.toMatch(/\bsort\b/);
  await expect(group.getByRole('button', { name: 'Remove sort', exact: true })).toHaveCount(0);
  // The rest of the rule is untouched.
  expect(after.length).toBeLessThan(before.length);

  // Undo in the rule editor restores the text byte for byte, and the verdict with it.
  const host = page.locator('#rule-editor .cm-content');
  await host.click();
  await page.keyboard.press('Control+z');
  await expect.poll(() => ruleText(page)).toBe(before);
  await expect(page.locator('#row-1')).toHaveAttribute('data-status', 'near');
  await expect(group.getByRole('button', { name: 'Remove sort', exact: true })).toBeVisible();

  // Adding: type and press Enter. `bash` (event #0, an alert) is then excluded too.
  await expect(page.locator('#row-0')).toHaveAttribute('data-status', 'alert');
  const input = group.getByRole('textbox', { name: 'Add to process.name exclusions' });
  await input.fill('bash');
  await input.press('Enter');
  await expect.poll(() => ruleText(page)).toMatch(/not process\.name:\([^)]*\bbash\b[^)]*\)/);
  await expect(group.getByRole('button', { name: 'Remove bash', exact: true })).toBeVisible();
  await expect(page.locator('#row-0')).not.toHaveAttribute('data-status', 'alert');
  await expect(input).toHaveValue('');

  // A value the list already holds, typed again, is not added twice.
  const withBash = await ruleText(page);
  expect(listOf(withBash).match(/cppcheck/g)).toHaveLength(1);
  await input.fill('cppcheck');
  await input.press('Enter');
  await expect(input).toHaveValue('');
  expect(await ruleText(page)).toBe(withBash);
  await expect(group.getByRole('button', { name: 'Remove cppcheck', exact: true })).toHaveCount(1);

  // A paste of several lines adds each line.
  await input.focus();
  await page.evaluate(() => {
    const el = document.querySelector('input[aria-label="Add to process.name exclusions"]');
    const data = new DataTransfer();
    data.setData('text/plain', 'curl\nwget\n');
    el.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
  });
  await expect(group.getByRole('button', { name: 'Remove curl', exact: true })).toBeVisible();
  await expect(group.getByRole('button', { name: 'Remove wget', exact: true })).toBeVisible();

  // Keyboard: the remove buttons and the input are reachable with Tab.
  await group.getByRole('button', { name: 'Remove exim4', exact: true }).focus();
  await page.keyboard.press('Tab');
  await expect(group.getByRole('button', { name: 'Remove start-stop-daemon', exact: true })).toBeFocused();
});

test('a * is a literal character unless the value is added as a wildcard pattern', async ({ page }) => {
  await openExim4(page);
  const group = page.getByRole('group', { name: 'Exclusions: process.name' });
  const input = group.getByRole('textbox', { name: 'Add to process.name exclusions' });
  const asPattern = group.getByRole('checkbox', { name: 'Wildcard pattern, for process.name' });
  await expect(page.locator('#row-0')).toHaveAttribute('data-status', 'alert'); // bash
  await expect(asPattern).not.toBeChecked();

  // Literal: the core escapes the asterisk, so `ba*` names no process and bash still alerts.
  await input.fill('ba*');
  await input.press('Enter');
  await expect.poll(() => ruleText(page)).toContain('ba\\*');
  await expect(page.locator('#row-0')).toHaveAttribute('data-status', 'alert');
  await group.getByRole('button', { name: 'Remove ba*', exact: true }).click();
  await expect.poll(() => ruleText(page)).not.toContain('ba\\*');

  // As a pattern: written unescaped, it excludes bash; the chip says it is a pattern.
  await asPattern.check();
  await input.fill('ba*');
  await input.press('Enter');
  await expect.poll(() => ruleText(page)).toMatch(/ ba\*[\s)]/);
  await expect(page.locator('#row-0')).not.toHaveAttribute('data-status', 'alert');
  const chip = group.getByRole('listitem').filter({ hasText: 'ba*' });
  await expect(chip).toContainText('(wildcard pattern)');
  await expect(chip.getByRole('button', { name: 'Remove ba*', exact: true })).toBeVisible();
});

for (const scheme of ['light', 'dark']) {
  test(`${scheme} theme: the chips pass axe (contrast ≥ 4.5, names, roles)`, async ({ browser }) => {
    const { default: AxeBuilder } = await import('@axe-core/playwright');
    const context = await browser.newContext({ colorScheme: scheme, viewport: { width: 1400, height: 900 } });
    const page = await context.newPage();
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await openExim4(page);
    const input = page.getByRole('textbox', { name: 'Add to process.name exclusions' });
    await input.fill('typed');
    const result = await new AxeBuilder({ page }).include('#exclusions').analyze();
    expect(result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
    await context.close();
  });
}
