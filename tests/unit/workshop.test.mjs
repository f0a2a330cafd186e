// Workshop data: the share codec's `workshop` key (round trip through a link and a state file,
// defaults omitted, exact types), and workshop/model.js (exercise.md as `ruleplay test` reads it,
// scoring, the live check of a fix, progress that survives refused storage). The library's own
// exercises are read from rules/ so the page and the Rust check agree on them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { encodeState, decodeLink, stateToFile, stateFromFile, ShareError } from '../../www/share/codec.js';
import {
  parseExercise, splitEvents, itemFromExample, libraryWorkshop, score, disagreements, workshopId,
  loadProgress, saveProgress, askedEvents,
} from '../../www/workshop/model.js';

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const inflate = (link) => JSON.parse(zlib.inflateRawSync(Buffer.from(link.slice(link.indexOf('.') + 1), 'base64url')).toString('utf8'));

const ITEM_DEFAULTS = {
  title: '', kind: 'predict', task: '', hints: [], why: '', mode: 'toml', rule: '', events: '', exceptions: '',
  now: null, example: null, expect: [],
};

const WORKSHOP = {
  title: 'Tuning, session 1 — “quotes” & <b>tags</b> 🎯',
  items: [
    { ...ITEM_DEFAULTS, title: 'Foxmail', task: 'Alert or not?', hints: ['`==` is exact', 'args is an array'], why: 'Because.', rule: '[rule]\nquery = "a"\n', events: '{"a":1}\n{"a":2}\n', expect: ['alert', 'no_alert'], example: 'exercise1_foxmail_operators' },
    { ...ITEM_DEFAULTS, kind: 'fix', mode: 'kql', rule: 'a:1 and not b:(x or y)', events: '[{"a":1},{"a":1,"b":"x"},{}]', exceptions: '{}\n', now: '2024-06-01T00:00:00Z', expect: ['alert', 'any', 'no_alert'] },
  ],
};

test('a workshop round-trips through a link and a state file, byte for byte', async () => {
  const link = await encodeState({ workshop: WORKSHOP });
  const { state, ignored } = await decodeLink(link);
  assert.deepEqual(ignored, []);
  assert.deepEqual(state.workshop, WORKSHOP);
  // Defaults are left out of the JSON, so a link stays short.
  const json = inflate(link);
  assert.deepEqual(Object.keys(json), ['workshop']);
  assert.deepEqual(Object.keys(json.workshop.items[1]).sort(), ['events', 'exceptions', 'expect', 'kind', 'mode', 'now', 'rule']);
  assert.equal(json.workshop.items[0].kind, undefined);
  const file = stateFromFile(stateToFile({ workshop: WORKSHOP }));
  assert.deepEqual(file.state.workshop, WORKSHOP);
  // An empty workshop is still a workshop.
  assert.deepEqual((await decodeLink(await encodeState({ workshop: { title: '', items: [] } }))).state.workshop, { title: '', items: [] });
  assert.equal((await decodeLink(await encodeState({}))).state.workshop, null);
});

test('a workshop of the wrong shape makes the link invalid, naming the place', async () => {
  const link = (obj) => `#v1.${zlib.deflateRawSync(Buffer.from(JSON.stringify(obj))).toString('base64url')}`;
  const cases = {
    '{"workshop":null}': 'workshop',
    '{"workshop":{"items":{}}}': 'workshop.items',
    '{"workshop":{"items":[{"kind":"guess"}]}}': 'workshop.items[0].kind',
    '{"workshop":{"items":[{"expect":["maybe"]}]}}': 'workshop.items[0].expect[0]',
    '{"workshop":{"items":[{"hints":[1]}]}}': 'workshop.items[0].hints[0]',
    '{"workshop":{"items":[{"now":"yesterday"}]}}': 'workshop.items[0].now',
    '{"workshop":{"items":[{"example":"../x"}]}}': 'workshop.items[0].example',
  };
  for (const [json, where] of Object.entries(cases)) {
    await assert.rejects(decodeLink(link(JSON.parse(json))), (e) => e instanceof ShareError && e.kind === 'bad-state' && e.message.includes(`"${where}"`), json);
  }
  // Unknown keys inside an item are ignored and reported, like everywhere else in v1.
  const { state, ignored } = await decodeLink(link({ workshop: { items: [{ title: 't', later: 1 }] } }));
  assert.deepEqual(ignored, ['workshop.items[0].later']);
  assert.deepEqual(state.workshop.items[0], { ...ITEM_DEFAULTS, title: 't' });
});

test('exercise.md: kind, title, task, hints, why; invalid ones are refused', () => {
  const ex = parseExercise('# Fix it\nkind: fix\n\n## Task\nMake #0 alert.\n\n## Hints\n- look at\n  the list\n- second\n\n## Why\nBecause.\n');
  assert.deepEqual(ex, { kind: 'fix', title: 'Fix it', task: 'Make #0 alert.', hints: ['look at the list', 'second'], why: 'Because.' });
  assert.equal(parseExercise('## Task\nx\n'), null);
  assert.equal(parseExercise('kind: guess\n## Task\nx\n'), null);
  assert.equal(parseExercise('kind: fix\n## Task\n\n'), null);
  assert.equal(parseExercise('kind: fix\n## Task\nx\n## Answer\ny\n'), null);
});

test('the library ships at least four exercises of both kinds, each read like ruleplay test reads it', () => {
  const rules = path.join(ROOT, 'rules');
  const read = (dir, f) => (fs.existsSync(path.join(dir, f)) ? fs.readFileSync(path.join(dir, f), 'utf8') : null);
  const examples = fs.readdirSync(rules).sort().filter((n) => fs.existsSync(path.join(rules, n, 'rule.toml'))).map((name) => {
    const dir = path.join(rules, name);
    return { name, rule: read(dir, 'rule.toml'), events: read(dir, 'events.ndjson'), exceptions: read(dir, 'exceptions.ndjson'), expected: JSON.parse(read(dir, 'expected.json')), exercise: read(dir, 'exercise.md') };
  });
  const w = libraryWorkshop(examples);
  assert.ok(w.items.length >= 4, `${w.items.length} exercises`);
  assert.deepEqual([...new Set(w.items.map((i) => i.kind))].sort(), ['fix', 'predict']);
  for (const item of w.items) {
    assert.ok(item.task && item.hints.length && item.why, item.title);
    assert.equal(item.expect.length, splitEvents(item.events).length, item.title);
  }
  // Plain examples become "predict" items asking every event.
  const plain = itemFromExample(examples.find((e) => e.name === 'exim4'));
  assert.equal(plain.kind, 'predict');
  assert.equal(askedEvents(plain, 15).length, 15);
});

test('score, live disagreements and events', () => {
  const item = { ...ITEM_DEFAULTS, expect: ['alert', 'no_alert', 'any', 'alert'] };
  assert.deepEqual(score(item, { 0: 'alert', 1: 'alert', 3: 'alert' }, 4), { right: 2, total: 3 });
  assert.deepEqual(disagreements(item, ['alert', 'near', 'alert', 'suppressed']), [{ index: 3, want: 'alert' }]);
  assert.deepEqual(disagreements(item, ['match', 'alert', 'no_match', 'alert']), [{ index: 0, want: 'alert' }, { index: 1, want: 'no_alert' }]);
  // Fewer events than expected: the missing ones cannot hold.
  assert.deepEqual(disagreements(item, ['alert', 'no_match']), [{ index: 3, want: 'alert' }]);
  assert.deepEqual(splitEvents('{"a":1}\n\nnot json\n').map((e) => e.value), [{ a: 1 }, null]);
  assert.deepEqual(splitEvents('[{"a":1},{"b":2}]').map((e) => e.value), [{ a: 1 }, { b: 2 }]);
});

test('progress is kept per workshop, and refused storage only means it is not kept', () => {
  const mem = new Map();
  globalThis.localStorage = /** @type {any} */ ({ getItem: (k) => mem.get(k) ?? null, setItem: (k, v) => mem.set(k, v) });
  const id = workshopId(WORKSHOP);
  assert.match(id, /^[0-9a-f]{8}$/);
  assert.notEqual(workshopId({ ...WORKSHOP, title: 'other' }), id);
  assert.ok(saveProgress(id, { current: 1, items: { 0: { answers: { 0: 'alert' }, revealed: true, solved: false } } }));
  assert.equal(loadProgress(id).current, 1);
  mem.set(`ruleplay.workshop.${id}`, '{broken');
  assert.deepEqual(loadProgress(id), { current: 0, items: {} });
  globalThis.localStorage = /** @type {any} */ ({ getItem: () => { throw new Error('denied'); }, setItem: () => { throw new Error('quota'); } });
  assert.equal(saveProgress(id, { current: 0, items: {} }), false);
  assert.deepEqual(loadProgress(id), { current: 0, items: {} });
  delete globalThis.localStorage;
});
