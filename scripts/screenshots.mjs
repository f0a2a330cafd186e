// Screenshots of the page's main states for docs/screenshots/ (light and dark; 1440×900, 1280×720
// and 900 px wide). Run after `npm run build`: `node scripts/screenshots.mjs` serves dist/ itself.
// Look at the PNGs before committing them: they are how the README shows the page.
import { chromium } from '@playwright/test';
import { spawn } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const PORT = Number(process.env.PORT || 8931);
const OUT = path.join(ROOT, 'docs', 'screenshots');
const server = spawn(process.execPath, [path.join(ROOT, 'scripts', 'dev.mjs'), 'serve'], {
  env: { ...process.env, PORT: String(PORT), NO_COLOR: '1' },
  stdio: 'ignore',
});

async function waitForServer() {
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(`http://127.0.0.1:${PORT}/`)).ok) return;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the server did not start');
}

const SIZES = [
  [1440, 900],
  [1280, 720],
  [900, 1000],
];

/** @param {import('@playwright/test').Page} page */
async function open(page, example) {
  await page.goto(`http://127.0.0.1:${PORT}/#example=${example}`);
  await page.waitForSelector('body[data-ready]', { timeout: 30000 });
  await page.waitForFunction((ex) => document.body.dataset.example === ex, example);
  await page.waitForSelector('#results-list [role=option]');
  await page.waitForTimeout(400);
}

try {
  await waitForServer();
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu'],
  });
  for (const scheme of ['light', 'dark']) {
    for (const [width, height] of SIZES) {
      for (const example of ['exim4', 'foxmail']) {
        const page = await browser.newPage({ viewport: { width, height }, colorScheme: scheme });
        await open(page, example);
        // Foxmail: a near miss explains itself best.
        if (example === 'foxmail') await page.locator('#results-list [role=option]').nth(4).click();
        if (width <= 900) await page.locator('#results').scrollIntoViewIfNeeded();
        await page.screenshot({ path: path.join(OUT, `${example}-${scheme}-${width}x${height}.png`) });
        await page.close();
      }
    }
    const page = await browser.newPage({ viewport: { width: 1280, height: 720 }, colorScheme: scheme });
    await open(page, 'exim4');
    await page.locator('[data-lang=kql]').click();
    await page.waitForTimeout(600);
    await page.screenshot({ path: path.join(OUT, `bare-kql-${scheme}-1280x720.png`) });
    await page.close();
    const edit = await browser.newPage({ viewport: { width: 1440, height: 900 }, colorScheme: scheme });
    await open(edit, 'exim4');
    await edit.locator('#results-filter').fill('process.name:(bash or sort)');
    await edit.waitForTimeout(600);
    await edit.locator('#event-edit-h').click();
    await edit.waitForTimeout(300);
    await edit.screenshot({ path: path.join(OUT, `filter-edit-${scheme}-1440x900.png`) });
    if (scheme === 'light') {
      const shot = await browser.newPage({ viewport: { width: 1440, height: 900 }, colorScheme: scheme });
      await open(shot, 'foxmail');
      await shot.locator('#results-list [role=option]').nth(4).click();
      await shot.screenshot({ path: path.join(ROOT, 'docs', 'screenshot.png') });
    }
  }
  await browser.close();
} finally {
  server.kill();
}
