// SessionStore (www/autosave.js) against an in-memory Storage: per-tab records, the newest record,
// damaged records, a full quota (other tabs' records go first, then one report), storage that is
// missing, and a duplicated tab moving to a new id.
import { test } from 'node:test';
import assert from 'node:assert/strict';

/** A Storage with an optional quota in characters (keys + values), like browsers count it. */
class MemoryStorage {
  constructor(quota = Infinity) {
    this.map = new Map();
    this.quota = quota;
  }
  get length() {
    return this.map.size;
  }
  key(i) {
    return [...this.map.keys()][i] ?? null;
  }
  getItem(k) {
    return this.map.has(k) ? this.map.get(k) : null;
  }
  setItem(k, v) {
    let used = String(k).length + String(v).length;
    for (const [key, val] of this.map) if (key !== k) used += key.length + val.length;
    if (used > this.quota) throw new DOMException('full', 'QuotaExceededError');
    this.map.set(String(k), String(v));
  }
  removeItem(k) {
    this.map.delete(k);
  }
}

/** Installs the globals SessionStore reads; returns the storage event listeners. */
function browser({ local = new MemoryStorage(), session = new MemoryStorage(), localThrows = false } = {}) {
  const listeners = [];
  globalThis.window = {
    get localStorage() {
      if (localThrows) throw new DOMException('denied', 'SecurityError');
      return local;
    },
    addEventListener: (type, fn) => type === 'storage' && listeners.push(fn),
  };
  globalThis.sessionStorage = session;
  return { local, session, listeners };
}

const { SessionStore } = await import('../../www/autosave.js');

const state = (rule) => ({ mode: 'kql', rule, events: '{"a":1}' });
const record = (rule, extra = {}) => ({ state: state(rule), dirty: true, bigFile: null, label: 'the example', previous: null, ...extra });

function store(env) {
  const reports = [];
  const s = new SessionStore((problem, message) => reports.push([problem, message]));
  return { s, reports, env };
}

test('a tab reads back its own record; another tab gets the newest', async () => {
  const env = browser();
  const a = store(env).s;
  assert.equal(a.write(record('a')), true);
  await new Promise((r) => setTimeout(r, 2));
  // A second tab: same localStorage, its own sessionStorage.
  browser({ local: env.local });
  const b = store().s;
  assert.notEqual(b.tab, a.tab);
  const first = b.read();
  assert.equal(first.mine, null);
  assert.equal(first.latest.state.rule, 'a');
  assert.equal(first.latest.dirty, true);
  b.write(record('b', { previous: { state: state('earlier'), label: 'a shared link' } }));
  const again = b.read();
  assert.equal(again.mine.state.rule, 'b');
  assert.equal(again.mine.previous.state.rule, 'earlier');
  assert.equal(again.latest.state.rule, 'b');
  // The first tab after a reload: same sessionStorage, so the same id and its own record.
  browser({ local: env.local, session: env.session });
  const a2 = store().s;
  assert.equal(a2.tab, a.tab);
  assert.equal(a2.read().mine.state.rule, 'a');
});

test('damaged or tampered records are skipped, not trusted', () => {
  const env = browser();
  const { s } = store(env);
  s.write(record('good'));
  env.local.setItem('ruleplay.session.x1', '{not json');
  env.local.setItem('ruleplay.session.x2', JSON.stringify({ v: 1, savedAt: Date.now() + 1e6, state: { ruleplay: 1, rule: 5 } }));
  env.local.setItem('ruleplay.session.x3', JSON.stringify({ v: 2, savedAt: Date.now() + 1e6, state: { ruleplay: 1 } }));
  env.local.setItem('ruleplay.session.x4', JSON.stringify({ v: 1, savedAt: Date.now() + 1e6, state: { ruleplay: 1, mode: '<script>' } }));
  const { mine, latest } = s.read();
  assert.equal(mine.state.rule, 'good');
  assert.equal(latest.state.rule, 'good');
});

test('a full quota drops other tabs\' records, oldest first, then reports once', async () => {
  const env = browser();
  const others = [];
  for (let i = 0; i < 3; i++) {
    browser({ local: env.local });
    const o = store().s;
    o.write(record(`other ${i} ${'x'.repeat(1200)}`));
    others.push(o.tab);
    await new Promise((r) => setTimeout(r, 2));
  }
  // Room for 500 more characters: less than the next record, more than it needs once one of the
  // others (about 1,450 characters each) is gone.
  env.local.quota = [...env.local.map].reduce((n, [k, v]) => n + k.length + v.length, 0) + 500;
  browser({ local: env.local });
  const { s, reports } = store();
  // Needs room for one more record of this size: the oldest other record goes.
  assert.equal(s.write(record(`mine ${'y'.repeat(1500)}`)), true);
  const keys = [...env.local.map.keys()];
  assert.equal(keys.includes(`ruleplay.session.${others[0]}`), false);
  assert.equal(keys.includes(`ruleplay.session.${others[2]}`), true);
  assert.deepEqual(reports, []);
  // Far too big for the quota: everything else goes, it still fails, and says so once.
  assert.equal(s.write(record('z'.repeat(10000))), false);
  assert.equal(s.write(record('z'.repeat(10001))), false);
  assert.deepEqual(reports.map(([p]) => p), ['full']);
  assert.match(reports[0][1], /storage for this page is full/);
});

test('storage that is missing is reported once and nothing throws', () => {
  browser({ localThrows: true });
  const { s, reports } = store();
  assert.equal(s.available, false);
  assert.equal(s.write(record('a')), false);
  assert.deepEqual(s.read(), { mine: null, latest: null });
  assert.deepEqual(reports.map(([p]) => p), ['unavailable']);
});

test('a write refused for another reason turns autosave off with one report', () => {
  const local = new MemoryStorage();
  const env = browser({ local });
  const { s, reports } = store(env);
  local.setItem = () => {
    throw new DOMException('denied', 'SecurityError');
  };
  assert.equal(s.write(record('a')), false);
  assert.equal(s.write(record('b')), false);
  assert.deepEqual(reports.map(([p]) => p), ['unavailable']);
});

test('a duplicated tab (same id, seen through a storage event) moves to a new id', () => {
  const env = browser();
  const { s, reports } = store(env);
  let forked = 0;
  s.onFork = () => forked++;
  const before = s.tab;
  // Another tab's removal of our key (a prune) is not a duplicate.
  for (const fn of env.listeners) fn({ key: s.key, newValue: null });
  assert.equal(s.tab, before);
  for (const fn of env.listeners) fn({ key: `ruleplay.session.${before}`, newValue: '{}' });
  assert.notEqual(s.tab, before);
  assert.equal(env.session.getItem('ruleplay.tab'), s.tab);
  assert.equal(forked, 1);
  assert.deepEqual(reports.map(([p]) => p), ['duplicate']);
});
