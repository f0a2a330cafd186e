// Share links: the page's whole state in the URL fragment, and the same state as a `.ruleplay.json`
// file. Plain data in, plain data out: nothing here touches the DOM, and no decoded text is ever
// interpreted (the UI must put every string it shows into `textContent`).
//
// FORMAT v1 (README.md "Share links (format)" is the reference for other decoders)
//   link  = "#v1." base64url( deflate-raw( utf8( JSON ) ) )
//   base64url: RFC 4648 §5 alphabet (A–Z a–z 0–9 - _), no padding. Raw DEFLATE is RFC 1951 with no
//   zlib or gzip wrapper (`CompressionStream('deflate-raw')`). The fragment never reaches a server.
//   JSON  = one object; every key optional; a missing key means its default, and the encoder omits
//   defaults (so the empty state is `{}`). Keys, in the order the encoder writes them:
//     mode        "toml" | "kql" | "eql"                 default "toml"
//     rule        string, the rule editor's text          default ""
//     events      string, the events editor's text        default ""
//     exceptions  string, a Kibana exception-list export  default ""
//     lists       [{id, type, values}] Kibana value lists default [] (values: the list file's text)
//     mappings    string, an Elasticsearch mapping (JSON)  default ""
//     now         RFC 3339 timestamp pinning "now"        default absent: the real clock
//     example     gallery example name it came from       default absent
//     selected    0-based index of the selected event     default absent: the page chooses
//     filter      "all" | "alerts" | "near"               default "all"
//     view        {details: boolean}                      default {}: the page chooses
//     exercise    {title, task, verdicts, sequences, hideResults}   default absent: no exercise
//     workshop    {title, items: [WorkshopItem]}           default absent: no workshop (see Workshop)
//   file  = the same object plus "ruleplay": 1 (the format version), pretty-printed.
//
// DECISIONS
// - Unknown keys are ignored and reported (`ignored`), not kept: a page shows and re-shares only what
//   it understands, so re-sharing never forwards content the sharer could not see. New optional keys
//   whose absence means the old behaviour stay in v1 (older pages ignore them); changing a key's
//   meaning or a default needs v2. Decoders dispatch on the version and keep every past one.
// - Texts are Unicode strings without lone surrogates (I-JSON, RFC 7493). A lone surrogate has no
//   UTF-8 form, so TextEncoder, a saved file and most JSON decoders outside JavaScript would turn it
//   into U+FFFD anyway: the codec does so on encode and decode, so what a link restores equals what
//   was encoded, byte for byte, for every text that can exist in a file.
// - Bounds: a link may be 2 MiB long (Chrome's URL limit) and its JSON 32 MiB once inflated.
//   Inflation is streamed in small slices and stops as soon as the output passes the cap (DEFLATE
//   expands at most ~1032:1, so one 4 KiB slice adds at most ~4 MiB before the check); it yields to
//   the page every few milliseconds, so a bomb never freezes the tab while it is refused.
// - Validation is exact: each known key has one JSON type, no nulls; objects are rebuilt from known
//   keys read with hasOwn, so `__proto__`/`constructor` keys and a polluted Object.prototype change
//   nothing. DEFLATE has no checksum: truncation (the usual damage) is always detected because the
//   final block is cut, but a changed character can decode to a different valid state.
// - Every failure is a ShareError with a `kind` and a message meant for people; nothing else is ever
//   thrown, and nothing is kept between calls, so the caller's current work is untouched.

/** @typedef {'toml' | 'kql' | 'eql'} Mode */
/** @typedef {'all' | 'alerts' | 'near'} Filter */
/** @typedef {'alert' | 'match' | 'suppressed' | 'no_match'} Verdict */
/** @typedef {{ id: string, type: string, values: string }} ValueList */
/** @typedef {{ details: boolean | null }} View */
/**
 * @typedef {object} Exercise
 * @property {string} title
 * @property {string} task        what the learner is asked to do (plain text)
 * @property {Verdict[]} verdicts the expected verdict of each event, as in rules/<name>/expected.json
 * @property {number[][]} sequences the expected EQL sequence hits (event indexes)
 * @property {boolean} hideResults predict first: the page hides verdicts until the learner asks
 */
/** @typedef {'alert' | 'no_alert' | 'any'} Expect  what the learner must get: alert, no alert, not asked */
/**
 * One exercise of a workshop: its own page state and what the learner is asked.
 * @typedef {object} WorkshopItem
 * @property {string} title
 * @property {'predict' | 'fix'} kind  predict each event's verdict, or edit until `expect` holds
 * @property {string} task     plain text (the page renders a safe Markdown subset)
 * @property {string[]} hints
 * @property {string} why      shown once revealed or solved
 * @property {Mode} mode
 * @property {string} rule
 * @property {string} events
 * @property {string} exceptions
 * @property {string | null} now
 * @property {string | null} example  the gallery example it came from
 * @property {Expect[]} expect        per event, in order; missing at the end means "any"
 */
/**
 * A workshop: exercises in order, shared as one link or file.
 * @typedef {{ title: string, items: WorkshopItem[] }} Workshop
 */
/**
 * The decoded state: every key present, defaults filled in.
 * @typedef {object} State
 * @property {Mode} mode
 * @property {string} rule
 * @property {string} events
 * @property {string} exceptions
 * @property {ValueList[]} lists
 * @property {string} mappings   Elasticsearch mapping JSON (the Mappings panel's text)
 * @property {string | null} now       RFC 3339, or null for the real clock
 * @property {string | null} example   gallery example name
 * @property {number | null} selected  0-based event index, or null to let the page choose
 * @property {Filter} filter
 * @property {View} view
 * @property {Exercise | null} exercise
 * @property {Workshop | null} workshop
 */
/** @typedef {{ state: State, ignored: string[] }} Decoded */
/**
 * @typedef {'not-a-link' | 'unknown-version' | 'bad-base64' | 'bad-compression' | 'too-large' |
 *   'bad-json' | 'bad-state' | 'unsupported' | 'internal'} ShareErrorKind
 */
/**
 * @typedef {object} LinkWarning
 * @property {'long' | 'very-long' | 'file' | 'too-long'} level
 * @property {number} limit   the length it is over
 * @property {string} message
 */
/**
 * @typedef {object} LinkAdvice
 * @property {'ok' | 'long' | 'very-long' | 'file' | 'too-long'} level  the most severe class
 * @property {LinkWarning[]} warnings  every class the length is over, least severe first
 * @property {boolean} offerFile  over 32 KiB: offer a state file instead
 * @property {boolean} fits       within Chrome's 2 MiB: the link opens at all
 */

export const FORMAT_VERSION = 1;
export const FILE_EXTENSION = '.ruleplay.json';

export const LIMITS = Object.freeze({
  /** Discord's message limit; bit.ly and other shorteners stop at about 2,048. */
  shortLink: 2000,
  /** RFC 9110 §4.1 asks only for 8,000 octets; many chat tools cut there or earlier. */
  longLink: 8000,
  /** Chrome's omnibox shows 32 KiB, Teams messages hold ~28 KB, Slack cuts at 40,000 chars. */
  fileAdvised: 32 * 1024,
  /** Chrome's url::kMaxURLChars: a longer URL does not open. */
  maxLink: 2 * 1024 * 1024,
  /** The inflated JSON (bytes), and a state file's size: the decompression-bomb cap. */
  maxState: 32 * 1024 * 1024,
});

const MODES = ['toml', 'kql', 'eql'];
const FILTERS = ['all', 'alerts', 'near'];
const VERDICTS = ['alert', 'match', 'suppressed', 'no_match'];
const SLICE = 4096;
/** Inflating runs in promise reactions, which keep input and painting waiting: yield this often. */
const YIELD_MS = 8;
const MAX_IGNORED = 50;

export class ShareError extends Error {
  /**
   * @param {ShareErrorKind} kind
   * @param {string} message
   */
  constructor(kind, message) {
    super(message);
    this.name = 'ShareError';
    /** @type {ShareErrorKind} */
    this.kind = kind;
  }
}

/**
 * @param {ShareErrorKind} kind
 * @param {string} message
 * @returns {never}
 */
function fail(kind, message) {
  throw new ShareError(kind, message);
}

/** A validation failure deep in the state; the entry point says whether it was a link or a file. */
class Invalid extends Error {
  /** @param {string} message @param {ShareErrorKind} [kind] */
  constructor(message, kind = 'bad-state') {
    super(message);
    this.kind = kind;
  }
}

/** @returns {State} */
export function defaultState() {
  return {
    mode: 'toml', rule: '', events: '', exceptions: '', lists: [], mappings: '', now: null, example: null,
    selected: null, filter: 'all', view: { details: null }, exercise: null, workshop: null,
  };
}

// ---------- validation: one reader per JSON type ----------

const own = (/** @type {object} */ o, /** @type {string} */ k) => Object.prototype.hasOwnProperty.call(o, k);

/** @param {unknown} v */
function describe(v) {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}

/**
 * @param {string} path
 * @param {string} want
 * @param {unknown} v
 * @returns {never}
 */
function wrong(path, want, v) {
  throw new Invalid(`"${path}" must be ${want}, found ${describe(v)}`);
}

/** @param {string} s */
function wellFormed(s) {
  // In a /u regex a surrogate class matches only unpaired surrogates.
  return /\p{Surrogate}/u.test(s) ? s.replace(/\p{Surrogate}/gu, '\uFFFD') : s;
}

/**
 * `ignored` collects unknown keys; `fromPage` is set when reading the page's own state for the encoder,
 * where null and undefined mean "the default" (in a link or file every present key has its type).
 * @typedef {{ ignored: string[], fromPage: boolean }} Ctx
 * @typedef {(v: unknown, path: string, ctx: Ctx) => any} Reader
 */

/** @param {number} max @returns {Reader} */
const text = (max) => (v, path) => {
  if (typeof v !== 'string') wrong(path, 'a string', v);
  if (v.length > max) {
    throw new Invalid(`"${path}" is longer than ${max.toLocaleString('en-US')} characters`, max === LIMITS.maxState ? 'too-large' : 'bad-state');
  }
  return wellFormed(v);
};

/** @param {RegExp} re @param {string} want @returns {Reader} */
const matching = (re, want) => (v, path) => {
  if (typeof v !== 'string' || !re.test(v)) wrong(path, want, v);
  return v;
};

/** @param {readonly string[]} allowed @returns {Reader} */
const oneOf = (allowed) => (v, path) => {
  if (typeof v !== 'string' || !allowed.includes(v)) {
    wrong(path, `one of ${allowed.map((a) => `"${a}"`).join(', ')}`, v);
  }
  return v;
};

/** @type {Reader} */
const bool = (v, path) => (typeof v === 'boolean' ? v : wrong(path, 'true or false', v));

/** @type {Reader} */
const index = (v, path) =>
  typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? v : wrong(path, 'a whole number ≥ 0', v);

/** @type {Reader} */
const timestamp = (v, path) => {
  // Checked field by field, not with Date.parse, whose leniency differs between browsers.
  const m = typeof v === 'string' ? /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(\.\d{1,9})?(Z|[+-](\d\d):(\d\d))$/.exec(v) : null;
  const [, y, mo, d, h, mi, sec, , , oh, om] = (m || []).map(Number);
  const leap = y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][mo - 1];
  const valid = m && d >= 1 && d <= days && h <= 23 && mi <= 59 && sec <= 59 && (m[8] === 'Z' || (oh <= 23 && om <= 59));
  return valid ? v : wrong(path, 'an RFC 3339 timestamp such as "2024-06-01T00:00:00Z"', v);
};

/** @param {Reader} item @returns {Reader} */
const arrayOf = (item) => (v, path, ctx) => {
  if (!Array.isArray(v)) wrong(path, 'an array', v);
  const out = [];
  // Indexing, not map: a hole in an array handed to the encoder is an error, not a skipped item.
  for (let i = 0; i < v.length; i++) out.push(item(v[i], `${path}[${i}]`, ctx));
  return out;
};

const REQUIRED = Symbol('required');

/**
 * A field: its reader; its default (REQUIRED: none); `isDefault` when `===` cannot tell (the
 * encoder omits defaults); `write` when the value is an object whose own defaults are omitted too.
 * @typedef {{ read: Reader, def: unknown, isDefault?: (v: any) => boolean, write?: (v: any) => unknown }} Field
 */

/** @param {Record<string, Field>} fields @returns {Reader} */
const objectOf = (fields) => (v, path, ctx) => {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) wrong(path || 'the state', 'an object', v);
  for (const key of Object.keys(v)) {
    if (!own(fields, key) && ctx.ignored.length < MAX_IGNORED) {
      ctx.ignored.push((path ? `${path}.` : '') + (key.length > 64 ? `${key.slice(0, 64)}…` : key));
    }
  }
  /** @type {Record<string, unknown>} */
  const out = {};
  for (const [key, f] of Object.entries(fields)) {
    const at = path ? `${path}.${key}` : key;
    const value = own(v, key) ? /** @type {Record<string, unknown>} */ (v)[key] : undefined;
    const absent = !own(v, key) || (ctx.fromPage && (value === null || value === undefined));
    if (!absent) out[key] = f.read(value, at, ctx);
    else if (f.def === REQUIRED) throw new Invalid(`"${at}" is missing`);
    else out[key] = structuredClone(f.def);
  }
  return out;
};

/**
 * The JSON object the encoder writes: known keys in order, defaults left out.
 * @param {Record<string, any>} value @param {Record<string, Field>} fields
 */
function withoutDefaults(value, fields) {
  /** @type {Record<string, unknown>} */
  const out = {};
  for (const [key, f] of Object.entries(fields)) {
    const v = value[key];
    if (f.isDefault ? f.isDefault(v) : v === f.def) continue;
    out[key] = f.write ? f.write(v) : v;
  }
  return out;
}

const empty = (/** @type {unknown[]} */ a) => a.length === 0;

/** @type {Record<string, Field>} */
const VALUE_LIST = {
  id: { read: text(256), def: REQUIRED },
  type: { read: matching(/^[a-z_]{1,32}$/, 'a Kibana list type such as "ip" or "keyword"'), def: REQUIRED },
  values: { read: text(LIMITS.maxState), def: '' },
};
/** @type {Field} */
const LISTS = {
  read: arrayOf(objectOf(VALUE_LIST)),
  def: [],
  isDefault: empty,
  write: (v) => v.map((/** @type {ValueList} */ l) => withoutDefaults(l, VALUE_LIST)),
};

/** @type {Record<string, Field>} */
const VIEW = {
  details: { read: bool, def: null },
};

/** @type {Record<string, Field>} */
const EXERCISE = {
  title: { read: text(1000), def: '' },
  task: { read: text(LIMITS.maxState), def: '' },
  verdicts: { read: arrayOf(oneOf(VERDICTS)), def: [], isDefault: empty },
  sequences: { read: arrayOf(arrayOf(index)), def: [], isDefault: empty },
  hideResults: { read: bool, def: false },
};

const EXAMPLE_NAME = matching(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/, 'an example name (letters, digits, _ . -)');

/** @type {Record<string, Field>} */
const WORKSHOP_ITEM = {
  title: { read: text(1000), def: '' },
  kind: { read: oneOf(['predict', 'fix']), def: 'predict' },
  task: { read: text(LIMITS.maxState), def: '' },
  hints: { read: arrayOf(text(LIMITS.maxState)), def: [], isDefault: empty },
  why: { read: text(LIMITS.maxState), def: '' },
  mode: { read: oneOf(MODES), def: 'toml' },
  rule: { read: text(LIMITS.maxState), def: '' },
  events: { read: text(LIMITS.maxState), def: '' },
  exceptions: { read: text(LIMITS.maxState), def: '' },
  now: { read: timestamp, def: null },
  example: { read: EXAMPLE_NAME, def: null },
  expect: { read: arrayOf(oneOf(['alert', 'no_alert', 'any'])), def: [], isDefault: empty },
};

/** @type {Record<string, Field>} */
const WORKSHOP = {
  title: { read: text(1000), def: '' },
  items: {
    read: arrayOf(objectOf(WORKSHOP_ITEM)),
    def: [],
    isDefault: empty,
    write: (v) => v.map((/** @type {WorkshopItem} */ i) => withoutDefaults(i, WORKSHOP_ITEM)),
  },
};

/** Version 1. Its defaults are part of the format: never change them, add a version instead. */
/** @type {Record<string, Field>} */
const V1 = {
  mode: { read: oneOf(MODES), def: 'toml' },
  rule: { read: text(LIMITS.maxState), def: '' },
  events: { read: text(LIMITS.maxState), def: '' },
  exceptions: { read: text(LIMITS.maxState), def: '' },
  lists: LISTS,
  mappings: { read: text(LIMITS.maxState), def: '' },
  now: { read: timestamp, def: null },
  example: { read: EXAMPLE_NAME, def: null },
  selected: { read: index, def: null },
  filter: { read: oneOf(FILTERS), def: 'all' },
  view: {
    read: objectOf(VIEW),
    def: { details: null },
    isDefault: (v) => Object.keys(withoutDefaults(v, VIEW)).length === 0,
    write: (v) => withoutDefaults(v, VIEW),
  },
  exercise: { read: objectOf(EXERCISE), def: null, write: (v) => withoutDefaults(v, EXERCISE) },
  workshop: { read: objectOf(WORKSHOP), def: null, write: (v) => withoutDefaults(v, WORKSHOP) },
};

/**
 * @param {unknown} data @param {string} what "link" or "file", for the message
 * @param {string[]} [skip] top-level keys that belong to the container, not to the state
 * @returns {Decoded}
 */
function readV1(data, what, skip = [], fromPage = false) {
  /** @type {Ctx} */
  const ctx = { ignored: [], fromPage };
  try {
    const state = /** @type {State} */ (objectOf(V1)(data, '', ctx));
    return { state, ignored: ctx.ignored.filter((k) => !skip.includes(k)) };
  } catch (e) {
    if (e instanceof Invalid) {
      fail(e.kind, e.kind === 'too-large' ? `The ${what} is too large: ${e.message}.` : `The ${what} does not hold a valid ruleplay state: ${e.message}.`);
    }
    throw e;
  }
}

// ---------- bytes: base64url, DEFLATE, UTF-8 ----------

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const ALPHABET_CODES = Uint8Array.from(ALPHABET, (c) => c.charCodeAt(0));
const SEXTET = new Int8Array(128).fill(-1);
for (let i = 0; i < 64; i++) SEXTET[ALPHABET.charCodeAt(i)] = i;

/** @param {Uint8Array} bytes */
function toBase64url(bytes) {
  const out = new Uint8Array(Math.ceil((bytes.length * 4) / 3));
  const codes = ALPHABET_CODES;
  let o = 0;
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
    out[o++] = codes[n >> 18];
    out[o++] = codes[(n >> 12) & 63];
    out[o++] = codes[(n >> 6) & 63];
    out[o++] = codes[n & 63];
  }
  if (i < bytes.length) {
    const n = (bytes[i] << 16) | ((bytes[i + 1] ?? 0) << 8);
    out[o++] = codes[n >> 18];
    out[o++] = codes[(n >> 12) & 63];
    if (i + 1 < bytes.length) out[o++] = codes[(n >> 6) & 63];
  }
  return new TextDecoder().decode(out);
}

/** @param {string} s */
function fromBase64url(s) {
  if (s.length % 4 === 1) {
    fail('bad-base64', 'The link is incomplete: it was cut off, probably when it was copied. Copy the whole link again, or ask for a state file.');
  }
  const out = new Uint8Array(Math.floor((s.length * 3) / 4));
  let acc = 0;
  let bits = 0;
  let o = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const v = c < 128 ? SEXTET[c] : -1;
    if (v < 0) {
      const cp = s.codePointAt(i) ?? c;
      // Only printable ASCII is quoted: a bidi override or an invisible would garble the message.
      const shown = (cp > 32 && cp < 127 ? `"${String.fromCharCode(cp)}" ` : '') + `(U+${cp.toString(16).toUpperCase().padStart(4, '0')})`;
      fail('bad-base64', `The link is damaged: character ${i + 1} of its data, ${shown}, cannot appear in a ruleplay link.`);
    }
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = acc >> bits;
      acc &= (1 << bits) - 1;
    }
  }
  return out;
}

function needStreams() {
  if (typeof CompressionStream !== 'function' || typeof DecompressionStream !== 'function') {
    fail('unsupported', 'This browser cannot pack or unpack share links (it lacks CompressionStream; Chrome 103, Firefox 113 and Safari 16.4 have it).');
  }
}

/** @param {Blob} blob */
async function deflate(blob) {
  needStreams();
  const stream = blob.stream().pipeThrough(new CompressionStream('deflate-raw'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/**
 * Inflates at most `cap` bytes. The input goes in small slices so that even an implementation that
 * inflates each chunk in one go never holds more than a few MiB past the cap; the reader cancels the
 * stream the moment the output passes it.
 * @param {Uint8Array} bytes @param {number} cap
 */
async function inflate(bytes, cap) {
  needStreams();
  const ds = new DecompressionStream('deflate-raw');
  const writer = ds.writable.getWriter();
  const reader = ds.readable.getReader();
  const feeding = (async () => {
    for (let i = 0; i < bytes.length; i += SLICE) await writer.write(/** @type {BufferSource} */ (bytes.subarray(i, i + SLICE)));
    await writer.close();
  })();
  // A failed write also errors the readable side, where it is reported.
  feeding.catch(() => {});
  /** @type {Uint8Array[]} */
  const chunks = [];
  let total = 0;
  let since = performance.now();
  try {
    for (;;) {
      if (performance.now() - since > YIELD_MS) {
        // A task boundary (not a microtask): the page handles input and paints meanwhile.
        await new Promise((resolve) => setTimeout(resolve, 0));
        since = performance.now();
      }
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > cap) {
        reader.cancel().catch(() => {});
        fail('too-large', `The link unpacks to more than ${mib(cap)}, more than ruleplay opens. It may be hostile; nothing was loaded.`);
      }
      chunks.push(value);
    }
  } catch (e) {
    if (e instanceof ShareError) throw e;
    fail('bad-compression', 'The link is damaged or incomplete: its data does not unpack. It may have been cut off or changed when it was copied; copy the whole link again, or ask for a state file.');
  }
  const out = new Uint8Array(total);
  let o = 0;
  for (const c of chunks) {
    out.set(c, o);
    o += c.byteLength;
  }
  return out;
}

/** @param {number} n */
const mib = (n) => `${(n / 1024 / 1024).toLocaleString('en-US', { maximumFractionDigits: 1 })} MiB`;

/**
 * @param {Uint8Array} bytes @param {string} what
 * @returns {unknown}
 */
function parseJson(bytes, what) {
  let json;
  try {
    json = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    fail('bad-json', `The ${what} does not hold a ruleplay state: its content is not UTF-8 text.`);
  }
  try {
    return JSON.parse(json);
  } catch {
    // JSON.parse's own message quotes the input; never echo content in a message.
    fail('bad-json', `The ${what} does not hold a ruleplay state: its content is not valid JSON.`);
  }
}

// ---------- versions ----------

/**
 * One entry per format version ever published; later versions add entries and never remove one.
 * `link` reads the part after "#vN."; `file` reads a parsed state file.
 * @type {Map<number, { link: (payload: string) => Promise<Decoded>, file: (data: unknown) => Decoded }>}
 */
const VERSIONS = new Map([
  [
    1,
    {
      link: async (payload) => readV1(parseJson(await inflate(fromBase64url(payload), LIMITS.maxState), 'link'), 'link'),
      file: (data) => readV1(data, 'file', ['ruleplay']),
    },
  ],
]);

/** @param {number} v */
function unknownVersion(v) {
  return fail('unknown-version', `This was made with share format v${v}, which this copy of ruleplay does not know. Reload the page to get the newest ruleplay, then open it again.`);
}

/**
 * @template T
 * @param {() => Promise<T> | T} fn
 * @returns {Promise<T>}
 */
async function guarded(fn) {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof ShareError) throw e;
    if (e instanceof RangeError) throw new ShareError('too-large', 'The state is too large for this browser to handle.');
    throw new ShareError('internal', `The share link could not be handled: ${e instanceof Error ? e.name : 'error'}.`);
  }
}

/**
 * The canonical v1 JSON object of a state (validated; defaults omitted).
 * @param {Partial<State>} state
 */
function canonical(state) {
  const { state: full } = readV1(state, 'state to share', [], true);
  return withoutDefaults(full, V1);
}

/**
 * The state's JSON as UTF-8 (a Blob encodes strings as UTF-8), refused over the cap.
 * @param {string} json
 */
function utf8Within(json) {
  // UTF-8 never takes fewer bytes than UTF-16 code units: refuse a huge string before encoding it.
  const blob = json.length > LIMITS.maxState ? null : new Blob([json]);
  if (!blob || blob.size > LIMITS.maxState) {
    fail('too-large', `The state is over the ${mib(LIMITS.maxState)} a link or state file can hold.`);
  }
  return blob;
}

// ---------- API ----------

/**
 * The fragment for a state, `#v1.…`. Missing keys mean their defaults; the same state always gives
 * the same link. Rejects with a ShareError (`bad-state` for a malformed state, `too-large`).
 * @param {Partial<State>} state
 * @returns {Promise<string>}
 */
export function encodeState(state) {
  return guarded(async () => `#v${FORMAT_VERSION}.${toBase64url(await deflate(utf8Within(JSON.stringify(canonical(state)))))}`);
}

/**
 * Reads a link: a whole URL, its fragment (`#v1.…`) or the fragment without `#`. ASCII whitespace is
 * dropped (a link pasted from a wrapped email). Resolves to the full state and the unknown keys it
 * ignored; rejects with a ShareError only.
 * @param {unknown} link
 * @returns {Promise<Decoded>}
 */
export function decodeLink(link) {
  return guarded(async () => {
    if (typeof link !== 'string') return fail('not-a-link', 'This is not a ruleplay share link.');
    if (link.length > LIMITS.maxLink) {
      fail('too-large', `The link is ${link.length.toLocaleString('en-US')} characters long, over the 2 MiB that browsers open.`);
    }
    const hash = link.indexOf('#');
    const fragment = (hash >= 0 ? link.slice(hash + 1) : link).replace(/[\t\n\f\r ]+/g, '');
    const m = /^v(\d+)\./.exec(fragment);
    if (!m) return fail('not-a-link', 'This is not a ruleplay share link (its address should end in "#v1." and letters and digits).');
    const version = Number(m[1]);
    const codec = String(version) === m[1] ? VERSIONS.get(version) : undefined;
    if (!codec) return unknownVersion(version);
    return codec.link(fragment.slice(m[0].length));
  });
}

/**
 * What to tell someone about a link of this length (the whole URL, in characters).
 * @param {number} length
 * @returns {LinkAdvice}
 */
export function linkAdvice(length) {
  const n = length.toLocaleString('en-US');
  /** @type {LinkWarning[]} */
  const warnings = [];
  if (length > LIMITS.shortLink) {
    warnings.push({ level: 'long', limit: LIMITS.shortLink, message: `The link is ${n} characters: too long for Discord (2,000) and for link shorteners.` });
  }
  if (length > LIMITS.longLink) {
    warnings.push({ level: 'very-long', limit: LIMITS.longLink, message: `The link is ${n} characters: over 8,000, many chat tools, mail clients and web servers cut or refuse it.` });
  }
  if (length > LIMITS.fileAdvised) {
    warnings.push({ level: 'file', limit: LIMITS.fileAdvised, message: `The link is ${n} characters: over 32 KiB, most chat tools cut it (Teams ~28 KB, Slack 40,000 characters). Share a state file (${FILE_EXTENSION}) instead.` });
  }
  if (length > LIMITS.maxLink) {
    warnings.push({ level: 'too-long', limit: LIMITS.maxLink, message: `The link is ${n} characters: over 2 MiB, browsers do not open it. Share a state file (${FILE_EXTENSION}).` });
  }
  return {
    level: warnings.length ? warnings[warnings.length - 1].level : 'ok',
    warnings,
    offerFile: length > LIMITS.fileAdvised,
    fits: length <= LIMITS.maxLink,
  };
}

/**
 * The state as a `.ruleplay.json` file's text: the link's JSON plus `"ruleplay": 1`, indented.
 * Throws a ShareError (`bad-state`, `too-large`).
 * @param {Partial<State>} state
 * @returns {string}
 */
export function stateToFile(state) {
  try {
    const text = `${JSON.stringify({ ruleplay: FORMAT_VERSION, ...canonical(state) }, null, 2)}\n`;
    utf8Within(text);
    return text;
  } catch (e) {
    if (e instanceof ShareError) throw e;
    throw new ShareError('internal', 'The state file could not be written.');
  }
}

/**
 * Reads a `.ruleplay.json` file (its text, or its bytes, which must be UTF-8), with the same checks
 * as a link. Throws a ShareError only.
 * @param {string | ArrayBuffer | Uint8Array} input
 * @returns {Decoded}
 */
export function stateFromFile(input) {
  try {
    let text = input;
    if (typeof input !== 'string') {
      if (!(input instanceof ArrayBuffer || input instanceof Uint8Array)) return fail('bad-json', 'This is not a ruleplay state file.');
      const bytes = input instanceof Uint8Array ? input : new Uint8Array(input);
      if (bytes.length > LIMITS.maxState) fail('too-large', `The file is ${mib(bytes.length)}, over the ${mib(LIMITS.maxState)} a state file can hold.`);
      try {
        text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
      } catch {
        fail('bad-json', 'This is not a ruleplay state file: it is not UTF-8 text.');
      }
    }
    // TextDecoder drops a byte-order mark; a string read elsewhere may still start with one.
    const str = /** @type {string} */ (text).replace(/^\ufeff/, '');
    if (str.length > LIMITS.maxState) fail('too-large', `The file is over the ${mib(LIMITS.maxState)} a state file can hold.`);
    let data;
    try {
      data = JSON.parse(str);
    } catch {
      fail('bad-json', 'This is not a ruleplay state file: it is not valid JSON.');
    }
    if (data === null || typeof data !== 'object' || Array.isArray(data) || !own(data, 'ruleplay')) {
      fail('bad-state', 'This is not a ruleplay state file: it has no "ruleplay" version key.');
    }
    const version = /** @type {Record<string, unknown>} */ (data).ruleplay;
    if (typeof version !== 'number' || !Number.isSafeInteger(version) || version < 1) {
      fail('bad-state', 'This is not a ruleplay state file: its "ruleplay" key must be a version number.');
    }
    const codec = VERSIONS.get(version);
    return codec ? codec.file(data) : unknownVersion(version);
  } catch (e) {
    if (e instanceof ShareError) throw e;
    if (e instanceof RangeError) throw new ShareError('too-large', 'The file is too large for this browser to handle.');
    throw new ShareError('internal', 'The state file could not be read.');
  }
}
