// Share links, state files and autosave on the page: what opens at start (a link, this tab's saved
// work, the example the URL names, the last session), what an open replaces (kept one click away),
// and the messages about it. main.js supplies the page through a few hooks and calls `changed()`
// whenever the state may have changed; everything else about sharing lives here, in dialog.js
// (the Share dialog) and in ../autosave.js (localStorage).
//
// - A link or state file is decoded completely before anything on the page changes: a bad one only
//   shows a message (codec.js says what is wrong, never quoting the content) and the work stays.
// - Every open that replaces edited work keeps that work as "previous", in memory and in the tab's
//   saved record, with a notice button to go back (which keeps the replacing state in turn).
// - After a link is applied its fragment is removed from the address bar: a reload then restores the
//   tab's saved work (with its later edits) instead of opening the link again.
import { decodeLink, LIMITS, ShareError, stateFromFile } from './codec.js';
import { SessionStore } from '../autosave.js';
import { Notices } from '../notices.js';
import { visibleText } from '../text.js';

/** @typedef {import('./codec.js').State} State */
/** @typedef {import('../autosave.js').Saved} Saved */
/**
 * An example from dist/examples.json.
 * @typedef {{ name: string, title?: string, rule?: string, events?: string, exceptions?: string | null, expected?: { now?: string } | null }} Example
 */
/**
 * What main.js gives this module.
 * @typedef {object} PageHooks
 * @property {() => State} read       the page's state; `events` is "" while a big file is open
 * @property {() => File | null} bigFile  the big events file kept out of the editor, if any
 * @property {(state: State) => void} apply  loads texts, mode and "now" into the editors and the engine
 * @property {(index: number) => void} select  selects an event (ignored when out of range)
 * @property {() => boolean} busy     the engine has work in flight
 * @property {() => Example[]} examples the gallery's list (cards only, but for the opening example, until all are in)
 * @property {(ex: Example) => Promise<Example>} wholeExample the example with its files
 * @property {(w: import('./codec.js').Workshop) => void} workshop  opens a workshop a link or file carries
 * @property {(msg: object) => Promise<any>} ask  a question to the engine's worker
 */

const SAVE_MS = 400;
const DEFAULT_EXAMPLE = 'exim4';

/** @param {string} id */
const $ = (id) => /** @type {HTMLElement} */ (document.getElementById(id));

/** @param {string} hash */
const isLink = (hash) => /^#v\d+\./.test(hash.replace(/^#[\t\n\f\r ]+/, '#'));

/** The parts of a state that count as the user's work (selection and layout do not). */
const CONTENT = /** @type {const} */ (['mode', 'rule', 'events', 'exceptions', 'now']);
/** (String comparison, not a joined key: events may be megabytes.) */
const sameContent = (/** @type {State} */ a, /** @type {State} */ b) => CONTENT.every((k) => a[k] === b[k]);

/** @param {Example} ex @returns {State} */
function exampleState(ex) {
  const now = ex.expected && ex.expected.now ? Date.parse(ex.expected.now) : NaN;
  return {
    mode: 'toml', rule: ex.rule || '', events: ex.events || '', exceptions: ex.exceptions || '', lists: [], mappings: '',
    now: Number.isFinite(now) ? new Date(now).toISOString() : null,
    example: ex.name, selected: null, filter: 'all', view: { details: null }, exercise: null, workshop: null,
  };
}

/** @param {number} ms */
const clock = (ms) => new Date(ms).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** @param {PageHooks} page */
export function initShare(page) {
  // A link the page was opened with is decoded while the engine loads.
  const startHash = location.hash;
  const early = isLink(startHash) ? decodeLink(startHash) : null;
  // (Its failure is reported by start(); this only keeps it from counting as unhandled meanwhile.)
  if (early) early.catch(() => {});
  const notices = new Notices($('notices'));
  const store = new SessionStore((problem, message) => notices.show(`storage-${problem}`, { text: message, kind: problem === 'duplicate' ? 'info' : 'error' }));
  store.onFork = () => save();

  /** Content of the state as last opened: the work is "edited" when it differs. */
  /** @type {State | null} */
  let baseline = null;
  /** The opened state was already edited work (a restored session). */
  let baseDirty = false;
  /** What the work started from, in words ("the Exim4 example", "a shared link"). */
  let label = 'the example';
  /** @type {{ state: State, label: string } | null} */
  let previous = null;
  let saveTimer = 0;
  /** Opens in progress suspend saving, so a half-applied state is never written. */
  let applying = 0;
  /** Before the first open the editors hold placeholders, which are nobody's work. */
  let started = false;

  const dirty = (cur = page.read()) => baseDirty || !baseline || !sameContent(cur, baseline);

  function save() {
    clearTimeout(saveTimer);
    // Before the first open (a reload during start-up) the page holds no one's work: keep the record.
    if (applying || !started) return;
    const big = page.bigFile();
    try {
      const cur = page.read();
      store.write({ state: cur, dirty: dirty(cur), bigFile: big ? big.name : null, label, previous });
    } catch (e) {
      // Only a state the codec refuses lands here (e.g. over 32 MiB): say so once, keep working.
      if (!notices.has('storage-encode')) notices.show('storage-encode', { kind: 'error', text: `Autosave skipped this state: ${e instanceof ShareError ? e.message : 'it could not be saved.'}` });
    }
  }

  function changed() {
    if (applying || !started) return;
    clearTimeout(saveTimer);
    saveTimer = setTimeout(save, SAVE_MS);
  }

  // The filter buttons and the details toggle change what a link restores (main.js has no hook there).
  for (const id of ['filter-alerts', 'filter-near', 'meta-toggle']) $(id).addEventListener('click', () => changed());

  // A reload or a closed tab must not lose the last keystrokes still waiting for the debounce.
  addEventListener('pagehide', save);
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'hidden') save();
  });

  function waitIdle(limitMs = 15_000) {
    const until = performance.now() + limitMs;
    return new Promise((resolve) => {
      const tick = () => (!page.busy() || performance.now() > until ? resolve(undefined) : setTimeout(tick, 16));
      // The engine reports busy only once the update is posted: look after this task.
      setTimeout(tick, 0);
    });
  }

  /**
   * Filter, selection and the details panel, once the engine has answered for the new state.
   * @param {State} s
   */
  async function restoreView(s) {
    await waitIdle();
    const cur = page.read();
    if (s.view.details !== null && s.view.details !== cur.view.details) $('meta-toggle').click();
    if (s.filter !== cur.filter) {
      const button = { alerts: 'filter-alerts', near: 'filter-near' };
      $(button[s.filter === 'all' ? /** @type {'alerts' | 'near'} */ (cur.filter) : s.filter]).click();
      // The near-miss filter may first ask the engine for the counts.
      const until = performance.now() + 5000;
      while (page.read().filter !== s.filter && performance.now() < until) await new Promise((r) => setTimeout(r, 16));
    }
    if (s.selected !== null) page.select(s.selected);
  }

  /**
   * Replaces the page's state. Edited work that differs from the new state is kept as `previous`.
   * @param {State} s
   * @param {string} what   the new state, in words
   * @param {{ keep?: boolean, baseDirty?: boolean }} [opts]
   * @returns {Promise<boolean>} whether earlier work was kept
   */
  async function load(s, what, { keep = true, baseDirty: wasDirty = false } = {}) {
    let kept = false;
    const cur = page.read();
    if (keep && started && dirty(cur) && !sameContent(cur, s)) {
      previous = { state: cur, label };
      kept = true;
    }
    applying++;
    try {
      page.apply(s);
      // Read back what the editors hold (CodeMirror normalises line breaks) as the new baseline.
      baseline = page.read();
      baseDirty = wasDirty;
      label = what;
      started = true;
    } finally {
      applying--;
    }
    // One save, once filter and selection are back (the record keeps the earlier work meanwhile).
    await restoreView(s);
    save();
    return kept;
  }

  /**
   * After an open: offers the earlier work back, and clears an older error unless told to keep it.
   * @param {string} text @param {boolean} kept
   */
  function opened(text, kept, keepError = false) {
    if (!keepError) notices.hide('link-error');
    if (kept && previous) {
      notices.show('opened', {
        text: `${text} Your earlier work is one click away.`,
        actions: [{ label: 'Back to your earlier work', id: 'notice-back', run: back }],
      });
    } else notices.hide('opened');
  }

  async function back() {
    if (!previous) return;
    const p = previous;
    previous = null;
    const kept = await load(p.state, p.label, { baseDirty: true });
    opened('Back to your earlier work.', kept);
  }

  /** @param {Example} ex */
  const exampleName = (ex) => `the example “${ex.title || ex.name}”`;

  /** @param {Example} ex */
  async function openExample(ex, keepError = false) {
    ex = await page.wholeExample(ex);
    const kept = await load(exampleState(ex), exampleName(ex));
    if (location.hash !== `#example=${encodeURIComponent(ex.name)}`) history.replaceState(null, '', `#example=${encodeURIComponent(ex.name)}`);
    opened(`Opened ${exampleName(ex)}.`, kept, keepError);
  }

  function clearHash() {
    history.replaceState(null, '', location.pathname + location.search);
  }

  /** @param {string[]} ignored @param {State} s */
  function mention(ignored, s) {
    const parts = [];
    // Key names come from the link: controls (a bidi override) are shown as escapes, not applied.
    if (ignored.length) parts.push(`parts this version of ruleplay does not know were ignored (${ignored.slice(0, 5).map(visibleText).join(', ')}${ignored.length > 5 ? ', …' : ''})`);
    if (parts.length) notices.show('ignored', { text: `Opened, but ${parts.join('; ')}.` });
  }

  /**
   * Opens a share link (whole URL or fragment). A bad link leaves the work as it is.
   * @param {string} link
   * @param {{ keep?: boolean, hadPrevious?: boolean, decoding?: Promise<import('./codec.js').Decoded> }} [opts]
   *   `decoding`: the link's decoding, when already started
   * @returns {Promise<boolean>} whether it opened
   */
  async function openLink(link, { keep = true, hadPrevious = false, decoding = decodeLink(link) } = {}) {
    const t0 = performance.now();
    let decoded;
    try {
      decoded = await decoding;
    } catch (e) {
      const msg = e instanceof ShareError ? e.message : 'The link could not be read.';
      notices.show('link-error', { kind: 'error', text: `This link could not be opened. ${msg} Your work is as it was.` });
      document.body.dataset.linkError = e instanceof ShareError ? e.kind : 'internal';
      return false;
    }
    // A workshop link opens the workshop; its exercises load their own states when started.
    if (decoded.state.workshop) {
      page.workshop(decoded.state.workshop);
      mention(decoded.ignored, decoded.state);
      return true;
    }
    const kept = (await load(decoded.state, 'a shared link', { keep })) || hadPrevious;
    document.body.dataset.linkOpenMs = String(Math.round(performance.now() - t0));
    opened('Opened a shared link.', kept);
    mention(decoded.ignored, decoded.state);
    return true;
  }

  /**
   * Opens a `.ruleplay.json` state file.
   * @param {File} file
   */
  async function openStateFile(file) {
    let decoded;
    try {
      if (file.size > LIMITS.maxState) throw new ShareError('too-large', 'The file is over the 32 MiB a state file can hold.');
      decoded = stateFromFile(new Uint8Array(await file.arrayBuffer()));
    } catch (e) {
      const msg = e instanceof ShareError ? e.message : 'The file could not be read.';
      notices.show('link-error', { kind: 'error', text: `${file.name} could not be opened. ${msg} Your work is as it was.` });
      return;
    }
    if (decoded.state.workshop) {
      page.workshop(decoded.state.workshop);
      mention(decoded.ignored, decoded.state);
      return;
    }
    const kept = await load(decoded.state, file.name);
    opened(`Opened ${file.name}.`, kept);
    mention(decoded.ignored, decoded.state);
  }

  /** @param {Saved} rec @param {boolean} own */
  async function restore(rec, own) {
    previous = rec.previous;
    await load(rec.state, rec.label, { keep: false, baseDirty: rec.dirty });
    if (!rec.dirty && !rec.bigFile) return;
    const ex = page.examples().find((x) => x.name === rec.state.example);
    const parts = [`Restored your work from your last session (saved ${clock(rec.savedAt)}${own ? '' : ', in another tab'}; it started from ${rec.label}).`];
    if (rec.bigFile) parts.push(`The events file ${rec.bigFile} was too big to keep: open it again.`);
    /** @type {import('../notices.js').NoticeAction[]} */
    const actions = [];
    if (ex) actions.push({ label: 'Start over from the example', id: 'notice-pristine', run: () => openExample(ex) });
    if (previous) actions.push({ label: 'Back to your earlier work', id: 'notice-back', run: back });
    notices.show('restored', { text: parts.join(' '), actions });
  }

  function defaultExample() {
    const all = page.examples();
    return all.find((x) => x.name === DEFAULT_EXAMPLE) || all[0] || null;
  }

  /**
   * Opens what the page starts with. Returns false when there is nothing to open (no examples, no
   * saved work): main.js then shows its built-in sample.
   */
  async function start() {
    const hash = startHash;
    const { mine, latest } = store.read();
    if (isLink(hash)) {
      clearHash();
      // Edited work saved in this tab, or the newest elsewhere, stays one click away.
      const saved = mine || latest;
      previous = saved && saved.dirty ? { state: saved.state, label: saved.label } : null;
      if (await openLink(hash, { keep: false, hadPrevious: Boolean(previous), decoding: /** @type {Promise<any>} */ (early) })) return true;
      // A bad link: its message is up; start as if there had been none.
      previous = null;
    }
    if (mine) {
      await restore(mine, true);
      return true;
    }
    const wanted = decodeURIComponent((/^#example=(.+)$/.exec(hash) || [])[1] || '');
    const named = page.examples().find((x) => x.name === wanted);
    if (named) {
      await openExample(named, true);
      if (latest && latest.dirty) {
        notices.show('restored', {
          text: `Your last session (saved ${clock(latest.savedAt)}) has edited work.`,
          actions: [{ label: 'Restore it', id: 'notice-restore', run: () => load(latest.state, latest.label, { baseDirty: true }).then((kept) => opened('Restored your last session.', kept)) }],
        });
      }
      return true;
    }
    if (latest) {
      await restore(latest, false);
      return true;
    }
    const ex = defaultExample();
    if (!ex) return false;
    await openExample(ex, true);
    return true;
  }

  addEventListener('hashchange', () => {
    const hash = location.hash;
    if (isLink(hash)) {
      clearHash();
      openLink(hash);
      return;
    }
    const wanted = decodeURIComponent((/^#example=(.+)$/.exec(hash) || [])[1] || '');
    const ex = page.examples().find((x) => x.name === wanted);
    if (ex) openExample(ex);
  });

  // The dialog (redaction, the zip writer) loads at the first Share click, not with the page.
  /** @type {Promise<{open: () => void}> | null} */
  let dialog = null;
  /** A big events file the last read left out (www/bigfile/open.js says why), in words. */
  /** @type {string | null} */
  let omitted = null;
  const openDialog = async () => {
    dialog ??= import('./dialog.js').then(({ initShareDialog }) =>
      initShareDialog({
        read: async () => {
          // The engine answers the redaction and the example folder: let it catch up with the page.
          await waitIdle();
          const s = page.read();
          const big = page.bigFile();
          omitted = null;
          if (!big) return s;
          const bigfile = await import('../bigfile/open.js');
          if (big.size > bigfile.STREAM_MIN) {
            omitted = bigfile.shareNote(big);
            return s;
          }
          return { ...s, events: await big.text() };
        },
        omitted: () => omitted,
        openFile: () => $('open-file').click(),
        ask: page.ask,
      }),
    );
    (await dialog).open();
  };
  $('share-btn').addEventListener('click', () => void openDialog());

  /**
   * Loads a state (a workshop's exercise), keeping edited work one click away.
   * @param {State} s @param {string} what the state, in words
   */
  async function openState(s, what) {
    const kept = await load(s, what);
    opened(`Opened ${what}.`, kept);
  }

  return { start, changed, openExample, openStateFile, openLink, openState };
}
