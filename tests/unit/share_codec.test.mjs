// The share-link codec (www/share/codec.js): round trips over generated states, the format checked
// against node's own zlib and base64url (an independent decoder), hostile links, the length advice.
// Run with `node --test tests/unit/` (Node 20+: CompressionStream is global).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';
import {
  encodeState, decodeLink, linkAdvice, stateToFile, stateFromFile, defaultState, ShareError, LIMITS,
  FORMAT_VERSION, FILE_EXTENSION,
} from '../../www/share/codec.js';

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

// ---------- a small seeded generator ----------

function rng(seed) {
  // mulberry32
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PIECES = [
  'process.name', ' and ', ' or ', 'not ', ':', '"', '\\', '\\\\', '*', '\n', '\r\n', '\r', '\t', ' ',
  '{"a":1}', '[]', 'exim4', 'C:\\Windows\\', '<script>alert(1)</script>', '<img src=x onerror=alert(1)>',
  '</textarea>', '&amp;', '${x}', '__proto__', 'constructor', 'é', 'ß', 'ǅ', 'İ', 'е' /* Cyrillic */, '中文',
  '日本語', '한국어', 'ع', 'שלום', '\u0301', '\u200b', '\u2028', '\u2029', '\ufeff', '\u0000', '\u001f', '\u007f',
  '\ufffd', '\uffff', '😀', '👩‍👩‍👧', '🇫🇷', '𝔘', '\u{10ffff}', '\u{1f600}'.repeat(3),
];
const LONE = ['\ud800', '\udbff', '\udc00', '\udfff'];

function makeText(r, { lone = false, max = 40 } = {}) {
  const n = Math.floor(r() * max);
  let s = '';
  for (let i = 0; i < n; i++) {
    const p = r();
    if (lone && p < 0.05) s += LONE[Math.floor(r() * LONE.length)];
    else if (p < 0.3) s += String.fromCharCode(32 + Math.floor(r() * 95));
    else s += PIECES[Math.floor(r() * PIECES.length)];
  }
  return s;
}

const pick = (r, xs) => xs[Math.floor(r() * xs.length)];
const maybe = (r, p, f) => (r() < p ? f() : undefined);

/** A random state with only the keys it sets (the rest default). */
function makeState(r, opts) {
  const s = {};
  const set = (k, v) => v !== undefined && (s[k] = v);
  set('mode', maybe(r, 0.8, () => pick(r, ['toml', 'kql', 'eql'])));
  set('rule', maybe(r, 0.9, () => makeText(r, opts)));
  set('events', maybe(r, 0.9, () => makeText(r, { ...opts, max: 200 })));
  set('exceptions', maybe(r, 0.5, () => makeText(r, opts)));
  set('lists', maybe(r, 0.3, () => Array.from({ length: Math.floor(r() * 3) }, (_, i) => ({
    id: `list-${i}.txt`, type: pick(r, ['ip', 'keyword', 'ip_range']), values: makeText(r, opts),
  }))));
  set('now', maybe(r, 0.3, () => pick(r, ['2024-06-01T00:00:00Z', '2024-06-01T00:00:00.123+02:00', '1999-12-31T23:59:59.999999999Z', '2024-02-29T12:00:00-05:30', '2000-02-29T00:00:00Z'])));
  set('example', maybe(r, 0.3, () => pick(r, ['exim4', 'foxmail', 'kql_wildcards_lists'])));
  set('selected', maybe(r, 0.3, () => Math.floor(r() * 100000)));
  set('filter', maybe(r, 0.3, () => pick(r, ['all', 'alerts', 'near'])));
  set('view', maybe(r, 0.3, () => (r() < 0.5 ? {} : { details: r() < 0.5 })));
  set('exercise', maybe(r, 0.2, () => ({
    title: makeText(r, opts),
    ...(r() < 0.5 ? { task: makeText(r, opts) } : {}),
    verdicts: Array.from({ length: Math.floor(r() * 5) }, () => pick(r, ['alert', 'match', 'suppressed', 'no_match'])),
    sequences: r() < 0.5 ? [] : [[0, 2], [1]],
    hideResults: r() < 0.5,
  })));
  return s;
}

const fffd = (s) => s.replace(/\p{Surrogate}/gu, '\ufffd');

/** What decoding must give, built without the codec: defaults filled in, lone surrogates as U+FFFD. */
function expected(s) {
  const d = defaultState();
  const out = { ...d, ...s };
  for (const k of ['rule', 'events', 'exceptions']) out[k] = fffd(out[k]);
  out.lists = out.lists.map((l) => ({ values: '', ...l, values: fffd(l.values ?? '') }));
  out.view = { ...d.view, ...out.view };
  if (out.exercise) {
    out.exercise = {
      title: '', task: '', verdicts: [], sequences: [], hideResults: false, ...out.exercise,
    };
    out.exercise.title = fffd(out.exercise.title);
    out.exercise.task = fffd(out.exercise.task);
  }
  return out;
}

/** The link's JSON, read with node's zlib and Buffer: the format as another decoder sees it. */
function payloadOf(link) {
  const m = /^#v1\.([A-Za-z0-9_-]*)$/.exec(link);
  assert.ok(m, `not a v1 link: ${link.slice(0, 40)}`);
  return JSON.parse(zlib.inflateRawSync(Buffer.from(m[1], 'base64url')).toString('utf8'));
}

/** A v1 link from any JSON text, made with node's zlib (not the codec's encoder). */
const linkOf = (json, level = 6) => `#v1.${zlib.deflateRawSync(Buffer.from(json, 'utf8'), { level }).toString('base64url')}`;
const linkOfBytes = (bytes) => `#v1.${Buffer.from(bytes).toString('base64url')}`;

async function rejectsWith(promiseOrFn, kind) {
  let p;
  try {
    p = typeof promiseOrFn === 'function' ? promiseOrFn() : promiseOrFn;
  } catch (e) {
    assert.fail(`threw synchronously instead of rejecting: ${e}`);
  }
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof ShareError, `not a ShareError: ${e && e.stack}`);
    assert.equal(typeof e.message, 'string');
    assert.ok(e.message.length > 10, 'a human message');
    if (kind) assert.equal(e.kind, kind, e.message);
    return e;
  }
  assert.fail(`resolved instead of failing with ${kind}`);
}

function throwsWith(fn, kind) {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof ShareError, `not a ShareError: ${e && e.stack}`);
    if (kind) assert.equal(e.kind, kind, e.message);
    return e;
  }
  assert.fail(`returned instead of failing with ${kind}`);
}

const example = (name) => ({
  rule: fs.readFileSync(path.join(ROOT, 'rules', name, 'rule.toml'), 'utf8'),
  events: fs.readFileSync(path.join(ROOT, 'rules', name, 'events.ndjson'), 'utf8'),
});

// ---------- round trips ----------

test('round trip: 400 generated states (unicode, astral, controls, HTML), link and file', async () => {
  const r = rng(20261124);
  for (let i = 0; i < 400; i++) {
    const s = makeState(r, { lone: i % 4 === 0 });
    const link = await encodeState(s);
    assert.match(link, /^#v1\.[A-Za-z0-9_-]+$/);
    const { state, ignored } = await decodeLink(link);
    assert.deepEqual(state, expected(s), `state ${i}`);
    assert.deepEqual(ignored, []);
    // Well-formed texts come back byte for byte.
    if (s.rule !== undefined && s.rule.isWellFormed()) assert.ok(Buffer.from(state.rule).equals(Buffer.from(s.rule)));
    // Canonical: the decoded state encodes to the same link.
    assert.equal(await encodeState(state), link);
    // The file holds the same JSON plus the version.
    const file = stateToFile(s);
    assert.deepEqual(JSON.parse(file), { ruleplay: 1, ...payloadOf(link) });
    assert.deepEqual(stateFromFile(file), { state, ignored: [] });
    assert.deepEqual(stateFromFile(new TextEncoder().encode(file)), { state, ignored: [] });
  }
});

test('a lone surrogate becomes U+FFFD (it has no UTF-8 form); paired ones stay', async () => {
  const { state } = await decodeLink(await encodeState({ rule: 'a\ud800b\udc00c😀\udbff' }));
  assert.equal(state.rule, 'a\ufffdb\ufffdc😀\ufffd');
  // A hand-made link with an escaped lone surrogate decodes the same way.
  const { state: s2 } = await decodeLink(linkOf('{"rule":"x\\ud800y"}'));
  assert.equal(s2.rule, 'x\ufffdy');
});

test('the JSON omits defaults and keeps the documented key order', async () => {
  assert.deepEqual(payloadOf(await encodeState({})), {});
  assert.deepEqual(payloadOf(await encodeState(defaultState())), {});
  const full = {
    mode: 'eql', rule: 'r', events: 'e', exceptions: 'x', lists: [{ id: 'l', type: 'ip', values: '' }],
    now: '2024-06-01T00:00:00Z', example: 'foxmail', selected: 0, filter: 'near', view: { details: true },
    exercise: { title: '', task: '', verdicts: [], sequences: [], hideResults: false },
  };
  const json = payloadOf(await encodeState(full));
  assert.deepEqual(Object.keys(json), Object.keys(full));
  assert.deepEqual(json.lists, [{ id: 'l', type: 'ip' }]);
  assert.deepEqual(json.exercise, {}, 'an exercise with default content is still an exercise');
  // null and undefined from the page mean the default.
  assert.deepEqual(payloadOf(await encodeState({ rule: undefined, now: null, selected: null, view: { details: null } })), {});
});

test('every mode, empty parts, and links made by another encoder', async () => {
  for (const mode of ['toml', 'kql', 'eql']) {
    for (const parts of [{}, { rule: '' }, { rule: 'a', events: '', exceptions: '' }, { events: '\n' }, { exceptions: ' ' }]) {
      const s = { mode, ...parts };
      const { state } = await decodeLink(await encodeState(s));
      assert.deepEqual(state, expected(s));
    }
  }
  for (const level of [0, 1, 9]) {
    const { state } = await decodeLink(linkOf('{"mode":"kql","rule":"a:b","events":"{}"}', level));
    assert.deepEqual(state, expected({ mode: 'kql', rule: 'a:b', events: '{}' }));
  }
});

test('the seed examples round trip; link lengths', async (t) => {
  for (const name of ['exim4', 'foxmail']) {
    const s = { ...example(name), example: name };
    const link = await encodeState(s);
    const { state } = await decodeLink(`https://example.org/ruleplay/${link}`);
    assert.equal(state.rule, s.rule);
    assert.equal(state.events, s.events);
    t.diagnostic(`${name}: rule.toml + events.ndjson = ${s.rule.length + s.events.length} chars, fragment ${link.length} chars`);
  }
});

test('large states: 1 MB+ of events and 1 MB of poorly compressible text', async (t) => {
  const r = rng(7);
  const lines = [];
  let size = 0;
  for (let i = 0; size < 1_100_000; i++) {
    const line = JSON.stringify({
      '@timestamp': new Date(Date.UTC(2024, 0, 1) + i * 1000).toISOString(),
      host: { name: `host-${Math.floor(r() * 500)}`, os: { type: pick(r, ['linux', 'windows', 'macos']) } },
      process: { name: pick(r, ['bash', 'sh', 'cmd.exe', 'powershell.exe']), pid: Math.floor(r() * 65536), args: [makeText(r, { max: 6 })] },
      user: { name: `user${Math.floor(r() * 1000)}` },
    });
    lines.push(line);
    size += line.length + 1;
  }
  const events = lines.join('\n');
  let t0 = performance.now();
  const link = await encodeState({ mode: 'kql', rule: 'process.name:bash', events });
  const enc = performance.now() - t0;
  t0 = performance.now();
  const { state } = await decodeLink(link);
  const dec = performance.now() - t0;
  assert.equal(state.events, events);
  t.diagnostic(`${(events.length / 1e6).toFixed(2)} MB of NDJSON events: fragment ${link.length} chars, encode ${enc.toFixed(0)} ms, decode ${dec.toFixed(0)} ms`);
  assert.ok(linkAdvice(link.length).fits);

  const noisy = Array.from({ length: 1_000_000 }, () => String.fromCharCode(33 + Math.floor(r() * 90))).join('');
  t0 = performance.now();
  const link2 = await encodeState({ rule: noisy });
  const enc2 = performance.now() - t0;
  t0 = performance.now();
  assert.equal((await decodeLink(link2)).state.rule, noisy);
  t.diagnostic(`1 MB of random printable ASCII: fragment ${link2.length} chars, encode ${enc2.toFixed(0)} ms, decode ${(performance.now() - t0).toFixed(0)} ms`);
});

test('a link just under 2 MiB, Chrome\'s limit, opens', async (t) => {
  const r = rng(11);
  const noise = (n) => Array.from({ length: n }, () => String.fromCharCode(33 + Math.floor(r() * 90))).join('');
  const base = 'https://example.org/ruleplay/';
  let events = noise(1_800_000);
  let link = await encodeState({ events });
  // Random text compresses a little differently per zlib build: scale it to land just under the limit.
  if (base.length + link.length > LIMITS.maxLink) {
    events = events.slice(0, Math.floor((events.length * (LIMITS.maxLink - 2000)) / (base.length + link.length)));
    link = await encodeState({ events });
  }
  assert.ok(base.length + link.length > 1_900_000 && base.length + link.length <= LIMITS.maxLink, `${link.length}`);
  assert.ok(linkAdvice(base.length + link.length).fits);
  const t0 = performance.now();
  assert.equal((await decodeLink(base + link)).state.events, events);
  t.diagnostic(`${link.length}-char link decoded in ${(performance.now() - t0).toFixed(0)} ms`);
});

test('a state over the cap is refused by the encoder and by the file writer', async () => {
  const big = 'x'.repeat(LIMITS.maxState + 1);
  await rejectsWith(encodeState({ events: big }), 'too-large');
  throwsWith(() => stateToFile({ events: big }), 'too-large');
  await rejectsWith(encodeState({ events: 'é'.repeat(LIMITS.maxState / 2) }), 'too-large'); // 2 UTF-8 bytes each
});

test('the encoder refuses a malformed state', async () => {
  for (const bad of [null, [], 'x', { mode: 'python' }, { rule: 5 }, { selected: -1 }, { lists: [{ id: 'a' }] }, { lists: [, { id: 'a', type: 'ip' }] }]) {
    await rejectsWith(encodeState(bad), 'bad-state');
  }
});

// ---------- hostile and damaged links ----------

test('not a link', async () => {
  for (const x of ['', '#', '#results', 'https://example.org/', 'https://example.org/#v', 'v1', '#v1', '#V1.abc', '#x1.abc', undefined, null, 42, {}]) {
    await rejectsWith(() => decodeLink(x), 'not-a-link');
  }
});

test('unknown versions', async () => {
  for (const x of ['#v2.abc', '#v0.', '#v01.q64FAA', '#v99999999999999999999.x', 'https://x/#v3.AAAA']) {
    const e = await rejectsWith(decodeLink(x), 'unknown-version');
    assert.match(e.message, /Reload the page/);
  }
});

test('bad base64: characters outside base64url, padding, a cut-off length', async () => {
  const e = await rejectsWith(decodeLink('#v1.q64\u202eFA'), 'bad-base64');
  assert.match(e.message, /character 4 of its data, \(U\+202E\)/);
  assert.match((await rejectsWith(decodeLink('#v1.q6!'), 'bad-base64')).message, /"!" \(U\+0021\)/);
  for (const x of ['#v1.q64F!A', '#v1.q64F+A', '#v1.q64F/A', '#v1.q64FAA==', '#v1.q6%4F', '#v1.q64é', '#v1.q64😀AA', '#v1.A', '#v1.q64FA']) {
    await rejectsWith(decodeLink(x), 'bad-base64');
  }
  // Whitespace from a wrapped email is dropped.
  assert.deepEqual((await decodeLink('#v1.q6\n4F\r\n AA')).state, defaultState());
});

test('bad compression: garbage, a reserved block type, an empty payload', async () => {
  await rejectsWith(decodeLink('#v1.'), 'bad-compression');
  await rejectsWith(decodeLink(linkOfBytes([0x07, 0x00])), 'bad-compression'); // BFINAL=1, BTYPE=11 (reserved)
  await rejectsWith(decodeLink(linkOfBytes([0x01, 0x05, 0x00, 0x00, 0x00])), 'bad-compression'); // stored block, LEN/NLEN mismatch
  await rejectsWith(decodeLink('#v1.' + Buffer.from('hello, world').toString('base64url')), 'bad-compression');
});

test('every truncation of a real link is refused', async () => {
  const link = await encodeState({ ...example('exim4'), example: 'exim4' });
  const kinds = new Set();
  for (let cut = link.length - 1; cut >= 4; cut--) {
    const e = await rejectsWith(decodeLink(link.slice(0, cut)));
    kinds.add(e.kind);
  }
  assert.deepEqual([...kinds].sort(), ['bad-base64', 'bad-compression']);
});

test('random damage and random payloads never throw anything but a ShareError', async () => {
  const r = rng(99);
  const link = await encodeState({ ...example('foxmail'), mode: 'toml', selected: 3 });
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  for (let i = 0; i < 300; i++) {
    let x;
    if (i % 3 === 0) {
      x = '#v1.' + Array.from({ length: Math.floor(r() * 200) }, () => alphabet[Math.floor(r() * 64)]).join('');
    } else {
      const chars = [...link];
      for (let k = 0; k <= i % 4; k++) chars[4 + Math.floor(r() * (chars.length - 4))] = alphabet[Math.floor(r() * 64)];
      x = chars.join('');
    }
    try {
      const { state } = await decodeLink(x);
      // DEFLATE has no checksum: a changed character may still decode, but only to a valid state.
      assert.ok(['toml', 'kql', 'eql'].includes(state.mode));
    } catch (e) {
      assert.ok(e instanceof ShareError, `not a ShareError: ${e && e.stack}`);
    }
  }
});

/** Raw DEFLATE of `mib` MiB of zeros, from one ~1 KB full-flushed block repeated (no big buffer). */
function zeroBomb(mib) {
  const d = zlib.createDeflateRaw({ level: 9 });
  const chunks = [];
  d.on('data', (c) => chunks.push(c));
  d.write(Buffer.alloc(1024 * 1024));
  return new Promise((resolve) => {
    d.flush(zlib.constants.Z_FULL_FLUSH, () => {
      const block = Buffer.concat(chunks);
      // A final empty fixed-Huffman block (BFINAL=1, BTYPE=01, end-of-block) ends the stream.
      resolve({ block, stream: Buffer.concat([...Array(mib).fill(block), Buffer.from([0x03, 0x00])]) });
      d.close();
    });
  });
}

test('a decompression bomb (500 MiB of zeros from ~0.5 MB) is refused within a second', async (t) => {
  const { block, stream } = await zeroBomb(500);
  // The bomb itself is well formed: it inflates to 500 MiB (checked on a 4 MiB one, cheaply).
  const { stream: small } = await zeroBomb(4);
  assert.equal(zlib.inflateRawSync(small).length, 4 * 1024 * 1024);
  const link = linkOfBytes(stream);
  assert.ok(link.length < LIMITS.maxLink);
  const before = process.memoryUsage().arrayBuffers;
  const t0 = performance.now();
  const e = await rejectsWith(decodeLink(link), 'too-large');
  const ms = performance.now() - t0;
  t.diagnostic(`bomb: ${block.length} B per MiB of zeros, ${stream.length} B deflate, ${link.length}-char link; refused in ${ms.toFixed(0)} ms: ${e.message}`);
  assert.ok(ms < 1000, `took ${ms} ms`);
  assert.ok(process.memoryUsage().arrayBuffers - before < 200 * 1024 * 1024, 'did not hold the bomb in memory');
});

test('a JSON bomb that starts like a real state is refused too', async () => {
  const d = zlib.deflateRawSync(Buffer.concat([Buffer.from('{"rule":"'), Buffer.alloc(LIMITS.maxState + 1, 0x61), Buffer.from('"}')]));
  await rejectsWith(decodeLink(linkOfBytes(d)), 'too-large');
  // Exactly at the cap is accepted.
  const exact = '{"rule":"' + 'a'.repeat(LIMITS.maxState - 11) + '"}';
  assert.equal(Buffer.byteLength(exact), LIMITS.maxState);
  assert.equal((await decodeLink(linkOf(exact))).state.rule.length, LIMITS.maxState - 11);
});

test('a link over 2 MiB is refused without reading it', async () => {
  const t0 = performance.now();
  await rejectsWith(decodeLink('#v1.' + 'A'.repeat(LIMITS.maxLink)), 'too-large');
  assert.ok(performance.now() - t0 < 100);
});

test('not UTF-8, not JSON', async () => {
  await rejectsWith(decodeLink(linkOfBytes(zlib.deflateRawSync(Buffer.from([0x7b, 0xff, 0xfe, 0x7d])))), 'bad-json');
  await rejectsWith(decodeLink(linkOfBytes(zlib.deflateRawSync(Buffer.from([0x22, 0xed, 0xa0, 0x80, 0x22])))), 'bad-json'); // UTF-8 of a surrogate
  for (const j of ['hello', '{', '{"rule":"a",}', "{'rule':'a'}", '{"rule":"a"} x', '']) {
    const e = await rejectsWith(decodeLink(linkOf(j)), 'bad-json');
    assert.doesNotMatch(e.message, /hello|"rule"/, 'the message never quotes the content');
  }
  await rejectsWith(decodeLink(linkOf('['.repeat(200000) + ']'.repeat(200000))), 'bad-state');
});

test('wrong JSON types are refused, naming the key', async () => {
  const cases = {
    '[]': 'the state', 'null': 'the state', '"x"': 'the state', '42': 'the state', 'true': 'the state',
    '{"mode":"python"}': 'mode', '{"mode":1}': 'mode', '{"mode":null}': 'mode', '{"mode":"TOML"}': 'mode',
    '{"rule":5}': 'rule', '{"rule":null}': 'rule', '{"rule":["a"]}': 'rule', '{"events":{}}': 'events',
    '{"exceptions":false}': 'exceptions', '{"lists":{}}': 'lists', '{"lists":[1]}': 'lists[0]',
    '{"lists":[{"type":"ip"}]}': 'lists[0].id', '{"lists":[{"id":"a","type":"IP; drop"}]}': 'lists[0].type',
    '{"lists":[{"id":"a","type":"ip","values":1}]}': 'lists[0].values', '{"now":"yesterday"}': 'now',
    '{"now":"2024-13-45T99:99:99Z"}': 'now', '{"now":"2023-02-29T00:00:00Z"}': 'now',
    '{"now":"2024-06-01T24:00:00Z"}': 'now', '{"now":"2024-06-01T00:00:00+24:00"}': 'now', '{"now":"2024-06-01 00:00:00Z"}': 'now',
    '{"now":"2024-06-01T00:00:00z"}': 'now', '{"now":0}': 'now', '{"example":"<b>x</b>"}': 'example',
    '{"example":"../../etc"}': 'example', '{"example":""}': 'example', '{"selected":-1}': 'selected',
    '{"selected":1.5}': 'selected', '{"selected":"3"}': 'selected', '{"selected":1e400}': 'selected',
    '{"selected":9007199254740993}': 'selected', '{"filter":"x"}': 'filter', '{"view":[]}': 'view',
    '{"view":{"details":"yes"}}': 'view.details', '{"view":{"details":null}}': 'view.details',
    '{"exercise":null}': 'exercise', '{"exercise":{"verdicts":["maybe"]}}': 'exercise.verdicts[0]',
    '{"exercise":{"sequences":[[0,-1]]}}': 'exercise.sequences[0][1]', '{"exercise":{"sequences":[0]}}': 'exercise.sequences[0]',
    '{"exercise":{"hideResults":1}}': 'exercise.hideResults', '{"exercise":{"title":"x"}, "rule": 1}': 'rule',
  };
  for (const [json, key] of Object.entries(cases)) {
    const e = await rejectsWith(decodeLink(linkOf(json)), 'bad-state');
    assert.ok(e.message.includes(`"${key}"`), `${json}: ${e.message}`);
  }
});

test('unknown keys are ignored and reported; they change nothing', async () => {
  const { state, ignored } = await decodeLink(linkOf('{"rule":"a","future":{"x":1},"view":{"details":true,"zoom":2},"lists":[{"id":"l","type":"ip","extra":1}]}'));
  assert.deepEqual(state, expected({ rule: 'a', view: { details: true }, lists: [{ id: 'l', type: 'ip' }] }));
  // Reported in reading order: an object's own unknown keys, then its known keys' in format order.
  assert.deepEqual(ignored, ['future', 'lists[0].extra', 'view.zoom']);
  // Reported names are bounded in number and length.
  const many = Object.fromEntries(Array.from({ length: 500 }, (_, i) => [`k${i}${'x'.repeat(i)}`, i]));
  const r2 = await decodeLink(linkOf(JSON.stringify(many)));
  assert.equal(r2.ignored.length, 50);
  assert.ok(r2.ignored.every((k) => k.length <= 65));
});

test('__proto__ and constructor keys pollute nothing', async () => {
  const json = '{"__proto__":{"polluted":true,"mode":"eql"},"constructor":{"prototype":{"polluted":true}},' +
    '"rule":"a","view":{"__proto__":{"details":true}},"lists":[{"__proto__":{"id":"x"},"id":"l","type":"ip"}],' +
    '"exercise":{"__proto__":{"hideResults":true},"verdicts":{"__proto__":[]}}}';
  const e = await rejectsWith(decodeLink(linkOf(json)), 'bad-state'); // verdicts is not an array
  assert.match(e.message, /exercise\.verdicts/);
  const { state, ignored } = await decodeLink(linkOf(json.replace(',"verdicts":{"__proto__":[]}', '')));
  assert.equal(({}).polluted, undefined);
  assert.equal(Object.prototype.polluted, undefined);
  assert.equal(state.polluted, undefined);
  assert.equal(state.mode, 'toml');
  assert.equal(state.view.details, null);
  assert.equal(state.exercise.hideResults, false);
  assert.equal(Object.getPrototypeOf(state), Object.prototype);
  assert.equal(Object.getPrototypeOf(state.view), Object.prototype);
  assert.deepEqual(ignored, ['__proto__', 'constructor', 'lists[0].__proto__', 'view.__proto__', 'exercise.__proto__']);
  assert.deepEqual(state, expected({ rule: 'a', lists: [{ id: 'l', type: 'ip' }], exercise: {} }));
});

test('an already polluted Object.prototype does not leak into a decoded state', async () => {
  Object.prototype.mode = 'eql';
  Object.prototype.details = true;
  Object.prototype.rule = 'injected';
  try {
    const { state } = await decodeLink(linkOf('{"view":{}}'));
    assert.equal(Object.hasOwn(state, 'mode') && state.mode, 'toml');
    assert.equal(state.rule, '');
    assert.equal(state.view.details, null);
  } finally {
    delete Object.prototype.mode;
    delete Object.prototype.details;
    delete Object.prototype.rule;
  }
});

test('HTML and script in texts are returned as the same inert strings', async () => {
  const s = {
    rule: '<script>alert(document.cookie)</script>', events: '{"a":"<img src=x onerror=alert(1)>"}\n',
    exceptions: '"><svg onload=alert(1)>', exercise: { title: '<h1>hi</h1>', task: 'javascript:alert(1)' },
    lists: [{ id: '<b>list</b>', type: 'keyword', values: '<iframe>' }],
  };
  const { state } = await decodeLink(await encodeState(s));
  assert.deepEqual(state, expected(s));
  for (const v of [state.rule, state.events, state.exceptions, state.exercise.title, state.lists[0].id]) assert.equal(typeof v, 'string');
});

test('without CompressionStream the codec says so', async () => {
  const saved = globalThis.DecompressionStream;
  const savedC = globalThis.CompressionStream;
  try {
    delete globalThis.DecompressionStream;
    delete globalThis.CompressionStream;
    await rejectsWith(decodeLink('#v1.q64FAA'), 'unsupported');
    await rejectsWith(encodeState({}), 'unsupported');
  } finally {
    globalThis.DecompressionStream = saved;
    globalThis.CompressionStream = savedC;
  }
});

// ---------- state files ----------

test('state files: format, BOM, hostile files', () => {
  const file = stateToFile({ mode: 'kql', rule: 'a:b' });
  assert.equal(file, '{\n  "ruleplay": 1,\n  "mode": "kql",\n  "rule": "a:b"\n}\n');
  assert.equal(FILE_EXTENSION, '.ruleplay.json');
  assert.equal(FORMAT_VERSION, 1);
  assert.deepEqual(stateFromFile(`\ufeff${file}`).state.rule, 'a:b');
  assert.deepEqual(stateFromFile(new Uint8Array([0xef, 0xbb, 0xbf, ...Buffer.from(file)])).state.rule, 'a:b');
  assert.deepEqual(stateFromFile(new TextEncoder().encode(file).buffer).state.mode, 'kql');
  throwsWith(() => stateFromFile('{"mode":"kql"}'), 'bad-state');
  throwsWith(() => stateFromFile('[]'), 'bad-state');
  throwsWith(() => stateFromFile('{"ruleplay":"1"}'), 'bad-state');
  throwsWith(() => stateFromFile('{"ruleplay":0}'), 'bad-state');
  throwsWith(() => stateFromFile('{"ruleplay":2}'), 'unknown-version');
  throwsWith(() => stateFromFile('{"ruleplay":1,"mode":5}'), 'bad-state');
  throwsWith(() => stateFromFile('not json'), 'bad-json');
  throwsWith(() => stateFromFile(new Uint8Array([0x7b, 0xff, 0x7d])), 'bad-json');
  throwsWith(() => stateFromFile(42), 'bad-json');
  throwsWith(() => stateFromFile(new Uint8Array(LIMITS.maxState + 1)), 'too-large');
  const { state, ignored } = stateFromFile('{"ruleplay":1,"__proto__":{"x":1},"later":true}');
  assert.deepEqual(state, defaultState());
  assert.deepEqual(ignored, ['__proto__', 'later']);
});

// ---------- length advice ----------

test('link length advice at each threshold', () => {
  const at = (n) => {
    const a = linkAdvice(n);
    return [a.level, a.warnings.length, a.offerFile, a.fits];
  };
  assert.deepEqual(at(0), ['ok', 0, false, true]);
  assert.deepEqual(at(2000), ['ok', 0, false, true]);
  assert.deepEqual(at(2001), ['long', 1, false, true]);
  assert.deepEqual(at(8000), ['long', 1, false, true]);
  assert.deepEqual(at(8001), ['very-long', 2, false, true]);
  assert.deepEqual(at(32768), ['very-long', 2, false, true]);
  assert.deepEqual(at(32769), ['file', 3, true, true]);
  assert.deepEqual(at(2 * 1024 * 1024), ['file', 3, true, true]);
  assert.deepEqual(at(2 * 1024 * 1024 + 1), ['too-long', 4, true, false]);
  const a = linkAdvice(40000);
  assert.deepEqual(a.warnings.map((w) => w.limit), [2000, 8000, 32768]);
  assert.match(a.warnings[0].message, /Discord/);
  assert.match(a.warnings[2].message, /\.ruleplay\.json/);
  assert.match(a.warnings[2].message, /40,000 characters/);
});

test('a mapping travels as written, and only when there is one', async () => {
  const mappings = '{"properties": {"custom": {"properties": {"score": {"type": "long"}}}}}\n';
  const { state } = await decodeLink(await encodeState({ rule: 'a', mappings }));
  assert.equal(state.mappings, mappings);
  assert.equal('mappings' in payloadOf(await encodeState({ rule: 'a', mappings: '' })), false);
  assert.equal(defaultState().mappings, '');
  assert.equal(stateFromFile(stateToFile({ ...defaultState(), mappings })).state.mappings, mappings);
});

test('value lists as the exceptions panel keeps them travel whole, in order, and only when there are some', async () => {
  const lists = [
    { id: 'admin-jump-hosts.txt', type: 'ip', values: '10.0.0.5\r\n2001:db8::1\n' },
    { id: 'nets', type: 'ip_range', values: '192.168.1.10-192.168.1.20\n172.16.0.0/12\n' },
    { id: 'phrases ✓', type: 'text', values: 'Backup job finished OK\n\n' },
    { id: 'k', type: 'keyword', values: '' },
  ];
  const link = await encodeState({ rule: 'source.ip:*', lists });
  const { state, ignored } = await decodeLink(link);
  assert.deepEqual(state.lists, lists);
  assert.deepEqual(ignored, []);
  assert.deepEqual(payloadOf(link).lists.at(-1), { id: 'k', type: 'keyword' }, 'an empty list keeps its id and type');
  assert.equal('lists' in payloadOf(await encodeState({ rule: 'a', lists: [] })), false);
  const file = stateFromFile(stateToFile({ ...defaultState(), lists }));
  assert.deepEqual(file.state.lists, lists);
});

test('while a bomb is refused the event loop keeps turning (timers fire, so a page takes input)', async (t) => {
  const { stream } = await zeroBomb(500);
  const link = linkOfBytes(stream);
  let gap = 0;
  let beats = 0;
  let last = performance.now();
  const beat = setInterval(() => {
    const now = performance.now();
    gap = Math.max(gap, now - last);
    last = now;
    beats++;
  }, 5);
  const t0 = performance.now();
  await rejectsWith(decodeLink(link), 'too-large');
  const ms = performance.now() - t0;
  clearInterval(beat);
  t.diagnostic(`bomb refused in ${ms.toFixed(0)} ms; ${beats} timer beats meanwhile, longest gap ${gap.toFixed(0)} ms`);
  assert.ok(beats > 0, 'no timer fired while inflating');
  assert.ok(gap < 300, `the event loop stalled for ${gap} ms`);
});
