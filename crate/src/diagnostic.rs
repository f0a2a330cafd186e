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

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
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
    pub fn new(message: impl Into<String>, span: Span) -> Self {
        Diagnostic {
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
        let d = Diagnostic::new("expected a value", Span::new(4, 5));
        assert_eq!(d.render("a:\n b"), "2:2: expected a value");
    }
}
