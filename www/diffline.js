// The diff line above the results: what the last edit of the query, an exclusion or an exception
// changed ("−3 alerts, +1 alert"), with the events listed as buttons that select them, and the
// changed rows marked in the list until the next edit. What changed is computed by the core
// (verdict_diff); this file only keeps the previous verdicts and draws.

/** @typedef {import('../pkg/ruleplay.js').VerdictDiff} VerdictDiff */

const WORDS = { alert: 'alert', match: 'match', suppressed: 'suppressed', no_match: 'no match' };
/** Events listed per group before "and N more". */
const LISTED = 12;

export class DiffLine {
  /**
   * @param {HTMLElement} el the line (role status)
   * @param {object} hooks
   * @param {(q: any) => Promise<any>} hooks.ask the engine's question (client.ask)
   * @param {(index: number) => void} hooks.select selects an event in the list
   * @param {(changed: Map<number, string>) => void} hooks.mark marks the changed rows
   */
  constructor(el, { ask, select, mark }) {
    this.el = el;
    this.ask = ask;
    this.select = select;
    this.mark = mark;
    /** @type {Uint8Array | null} */
    this.prev = null;
    this.seq = 0;
    el.setAttribute('role', 'status');
    el.setAttribute('aria-live', 'polite');
  }

  /**
   * A new evaluation. Only an edit of the rule or of the exceptions is diffed; new events (or a
   * new "now") start over.
   * @param {{status: Uint8Array}} ev
   * @param {{rule?: unknown, exceptions?: unknown, events?: unknown, editEvent?: unknown, ruleFile?: unknown, now?: unknown}} sent
   */
  async update(ev, sent) {
    const before = this.prev;
    const after = ev.status.slice();
    this.prev = after;
    const seq = ++this.seq;
    const edit = (sent.rule != null || sent.exceptions != null) && sent.events == null && sent.editEvent == null && !('now' in sent) && sent.ruleFile == null;
    if (!before || !edit || before.length !== after.length) {
      this.clear();
      return;
    }
    /** @type {VerdictDiff | null} */
    const diff = await this.ask({ what: 'diff', before, after });
    if (seq !== this.seq || !diff) return;
    this.show(diff);
  }

  clear() {
    this.el.hidden = true;
    this.el.replaceChildren();
    this.mark(new Map());
  }

  /** @param {VerdictDiff} diff */
  show(diff) {
    this.el.hidden = false;
    this.el.replaceChildren();
    const head = document.createElement('strong');
    head.textContent = diff.short || 'No verdict changed';
    this.el.append(head);
    if (diff.short) this.el.append(' at the last edit');
    const other = diff.changed.filter((c) => !diff.removed.includes(c.index) && !diff.added.includes(c.index));
    this.group('removed', diff.removed);
    this.group('added', diff.added);
    this.group('changed', other.map((c) => c.index), (i) => {
      const c = other.find((x) => x.index === i);
      return c ? ` (${WORDS[c.from]} → ${WORDS[c.to]})` : '';
    });
    this.mark(new Map(diff.changed.map((c) => [c.index, WORDS[c.from] || c.from])));
  }

  /**
   * @param {string} label
   * @param {number[]} indices
   * @param {(i: number) => string} [note]
   */
  group(label, indices, note) {
    if (!indices.length) return;
    this.el.append(` · ${label}: `);
    for (const i of indices.slice(0, LISTED)) {
      const b = document.createElement('button');
      b.type = 'button';
      b.className = 'linkish diff-event';
      b.textContent = `#${i}${note ? note(i) : ''}`;
      b.title = `Select event #${i}`;
      b.addEventListener('click', () => this.select(i));
      this.el.append(b, ' ');
    }
    if (indices.length > LISTED) this.el.append(`and ${indices.length - LISTED} more`);
  }
}
