// Wires this feature's parts into the page: "Exclude this" (exclude.js), the diff line
// (diffline.js), coverage (coverage.js), the rule export (export.js) and page-level Undo / Redo
// (history.js). main.js gives it the editors, the engine and a few actions, and calls back the
// hooks it returns at the right moments; everything else stays in those modules.
import { ExcludeDialog } from './exclude.js';
import { DiffLine } from './diffline.js';
import { CoverageView } from './coverage.js';
import { RuleExporter } from './export.js';
import { PageHistory } from './history.js';

/** @param {string} id */
const $ = (id) => /** @type {HTMLElement} */ (document.getElementById(id));

/**
 * @param {object} page
 * @param {import('./client.js').EngineClient} page.engine
 * @param {import('./results.js').ResultList} page.list
 * @param {import('./history.js').Undoable} page.ruleEditor
 * @param {import('./history.js').Undoable} page.exceptionsEditor
 * @param {() => void} page.flush sends what the editors hold now, skipping their debounce
 * @param {(text: string) => void} page.applyRule puts a new rule view text in the rule editor (one change)
 * @param {(line: string) => void} page.appendException appends an item line to the exceptions editor (one change)
 * @param {() => number} page.selected the selected event, -1 for none
 * @param {() => string} page.name the example's name, for file names
 */
export function initPreview({ engine, list, ruleEditor, exceptionsEditor, flush, applyRule, appendException, selected, name }) {
  const ask = (/** @type {any} */ q) => engine.ask(q);
  const settle = async () => {
    flush();
    // The engine answers in order, but an update may still be queued in the client.
    while (engine.busy) await new Promise((r) => setTimeout(r, 20));
  };
  const dialog = new ExcludeDialog({ ask, settle, applyRule, appendException });
  const diff = new DiffLine($('diff-line'), {
    ask,
    select: (i) => list.select(i, true),
    mark: (changed) => list.setChanged(changed),
  });
  const coverage = new CoverageView({ ask, chips: $('exclusions'), explain: $('explain') });
  const exporter = new RuleExporter($('rule-export'), { ask, settle, name });
  // "Copy for Dev Tools" and its ▾ menu (the request alone): www/devtools/copy.js, on first use.
  for (const menu of [false, true]) {
    const b = document.createElement('button');
    b.type = 'button';
    b.className = 'small';
    b.textContent = menu ? '▾' : 'Copy for Dev Tools';
    if (menu) b.setAttribute('aria-label', 'More copies for Dev Tools');
    if (menu) b.setAttribute('aria-haspopup', 'menu');
    b.addEventListener('click', async () => {
      const m = await import('./devtools/copy.js');
      const hooks = { ask, settle, say: (/** @type {string} */ t) => exporter.say(t) };
      if (menu) m.openMenu(b, hooks);
      else hooks.say(await m.copyForDevTools('kit', hooks));
    });
    exporter.status.before(b);
  }
  new PageHistory(
    { rule: ruleEditor, exceptions: exceptionsEditor },
    { undo: /** @type {HTMLButtonElement} */ ($('undo-btn')), redo: /** @type {HTMLButtonElement} */ ($('redo-btn')) },
  );

  dialog.listenToClauses($('explain'), selected);
  // A result row: its context menu, or `x` in the list, opens "Exclude this" for it.
  const results = $('results-list');
  results.addEventListener('contextmenu', (e) => {
    const row = e.target instanceof Element ? /** @type {HTMLElement | null} */ (e.target.closest('.row')) : null;
    if (!row || row.dataset.index == null) return;
    e.preventDefault();
    dialog.open(Number(row.dataset.index));
  });
  results.addEventListener('keydown', (e) => {
    if (e.key !== 'x' || e.ctrlKey || e.metaKey || e.altKey || selected() < 0) return;
    e.preventDefault();
    dialog.open(selected());
  });

  return {
    /**
     * A new evaluation is on screen.
     * @param {import('./client.js').Evaluation} ev
     * @param {object} sent what the update sent
     */
    onEval(ev, sent) {
      diff.update(ev, sent);
      coverage.update(ev);
    },
    /** The explanation of event `index` was drawn. */
    afterExplain(/** @type {number} */ index) {
      dialog.decorate($('explain'), index);
      coverage.drawClauses();
    },
    /** The chips were drawn again. */
    afterChips() {
      coverage.drawChips();
    },
    /** A rule was opened (a file, an example): what the export compares with. */
    setOriginal(/** @type {string | null} */ text) {
      exporter.setOriginal(text);
    },
  };
}
