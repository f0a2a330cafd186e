// www/bigfile/worker_file.js: the worker's slice loop over a File, against a stand-in session that
// records what it is given (the core's line handling is tested in crate/src/engine/session/
// bigfile_tests.rs: lines, CRLF and UTF-8 split across pieces, arrays refused).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, stop } from '../../www/bigfile/worker_file.js';

function fakeSession() {
  const s = {
    begun: /** @type {boolean[]} */ ([]),
    pieces: /** @type {Uint8Array[]} */ ([]),
    ended: 0,
    lines: 0,
    file_begin(again) {
      s.begun.push(again);
      s.pieces = [];
    },
    file_push(bytes) {
      s.pieces.push(bytes);
      s.lines += bytes.filter((b) => b === 10).length;
      return { events: s.lines, errors: 0 };
    },
    file_end() {
      s.ended++;
      return { count: s.lines, errors: [], errorCount: 0, fields: [] };
    },
  };
  return s;
}

/** A file of `n` lines with multi-byte characters, ~`n * 60` bytes. */
function makeFile(n) {
  const lines = [];
  for (let i = 0; i < n; i++) lines.push(`{"i":${i},"m":"zoë ✓ 日本語 ${'x'.repeat(40 + (i % 40))}"}\n`);
  return new File(lines, 'big.ndjson');
}

test('every byte reaches the core once, in order, in slices, with progress in words', async () => {
  const file = makeFile(120_000);
  assert.ok(file.size > 8 << 20, 'more than two slices');
  const s = fakeSession();
  const labels = [];
  const r = await readFile(s, file, (label, value) => labels.push([label, value]));
  assert.equal(r.stopped, false);
  assert.deepEqual(s.begun, [false]);
  assert.equal(s.ended, 1);
  const joined = Buffer.concat(s.pieces.map((p) => Buffer.from(p)));
  assert.ok(joined.equals(Buffer.from(await file.arrayBuffer())));
  assert.ok(s.pieces.length >= 3);
  assert.match(labels[0][0], /^Reading events: \d+% \([\d,]+ events\)$/);
  assert.equal(labels.at(-1)[0], 'Reading events: 100% (120,000 events)');
  assert.equal(labels.at(-1)[1], 1);
  // Read again (a new field): the same file, kept from the first read.
  const again = [];
  await readFile(s, null, (label) => again.push(label));
  assert.deepEqual(s.begun, [false, true]);
  assert.match(again[0], /^Reading big\.ndjson again for the new fields: /);
});

test('stop ends the read at the next slice and keeps what was read', async () => {
  const file = makeFile(120_000);
  const s = fakeSession();
  const r = await readFile(s, file, () => stop());
  assert.equal(r.stopped, true);
  assert.equal(s.pieces.length, 1);
  assert.equal(s.ended, 1);
  assert.ok(r.report.count > 0 && r.report.count < 120_000);
  // The next read starts afresh.
  const full = await readFile(fakeSession(), file, () => {});
  assert.equal(full.stopped, false);
});
