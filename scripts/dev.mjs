#!/usr/bin/env node
// One zero-dependency entry point for every npm script (start, build, serve, test, bench, size).
// Each step checks whether it is needed first, so a second run on a set-up machine only rebuilds
// what changed. Recipe and measured timings: ../shared/TOOLCHAIN.md (and the README).

import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DIST = path.join(ROOT, 'dist');
const PKG = path.join(ROOT, 'pkg');
// The page's second wasm module, with every default feature (ES|QL: `esql`; `ruleplay es` for
// "Copy for Dev Tools": `es`): the worker loads it the first time a feature needs it. The first
// module (pkg/) is built without them.
const PKG_FULL = path.join(ROOT, 'pkg-full');
const WWW = path.join(ROOT, 'www');
const RULES = path.join(ROOT, 'rules');
const WASM_TARGET = 'wasm32-unknown-unknown';
// Relative CARGO_TARGET_DIR values are relative to where cargo runs, which is always ROOT here.
const TARGET_DIR = path.resolve(ROOT, process.env.CARGO_TARGET_DIR || 'target');
// The budget for the wasm download, gzip -9. A hard limit: the size check (last step of `npm test`,
// and `npm run size`) fails above it. 300,000 bytes for the foundation issue's features; a later
// feature may raise it by what it adds, and says so here:
// - exclusion lists on the page (the exclusions module now in the wasm, chips): +16,000 (measured
//   283,096 -> 298,986 B gz).
// - value lists, detection-rules exception TOML import/export, exception-list references
//   (exceptions/value_lists.rs, exceptions/toml_format.rs, wasm/exceptions_io.rs): +17,100 (measured
//   298,986 -> 316,049 B gz).
// - the exceptions form (exceptions/edit.rs, exceptions/warnings.rs, wasm/exceptions.rs): +10,400
//   (measured 298,986 -> 309,336 B gz on its own).
// - "Exclude this" previews, verdict diff, coverage, rule export (session/preview.rs, coverage.rs,
//   export.rs, wasm/preview.rs): +11,900 (measured 298,986 -> 310,879 B gz on its own; the four
//   merged: 334,804).

// - redaction before sharing and the example-folder export (redact module, verdict check, folder
//   writer with its `ruleplay test` self-check): +19,400 (measured 298,986 -> 318,410 B gz).

// - Elasticsearch's EQL verifier, user mappings, Java string functions, typed dates/ips/floats
//   (issue 13): +18,000 (measured 298,986 -> 316,863 B gz).
// - the Elasticsearch bridge's reading side (issue 15: event::formats, rule::from_kibana /
//   to_kibana): +16,700 (measured 365,148 -> 381,817 B gz on its own).
// - big events files read in slices (issue 14: session/bigfile.rs, wasm/bigfile.rs): +11,300
//   (measured 369,962 -> 381,189 B gz on its own).
// The three merged with the ES|QL hooks: 395,361 B gz.
const WASM_BUDGET_GZ = 300_000 + 16_000 + 17_100 + 10_400 + 11_900 + 19_400 + 18_000 + 16_700 + 11_300;
// The budget for the full module (dist/ruleplay_full_bg.wasm, loaded by the worker the first time
// an ES|QL rule is opened, replacing the first module then, or at the first "Copy for Dev Tools").
// Issue 16 allows ES|QL to take the one module to 400,000 B gz; a second module keeps the first
// load as it was whatever ES|QL grows to. Measured: see the README (ES|QL section).
// Measured at integration (session 5, clean clone): 765,887 B gz, of which ~198 KB is fancy-regex
// (GROK's and REPLACE's Java regexes need lookaround and atomic groups), ~98 KB the ES|QL functions
// and their crates, ~20 KB the `es` request builder. Not part of the first load; loaded only on
// first use. fancy-regex is the first thing to shrink.
const WASM_FULL_BUDGET_GZ = 770_000;
// The budget for everything a first visit downloads (html, css, js, wasm, examples-index.json: what
// dist/index.html pulls in, followed through the bundles), gzip -9. Also a hard limit.
// "600 KB" read as the stricter decimal 600,000 bytes.
const FIRST_LOAD_BUDGET_GZ = 600_000;
// The example a first visit opens (www/share/ui.js DEFAULT_EXAMPLE): the only one whose files the
// first load carries (dist/examples-index.json); the rest come in examples.json after the verdicts.
const OPENING_EXAMPLE = 'exim4';
// `-ocimfs 20`: binaryen's default inlines every function that has a single caller, whatever its
// size. That shrinks the raw module but costs ~17 KB gzipped (293,163 -> 275,534 B gz measured): the
// merged bodies repeat less and compress worse. Capping one-caller inlining at 20 instructions keeps
// the small wins. `-Os --converge` instead of `-Oz` gave another ~600 B gz (243,200 -> 242,602,
// measured; wasm-opt then takes ~12 s instead of ~6 s). -O1, -O2 and other caps were worse.
const WASM_OPT_FLAGS = [
  '-Os',
  '--converge',
  '-ocimfs',
  '20',
  '--enable-bulk-memory',
  '--enable-nontrapping-float-to-int',
  '--enable-sign-ext',
  '--enable-reference-types',
  '--enable-multivalue',
];

const cargoHome = process.env.CARGO_HOME || path.join(os.homedir(), '.cargo');
process.env.PATH = [path.join(cargoHome, 'bin'), path.join(ROOT, 'node_modules', '.bin'), process.env.PATH].join(
  path.delimiter,
);
process.env.PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD = '1';

// ---------------------------------------------------------------------------------------------
// small helpers

// Colour only on a terminal, and never when NO_COLOR holds any non-empty value (https://no-color.org).
function paint(stream, sgr, text) {
  return stream.isTTY && !process.env.NO_COLOR ? `\x1b[${sgr}m${text}\x1b[0m` : text;
}

function log(msg) {
  console.log(`${paint(process.stdout, '1', '[ruleplay]')} ${msg}`);
}

function fail(msg) {
  console.error(paint(process.stderr, '31', `[ruleplay] ${msg}`));
  process.exit(1);
}

/** Run a command with inherited stdio; exit on failure with the command line in the message. */
function run(cmd, args, opts = {}) {
  const t0 = Date.now();
  const r = spawnSync(cmd, args, { cwd: ROOT, stdio: 'inherit', ...opts, env: { ...process.env, ...opts.env } });
  if (r.error) fail(`${cmd}: ${r.error.message}`);
  if (r.status !== 0) fail(`\`${[cmd, ...args].join(' ')}\` failed (exit ${r.status ?? r.signal})`);
  return Date.now() - t0;
}

/** Run and capture stdout; null when the command is missing or fails. */
function capture(cmd, args) {
  const r = spawnSync(cmd, args, { cwd: ROOT, encoding: 'utf8' });
  return r.status === 0 ? r.stdout : null;
}

function which(cmd) {
  for (const dir of (process.env.PATH || '').split(path.delimiter)) {
    const p = path.join(dir, cmd);
    try {
      fs.accessSync(p, fs.constants.X_OK);
      return p;
    } catch {
      /* keep looking */
    }
  }
  return null;
}

function timed(label, fn) {
  const t0 = Date.now();
  const out = fn();
  log(`${label}: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return out;
}

const isRoot = () => typeof process.getuid === 'function' && process.getuid() === 0;

// ---------------------------------------------------------------------------------------------
// ensure: install what is missing, skip what is there

function wasmBindgenVersionInLock() {
  const lock = fs.readFileSync(path.join(ROOT, 'Cargo.lock'), 'utf8');
  const m = lock.match(/\[\[package\]\]\s*\nname = "wasm-bindgen"\s*\nversion = "([^"]+)"/);
  if (!m) fail('Cargo.lock has no wasm-bindgen package; is crate/Cargo.toml missing its wasm dependencies?');
  return m[1];
}

function ensureRustTarget() {
  if (!which('cargo')) fail('cargo not found: install Rust with rustup (https://rustup.rs) first');
  const installed = capture('rustup', ['target', 'list', '--installed']);
  if (installed === null) {
    log('rustup not found; assuming the wasm32 target is provided by the toolchain');
    return;
  }
  if (!installed.split('\n').includes(WASM_TARGET)) {
    log(`adding Rust target ${WASM_TARGET}`);
    run('rustup', ['target', 'add', WASM_TARGET]);
  }
}

function ensureNodeModules() {
  // npm writes node_modules/.package-lock.json on every install: older than package-lock.json
  // means someone added or bumped a package since.
  const installed = path.join(ROOT, 'node_modules', '.package-lock.json');
  const lock = path.join(ROOT, 'package-lock.json');
  const fresh =
    fs.existsSync(path.join(ROOT, 'node_modules', '.bin', 'esbuild')) &&
    fs.existsSync(installed) &&
    (!fs.existsSync(lock) || fs.statSync(installed).mtimeMs >= fs.statSync(lock).mtimeMs);
  if (fresh) return;
  log('installing npm packages (npm ci)');
  run('npm', ['ci', '--no-audit', '--no-fund']);
}

function ensureWasmBindgen() {
  const want = wasmBindgenVersionInLock();
  const have = (capture('wasm-bindgen', ['--version']) || '').trim().split(/\s+/)[1];
  const runner = which('wasm-bindgen-test-runner');
  if (have === want && runner) return;
  log(`installing wasm-bindgen-cli ${want} (found ${have || 'none'}); this compiles for ~3-4 minutes once`);
  // No --locked: the crates index here lacks a yanked transitive version the CLI's lockfile pins.
  run('cargo', ['install', 'wasm-bindgen-cli', '--version', want, '--force']);
}

function findChromium() {
  const candidates = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', which('chromium'), which('chromium-browser')];
  return candidates.find((p) => p && fs.existsSync(p)) || null;
}

function ensureChromium() {
  let chromium = findChromium();
  if (!chromium) {
    if (!isRoot() || !which('apt-get')) {
      fail('chromium not found: install Debian\'s chromium (apt-get install chromium) or set CHROMIUM_PATH');
    }
    log('installing chromium with apt-get');
    const env = { DEBIAN_FRONTEND: 'noninteractive' };
    run('apt-get', ['update', '-qq'], { env });
    run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'chromium'], { env });
    chromium = findChromium();
    if (!chromium) fail('apt-get installed chromium but no chromium binary was found');
  }
  process.env.CHROMIUM_PATH = chromium;
}

function ensure({ browser = false } = {}) {
  timed('ensure toolchain', () => {
    ensureRustTarget();
    ensureNodeModules();
    ensureWasmBindgen();
    if (browser) ensureChromium();
  });
}

// ---------------------------------------------------------------------------------------------
// build: wasm → wasm-bindgen → wasm-opt → esbuild → dist/

function sha256(file) {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

/** The two wasm modules: the first load's (no ES|QL, no `es`) and the full one the worker loads on demand. */
const WASM_MODULES = [
  { name: 'ruleplay_bg.wasm', pkg: PKG, features: ['--no-default-features'] },
  { name: 'ruleplay_full_bg.wasm', pkg: PKG_FULL, features: [] },
];

function buildWasm() {
  for (const m of WASM_MODULES) buildWasmModule(m);
  // The unbundled glue lets benches and smoke tests import the module directly.
  fs.copyFileSync(path.join(PKG, 'ruleplay.js'), path.join(DIST, 'ruleplay.js'));
}

/** @param {{name: string, pkg: string, features: string[]}} m */
function buildWasmModule({ name, pkg, features }) {
  run('cargo', ['build', '--profile', 'wasm', '--target', WASM_TARGET, '-p', 'ruleplay', '--lib', ...features]);
  const raw = path.join(TARGET_DIR, WASM_TARGET, 'wasm', 'ruleplay.wasm');
  if (!fs.existsSync(raw)) fail(`expected ${raw} after cargo build`);
  run('wasm-bindgen', ['--target', 'web', '--out-dir', pkg, raw]);

  // wasm-opt takes several seconds; skip it when wasm-bindgen produced the same module as last time.
  const bindgenOut = path.join(pkg, 'ruleplay_bg.wasm');
  const optOut = path.join(DIST, name);
  const stamp = path.join(DIST, `.wasm-opt-input-${name}`);
  // The flags are part of the stamp: changing them must re-run wasm-opt.
  const hash = `${sha256(bindgenOut)} ${WASM_OPT_FLAGS.join(' ')}`;
  fs.mkdirSync(DIST, { recursive: true });
  const upToDate = fs.existsSync(optOut) && fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8') === hash;
  if (upToDate) {
    log(`wasm-opt: ${name} unchanged, kept the optimised copy`);
  } else if (process.env.RULEPLAY_NO_WASM_OPT) {
    log('wasm-opt: skipped (RULEPLAY_NO_WASM_OPT)');
    fs.copyFileSync(bindgenOut, optOut);
    fs.rmSync(stamp, { force: true });
  } else {
    timed(`wasm-opt ${name}`, () => run('wasm-opt', [...WASM_OPT_FLAGS, bindgenOut, '-o', optOut]));
    fs.writeFileSync(stamp, hash);
  }
}

/** Entry points bundled by esbuild; every other file under www/ is copied as is. */
const ENTRIES = ['main.js', 'worker.js', 'bench.js'];

function copyStatic(dir, rel = '') {
  for (const ent of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
    const r = path.join(rel, ent.name);
    if (ent.isDirectory()) {
      if (ent.name === 'node_modules') continue;
      copyStatic(dir, r);
    } else if (!/\.(m?js|ts|map)$/.test(ent.name)) {
      fs.mkdirSync(path.join(DIST, rel), { recursive: true });
      fs.copyFileSync(path.join(dir, r), path.join(DIST, r));
    }
  }
}

function buildPage() {
  if (!fs.existsSync(WWW)) {
    log('www/ not found: built the wasm and examples only');
    return;
  }
  const entries = ENTRIES.map((e) => path.join('www', e)).filter((e) => fs.existsSync(path.join(ROOT, e)));
  if (entries.length) {
    run('esbuild', [
      ...entries,
      '--bundle',
      '--format=esm',
      // Dynamic import()s (the Share dialog, the workshop) become chunks fetched on first use.
      '--splitting',
      '--chunk-names=chunks/[name]-[hash]',
      '--target=es2022',
      '--minify',
      '--sourcemap=linked',
      '--log-level=warning',
      `--outdir=${DIST}`,
    ]);
  }
  copyStatic(WWW);
}

function readIf(file) {
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : null;
}

/** Every rules/<name>/ folder as one JSON file, so the page's gallery works offline. */
function buildExamples() {
  const examples = [];
  if (fs.existsSync(RULES)) {
    for (const name of fs.readdirSync(RULES).sort()) {
      const dir = path.join(RULES, name);
      if (!fs.statSync(dir).isDirectory()) continue;
      const rule = readIf(path.join(dir, 'rule.toml'));
      if (rule === null) continue;
      const readme = readIf(path.join(dir, 'README.md')) || '';
      const expectedText = readIf(path.join(dir, 'expected.json'));
      let expected = null;
      if (expectedText !== null) {
        try {
          expected = JSON.parse(expectedText);
        } catch (e) {
          fail(`rules/${name}/expected.json: ${e.message}`);
        }
      }
      const title = (readme.match(/^#\s+(.+)$/m) || [])[1] || name;
      const summary = (readme.replace(/^#.*$/gm, '').trim().split(/\n\s*\n/)[0] || '').replace(/\s+/g, ' ');
      examples.push({
        name,
        title: title.trim(),
        summary,
        rule,
        events: readIf(path.join(dir, 'events.ndjson')) || '',
        exceptions: readIf(path.join(dir, 'exceptions.ndjson')),
        expected,
        readme,
        // An exercise (rules/<name>/exercise.md) and, for a fix, its reference solution.
        exercise: readIf(path.join(dir, 'exercise.md')),
        solution: fs.existsSync(path.join(dir, 'solution'))
          ? { rule: readIf(path.join(dir, 'solution', 'rule.toml')), exceptions: readIf(path.join(dir, 'solution', 'exceptions.ndjson')) }
          : null,
      });
    }
  }
  fs.mkdirSync(DIST, { recursive: true });
  fs.writeFileSync(path.join(DIST, 'examples.json'), JSON.stringify({ examples }));
  // A first visit needs the gallery's cards and the example it opens, not every example's files:
  // the index carries those (the opening one whole); examples.json follows after the first verdicts.
  const card = ({ name, title, summary, exercise }) => ({ name, title, summary, exercise: exercise ? true : null });
  const opening = examples.find((e) => e.name === OPENING_EXAMPLE);
  fs.writeFileSync(path.join(DIST, 'examples-index.json'), JSON.stringify({ examples: examples.map(card), full: opening ? [opening] : [] }));
  log(`examples.json: ${examples.length} example(s)`);
}

function wasmSize(name = 'ruleplay_bg.wasm') {
  const file = path.join(DIST, name);
  if (!fs.existsSync(file)) fail(`dist/${name} not found; run \`npm run build\` first`);
  const bytes = fs.readFileSync(file);
  const gz = zlib.gzipSync(bytes, { level: 9 }).length;
  return { raw: bytes.length, gz };
}

/**
 * Every file of dist/ a first visit fetches: index.html, what it links (scripts, styles, icons), and
 * what those scripts load without user action (`new URL('…', import.meta.url)`: the worker and the
 * wasm; `fetch('…')`: examples-index.json; static imports of shared chunks), followed transitively.
 * Chunks only a dynamic `import(…)` loads (on a click) are not. Source maps are not fetched.
 */
function firstLoadFiles() {
  const seen = new Set();
  const queue = ['index.html'];
  while (queue.length) {
    const rel = queue.shift();
    if (seen.has(rel) || !fs.existsSync(path.join(DIST, rel))) continue;
    seen.add(rel);
    const text = fs.readFileSync(path.join(DIST, rel), 'utf8');
    const refs = [];
    if (rel.endsWith('.html')) {
      for (const m of text.matchAll(/<(?:script|link)\b[^>]*?\b(?:src|href)="([^"#?]+)"/g)) refs.push(m[1]);
    } else if (rel.endsWith('.js')) {
      // Static imports of shared chunks load with their importer; dynamic `import(…)` does not.
      for (const m of text.matchAll(/(?:^|[;}\s])import\s*(?:[\w*{},\s$]+from\s*)?["']([^"']+)["']/g)) refs.push(m[1]);
      for (const m of text.matchAll(/new URL\(\s*["'`]([^"'`]+)["'`]\s*,\s*import\.meta\.url/g)) refs.push(m[1]);
      for (const m of text.matchAll(/\bfetch\(\s*["'`]([^"'`]+)["'`]/g)) refs.push(m[1]);
    }
    for (const ref of refs) {
      if (/^[a-z]+:/i.test(ref) || ref.startsWith('//')) continue;
      queue.push(path.posix.normalize(path.posix.join(path.posix.dirname(rel), ref)).replace(/^\.\//, ''));
    }
  }
  return [...seen];
}

function reportSize({ strict }) {
  const { raw, gz } = wasmSize();
  const kb = (n) => `${(n / 1024).toFixed(1)} KiB`;
  const over = (msg) => {
    if (strict) fail(msg);
    log(msg);
  };
  const msg = `wasm size: ${raw} bytes (${kb(raw)}) raw, ${gz} bytes (${kb(gz)}) gzip -9; budget ${WASM_BUDGET_GZ} bytes gz`;
  if (gz > WASM_BUDGET_GZ) {
    over(`${msg}: OVER THE BUDGET by ${gz - WASM_BUDGET_GZ} bytes (twiggy top on pkg/ruleplay_bg.wasm shows what grew)`);
  } else {
    log(`${msg}: ${WASM_BUDGET_GZ - gz} bytes to spare`);
  }
  const esql = wasmSize('ruleplay_full_bg.wasm');
  const esqlMsg = `full wasm size (ES|QL and the es builder; loaded on first use): ${esql.raw} bytes (${kb(esql.raw)}) raw, ${esql.gz} bytes (${kb(esql.gz)}) gzip -9; budget ${WASM_FULL_BUDGET_GZ} bytes gz`;
  if (esql.gz > WASM_FULL_BUDGET_GZ) over(`${esqlMsg}: OVER THE BUDGET by ${esql.gz - WASM_FULL_BUDGET_GZ} bytes`);
  else log(`${esqlMsg}: ${WASM_FULL_BUDGET_GZ - esql.gz} bytes to spare`);
  const files = firstLoadFiles();
  const sizes = files.map((f) => [f, zlib.gzipSync(fs.readFileSync(path.join(DIST, f)), { level: 9 }).length]);
  const total = sizes.reduce((sum, [, n]) => sum + n, 0);
  const parts = sizes.map(([f, n]) => `${f} ${n}`).join(', ');
  const first = `first load: ${total} bytes (${kb(total)}) gzip -9 in ${files.length} files (${parts}); budget ${FIRST_LOAD_BUDGET_GZ} bytes gz`;
  if (!files.includes('ruleplay_bg.wasm')) over(`${first}: the wasm is not among them; has the way the page loads it changed?`);
  else if (total > FIRST_LOAD_BUDGET_GZ) over(`${first}: OVER THE BUDGET by ${total - FIRST_LOAD_BUDGET_GZ} bytes`);
  else log(`${first}: ${FIRST_LOAD_BUDGET_GZ - total} bytes to spare`);
}

function build({ strict = false } = {}) {
  timed('build', () => {
    buildWasm();
    buildPage();
    buildExamples();
  });
  reportSize({ strict });
}

// ---------------------------------------------------------------------------------------------
// serve: static files from dist/ with the right MIME types

const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.webmanifest': 'application/manifest+json',
  '.txt': 'text/plain; charset=utf-8',
  '.md': 'text/markdown; charset=utf-8',
  '.toml': 'text/plain; charset=utf-8',
  '.ndjson': 'application/x-ndjson; charset=utf-8',
  '.woff2': 'font/woff2',
};

function serve() {
  if (!fs.existsSync(DIST)) fail('dist/ not found; run `npm run build` (or `npm start`) first');
  const port = Number(process.env.PORT || 8080);
  const server = http.createServer((req, res) => {
    let pathname;
    try {
      pathname = decodeURIComponent(new URL(req.url, 'http://localhost').pathname);
    } catch {
      res.writeHead(400).end('bad request');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD' }).end();
      return;
    }
    let file = path.join(DIST, path.normalize(pathname));
    // Never serve anything outside dist/ (normalize already folds "..", this is the belt).
    if (file !== DIST && !file.startsWith(DIST + path.sep)) {
      res.writeHead(403).end('forbidden');
      return;
    }
    if (fs.existsSync(file) && fs.statSync(file).isDirectory()) file = path.join(file, 'index.html');
    if (!fs.existsSync(file) || path.basename(file).startsWith('.')) {
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('not found');
      return;
    }
    const type = MIME[path.extname(file).toLowerCase()] || 'application/octet-stream';
    res.writeHead(200, {
      'Content-Type': type,
      'Content-Length': fs.statSync(file).size,
      'Cache-Control': 'no-cache',
      'X-Content-Type-Options': 'nosniff',
    });
    if (req.method === 'HEAD') res.end();
    else fs.createReadStream(file).pipe(res);
  });
  server.on('error', (e) => fail(`cannot serve on 127.0.0.1:${port}: ${e.message}`));
  server.listen(port, '127.0.0.1', () => {
    log(`serving dist/ at ${paint(process.stdout, '4', `http://127.0.0.1:${port}/`)}  (Ctrl-C to stop)`);
  });
}

// ---------------------------------------------------------------------------------------------
// test

/** Style first: formatting and lint failures show in seconds, before anything is built. */
function testStyle() {
  if (!which('cargo')) fail('cargo not found: install Rust with rustup (https://rustup.rs) first');
  for (const [sub, component] of [['fmt', 'rustfmt'], ['clippy', 'clippy']]) {
    if (capture('cargo', [sub, '--version']) === null) {
      if (!which('rustup')) fail(`cargo ${sub} not found: install the ${component} component of your toolchain`);
      log(`adding the ${component} component`);
      run('rustup', ['component', 'add', component]);
    }
  }
  timed('cargo fmt --check', () => run('cargo', ['fmt', '--all', '--check']));
  timed('cargo clippy', () => run('cargo', ['clippy', '--workspace', '--all-targets', '--', '-D', 'warnings']));
  // The wasm bindings (wasm.rs, tests/wasm_api.rs) exist only for wasm32: native clippy never sees them.
  ensureRustTarget();
  timed('cargo clippy (wasm32)', () =>
    run('cargo', ['clippy', '--target', WASM_TARGET, '-p', 'ruleplay', '--lib', '--tests', '--', '-D', 'warnings']),
  );
}

// Cargo shows a passing test's output only on failure, so a conformance test that skipped for
// want of ../shared would go unnoticed: say it here, before the tests run.
function noteSharedAbsent() {
  const shared = path.join(ROOT, '..', 'shared');
  if (fs.existsSync(shared)) return;
  // The same rule as crate/tests/common: CI set to anything but "", "0" or "false".
  const ci = !/^(|0|false)$/.test((process.env.CI || '').trim());
  const what = 'the conformance tests (detection-rules corpus, EQL suites, seed rules)';
  log(
    `NOTE: ${shared} is absent: ${ci ? `CI is set, so ${what} will FAIL` : `${what} are skipped and check nothing`}. ` +
      'Put the shared material beside the repository to run them.',
  );
}

function testNative() {
  noteSharedAbsent();
  timed('native tests', () => run('cargo', ['test', '--workspace']));
}

function testWasm() {
  const suites = fs
    .readdirSync(path.join(ROOT, 'crate', 'tests'))
    .filter((f) => /^wasm.*\.rs$/.test(f))
    .flatMap((f) => ['--test', f.replace(/\.rs$/, '')]);
  if (!suites.length) {
    log('no crate/tests/wasm*.rs suites; skipping wasm tests');
    return;
  }
  timed('wasm tests (node)', () =>
    run('cargo', ['test', '--target', WASM_TARGET, '-p', 'ruleplay', ...suites], {
      env: { CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER: 'wasm-bindgen-test-runner' },
    }),
  );
}

/** The page's JavaScript against the wasm's TypeScript declarations (pkg/ruleplay.d.ts). */
function typecheck() {
  if (!fs.existsSync(path.join(PKG, 'ruleplay.d.ts'))) fail('pkg/ruleplay.d.ts not found; run `npm run build` first');
  timed('tsc --noEmit --checkJs (www/)', () => {
    run('tsc', ['--noEmit', '-p', 'tsconfig.json']);
    run('tsc', ['--noEmit', '-p', 'tsconfig.worker.json']);
  });
}

function testExamples() {
  if (!fs.existsSync(RULES) || !fs.readdirSync(RULES).length) {
    log('rules/ not found or empty: skipping `ruleplay test rules/`');
    return;
  }
  // The dev profile on purpose: `cargo test` has just built this binary, while a release build
  // would be a third full compile of the crate (~2 minutes in CI) for the same verdicts.
  timed('ruleplay test rules/', () =>
    run('cargo', ['run', '--quiet', '--bin', 'ruleplay', '--', 'test', 'rules/']),
  );
}

function testUnit() {
  const dir = path.join(ROOT, 'tests', 'unit');
  const files = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => /\.test\.m?js$/.test(f)).sort() : [];
  if (!files.length) return log('no tests/unit/*.test.mjs; skipping unit tests');
  // www/ modules are ES modules in a package without "type": the warning about that is noise here.
  timed('unit tests (node --test)', () => run(process.execPath, ['--disable-warning=MODULE_TYPELESS_PACKAGE_JSON', '--test', ...files.map((f) => path.join('tests', 'unit', f))]));
}

function testE2e(extra) {
  timed('playwright e2e', () => run('playwright', ['test', ...extra]));
}

// ---------------------------------------------------------------------------------------------
// bench: every scripts/bench*.mjs, after a build (they may drive chromium against dist/)

function bench(args) {
  const scripts = fs
    .readdirSync(path.join(ROOT, 'scripts'))
    .filter((f) => /^bench.*\.mjs$/.test(f))
    .sort();
  if (!scripts.length) {
    log('no scripts/bench*.mjs yet');
    return;
  }
  for (const s of scripts) {
    log(`bench: ${s}`);
    run(process.execPath, [path.join('scripts', s), ...args]);
  }
}

// ---------------------------------------------------------------------------------------------

const [cmd = 'start', ...rest] = process.argv.slice(2);
switch (cmd) {
  case 'ensure':
    ensure({ browser: rest.includes('--browser') });
    break;
  case 'start':
    ensure();
    build();
    serve();
    break;
  case 'build':
    ensure();
    build();
    break;
  case 'serve':
    serve();
    break;
  case 'size':
    reportSize({ strict: true });
    break;
  case 'typecheck':
    typecheck();
    break;
  case 'test': {
    const t0 = Date.now();
    testStyle();
    ensure({ browser: true });
    testNative();
    testWasm();
    testExamples();
    testUnit();
    build();
    typecheck();
    testE2e(rest);
    // Last, so a size regression does not hide the other results.
    reportSize({ strict: true });
    log(`all tests passed in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    break;
  }
  case 'e2e':
    ensure({ browser: true });
    build();
    testE2e(rest);
    break;
  case 'bench':
    ensure({ browser: true });
    build();
    bench(rest);
    break;
  default:
    fail(`unknown command ${cmd}; use start | build | serve | test | e2e | bench | size | typecheck | ensure`);
}
