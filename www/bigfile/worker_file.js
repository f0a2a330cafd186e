// The worker's half of a big events file (README "At scale"): it reads the `File` in slices into
// the core (`Session.file_push`, which keeps only the fields the rule reads), reports progress,
// stops when asked, and reads single events back from the file by their byte range for the
// explanation and the rows on screen (the core keeps no event text). Loaded on first use.

/** Bytes per slice: big enough that a slice's overhead is nothing, small enough to report often. */
const SLICE = 4 << 20;

/** @type {File | null} */
let file = null;
let stopping = false;
const decoder = new TextDecoder();

/** Stop reading at the next slice; what was read so far stays. */
export function stop() {
  stopping = true;
}

/**
 * Reads `f` (or, with `again`, the file already open, keeping its fields plus what the rule reads
 * now) into the session.
 * @param {any} session the wasm Session
 * @param {File | null} f
 * @param {(label: string, value: number) => void} progress
 * @returns {Promise<{report: any, stopped: boolean, readMs: number}>}
 */
export async function readFile(session, f, progress) {
  const again = f == null;
  if (f) file = f;
  if (!file) throw new Error('no events file is open');
  const t0 = performance.now();
  stopping = false;
  session.file_begin(again);
  const size = file.size;
  const what = again ? `Reading ${file.name} again for the new fields` : 'Reading events';
  let at = 0;
  let stopped = false;
  while (at < size) {
    if (stopping) {
      stopped = true;
      break;
    }
    const bytes = new Uint8Array(await file.slice(at, at + SLICE).arrayBuffer());
    const p = session.file_push(bytes);
    at += bytes.length;
    if (bytes.length === 0) break;
    const pct = Math.floor((100 * at) / size);
    progress(`${what}: ${pct}% (${p.events.toLocaleString('en-US')} events)`, at / size);
  }
  const report = session.file_end();
  stopping = false;
  return { report, stopped, readMs: performance.now() - t0 };
}

/**
 * Event `index` as written in the file (a synchronous read: workers have FileReaderSync).
 * @param {any} session @param {number} index
 * @returns {string | null}
 */
export function eventText(session, index) {
  const span = session.file_span(index);
  if (!span || !file) return null;
  const bytes = new FileReaderSync().readAsArrayBuffer(file.slice(span[0], span[0] + span[1]));
  return decoder.decode(bytes);
}

/**
 * `readFile`, with what the page is told of the read put in `out.fileRead`.
 * @param {any} session @param {File | null} f @param {any} out
 * @param {(label: string, value: number) => void} progress
 */
export async function read(session, f, out, progress) {
  const r = await readFile(session, f, progress);
  out.fileRead = { stopped: r.stopped, ms: r.readMs, heap: session.file_heap_bytes() };
  return r.report;
}

/** Result-list rows of the file's events, each read back from the file. @param {any} session @param {Uint32Array} indices */
export function rows(session, indices) {
  return session.file_rows(indices, [...indices].map((i) => eventText(session, i) ?? ''));
}

/**
 * The explanation of a file's event, read back from the file by its byte range: the fields of
 * the worker's `explain` answer.
 * @param {any} session @param {number} index @param {(text: string) => string} pretty
 */
export function explain(session, index, pretty) {
  const text = eventText(session, index);
  let explanation = null;
  let error = text == null ? 'the event could not be read from the file' : null;
  let event;
  try {
    if (text != null) {
      explanation = session.explain_file_event(index, text);
      event = JSON.parse(text);
    }
  } catch (e) {
    if (e instanceof WebAssembly.RuntimeError) throw e;
    error = String(e instanceof Error ? e.message : e);
  }
  return { explanation, event, pretty: text != null ? pretty(text) : null, line: null, error };
}
