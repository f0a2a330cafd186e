// "Download example folder": the shared state as a `rules/<name>/` folder in a .zip (rule.toml,
// events.ndjson, expected.json from the current verdicts, README.md, exceptions.ndjson when there
// are exceptions), so that a shared case becomes a test for `ruleplay test`. The core writes the
// files and checks them as `ruleplay test` would; fflate zips them, here in the page.
import { strToU8, zipSync } from 'fflate';

/** @typedef {import('./codec.js').State} State */
/** @typedef {import('../../pkg/ruleplay.js').ExampleFolder} ExampleFolder */

/** @param {string} s */
export function folderName(s) {
  const name = s.normalize('NFKD').replace(/[^A-Za-z0-9_.-]+/g, '_').replace(/^[_.-]+|[_.-]+$/g, '').slice(0, 60);
  return name || 'ruleplay_case';
}

/**
 * Writes the folder and downloads it as `<name>.zip`.
 * @param {Partial<State>} state  what is shared (its events already redacted when asked)
 * @param {boolean} redacted     the events differ from the engine's (send them along)
 * @param {(msg: object) => Promise<any>} ask
 * @returns {Promise<{ file: string, folder: ExampleFolder }>}
 */
export async function downloadFolder(state, redacted, ask) {
  const name = folderName(state.example ? `${state.example}_shared` : 'ruleplay_case');
  const title = state.example ? `Shared from the ${state.example} example` : 'A shared ruleplay case';
  const r = await ask({ type: 'exampleFolder', title, events: redacted ? state.events : null, exceptions: state.exceptions || '' });
  if (r.type !== 'exampleFolder') throw new Error(r.message || 'the engine stopped');
  /** @type {ExampleFolder | null} */
  const folder = r.folder;
  if (!folder) throw new Error('the rule does not load, so there are no verdicts to export');
  /** @type {Record<string, Uint8Array>} */
  const files = {};
  for (const [file, text] of folder.files) files[`${name}/${file}`] = strToU8(text);
  const zip = zipSync(files, { level: 6 });
  const url = URL.createObjectURL(new Blob([/** @type {BlobPart} */ (zip)], { type: 'application/zip' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = `${name}.zip`;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
  return { file: a.download, folder };
}
