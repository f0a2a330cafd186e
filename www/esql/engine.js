// The worker's ES|QL module (crate feature `esql`), loaded the first time an ES|QL rule is opened:
// the page's first module is built without ES|QL (scripts/dev.mjs), so ES|QL costs the first load
// nothing. esbuild puts this file and the module's glue in dist/chunks/; the wasm sits in dist/.
import * as esql from '../../pkg-full/ruleplay.js';

/** Instantiate the ES|QL module once; its `Session` then serves the page. */
export async function loadEsqlModule() {
  await esql.default({ module_or_path: new URL('../ruleplay_full_bg.wasm', import.meta.url) });
  return esql;
}
