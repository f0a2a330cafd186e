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
}

/// KQL lexing and parsing (`crate::kql`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum KqlErrorKind {
    Syntax,
}

/// EQL lexing, parsing and checking (`crate::eql`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum EqlErrorKind {
    Syntax,
}

/// Lucene regular expressions inside EQL `regex` (`crate::eql::regex`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum RegexErrorKind {
    Syntax,
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
    /// A key the model types holds a value of another type (`risk_score = "high"`).
    WrongType,
    /// A table the model reads lacks a key it needs (`[rule.threshold]` without `value`).
    MissingKey,
    /// A value of the right type that is not allowed: an integer out of range, four
    /// new-terms fields, a negative threshold.
    InvalidValue,
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
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    pub kind: ErrorKind,
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
        let (line, col) = line_col(src, self.span.start);
        format!("{line}:{col}: {}", self.message)
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
    let mut offset = offset.min(src.len());
    while !src.is_char_boundary(offset) {
        offset -= 1;
    }
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
        let d = Diagnostic::new(KqlErrorKind::Syntax, "expected a value", Span::new(4, 5));
        assert_eq!(d.render("a:\n b"), "2:2: expected a value");
    }

    #[test]
    fn kinds_display_as_layer_dot_name() {
        assert_eq!(
            ErrorKind::from(EqlErrorKind::Syntax).to_string(),
            "eql.syntax"
        );
    }
}
