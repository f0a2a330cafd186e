// CodeMirror 6 editors: one factory, the rule editor's language switch, diagnostics drawn at their
// spans, and a highlight effect the explanation panel uses to point at a clause.
import { EditorState, Compartment, StateEffect, StateField } from '@codemirror/state';
import {
  EditorView, keymap, lineNumbers, highlightActiveLine, highlightActiveLineGutter, drawSelection,
  Decoration, highlightSpecialChars, placeholder as placeholderExt,
} from '@codemirror/view';
import { defaultKeymap, history, historyKeymap, isolateHistory, undo, redo, undoDepth, redoDepth } from '@codemirror/commands';
import { syntaxHighlighting, bracketMatching, indentOnInput, HighlightStyle } from '@codemirror/language';
import { tags as t } from '@lezer/highlight';
import { searchKeymap, highlightSelectionMatches } from '@codemirror/search';
import { closeBrackets, closeBracketsKeymap, autocompletion, completionKeymap } from '@codemirror/autocomplete';
import { lintGutter, setDiagnostics, lintKeymap } from '@codemirror/lint';
import { json } from '@codemirror/lang-json';
import { kql, eql, toml } from './modes.js';

const LANGS = { toml, kql, eql, json: json() };

/** @type {import('@codemirror/state').StateEffectType<{from: number, to: number} | null>} */
const setHighlight = StateEffect.define();
/** @type {import('@codemirror/state').StateEffectType<{from: number, to: number} | null>} */
const setRegion = StateEffect.define();

const markClass = (cls) => Decoration.mark({ class: cls });

// One field for the hovered clause's span and one for the query's region inside a TOML file.
function rangeField(effect, cls) {
  return StateField.define({
    create: () => Decoration.none,
    update(deco, tr) {
      deco = deco.map(tr.changes);
      for (const e of tr.effects) {
        if (e.is(effect)) {
          const { from, to } = e.value || {};
          const len = tr.state.doc.length;
          deco = e.value && from < to && to <= len ? Decoration.set([markClass(cls).range(from, to)]) : Decoration.none;
        }
      }
      return deco;
    },
    provide: (f) => EditorView.decorations.from(f),
  });
}

// Editors live in shadow roots: CodeMirror then styles them with constructed stylesheets, which a
// strict style-src CSP allows (a document-level <style> tag would be blocked). So every editor style,
// token colours included, is declared here; colours come from the page's CSS variables.
const theme = EditorView.theme({
  '&': { height: '100%', fontSize: '13px', backgroundColor: 'var(--editor-bg)', color: 'var(--fg)' },
  '.cm-scroller': { fontFamily: 'var(--mono)', lineHeight: '1.5' },
  '.cm-content': { caretColor: 'var(--fg)', tabSize: '4' },
  '.cm-gutters': { backgroundColor: 'var(--editor-gutter)', color: 'var(--muted)', borderRight: '1px solid var(--border)' },
  '.cm-activeLine': { backgroundColor: 'var(--editor-active)' },
  '.cm-activeLineGutter': { backgroundColor: 'var(--editor-active)' },
  '&.cm-focused': { outline: '2px solid var(--focus)', outlineOffset: '-2px' },
  '&.cm-focused .cm-cursor': { borderLeftColor: 'var(--fg)' },
  '.cm-selectionBackground, &.cm-focused .cm-selectionBackground, ::selection': { backgroundColor: 'var(--selection) !important' },
  '.cm-tooltip': { backgroundColor: 'var(--panel)', color: 'var(--fg)', border: '1px solid var(--border)' },
  '.cm-placeholder': { color: 'var(--muted)' },
  '.cm-span-hl': { backgroundColor: 'var(--hl)', borderRadius: '2px', boxShadow: '0 0 0 1px var(--hl-ring)' },
  '.cm-query-region': { backgroundColor: 'var(--region)' },
  '.cm-lintRange-error': { backgroundColor: 'var(--alert-bg)' },
  '.cm-tooltip-autocomplete > ul > li[aria-selected]': { backgroundColor: 'var(--accent)', color: 'var(--on-accent)' },
  '.cm-completionDetail': { color: 'var(--muted)', fontStyle: 'normal', marginLeft: '1em' },
});

// Typing over a selection is done by CodeMirror, not by the browser. Chrome's native delete of a
// selection that spans styled token spans (several lines, say) writes style="…" attributes to keep the
// look of the text it merges; a strict style-src blocks them and logs "Applying inline style violates
// … style-src 'self'" (style-src-attr, with no script location: it is the browser's editing code, not
// ours). A nonce would not help: nonces allow <style> elements, never style attributes, and CodeMirror's
// own styles are already constructed stylesheets in the editors' shadow roots, which CSP allows without
// one (so EditorView.cspNonce stays unset and the policy keeps no nonce and no 'unsafe-inline'). Doing
// the replacement as a transaction means the browser never edits the DOM, and it keeps the input
// handlers (closeBrackets wraps a selection in brackets) and the undo history as with native typing.
const replaceSelectionOnInput = EditorView.domEventHandlers({
  beforeinput(e, view) {
    if (e.inputType !== 'insertText' || e.data == null || e.isComposing || view.composing) return false;
    const { state } = view;
    if (state.readOnly || state.selection.ranges.every((r) => r.empty)) return false;
    e.preventDefault();
    const { from, to } = state.selection.main;
    const insert = () => state.update(state.replaceSelection(e.data), { userEvent: 'input.type', scrollIntoView: true });
    if (!state.facet(EditorView.inputHandler).some((h) => h(view, from, to, e.data, insert))) view.dispatch(insert());
    return true;
  },
});

const highlightStyle = HighlightStyle.define([
  { tag: t.keyword, color: 'var(--tok-keyword)', fontWeight: '600' },
  { tag: [t.string, t.inserted], color: 'var(--tok-string)' },
  { tag: [t.special(t.string), t.regexp, t.escape], color: 'var(--tok-string2)' },
  { tag: t.number, color: 'var(--tok-number)' },
  { tag: [t.atom, t.bool, t.null], color: 'var(--tok-atom)' },
  { tag: [t.propertyName, t.definition(t.propertyName)], color: 'var(--tok-property)' },
  { tag: [t.variableName, t.function(t.variableName)], color: 'var(--tok-variable)' },
  { tag: [t.typeName, t.className], color: 'var(--tok-atom)', fontWeight: '600' },
  { tag: t.comment, color: 'var(--muted)', fontStyle: 'italic' },
  { tag: t.operator, color: 'var(--tok-operator)' },
  { tag: [t.meta, t.heading, t.labelName], color: 'var(--tok-number)', fontWeight: '600' },
  { tag: t.invalid, color: 'var(--alert)' },
]);

// The text just before the cursor when it is a value's place: `field:`, `field:(a or ` in KQL;
// `field ==`, `!=`, `:`, `like`, `regex`, `in (a, ` in EQL. Group 1 is the field, group 2 what is
// typed of the value so far.
const VALUE_AT = {
  kql: /([\w.@-]+)\s*:\s*(?:\([^()]*?)?("[^"]*|[^\s()":]*)$/,
  eql: /([\w.@-]+)\s*(?:==|!=|:|\s(?:like|regex)~?|\s(?:not\s+)?in~?\s*\((?:[^()]*,)?)\s*("[^"]*|[^\s()",]*)$/i,
};

/**
 * The rule editor's completion: field names from the events, and after `field:` (KQL) or
 * `field ==` (EQL) the values the events have for that field (most frequent first, written by the
 * core as the language needs them).
 * @param {object} o
 * @param {() => string[]} o.fields field names seen in the events
 * @param {(field: string) => Promise<{value: string, count: number, insert: string}[]>} o.values
 * @param {() => 'kql' | 'eql' | null} o.lang the query's language, null where no query is (outside it in a rule file)
 * @param {(pos: number) => boolean} o.inQuery whether a document position is inside the query
 */
export function queryCompletion({ fields, values, lang, inQuery }) {
  /** @param {import('@codemirror/autocomplete').CompletionContext} ctx */
  return async (ctx) => {
    if (!inQuery(ctx.pos)) return null;
    const language = lang();
    const line = ctx.state.doc.lineAt(ctx.pos);
    const before = ctx.state.sliceDoc(Math.max(line.from, ctx.pos - 300), ctx.pos);
    const at = language ? VALUE_AT[language].exec(before) : null;
    if (at) {
      const list = await values(at[1]);
      if (!list.length || ctx.aborted) return null;
      return {
        from: ctx.pos - at[2].length,
        options: list.map((v) => ({ label: v.insert, detail: `${v.count}×`, type: 'constant' })),
        validFor: /^("[^"]*|[^\s()":,]*)$/,
      };
    }
    const word = ctx.matchBefore(/[\w.@-]+/);
    if (!word || (word.from === word.to && !ctx.explicit)) return null;
    const names = fields();
    if (!names.length) return null;
    return {
      from: word.from,
      options: names.map((f) => ({ label: f, type: 'property', detail: 'field' })),
      validFor: /^[\w.@-]*$/,
    };
  };
}

/**
 * Creates an editor in `parent`. `onChange(text)` runs after every document change.
 */
export function createEditor(parent, { doc = '', lang = 'json', label, onChange, placeholder, wrap = true, complete = null }) {
  const language = new Compartment();
  const highlight = rangeField(setHighlight, 'cm-span-hl');
  const region = rangeField(setRegion, 'cm-query-region');
  /** @type {((u: import('@codemirror/view').ViewUpdate) => void)[]} */
  const docListeners = [];
  const host = document.createElement('div');
  host.className = 'cm-host';
  parent.prepend(host);
  const root = host.attachShadow({ mode: 'open' });
  const view = new EditorView({
    parent: root,
    root,
    state: EditorState.create({
      doc,
      extensions: [
        lineNumbers(),
        highlightActiveLineGutter(),
        highlightSpecialChars(),
        history(),
        drawSelection(),
        indentOnInput(),
        bracketMatching(),
        closeBrackets(),
        highlightActiveLine(),
        highlightSelectionMatches(),
        syntaxHighlighting(highlightStyle),
        lintGutter(),
        complete ? autocompletion({ override: [complete], activateOnTyping: true, icons: false }) : [],
        keymap.of([...closeBracketsKeymap, ...(complete ? completionKeymap : []), ...defaultKeymap, ...searchKeymap, ...historyKeymap, ...lintKeymap]),
        language.of(LANGS[lang]),
        highlight,
        region,
        theme,
        replaceSelectionOnInput,
        wrap ? EditorView.lineWrapping : [],
        placeholder ? placeholderExt(placeholder) : [],
        EditorView.contentAttributes.of({ 'aria-label': label, 'aria-multiline': 'true' }),
        EditorView.updateListener.of((u) => {
          if (u.docChanged && onChange) onChange(u.state.doc.toString());
          if (u.docChanged) for (const f of docListeners) f(u);
        }),
      ],
    }),
  });
  return {
    view,
    get text() {
      return view.state.doc.toString();
    },
    setText(text) {
      view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } });
    },
    /**
     * Makes the document `text` by one change, from the first offset that differs to the last, as
     * its own undo step: undo gives back exactly the text before, and the rest keeps its marks.
     */
    replaceText(text) {
      const old = view.state.doc.toString();
      if (old === text) return;
      let from = 0;
      const max = Math.min(old.length, text.length);
      while (from < max && old.charCodeAt(from) === text.charCodeAt(from)) from++;
      let end = 0;
      while (end < max - from && old.charCodeAt(old.length - 1 - end) === text.charCodeAt(text.length - 1 - end)) end++;
      view.dispatch({
        changes: { from, to: old.length - end, insert: text.slice(from, text.length - end) },
        annotations: isolateHistory.of('full'),
        userEvent: 'input.exclusions',
      });
    },
    /**
     * Appends `text` on a line of its own as one change and its own undo step (an exception item
     * added to the exceptions text).
     * @param {string} text
     */
    appendLine(text) {
      const doc = view.state.doc;
      const sep = doc.length && !doc.toString().endsWith('\n') ? '\n' : '';
      view.dispatch({
        changes: { from: doc.length, insert: `${sep}${text}\n` },
        annotations: isolateHistory.of('full'),
        userEvent: 'input.exception',
      });
    },
    /** Calls `f(update)` after every change of the document (the page's undo history). */
    onDocChange(f) {
      docListeners.push(f);
    },
    undo: () => undo(view),
    redo: () => redo(view),
    get undoDepth() {
      return undoDepth(view.state);
    },
    get redoDepth() {
      return redoDepth(view.state);
    },
    setLanguage(name) {
      view.dispatch({ effects: language.reconfigure(LANGS[name]) });
    },
    /** diagnostics: [{from, to, message, severity}] in document offsets. */
    setDiagnostics(list) {
      const len = view.state.doc.length;
      const diags = list.map((d) => {
        const from = Math.max(0, Math.min(d.from, len));
        // An error at the very end still needs a visible underline: widen it leftwards.
        let to = Math.max(from, Math.min(d.to, len));
        return { from: to === from && from === len && len > 0 ? from - 1 : from, to, message: d.message, severity: d.severity || 'error' };
      });
      view.dispatch(setDiagnostics(view.state, diags));
    },
    highlight(span, scroll = false) {
      /** @type {import('@codemirror/state').StateEffect<unknown>[]} */
      const effects = [setHighlight.of(span ? { from: span.start, to: span.end } : null)];
      if (span && scroll && span.end <= view.state.doc.length) effects.push(EditorView.scrollIntoView(span.start, { y: 'nearest' }));
      view.dispatch({ effects });
    },
    setRegion(span) {
      view.dispatch({ effects: setRegion.of(span ? { from: span.start, to: span.end } : null) });
    },
    focusAt(pos) {
      const p = Math.min(pos, view.state.doc.length);
      view.dispatch({ selection: { anchor: p }, scrollIntoView: true });
      view.focus();
    },
    posOf(line, col) {
      const doc = view.state.doc;
      const l = doc.line(Math.max(1, Math.min(line, doc.lines)));
      return Math.min(l.from + Math.max(0, col - 1), l.to);
    },
  };
}
