// The Elasticsearch bridge on the page (issue 15): an Elasticsearch _search response pasted into
// the events editor gives the NDJSON verdicts, with a note saying what was found and the hit each
// event came from; a Kibana rule export with two rules asks which, and its exceptions apply; and
// "Download for Kibana (NDJSON)" gives a file the CLI reads back.
import { test, expect } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { watchPage, ready, settled, openExample } from './helpers.js';

test.use({ viewport: { width: 1400, height: 900 } });

watchPage();

const ROOT = process.cwd();
const CLI = path.join(process.env.CARGO_TARGET_DIR || path.join(ROOT, 'target'), 'debug', 'ruleplay');
const example = (name, file) => fs.readFileSync(path.join(ROOT, 'rules', name, file), 'utf8');

async function replaceText(page, editor, text) {
  await page.locator(`${editor} .cm-content`).click();
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Delete');
  await page.keyboard.insertText(text);
}

async function statuses(page, n) {
  const out = [];
  for (let i = 0; i < n; i++) out.push(await page.locator(`#row-${i}`).getAttribute('data-status'));
  // A near miss is a no-match the page marks as such.
  return out.map((s) => (s === 'near' ? 'no_match' : s));
}

test('a _search response pasted as events gives the NDJSON verdicts, says what it is, names the hit', async ({ page }) => {
  await openExample(page, 'exim4');
  const events = example('exim4', 'events.ndjson').trim().split('\n').map((l) => JSON.parse(l));
  const before = await statuses(page, events.length);
  const response = {
    took: 4,
    timed_out: false,
    _shards: { total: 1, successful: 1, skipped: 0, failed: 0 },
    hits: {
      total: { value: events.length, relation: 'eq' },
      max_score: 1,
      hits: events.map((e, i) => ({ _index: '.ds-logs-endpoint-2024', _id: `doc${i + 1}`, _score: 1, _source: e })),
    },
  };
  await replaceText(page, '#events-editor', JSON.stringify(response, null, 2));
  await settled(page);
  await expect(page.locator('#events-source')).toContainText(`Elasticsearch _search response: ${events.length} hits`);
  await expect(page.locator('#counts-source')).toContainText('Events from Elasticsearch _search response');
  expect(await statuses(page, events.length)).toEqual(before);
  await expect(page.locator('#row-2 .num')).toHaveAttribute('title', 'hit 3 (_id doc3)');
  await page.locator('#row-2').click();
  await expect(page.locator('#explain .line-btn')).toContainText('hit 3 (_id doc3)');
  await page.screenshot({ path: 'test-results/bridge-search-response.png' });
});

test('a Kibana export with two rules asks which; the exceptions it holds go into the exceptions editor', async ({ page }) => {
  const ndjson = execFileSync(CLI, [
    'convert', '--rule', path.join(ROOT, 'rules/exceptions/rule.toml'), '--to', 'kibana',
    '--exceptions', path.join(ROOT, 'rules/exceptions/exceptions.ndjson'),
  ], { encoding: 'utf8' });
  const lines = ndjson.trim().split('\n');
  const items = lines.filter((l) => l.includes('"entries"')).length;
  const other = { ...JSON.parse(lines[0]), rule_id: 'other-rule', name: 'Another rule', exceptions_list: [], query: 'process.name:nothing' };
  const two = [lines[0], JSON.stringify(other), ...lines.slice(1)].join('\n') + '\n';
  await ready(page);
  await replaceText(page, '#events-editor', example('exceptions', 'events.ndjson'));
  await page.getByRole('radio', { name: 'TOML' }).click();
  await replaceText(page, '#rule-editor', two);
  const picker = page.getByRole('group', { name: 'Rules of the Kibana file' });
  await expect(picker).toBeVisible();
  await expect(page.locator('#kibana-rule')).toContainText('2 rules');
  await page.screenshot({ path: 'test-results/bridge-kibana-picker.png' });
  await picker.getByRole('button', { name: /Web Server Spawning a Shell/ }).click();
  // The editor shows only the lines in view: the rule details say which rule it holds.
  await expect(page.getByRole('heading', { name: /Web Server Spawning a Shell/ }).first()).toBeVisible();
  await expect(page.locator('#rule-editor .cm-content')).not.toContainText('"rule_id"');
  await expect(page.locator('#kibana-rule')).toContainText(`converted to detection-rules TOML, with the ${items} exception items`);
  await expect(page.locator('#exceptions-editor .cm-content')).toContainText('Upstream health check');
  await settled(page);
  const expected = JSON.parse(example('exceptions', 'expected.json')).verdicts;
  expect(await statuses(page, expected.length)).toEqual(expected);
  await page.screenshot({ path: 'test-results/bridge-kibana-converted.png' });

  // Download for Kibana: the CLI reads it back, with the same verdicts.
  const [dl] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download for Kibana (NDJSON)' }).click()]);
  expect(dl.suggestedFilename()).toMatch(/\.ndjson$/);
  const file = test.info().outputPath('kibana.ndjson');
  await dl.saveAs(file);
  await expect(page.locator('.export-status')).toContainText(`Kibana rule export downloaded with ${items} exception items`);
  const out = execFileSync(CLI, ['match', '--rule', file, '--events', path.join(ROOT, 'rules/exceptions/events.ndjson')], { encoding: 'utf8' });
  const got = out.trim().split('\n').map((l) => JSON.parse(l)).sort((a, b) => a.index - b.index).map((v) => v.status);
  expect(got).toEqual(expected);
});
