// The Share dialog: the link to the page's current state, its length and where it will break, a copy
// button, and the same state as a `.ruleplay.json` file to download (advised above 32 KiB) or as an
// example folder (.zip). An optional step redacts the events first (redact.js); the link and the
// files then carry the redacted events. The link is built here, in the page: nothing is sent anywhere.
import { encodeState, FILE_EXTENSION, linkAdvice, ShareError, stateToFile } from './codec.js';
import { downloadFolder } from './export.js';
import { initRedaction } from './redact.js';

/** @typedef {import('./codec.js').State} State */

/** @param {string} id */
const $ = (id) => /** @type {HTMLElement} */ (document.getElementById(id));

/**
 * @param {object} hooks
 * @param {() => Promise<Partial<State>>} hooks.read  the page's state (a big events file read in full)
 * @param {() => void} hooks.openFile  opens the file picker for a state file
 * @param {(msg: object) => Promise<any>} hooks.ask  asks the engine (worker.js, share/worker_share.js)
 * @param {() => string | null} [hooks.omitted]  what the state read left out, in words (a file too big to hold)
 */
export function initShareDialog({ read, openFile, ask, omitted }) {
  const dlg = /** @type {HTMLDialogElement} */ ($('share'));
  const field = /** @type {HTMLTextAreaElement} */ ($('share-link'));
  const length = $('share-length');
  const warnings = $('share-warnings');
  const status = $('share-status');
  const copy = /** @type {HTMLButtonElement} */ ($('share-copy'));
  const download = /** @type {HTMLButtonElement} */ ($('share-download'));
  const zip = /** @type {HTMLButtonElement} */ ($('share-zip'));
  /** @type {Partial<State> | null} */
  let current = null;
  /** The page's state as read when the dialog opened (events unredacted). */
  /** @type {Partial<State> | null} */
  let base = null;
  let seq = 0;
  const redaction = initRedaction({ root: $('share-redact'), ask, onChange: () => pack() });

  /** @param {string} text @param {boolean} [error] */
  function say(text, error = false) {
    status.textContent = text;
    status.classList.toggle('error', error);
  }

  async function open() {
    const mine = ++seq;
    base = null;
    clear();
    if (!dlg.open) dlg.showModal();
    field.focus();
    try {
      base = await read();
      if (mine !== seq) return;
      await redaction.reset();
    } catch {
      base = null;
    }
    if (mine === seq) await pack();
  }

  function clear() {
    current = null;
    field.value = '';
    length.textContent = 'Packing the link…';
    warnings.replaceChildren();
    say('');
    copy.disabled = true;
    download.disabled = true;
    zip.disabled = true;
    download.classList.remove('primary');
  }

  /** The link and the files from the state read at open, its events redacted when asked. */
  async function pack() {
    const mine = ++seq;
    clear();
    if (!base) {
      length.textContent = '';
      say('The page’s state could not be read.', true);
      return;
    }
    if (redaction.pending) {
      length.textContent = 'Waiting for the redacted events…';
      return;
    }
    /** @type {Partial<State> | null} */
    const state = redaction.active ? { ...base, events: redaction.text() } : base;
    try {
      const fragment = await encodeState(state);
      if (mine !== seq) return;
      current = state;
      const link = `${location.origin}${location.pathname}${location.search}${fragment}`;
      field.value = link;
      const advice = linkAdvice(link.length);
      length.textContent = `${link.length.toLocaleString('en-US')} characters`;
      length.dataset.length = String(link.length);
      length.dataset.level = advice.level;
      for (const w of advice.warnings) {
        const li = document.createElement('li');
        li.textContent = w.message;
        li.dataset.level = w.level;
        warnings.append(li);
      }
      const left = omitted && omitted();
      if (left) {
        const li = document.createElement('li');
        li.textContent = left;
        li.dataset.level = 'warn';
        li.id = 'share-omitted';
        warnings.append(li);
      }
      copy.disabled = !advice.fits;
      download.disabled = false;
      zip.disabled = false;
      download.classList.toggle('primary', advice.offerFile);
      if (document.activeElement === field || document.activeElement === document.body) field.select();
    } catch (e) {
      if (mine !== seq) return;
      length.textContent = '';
      say(e instanceof ShareError ? e.message : 'The link could not be made.', true);
      // A browser without CompressionStream cannot pack links, but can still write the state file.
      current = e instanceof ShareError && e.kind === 'unsupported' ? state : null;
      download.disabled = !current;
      zip.disabled = !current;
    }
  }

  zip.addEventListener('click', async () => {
    if (!current) return;
    zip.disabled = true;
    say('Writing the example folder…');
    try {
      const { file, folder } = await downloadFolder(current, redaction.active, ask);
      const notes = [];
      if (folder.skipped) notes.push(`${folder.skipped} line(s) that are not events were left out`);
      if (folder.problems.length) notes.push(`ruleplay test would report: ${folder.problems.slice(0, 3).join('; ')}`);
      say(`Saved ${file}: unzip it and run “ruleplay test” on the folder${notes.length ? `. Note: ${notes.join('. ')}` : ''}.`, folder.problems.length > 0);
    } catch (e) {
      say(`The example folder could not be written: ${e instanceof Error ? e.message : 'error'}.`, true);
    } finally {
      zip.disabled = !current;
    }
  });

  copy.addEventListener('click', async () => {
    const link = field.value;
    if (!link) return;
    try {
      await navigator.clipboard.writeText(link);
      say('Link copied.');
    } catch {
      // No clipboard permission (or an insecure origin): copy the selection the old way.
      field.focus();
      field.select();
      say(document.execCommand('copy') ? 'Link copied.' : 'Press Ctrl+C (⌘C) to copy the selected link.');
    }
  });

  download.addEventListener('click', () => {
    if (!current) return;
    let text;
    try {
      text = stateToFile(current);
    } catch (e) {
      say(e instanceof ShareError ? e.message : 'The state file could not be written.', true);
      return;
    }
    const url = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = `${current.example || 'ruleplay'}${FILE_EXTENSION}`;
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
    say(`Saved ${a.download}. Open it with Open… or drop it on an editor.`);
  });

  $('share-open').addEventListener('click', () => {
    dlg.close();
    openFile();
  });
  $('share-close').addEventListener('click', () => dlg.close());
  dlg.addEventListener('click', (e) => {
    if (e.target === dlg) dlg.close();
  });
  dlg.addEventListener('close', () => {
    seq++;
    current = null;
    base = null;
    field.value = '';
  });

  return { open };
}
