// Workshop data without the DOM: exercises from the example library (`rules/<name>/exercise.md`),
// what a learner is asked, their score, and their progress in localStorage. The views (view.js,
// present.js, builder.js) only draw what this module computes.

/** @typedef {import('../share/codec.js').Workshop} Workshop */
/** @typedef {import('../share/codec.js').WorkshopItem} WorkshopItem */
/** @typedef {import('../share/codec.js').Expect} Expect */
/**
 * An example from dist/examples.json; exercises carry `exercise` (exercise.md's text) and, for a
 * fix, `solution` (the reference solution's files, null where it keeps the start's).
 * @typedef {{ name: string, title?: string, rule?: string, events?: string, exceptions?: string | null,
 *   expected?: { verdicts?: string[], now?: string } | null, exercise?: string | null,
 *   solution?: { rule: string | null, exceptions: string | null } | null }} Example
 */
/**
 * @typedef {object} ExerciseText  exercise.md, read as `ruleplay test` reads it (engine/exercise.rs)
 * @property {'predict' | 'fix'} kind
 * @property {string} title
 * @property {string} task
 * @property {string[]} hints
 * @property {string} why
 */

/**
 * Reads exercise.md: `kind: predict|fix` before the first `## ` section, then `## Task`, `## Hints`
 * (one hint per `- ` item), `## Why`. Null when it is not a valid exercise (the Rust check says why).
 * @param {string} md
 * @returns {ExerciseText | null}
 */
export function parseExercise(md) {
  /** @type {'predict' | 'fix' | null} */
  let kind = null;
  let title = '';
  /** @type {Record<string, string[]>} */
  const sections = { task: [], hints: [], why: [] };
  /** @type {string[] | null} */
  let into = null;
  for (const line of md.split(/\r?\n/)) {
    const t = line.trim();
    const h = /^## (.*)$/.exec(t);
    if (h) {
      const name = h[1].trim().toLowerCase();
      into = name === 'task' ? sections.task : name === 'hints' || name === 'hint' ? sections.hints : name === 'why' ? sections.why : null;
      if (!into) return null;
      continue;
    }
    if (into) into.push(line);
    else if (t.startsWith('# ') && !title) title = t.slice(2).trim();
    else if (/^kind:/.test(t)) {
      const k = t.slice(5).trim();
      if (k !== 'predict' && k !== 'fix') return null;
      kind = k;
    }
  }
  const task = sections.task.join('\n').trim();
  if (!kind || !task) return null;
  /** @type {string[]} */
  const hints = [];
  for (const line of sections.hints) {
    const t = line.trim();
    const item = /^[-*] (.*)$/.exec(t);
    if (item) hints.push(item[1].trim());
    else if (t && hints.length) hints[hints.length - 1] += ` ${t}`;
  }
  return { kind, title, task, hints, why: sections.why.join('\n').trim() };
}

/**
 * The events of an events text, one entry per event: NDJSON lines or the items of a JSON array.
 * `value` is null for a line that is not JSON (the engine reports it; a view shows the raw text).
 * @param {string} text
 * @returns {{ text: string, value: unknown }[]}
 */
export function splitEvents(text) {
  const t = text.trim();
  if (t.startsWith('[')) {
    try {
      const arr = JSON.parse(t);
      if (Array.isArray(arr)) return arr.map((value) => ({ text: JSON.stringify(value), value }));
    } catch {
      // Not one JSON array: read it line by line like the engine does.
    }
  }
  return text
    .split(/\r?\n/)
    .filter((l) => l.trim())
    .map((line) => {
      try {
        return { text: line, value: JSON.parse(line) };
      } catch {
        return { text: line, value: null };
      }
    });
}

/**
 * "Alert or not" from `expected.json` verdicts: only `alert` is an alert.
 * @param {readonly string[]} verdicts
 * @returns {Expect[]}
 */
export const expectFromVerdicts = (verdicts) => verdicts.map((v) => (v === 'alert' ? 'alert' : 'no_alert'));

/**
 * A library exercise (or a plain example, asked as "predict") as a workshop item. A fix starts from
 * the folder's rule and exceptions; the expected verdicts are those of its reference solution.
 * @param {Example} ex
 * @returns {WorkshopItem}
 */
export function itemFromExample(ex) {
  const parsed = ex.exercise ? parseExercise(ex.exercise) : null;
  const now = ex.expected && ex.expected.now ? Date.parse(ex.expected.now) : NaN;
  return {
    title: (parsed && parsed.title) || ex.title || ex.name,
    kind: parsed ? parsed.kind : 'predict',
    task: parsed ? parsed.task : 'For each event: does the rule alert?',
    hints: parsed ? parsed.hints : [],
    why: parsed ? parsed.why : '',
    mode: 'toml',
    rule: ex.rule || '',
    events: ex.events || '',
    exceptions: ex.exceptions || '',
    now: Number.isFinite(now) ? new Date(now).toISOString() : null,
    example: ex.name,
    expect: expectFromVerdicts((ex.expected && ex.expected.verdicts) || []),
  };
}

/**
 * The library's exercises as one workshop, in gallery order.
 * @param {Example[]} examples
 * @returns {Workshop}
 */
export function libraryWorkshop(examples) {
  return { title: 'Exercises from the example library', items: examples.filter((e) => e.exercise && parseExercise(e.exercise)).map(itemFromExample) };
}

/**
 * The page state that runs an item.
 * @param {WorkshopItem} item
 * @returns {import('../share/codec.js').State}
 */
export function itemState(item) {
  return {
    mode: item.mode, rule: item.rule, events: item.events, exceptions: item.exceptions, lists: [], mappings: '',
    now: item.now, example: item.example, selected: null, filter: 'all', view: { details: null },
    exercise: null, workshop: null,
  };
}

/**
 * The events a learner is asked about (those whose expectation is not "any").
 * @param {WorkshopItem} item @param {number} count the number of events
 */
export function askedEvents(item, count) {
  const out = [];
  for (let i = 0; i < count; i++) if ((item.expect[i] || 'any') !== 'any') out.push(i);
  return out;
}

/**
 * @param {WorkshopItem} item
 * @param {Record<number, Expect>} answers  the learner's "alert" / "no_alert" per event index
 * @param {number} count
 */
export function score(item, answers, count) {
  const asked = askedEvents(item, count);
  return { right: asked.filter((i) => answers[i] === item.expect[i]).length, total: asked.length };
}

/**
 * Where the page's live verdicts still differ from what the exercise expects.
 * @param {WorkshopItem} item
 * @param {readonly string[]} statuses  the page's verdict per event (`alert`, `match`, …)
 * @returns {{ index: number, want: Expect }[]}
 */
export function disagreements(item, statuses) {
  const out = [];
  for (const i of askedEvents(item, statuses.length)) {
    const alerts = statuses[i] === 'alert';
    if (alerts !== (item.expect[i] === 'alert')) out.push({ index: i, want: item.expect[i] });
  }
  // An events text with fewer events than expected cannot hold: those are missing.
  for (let i = statuses.length; i < item.expect.length; i++) {
    if (item.expect[i] !== 'any') out.push({ index: i, want: item.expect[i] });
  }
  return out;
}

/**
 * A stable id for a workshop's content (FNV-1a over its JSON): progress is kept per workshop, and a
 * changed workshop starts afresh.
 * @param {Workshop} w
 */
export function workshopId(w) {
  const s = JSON.stringify(w);
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}

/**
 * A learner's progress in one workshop: per item, the answers given, whether the verdicts were
 * revealed, and whether a fix was solved.
 * @typedef {{ answers: Record<number, Expect>, revealed: boolean, solved: boolean }} ItemProgress
 * @typedef {{ current: number, items: Record<number, ItemProgress> }} Progress
 */

const KEY = 'ruleplay.workshop.';

/** @returns {Storage | null} */
function storage() {
  try {
    return globalThis.localStorage || null;
  } catch {
    return null;
  }
}

/** @returns {Progress} */
export const emptyProgress = () => ({ current: 0, items: {} });

/**
 * @param {string} id
 * @returns {Progress}
 */
export function loadProgress(id) {
  try {
    const raw = storage()?.getItem(KEY + id);
    const p = raw ? JSON.parse(raw) : null;
    if (p && typeof p === 'object' && typeof p.current === 'number' && p.items && typeof p.items === 'object') return p;
  } catch {
    // Unreadable or refused: start afresh.
  }
  return emptyProgress();
}

/**
 * Keeps the progress; false when the browser refuses (private window, full quota): the workshop
 * keeps working for this visit.
 * @param {string} id @param {Progress} p
 */
export function saveProgress(id, p) {
  try {
    const s = storage();
    if (!s) return false;
    s.setItem(KEY + id, JSON.stringify(p));
    return true;
  } catch {
    return false;
  }
}

/** @param {Progress} p @param {number} i @returns {ItemProgress} */
export function itemProgress(p, i) {
  if (!p.items[i]) p.items[i] = { answers: {}, revealed: false, solved: false };
  return p.items[i];
}
