// End-to-end tests of share links, state files and autosave: a link made on one page restores the
// same texts, verdicts and selection in a fresh browser; nothing is requested from anywhere but the
// page's own files; bad links leave the work alone; reloads keep the work; storage that is off is said
// once. Screenshots go to test-results/share-*.png.
import { test, expect } from '@playwright/test';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';

const DIST = path.join(process.cwd(), 'dist');
const shot = (page, name) => page.screenshot({ path: `test-results/share-${name}.png` });
const b64url = (buf) => Buffer.from(buf).toString('base64url');
/** A v1 fragment holding any JSON text, made the way the format says (raw DEFLATE, base64url). */
const fragment = (json) => `#v1.${b64url(zlib.deflateRawSync(Buffer.from(json, 'utf8')))}`;

test.use({ viewport: { width: 1400, height: 900 } });

const pageErrors = [];
/** Every page of the context records CSP violations in window.__csp and script errors here. */
async function watch(context) {
  await context.addInitScript(() => {
    window.__csp = [];
    document.addEventListener('securitypolicyviolation', (e) => window.__csp.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  context.on('page', (p) => p.on('pageerror', (e) => pageErrors.push(e.message)));
}
test.beforeEach(async ({ context }) => {
  pageErrors.length = 0;
  await watch(context);
});

test.afterEach(async () => {
  expect(pageErrors).toEqual([]);
});

/** Waits until the page has evaluated and the engine has settled. */
async function settled(page) {
  await expect(page.locator('body')).toHaveAttribute('data-ready', 'true');
  await expect(page.locator('#counts .count').first()).toBeVisible();
  await expect(page.locator('body')).toHaveAttribute('data-busy', 'false');
}

async function open(page, url = '/') {
  await page.goto(url);
  await settled(page);
}

async function verdicts(page) {
  await expect(page.locator('body')).toHaveAttribute('data-busy', 'false');
  return page.locator('#results-list [role=option]').evaluateAll((rows) =>
    rows.map((r) => [Number(r.dataset.index), r.dataset.status]).sort((a, b) => a[0] - b[0]),
  );
}

const selected = (page) => page.locator('#results-list [aria-selected=true]').getAttribute('data-index');
const ruleText = (page) => page.locator('#rule-editor .cm-content').innerText();
/** The first lines the rule editor shows (CodeMirror renders only the lines near the viewport). */
const ruleTop = async (page) => (await ruleText(page)).split('\n').slice(0, 20).join('\n');

/** Types at the end of the rule editor, as a user would. */
async function appendToRule(page, text) {
  await page.locator('#rule-editor .cm-content').click();
  await page.keyboard.press('Control+End');
  await page.keyboard.insertText(text);
}

/** Opens the Share dialog and returns the link in its text field. */
async function shareLink(page) {
  await page.getByRole('button', { name: 'Share' }).click();
  const dialog = page.getByRole('dialog', { name: 'Share' });
  await expect(dialog).toBeVisible();
  await expect(page.locator('#share-length')).toHaveAttribute('data-length', /\d+/);
  const link = await dialog.getByRole('textbox', { name: /Link/ }).inputValue();
  return { dialog, link };
}

/**
 * The page's whole state, exactly: its share link decoded here as the format says. (The editors
 * render only the lines in view, so their DOM cannot tell the whole text.)
 */
async function pageState(page) {
  const { link } = await shareLink(page);
  await page.keyboard.press('Escape');
  await expect(page.getByRole('dialog', { name: 'Share' })).toBeHidden();
  return decode(link);
}
/** @param {string} link */
const decode = (link) => JSON.parse(zlib.inflateRawSync(Buffer.from(link.slice(link.indexOf('#v1.') + 4), 'base64url')).toString('utf8'));
const rule = async (page) => (await pageState(page)).rule || '';

/** Counts as the page shows them, e.g. "2 alerts · 0 matches …" without the timing. */
const counts = (page) => page.locator('#counts .count').allInnerTexts();

test('a link restores texts, verdicts and selection in a fresh browser, and nothing leaves the browser', async ({ page, browser }) => {
  const requests = [];
  page.on('request', (r) => requests.push(r.url()));
  await open(page);
  await expect(page.locator('body')).toHaveAttribute('data-example', 'exim4');
  // An edit that changes verdicts (a comment with characters beyond ASCII, and a narrower query),
  // an event other than the first selected, and the details panel closed.
  const before = await verdicts(page);
  await appendToRule(page, '\n# edited: ünïcödé ✓ 😀 <b>not markup</b>\n');
  await page.locator('#rule-editor .cm-content').click();
  await page.keyboard.press('Control+Home');
  await expect.poll(() => page.locator('body').getAttribute('data-busy')).toBe('false');
  const eventsLine = '{"@timestamp":"2024-06-01T00:00:00Z","host":{"os":{"type":"linux"},"name":"\\u202eevil"},"event":{"type":["start"]},"process":{"name":"curl","parent":{"name":"exim4"}}}';
  await page.locator('#events-editor .cm-content').click();
  await page.keyboard.press('Control+End');
  await page.keyboard.insertText(`\n${eventsLine}`);
  await expect.poll(async () => (await verdicts(page)).length).toBe(before.length + 1);
  await page.getByRole('button', { name: 'Only near misses' }).click();
  await page.locator('#row-2').click();
  await page.locator('#meta-toggle').click();
  const want = { verdicts: await verdicts(page), selected: await selected(page), rule: await ruleTop(page), counts: await counts(page) };
  expect(want.selected).toBe('2');

  const { dialog, link } = await shareLink(page);
  expect(link.startsWith(`${new URL(page.url()).origin}/#v1.`)).toBe(true);
  const state = decode(link);
  expect(state.rule.endsWith('\n# edited: ünïcödé ✓ 😀 <b>not markup</b>\n')).toBe(true);
  expect(state.events.endsWith(`\n${eventsLine}`)).toBe(true);
  expect(state).toMatchObject({ example: 'exim4', selected: 2, filter: 'near', view: { details: false } });
  await expect(dialog).toContainText('host names, user names');
  const length = Number(await page.locator('#share-length').getAttribute('data-length'));
  expect(length).toBe(link.length);
  console.log(`Exim4 example after an edit: link of ${length.toLocaleString('en-US')} characters`);
  // Over 2,000 characters: the dialog says where it will break.
  await expect(page.locator('#share-warnings li[data-level=long]')).toContainText('Discord');
  await shot(page, 'dialog');
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();

  // A fresh browser context: no storage, no cache.
  const other = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  await watch(other);
  const page2 = await other.newPage();
  page2.on('request', (r) => requests.push(r.url()));
  const t0 = Date.now();
  await page2.goto(link);
  await settled(page2);
  await expect.poll(() => selected(page2)).toBe(want.selected);
  const wall = Date.now() - t0;
  const firstResults = Number(await page2.locator('body').getAttribute('data-first-results-ms'));
  const linkMs = Number(await page2.locator('body').getAttribute('data-link-open-ms'));
  console.log(`opening the link: first verdicts ${firstResults} ms after navigation start; decode → verdicts and selection ${linkMs} ms; goto → selection ${wall} ms`);
  expect(await verdicts(page2)).toEqual(want.verdicts);
  expect(await ruleTop(page2)).toBe(want.rule);
  expect(await counts(page2)).toEqual(want.counts);
  await expect(page2.locator('body')).toHaveClass(/meta-collapsed/);
  await expect(page2.getByRole('button', { name: 'Only near misses' })).toHaveAttribute('aria-pressed', 'true');
  // The fragment is gone from the address bar once applied (a reload restores the saved work).
  expect(new URL(page2.url()).hash).toBe('');
  // Byte for byte: the same state makes the same link, and the link covers every text.
  const again = await shareLink(page2);
  expect(again.link).toBe(link);
  await shot(page2, 'opened');
  expect(await page2.evaluate(() => window.__csp)).toEqual([]);
  await other.close();

  // Only the page's own files were requested, from its own origin.
  const origin = new URL(page.url()).origin;
  expect(requests.length).toBeGreaterThan(0);
  for (const url of requests) {
    const u = new URL(url);
    expect(u.origin, url).toBe(origin);
    const file = u.pathname === '/' ? 'index.html' : decodeURIComponent(u.pathname.slice(1));
    expect(fs.existsSync(path.join(DIST, file)), `${url} is one of the page's files`).toBe(true);
  }
});

test('the Share dialog is keyboard reachable, labelled, and offers a state file that opens elsewhere', async ({ page, browser }) => {
  await open(page);
  await page.locator('#share-btn').focus();
  await page.keyboard.press('Enter');
  const dialog = page.getByRole('dialog', { name: 'Share' });
  await expect(dialog).toBeVisible();
  await expect(page.locator('#share-length')).toHaveAttribute('data-length', /\d+/);
  // Focus starts in the link, selected, ready to copy.
  await expect(dialog.getByRole('textbox', { name: /Link/ })).toBeFocused();
  for (const name of ['Copy link', /Download state file/, /Open a state file/, 'Close']) {
    await expect(dialog.getByRole('button', { name })).toBeVisible();
  }
  await dialog.getByRole('button', { name: 'Copy link' }).click();
  await expect(page.locator('#share-status')).toContainText(/copied|Ctrl\+C/);
  const [download] = await Promise.all([page.waitForEvent('download'), dialog.getByRole('button', { name: /Download state file/ }).click()]);
  expect(download.suggestedFilename()).toBe('exim4.ruleplay.json');
  const buffer = fs.readFileSync(await download.path());
  const body = JSON.parse(buffer.toString('utf8'));
  expect(body.ruleplay).toBe(1);
  expect(body.example).toBe('exim4');
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  const want = await verdicts(page);

  // The file opens in a fresh browser through Open… (a state file goes to the whole page).
  const other = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  await watch(other);
  const page2 = await other.newPage();
  await open(page2, '/#example=foxmail');
  await page2.locator('#open-file').setInputFiles({ name: download.suggestedFilename(), mimeType: 'application/json', buffer });
  await expect(page2.locator('body')).toHaveAttribute('data-example', 'exim4');
  await expect.poll(() => verdicts(page2)).toEqual(want);
  // And by a drop on an editor.
  await page2.getByRole('button', { name: /Examples/ }).click();
  await page2.locator('#gallery-list [data-example="foxmail"]').click();
  await expect(page2.locator('body')).toHaveAttribute('data-example', 'foxmail');
  const drop = await page2.evaluateHandle(({ name, text }) => {
    const dt = new DataTransfer();
    dt.items.add(new File([text], name, { type: 'application/json' }));
    return dt;
  }, { name: download.suggestedFilename(), text: buffer.toString('utf8') });
  await page2.locator('#events-editor').dispatchEvent('drop', { dataTransfer: drop });
  await expect(page2.locator('body')).toHaveAttribute('data-example', 'exim4');
  await expect.poll(() => verdicts(page2)).toEqual(want);
  await other.close();
});

test('long links: the dialog warns at each limit, offers the state file, and a 1.2M-character link opens', async ({ page }) => {
  // Events of random base64 barely compress: ~1.3 MB of them make a link of about 1.4 million characters.
  const crypto = await import('node:crypto');
  const events = Array.from({ length: 5000 }, (_, i) => JSON.stringify({ process: { name: i % 2 ? 'bash' : 'sort', parent: { name: 'exim4' }, args: [crypto.randomBytes(180).toString('base64')] } })).join('\n');
  const link = fragment(JSON.stringify({ mode: 'kql', rule: 'process.name:bash', events }));
  expect(link.length).toBeGreaterThan(1_000_000);
  expect(link.length).toBeLessThan(2 * 1024 * 1024);
  await page.addInitScript(() => {
    window.__longest = 0;
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) window.__longest = Math.max(window.__longest, e.duration);
    }).observe({ type: 'longtask', buffered: true });
  });
  const t0 = Date.now();
  await open(page, `/${link}`);
  await expect(page.locator('#events-problems')).toContainText('5,000 events');
  await expect(page.locator('#counts [data-count=alert]')).toHaveText('2,500 alerts');
  console.log(`a ${link.length.toLocaleString('en-US')}-character link: goto → verdicts ${Date.now() - t0} ms; decode → verdicts ${await page.locator('body').getAttribute('data-link-open-ms')} ms; longest main-thread task ${Math.round(await page.evaluate(() => window.__longest))} ms`);
  const { dialog } = await shareLink(page);
  const levels = await page.locator('#share-warnings li').evaluateAll((lis) => lis.map((li) => li.dataset.level));
  expect(levels).toEqual(['long', 'very-long', 'file']);
  await expect(dialog.getByRole('button', { name: /Download state file/ })).toHaveClass(/primary/);
  await expect(dialog).toContainText('Share a state file (.ruleplay.json) instead');
  await shot(page, 'long-link');
});

test('a reload keeps the work, with a note and a way back to the pristine example', async ({ page }) => {
  await open(page);
  const pristine = await rule(page);
  await appendToRule(page, '\n# my edit\n');
  // Reloading at once: the save waiting for its debounce is written when the page goes away.
  await page.reload();
  await settled(page);
  await expect(page.locator('body')).toHaveAttribute('data-example', 'exim4');
  const edited = await rule(page);
  expect(edited.startsWith(pristine.trimEnd())).toBe(true);
  expect(edited.endsWith('# my edit\n')).toBe(true);
  const note = page.locator('[data-notice=restored]');
  await expect(note).toContainText('Restored your work from your last session');
  await shot(page, 'restored');
  await note.getByRole('button', { name: 'Start over from the example' }).click();
  await expect.poll(() => rule(page)).toBe(pristine);
  // The edited work is one click away.
  await page.locator('[data-notice=opened]').getByRole('button', { name: 'Back to your earlier work' }).click();
  await expect.poll(() => rule(page)).toBe(edited);
});

test('opening an example over edited work keeps that work one click away', async ({ page }) => {
  await open(page);
  await appendToRule(page, '\n# keep me\n');
  await page.getByRole('button', { name: /Examples/ }).click();
  await page.locator('#gallery-list [data-example="foxmail"]').click();
  await expect(page.locator('body')).toHaveAttribute('data-example', 'foxmail');
  await expect.poll(() => rule(page)).toContain('Foxmail');
  const back = page.locator('[data-notice=opened]').getByRole('button', { name: 'Back to your earlier work' });
  await back.click();
  await expect.poll(() => rule(page)).toContain('# keep me');
  await expect(page.locator('body')).toHaveAttribute('data-example', 'exim4');
});

test('bad and hostile links leave the current work as it was, with a message', async ({ page }) => {
  await open(page);
  await appendToRule(page, '\n# work in progress\n');
  await settled(page);
  const want = { rule: await rule(page), verdicts: await verdicts(page) };
  const { link } = await shareLink(page);
  await page.keyboard.press('Escape');
  const payload = link.slice(link.indexOf('#'));
  // 64 MiB of zeros deflate to ~64 KB: a decompression bomb.
  const bomb = `#v1.${b64url(zlib.deflateRawSync(Buffer.alloc(64 * 1024 * 1024), { level: 9 }))}`;
  const hostile = {
    truncated: payload.slice(0, Math.floor(payload.length / 2)),
    'bad-base64': `${payload.slice(0, 40)}$%*${payload.slice(43)}`,
    'unknown-version': `#v9.${payload.slice(4)}`,
    'bad-compression': `#v1.${b64url(Buffer.from('this is not deflate data at all, just bytes'))}`,
    'not-json': fragment('{"rule": "unterminated'),
    'wrong-types': fragment('{"rule": 5, "events": null}'),
    'wrong-nested-type': fragment('{"lists": [{"id": "x", "type": "<script>"}]}'),
    bomb,
  };
  for (const [kind, hash] of Object.entries(hostile)) {
    const t0 = Date.now();
    // Same page, new fragment: a hashchange, as when a link is pasted into this tab's address bar.
    await page.goto(`/${hash}`);
    const error = page.locator('[data-notice=link-error]');
    await expect(error, kind).toContainText('could not be opened');
    await expect(error).toContainText('Your work is as it was');
    // The tab answers at once after the message.
    expect(await page.evaluate(() => 1 + 1)).toBe(2);
    console.log(`hostile link ${kind}: message after ${Date.now() - t0} ms (${hash.length.toLocaleString('en-US')} characters): ${await error.locator('.notice-text').innerText()}`);
    expect(await verdicts(page)).toEqual(want.verdicts);
    await error.getByRole('button', { name: 'Dismiss this message' }).click();
    await expect(error).toBeHidden();
  }
  await shot(page, 'after-hostile');
  expect(await rule(page)).toBe(want.rule);

  // Markup and script in the strings of a valid link stay text.
  const evil = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>';
  const state = { mode: 'kql', rule: `process.name:"${evil.replace(/"/g, '\\"')}"`, events: JSON.stringify({ process: { name: evil } }), example: 'exim4' };
  await page.goto(`/${fragment(JSON.stringify(state))}`);
  await expect(page.locator('[data-notice=opened]')).toContainText('Opened a shared link');
  await expect.poll(() => ruleText(page)).toContain('<img src=x');
  await expect(page.locator('#counts [data-count=alert]')).toHaveText('1 alert');
  // (CodeMirror's own empty <img class="cm-widgetBuffer"> elements aside.)
  expect(await page.locator('body img:not(.cm-widgetBuffer), body script:not([src])').count()).toBe(0);
  expect(await page.evaluate(() => window.__xss)).toBeUndefined();
  // The earlier work is one click away.
  await page.locator('[data-notice=opened]').getByRole('button', { name: 'Back to your earlier work' }).click();
  await expect.poll(() => rule(page)).toBe(want.rule);
  expect(await page.evaluate(() => window.__csp)).toEqual([]);
});

test('a bad link in a fresh tab still opens the page, with the message', async ({ page }) => {
  await page.goto('/#v1.AAAA-truncated');
  await settled(page);
  await expect(page.locator('[data-notice=link-error]')).toContainText('could not be opened');
  await expect(page.locator('body')).toHaveAttribute('data-example', 'exim4');
  await shot(page, 'bad-link');
});

test('storage that is unavailable is reported once and the page keeps working', async ({ page }) => {
  await page.addInitScript(() => {
    Object.defineProperty(window, 'localStorage', {
      get() {
        throw new DOMException('The operation is insecure.', 'SecurityError');
      },
    });
  });
  await open(page);
  const note = page.locator('[data-notice^=storage-]');
  await expect(note).toHaveCount(1);
  await expect(note).toContainText('Autosave is off');
  for (const edit of ['\n# one\n', '\n# two\n', '\n# three\n']) {
    await appendToRule(page, edit);
    await settled(page);
  }
  await page.waitForTimeout(600);
  await expect(note).toHaveCount(1);
  // Sharing still works.
  const { link } = await shareLink(page);
  expect(link).toContain('#v1.');
});

test('a full storage is reported once and the page keeps working', async ({ page }) => {
  await page.addInitScript(() => {
    // Writes fail as on a full quota; reads and removals work.
    Storage.prototype.setItem = function setItem() {
      throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    };
  });
  await open(page);
  await appendToRule(page, '\n# one\n');
  await settled(page);
  await appendToRule(page, '\n# two\n');
  await settled(page);
  await page.waitForTimeout(600);
  const note = page.locator('[data-notice^=storage-]');
  await expect(note).toHaveCount(1);
  await expect(note).toContainText('storage for this page is full');
  await expect.poll(() => rule(page)).toContain('# two');
});

test('two tabs save apart: neither overwrites the other, and a duplicated tab takes its own id', async ({ context }) => {
  const a = await context.newPage();
  await open(a);
  await appendToRule(a, '\n# tab A\n');
  // Autosave waits for a pause in typing.
  await a.waitForTimeout(800);
  // A second tab asking for an example gets it (and is offered A's work, not given it).
  const b = await context.newPage();
  await open(b, '/#example=foxmail');
  await expect(b.locator('[data-notice=restored]')).toContainText('has edited work');
  await appendToRule(b, '\n# tab B\n');
  await settled(b);
  await b.waitForTimeout(600);
  await a.reload();
  await settled(a);
  expect(await rule(a)).toContain('# tab A');
  expect(await rule(a)).not.toContain('# tab B');
  await b.reload();
  await settled(b);
  expect(await rule(b)).toContain('# tab B');
  expect(await rule(b)).not.toContain('# tab A');

  // A duplicated tab starts with its parent's sessionStorage, so the same tab id: the first save
  // of one tells the other, which moves to a new id.
  const tabA = await a.evaluate(() => sessionStorage.getItem('ruleplay.tab'));
  const c = await context.newPage();
  await c.addInitScript((id) => sessionStorage.setItem('ruleplay.tab', id), tabA);
  await open(c);
  const forked = async () => (await a.locator('[data-notice=storage-duplicate]').count()) + (await c.locator('[data-notice=storage-duplicate]').count());
  await expect.poll(forked).toBe(1);
  await appendToRule(a, '\n# A again\n');
  await appendToRule(c, '\n# tab C\n');
  await settled(c);
  await c.waitForTimeout(600);
  const records = await a.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('ruleplay.session.')).map((k) => JSON.parse(localStorage.getItem(k)).state.rule));
  expect(records.filter((r) => r.includes('# A again')).length).toBe(1);
  expect(records.filter((r) => r.includes('# tab C')).length).toBe(1);
});
