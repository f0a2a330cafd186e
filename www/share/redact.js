// "Redact before sharing", the optional step of the Share dialog: a checkbox per field of the
// events (the core pre-checks host and user names, IPs and paths), the redacted events from the
// core with its verdict check ("All 15 verdicts unchanged", or which change and why), the values
// the rule names, and what replaced what. The link and the files then carry the redacted events;
// the page's editors keep the originals. Every text from the events goes into textContent.

/** @typedef {import('../../pkg/ruleplay.js').RedactionChoice} RedactionChoice */
/** @typedef {import('../../pkg/ruleplay.js').RedactReport} RedactReport */
/** @typedef {(msg: object) => Promise<any>} Ask */

const CATEGORY = { host: 'host name', user: 'user name', email: 'e-mail', ip: 'IP', path: 'path', domain: 'domain', other: '' };
const MAX_MAPPINGS = 200;
const MAX_CHANGES = 20;

/**
 * @param {string} tag @param {Record<string, any>} [props] @param {(Node | string)[]} [children]
 * @returns {any}
 */
function el(tag, props = {}, children = []) {
  const e = Object.assign(document.createElement(tag), props);
  e.append(...children);
  return e;
}

/**
 * @param {{ root: HTMLElement, ask: Ask, onChange: () => void }} opts
 *   onChange: the redacted events changed (or redaction was turned on or off): pack again
 */
export function initRedaction({ root, ask, onChange }) {
  const toggle = el('input', { type: 'checkbox', id: 'redact-on' });
  const panel = el('div', { id: 'redact-panel', className: 'redact-panel', hidden: true });
  const about = el('p', { className: 'muted', textContent: 'A checked field’s values get placeholders: the same value always the same one, IP addresses stay addresses of their kind (private stays private), paths keep their shape with only the user folder replaced. The link and the files carry the redacted events; your editors keep the originals.' });
  const main = el('fieldset', { className: 'redact-fields', id: 'redact-fields' }, [el('legend', { textContent: 'Fields to redact' })]);
  const moreList = el('div', { className: 'redact-more-list' });
  const more = el('details', { className: 'redact-more' }, [el('summary', { textContent: 'Other fields' }), moreList]);
  const result = el('p', { id: 'redact-result', className: 'redact-result', role: 'status' });
  const changes = el('ul', { id: 'redact-changes', className: 'redact-changes' });
  const mapTable = el('table', { id: 'redact-map', className: 'redact-map' });
  const mapSummary = el('summary', { textContent: 'What is replaced' });
  const mapBox = el('details', { className: 'redact-map-box' }, [mapSummary, mapTable]);
  panel.append(about, main, more, result, changes, mapBox);
  root.replaceChildren(el('label', { className: 'redact-toggle' }, [toggle, ' Redact before sharing']), panel);

  /** @type {Set<string>} */
  let checked = new Set();
  /** @type {RedactReport | null} */
  let report = null;
  let seq = 0;
  let timer = 0;

  /** @param {RedactionChoice} c */
  function box(c) {
    const input = el('input', { type: 'checkbox', checked: checked.has(c.field), value: c.field });
    input.dataset.field = c.field;
    input.addEventListener('change', () => {
      if (input.checked) checked.add(c.field);
      else checked.delete(c.field);
      clearTimeout(timer);
      timer = setTimeout(run, 150);
    });
    const kind = CATEGORY[c.category] ? el('span', { className: 'muted', textContent: ` (${CATEGORY[c.category]})` }) : '';
    return el('label', { className: 'redact-field' }, [input, ' ', el('code', { textContent: c.field }), kind]);
  }

  /** The fields of the current events; checks the core's defaults. */
  async function reset() {
    const mine = ++seq;
    report = null;
    const r = await ask({ type: 'redactChoices' });
    if (mine !== seq) return;
    /** @type {RedactionChoice[]} */
    const choices = r.type === 'redactChoices' ? r.choices : [];
    checked = new Set(choices.filter((c) => c.default).map((c) => c.field));
    const offered = choices.filter((c) => c.category !== 'other');
    main.replaceChildren(main.firstChild || '', ...(offered.length ? offered.map(box) : [el('span', { className: 'muted', textContent: 'No host, user, IP or path fields in the events.' })]));
    moreList.replaceChildren(...choices.filter((c) => c.category === 'other').map(box));
    more.hidden = !moreList.childElementCount;
    if (toggle.checked) await run();
  }

  async function run() {
    clearTimeout(timer);
    const mine = ++seq;
    result.textContent = 'Redacting and checking the verdicts…';
    result.classList.remove('error');
    const r = await ask({ type: 'redact', fields: [...checked] });
    if (mine !== seq) return;
    if (r.type !== 'redact') {
      report = null;
      result.textContent = `The events could not be redacted: ${r.message || 'the engine stopped'}. Nothing redacted is shared.`;
      result.classList.add('error');
      onChange();
      return;
    }
    report = r.report;
    root.dataset.redactMs = String(Math.round(r.ms));
    show(/** @type {RedactReport} */ (report));
    onChange();
  }

  /** @param {RedactReport} rep */
  function show(rep) {
    const { redaction, check, literals } = rep;
    const n = (/** @type {number} */ x, /** @type {string} */ one, /** @type {string} */ many) => `${x.toLocaleString('en-US')} ${x === 1 ? one : many}`;
    const replaced = `${n(redaction.replaced, 'value', 'values')} replaced in ${n(checked.size, 'field', 'fields')}`;
    const parts = [];
    let bad = false;
    if (!check) parts.push(`No rule is loaded, so the verdicts could not be checked (${replaced}).`);
    else if (!check.changes.length && check.sequencesSame) parts.push(`All ${n(check.events, 'verdict', 'verdicts')} unchanged (${replaced}).`);
    else {
      bad = true;
      if (check.changes.length) parts.push(`${n(check.changes.length, 'verdict changes', 'verdicts change')} of ${check.events.toLocaleString('en-US')} (${replaced}): uncheck the fields named below, or share anyway.`);
      if (!check.sequencesSame) parts.push('The EQL sequence hits change.');
    }
    if (redaction.unreadErrors) parts.push(`${n(redaction.unreadErrors, 'line is', 'lines are')} not valid events and ${redaction.unreadErrors === 1 ? 'is' : 'are'} shared as written, unredacted.`);
    result.textContent = parts.join(' ');
    result.classList.toggle('error', bad);
    result.dataset.changes = String(check ? check.changes.length : 0);
    const items = (check ? check.changes : []).slice(0, MAX_CHANGES).map((c) =>
      el('li', { textContent: `Event #${c.index}: ${c.before} → ${c.after}${c.fields.length ? ` (${c.fields.join(', ')})` : ''}: ${c.why}.` }),
    );
    if (check && check.changes.length > MAX_CHANGES) items.push(el('li', { textContent: `… and ${check.changes.length - MAX_CHANGES} more.` }));
    for (const l of literals) {
      items.push(el('li', { className: 'redact-literal', textContent: `The ${l.place === 'rule' ? 'rule' : 'exception list'} names “${l.original}”, which becomes “${l.placeholder}”: its verdicts likely change.` }));
    }
    changes.replaceChildren(...items);
    mapSummary.textContent = `What is replaced (${n(redaction.mappings.length, 'value', 'values')})`;
    const rows = redaction.mappings.slice(0, MAX_MAPPINGS).map((m) =>
      el('tr', {}, [el('td', { textContent: m.original }), el('td', { textContent: '→' }), el('td', { textContent: m.placeholder }), el('td', { className: 'muted', textContent: `×${m.count}` })]),
    );
    if (redaction.mappings.length > MAX_MAPPINGS) rows.push(el('tr', {}, [el('td', { colSpan: 4, className: 'muted', textContent: `… and ${redaction.mappings.length - MAX_MAPPINGS} more` })]));
    mapTable.replaceChildren(...rows);
  }

  toggle.addEventListener('change', () => {
    panel.hidden = !toggle.checked;
    if (toggle.checked) run();
    else {
      seq++;
      report = null;
      onChange();
    }
  });

  return {
    reset,
    /** On, and the redacted events are ready. */
    get active() {
      return toggle.checked && report !== null;
    },
    /** On but not ready yet (or failed): nothing may be shared unredacted meanwhile. */
    get pending() {
      return toggle.checked && report === null;
    },
    /** The redacted events text. */
    text: () => (report ? report.redaction.text : ''),
    /** The verdicts over the redacted events (for the example folder's check). */
    report: () => report,
  };
}
