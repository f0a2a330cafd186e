// A rule as Kibana gives it (Rules → Export NDJSON, or the detection engine API's rule JSON)
// opened, dropped or pasted into the rule editor: the core converts it to detection-rules TOML,
// which replaces it in the editor (one change), and the exception lists the rule references go
// into the exceptions editor (one change too). A file with several rules asks which one first.
// Loaded on demand: only when the rule editor holds such JSON.
import { textEl as el } from '../text.js';

/** @typedef {import('../../pkg/ruleplay.js').KibanaRule} KibanaRule */

/**
 * @typedef {object} Hooks
 * @property {(q: any) => Promise<any>} ask the engine's question (client.ask)
 * @property {(toml: string) => void} setRule puts TOML in the rule editor as the file opened
 * @property {(ndjson: string) => void} setExceptions replaces the exceptions editor's text
 * @property {HTMLElement} anchor the note and the picker go after it
 */

/** The note line and picker under the rule editor, made once. */
function panel(/** @type {HTMLElement} */ anchor) {
  let box = document.getElementById('kibana-rule');
  if (!box) {
    box = el('div', 'kibana-rule small');
    box.id = 'kibana-rule';
    box.setAttribute('role', 'status');
    anchor.after(box);
  }
  return box;
}

/**
 * Convert `text` (rule `index` of it, or the only one) and put it in the editors; several rules
 * and no index: offer them.
 * @param {string} text
 * @param {Hooks} hooks
 * @param {number} [index]
 */
export async function openKibanaRule(text, hooks, index) {
  const box = panel(hooks.anchor);
  /** @type {KibanaRule | null} */
  const r = await hooks.ask({ what: 'kibanaRule', text, index });
  if (!r) return;
  if (!r.ok && r.choices.length > 1) {
    box.replaceChildren(el('span', null, `${r.note || 'Several rules'}: `));
    const group = el('span', 'kibana-choices');
    group.setAttribute('role', 'group');
    group.setAttribute('aria-label', 'Rules of the Kibana file');
    r.choices.forEach((c, i) => {
      const b = /** @type {HTMLButtonElement} */ (el('button', 'small', c.name || c.rule_id));
      b.type = 'button';
      b.title = `${c.type} rule ${c.rule_id}`;
      b.addEventListener('click', () => openKibanaRule(text, hooks, i));
      group.append(b);
    });
    box.append(group);
    return;
  }
  if (!r.ok || r.toml == null) {
    const d = r.diagnostics[0];
    box.replaceChildren(el('span', 'error', d ? `✘ ${d.line}:${d.col} ${d.message}` : '✘ Not a Kibana rule file.'));
    return;
  }
  hooks.setRule(r.toml);
  if (r.exceptions) hooks.setExceptions(r.exceptions);
  box.replaceChildren(el('span', 'muted', `ℹ ${r.note}`));
}

/** Whether the rule editor's text is JSON (Kibana's) rather than TOML: TOML never starts so. */
export const looksKibana = (/** @type {string} */ text) => /^\s*(\{|\[\s*\{)/.test(text);
