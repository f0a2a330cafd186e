#!/usr/bin/env node
// Benchmark (a measurement, never a test): `ruleplay match` end to end, as a user runs it — file
// in, last verdict out, peak memory included — against peers measured in the same run:
//   - the naive floor: parsing every line into a serde_json::Value (bench_json_floor);
//   - for the Foxmail EQL seed, the reference Python `eql` engine with Elasticsearch semantics
//     (../shared/conformance/eql/oracle_eql.py), verdicts compared event by event.
// Also the peak memory of runs fed through a pipe (generated on the fly, never stored): N events
// from gen_events.py, and BYTES (10 GB by default) from `bench_events`, which replays the first
// size's file with times rewritten in order (Python writes ~10 MB/s here; ruleplay reads faster).
// ruleplay runs on every core (its default); `--threads 1` rows show the single-core figure.
//
//   node scripts/bench_cli.mjs [--sizes 100000,1000000] [--pipe 300000] [--pipe-bytes 10000000000] [--repeat 3]
//   (`npm run bench` runs every scripts/bench*.mjs; --pipe-bytes 0 skips the long run)
import { spawnSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SHARED = path.join(ROOT, '..', 'shared');
const GEN = path.join(SHARED, 'conformance', 'eql', 'gen_events.py');
const ORACLE = path.join(SHARED, 'conformance', 'eql', 'oracle_eql.py');
const SEEDS = {
  exim4: path.join(SHARED, 'seeds', 'unusual_exim4_child_process.toml'),
  foxmail: path.join(SHARED, 'seeds', 'potential_foxmail_exploitation.toml'),
};

const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const sizes = arg('sizes', '100000').split(',').map(Number);
const pipeN = Number(arg('pipe', '300000'));
const pipeBytes = Number(arg('pipe-bytes', '10000000000'));
const repeat = Number(arg('repeat', '3'));

if (!fs.existsSync(GEN) || !fs.existsSync(SEEDS.exim4)) {
  console.log('bench_cli: SKIPPED: ../shared (gen_events.py, the seed rules) is absent');
  process.exit(0);
}
if (!fs.existsSync('/usr/bin/time')) {
  console.log('bench_cli: SKIPPED: /usr/bin/time (Debian package "time") is needed for peak memory');
  process.exit(0);
}

function sh(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 30, ...opts });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}`);
  return r.stdout ? r.stdout.toString() : "";
}

const target = process.env.CARGO_TARGET_DIR || path.join(ROOT, 'target');
console.log('building release binaries…');
sh('cargo', ['build', '--release', '--quiet', '--bin', 'ruleplay', '--bin', 'bench_json_floor', '--bin', 'bench_events'], {
  cwd: path.join(ROOT, 'crate'),
  stdio: 'inherit',
});
const RULEPLAY = path.join(target, 'release', 'ruleplay');
const FLOOR = path.join(target, 'release', 'bench_json_floor');
const EVENTS = path.join(target, 'release', 'bench_events');
const cpu = (fs.readFileSync('/proc/cpuinfo', 'utf8').match(/model name\s*:\s*(.*)/) || [])[1] ?? '?';
const machine = `${os.cpus().length} cores (nproc), ${cpu}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB; load average at start ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`;

/** Best wall time (s) and peak RSS (MB) of `cmd args` over `times` runs, output discarded. */
function measure(cmd, args, stdout = 'ignore', times = repeat) {
  const tfile = path.join(os.tmpdir(), `bench-time-${process.pid}`);
  let best = Infinity;
  let rss = 0;
  let out = '';
  for (let i = 0; i < times; i++) {
    const r = spawnSync('/usr/bin/time', ['-f', '%e %M', '-o', tfile, cmd, ...args], {
      stdio: ['ignore', stdout, 'ignore'],
      maxBuffer: 1 << 30,
    });
    if (r.status !== 0) throw new Error(`${cmd} exited ${r.status}`);
    const [secs, kb] = fs.readFileSync(tfile, 'utf8').trim().split('\n').pop().split(' ').map(Number);
    best = Math.min(best, secs);
    rss = Math.max(rss, kb / 1024);
    if (stdout === 'pipe') out = r.stdout.toString();
  }
  return { secs: best, rss, out };
}

function python() {
  for (const v of [process.env.VENV, path.join(ROOT, '.venv-eql'), '/work/venv-eql']) {
    if (v && fs.existsSync(path.join(v, 'bin', 'python'))) {
      const ok = spawnSync(path.join(v, 'bin', 'python'), ['-c', 'import eql']).status === 0;
      if (ok) return path.join(v, 'bin', 'python');
    }
  }
  const venv = path.join(ROOT, '.venv-eql');
  console.log(`creating ${venv} with the reference engine (pip install eql)…`);
  const a = spawnSync('python3', ['-m', 'venv', venv], { stdio: 'inherit' });
  const b = a.status === 0 && spawnSync(path.join(venv, 'bin', 'pip'), ['install', '-q', 'eql'], { stdio: 'inherit' });
  return b && b.status === 0 ? path.join(venv, 'bin', 'python') : null;
}

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'ruleplay-bench-'));
const rows = [];
try {
  for (const n of sizes) {
    const events = path.join(work, `events-${n}.ndjson`);
    fs.writeFileSync(events, sh('python3', [GEN, String(n)]));
    const mb = fs.statSync(events).size / 1e6;
    const floor = measure(FLOOR, [events]);
    rows.push({ n, what: `serde_json::Value line parse (floor), ${mb.toFixed(0)} MB`, ...floor, ratio: 1 });
    for (const [name, rule] of Object.entries(SEEDS)) {
      const r = measure(RULEPLAY, ['match', '--rule', rule, '--events', events, '--summary']);
      rows.push({ n, what: `ruleplay match --rule ${name} --summary`, ...r, ratio: r.secs / floor.secs });
      const one = measure(RULEPLAY, ['match', '--rule', rule, '--events', events, '--summary', '--threads', '1']);
      rows.push({ n, what: `  the same, --threads 1`, ...one, ratio: one.secs / floor.secs });
    }
    const full = measure(RULEPLAY, ['match', '--rule', SEEDS.exim4, '--events', events]);
    rows.push({ n, what: 'ruleplay match --rule exim4 (every line printed)', ...full, ratio: full.secs / floor.secs });
    const py = n <= 1_000_000 ? python() : null;
    if (py) {
      const ours = measure(RULEPLAY, ['match', '--rule', SEEDS.foxmail, '--events', events, '--only-alerts'], 'pipe');
      // One run of Python (75 s at 1,000,000 events): its best of 3 would not change the ratio much.
      const theirs = measure(py, [ORACLE, SEEDS.foxmail, events], 'pipe', 1);
      const a = ours.out.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l).index).join(',');
      const b = theirs.out.trim().split('\n').filter(Boolean).join(',');
      rows.push({ n, what: 'python eql (oracle_eql.py, ES semantics), Foxmail', ...theirs, ratio: theirs.secs / floor.secs });
      rows.push({
        n,
        what: `  → ruleplay Foxmail is ${(theirs.secs / ours.secs).toFixed(0)}× faster end to end; verdicts ${a === b ? 'identical' : 'DIFFER'} (${a.split(',').filter(Boolean).length} alerts)`,
      });
    }
  }
  // Instructions (valgrind callgrind): the same count whatever else the machine runs, so the
  // ratio to the floor is repeatable on a busy machine where seconds are not.
  if (spawnSync('valgrind', ['--version']).status === 0) {
    const n = Math.min(20_000, sizes[0]);
    const events = path.join(work, `events-${n}.ndjson`);
    fs.writeFileSync(events, sh('python3', [GEN, String(n)]));
    const count = (cmd, args) => {
      const r = spawnSync('valgrind', ['--tool=callgrind', `--callgrind-out-file=${path.join(work, 'cg.out')}`, cmd, ...args], {
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      const m = /refs:\s+([\d,]+)/.exec(r.stderr.toString());
      return m ? Number(m[1].replace(/,/g, '')) : NaN;
    };
    const floor = count(FLOOR, [events]);
    for (const [name, rule] of Object.entries(SEEDS)) {
      const ours = count(RULEPLAY, ['match', '--rule', rule, '--events', events, '--summary']);
      rows.push({ n, what: `  instructions: ruleplay ${name} ${(ours / 1e6).toFixed(0)} M vs floor ${(floor / 1e6).toFixed(0)} M = ${(ours / floor).toFixed(2)}× floor` });
    }
  }
  // Peak memory fed through a pipe: the generator writes, ruleplay reads; nothing is stored.
  for (const [name, rule] of Object.entries(SEEDS)) {
    const tfile = path.join(work, 'pipe-time');
    const gen = spawn('python3', [GEN, String(pipeN)], { stdio: ['ignore', 'pipe', 'inherit'] });
    const rp = spawn('/usr/bin/time', ['-f', '%e %M', '-o', tfile, RULEPLAY, 'match', '--rule', rule, '--events', '-', '--summary'], {
      stdio: [gen.stdout, 'ignore', 'inherit'],
    });
    await new Promise((res) => rp.on('exit', res));
    const [secs, kb] = fs.readFileSync(tfile, 'utf8').trim().split('\n').pop().split(' ').map(Number);
    rows.push({ n: pipeN, what: `${name} through a pipe (gen_events.py → ruleplay, not stored)`, secs, rss: kb / 1024 });
  }
  // The long run: BYTES through a pipe, generated on the fly by bench_events.
  if (pipeBytes > 0) {
    const template = path.join(work, `events-${sizes[0]}.ndjson`);
    if (!fs.existsSync(template)) fs.writeFileSync(template, sh('python3', [GEN, String(sizes[0])]));
    for (const [name, rule] of Object.entries(SEEDS)) {
      const tfile = path.join(work, 'long-time');
      const gen = spawn(EVENTS, [template, String(pipeBytes)], { stdio: ['ignore', 'pipe', 'inherit'] });
      const rp = spawn('/usr/bin/time', ['-f', '%e %M', '-o', tfile, RULEPLAY, 'match', '--rule', rule, '--events', '-', '--summary'], {
        stdio: [gen.stdout, 'pipe', 'inherit'],
      });
      let out = '';
      rp.stdout.on('data', (d) => (out += d));
      await new Promise((res) => rp.on('exit', res));
      const [secs, kb] = fs.readFileSync(tfile, 'utf8').trim().split('\n').pop().split(' ').map(Number);
      const events = JSON.parse(out.trim().split('\n').pop()).summary.events;
      rows.push({
        n: events,
        what: `${name}: ${(pipeBytes / 1e9).toFixed(1)} GB through a pipe (bench_events → ruleplay, not stored), ${(pipeBytes / 1e6 / secs).toFixed(0)} MB/s`,
        secs,
        rss: kb / 1024,
      });
    }
  }
} finally {
  fs.rmSync(work, { recursive: true, force: true });
}

console.log(`\ncommand: node scripts/bench_cli.mjs ${process.argv.slice(2).join(' ')}`);
console.log(`machine: ${machine}; best of ${repeat} (Python: 1 run)`);
console.log('events     seconds  × floor  peak MB  what');
for (const r of rows) {
  if (r.secs === undefined) {
    console.log(`${''.padEnd(10)} ${''.padStart(7)}  ${''.padStart(7)}  ${''.padStart(7)}  ${r.what}`);
    continue;
  }
  const ratio = r.ratio === undefined ? '' : `${r.ratio.toFixed(2)}×`;
  console.log(
    `${String(r.n).padEnd(10)} ${r.secs.toFixed(2).padStart(7)}  ${ratio.padStart(7)}  ${r.rss.toFixed(0).padStart(7)}  ${r.what}`,
  );
}
