// An ES|QL rule's results: the pipeline's stage counts, the output table (columns as the query's
// KEEP or STATS leave them) with each row's source events, and in the explanation the command
// where the selected event dropped out or the row it went into. Loaded with the first ES|QL report
// (main.js), so the first load does not carry it. Everything shown comes from the core
// (`Session.esql_report`, the explanation's `esql`).

/** @typedef {import('../../pkg/ruleplay.js').EsqlReport} EsqlReport */
/** @typedef {import('../../pkg/ruleplay.js').EsqlEventExplanation} EsqlEventExplanation */
/** @typedef {import('../../pkg/ruleplay.js').Span} Span */
/**
 * @typedef {object} Hooks
 * @property {(index: number) => void} select select event `index` in the results list
 * @property {(span: Span | null) => void} hover highlight a span of the rule (null: none)
 * @property {(span: Span) => void} pick show a span of the rule
 */

/** Rows drawn at most (the table says how many more there are). */
const MAX_ROWS = 200;
/** Source events listed per row at most. */
const MAX_SOURCES = 12;


/**
 * @param {string} tag
 * @param {string | null} [cls]
 * @param {string} [text]
 */
function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text != null) e.textContent = text;
  return e;
}

/** @param {string} n @param {string} word */
const plural = (n, word) => `${n} ${word}${n === '1' ? '' : 's'}`;

/** @param {unknown} v */
function cellText(v) {
  if (v == null) return 'null';
  if (Array.isArray(v)) return `[${v.map(cellText).join(', ')}]`;
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/**
 * A button for span `span` of the rule: hovering highlights it, a click shows it.
 * @param {string} text
 * @param {Span} span
 * @param {Hooks} hooks
 */
function spanButton(text, span, hooks) {
  const b = el('button', 'esql-stage', text);
  /** @type {HTMLButtonElement} */ (b).type = 'button';
  b.addEventListener('mouseenter', () => hooks.hover(span));
  b.addEventListener('mouseleave', () => hooks.hover(null));
  b.addEventListener('click', () => hooks.pick(span));
  return b;
}

/**
 * Buttons selecting events `indices` (the first MAX_SOURCES of them).
 * @param {number[]} indices
 * @param {Hooks} hooks
 */
function eventButtons(indices, hooks) {
  const span = el('span');
  for (const i of indices.slice(0, MAX_SOURCES)) {
    const b = el('button', 'seq', `#${i}`);
    /** @type {HTMLButtonElement} */ (b).type = 'button';
    b.title = `Select event #${i}`;
    b.addEventListener('click', () => hooks.select(i));
    span.append(b, ' ');
  }
  if (indices.length > MAX_SOURCES) span.append(`… and ${indices.length - MAX_SOURCES} more`);
  return span;
}

/** The results box, made once, between the results bar and the list. */
function box() {
  let b = document.getElementById('esql-results');
  if (b) return b;
  // The page's CSP allows style sheets from the page's origin only (no inline <style>).
  const link = document.createElement('link');
  link.rel = 'stylesheet';
  link.href = new URL('../esql/esql.css', import.meta.url).href;
  document.head.append(link);
  b = el('section', 'esql-results');
  b.id = 'esql-results';
  b.setAttribute('aria-label', 'ES|QL output');
  const seqs = document.getElementById('sequences');
  if (seqs) seqs.after(b);
  else document.body.append(b);
  return b;
}

/**
 * Show an ES|QL run, or hide the box (`null`: the rule is not ES|QL).
 * @param {EsqlReport | null} report
 * @param {Hooks} hooks
 */
export function showReport(report, hooks) {
  const b = box();
  b.hidden = !report;
  b.replaceChildren();
  if (!report) return;
  if (report.error) {
    b.append(el('p', 'error', `The query failed: ${report.error.message}`));
    return;
  }
  const stages = el('div', 'esql-stages');
  stages.setAttribute('aria-label', 'Rows after each command');
  stages.dataset.testid = 'esql-stages';
  report.stages.forEach((s, k) => {
    if (k) stages.append(el('span', 'muted', '→'));
    const btn = spanButton(`${s.command} ${s.rows_after}`, s.span, hooks);
    btn.title = `${plural(String(s.rows_after), 'row')} after command ${k + 1} (${s.command})`;
    stages.append(btn);
  });
  const alerts = String(report.alerts);
  const rows = report.rows.length;
  const what = report.aggregates
    ? `${plural(alerts, 'alert')}: one per output row`
    : rows === report.alerts
      ? `${plural(alerts, 'alert')}: one per output row`
      : `${plural(alerts, 'alert')}: one per _id among ${rows} rows`;
  stages.append(el('span', 'muted', ` · ${what}`));
  b.append(stages);
  for (const w of report.warnings || []) b.append(el('p', 'muted small', `Warning: ${w}`));
  if (!rows) {
    b.append(el('p', 'muted', 'The query returned no rows.'));
    return;
  }
  const table = el('table', 'esql-table');
  table.setAttribute('aria-label', 'ES|QL output table');
  const head = el('tr');
  head.append(el('th', null, '#'));
  for (const c of report.columns) {
    const th = el('th', null, c.name);
    th.append(' ', el('small', null, c.type));
    head.append(th);
  }
  head.append(el('th', null, report.aggregates ? 'events grouped' : 'event'));
  const thead = el('thead');
  thead.append(head);
  const tbody = el('tbody');
  report.rows.slice(0, MAX_ROWS).forEach((row, r) => {
    const tr = el('tr');
    tr.append(el('td', null, String(r + 1)));
    row.forEach((v) => tr.append(el('td', v == null ? 'null' : null, cellText(v))));
    const td = el('td');
    td.append(eventButtons(report.sources[r] || [], hooks));
    tr.append(td);
    tbody.append(tr);
  });
  table.append(thead, tbody);
  b.append(table);
  if (rows > MAX_ROWS) b.append(el('p', 'muted small', `… and ${rows - MAX_ROWS} more rows`));
}

/**
 * Add the ES|QL part of an explanation to the explanation panel `root` (after its reason).
 * @param {HTMLElement} root
 * @param {EsqlEventExplanation | undefined} x
 * @param {number} index the explained event
 * @param {Hooks} hooks
 */
export function showExplanation(root, x, index, hooks) {
  if (!x) return;
  const p = el('div', 'esql-explain');
  p.dataset.testid = 'esql-explain';
  if (x.removed_before_query) {
    p.append(el('p', 'reason', 'The rule removed this event before the query ran (its filters or an exception); below is what the query would have done with it.'));
  }
  if (x.stage && x.dropped_at != null) {
    const line = el('p', 'reason', 'Dropped out at ');
    line.append(spanButton(`${x.stage.command} (command ${x.dropped_at + 1})`, x.stage.span, hooks));
    if (x.stage.command === 'WHERE') line.append(': the clause tree below says why.');
    p.append(line);
  }
  for (const r of x.rows || []) {
    const line = el('p', 'reason', `Source of output row ${r + 1}`);
    const others = (x.grouped_with || []).filter((i) => i !== index);
    if (others.length) {
      line.append(`, grouped with `);
      line.append(eventButtons(others, hooks));
    }
    p.append(line);
  }
  const head = root.querySelector('.explain-head');
  if (head) head.after(p);
  else root.prepend(p);
}
