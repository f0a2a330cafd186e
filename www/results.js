// The event list: a listbox that renders only the rows in view, so 100,000 events cost as much as 30.
// Row text (a summary and the near-miss reason) is fetched from the worker for visible rows only; it is
// event text, so control characters in it are shown as escapes (text.js) and the cells are isolated.
import { setText, visibleText } from './text.js';

export const STATUS = ['alert', 'match', 'suppressed', 'no_match'];
const ROW_H = 30;
const OVERSCAN = 8;
// A non-matching event is a near miss when a single clause stood in the way.
export const NEAR_MAX = 1;

export function statusOf(data, i) {
  const s = data.status[i];
  if (s === 3 && data.misses[i] >= 1 && data.misses[i] <= NEAR_MAX) return 'near';
  return STATUS[s] || 'no_match';
}

export const BADGE = {
  alert: { text: 'alert', icon: '●' },
  match: { text: 'match', icon: '◆' },
  suppressed: { text: 'suppressed', icon: '⊘' },
  near: { text: 'near miss', icon: '◐' },
  no_match: { text: 'no match', icon: '○' },
};

export class ResultList {
  constructor(el, { onSelect, fetchRows }) {
    this.el = el;
    this.onSelect = onSelect;
    this.fetchRows = fetchRows;
    this.data = null;
    this.view = null; // indices shown, after filters
    this.filter = 'all';
    // The events the KQL filter box matches (sorted), or null for all.
    this.only = null;
    this.message = '';
    this.selected = -1;
    this.cache = new Map();
    /** Events whose verdict changed at the last edit → what it was (www/diffline.js). */
    this.changed = new Map();
    this.pending = new Set();
    this.spacer = document.createElement('div');
    this.spacer.className = 'spacer';
    this.el.append(this.spacer);
    this.empty = document.createElement('p');
    this.empty.className = 'list-empty muted';
    this.el.append(this.empty);
    this.rows = new Map();
    this.el.addEventListener('scroll', () => this.render(), { passive: true });
    this.el.addEventListener('keydown', (e) => this.onKey(e));
    this.el.addEventListener('click', (e) => {
      const row = e.target.closest('[data-index]');
      if (row) this.select(Number(row.dataset.index), true);
    });
    new ResizeObserver(() => this.render()).observe(this.el);
  }

  /**
   * Marks the events whose verdict changed at the last edit (index → the verdict before).
   * @param {Map<number, string>} changed
   */
  setChanged(changed) {
    this.changed = changed;
    this.render();
  }

  setData(data) {
    if (!this.data || data.generation !== this.data.generation) {
      this.cache.clear();
      this.pending.clear();
    }
    this.data = data;
    this.message = '';
    this.applyFilter();
  }

  clear(message) {
    this.data = null;
    this.view = null;
    // Kept for later renders (a resize or scroll redraws the list without a message).
    this.message = message;
    this.render(message);
  }

  /** Near-miss counts for the current results, arriving after the verdicts. */
  setMisses(misses) {
    this.data.misses = misses;
    this.data.missesPending = false;
    // Row reasons were fetched without them.
    this.cache.clear();
    this.applyFilter();
  }

  setFilter(filter) {
    this.filter = filter;
    this.applyFilter();
    // Keep the selected event in sight, or start the new view at its top.
    const pos = this.selected >= 0 ? this.posOf(this.selected) : -1;
    this.el.scrollTop = pos >= 0 ? Math.max(0, pos * ROW_H - this.el.clientHeight / 2) : 0;
    this.render();
  }

  /** @param {Uint32Array | null} indices the events the filter box matches, or null for all */
  setOnly(indices) {
    this.only = indices;
    this.applyFilter();
    this.el.scrollTop = 0;
    this.render();
  }

  /** Whether any filter hides events. */
  get filtered() {
    return Boolean(this.view);
  }

  applyFilter() {
    const d = this.data;
    if (!d) return this.render();
    const n = d.status.length;
    if (this.filter === 'all' && !this.only) {
      this.view = null;
    } else {
      const keep = this.filter === 'all' ? () => true : this.filter === 'alerts' ? (i) => d.status[i] === 0 : (i) => statusOf(d, i) === 'near';
      const out = [];
      if (this.only) {
        for (const i of this.only) if (i < n && keep(i)) out.push(i);
      } else {
        for (let i = 0; i < n; i++) if (keep(i)) out.push(i);
      }
      this.view = Int32Array.from(out);
    }
    this.render();
    // The explanation never shows an event the filters hide.
    if (this.selected >= 0 && this.posOf(this.selected) < 0) this.select(this.selected);
  }

  get length() {
    if (!this.data) return 0;
    return this.view ? this.view.length : this.data.status.length;
  }

  at(pos) {
    return this.view ? this.view[pos] : pos;
  }

  posOf(index) {
    if (!this.view) return index < this.length ? index : -1;
    // The view is sorted: binary search.
    let lo = 0;
    let hi = this.view.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.view[mid] === index) return mid;
      if (this.view[mid] < index) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  render(message) {
    const n = this.length;
    this.spacer.style.height = `${n * ROW_H}px`;
    this.empty.hidden = n > 0;
    if (!n) {
      this.empty.textContent = message || this.message || (this.data ? (this.filter === 'all' ? 'No events.' : 'No events pass this filter.') : 'No results yet.');
    }
    const top = this.el.scrollTop;
    const height = this.el.clientHeight || 400;
    const first = Math.max(0, Math.floor(top / ROW_H) - OVERSCAN);
    const last = Math.min(n, Math.ceil((top + height) / ROW_H) + OVERSCAN);
    const want = new Set();
    const missing = [];
    for (let pos = first; pos < last; pos++) {
      const index = this.at(pos);
      want.add(index);
      let row = this.rows.get(index);
      if (!row) {
        row = this.makeRow();
        this.rows.set(index, row);
        this.el.append(row.el);
      }
      this.fill(row, index, pos);
      if (!this.cache.has(index) && !this.pending.has(index)) missing.push(index);
    }
    for (const [index, row] of this.rows) {
      if (!want.has(index)) {
        row.el.remove();
        this.rows.delete(index);
      }
    }
    if (this.selected >= 0 && want.has(this.selected)) this.el.setAttribute('aria-activedescendant', `row-${this.selected}`);
    else this.el.removeAttribute('aria-activedescendant');
    if (missing.length) this.requestRows(missing);
  }

  makeRow() {
    const el = document.createElement('div');
    el.className = 'row';
    el.setAttribute('role', 'option');
    const badge = document.createElement('span');
    badge.className = 'badge';
    const num = document.createElement('span');
    num.className = 'num';
    const summary = document.createElement('span');
    summary.className = 'summary';
    const why = document.createElement('span');
    why.className = 'why';
    const changed = document.createElement('span');
    changed.className = 'changed';
    el.append(badge, changed, num, summary, why);
    return { el, badge, num, summary, why, changed };
  }

  fill(row, index, pos) {
    const d = this.data;
    const st = statusOf(d, index);
    row.el.id = `row-${index}`;
    row.el.dataset.index = index;
    row.el.dataset.status = st;
    row.el.style.transform = `translateY(${pos * ROW_H}px)`;
    row.el.setAttribute('aria-selected', String(index === this.selected));
    row.el.setAttribute('aria-setsize', String(this.length));
    row.el.setAttribute('aria-posinset', String(pos + 1));
    row.badge.textContent = `${BADGE[st].icon} ${BADGE[st].text}`;
    row.badge.className = `badge b-${st}`;
    row.num.textContent = `#${index}`;
    // Marked by a sign and words, not by colour alone.
    const was = this.changed.get(index);
    row.changed.textContent = was ? 'Δ' : '';
    if (was) {
      const words = document.createElement('span');
      words.className = 'visually-hidden';
      words.textContent = ` changed, was ${was}`;
      row.changed.append(words);
    }
    row.el.classList.toggle('is-changed', Boolean(was));
    const info = this.cache.get(index);
    // Events of an Elasticsearch response: the number names the hit too.
    row.num.title = info && info.hit ? info.hit : '';
    const summary = info ? info.summary : '';
    const why = d.reasons[index] || (info && info.why) || '';
    setText(row.summary, summary);
    setText(row.why, why);
    row.el.title = visibleText([summary, why].filter(Boolean).join('\n'));
  }

  requestRows(indices) {
    for (const i of indices) this.pending.add(i);
    const gen = this.data.generation;
    this.fetchRows(indices).then((res) => {
      if (!this.data || res.generation !== gen || this.data.generation !== gen) {
        // Stale: newer results are on their way (or here) and will render and ask again.
        for (const i of indices) this.pending.delete(i);
        return;
      }
      for (const r of res.rows) {
        this.cache.set(r.index, r);
        this.pending.delete(r.index);
        const row = this.rows.get(r.index);
        if (row) this.fill(row, r.index, this.posOf(r.index));
      }
    });
  }

  /** Selects event `index`, or when the filters hide it the first event shown (none: -1). */
  select(index, focus = false) {
    if (!this.data || index < 0 || index >= this.data.status.length) return;
    if (this.posOf(index) < 0) {
      if (!this.length) {
        this.selected = -1;
        this.render();
        this.onSelect(-1);
        return;
      }
      index = this.at(0);
    }
    this.selected = index;
    const pos = this.posOf(index);
    if (pos >= 0) {
      const top = pos * ROW_H;
      if (top < this.el.scrollTop) this.el.scrollTop = top;
      else if (top + ROW_H > this.el.scrollTop + this.el.clientHeight) this.el.scrollTop = top + ROW_H - this.el.clientHeight;
    }
    this.render();
    if (focus) this.el.focus({ preventScroll: true });
    this.onSelect(index);
  }

  move(delta) {
    const n = this.length;
    if (!n) return;
    let pos = this.selected >= 0 ? this.posOf(this.selected) : -1;
    if (pos < 0) {
      // The selected event is filtered out: start from the nearest shown one.
      pos = delta > 0 ? -1 : n;
      if (this.selected >= 0 && this.view) {
        for (let p = 0; p < n; p++) if (this.view[p] > this.selected) { pos = delta > 0 ? p - 1 : p; break; }
      }
    }
    const next = Math.max(0, Math.min(n - 1, pos + delta));
    this.select(this.at(next));
  }

  onKey(e) {
    if (e.altKey || e.ctrlKey || e.metaKey) return;
    const page = Math.max(1, Math.floor(this.el.clientHeight / ROW_H) - 1);
    const keys = { ArrowDown: 1, j: 1, ArrowUp: -1, k: -1, PageDown: page, PageUp: -page };
    if (e.key in keys) this.move(keys[e.key]);
    else if (e.key === 'Home') this.select(this.at(0));
    else if (e.key === 'End') this.select(this.at(this.length - 1));
    else return;
    e.preventDefault();
  }
}
