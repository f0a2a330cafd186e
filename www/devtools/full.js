// The second wasm module (all features), loaded once, and a session of it fed the page's latest
// inputs to answer "Copy for Dev Tools" (crate/src/wasm/es.rs).
import * as full from '../../pkg-full/ruleplay.js';

/** @type {Promise<unknown> | null} */
let loading = null;

/**
 * @param {import('./worker_es.js').EsInputs} inputs
 * @param {boolean} kit the console kit (else the request alone)
 * @param {boolean} timeRange bound the request by the rule's window
 */
export async function esAnswer(inputs, kit, timeRange) {
  // The worker's own URL (dist/worker.js): the module sits beside it.
  loading ??= full.default({ module_or_path: new URL('ruleplay_full_bg.wasm', self.location.href) });
  await loading;
  if (!inputs.rule) return { error: 'no rule yet' };
  const s = new full.Session();
  try {
    s.pin_now(inputs.now);
    if (inputs.mappings != null) s.set_mappings(inputs.mappings);
    if (inputs.valueLists) s.set_value_lists(inputs.valueLists);
    if (inputs.ruleFile != null) s.set_rule(inputs.ruleFile, 'toml');
    s.set_rule(inputs.rule.source, inputs.rule.lang);
    if (inputs.exceptions != null) s.set_exceptions(inputs.exceptions);
    if (inputs.events != null) s.set_events(inputs.events);
    for (const e of inputs.edits) s.replace_event(e.index, e.json);
    return kit ? { kit: s.es_kit() } : s.es_request(timeRange);
  } finally {
    s.free();
  }
}
