// The page's half of a big events file (README "At scale"): a file over STREAM_MIN bytes is not
// read here at all. The worker gets the `File` (a handle, not its bytes), reads it in slices into
// the core and reports "Reading events: 41% (412,000 events)"; Stop (the page's Stop button)
// ends the read there, keeping what was read. The events editor shows a note instead of the text.
// Loaded on first use (main.js imports it when such a file is opened).

/** Files over this many bytes are read in slices by the worker (smaller ones as before). */
export const STREAM_MIN = 48_000_000;

/** @param {number} n */
function megabytes(n) {
  return `${Math.round(n / 1e6).toLocaleString('en-US')} MB`;
}

/**
 * Opens `file` as the events: a note in place of the events editor, the file to the worker.
 * @param {File} file
 * @param {{engine: import('../client.js').EngineClient, state: any, sent: any, $: (id: string) => HTMLElement, clearDiagnostics: () => void, changed: () => void}} page
 */
export function openStreamed(file, page) {
  const { state, $ } = page;
  state.bigFile = file;
  state.bigEvents = true;
  state.streamed = true;
  state.loadTimes = { started: performance.now(), read: 0 };
  $('events-editor').classList.add('big');
  $('big-notice').hidden = false;
  $('big-name').textContent = file.name;
  $('big-info').dataset.size = megabytes(file.size);
  $('big-info').textContent = `${megabytes(file.size)} · reading…`;
  note($, `Read from the file: the engine keeps only the fields the rule reads, and reads an event again from the file to explain it. Editing the events text is off for files over ${megabytes(STREAM_MIN)}; share links and autosave cannot hold this file (open it again after a reload).`);
  page.clearDiagnostics();
  state.selected = -1;
  page.sent.events = null;
  page.engine.update({ file });
  page.changed();
}

/** @param {(id: string) => HTMLElement} $ @param {string} text */
function note($, text) {
  const p = $('big-notice').querySelector('p.small');
  if (p) p.textContent = text;
}

/**
 * After an update that read the file: the notice says how many events, and whether Stop cut
 * the read short.
 * @param {{events?: {count: number}, fileRead?: {stopped: boolean, ms: number, heap: number}}} res
 * @param {(id: string) => HTMLElement} $
 */
export function shown(res, $) {
  if (!res.fileRead || !res.events) return;
  const info = $('big-info');
  const count = res.events.count.toLocaleString('en-US');
  info.textContent = res.fileRead.stopped
    ? `${count} events · stopped: the rest of the file (${info.dataset.size}) was not read`
    : `${count} events · ${info.dataset.size} · read from the file`;
  document.body.dataset.fileRead = JSON.stringify({ ms: Math.round(res.fileRead.ms), heap: res.fileRead.heap, stopped: res.fileRead.stopped, count: res.events.count });
}

/**
 * Stop while the worker reads the file: it ends the read at the next slice and evaluates what it
 * has. `false` when no read is under way (the page's Stop then restarts the engine as before).
 * @param {import('../client.js').EngineClient} engine
 */
export function stopReading(engine) {
  if (!(document.body.dataset.progress || '').startsWith('Reading')) return false;
  engine.worker.postMessage({ type: 'fileStop' });
  return true;
}

/** The note for the share dialog when the events are a big file it cannot hold. @param {File} file */
export function shareNote(file) {
  return `The events file ${file.name} (${megabytes(file.size)}) is too big for a link or a state file: it is left out, so whoever opens this gets the rule and exceptions and opens the file themselves.`;
}
