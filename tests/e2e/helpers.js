// What every page spec needs: a guard against uncaught page errors, CSP violations recorded for the
// tests that assert on them, and waiting for the page and the engine.
import { test, expect } from '@playwright/test';

/** Uncaught errors of the current test's page; `watchPage` fails the test on any. */
export const pageErrors = [];

/**
 * Every test of the calling spec file fails on an uncaught page error; CSP violations are
 * collected in `window.__csp` for the tests that check them.
 */
export function watchPage() {
  test.beforeEach(async ({ page }) => {
    pageErrors.length = 0;
    await page.addInitScript(() => {
      // @ts-ignore
      window.__csp = [];
      document.addEventListener(
        'securitypolicyviolation',
        // @ts-ignore
        (e) => window.__csp.push(`${e.violatedDirective} ${e.blockedURI}`),
        true,
      );
    });
    page.on('pageerror', (e) => pageErrors.push(e.message));
  });
  test.afterEach(async () => {
    expect(pageErrors).toEqual([]);
  });
}

/** Opens the page (with an optional `#…` fragment) and waits for its first verdicts. */
export async function ready(page, hash = '') {
  await page.goto(`/${hash}`);
  await expect(page.locator('body')).toHaveAttribute('data-ready', 'true');
  await expect(page.locator('#counts .count').first()).toBeVisible();
}

/** Waits until the engine has answered every edit. */
export async function settled(page) {
  await expect(page.locator('body')).toHaveAttribute('data-busy', 'false');
}

/** Opens a file through the page's Open… picker. */
export async function openFile(page, name, text) {
  await page.locator('#open-file').setInputFiles({ name, mimeType: 'text/plain', buffer: Buffer.from(text) });
}

/** Opens example `name` from the gallery and waits for its verdicts. */
export async function openExample(page, name) {
  await page.goto('/');
  await expect(page.locator('body')).toHaveAttribute('data-ready', 'true');
  await page.getByRole('button', { name: /Examples/ }).click();
  await page.locator(`#gallery-list [data-example="${name}"]`).click();
  await expect(page.locator('body')).toHaveAttribute('data-example', name);
  await expect(page.locator('body')).toHaveAttribute('data-busy', 'false');
}
