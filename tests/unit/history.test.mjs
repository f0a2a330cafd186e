// PageHistory (www/history.js) against fake editors with CodeMirror's undo-depth behaviour: Undo
// goes to whichever editor changed last, runs of one editor undo step by step, Redo replays in
// reverse order, a new edit drops the redo steps, and an editor's own Ctrl+Z keeps the order.
import { test } from 'node:test';
import assert from 'node:assert/strict';

// history.js listens for keys on the document; node has none.
globalThis.document = /** @type {any} */ ({ addEventListener() {}, querySelector: () => null });
const { PageHistory } = await import('../../www/history.js');

/** An editor holding a list of texts, one per undo step, as CodeMirror's history counts them. */
class FakeEditor {
  constructor(text = '') {
    this.done = [text];
    this.undoneTexts = [];
    this.listeners = [];
  }
  get text() {
    return this.done[this.done.length - 1];
  }
  get undoDepth() {
    return this.done.length - 1;
  }
  get redoDepth() {
    return this.undoneTexts.length;
  }
  onDocChange(f) {
    this.listeners.push(f);
  }
  emit(event) {
    const u = { transactions: [{ isUserEvent: (e) => e === event }] };
    for (const f of this.listeners) f(u);
  }
  /** A user's edit (typing, a chip, an appended item). */
  edit(text) {
    this.done.push(text);
    this.undoneTexts = [];
    this.emit('input');
  }
  undo() {
    if (this.done.length < 2) return false;
    this.undoneTexts.push(/** @type {string} */ (this.done.pop()));
    this.emit('undo');
    return true;
  }
  redo() {
    if (!this.undoneTexts.length) return false;
    this.done.push(/** @type {string} */ (this.undoneTexts.pop()));
    this.emit('redo');
    return true;
  }
}

const button = () => /** @type {any} */ ({ disabled: false, addEventListener() {} });

function setup() {
  const rule = new FakeEditor('q');
  const exceptions = new FakeEditor('');
  const buttons = { undo: button(), redo: button() };
  const h = new PageHistory({ rule, exceptions }, buttons);
  return { rule, exceptions, h, buttons };
}

test('undo goes back through the editors in the order they changed', () => {
  const { rule, exceptions, h, buttons } = setup();
  assert.equal(buttons.undo.disabled, true);
  rule.edit('q1'); // a chip
  rule.edit('q2'); // typing
  exceptions.edit('e1'); // "Exclude this" appends an item
  rule.edit('q3'); // typing again
  assert.equal(buttons.undo.disabled, false);
  const states = [];
  while (h.undo()) states.push(`${rule.text}|${exceptions.text}`);
  assert.deepEqual(states, ['q2|e1', 'q2|', 'q1|', 'q|']);
  assert.equal(buttons.undo.disabled, true);
  // Redo replays them in reverse order.
  const redone = [];
  while (h.redo()) redone.push(`${rule.text}|${exceptions.text}`);
  assert.deepEqual(redone, ['q1|', 'q2|', 'q2|e1', 'q3|e1']);
});

test('a new edit drops what could be redone', () => {
  const { rule, exceptions, h, buttons } = setup();
  rule.edit('q1');
  exceptions.edit('e1');
  h.undo();
  assert.equal(buttons.redo.disabled, false);
  rule.edit('q2');
  assert.equal(buttons.redo.disabled, true);
  assert.equal(h.redo(), false);
  h.undo();
  assert.equal(rule.text, 'q1');
});

test("an editor's own Ctrl+Z keeps the page's order", () => {
  const { rule, exceptions, h } = setup();
  rule.edit('q1');
  exceptions.edit('e1');
  exceptions.undo(); // Ctrl+Z inside the exceptions editor
  assert.equal(exceptions.text, '');
  h.undo(); // the page's Undo now goes to the rule editor
  assert.equal(rule.text, 'q');
  h.redo();
  assert.equal(rule.text, 'q1');
  h.redo();
  assert.equal(exceptions.text, 'e1');
});
