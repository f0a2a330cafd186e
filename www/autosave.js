// Autosave: the page's state in localStorage, one record per browser tab, so that a reload (or a tab
// opened after the last one closed) finds the work again and two tabs never overwrite each other.
//
// - Each tab has an id in sessionStorage (kept across reloads of that tab, fresh in a new tab) and
//   writes only `ruleplay.session.<id>`. A reload restores its own record; a new tab the newest one.
// - A duplicated tab starts with a copy of its parent's sessionStorage, hence the same id. Browsers fire
//   `storage` only in *other* tabs, so an event for our own key means another tab holds our id: this
//   tab then takes a new id and says so, and from then on the two save apart.
// - Records hold the state as a state file (`stateToFile`: validated, the link format's JSON) and are
//   read back through `stateFromFile`, so a damaged or tampered record is refused like a bad link.
// - Storage that is missing or refuses writes (private modes, blocked cookies, a full quota) is
//   reported once per page load; the page keeps working, it just does not save.

import { stateFromFile, stateToFile } from './share/codec.js';

const PREFIX = 'ruleplay.session.';
const TAB = 'ruleplay.tab';
/** Records of other tabs kept besides this tab's; older ones are dropped. */
const KEEP_OTHERS = 4;

/** @typedef {import('./share/codec.js').State} State */
/**
 * @typedef {object} Saved
 * @property {string} tab        the tab that wrote it
 * @property {number} savedAt    ms since the epoch
 * @property {boolean} dirty     edited since it was opened from an example or a link
 * @property {string | null} bigFile  the name of an events file too big to keep (its events are not saved)
 * @property {string} label      what the work started from, in words
 * @property {State} state
 * @property {{ state: State, label: string } | null} previous  the work an open replaced
 */
/** @typedef {'unavailable' | 'full' | 'duplicate'} Problem */

function newId() {
  return typeof crypto !== 'undefined' && typeof crypto.randomUUID === 'function'
    ? crypto.randomUUID()
    : `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
}

/** @param {unknown} e */
function isQuota(e) {
  return e instanceof DOMException && (e.name === 'QuotaExceededError' || e.name === 'NS_ERROR_DOM_QUOTA_REACHED' || e.code === 22);
}

export class SessionStore {
  /** @param {(problem: Problem, message: string) => void} report */
  constructor(report) {
    this.report = report;
    /** @type {Set<Problem>} */
    this.reported = new Set();
    /** @type {Storage | null} */
    this.ls = null;
    try {
      const ls = window.localStorage;
      // Some private modes hand out a storage object that throws on the first write.
      ls.setItem(`${PREFIX}probe`, '1');
      ls.removeItem(`${PREFIX}probe`);
      this.ls = ls;
    } catch (e) {
      this.fail(isQuota(e) ? 'full' : 'unavailable');
    }
    this.tab = this.tabId();
    /** Called with no argument after this tab took a new id (it should save again). */
    this.onFork = () => {};
    window.addEventListener('storage', (e) => {
      if (e.key !== this.key || e.newValue == null) return;
      this.tab = newId();
      try {
        sessionStorage.setItem(TAB, this.tab);
      } catch {
        // Without sessionStorage the id lives as long as the page; still apart from the other tab.
      }
      this.fail('duplicate');
      this.onFork();
    });
  }

  get available() {
    return this.ls !== null;
  }

  get key() {
    return PREFIX + this.tab;
  }

  tabId() {
    try {
      let id = sessionStorage.getItem(TAB);
      if (!id) {
        id = newId();
        sessionStorage.setItem(TAB, id);
      }
      return id;
    } catch {
      return newId();
    }
  }

  /** @param {Problem} problem */
  fail(problem) {
    if (this.reported.has(problem)) return;
    this.reported.add(problem);
    const message = {
      unavailable: 'Autosave is off: this browser does not let the page store data (a private window, or site data blocked). Your work stays in this tab only; use Share to keep a copy.',
      full: "Autosave stopped: the browser's storage for this page is full. Your work stays in this tab; use Share → Download state file to keep a copy.",
      duplicate: 'This tab was duplicated: it now saves its work apart from the other tab.',
    }[problem];
    this.report(problem, message);
  }

  /** @returns {{ mine: Saved | null, latest: Saved | null }} */
  read() {
    if (!this.ls) return { mine: null, latest: null };
    /** @type {Saved | null} */
    let mine = null;
    /** @type {Saved | null} */
    let latest = null;
    for (const key of this.keys()) {
      const rec = this.parse(key);
      if (!rec) continue;
      if (key === this.key) mine = rec;
      if (!latest || rec.savedAt > latest.savedAt) latest = rec;
    }
    return { mine, latest };
  }

  keys() {
    const out = [];
    try {
      const ls = /** @type {Storage} */ (this.ls);
      for (let i = 0; i < ls.length; i++) {
        const k = ls.key(i);
        if (k && k.startsWith(PREFIX) && k !== `${PREFIX}probe`) out.push(k);
      }
    } catch {
      // A storage that fails to list is as good as empty.
    }
    return out;
  }

  /**
   * A stored record, checked like a state file; null when absent or invalid.
   * @param {string} key
   * @returns {Saved | null}
   */
  parse(key) {
    try {
      const raw = /** @type {Storage} */ (this.ls).getItem(key);
      if (!raw) return null;
      const rec = JSON.parse(raw);
      if (!rec || typeof rec !== 'object' || rec.v !== 1 || typeof rec.savedAt !== 'number') return null;
      const state = stateFromFile(JSON.stringify(rec.state)).state;
      let previous = null;
      if (rec.previous && typeof rec.previous === 'object') {
        previous = { state: stateFromFile(JSON.stringify(rec.previous.state)).state, label: String(rec.previous.label || 'your previous work') };
      }
      return {
        tab: key.slice(PREFIX.length),
        savedAt: rec.savedAt,
        dirty: rec.dirty === true,
        bigFile: typeof rec.bigFile === 'string' ? rec.bigFile : null,
        label: typeof rec.label === 'string' ? rec.label : 'your last session',
        state,
        previous,
      };
    } catch {
      return null;
    }
  }

  /**
   * Saves this tab's record. Throws a ShareError (from the codec) only for a state it cannot encode.
   * @param {Omit<Saved, 'tab' | 'savedAt'>} saved
   * @returns {boolean} whether it was stored
   */
  write({ state, dirty, bigFile, label, previous }) {
    if (!this.ls) return false;
    const rec = {
      v: 1,
      savedAt: Date.now(),
      dirty,
      bigFile,
      label,
      state: JSON.parse(stateToFile(state)),
      previous: previous ? { label: previous.label, state: JSON.parse(stateToFile(previous.state)) } : null,
    };
    const text = JSON.stringify(rec);
    for (;;) {
      try {
        this.ls.setItem(this.key, text);
        this.prune(KEEP_OTHERS);
        return true;
      } catch (e) {
        if (!isQuota(e)) {
          this.fail('unavailable');
          return false;
        }
        // Make room by dropping other tabs' records, oldest first; give up when none is left.
        const others = this.keys().filter((k) => k !== this.key).length;
        if (!others || !this.prune(others - 1)) {
          this.fail('full');
          return false;
        }
      }
    }
  }

  /**
   * Keeps at most `keep` records of other tabs (the newest). Returns whether it removed any.
   * @param {number} keep
   */
  prune(keep) {
    const keys = this.keys().filter((k) => k !== this.key);
    if (keys.length <= Math.max(0, keep)) return false;
    const others = [];
    for (const key of keys) {
      const raw = /** @type {Storage} */ (this.ls).getItem(key) || '';
      // `savedAt` is the record's second key: the match ends near the start of a long record.
      const at = Number((/"savedAt":(\d+)/.exec(raw) || [])[1] || 0);
      others.push({ key, at });
    }
    others.sort((a, b) => b.at - a.at);
    for (const o of others.slice(Math.max(0, keep))) /** @type {Storage} */ (this.ls).removeItem(o.key);
    return true;
  }
}
