// End-to-end tests of the exceptions form: a second view of the exceptions editor's NDJSON. Form
// edits go through the core into that editor as one change each (so its undo covers them), the
// NDJSON view and the form show the same items, and the core's warnings sit beside their entry.
import { test, expect } from '@playwright/test';
import { watchPage, pageErrors, openExample } from './helpers.js';

test.use({ viewport: { width: 1400, height: 900 } });

watchPage();

const openExim4 = (page) => openExample(page, 'exim4');

/** The CodeMirror view of an editor element (it hangs off its content element). */
const viewCall = (page, id, fn, arg) => page.evaluate(([id, fn, arg]) => {
  const host = document.querySelector(`#${id} .cm-host`);
  const content = host && host.shadowRoot && host.shadowRoot.querySelector('.cm-content');
  // @ts-ignore
  const view = content && content.cmTile && content.cmTile.root.view;
  if (!view) return null;
  // eslint-disable-next-line no-new-func
  return new Function('view', 'arg', fn)(view, arg);
}, [id, fn, arg]);

const exceptionsText = (page) => viewCall(page, 'exceptions-editor', 'return view.state.doc.toString()');

test('an item added with the form changes the verdicts, shows in NDJSON, and undoes in the editor', async ({ page }) => {
  await openExim4(page);
  // Event #1 is `sort` under exim4, kept out by the rule's own exclusion list: take it out of the
  // list, so the event alerts and an exception can suppress it.
  await page.getByRole('group', { name: 'Exclusions: process.name' }).getByRole('button', { name: 'Remove sort', exact: true }).click();
  await expect(page.locator('#row-1')).toHaveAttribute('data-status', 'alert');

  await page.locator('#exceptions > summary').click();
  const panel = page.locator('#exceptions');
  await expect(panel.getByRole('tab', { name: 'Form' })).toHaveAttribute('aria-selected', 'true');
  await panel.getByRole('button', { name: 'Add item' }).click();
  const field = panel.getByRole('combobox', { name: 'Field' }).first();
  await expect(field).toBeFocused();
  await field.fill('process.name');
  await expect(panel.getByRole('combobox', { name: 'Operator' }).first()).toHaveValue('is');
  await panel.getByRole('textbox', { name: 'Value' }).first().fill('sort');
  await expect(page.locator('#row-1')).toHaveAttribute('data-status', 'suppressed');
  console.log(`form edit to verdicts on screen: ${await page.locator('body').getAttribute('data-exceptions-ms')} ms`);
  await expect(page.locator('#exceptions-count')).toHaveText('(1)');
  const withSort = await exceptionsText(page);

  // The NDJSON view holds the same item: a list line, the item, the summary.
  await panel.getByRole('tab', { name: 'NDJSON' }).click();
  await expect(panel.getByRole('tab', { name: 'NDJSON' })).toHaveAttribute('aria-selected', 'true');
  await expect(page.locator('#exceptions-editor')).toBeVisible();
  const lines = withSort.trim().split('\n').map((l) => JSON.parse(l));
  expect(lines).toHaveLength(3);
  expect(lines[1].entries).toEqual([{ type: 'match', field: 'process.name', operator: 'included', value: 'sort' }]);
  // What Kibana's import requires of an item, kept through the form's edits.
  expect(lines[1].item_id).toBeTruthy();
  expect(lines[1].list_id).toBe(lines[0].list_id);
  expect(lines[1].namespace_type).toBe('single');
  expect(lines[2].exported_exception_list_item_count).toBe(1);
  await expect(page.locator('#exceptions-editor .cm-host')).toBeVisible();

  // An edit in the NDJSON shows in the form.
  await viewCall(page, 'exceptions-editor', `
    const text = view.state.doc.toString();
    const at = text.indexOf('"value":"sort"');
    view.dispatch({ changes: { from: at + 9, to: at + 13, insert: 'grep' }, userEvent: 'input.type' });
  `);
  await panel.getByRole('tab', { name: 'Form' }).click();
  await expect(panel.getByRole('textbox', { name: 'Value' }).first()).toHaveValue('grep');
  await expect(page.locator('#row-1')).toHaveAttribute('data-status', 'alert');

  // A "*" with "is" gets Kibana's suggestion of "matches", beside the entry; its button applies it.
  const value = panel.getByRole('textbox', { name: 'Value' }).first();
  await value.fill('so*');
  await expect(value).toBeFocused();
  const warning = panel.locator('.exc-w-wildcard_with_is');
  await expect(warning).toContainText('Change the operator to "matches"');
  const beforeFix = await exceptionsText(page);
  await warning.getByRole('button', { name: 'Change to matches' }).click();
  await expect(panel.getByRole('combobox', { name: 'Operator' }).first()).toHaveValue('matches');
  await expect(warning).toHaveCount(0);
  await expect(page.locator('#row-1')).toHaveAttribute('data-status', 'suppressed');

  // Ctrl+Z in the exceptions editor reverts that form edit, and the form follows.
  await panel.getByRole('tab', { name: 'NDJSON' }).click();
  await page.locator('#exceptions-editor .cm-content').click();
  await page.keyboard.press('Control+z');
  await expect.poll(() => exceptionsText(page)).toBe(beforeFix);
  await panel.getByRole('tab', { name: 'Form' }).click();
  await expect(panel.getByRole('combobox', { name: 'Operator' }).first()).toHaveValue('is');
  await expect(page.locator('#row-1')).toHaveAttribute('data-status', 'alert');
});

test('the form edits names, nested groups and removals; expired items say so; fields complete', async ({ page }) => {
  await openExim4(page);
  await page.locator('#exceptions > summary').click();
  const panel = page.locator('#exceptions');
  await panel.getByRole('button', { name: 'Add item' }).click();
  await panel.getByRole('textbox', { name: 'Name', exact: true }).fill('Known jobs');
  await panel.getByRole('textbox', { name: 'Tags' }).fill('cron, mail');
  await panel.getByRole('textbox', { name: 'Comments' }).fill('checked with ops');
  await expect.poll(async () => JSON.parse((await exceptionsText(page)).split('\n')[1])).toMatchObject({
    name: 'Known jobs', tags: ['cron', 'mail'], comments: [{ comment: 'checked with ops' }],
  });
  // Typing kept the caret where it was.
  await expect(panel.getByRole('textbox', { name: 'Comments' })).toBeFocused();

  // Completion offers the events' fields first.
  const options = await page.locator('#exceptions datalist option').evaluateAll((os) => os.map((o) => /** @type {HTMLOptionElement} */ (o).value));
  expect(options).toContain('process.parent.name');
  expect(options).toContain('file.path');

  // A field no event has is said so, with the nearest name.
  // Typed key by key (each key an edit through the core): no key is lost, the caret stays.
  const field = panel.getByRole('combobox', { name: 'Field' }).first();
  await field.click();
  await field.pressSequentially('proces.name');
  await expect(panel.locator('.exc-w-unknown_field')).toContainText('did you mean "process.name"');
  await expect(field).toBeFocused();
  await expect(field).toHaveValue('proces.name');
  await expect.poll(async () => JSON.parse((await exceptionsText(page)).split('\n')[1]).entries[0].field).toBe('proces.name');

  // Operators: is one of takes Values; a nested group has its own entries.
  await panel.getByRole('combobox', { name: 'Operator' }).first().selectOption('is one of');
  await panel.getByRole('textbox', { name: 'Values', exact: true }).fill('a, b');
  await panel.getByRole('button', { name: 'Add nested group' }).click();
  await expect.poll(async () => JSON.parse((await exceptionsText(page)).split('\n')[1]).entries).toEqual([
    { type: 'match_any', field: 'proces.name', operator: 'included', value: ['a', 'b'] },
    { type: 'nested', field: '', entries: [{ type: 'match', field: '', operator: 'included', value: '' }] },
  ]);
  await panel.getByRole('button', { name: 'Remove entry' }).last().click();
  await expect.poll(async () => JSON.parse((await exceptionsText(page)).split('\n')[1]).entries[1].entries).toEqual([]);

  // An item past its expiry is shown as expired, and not applied.
  await panel.getByRole('textbox', { name: 'Expires' }).fill('2020-01-01T00:00:00Z');
  await expect(panel.locator('.exc-badge')).toHaveText('expired, not applied');
  await expect(panel.locator('.exc-w-expired')).toContainText('Expired at 2020-01-01T00:00:00Z');

  // Remove item leaves the list line and the summary (0 items).
  await panel.getByRole('button', { name: 'Remove item' }).click();
  await expect.poll(async () => (await exceptionsText(page)).trim().split('\n').length).toBe(2);
  await expect(panel.getByRole('button', { name: 'Add item' })).toBeFocused();
});

for (const scheme of ['light', 'dark']) {
  test(`${scheme} theme: the exceptions form passes axe (contrast ≥ 4.5, names, roles)`, async ({ browser }) => {
    const { default: AxeBuilder } = await import('@axe-core/playwright');
    const context = await browser.newContext({ colorScheme: scheme, viewport: { width: 1400, height: 900 } });
    const page = await context.newPage();
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await openExim4(page);
    await page.locator('#exceptions > summary').click();
    const panel = page.locator('#exceptions');
    await panel.getByRole('button', { name: 'Add item' }).click();
    await panel.getByRole('combobox', { name: 'Field' }).first().fill('process.name');
    await panel.getByRole('textbox', { name: 'Value' }).first().fill('so*');
    await panel.getByRole('textbox', { name: 'Expires' }).fill('2020-01-01T00:00:00Z');
    await expect(panel.locator('.exc-w-wildcard_with_is')).toBeVisible();
    await expect(panel.locator('.exc-badge')).toBeVisible();
    const result = await new AxeBuilder({ page }).include('#exceptions').analyze();
    const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    expect(bad.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
    await page.screenshot({ path: `test-results/exceptions-form-${scheme}.png` });
    await context.close();
  });
}
