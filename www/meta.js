// Rule metadata side panel: what the rule is, how bad an alert is, which ATT&CK techniques it maps to,
// its references and its investigation guide (Markdown rendered to DOM without innerHTML). Every piece
// of rule text goes through textEl/appendText, which show control characters instead of obeying them.
import { renderMarkdown, safeHref } from './markdown.js';
import { textEl as el, appendText } from './text.js';

function row(dl, term, value) {
  if (value == null || value === '') return;
  dl.append(el('dt', null, term));
  const dd = el('dd');
  if (value instanceof Node) dd.append(value);
  else appendText(dd, String(value));
  dl.append(dd);
}

function techniques(threat) {
  const ul = el('ul', 'mitre');
  for (const t of threat || []) {
    const tactic = t.tactic ? `${t.tactic.id} ${t.tactic.name}` : '';
    for (const tech of t.technique || []) {
      const li = el('li');
      li.append(el('span', 'tech-id', tech.id), ' ');
      appendText(li, tech.name || '');
      if (tactic) li.append(el('span', 'muted small', ` · ${tactic}`));
      for (const sub of tech.subtechnique || []) {
        const s = el('div', 'sub');
        s.append(el('span', 'tech-id', sub.id), ' ');
        appendText(s, sub.name || '');
        li.append(s);
      }
      ul.append(li);
    }
    if (!(t.technique || []).length && tactic) ul.append(el('li', null, tactic));
  }
  return ul.children.length ? ul : null;
}

// http(s) references are links; anything else (javascript:, ftp:, a bare word) stays text.
function references(list) {
  if (!Array.isArray(list) || !list.length) return null;
  const ul = el('ul', 'references');
  for (const r of list) {
    const li = el('li');
    const text = String(r);
    if (safeHref(text)) {
      const a = el('a', null, text);
      a.href = text;
      a.rel = 'noopener noreferrer';
      a.target = '_blank';
      li.append(a);
    } else {
      appendText(li, text);
    }
    ul.append(li);
  }
  return ul;
}

/** rule: the engine's rule object, or null for a bare query; lang: 'toml' | 'kql' | 'eql'. */
export function renderMeta(root, rule, lang, notes = []) {
  root.replaceChildren();
  if (!rule) {
    root.append(el('p', 'muted', lang === 'toml' ? 'Fix the rule to see its details.' : `A bare ${lang.toUpperCase()} query: no rule metadata. Switch to TOML to load a whole rule.`));
    return;
  }
  root.append(el('h3', 'rule-name', rule.name || '(unnamed rule)'));
  const dl = el('dl', 'facts');
  row(dl, 'Type', rule.type);
  row(dl, 'Language', rule.language);
  if (rule.severity) {
    const sev = String(rule.severity).toLowerCase();
    row(dl, 'Severity', el('span', `sev sev-${/^[a-z]+$/.test(sev) ? sev : 'other'}`, rule.severity));
  }
  row(dl, 'Risk score', rule.risk_score);
  if (Array.isArray(rule.index) && rule.index.length) row(dl, 'Index', rule.index.join(', '));
  root.append(dl);
  for (const n of notes) root.append(el('p', 'note', n));
  const mitre = techniques(rule.threat);
  if (mitre) {
    root.append(el('h4', null, 'MITRE ATT&CK'));
    root.append(mitre);
  }
  if (rule.description) {
    root.append(el('h4', null, 'Description'));
    const d = el('div', 'md');
    d.append(renderMarkdown(rule.description));
    root.append(d);
  }
  const refs = references(rule.references);
  if (refs) {
    root.append(el('h4', null, 'References'));
    root.append(refs);
  }
  if (Array.isArray(rule.tags) && rule.tags.length) {
    const tags = el('ul', 'tags');
    tags.setAttribute('aria-label', 'Tags');
    for (const t of rule.tags) tags.append(el('li', null, t));
    root.append(tags);
  }
  if (rule.note) {
    const det = el('details', 'guide');
    det.open = true;
    det.append(el('summary', null, 'Investigation guide'));
    const d = el('div', 'md');
    d.append(renderMarkdown(rule.note));
    det.append(d);
    root.append(det);
  }
}
