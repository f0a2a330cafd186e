// Platform smoke tests: the server, MIME types, the wasm module in a real browser and the example
// gallery data. The page's own behaviour is covered by the other specs in this folder.
import { test, expect } from '@playwright/test';

test('serves the wasm with its MIME type and the example gallery as JSON', async ({ request }) => {
  const wasm = await request.get('/ruleplay_bg.wasm');
  expect(wasm.status()).toBe(200);
  expect(wasm.headers()['content-type']).toBe('application/wasm');
  const examples = await request.get('/examples.json');
  expect(examples.status()).toBe(200);
  expect(examples.headers()['content-type']).toContain('application/json');
  const body = await examples.json();
  expect(Array.isArray(body.examples)).toBe(true);
  for (const ex of body.examples) {
    expect(typeof ex.name).toBe('string');
    expect(typeof ex.rule).toBe('string');
    expect(typeof ex.events).toBe('string');
  }
  expect((await request.get('/../package.json')).status()).not.toBe(200);
  expect((await request.get('/no-such-file')).status()).toBe(404);
});

test('the wasm module instantiates in chromium and answers', async ({ page }) => {
  // A same-origin JSON document is enough of a page to import the module from.
  await page.goto('/examples.json');
  const version = await page.evaluate(async () => {
    const m = await import('/ruleplay.js');
    await m.default({ module_or_path: '/ruleplay_bg.wasm' });
    return m.version();
  });
  expect(version).toMatch(/^\d+\.\d+\.\d+/);
});

test('the page loads without script errors', async ({ page, request }) => {
  expect((await request.get('/index.html')).status()).toBe(200);
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto('/');
  await expect(page.locator('body')).toHaveAttribute('data-ready', 'true');
  await page.waitForLoadState('networkidle');
  await page.screenshot({ path: 'test-results/smoke-page.png', fullPage: true });
  expect(errors).toEqual([]);
});

test('a first visit fetches the gallery cards and the opening example, the other examples only after the verdicts', async ({ page, request }) => {
  const index = await (await request.get('/examples-index.json')).json();
  const whole = index.full.map((/** @type {any} */ e) => e.name);
  expect(whole).toEqual(['exim4']);
  expect(index.examples.length).toBeGreaterThan(10);
  for (const card of index.examples) {
    expect(typeof card.title).toBe('string');
    expect(card.rule).toBeUndefined();
  }
  // examples.json held back: the page still gives its first verdicts, and a card opened meanwhile
  // waits for it and then opens whole.
  /** @type {(v?: unknown) => void} */
  let release = () => {};
  const held = new Promise((r) => (release = r));
  /** @type {string[]} */
  const order = [];
  await page.route('**/examples.json', async (route) => {
    order.push('asked');
    await held;
    await route.continue();
  });
  await page.goto('/');
  await expect(page.locator('#counts .count').first()).toBeVisible();
  await expect(page.locator('body')).toHaveAttribute('data-example', 'exim4');
  await page.getByRole('button', { name: /Examples/ }).click();
  await page.locator('#gallery-list [data-example="foxmail"]').click();
  await page.waitForTimeout(200);
  await expect(page.locator('body')).toHaveAttribute('data-example', 'exim4');
  release();
  await expect(page.locator('body')).toHaveAttribute('data-example', 'foxmail');
  await expect(page.locator('#rule-editor')).toContainText('Foxmail');
  expect(order.length).toBeGreaterThan(0);
});
