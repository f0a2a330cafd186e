// Page-level Undo / Redo across the rule editor and the exceptions editor: each editor keeps its
// own CodeMirror history; this file remembers which editor changed in which order (runs of
// consecutive changes of one editor) and routes Undo to the one that changed last, so chip, query
// and exception edits undo in the order they were made. Ctrl+Z / Ctrl+Shift+Z (and Ctrl+Y) do the
// same when the focus is not in an editor or a text field, which keep their own undo.

/**
 * @typedef {object} Undoable
 * @property {() => boolean} undo
 * @property {() => boolean} redo
 * @property {number} undoDepth
 * @property {number} redoDepth
 * @property {(f: (u: import('@codemirror/view').ViewUpdate) => void) => void} onDocChange
 */

/** A run of consecutive changes of one editor, from its undo depth `base`. */
/** @typedef {{name: string, base: number}} Run */

export class PageHistory {
  /**
   * @param {Record<string, Undoable>} editors
   * @param {{undo: HTMLButtonElement, redo: HTMLButtonElement}} buttons
   */
  constructor(editors, buttons) {
    this.editors = editors;
    this.buttons = buttons;
    /** @type {Run[]} */
    this.runs = [];
    /** @type {Run[]} */
    this.undone = [];
    this.routing = false;
    for (const [name, ed] of Object.entries(editors)) ed.onDocChange((u) => this.changed(name, u));
    buttons.undo.addEventListener('click', () => this.undo());
    buttons.redo.addEventListener('click', () => this.redo());
    document.addEventListener('keydown', (e) => this.onKey(e));
    this.refresh();
  }

  /**
   * @param {string} name
   * @param {import('@codemirror/view').ViewUpdate} u
   */
  changed(name, u) {
    if (this.routing) return;
    const ed = this.editors[name];
    if (u.transactions.some((t) => t.isUserEvent('undo'))) {
      // The editor's own Ctrl+Z: its latest run shrinks, and goes once it is all undone.
      const at = this.runs.map((r) => r.name).lastIndexOf(name);
      const base = at >= 0 ? this.runs[at].base : 0;
      if (at >= 0 && ed.undoDepth <= base) this.runs.splice(at, 1);
      this.undone.push({ name, base });
    } else if (u.transactions.some((t) => t.isUserEvent('redo'))) {
      const at = this.undone.map((r) => r.name).lastIndexOf(name);
      if (at >= 0) this.push(this.undone.splice(at, 1)[0]);
    } else {
      const top = this.runs[this.runs.length - 1];
      if (!top || top.name !== name) this.runs.push({ name, base: Math.max(0, ed.undoDepth - 1) });
      this.undone = [];
    }
    this.refresh();
  }

  /** @param {Run} run */
  push(run) {
    const top = this.runs[this.runs.length - 1];
    if (!top || top.name !== run.name || top.base !== run.base) this.runs.push(run);
  }

  /** Undoes one step of the editor that changed last. */
  undo() {
    const run = this.runs[this.runs.length - 1];
    if (!run) return false;
    const ed = this.editors[run.name];
    this.routed(() => ed.undo());
    if (ed.undoDepth <= run.base) this.runs.pop();
    // One entry per step undone, so that redo replays them in reverse order.
    this.undone.push({ name: run.name, base: run.base });
    this.refresh();
    return true;
  }

  redo() {
    const step = this.undone.pop();
    if (!step) return false;
    this.routed(() => this.editors[step.name].redo());
    this.push(step);
    this.refresh();
    return true;
  }

  /** @param {() => void} f an undo or redo of one editor, which `changed` must not count */
  routed(f) {
    this.routing = true;
    try {
      f();
    } finally {
      this.routing = false;
    }
  }

  refresh() {
    this.buttons.undo.disabled = !this.runs.length;
    this.buttons.redo.disabled = !this.undone.length;
  }

  /** @param {KeyboardEvent} e */
  onKey(e) {
    if (!(e.ctrlKey || e.metaKey) || e.altKey) return;
    const key = e.key.toLowerCase();
    const wantUndo = key === 'z' && !e.shiftKey;
    const wantRedo = (key === 'z' && e.shiftKey) || (key === 'y' && !e.shiftKey);
    if (!wantUndo && !wantRedo) return;
    // Editors sit in shadow roots: the event's target is their host.
    const t = /** @type {Element | null} */ (e.target instanceof Element ? e.target : null);
    if (t && (t.closest('.cm-host, .cm-editor, input, textarea, select, [contenteditable="true"]'))) return;
    if (document.querySelector('dialog[open]')) return;
    e.preventDefault();
    if (wantUndo) this.undo();
    else this.redo();
  }
}
