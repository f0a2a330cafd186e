// Development stand-in for the wasm module (pkg/ruleplay.js) with the same JS API. It understands
// only `field:value and field:value` queries. Never bundled into dist/: copy it to pkg/ruleplay.js
// by hand when the real wasm is not built yet.
export default async function init() {}

function lookup(ev, path) {
  if (path in ev) return ev[path];
  let cur = ev;
  for (const p of path.split('.')) { if (cur == null || typeof cur !== 'object') return undefined; cur = cur[p]; }
  return cur;
}

export class Playground {
  constructor() { this.events = []; this.terms = []; this.rule = null; this.now = Date.now(); }
  set_rule(source, lang) {
    let query = source, offset = 0, rule = null, query_span = null;
    if (lang === 'toml') {
      const m = /query = '''\n([\s\S]*?)'''/.exec(source);
      const get = (k) => { const r = new RegExp(`^${k} = "(.*)"`, 'm').exec(source); return r ? r[1] : null; };
      if (!m) return { ok: false, diagnostics: [{ message: 'missing query', start: 0, end: 1, line: 1, col: 1, expected: ['query'] }], rule: null, query_span: null, notes: [] };
      query = m[1]; offset = m.index + m[0].indexOf(m[1]);
      query_span = { start: offset, end: offset + query.length };
      rule = { name: get('name'), description: get('description') || 'A mock rule.', type: get('type'), language: get('language'),
        severity: get('severity'), risk_score: Number((/risk_score = (\d+)/.exec(source) || [])[1]), tags: ['Domain: Endpoint', 'OS: Linux'],
        threat: [{ framework: 'MITRE ATT&CK', tactic: { id: 'TA0003', name: 'Persistence' }, technique: [{ id: 'T1037', name: 'Boot or Logon Initialization Scripts' }] }],
        note: '## Triage\n\nSome **bold** and `code`, a [link](https://example.com).\n\n- one\n- two <script>alert(1)</script>', query, index: ['logs-*'] };
    }
    this.terms = [];
    const re = /([\w.@]+)\s*:\s*("[^"]*"|[^\s()]+)/g;
    let m;
    while ((m = re.exec(query))) {
      this.terms.push({ field: m[1], value: m[2].replace(/"/g, ''), span: { start: offset + m.index, end: offset + m.index + m[0].length } });
    }
    const bad = query.indexOf(':)');
    if (bad >= 0 || (!this.terms.length && query.trim())) {
      const at = offset + Math.max(bad, 0) + 1;
      return { ok: false, diagnostics: [{ message: 'expected a value after ":"', start: at, end: at + 1, line: 1, col: at + 1, expected: ['value'] }], rule, query_span, notes: [] };
    }
    this.rule = rule;
    this.root = { start: offset, end: offset + query.length };
    return { ok: true, diagnostics: [], rule, query_span, notes: [] };
  }
  set_events(text) {
    const errors = []; const events = []; const fields = new Set();
    const t = text.trim();
    if (t.startsWith('[')) { try { events.push(...JSON.parse(t)); } catch (e) { errors.push({ line: 1, column: 1, message: String(e.message) }); } }
    else text.split('\n').forEach((l, i) => { if (!l.trim()) return; try { events.push(JSON.parse(l)); } catch (e) { errors.push({ line: i + 1, column: 1, message: 'invalid JSON' }); } });
    this.events = events;
    return { count: events.length, errors, fields: [...fields] };
  }
  set_exceptions() { return { count: 0, errors: [] }; }
  set_now(ms) { this.now = ms; }
  clause(ev, t) {
    const v = lookup(ev, t.field);
    const pat = new RegExp('^' + t.value.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.') + '$', 'i');
    const vals = v === undefined ? [] : Array.isArray(v) ? v : [v];
    const looked = vals.map((x, i) => ({ path: Array.isArray(v) ? `${t.field}[${i}]` : t.field, value: x, matched: pat.test(String(x)), pattern: t.value }));
    const verdict = !vals.length ? 'missing' : looked.some((l) => l.matched) ? 'true' : 'false';
    return { kind: 'match', span: t.span, verdict, field: t.field, looked, message: verdict === 'true' ? undefined : verdict === 'missing' ? `${t.field} is missing` : `${t.field} is ${JSON.stringify(vals[0])}, not "${t.value}"` };
  }
  tree(ev) {
    const children = this.terms.map((t) => this.clause(ev, t));
    const ok = children.every((c) => c.verdict === 'true');
    return { kind: 'and', span: this.root, verdict: ok ? 'true' : 'false', children };
  }
  evaluate() {
    const t0 = performance.now();
    const counts = { alert: 0, match: 0, suppressed: 0, no_match: 0 };
    const events = this.events.map((ev, index) => {
      const tr = this.tree(ev);
      const misses = tr.children.filter((c) => c.verdict !== 'true').length;
      const status = misses ? 'no_match' : 'alert';
      counts[status]++;
      return misses ? { index, status, misses } : { index, status };
    });
    return { events, sequences: [], counts, notes: [], ms: performance.now() - t0 };
  }
  explain(index) {
    const ev = this.events[index];
    if (!ev) return null;
    const root = this.tree(ev);
    const near_miss = root.children.filter((c) => c.verdict !== 'true').map((c) => ({ span: c.span, field: c.field, verdict: c.verdict, message: c.message }));
    return { matched: root.verdict === 'true', root, near_miss };
  }
}
