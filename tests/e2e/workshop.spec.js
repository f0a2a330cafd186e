// Workshop mode end to end: a library exercise predicted with the keyboard, revealed and scored; a
// workshop a teacher builds on the page, shared as a link and run to its score in a fresh browser
// context; a "fix" exercise that turns solved when the learner edits the exclusion list; the
// presentation view; hostile link text; storage that is off; axe over every screen in both themes.
// Screenshots go to test-results/workshop-*.png.
import { test, expect } from '@playwright/test';
import zlib from 'node:zlib';
import { pageErrors, ready, seriousViolations, settled, watchPage } from './helpers.js';

watchPage();
test.use({ viewport: { width: 1280, height: 800 } });

const shot = (page, name) => page.screenshot({ path: `test-results/workshop-${name}.png` });
const fragment = (obj) => `#v1.${Buffer.from(zlib.deflateRawSync(Buffer.from(JSON.stringify(obj)))).toString('base64url')}`;
// rules/exercise1_foxmail_operators/expected.json: alert, no, alert, alert, no, alert.
const FOXMAIL_KEYS = ['a', 'n', 'a', 'a', 'n', 'a'];

/** Opens the workshop list of the library's exercises. */
async function openWorkshop(page) {
  await ready(page, '#example=exim4');
  await page.getByRole('button', { name: 'Workshop', exact: true }).click();
  await expect(page.locator('#workshop')).toBeVisible();
}

/** Answers with the keys and reveals with Enter (the focus moves to "Reveal" after the last answer). */
async function predict(page, keys) {
  await expect(page.locator('#ws-alert')).toBeVisible();
  for (const k of keys) await page.keyboard.press(k);
  await expect(page.locator('#ws-reveal')).toBeFocused();
  await page.keyboard.press('Enter');
}

test('a library exercise: predict with a/n, reveal, score; progress survives a reload', async ({ page }) => {
  await openWorkshop(page);
  await page.locator('.ws-item', { hasText: 'Foxmail' }).click();
  await expect(page.locator('#ws-event-h')).toHaveText('Event #0 — 1 of 6');
  // The verdicts are hidden: the page under the exercise is inert and covered.
  await expect(page.locator('main.layout')).toHaveJSProperty('inert', true);
  await expect(page.locator('.ws-query')).toContainText('process.parent.name == "Foxmail.exe"');
  await page.keyboard.press('n');
  await page.keyboard.press('ArrowLeft');
  await expect(page.locator('#ws-no_alert')).toHaveAttribute('aria-pressed', 'true');
  await shot(page, 'predict');
  await predict(page, FOXMAIL_KEYS.slice(0, 1).concat(FOXMAIL_KEYS.slice(1).map((k, i) => (i === 0 ? 'a' : k))));
  // One wrong answer (#1 is FOXMAIL.EXE, and `==` is case-sensitive).
  await expect(page.locator('#ws-score')).toHaveText('Score: 5 of 6');
  await expect(page.locator('.ws-table tbody tr').nth(1)).toContainText('✘ wrong');
  await expect(page.locator('.ws-table tbody tr').nth(1)).toContainText('FOXMAIL.EXE');
  await page.getByRole('button', { name: 'Explain #1' }).click();
  await expect(page.locator('#ws-explain')).toContainText('Why #1');
  await shot(page, 'reveal');
  await page.reload();
  await settled(page);
  await page.getByRole('button', { name: 'Workshop', exact: true }).click();
  await expect(page.locator('.ws-list li', { hasText: 'Foxmail' })).toContainText('score 5 of 6');
});

test('a workshop a teacher builds and shares as a link runs to its score in a fresh context', async ({ page, browser }) => {
  await openWorkshop(page);
  await page.locator('#ws-build').click();
  const dlg = page.locator('#ws-builder');
  await dlg.getByLabel('Workshop title').fill('Tuning, session 1');
  // The page as it is now (Exim4, 15 events) and a library exercise, then reordered.
  await dlg.getByRole('button', { name: 'Add the page as it is now' }).click();
  await dlg.getByLabel('Example').selectOption('exercise1_foxmail_operators');
  await dlg.getByRole('button', { name: 'Add example' }).click();
  await expect(dlg.locator('fieldset')).toHaveCount(2);
  await dlg.getByRole('button', { name: 'Move exercise 2 up' }).click();
  await expect(dlg.locator('fieldset').first().getByLabel('Title')).toHaveValue(/Foxmail/);
  // Marks: ask only three events of the Exim4 state, one of them "must alert".
  const second = dlg.locator('fieldset').nth(1);
  await second.locator('summary').click();
  for (let i = 0; i < 15; i++) await second.getByLabel(`Event #${i} of exercise 2`).selectOption(i < 3 ? (i === 0 ? 'alert' : 'no_alert') : 'any');
  await second.getByLabel('Title').fill('Exim4: three events');
  await shot(page, 'builder');
  await dlg.getByRole('button', { name: 'Share workshop' }).click();
  const link = await dlg.locator('#wb-link').inputValue();
  expect(link).toMatch(/#v1\./);

  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const learner = await context.newPage();
  learner.on('pageerror', (e) => pageErrors.push(e.message));
  await learner.goto(link);
  await expect(learner.locator('#ws-title')).toHaveText('Tuning, session 1');
  await expect(learner.locator('.ws-item')).toHaveText(['1. Foxmail: : or ==?', '2. Exim4: three events']);
  await learner.locator('.ws-item').first().click();
  await predict(learner, FOXMAIL_KEYS);
  await expect(learner.locator('#ws-score')).toHaveText('Score: 6 of 6');
  await learner.getByRole('button', { name: 'Next exercise' }).click();
  await expect(learner.locator('#ws-event-h')).toHaveText('Event #0 — 1 of 3');
  await predict(learner, ['a', 'n', 'a']);
  await expect(learner.locator('#ws-score')).toHaveText('Score: 2 of 3');
  await learner.getByRole('button', { name: 'All exercises' }).click();
  await expect(learner.locator('.ws-state')).toHaveText(['score 6 of 6', 'score 2 of 3']);
  await context.close();
});

test('a fix exercise turns solved when the learner removes and adds the right exclusions', async ({ page }) => {
  await openWorkshop(page);
  await page.locator('.ws-item', { hasText: 'Exim4 exclusion list' }).click();
  const live = page.locator('#ws-live');
  await expect(live).toContainText('5 of 7 events as expected');
  await expect(live).toContainText('#0 should alert, and does not');
  // The page is usable beside the docked exercise.
  await expect(page.locator('main.layout')).toHaveJSProperty('inert', false);
  await page.getByRole('button', { name: 'Show a hint' }).click();
  await expect(page.locator('.ws-hints li')).toHaveCount(1);
  await page.getByRole('button', { name: 'Remove bash' }).click();
  await expect(live).toContainText('6 of 7 events as expected');
  await expect(page.locator('#workshop')).toHaveAttribute('data-solved', 'false');
  const add = page.getByLabel('Add to process.name exclusions');
  await add.fill('sort');
  await add.press('Enter');
  await expect(page.locator('#workshop')).toHaveAttribute('data-solved', 'true');
  await expect(live).toContainText('Solved ✔ — all 7 events as expected.');
  await shot(page, 'fix-solved');
  // The dock shrinks to its title and the check, and grows back.
  await page.getByRole('button', { name: 'Minimize' }).click();
  await expect(page.locator('.ws-task')).toBeHidden();
  await expect(live).toBeVisible();
  await expect(page.locator('#ws-min')).toHaveAttribute('aria-expanded', 'false');
  await page.getByRole('button', { name: 'Show the task' }).click();
  await expect(page.locator('.ws-task')).toBeVisible();
  // Undo in the rule editor takes the fix back, and the check follows.
  await page.locator('#rule-editor .cm-content').click();
  await page.keyboard.press('Control+z');
  await expect(page.locator('#workshop')).toHaveAttribute('data-solved', 'false');
});

test('the presentation view steps through the events with the explanation', async ({ page }) => {
  await openWorkshop(page);
  await page.locator('#ws-present-current').click();
  const dlg = page.locator('#presentation');
  await expect(dlg).toBeVisible();
  await expect(dlg.locator('#pr-pos')).toHaveText('Event 1 of 15');
  await expect(dlg.locator('.pr-explain')).toContainText('Why #0');
  await page.keyboard.press('ArrowRight');
  await expect(dlg.locator('#pr-pos')).toHaveText('Event 2 of 15');
  await expect(dlg.locator('.pr-explain')).toContainText('Why #1');
  await expect(dlg.locator('.pr-query')).toContainText('process.parent.name:exim4');
  await dlg.getByRole('button', { name: '← Previous' }).click();
  await expect(dlg.locator('#pr-pos')).toHaveText('Event 1 of 15');
  await shot(page, 'present');
  await page.keyboard.press('Escape');
  await expect(dlg).toBeHidden();
});

test('a workshop link is data: its text never becomes markup, and bad values refuse the link', async ({ page }) => {
  const evil = '<img src=x onerror="window.__pwned=1">';
  await page.goto(`/${fragment({ workshop: { title: evil, items: [{ title: evil, task: `**${evil}** [x](javascript:alert(1))`, events: '{"a":1}', expect: ['alert'] }] } })}`);
  await expect(page.locator('#ws-title')).toHaveText(evil);
  await expect(page.locator('#workshop img')).toHaveCount(0);
  await page.locator('.ws-item').click();
  await expect(page.locator('.ws-task')).toContainText(evil);
  await expect(page.locator('#workshop img, #workshop a[href^="javascript"]')).toHaveCount(0);
  expect(await page.evaluate(() => window.__pwned)).toBeUndefined();
  // A wrong type anywhere in the workshop makes the whole link invalid.
  await page.goto(`/${fragment({ workshop: { items: [{ expect: ['maybe'] }] } })}`);
  await expect(page.locator('.notice-error')).toContainText('workshop.items[0].expect[0]');
});

test('without storage the workshop still runs and says progress is not kept', async ({ page }) => {
  await page.addInitScript(() => {
    Object.defineProperty(window, 'localStorage', { get() { throw new DOMException('denied', 'SecurityError'); } });
  });
  await openWorkshop(page);
  await page.locator('.ws-item', { hasText: 'Foxmail' }).click();
  await predict(page, FOXMAIL_KEYS);
  await expect(page.locator('#ws-score')).toHaveText('Score: 6 of 6');
  await page.getByRole('button', { name: 'All exercises' }).click();
  await expect(page.locator('#workshop')).toContainText('does not let the page keep your progress');
});

const SCREENS = {
  list: async (page) => openWorkshop(page),
  predict: async (page) => {
    await openWorkshop(page);
    await page.locator('.ws-item', { hasText: 'Foxmail' }).click();
    await page.getByRole('button', { name: 'Show a hint' }).click();
    await page.keyboard.press('a');
  },
  reveal: async (page) => {
    await openWorkshop(page);
    await page.locator('.ws-item', { hasText: 'Dropped' }).click();
    await predict(page, ['a', 'a', 'n', 'n', 'n', 'a', 'a', 'n']);
    await expect(page.locator('#ws-score')).toHaveText('Score: 8 of 8');
  },
  fix: async (page) => {
    await openWorkshop(page);
    await page.locator('.ws-item', { hasText: 'backup agent' }).click();
    await expect(page.locator('#ws-live')).toContainText('2 of 4 events as expected');
  },
  presentation: async (page) => {
    await openWorkshop(page);
    await page.locator('#ws-present-current').click();
    await expect(page.locator('.pr-explain')).toContainText('Why #0');
  },
  builder: async (page) => {
    await openWorkshop(page);
    await page.locator('#ws-build').click();
    await page.getByRole('button', { name: 'Add the page as it is now' }).click();
    await page.locator('#ws-builder summary').click();
  },
};

for (const scheme of ['light', 'dark']) {
  for (const [name, open] of Object.entries(SCREENS)) {
    test(`axe: ${name}, ${scheme} theme`, async ({ browser }) => {
      const context = await browser.newContext({ colorScheme: scheme, viewport: { width: 1280, height: 800 } });
      const page = await context.newPage();
      page.on('pageerror', (e) => pageErrors.push(e.message));
      await open(page);
      await settled(page);
      await page.screenshot({ path: `test-results/workshop-axe-${name}-${scheme}.png` });
      expect(await seriousViolations(page)).toEqual([]);
      await context.close();
    });
  }
}
