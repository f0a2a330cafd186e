// The worker's side of "Copy for Dev Tools". The request builder lives in the second wasm module
// (`ruleplay_full`, fetched on the first click; the first load has no room for it), so this keeps
// the page's latest inputs, cheaply (references, no copies), and replays them into a session of
// that module when asked (www/devtools/full.js).

/**
 * @typedef {object} EsInputs
 * @property {number | undefined} now
 * @property {string | null} ruleFile the rule file a bare query edits
 * @property {{source: string, lang: string} | null} rule
 * @property {string | null} exceptions
 * @property {{id: string, type: string, text: string}[] | null} valueLists
 * @property {string | null} mappings
 * @property {string | Uint8Array | null} events
 * @property {{index: number, json: string}[]} edits event edits since `events`
 */

/** @type {EsInputs} */
const inputs = { now: undefined, ruleFile: null, rule: null, exceptions: null, valueLists: null, mappings: null, events: null, edits: [] };

/**
 * Note what an update set. `source` is the rule view's text after a language switch.
 * @param {any} msg the update message
 * @param {string | undefined} source
 */
export function remember(msg, source) {
  if ('now' in msg) inputs.now = msg.now ?? undefined;
  if (msg.ruleFile != null) inputs.ruleFile = msg.ruleFile;
  if (msg.rule) inputs.rule = msg.rule;
  if (msg.switchTo && source != null) inputs.rule = { source, lang: msg.switchTo.lang };
  if (msg.exceptions != null) inputs.exceptions = msg.exceptions;
  if (msg.valueLists) inputs.valueLists = msg.valueLists;
  if (msg.mappings != null) inputs.mappings = msg.mappings;
  if (msg.events != null) {
    inputs.events = msg.events;
    inputs.edits = [];
  }
  if (msg.editEvent) inputs.edits.push(msg.editEvent);
}

/**
 * Answer a `{type: 'preview', what: 'es', kit, timeRange}` question.
 * @param {{id: number, kit?: boolean, timeRange?: boolean}} msg
 * @param {number} generation
 */
export async function handleEs(msg, generation) {
  let result;
  try {
    const { esAnswer } = await import('./full.js');
    result = await esAnswer(inputs, msg.kit === true, msg.timeRange === true);
  } catch (e) {
    result = { error: String(e instanceof Error ? e.message : e) };
  }
  self.postMessage({ type: 'preview', id: msg.id, generation, result });
}
