//! Token scanners for KQL. Kibana's grammar is character-level and context-sensitive (an
//! unquoted value stops where ` or `, ` and ` or `not ` would begin), so instead of a token
//! stream the parser asks for one token at a time at a byte offset: whitespace runs, keywords,
//! punctuation and literals. Every scanner runs in time linear in what it consumes.

use super::ast::{Literal, Part};
use crate::diagnostic::{Diagnostic, KqlErrorKind, Span};

/// Kibana's `Space`: `[\ \t\r\n\u00A0]`.
pub fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\n' | '\u{a0}')
}

/// Kibana's `SpecialCharacter`: `[\\():<>"*{}]`.
pub fn is_special(c: char) -> bool {
    matches!(
        c,
        '\\' | '(' | ')' | ':' | '<' | '>' | '"' | '*' | '{' | '}'
    )
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Keyword {
    Or,
    And,
    Not,
}

pub struct Lexer<'a> {
    pub src: &'a str,
}

impl<'a> Lexer<'a> {
    pub fn new(src: &'a str) -> Self {
        Lexer { src }
    }

    pub fn char_at(&self, pos: usize) -> Option<char> {
        self.src.get(pos..)?.chars().next()
    }

    /// End of the whitespace run starting at `pos` (`pos` itself when there is none).
    pub fn skip_space(&self, mut pos: usize) -> usize {
        while let Some(c) = self.char_at(pos) {
            if !is_space(c) {
                break;
            }
            pos += c.len_utf8();
        }
        pos
    }

    /// Whether `word` (ASCII, lowercase) starts at `pos`, ignoring case.
    fn word_at(&self, pos: usize, word: &str) -> bool {
        self.src
            .as_bytes()
            .get(pos..pos + word.len())
            .is_some_and(|b| b.eq_ignore_ascii_case(word.as_bytes()))
    }

    /// `Space+ 'or'i Space+` (Or/And) or `'not'i Space+` (Not) starting at `pos`: the keyword,
    /// the span of the word itself and the end of the trailing whitespace.
    pub fn keyword_at(&self, pos: usize) -> Option<(Keyword, Span, usize)> {
        let after_space = self.skip_space(pos);
        if after_space > pos {
            for (kw, word) in [(Keyword::Or, "or"), (Keyword::And, "and")] {
                if let Some(end) = self.word_then_space(after_space, word) {
                    let word_span = Span::new(after_space, after_space + word.len());
                    return Some((kw, word_span, end));
                }
            }
            return None;
        }
        self.word_then_space(pos, "not")
            .map(|end| (Keyword::Not, Span::new(pos, pos + 3), end))
    }

    fn word_then_space(&self, pos: usize, word: &str) -> Option<usize> {
        if !self.word_at(pos, word) {
            return None;
        }
        let end = self.skip_space(pos + word.len());
        (end > pos + word.len()).then_some(end)
    }

    /// `\uXXXX` at `pos` (pointing at the `u`): the character and the end offset.
    fn unicode_escape(&self, pos: usize) -> Option<(char, usize)> {
        let hex = self.src.get(pos + 1..pos + 5)?;
        if self.src.as_bytes().get(pos) != Some(&b'u')
            || !hex.bytes().all(|b| b.is_ascii_hexdigit())
        {
            return None;
        }
        let code = u32::from_str_radix(hex, 16).ok()?;
        // JavaScript would keep a lone surrogate; Rust strings cannot hold one.
        Some((char::from_u32(code).unwrap_or('\u{fffd}'), pos + 5))
    }

    /// A quoted or unquoted literal at `pos`. `Ok(None)` when there is none (zero characters);
    /// otherwise the literal and the offset after everything it consumed (for an unquoted literal
    /// that includes trailing whitespace, which Kibana trims from the value).
    pub fn literal(&self, pos: usize) -> Result<Option<(Literal, usize)>, Diagnostic> {
        match self.char_at(pos) {
            Some('"') => self.quoted(pos).map(Some),
            _ => Ok(self.unquoted(pos)),
        }
    }

    fn quoted(&self, start: usize) -> Result<(Literal, usize), Diagnostic> {
        let mut text = String::new();
        let mut pos = start + 1;
        loop {
            let Some(c) = self.char_at(pos) else {
                return Err(Diagnostic::new(
                    KqlErrorKind::UnterminatedString,
                    "unterminated quoted string",
                    Span::new(self.src.len(), self.src.len()),
                )
                .expected(["\"\\\"\""])
                .with_secondary(Span::new(start, start + 1)));
            };
            match c {
                '"' => {
                    pos += 1;
                    break;
                }
                '\\' => {
                    let next = self.char_at(pos + 1);
                    match next {
                        Some('t') => text.push('\t'),
                        Some('r') => text.push('\r'),
                        Some('n') => text.push('\n'),
                        Some('u') if self.unicode_escape(pos + 1).is_some() => {
                            if let Some((ch, end)) = self.unicode_escape(pos + 1) {
                                text.push(ch);
                                pos = end;
                                continue;
                            }
                        }
                        Some(n @ ('\\' | '"')) => text.push(n),
                        // Any other backslash is an ordinary character inside quotes.
                        _ => {
                            text.push('\\');
                            pos += 1;
                            continue;
                        }
                    }
                    pos += 2;
                }
                c => {
                    text.push(c);
                    pos += c.len_utf8();
                }
            }
        }
        Ok((
            Literal {
                parts: vec![Part::Text(text)],
                quoted: true,
                span: Span::new(start, pos),
            },
            pos,
        ))
    }

    fn unquoted(&self, start: usize) -> Option<(Literal, usize)> {
        let mut parts: Vec<Part> = Vec::new();
        let mut text = String::new();
        let mut pos = start;
        // End of the last character that is not unescaped whitespace: the literal's span end.
        let mut last_solid = start;
        while let Some(c) = self.char_at(pos) {
            if c == '\\' {
                let Some((piece, end)) = self.unquoted_escape(pos) else {
                    break;
                };
                text.push_str(&piece);
                pos = end;
                last_solid = pos;
                continue;
            }
            if c == '*' {
                if !text.is_empty() {
                    parts.push(Part::Text(std::mem::take(&mut text)));
                }
                parts.push(Part::Wildcard);
                pos += 1;
                last_solid = pos;
                continue;
            }
            if is_special(c) {
                break;
            }
            if is_space(c) {
                // `Space+ or Space+` / `Space+ and Space+` end the literal here; otherwise the
                // whole run is part of the value (checked once per run to stay linear).
                if self.keyword_at(pos).is_some() {
                    break;
                }
                let end = self.skip_space(pos);
                text.push_str(&self.src[pos..end]);
                pos = end;
                continue;
            }
            if matches!(c, 'n' | 'N') && self.keyword_at(pos).is_some() {
                break;
            }
            text.push(c);
            pos += c.len_utf8();
            last_solid = pos;
        }
        if pos == start {
            return None;
        }
        if !text.is_empty() {
            parts.push(Part::Text(text));
        }
        trim_parts(&mut parts);
        Some((
            Literal {
                parts,
                quoted: false,
                span: Span::new(start, last_solid),
            },
            pos,
        ))
    }

    /// An escape inside an unquoted literal at `pos` (the backslash), in the grammar's order:
    /// whitespace, special character, `\uXXXX`, keyword. `None` ends the literal.
    fn unquoted_escape(&self, pos: usize) -> Option<(String, usize)> {
        let next = self.char_at(pos + 1)?;
        match next {
            't' => return Some(("\t".into(), pos + 2)),
            'r' => return Some(("\r".into(), pos + 2)),
            'n' => return Some(("\n".into(), pos + 2)),
            c if is_special(c) => return Some((c.to_string(), pos + 2)),
            _ => {}
        }
        if let Some((ch, end)) = self.unicode_escape(pos + 1) {
            return Some((ch.to_string(), end));
        }
        for word in ["or", "and", "not"] {
            if self.word_at(pos + 1, word) {
                let end = pos + 1 + word.len();
                return Some((self.src[pos + 1..end].to_string(), end));
            }
        }
        None
    }
}

/// Kibana trims the joined characters of an unquoted literal.
fn trim_parts(parts: &mut Vec<Part>) {
    if let Some(Part::Text(t)) = parts.first_mut() {
        let trimmed = t.trim_start();
        if trimmed.len() != t.len() {
            *t = trimmed.to_string();
        }
    }
    if let Some(Part::Text(t)) = parts.last_mut() {
        let trimmed = t.trim_end().len();
        t.truncate(trimmed);
    }
    parts.retain(|p| !matches!(p, Part::Text(t) if t.is_empty()));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lit(src: &str) -> (Literal, usize) {
        Lexer::new(src).literal(0).unwrap().unwrap()
    }

    fn text(src: &str) -> String {
        lit(src).0.text()
    }

    #[test]
    fn unquoted_keeps_inner_spaces_and_stops_at_keywords() {
        assert_eq!(text("foo bar"), "foo bar");
        assert_eq!(text("foo bar or baz"), "foo bar");
        assert_eq!(text("foo AND baz"), "foo");
        // `or` at the very end is not a keyword (it needs whitespace after it).
        assert_eq!(text("foo or"), "foo or");
        // `not ` ends a literal even inside a word, as in Kibana's grammar.
        assert_eq!(text("cannot x"), "can");
        assert_eq!(text("door x"), "door x");
    }

    #[test]
    fn unquoted_trims_and_spans_exclude_trailing_space() {
        let (l, end) = lit("foo   )");
        assert_eq!(l.text(), "foo");
        assert_eq!(l.span, Span::new(0, 3));
        assert_eq!(end, 6);
    }

    #[test]
    fn unquoted_escapes() {
        assert_eq!(text(r"a\:b\(c\)\*\\\<\>\{\}\u0041"), r"a:b(c)*\<>{}A");
        assert_eq!(text(r"x \and y"), "x and y");
        assert_eq!(text(r"\OR"), "OR");
        // `\n` wins over the escaped keyword `\not`, as in the grammar's order.
        assert_eq!(text(r"a\not"), "a\not");
        let l = lit(r"a\*b").0;
        assert!(!l.is_wildcard());
    }

    #[test]
    fn wildcards() {
        let l = lit("ex*4").0;
        assert_eq!(
            l.parts,
            [
                Part::Text("ex".into()),
                Part::Wildcard,
                Part::Text("4".into())
            ]
        );
        assert!(lit("*").0.is_star());
        // `?` is an ordinary character in KQL.
        assert!(!lit("a?").0.is_wildcard());
    }

    #[test]
    fn quoted_escapes() {
        let (l, end) = lit(r#""a\"b\\c\td\u00e9\x*" rest"#);
        assert_eq!(l.text(), "a\"b\\c\tdé\\x*");
        assert!(l.quoted && !l.is_wildcard());
        assert_eq!(end, 21);
    }

    #[test]
    fn unterminated_quote_is_an_error() {
        let e = Lexer::new("\"abc").literal(0).unwrap_err();
        assert_eq!(e.kind, KqlErrorKind::UnterminatedString.into());
        assert_eq!(e.message, "unterminated quoted string");
        assert_eq!(e.secondary, Some(Span::new(0, 1)));
    }

    #[test]
    fn keywords() {
        let lx = Lexer::new("a OR b and\tc not d");
        assert_eq!(lx.keyword_at(1).map(|k| k.0), Some(Keyword::Or));
        assert_eq!(lx.keyword_at(6).map(|k| k.0), Some(Keyword::And));
        assert_eq!(lx.keyword_at(13).map(|k| k.0), Some(Keyword::Not));
        assert_eq!(lx.keyword_at(0), None);
    }

    #[test]
    fn long_space_runs_are_linear() {
        let src = format!("a{}b", " ".repeat(200_000));
        assert_eq!(lit(&src).0.text().len(), 200_002);
    }
}
