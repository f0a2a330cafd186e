// "Copy for Dev Tools": Kibana console text that checks the current rule on a real cluster (a
// scratch index mapped with ECS types, the events, the rule's request with the exceptions, the
// cleanup), or the rule's request alone in console format. The core writes both
// (crate/src/es/); this module only asks and copies. Loaded on first use, off the first load.
import { copy } from '../export.js';

/** @typedef {import('../../pkg/ruleplay.js').EsBuilt} EsBuilt */

/**
 * @param {string} what `kit` or `request`
 * @param {{ask: (q: any) => Promise<any>, settle: () => Promise<void>}} hooks
 * @returns {Promise<string>} what to tell the user
 */
export async function copyForDevTools(what, { ask, settle }) {
  await settle();
  /** @type {{kit?: string, error?: string, request?: EsBuilt['request'], notes?: string[]} | null} */
  const r = await ask({ what: 'es', kit: what === 'kit' });
  if (!r) return 'The engine did not answer.';
  if (r.error !== undefined) return `No Elasticsearch request: ${r.error}`;
  const text = r.kit ?? (r.request ? consoleRequest({ request: r.request, notes: r.notes ?? [] }) : '');
  if (!(await copy(text))) return 'The browser refused the clipboard.';
  return what === 'kit'
    ? 'Copied: paste into Kibana → Dev Tools → Console and run the four requests.'
    : 'Request copied (Dev Tools console format).';
}

/**
 * A request as the console reads it: its notes as comments, `METHOD path`, the body.
 * @param {EsBuilt} b
 */
export function consoleRequest(b) {
  const notes = b.notes.map((n) => `# ${n}\n`).join('');
  return `${notes}${b.request.method} ${b.request.path}\n${JSON.stringify(b.request.body, null, 2)}\n`;
}
