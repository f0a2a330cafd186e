// The presentation view, for teaching in front of a room: large type, the rule's query and one event
// at a time with its verdict and explanation; Previous / Next (or ←/→) step through the events of
// whatever the page holds. It is a modal dialog, so Escape and the focus trap come from the browser.
import { textEl } from '../text.js';
import { button, codeBlock, prettyEvent } from './dom.js';
import { splitEvents } from './model.js';

/** @param {import('./view.js').WorkshopHooks} page */
export function initPresentation(page) {
  const dlg = document.createElement('dialog');
  dlg.id = 'presentation';
  dlg.className = 'presentation';
  dlg.setAttribute('aria-labelledby', 'pr-title');
  document.body.append(dlg);
  let at = 0;
  let count = 0;
  /** @type {{ text: string, value: unknown }[]} */
  let events = [];

  const bar = textEl('div', 'pr-bar');
  const title = textEl('h2', 'pr-title', 'Presentation');
  title.id = 'pr-title';
  const pos = textEl('span', 'pr-pos');
  pos.id = 'pr-pos';
  pos.setAttribute('aria-live', 'polite');
  const prev = button('← Previous', () => show(at - 1), { id: 'pr-prev', keys: 'ArrowLeft' });
  const next = button('Next →', () => show(at + 1), { id: 'pr-next', keys: 'ArrowRight' });
  bar.append(title, pos, prev, next, button('Close', () => dlg.close(), { id: 'pr-close', keys: 'Escape' }));
  let query = codeBlock('pr-code pr-query', '');
  query.setAttribute('aria-label', 'The rule’s query');
  const body = textEl('div', 'pr-body');
  let event = codeBlock('pr-code pr-event', '');
  const explain = textEl('div', 'pr-explain');
  body.append(event, explain);
  dlg.append(bar, query, body);

  /** @param {number} i */
  async function show(i) {
    if (!count) {
      pos.textContent = 'No events';
      event.replaceChildren();
      explain.replaceChildren();
      return;
    }
    at = Math.max(0, Math.min(count - 1, i));
    pos.textContent = `Event ${at + 1} of ${count}`;
    const had = document.activeElement;
    prev.disabled = at === 0;
    next.disabled = at === count - 1;
    if ((had === prev || had === next) && /** @type {HTMLButtonElement} */ (had).disabled) (had === prev ? next : prev).focus();
    const e = events[at];
    const fresh = codeBlock('pr-code pr-event', e ? prettyEvent(e) : '(a big events file: see the explanation)');
    fresh.setAttribute('aria-label', `Event ${at + 1}`);
    event.replaceWith(fresh);
    event = fresh;
    await page.explain(explain, at);
  }

  // On the document: a step can disable the focused button, which leaves the focus on <body>.
  document.addEventListener('keydown', (e) => {
    if (!dlg.open || e.ctrlKey || e.metaKey || e.altKey) return;
    // Chromium ignores a dialog's Escape when nothing was clicked since it opened.
    if (e.key === 'Escape') {
      e.preventDefault();
      dlg.close();
      return;
    }
    if (e.key === 'ArrowLeft' || e.key === 'ArrowRight') {
      e.preventDefault();
      show(at + (e.key === 'ArrowRight' ? 1 : -1));
    }
  });

  return {
    /** Presents what the page holds now, from its first event. */
    open() {
      const state = page.read();
      const live = page.verdicts();
      events = splitEvents(state.events);
      count = live ? live.status.length : events.length;
      const q = codeBlock('pr-code pr-query', page.query());
      q.setAttribute('aria-label', 'The rule’s query');
      query.replaceWith(q);
      query = q;
      dlg.showModal();
      next.focus();
      show(0);
    },
  };
}
