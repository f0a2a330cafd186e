// Measurements for the page (issue 5 §5), not a test: wasm evaluation of the Foxmail and Exim4 rules
// over 10,000 and 100,000 events in chromium vs the native CLI on the same input, re-evaluation of
// 10,000 events after an edit, and time from load to first results on the real page.
// Usage: npm run bench (builds first), or `node scripts/bench_wasm.mjs` after `npm run build`.
import { chromium } from '@playwright/test';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const PORT = Number(process.env.BENCH_PORT || 8177);
const RUNS = Number(process.env.BENCH_RUNS || 5);
const SIZES = (process.env.BENCH_SIZES || '10000,100000').split(',').map(Number);
const TMP = fs.mkdtempSync(path.join(os.tmpdir(), 'ruleplay-bench-'));

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (ms) => (ms >= 100 ? ms.toFixed(0) : ms.toFixed(1));

// Events shaped like each rule's real input: a mix of alerts, near misses and unrelated noise.
function foxmailEvent(i) {
  const alert = i % 10 === 0;
  const parent = i % 4 === 0 ? 'Foxmail.exe' : i % 4 === 1 ? 'explorer.exe' : 'outlook.exe';
  const arg = alert ? `C:\\Users\\u${i % 97}\\AppData\\Local\\Temp\\a${i}.exe` : i % 7 === 0 ? `\\\\srv${i % 5}\\share\\x.bat` : `C:\\Windows\\System32\\f${i % 300}.dll`;
  return {
    '@timestamp': new Date(Date.UTC(2024, 8, 2) + i * 1000).toISOString(),
    event: { category: ['process'], type: [i % 9 ? 'start' : 'end'], ingested: new Date(Date.UTC(2024, 8, 2) + i * 1000 + 3000).toISOString() },
    host: { name: `ws-${i % 200}`, id: `h-${i % 200}`, os: { type: i % 13 ? 'windows' : 'linux' } },
    user: { id: `S-1-5-21-${i % 1000}`, name: `user${i % 1000}` },
    process: {
      name: 'cmd.exe',
      executable: 'C:\\Windows\\System32\\cmd.exe',
      args: ['C:\\Windows\\System32\\cmd.exe', '/c', arg],
      command_line: `cmd.exe /c ${arg}`,
      pid: 1000 + i,
      parent: { name: alert ? 'Foxmail.exe' : parent, executable: 'C:\\Program Files\\Foxmail 7.2\\Foxmail.exe' },
    },
  };
}

function exim4Event(i) {
  const names = ['bash', 'sort', 'sh', 'grep', 'python3', 'exim4', 'curl', 'stat', 'perl'];
  const name = names[i % names.length];
  return {
    '@timestamp': new Date(Date.UTC(2024, 4, 1) + i * 1000).toISOString(),
    event: { category: ['process'], type: ['start'], action: i % 11 ? 'exec' : 'fork', ingested: new Date(Date.UTC(2024, 4, 1) + i * 1000 + 2000).toISOString() },
    host: { name: `mx-${i % 40}`, id: `h-${i % 40}`, os: { type: 'linux' } },
    user: { name: 'Debian-exim' },
    process: {
      name,
      executable: `/usr/bin/${name}${i % 500}`,
      args: [`/usr/bin/${name}`, '-c', `echo ${i}`],
      parent: { name: i % 3 ? 'exim4' : 'postfix', executable: '/usr/sbin/exim4' },
    },
  };
}

const RULES = {
  foxmail: { toml: fs.readFileSync(path.join(ROOT, 'rules/foxmail/rule.toml'), 'utf8'), gen: foxmailEvent },
  exim4: { toml: fs.readFileSync(path.join(ROOT, 'rules/exim4/rule.toml'), 'utf8'), gen: exim4Event },
};

function eventsFile(rule, n) {
  const file = path.join(TMP, `${rule}-${n}.ndjson`);
  if (!fs.existsSync(file)) {
    const out = fs.openSync(file, 'w');
    let chunk = [];
    for (let i = 0; i < n; i++) {
      chunk.push(JSON.stringify(RULES[rule].gen(i)));
      if (chunk.length === 5000) {
        fs.writeSync(out, chunk.join('\n') + '\n');
        chunk = [];
      }
    }
    if (chunk.length) fs.writeSync(out, chunk.join('\n') + '\n');
    fs.closeSync(out);
  }
  return file;
}

// ---------- native CLI ----------

function cliPath() {
  const target = process.env.CARGO_TARGET_DIR ? path.resolve(ROOT, process.env.CARGO_TARGET_DIR) : path.join(ROOT, 'target');
  const bin = path.join(target, 'release', 'ruleplay');
  const r = spawnSync('cargo', ['build', '--release', '-q', '--bin', 'ruleplay'], { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0 || !fs.existsSync(bin)) return null;
  return bin;
}

// The CLI's own wall time, process start included (small next to 10k events), output discarded.
function timeCli(bin, ruleFile, eventsPath) {
  const args = (process.env.BENCH_CLI_ARGS || 'match --rule {rule} --events {events}').split(' ').map((a) => a.replace('{rule}', ruleFile).replace('{events}', eventsPath));
  const times = [];
  for (let r = 0; r < RUNS; r++) {
    const t0 = process.hrtime.bigint();
    const p = spawnSync(bin, args, { stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 1 << 30 });
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (p.status !== 0 && p.status !== 1) {
      console.error(`CLI failed (${args.join(' ')}): ${String(p.stderr).slice(0, 300)}`);
      return null;
    }
    times.push(ms);
  }
  return median(times);
}

// ---------- chromium ----------

async function serve() {
  const child = spawn(process.execPath, [path.join(ROOT, 'scripts/dev.mjs'), 'serve'], { env: { ...process.env, PORT: String(PORT) }, stdio: 'ignore' });
  for (let i = 0; i < 100; i++) {
    try {
      const r = await fetch(`http://127.0.0.1:${PORT}/examples.json`);
      if (r.ok) return child;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill();
  throw new Error('server did not start');
}

async function main() {
  if (!fs.existsSync(path.join(ROOT, 'dist/ruleplay_bg.wasm'))) throw new Error('run `npm run build` first');
  const server = await serve();
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
  });
  const results = { wasm: {}, native: {}, reeval: null, firstResults: null };
  try {
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${PORT}/examples.json`);
    await page.evaluate(async () => {
      const m = await import('/ruleplay.js');
      await m.default({ module_or_path: '/ruleplay_bg.wasm' });
      window.pg = new m.Session();
    });
    const bin = process.env.BENCH_NO_CLI ? null : cliPath();
    for (const rule of Object.keys(RULES)) {
      const ruleFile = path.join(ROOT, `rules/${rule}/rule.toml`);
      for (const n of SIZES) {
        const file = eventsFile(rule, n);
        const text = fs.readFileSync(file, 'utf8');
        const r = await page.evaluate(
          ({ toml, text, runs }) => {
            const pg = window.pg;
            const res = pg.set_rule(toml, 'toml');
            if (!res.ok) return { error: JSON.stringify(res.diagnostics) };
            // Verdicts only (what the page shows first, and what the CLI computes), then verdicts
            // plus the near-miss pass over every non-matching event.
            const parse = [];
            const evals = [];
            const withMisses = [];
            let counts = null;
            for (let i = 0; i < runs; i++) {
              let t = performance.now();
              pg.set_events(text);
              parse.push(performance.now() - t);
              t = performance.now();
              counts = pg.evaluate().counts;
              evals.push(performance.now() - t);
              t = performance.now();
              pg.evaluate();
              pg.near_misses();
              withMisses.push(performance.now() - t);
            }
            const med = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
            return { parse: med(parse), evaluate: med(evals), withMisses: med(withMisses), counts };
          },
          { toml: RULES[rule].toml, text, runs: RUNS },
        );
        if (r.error) throw new Error(`${rule}: ${r.error}`);
        results.wasm[`${rule}/${n}`] = r;
        const native = bin ? timeCli(bin, ruleFile, file) : null;
        results.native[`${rule}/${n}`] = native;
        const total = r.parse + r.evaluate;
        console.log(
          `${rule.padEnd(8)} ${String(n).padStart(7)} events (${(text.length / 1e6).toFixed(1)} MB): wasm parse ${fmt(r.parse)} ms + evaluate ${fmt(r.evaluate)} ms = ${fmt(total)} ms` +
            (r.withMisses != null ? ` (evaluate with near-miss counts ${fmt(r.withMisses)} ms)` : '') +
            (native != null ? ` | native CLI ${fmt(native)} ms | ratio ${(total / native).toFixed(2)}×` : ' | native CLI n/a') +
            ` | ${JSON.stringify(r.counts)}`,
        );
      }
    }

    // Re-evaluation after an edit: the rule changes, the 10,000 parsed events stay.
    const text10k = fs.readFileSync(eventsFile('exim4', 10000), 'utf8');
    results.reeval = await page.evaluate(
      ({ text, runs }) => {
        const pg = window.pg;
        pg.set_events(text);
        const a = 'host.os.type:linux and event.type:start and process.parent.name:exim4 and not process.name:(sort or grep)';
        const b = 'host.os.type:linux and event.type:start and process.parent.name:exim4 and not process.name:(sort or grep or bash)';
        const measure = (skip) => {
          const times = [];
          for (let i = 0; i < runs * 4; i++) {
            const t = performance.now();
            pg.set_rule(i % 2 ? a : b, 'kql');
            pg.evaluate();
            if (!skip) pg.near_misses();
            times.push(performance.now() - t);
          }
          times.sort((x, y) => x - y);
          return { median: times[Math.floor(times.length / 2)], max: times[times.length - 1] };
        };
        return { verdicts: measure(true), withMisses: measure(false) };
      },
      { text: text10k, runs: RUNS },
    );
    const rv = results.reeval;
    console.log(
      `re-evaluation of 10,000 events after a query edit (set_rule + evaluate, KQL): verdicts median ${fmt(rv.verdicts.median)} ms (max ${fmt(rv.verdicts.max)}); ` +
        `with near-miss counts median ${fmt(rv.withMisses.median)} ms (max ${fmt(rv.withMisses.max)})`,
    );

    // A 100,000-event file opened on the real page: reading it, then the worker's parse + evaluate.
    for (const rule of Object.keys(RULES)) {
      const n = Math.max(...SIZES);
      const p = await browser.newPage();
      await p.goto(`http://127.0.0.1:${PORT}/#example=${rule}`);
      await p.waitForSelector('body[data-first-results-ms]', { state: 'attached', timeout: 30000 });
      await p.locator('#open-file').setInputFiles(eventsFile(rule, n));
      await p.waitForSelector('body[data-last-load]', { state: 'attached', timeout: 120000 });
      const load = JSON.parse(await p.getAttribute('body', 'data-last-load'));
      results[`page/${rule}/${n}`] = load;
      console.log(`page: open a ${n.toLocaleString('en-US')}-event ${rule} file → verdicts: ${load.total} ms (read ${load.read} ms, worker parse + evaluate ${load.engine} ms)`);
      await p.close();
    }

    // Load to first results on the real page (the exim4 example), fresh page each time.
    const firsts = [];
    for (let i = 0; i < RUNS; i++) {
      const p = await browser.newPage();
      await p.goto(`http://127.0.0.1:${PORT}/#example=exim4`);
      await p.waitForSelector('body[data-first-results-ms]', { state: 'attached', timeout: 30000 });
      firsts.push(Number(await p.getAttribute('body', 'data-first-results-ms')));
      await p.close();
    }
    results.firstResults = median(firsts);
    console.log(`load to first results (navigation start → first verdicts on screen, exim4 example): median ${fmt(results.firstResults)} ms`);
  } finally {
    await browser.close();
    server.kill();
    fs.rmSync(TMP, { recursive: true, force: true });
  }
  if (process.env.BENCH_JSON) fs.writeFileSync(process.env.BENCH_JSON, JSON.stringify(results, null, 2));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
