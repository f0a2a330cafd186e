// The Mappings panel: a user mapping's field types override ECS in the engine (issue 13, §5).
import { test, expect } from '@playwright/test';
import { watchPage, ready, settled } from './helpers.js';

test.use({ viewport: { width: 1400, height: 900 } });

watchPage();

async function replaceText(page, editor, text) {
  await page.locator(`${editor} .cm-content`).click();
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Delete');
  await page.keyboard.insertText(text);
}

test('a mapping typed into the panel changes how the query compares', async ({ page }) => {
  await ready(page);
  await page.getByRole('radio', { name: 'KQL' }).click();
  await replaceText(page, '#rule-editor', 'custom.score > 9');
  await replaceText(page, '#events-editor', '{"custom":{"score":9}}\n{"custom":{"score":10}}');
  await settled(page);
  // Unmapped: a keyword, "10" < "9" as strings.
  await expect(page.locator('#row-1')).toHaveAttribute('data-status', /no_match|near/);
  await page.locator('#mappings summary').click();
  await page.getByLabel(/Elasticsearch mapping/).fill('{"properties": {"custom": {"properties": {"score": {"type": "long"}}}}}');
  await expect(page.locator('#mappings-problems')).toContainText('2 mapped fields');
  await settled(page);
  await expect(page.locator('#row-1')).toHaveAttribute('data-status', /match|alert/);
  await page.screenshot({ path: 'test-results/mappings-panel.png' });
  // Not a mapping: said so, and ECS only again.
  await page.getByLabel(/Elasticsearch mapping/).fill('{"nothing": 1}');
  await expect(page.locator('#mappings-problems')).toContainText('no "properties" found');
});

test('the mapping is part of the saved and shared state: a reload restores it and its verdicts', async ({ page }) => {
  await ready(page);
  await page.getByRole('radio', { name: 'KQL' }).click();
  await replaceText(page, '#rule-editor', 'custom.score > 9');
  await replaceText(page, '#events-editor', '{"custom":{"score":9}}\n{"custom":{"score":10}}');
  await page.locator('#mappings summary').click();
  const mapping = '{"properties": {"custom": {"properties": {"score": {"type": "long"}}}}}';
  await page.getByLabel(/Elasticsearch mapping/).fill(mapping);
  await expect(page.locator('#mappings-problems')).toContainText('2 mapped fields');
  await settled(page);
  await expect(page.locator('#row-1')).toHaveAttribute('data-status', /match|alert/);
  // Autosave is debounced: give it time, then reload.
  await page.waitForTimeout(1500);
  await page.reload();
  await ready(page);
  await settled(page);
  await expect(page.getByLabel(/Elasticsearch mapping/)).toHaveValue(mapping);
  await expect(page.locator('#mappings-problems')).toContainText('2 mapped fields');
  await expect(page.locator('#row-1')).toHaveAttribute('data-status', /match|alert/);
});
