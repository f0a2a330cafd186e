// Talks to the engine worker. Updates are coalesced: while one evaluation runs, later edits merge into
// a single pending update, so fast typing never queues stale work.

// The worker's replies. Engine results keep the shapes the wasm declares (pkg/ruleplay.d.ts, from
// crate/src/wasm.rs and crate/src/wasm_types.d.ts); `npm test` type-checks their use with tsc.
/** @typedef {import('../pkg/ruleplay.js').RuleReport} RuleReport */
/** @typedef {import('../pkg/ruleplay.js').EventsReport} EventsReport */
/** @typedef {import('../pkg/ruleplay.js').ExceptionsReport} ExceptionsReport */
/** @typedef {import('../pkg/ruleplay.js').Explanation} Explanation */
/** @typedef {import('../pkg/ruleplay.js').Row} Row */
/** @typedef {import('../pkg/ruleplay.js').EventEdit} EventEdit */
/** @typedef {import('../pkg/ruleplay.js').Diagnostic} Diagnostic */
/** @typedef {import('../pkg/ruleplay.js').Evaluation & {generation: number}} Evaluation */
/**
 * @typedef {object} UpdateReply
 * @property {'update'} type
 * @property {number} id
 * @property {RuleReport} [rule]
 * @property {EventsReport} [events]
 * @property {ExceptionsReport} [exceptions]
 * @property {import('../pkg/ruleplay.js').ExceptionWarning[]} [exceptionWarnings] after any change of rule, events or exceptions
 * @property {import('../pkg/ruleplay.js').MappingsReport} [mappings]
 * @property {EventEdit} [edit] what an `editEvent` did
 * @property {import('../pkg/ruleplay.js').ValueListReport[]} [valueLists] the value lists as read
 * @property {import('../pkg/ruleplay.js').ExceptionListRef[]} [refs] the rule's exception-list references
 * @property {Evaluation | null} [eval] `undefined` when not evaluated, `null` when the rule does not load
 * @property {import('../pkg/ruleplay.js').EsqlReport | null} [esql] an ES|QL rule's output table and stage counts (with `eval`)
 * @property {number} [totalMs]
 * @property {{stopped: boolean, ms: number, heap: number}} [fileRead] after reading a big file (www/bigfile/)
 */
/** @typedef {{type: 'exclude', id: number} & import('../pkg/ruleplay.js').ExclusionEdit} ExcludeReply */
/** @typedef {{type: 'editExceptions', id: number, ok: boolean, text?: string, message?: string}} EditExceptionsReply */
/** @typedef {{type: 'rows', id: number, rows: Row[], generation: number}} RowsReply */
/** @typedef {{type: 'values', id: number, field: string, values: import('../pkg/ruleplay.js').FieldValue[]}} ValuesReply */
/**
 * @typedef {object} ExplainReply
 * @property {'explain'} type
 * @property {number} id
 * @property {number} index
 * @property {Explanation | null} explanation
 * @property {unknown} event the event as written, parsed
 * @property {string | null} pretty the event as written, pretty-printed for editing
 * @property {number | null} line where the event starts in the events text (1-based)
 * @property {string | null} origin the search hit it came from ("hit 3 (_id abc)"), for Elasticsearch responses
 * @property {string | null} error
 * @property {number} generation
 */
/** @typedef {{type: 'convert', id: number} & import('../pkg/ruleplay.js').ExceptionConversion} ConvertReply */
/** @typedef {{type: 'filter', id: number, ok: boolean, diagnostics: Diagnostic[], indices: Uint32Array, generation: number}} FilterReply */
/** @typedef {{type: 'misses', id?: number, generation: number, misses?: Int32Array, ms?: number, stale?: boolean}} MissesReply */
/** @typedef {{type: 'stopped'} | {type: 'error', id: number, fatal: boolean, message: string}} Failure */

export class EngineClient {
  /**
   * @param {object} hooks
   * @param {(res: UpdateReply, sent: object) => void} hooks.onUpdate
   * @param {(label: string, value: number) => void} hooks.onProgress
   * @param {(message: string) => void} hooks.onError
   * @param {(busy: boolean) => void} [hooks.onBusy]
   * @param {(msg: MissesReply) => void} [hooks.onMisses]
   * @param {(message: string) => void} [hooks.onFatal]
   */
  constructor({ onUpdate, onProgress, onError, onBusy, onMisses, onFatal }) {
    this.onFatal = onFatal || (() => {});
    this.onUpdate = onUpdate;
    this.onMisses = onMisses || (() => {});
    this.onBusy = onBusy || (() => {});
    this.onProgress = onProgress;
    this.onError = onError;
    this.nextId = 1;
    this.waiters = new Map();
    this.start();
  }

  start() {
    this.inFlight = false;
    this.pending = null;
    this.worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
    this.worker.onmessage = (e) => this.receive(e.data);
    this.worker.onerror = (e) => this.onError(e.message || 'The engine failed to start.');
    this.ready = this.call({ type: 'init' });
  }

  /** Stops whatever the engine is doing by replacing its worker; the caller re-sends its state. */
  restart() {
    this.worker.terminate();
    for (const w of this.waiters.values()) w({ type: 'stopped' });
    this.waiters.clear();
    this.start();
    this.onBusy(false);
    return this.ready;
  }

  call(msg, transfer = []) {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.waiters.set(id, resolve);
      this.worker.postMessage({ ...msg, id }, transfer);
    });
  }

  receive(msg) {
    if (msg.type === 'progress') return this.onProgress(msg.label, msg.value);
    // Near-miss counts arrive on their own after an evaluation, or as the answer to misses().
    if (msg.type === 'misses' && !msg.stale && msg.misses) this.onMisses(msg);
    if (msg.type === 'error') this.onError(msg.message);
    const w = this.waiters.get(msg.id);
    if (w) {
      this.waiters.delete(msg.id);
      w(msg);
    }
    if (msg.type === 'error' && msg.fatal) this.onFatal(msg.message);
  }

  /** parts: { ruleFile?, rule?: {source, lang}, switchTo?: {lang, fallback}, editEvent?: {index, json}, events?: string | Uint8Array, exceptions?: string, valueLists?: {id, type, text}[], mappings?: string, now?, noEval? } */
  update(parts) {
    this.pending = { ...(this.pending || {}), ...parts };
    this.onBusy(true);
    this.pump();
  }

  async pump() {
    if (this.inFlight || !this.pending) return;
    const msg = { type: 'update', ...this.pending };
    this.pending = null;
    this.inFlight = true;
    const transfer = msg.events instanceof Uint8Array ? [msg.events.buffer] : [];
    const worker = this.worker;
    try {
      const res = await this.call(msg, transfer);
      if (res.type === 'update') this.onUpdate(res, msg);
    } finally {
      // After a restart the new worker's queue is someone else's business.
      if (worker === this.worker) {
        this.inFlight = false;
        if (this.pending) this.pump();
        else this.onBusy(false);
      }
    }
  }

  get busy() {
    return this.inFlight || Boolean(this.pending);
  }

  /**
   * @param {number[]} indices
   * @returns {Promise<RowsReply | Failure>}
   */
  rows(indices) {
    return this.call({ type: 'rows', indices });
  }

  /**
   * The events a KQL filter matches, in the current events.
   * @param {string} query
   * @returns {Promise<FilterReply | Failure>}
   */
  filter(query) {
    return this.call({ type: 'filter', query });
  }

  /** @returns {Promise<MissesReply | Failure>} */
  misses() {
    return this.call({ type: 'misses' });
  }

  /**
   * The values of `field` in the events, most frequent first, for completion.
   * @param {string} field
   * @returns {Promise<ValuesReply | Failure>}
   */
  values(field) {
    return this.call({ type: 'values', field });
  }

  /**
   * `source` (the rule view's text) with `values` added to or removed from the exclusion lists of
   * `field`, as the core rewrites it; the engine's state is unchanged.
   * @param {{source: string, lang: string, field: string, op: 'add' | 'add_pattern' | 'remove', values: string[]}} edit
   * @returns {Promise<ExcludeReply | Failure>}
   */
  exclude(edit) {
    return this.call({ type: 'exclude', ...edit });
  }

  /**
   * An exception file (Kibana NDJSON or detection-rules TOML) converted by the core.
   * @param {string} text
   * @param {'ndjson' | 'toml'} format
   * @returns {Promise<ConvertReply | Failure>}
   */
  convertExceptions(text, format) {
    return this.call({ type: 'convert', text, format });
  }

  /**
   * `text` (the exceptions editor's) with one item set (`index` and `item`), added (`item` only)
   * or removed (`index` only), as the core rewrites it; the engine's state is unchanged.
   * @param {{text: string, index: number | null, item: string | null}} edit
   * @returns {Promise<EditExceptionsReply | Failure>}
   */
  editExceptions(edit) {
    return this.call({ type: 'editExceptions', ...edit });
  }

  /** @returns {Promise<{type: 'ecsFields', id: number, fields: string[]} | Failure>} */
  ecsFields() {
    return this.call({ type: 'ecsFields' });
  }

  /**
   * One question of "Exclude this", the diff line, coverage or the export (see worker.js
   * handlePreview); resolves to the core's answer, or null when the engine failed or stopped.
   * @param {{what: 'exclusion', field: string, values: string[]} | {what: 'exception', entries: {field: string, values: string[]}[]} | {what: 'offer', index: number, field?: string | null} | {what: 'coverage', generation: number} | {what: 'diff', before: Uint8Array, after: Uint8Array} | {what: 'export', original?: string | null}} question
   * @returns {Promise<any>}
   */
  async ask(question) {
    const res = await this.call({ type: 'preview', ...question });
    return res.type === 'preview' ? res.result : null;
  }

  /**
   * @param {number} index
   * @returns {Promise<ExplainReply | Failure>}
   */
  explain(index) {
    return this.call({ type: 'explain', index });
  }
}
