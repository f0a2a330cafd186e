// Coverage: for each clause of the query and each value of an exclusion list, how many of the
// current events it decided (the core's `coverage`, one trace per event, asked once the verdicts
// are on screen). Drawn as a count badge with an accessible label on each chip and each clause of
// the explanation, and as flag text for values that decide nothing and clauses that always hold.
import { textEl as el } from './text.js';

/** @typedef {import('../pkg/ruleplay.js').Coverage} Coverage */

/** After the verdicts are drawn, so a big batch never delays them. */
const DELAY_MS = 60;
/** Above this many events (the core's AUTO_NEAR_MISS_MAX) the pass waits for a pause in editing. */
const BIG_BATCH = 20_000;
const BIG_DELAY_MS = 1000;

/** @param {number} n @param {string} word */
const plural = (n, word) => `${n.toLocaleString('en-US')} ${word}${n === 1 ? '' : 's'}`;

export class CoverageView {
  /**
   * @param {object} opts
   * @param {(q: any) => Promise<any>} opts.ask the engine's question (client.ask)
   * @param {HTMLElement} opts.chips the chips' container
   * @param {HTMLElement} opts.explain the explanation panel
   */
  constructor({ ask, chips, explain }) {
    this.ask = ask;
    this.chips = chips;
    this.explain = explain;
    /** @type {Coverage | null} */
    this.data = null;
    this.timer = 0;
  }

  /** @param {{generation: number, status: Uint8Array}} ev a new evaluation */
  update(ev) {
    clearTimeout(this.timer);
    this.timer = window.setTimeout(async () => {
      const started = performance.now();
      /** @type {Coverage | null} */
      const c = await this.ask({ what: 'coverage', generation: ev.generation });
      // null: another evaluation came first; its own request follows.
      if (!c) return;
      document.body.dataset.coverageMs = String(Math.round(performance.now() - started));
      this.data = c;
      this.draw();
    }, ev.status.length > BIG_BATCH ? BIG_DELAY_MS : DELAY_MS);
  }

  draw() {
    this.drawChips();
    this.drawClauses();
  }

  drawChips() {
    const c = this.data;
    for (const g of this.chips.querySelectorAll('fieldset.excl-group')) {
      const group = /** @type {HTMLElement} */ (g);
      const field = group.dataset.field || '';
      const values = c ? c.values.filter((v) => v.field === field) : [];
      for (const li of group.querySelectorAll('.excl-chip')) {
        const chip = /** @type {HTMLElement} */ (li);
        const value = chip.firstElementChild ? chip.firstElementChild.textContent : '';
        const cov = values.find((v) => v.value === value);
        let badge = chip.querySelector('.cov');
        if (!cov) {
          if (badge) badge.remove();
          continue;
        }
        if (!badge) {
          badge = el('span', 'cov');
          badge.setAttribute('role', 'img');
          chip.insertBefore(badge, chip.lastElementChild);
        }
        badge.textContent = String(cov.decided);
        badge.setAttribute('aria-label', `excludes ${plural(cov.decided, 'event')} in this sample`);
        chip.classList.toggle('cov-none', Boolean(cov.flag));
        chip.title = cov.flag || `${value} excludes ${plural(cov.decided, 'event')} (${cov.matched} have it)`;
      }
      let note = group.querySelector('.cov-flags');
      const flagged = values.filter((v) => v.flag).map((v) => v.value);
      if (!flagged.length) {
        if (note) note.remove();
        continue;
      }
      if (!note) {
        note = el('p', 'cov-flags muted small');
        group.append(note);
      }
      note.textContent = flagged.length === 1 ? `${flagged[0]} excludes no event in this sample` : `Exclude no event in this sample (${flagged.length}): ${flagged.join(', ')}`;
    }
  }

  drawClauses() {
    const c = this.data;
    if (!c) return;
    const bySpan = new Map(c.clauses.map((x) => [`${x.span.start}:${x.span.end}`, x]));
    for (const item of this.explain.querySelectorAll('li[data-span]')) {
      const li = /** @type {HTMLElement} */ (item);
      const cov = bySpan.get(li.dataset.span || '');
      const line = li.querySelector(':scope > .clause-line');
      if (!line) continue;
      for (const old of line.querySelectorAll(':scope > .cov, :scope > .cov-flag')) old.remove();
      if (!cov) continue;
      const badge = el('span', 'cov', `decided ${cov.decided}`);
      badge.title = `Held for ${plural(cov.held, 'event')}, decided the query's verdict of ${cov.decided} of ${plural(c.events, 'event')}`;
      line.append(badge);
      if (cov.flag) line.append(el('span', 'cov-flag', '⚠ holds for every event'));
    }
  }
}
