// Small stream tokenizers for the two query languages. They only colour text; the real parsers live
// in the wasm core, whose diagnostics are drawn on top by the linter.
import { StreamLanguage } from '@codemirror/language';
import { toml as tomlMode } from '@codemirror/legacy-modes/mode/toml';

const KQL_KEYWORDS = /^(and|or|not)\b/i;

const kqlMode = {
  name: 'kql',
  startState: () => ({ inString: false }),
  token(stream, state) {
    if (state.inString) {
      while (!stream.eol()) {
        const ch = stream.next();
        if (ch === '\\') stream.next();
        else if (ch === '"') { state.inString = false; break; }
      }
      return 'string';
    }
    if (stream.eatSpace()) return null;
    if (stream.eat('"')) { state.inString = true; return kqlMode.token(stream, state); }
    if (stream.match(/^(<=|>=|<|>|:)/)) return 'operator';
    if (stream.match(/^[(){}]/)) return 'bracket';
    if (stream.match(KQL_KEYWORDS)) return 'keyword';
    // A field name is a term directly followed by ':' or a range operator.
    if (stream.match(/^(?:[^\s\\():<>"*{}]|\\.)+(?=\s*(?::|<=|>=|<|>))/)) return 'propertyName';
    if (stream.match(/^-?\d+(\.\d+)?(?![^\s():<>"{}])/)) return 'number';
    if (stream.match(/^(?:[^\s\\():<>"{}]|\\.)+/)) {
      return /[*?]/.test(stream.current()) ? 'string.special' : 'atom';
    }
    stream.next();
    return null;
  },
  languageData: { commentTokens: {} },
};

const EQL_KEYWORDS = new Set([
  'where', 'and', 'or', 'not', 'sequence', 'sample', 'by', 'with', 'maxspan', 'until', 'in', 'like',
  'regex', 'any', 'runs', 'of', 'join', 'head', 'tail', 'filter', 'unique', 'count', 'true', 'false', 'null',
]);

// ES|QL shares EQL's lexical shape (strings, comments, backquoted names, `|`); only its words differ.
const ESQL_KEYWORDS = new Set([
  'from', 'row', 'where', 'eval', 'stats', 'inline', 'keep', 'drop', 'rename', 'sort', 'limit', 'mv_expand', 'dissect',
  'grok', 'enrich', 'lookup', 'join', 'metadata', 'by', 'as', 'on', 'with', 'asc', 'desc', 'nulls', 'first', 'last',
  'and', 'or', 'not', 'in', 'like', 'rlike', 'is', 'null', 'true', 'false',
]);

/**
 * @param {string} name
 * @param {Set<string>} keywords
 */
const queryMode = (name, keywords) => {
  const mode = {
    name,
    startState: () => ({ string: null, comment: false }),
    token(stream, state) {
      if (state.comment) {
        if (stream.skipTo('*/')) { stream.match('*/'); state.comment = false; } else stream.skipToEnd();
        return 'comment';
      }
      if (state.string) {
        const q = state.string;
        while (!stream.eol()) {
          if (stream.match(q)) { state.string = null; return 'string'; }
          const ch = stream.next();
          if (ch === '\\' && q !== '"""' && !state.raw) stream.next();
        }
        return 'string';
      }
      if (stream.eatSpace()) return null;
      if (stream.match('//')) { stream.skipToEnd(); return 'comment'; }
      if (stream.match('/*')) { state.comment = true; return 'comment'; }
      const raw = stream.match(/^\?(?=")/);
      if (stream.match('"""')) { state.string = '"""'; state.raw = true; return mode.token(stream, state); }
      if (stream.eat('"')) { state.string = '"'; state.raw = Boolean(raw); return mode.token(stream, state); }
      if (stream.match(/^(==|!=|<=|>=|<|>|:|\+|-|\*|\/|%|\|)/)) return 'operator';
      if (stream.match(/^[()[\]{},]/)) return 'bracket';
      if (stream.match(/^\d+(\.\d+)?[a-z]*/i)) return 'number';
      if (stream.match(/^`[^`]*`/)) return 'propertyName';
      const word = stream.match(/^[A-Za-z_@][\w.@-]*~?/);
      if (word) {
        const w = word[0].replace(/~$/, '').toLowerCase();
        if (keywords.has(w)) return 'keyword';
        if (stream.match(/^\s*\(/, false)) return 'variableName.function';
        if (/^(process|file|network|registry|library|driver|dns|api|authentication|configuration|iam|intrusion_detection|malware|package|session|web|host)$/.test(w) && stream.match(/^\s+where\b/, false)) return 'typeName';
        return 'propertyName';
      }
      stream.next();
      return null;
    },
    languageData: { commentTokens: { line: '//', block: { open: '/*', close: '*/' } } },
  };
  return mode;
};
const eqlMode = queryMode('eql', EQL_KEYWORDS);
const esqlMode = queryMode('esql', ESQL_KEYWORDS);
/** @param {string} lang */
const innerMode = (lang) => (lang === 'eql' ? eqlMode : lang === 'esql' ? esqlMode : kqlMode);

// TOML with the rule's query coloured as KQL or EQL: `language = "…"` (which precedes `query` in
// published rules) picks the inner mode; the query's closing ''' or """ hands control back.
const ruleTomlMode = {
  name: 'toml',
  startState: (indentUnit) => ({ toml: tomlMode.startState(indentUnit), lang: 'kql', delim: null, inner: null, pending: false }),
  copyState: (s) => ({ toml: { ...s.toml }, lang: s.lang, delim: s.delim, inner: s.inner && { ...s.inner }, pending: s.pending }),
  token(stream, state) {
    if (state.delim) {
      if (stream.match(state.delim)) {
        state.delim = null;
        state.inner = null;
        return 'string';
      }
      const mode = innerMode(state.lang);
      const stop = stream.string.indexOf(state.delim, stream.pos);
      const style = mode.token(stream, state.inner);
      // Never let a query token run over the closing delimiter.
      if (stop >= 0 && stream.pos > stop) {
        stream.backUp(stream.pos - stop);
        state.inner = mode.startState();
      }
      if (stream.pos === stream.start) stream.next();
      return style;
    }
    if (stream.sol()) {
      const lang = stream.match(/^\s*language\s*=\s*"(\w+)"/, false);
      if (lang) state.lang = lang[1] === 'eql' || lang[1] === 'esql' ? lang[1] : 'kql';
      const q = stream.match(/^\s*query\s*=\s*('''|""")/, false);
      if (q && !state.toml.inString) state.pending = q[1];
    }
    if (state.pending && stream.match(state.pending)) {
      state.delim = state.pending;
      state.pending = false;
      state.inner = innerMode(state.lang).startState();
      return 'string';
    }
    return tomlMode.token(stream, state.toml);
  },
  languageData: { commentTokens: { line: '#' } },
};

export const kql = StreamLanguage.define(kqlMode);
export const eql = StreamLanguage.define(eqlMode);
export const toml = StreamLanguage.define(ruleTomlMode);
