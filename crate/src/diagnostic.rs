//! One diagnostic type for every layer: a message, the byte span it concerns and what was expected there.

use serde::Serialize;

/// Byte offsets into the source text, half-open. UTF-8 bytes in the core; the wasm layer converts to
/// UTF-16 for the editor.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub const fn new(start: usize, end: usize) -> Self {
        Span { start, end }
    }

    /// The smallest span covering both.
    pub fn to(self, other: Span) -> Span {
        Span::new(self.start.min(other.start), self.end.max(other.end))
    }

    pub fn text(self, src: &str) -> &str {
        src.get(self.start..self.end).unwrap_or("")
    }
}

/// What went wrong, by layer: code and tests match on this, never on message text. Each layer owns
/// one enum of its own (all `#[non_exhaustive]`, all with a `Display` that names the kind).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "layer", content = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum ErrorKind {
    Kql(KqlErrorKind),
    Eql(EqlErrorKind),
    Regex(RegexErrorKind),
    Rule(RuleErrorKind),
    Event(EventErrorKind),
    Exclusion(ExclusionErrorKind),
    Esql(EsqlErrorKind),
}

/// KQL lexing and parsing (`crate::kql`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum KqlErrorKind {
    /// The parser found something other than what may come next (`expected` lists that).
    UnexpectedToken,
    /// A quoted string without its closing `"`.
    UnterminatedString,
    /// Parentheses or braces nested deeper than the parser allows.
    TooDeep,
    /// The query is longer than the parser accepts.
    TooLong,
    /// A warning: a word of an unquoted value that looks like a misspelled `and`, `or` or `not`
    /// (`exim4 adn not …`); Kibana reads it as part of the value.
    MisspelledKeyword,
    /// A warning: a field no event has and ECS does not define (`proces.name`).
    UnknownField,
    /// A sub-field of a `nested` field outside a nested group `field:{ … }` (Kibana refuses it).
    NestedField,
}

/// EQL lexing, parsing and checking (`crate::eql`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum EqlErrorKind {
    /// The parser found something other than what may come next (`expected` lists that).
    UnexpectedToken,
    /// A character no token starts with.
    UnexpectedCharacter,
    /// A string (`"…"` or `"""…"""`) without its closing quotes.
    UnterminatedString,
    /// A `/*` comment without `*/`.
    UnterminatedComment,
    /// A backquoted name without its closing backquote.
    UnterminatedName,
    /// A backquoted name with nothing inside.
    EmptyName,
    /// An unknown escape sequence, or a malformed or invalid `\u{…}` escape.
    InvalidEscape,
    /// A number too large for its type.
    NumberOutOfRange,
    UnknownFunction,
    WrongArgumentCount,
    /// A function called with `~` that has no case-insensitive form.
    NoCaseInsensitiveForm,
    /// A value where a pipe, `maxspan` or `runs` needs another (negative, fractional, out of range).
    InvalidArgument,
    /// A `maxspan` unit other than `ms`, `s`, `m`, `h`, `d`.
    UnknownTimeUnit,
    /// A `maxspan` number without a unit.
    MissingTimeUnit,
    /// A `maxspan` whose milliseconds do not fit.
    MaxspanTooLarge,
    /// A sequence or sample with fewer than two steps, or a sequence with only missing-event steps.
    TooFewSteps,
    /// A step form not allowed where it is (`runs` on `until` or in a sample, `![…]` in a sample).
    InvalidStep,
    /// Steps with different numbers of join keys.
    JoinKeyCountMismatch,
    /// Syntax Elasticsearch EQL does not support (`join`, pipes other than `head`/`tail`, process
    /// relationships, array indexes, single-quoted or `?"…"` strings).
    UnsupportedSyntax,
    /// Expressions nested deeper than the parser allows.
    TooDeep,
    /// The query is longer than the parser accepts.
    TooLong,
    /// A warning: a field no event has and ECS does not define (`proces.name`).
    UnknownField,
    /// A field compared with another field (`a == b`, `a in (b)`): Elasticsearch compares
    /// fields with constants only.
    FieldComparison,
    /// An operand or function argument of a type the operator or function does not take
    /// (`pid : 4`, `number(pid)`, `cidrMatch(host.name, …)`, `pid in (1, "x")`).
    ArgumentType,
    /// A `text` field (`message`, `*.text`) where EQL needs an exact (keyword) value.
    TextField,
    /// A field under a `nested` field, which EQL cannot query.
    NestedField,
    /// A sequence with missing-event steps (`![…]`) and no `with maxspan`.
    MissingMaxspan,
}

/// Lucene regular expressions inside EQL `regex` (`crate::eql::regex`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum RegexErrorKind {
    /// A `)` without its `(`.
    UnbalancedParenthesis,
    /// A `(` without its `)`.
    UnclosedGroup,
    /// A `[` class without its `]`.
    UnterminatedClass,
    /// A `"…"` literal without its closing `"`.
    UnterminatedLiteral,
    /// A quantifier (`*`, `+`, `?`, `{…}`) with nothing before it.
    NothingToRepeat,
    /// A malformed `{n,m}` repetition or one without `}`.
    InvalidRepetition,
    /// A class range out of order, or ending with a class escape.
    InvalidRange,
    /// A backslash before a letter that is not a Lucene class, or at the end.
    InvalidEscape,
    /// Lucene operators with no linear-time equivalent here (`&`, `~`, `<n-m>`).
    Unsupported,
    /// Groups nested deeper than allowed.
    TooDeep,
    /// A pattern whose compiled program exceeds the size limit.
    TooLarge,
}

/// Rule files: TOML and the rule model (`crate::rule`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum RuleErrorKind {
    /// The text is not TOML (the `toml` crate's message says why).
    Toml,
    /// The file is over `rule::load::MAX_RULE_BYTES`.
    TooLarge,
    /// Valid TOML without a `[rule]` table.
    MissingRuleTable,
    /// A rule the Elasticsearch request cannot be built for (`ruleplay es`: machine_learning,
    /// an unknown language).
    NoRequest,
    /// A key the model types holds a value of another type (`risk_score = "high"`).
    WrongType,
    /// A table the model reads lacks a key it needs (`[rule.threshold]` without `value`).
    MissingKey,
    /// A value of the right type that is not allowed: an integer out of range, four
    /// new-terms fields, a negative threshold.
    InvalidValue,
    /// A rule as Kibana gives it (export NDJSON, API JSON) that is not valid JSON.
    KibanaJson,
    /// A Kibana rule file without a rule, or without the rule asked for (`--rule-id`).
    NoSuchRule,
    /// A Kibana rule file with several rules and no choice among them (`expected` lists them).
    AmbiguousRule,
}

/// Event text: NDJSON or a JSON array (`crate::event`), and exception-list imports
/// (`crate::exceptions`), which are NDJSON too.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum EventErrorKind {
    /// The input is over `event::parse::MAX_INPUT_BYTES`.
    TooLarge,
    /// Not JSON (serde_json's message says why).
    InvalidJson,
    /// JSON that stops before its end: an unclosed object, array or string.
    Truncated,
    /// A JSON value that is not an object where an event (or a list item) must be one.
    NotAnObject,
    /// An object on an exception-list line that is not a valid exception item.
    InvalidExceptionItem,
    /// An edit named an event the batch does not have.
    NoSuchEvent,
    /// A line of a value list its type cannot hold (an `ip` list line that is not an address).
    InvalidListValue,
    /// A value list of a type Kibana does not offer (keyword, ip, ip_range, text).
    UnknownListType,
    /// An exception file (detection-rules TOML) that does not read.
    InvalidExceptionFile,
    /// A line of a file read in pieces that is not UTF-8.
    InvalidUtf8,
    /// A JSON array too big to read whole, given where events are read in pieces (the page's
    /// big files): it must be NDJSON.
    ArrayTooLarge,
    /// A mapping document without `properties` (`--mapping`, the page's Mappings panel).
    InvalidMapping,
    /// An Elasticsearch response (`_search`, `_eql/search`) or search hit whose shape is not
    /// what Elasticsearch returns: `hits.hits` not an array, a hit with neither `_source` nor
    /// `fields`, … (`event::formats`).
    InvalidResponse,
}

/// Editing the exclusion lists of a query (`crate::exclusions`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ExclusionErrorKind {
    /// A value to remove that no exclusion list of the field holds.
    ValueNotFound,
    /// A value the list cannot hold as asked: a pattern in an exact (`in`, `!=`) list, a
    /// literal with `*`/`?` in an EQL wildcard list, a KQL pattern with edge spaces, or a
    /// character the TOML string around the query cannot hold.
    NotRepresentable,
    /// Removing a list's only value where dropping the whole clause would change more than the
    /// list (the clause is not one side of an `and`).
    NotRemovable,
    /// A new list asked for in an EQL sequence or sample (only event queries get one).
    NoEventQuery,
    /// A rule without a KQL or EQL query.
    NoQuery,
    /// The edit would leave a query that does not parse (a safety net: never output).
    BrokenEdit,
}

/// ES|QL lexing, parsing, verifying and evaluating (`crate::esql`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum EsqlErrorKind {
    /// ANTLR's "mismatched input" / "extraneous input": something other than what may come next.
    UnexpectedToken,
    /// A character no token starts with ("token recognition error").
    UnexpectedCharacter,
    /// A `"…"`, `"""…"""` or backquoted name without its end.
    UnterminatedString,
    /// A `/*` comment without `*/`.
    UnterminatedComment,
    /// A number too large for its type.
    NumberOutOfRange,
    /// Nesting deeper than the parser allows, or a query longer than it accepts.
    TooDeep,
    /// "Unknown column [x]".
    UnknownColumn,
    /// "Unknown function [f]".
    UnknownFunction,
    /// An operand or argument of a type the operator or function does not take.
    TypeMismatch,
    /// An aggregate outside `STATS`, or a non-aggregate where `STATS` needs one.
    MisplacedAggregate,
    /// A parameter `?x` the options do not give.
    UnknownParameter,
    /// A value a command needs to be otherwise (a negative `LIMIT`, a bad GROK pattern).
    InvalidArgument,
    /// A command that needs a cluster (`ENRICH`, `LOOKUP JOIN`, `COMPLETION`, …).
    NotEvaluableOffline,
    /// A command that would produce more rows than the evaluator holds (`MV_EXPAND` chains).
    TooManyRows,
    /// A command, function or operator this evaluator cannot run (the rule type says so).
    NotEvaluable,
}

macro_rules! layer_kind {
    ($($layer:ident($kind:ident) = $name:literal),* $(,)?) => {
        $(
            impl From<$kind> for ErrorKind {
                fn from(kind: $kind) -> Self {
                    ErrorKind::$layer(kind)
                }
            }

            impl std::fmt::Display for $kind {
                fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                    // The serde name ("unexpected_token") is the stable, documented name of a kind.
                    let name = serde_json::to_value(self).ok();
                    let name = name.as_ref().and_then(|v| v.as_str()).unwrap_or("unknown");
                    write!(f, "{}.{}", $name, name)
                }
            }
        )*

        impl std::fmt::Display for ErrorKind {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                match self {
                    $(ErrorKind::$layer(k) => k.fmt(f),)*
                }
            }
        }
    };
}

layer_kind! {
    Kql(KqlErrorKind) = "kql",
    Eql(EqlErrorKind) = "eql",
    Regex(RegexErrorKind) = "regex",
    Rule(RuleErrorKind) = "rule",
    Event(EventErrorKind) = "event",
    Exclusion(ExclusionErrorKind) = "exclusion",
    Esql(EsqlErrorKind) = "esql",
}

/// Whether a diagnostic stops the rule from loading (an error) or only points at something
/// that is probably a mistake (a warning: the rule loads and runs as written).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    #[default]
    Error,
    Warning,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    pub kind: ErrorKind,
    pub severity: Severity,
    pub message: String,
    pub span: Span,
    /// What the parser would have accepted at `span`, e.g. `["a value", "\")\""]`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub expected: Vec<String>,
    /// A related place, e.g. the opening parenthesis of an unclosed group.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secondary: Option<Span>,
}

impl Diagnostic {
    pub fn new(kind: impl Into<ErrorKind>, message: impl Into<String>, span: Span) -> Self {
        Diagnostic {
            kind: kind.into(),
            severity: Severity::Error,
            message: message.into(),
            span,
            expected: Vec::new(),
            secondary: None,
        }
    }

    pub fn expected(mut self, what: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.expected = what.into_iter().map(Into::into).collect();
        self
    }

    /// The same diagnostic as a [`Severity::Warning`].
    pub fn warning(mut self) -> Self {
        self.severity = Severity::Warning;
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    pub fn with_secondary(mut self, span: Span) -> Self {
        self.secondary = Some(span);
        self
    }

    /// Shift the spans by `offset`: used when a query is embedded in a larger text (a rule file).
    pub fn offset(mut self, offset: usize) -> Self {
        self.span = Span::new(self.span.start + offset, self.span.end + offset);
        self.secondary = self
            .secondary
            .map(|s| Span::new(s.start + offset, s.end + offset));
        self
    }

    /// `LINE:COL: message` (1-based; columns count characters), the CLI's format.
    pub fn render(&self, src: &str) -> String {
        self.render_from(src, 1)
    }

    /// [`render`](Self::render) for `src`, a piece of a larger text that starts on line
    /// `first_line` (the line a streaming reader is on).
    fn render_from(&self, src: &str, first_line: usize) -> String {
        let (line, col) = line_col(src, self.span.start);
        format!("{}:{col}: {}", line + first_line - 1, self.message)
    }

    /// [`render`](Self::render), then ` (expected A, B)` when the diagnostic lists what was
    /// expected and the message does not say it already: the first line of the CLI's reports,
    /// which scripts read.
    pub fn header(&self, src: &str) -> String {
        self.header_from(src, 1)
    }

    fn header_from(&self, src: &str, first_line: usize) -> String {
        let mut out = self.render_from(src, first_line);
        // The word, not "unexpected": "unexpected `)`" still needs the list.
        let says_expected = self.message.match_indices("expected").any(|(i, _)| {
            !self.message[..i]
                .chars()
                .next_back()
                .is_some_and(char::is_alphabetic)
        });
        if !self.expected.is_empty() && !says_expected {
            out.push_str(&format!(" (expected {})", self.expected.join(", ")));
        }
        out
    }

    /// The [`header`](Self::header), then the source line of the span with carets under the
    /// span, as regex-syntax and rustc show errors:
    ///
    /// ```text
    /// 1:10: expected a value but found end of query
    ///   |
    /// 1 | a:b and (
    ///   |          ^
    /// ```
    ///
    /// Columns count characters (a tab shows as four spaces); a span over several lines is
    /// underlined to the end of its first line, an empty span gets one caret, and a line longer
    /// than [`SNIPPET_WIDTH`] columns (an NDJSON event) is cut to a window around the span.
    pub fn render_snippet(&self, src: &str) -> String {
        self.render_snippet_from(src, 1)
    }

    /// [`render_snippet`](Self::render_snippet) for `src`, a piece of a larger text that starts
    /// on line `first_line`: the CLI streams big inputs and keeps only the current line.
    pub fn render_snippet_from(&self, src: &str, first_line: usize) -> String {
        let first_line = first_line.max(1);
        let start = floor_char_boundary(src, self.span.start);
        let line_start = src[..start].rfind('\n').map_or(0, |i| i + 1);
        let line_end = src[line_start..]
            .find('\n')
            .map_or(src.len(), |i| line_start + i);
        let line = src[line_start..line_end].trim_end_matches('\r');
        // A span at a line's `\r` (or past the end) points just after the line's last character.
        let start = start.min(line_start + line.len());
        let end = floor_char_boundary(src, self.span.end).clamp(start, line_start + line.len());
        let width = |s: &str| -> usize { s.chars().map(|c| if c == '\t' { 4 } else { 1 }).sum() };
        let shown: Vec<char> = line.replace('\t', "    ").chars().collect();
        let col = width(&line[..start - line_start]);
        let carets = width(&src[start..end]).max(1);
        // The window of columns shown: all of them, or SNIPPET_WIDTH around the span's start.
        let (lo, hi) = if shown.len() <= SNIPPET_WIDTH {
            (0, shown.len())
        } else {
            let hi = (col.saturating_sub(SNIPPET_WIDTH / 3) + SNIPPET_WIDTH).min(shown.len());
            (hi - SNIPPET_WIDTH, hi)
        };
        let mut text: String = shown[lo..hi].iter().collect();
        let mut caret_col = col - lo;
        if lo > 0 {
            text.insert(0, '…');
            caret_col += 1;
        }
        if hi < shown.len() {
            text.push('…');
        }
        let carets = carets.min(hi.saturating_sub(col)).max(1);
        let number = (line_col(src, start).0 + first_line - 1).to_string();
        let gutter = " ".repeat(number.len());
        let source = if text.is_empty() {
            String::new()
        } else {
            format!(" {text}")
        };
        format!(
            "{}\n{gutter} |\n{number} |{source}\n{gutter} | {}{}",
            self.header_from(src, first_line),
            " ".repeat(caret_col),
            "^".repeat(carets)
        )
    }
}

/// How many columns of a source line [`Diagnostic::render_snippet`] shows.
pub const SNIPPET_WIDTH: usize = 100;

/// The largest char boundary at or before `offset`, clamped to `src`.
fn floor_char_boundary(src: &str, offset: usize) -> usize {
    let mut offset = offset.min(src.len());
    while !src.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

#[cfg(test)]
mod render_tests {
    use super::*;

    fn snippet(src: &str, start: usize, end: usize) -> String {
        Diagnostic::new(RuleErrorKind::Toml, "bad", Span::new(start, end)).render_snippet(src)
    }

    #[test]
    fn carets_under_the_span() {
        let src = "[rule]\nname = 'x'\nrisk_score = \"high\"\n";
        let at = src.find("\"high\"").unwrap();
        assert_eq!(
            snippet(src, at, at + 6),
            "3:14: bad\n  |\n3 | risk_score = \"high\"\n  |              ^^^^^^"
        );
    }

    #[test]
    fn expected_goes_on_the_first_line_unless_the_message_says_it() {
        let d = Diagnostic::new(RuleErrorKind::Toml, "unexpected `)`", Span::new(4, 5))
            .expected(["a value", "\"(\""]);
        assert_eq!(
            d.render_snippet("a:b )"),
            "1:5: unexpected `)` (expected a value, \"(\")\n  |\n1 | a:b )\n  |     ^"
        );
        let d = Diagnostic::new(RuleErrorKind::Toml, "expected a value", Span::new(4, 5))
            .expected(["a value"]);
        assert_eq!(d.header("a:b )"), "1:5: expected a value");
    }

    #[test]
    fn empty_spans_get_one_caret_also_at_the_end() {
        assert_eq!(
            snippet("a:b and (", 9, 9),
            "1:10: bad\n  |\n1 | a:b and (\n  |          ^"
        );
        // At the end of a line that ends with CRLF: just after its last character.
        assert_eq!(snippet("ab\r\ncd", 2, 2), "1:3: bad\n  |\n1 | ab\n  |   ^");
        // After a final newline: the empty last line.
        assert_eq!(snippet("ab\n", 3, 3), "2:1: bad\n  |\n2 |\n  | ^");
        assert_eq!(snippet("", 0, 0), "1:1: bad\n  |\n1 |\n  | ^");
    }

    #[test]
    fn a_span_over_lines_is_underlined_to_the_end_of_its_first() {
        let src = "x = '''\nab\ncd\n'''";
        assert_eq!(snippet(src, 8, 13), "2:1: bad\n  |\n2 | ab\n  | ^^");
    }

    #[test]
    fn columns_count_characters_and_tabs_show_as_four_spaces() {
        let src = "\té:\t\"ü\"";
        let at = src.find('"').unwrap();
        assert_eq!(
            snippet(src, at, src.len()),
            "1:5: bad\n  |\n1 |     é:    \"ü\"\n  |           ^^^"
        );
        // Line numbers wider than one digit widen the gutter.
        let src = format!("{}x", "\n".repeat(11));
        assert_eq!(snippet(&src, 11, 12), "12:1: bad\n   |\n12 | x\n   | ^");
    }

    #[test]
    fn long_lines_are_cut_around_the_span() {
        let src = format!("{}XY{}", "a".repeat(200), "b".repeat(200));
        let lines =
            |a, b| -> Vec<String> { snippet(&src, a, b).lines().map(String::from).collect() };
        let got = lines(200, 202);
        assert_eq!(
            got[2],
            format!("1 | …{}XY{}…", "a".repeat(33), "b".repeat(65))
        );
        assert_eq!(got[3], format!("  | {}^^", " ".repeat(34)));
        // Near the start, no cut on the left.
        let got = lines(0, 1);
        assert_eq!(got[2], format!("1 | {}…", "a".repeat(100)));
        assert_eq!(got[3], "  | ^");
        // A span longer than the window stops at its edge.
        assert_eq!(lines(0, 400)[3], format!("  | {}", "^".repeat(100)));
    }

    #[test]
    fn rule_and_event_kinds_display_as_layer_dot_name() {
        assert_eq!(
            ErrorKind::from(RuleErrorKind::MissingRuleTable).to_string(),
            "rule.missing_rule_table"
        );
        assert_eq!(
            ErrorKind::from(EventErrorKind::InvalidJson).to_string(),
            "event.invalid_json"
        );
    }

    #[test]
    fn spans_off_char_boundaries_or_past_the_end_do_not_panic() {
        let src = "é\n";
        for (a, b) in [(1, 1), (1, 99), (99, 99), (3, 1)] {
            let _ = snippet(src, a, b);
        }
    }
}

impl std::fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Diagnostic {}

/// 1-based line and column (in characters) of a byte offset; offsets past the end clamp to the end.
pub fn line_col(src: &str, offset: usize) -> (usize, usize) {
    let offset = floor_char_boundary(src, offset);
    let before = &src[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[line_start..].chars().count() + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_from_one() {
        let src = "ab\ncdé\nf";
        assert_eq!(line_col(src, 0), (1, 1));
        assert_eq!(line_col(src, 3), (2, 1));
        assert_eq!(line_col(src, 7), (2, 4));
        assert_eq!(line_col(src, 999), (3, 2));
    }

    #[test]
    fn render_is_line_col_message() {
        let d = Diagnostic::new(
            KqlErrorKind::UnexpectedToken,
            "expected a value",
            Span::new(4, 5),
        );
        assert_eq!(d.render("a:\n b"), "2:2: expected a value");
    }

    #[test]
    fn kinds_display_as_layer_dot_name() {
        assert_eq!(
            ErrorKind::from(EqlErrorKind::UnexpectedToken).to_string(),
            "eql.unexpected_token"
        );
    }
}
