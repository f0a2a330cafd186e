//! Recursive-descent parser for Kibana's KQL grammar (`kbn-es-query` `grammar.peggy`):
//!
//! ```text
//! start        = Space* OrQuery? Space*
//! OrQuery      = AndQuery (Or AndQuery)*            Or  = Space+ 'or'i Space+
//! AndQuery     = NotQuery (And NotQuery)*           And = Space+ 'and'i Space+
//! NotQuery     = Not SubQuery / SubQuery            Not = 'not'i Space+
//! SubQuery     = '(' Space* OrQuery Space* ')' / NestedQuery
//! NestedQuery  = Field Space* ':' Space* '{' Space* OrQuery Space* '}' / Expression
//! Expression   = Field Space* RangeOp Space* Literal | Field Space* ':' Space* ListOfValues | Value
//! ListOfValues = '(' Space* OrList Space* ')' / Value   (OrList/AndList/NotList mirror the above)
//! ```
//!
//! Operator chains are loops, so a list of hundreds of values costs no stack; only parentheses and
//! braces recurse, and they are limited to [`MAX_DEPTH`] levels.

use super::ast::{Literal, Node, Query, RangeOp, ValueExpr};
use super::lexer::{Keyword, Lexer};
use crate::diagnostic::{Diagnostic, KqlErrorKind, Span};

/// Nesting limit for `(`, `{` and value-list parentheses. Real rules nest a few levels; 128 keeps
/// parsing, compiling and explaining well inside a 2 MB thread stack even in debug builds.
pub const MAX_DEPTH: usize = 128;
/// Queries longer than this are refused before parsing.
pub const MAX_QUERY_BYTES: usize = 1 << 20;

pub fn parse(src: &str) -> Result<Query, Diagnostic> {
    if src.len() > MAX_QUERY_BYTES {
        return Err(Diagnostic::new(
            KqlErrorKind::TooLong,
            format!(
                "query is {} bytes long; the limit is {MAX_QUERY_BYTES} bytes",
                src.len()
            ),
            Span::new(0, 0),
        ));
    }
    let mut p = Parser {
        lx: Lexer::new(src),
        pos: 0,
        last_end: 0,
        depth: 0,
    };
    p.pos = p.lx.skip_space(0);
    let span = Span::new(0, src.len());
    if p.pos == src.len() {
        return Ok(Query { root: None, span });
    }
    let root = p.or_query()?;
    p.pos = p.lx.skip_space(p.pos);
    if p.pos != src.len() {
        return Err(p.unexpected(&["\"and\"", "\"or\"", "end of query"]));
    }
    Ok(Query {
        root: Some(root),
        span,
    })
}

struct Parser<'a> {
    lx: Lexer<'a>,
    pos: usize,
    /// End of the last token consumed, whitespace excluded: where node spans end.
    last_end: usize,
    depth: usize,
}

impl Parser<'_> {
    fn keyword(&self, want: Keyword) -> Option<usize> {
        match self.lx.keyword_at(self.pos) {
            Some((kw, _, end)) if kw == want => Some(end),
            _ => None,
        }
    }

    fn or_query(&mut self) -> Result<Node, Diagnostic> {
        let first = self.and_query()?;
        let Some(end) = self.keyword(Keyword::Or) else {
            return Ok(first);
        };
        let start = first.span().start;
        let mut items = vec![first];
        self.pos = end;
        items.push(self.and_query()?);
        while let Some(end) = self.keyword(Keyword::Or) {
            self.pos = end;
            items.push(self.and_query()?);
        }
        Ok(Node::Or {
            items,
            span: Span::new(start, self.last_end),
        })
    }

    fn and_query(&mut self) -> Result<Node, Diagnostic> {
        let first = self.not_query()?;
        let Some(end) = self.keyword(Keyword::And) else {
            return Ok(first);
        };
        let start = first.span().start;
        let mut items = vec![first];
        self.pos = end;
        items.push(self.not_query()?);
        while let Some(end) = self.keyword(Keyword::And) {
            self.pos = end;
            items.push(self.not_query()?);
        }
        Ok(Node::And {
            items,
            span: Span::new(start, self.last_end),
        })
    }

    fn not_query(&mut self) -> Result<Node, Diagnostic> {
        let start = self.pos;
        let Some(end) = self.keyword(Keyword::Not) else {
            return self.sub_query();
        };
        self.pos = end;
        let inner = self.sub_query()?;
        Ok(Node::Not {
            inner: Box::new(inner),
            span: Span::new(start, self.last_end),
        })
    }

    fn sub_query(&mut self) -> Result<Node, Diagnostic> {
        if self.lx.char_at(self.pos) != Some('(') {
            return self.expression();
        }
        let open = self.open('(')?;
        let q = self.or_query()?;
        self.close(')', open, &["\"and\"", "\"or\"", "\")\""])?;
        Ok(q)
    }

    /// Consume an opening bracket at `self.pos`, counting depth; returns its span.
    fn open(&mut self, c: char) -> Result<Span, Diagnostic> {
        let span = Span::new(self.pos, self.pos + 1);
        if self.depth >= MAX_DEPTH {
            return Err(Diagnostic::new(
                KqlErrorKind::TooDeep,
                format!("nesting is deeper than {MAX_DEPTH} levels"),
                span,
            ));
        }
        debug_assert_eq!(self.lx.char_at(self.pos), Some(c));
        self.depth += 1;
        self.pos = self.lx.skip_space(self.pos + 1);
        Ok(span)
    }

    fn close(&mut self, c: char, open: Span, expected: &[&str]) -> Result<(), Diagnostic> {
        self.pos = self.lx.skip_space(self.pos);
        if self.lx.char_at(self.pos) != Some(c) {
            return Err(self.unexpected(expected).with_secondary(open));
        }
        self.depth -= 1;
        self.pos += 1;
        self.last_end = self.pos;
        Ok(())
    }

    fn literal(&mut self) -> Result<Option<Literal>, Diagnostic> {
        let Some((lit, end)) = self.lx.literal(self.pos)? else {
            return Ok(None);
        };
        self.pos = end;
        self.last_end = lit.span.end;
        Ok(Some(lit))
    }

    fn expression(&mut self) -> Result<Node, Diagnostic> {
        let Some(field) = self.literal()? else {
            return Err(self.unexpected(&["a field name", "a value", "\"(\"", "\"not\""]));
        };
        let after = self.lx.skip_space(self.pos);
        match self.lx.char_at(after) {
            Some(':') => {
                self.pos = self.lx.skip_space(after + 1);
                if self.lx.char_at(self.pos) == Some('{') {
                    let open = self.open('{')?;
                    let query = self.or_query()?;
                    self.close('}', open, &["\"and\"", "\"or\"", "\"}\""])?;
                    let span = Span::new(field.span.start, self.last_end);
                    return Ok(Node::Nested {
                        field,
                        query: Box::new(query),
                        span,
                    });
                }
                let value = self.list_of_values()?;
                let span = Span::new(field.span.start, self.last_end);
                Ok(Node::Field { field, value, span })
            }
            Some(c @ ('<' | '>')) => {
                let eq = self.lx.char_at(after + 1) == Some('=');
                let op = match (c, eq) {
                    ('<', false) => RangeOp::Lt,
                    ('<', true) => RangeOp::Lte,
                    (_, false) => RangeOp::Gt,
                    (_, true) => RangeOp::Gte,
                };
                self.pos = self.lx.skip_space(after + 1 + usize::from(eq));
                let Some(value) = self.literal()? else {
                    return Err(self.unexpected(&["a value"]));
                };
                let span = Span::new(field.span.start, value.span.end);
                Ok(Node::Range {
                    field,
                    op,
                    value,
                    span,
                })
            }
            _ => {
                let span = field.span;
                Ok(Node::FreeText { value: field, span })
            }
        }
    }

    fn list_of_values(&mut self) -> Result<ValueExpr, Diagnostic> {
        if self.lx.char_at(self.pos) == Some('(') {
            let open = self.open('(')?;
            let v = self.list_or()?;
            self.close(')', open, &["\"and\"", "\"or\"", "\")\""])?;
            return Ok(v);
        }
        match self.literal()? {
            Some(value) => Ok(ValueExpr::Value { value }),
            None => Err(self.unexpected(&["a value", "\"(\""])),
        }
    }

    fn list_or(&mut self) -> Result<ValueExpr, Diagnostic> {
        let first = self.list_and()?;
        let Some(end) = self.keyword(Keyword::Or) else {
            return Ok(first);
        };
        let start = first.span().start;
        let mut items = vec![first];
        self.pos = end;
        items.push(self.list_and()?);
        while let Some(end) = self.keyword(Keyword::Or) {
            self.pos = end;
            items.push(self.list_and()?);
        }
        Ok(ValueExpr::Or {
            items,
            span: Span::new(start, self.last_end),
        })
    }

    fn list_and(&mut self) -> Result<ValueExpr, Diagnostic> {
        let first = self.list_not()?;
        let Some(end) = self.keyword(Keyword::And) else {
            return Ok(first);
        };
        let start = first.span().start;
        let mut items = vec![first];
        self.pos = end;
        items.push(self.list_not()?);
        while let Some(end) = self.keyword(Keyword::And) {
            self.pos = end;
            items.push(self.list_not()?);
        }
        Ok(ValueExpr::And {
            items,
            span: Span::new(start, self.last_end),
        })
    }

    fn list_not(&mut self) -> Result<ValueExpr, Diagnostic> {
        let start = self.pos;
        let Some(end) = self.keyword(Keyword::Not) else {
            return self.list_of_values();
        };
        self.pos = end;
        let inner = self.list_of_values()?;
        Ok(ValueExpr::Not {
            inner: Box::new(inner),
            span: Span::new(start, self.last_end),
        })
    }

    /// "unexpected X, expected …" at the current position.
    fn unexpected(&self, expected: &[&str]) -> Diagnostic {
        let (found, span) = self.found();
        let list = match expected {
            [] => String::new(),
            [one] => one.to_string(),
            [init @ .., last] => format!("{} or {last}", init.join(", ")),
        };
        Diagnostic::new(
            KqlErrorKind::UnexpectedToken,
            format!("expected {list} but found {found}"),
            span,
        )
        .expected(expected.iter().copied())
    }

    fn found(&self) -> (String, Span) {
        let pos = self.pos;
        let Some(c) = self.lx.char_at(pos) else {
            return ("end of query".into(), Span::new(pos, pos));
        };
        if let Some((_, word, _)) = self.lx.keyword_at(pos) {
            let w = word.text(self.lx.src);
            return (format!("\"{w}\""), word);
        }
        (format!("{c:?}"), Span::new(pos, pos + c.len_utf8()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kql::ast::Part;

    fn p(src: &str) -> Node {
        parse(src).unwrap().root.unwrap()
    }

    /// A compact rendering of the tree for assertions.
    fn show(n: &Node) -> String {
        fn v(e: &ValueExpr) -> String {
            match e {
                ValueExpr::Or { items, .. } => {
                    format!("(or {})", items.iter().map(v).collect::<Vec<_>>().join(" "))
                }
                ValueExpr::And { items, .. } => {
                    format!(
                        "(and {})",
                        items.iter().map(v).collect::<Vec<_>>().join(" ")
                    )
                }
                ValueExpr::Not { inner, .. } => format!("(not {})", v(inner)),
                ValueExpr::Value { value } => lit(value),
            }
        }
        fn lit(l: &Literal) -> String {
            if l.quoted {
                format!("{:?}", l.text())
            } else {
                l.text()
            }
        }
        match n {
            Node::Or { items, .. } => {
                format!(
                    "(or {})",
                    items.iter().map(show).collect::<Vec<_>>().join(" ")
                )
            }
            Node::And { items, .. } => {
                format!(
                    "(and {})",
                    items.iter().map(show).collect::<Vec<_>>().join(" ")
                )
            }
            Node::Not { inner, .. } => format!("(not {})", show(inner)),
            Node::Field { field, value, .. } => format!("{}:{}", lit(field), v(value)),
            Node::Range {
                field, op, value, ..
            } => format!("{}{}{}", lit(field), op.as_str(), lit(value)),
            Node::Nested { field, query, .. } => format!("{}:{{{}}}", lit(field), show(query)),
            Node::FreeText { value, .. } => format!("text({})", lit(value)),
        }
    }

    fn s(src: &str) -> String {
        show(&p(src))
    }

    #[test]
    fn precedence_not_and_or() {
        assert_eq!(s("a:1 or b:2 and not c:3"), "(or a:1 (and b:2 (not c:3)))");
        assert_eq!(s("(a:1 OR b:2) AnD c:3"), "(and (or a:1 b:2) c:3)");
        assert_eq!(s("a:1 or b:2 or c:3"), "(or a:1 b:2 c:3)");
    }

    #[test]
    fn value_lists_nest() {
        assert_eq!(s("f:(a or b and not c)"), "f:(or a (and b (not c)))");
        assert_eq!(s("f:(a or (b and c))"), "f:(or a (and b c))");
        assert_eq!(s("f:(not (a or b))"), "f:(not (or a b))");
    }

    #[test]
    fn values_with_spaces_quotes_and_ranges() {
        assert_eq!(s("a: foo bar"), "a:foo bar");
        assert_eq!(s(r#""process.name" : "x y""#), r#""process.name":"x y""#);
        assert_eq!(s("bytes >= 10 and b<2"), "(and bytes>=10 b<2)");
        assert_eq!(s("@timestamp > now-1d"), "@timestamp>now-1d");
        assert_eq!(s("file.hash.*:abc"), "file.hash.*:abc");
        assert_eq!(s("foo bar"), "text(foo bar)");
        assert_eq!(s("\"quoted text\""), "text(\"quoted text\")");
    }

    #[test]
    fn nested_queries() {
        assert_eq!(
            s("user:{ first: a and last: b } or x:1"),
            "(or user:{(and first:a last:b)} x:1)"
        );
    }

    #[test]
    fn empty_query_has_no_root() {
        assert!(parse("").unwrap().root.is_none());
        assert!(parse(" \n\t").unwrap().root.is_none());
    }

    #[test]
    fn spans_cover_nodes() {
        let src = "not a:(x or y) and b:z ";
        let n = p(src);
        assert_eq!(n.span().text(src), "not a:(x or y) and b:z");
        let Node::And { items, .. } = &n else {
            panic!()
        };
        assert_eq!(items[0].span().text(src), "not a:(x or y)");
        let Node::Not { inner, .. } = &items[0] else {
            panic!()
        };
        let Node::Field { field, value, .. } = &**inner else {
            panic!()
        };
        assert_eq!(field.span.text(src), "a");
        assert_eq!(value.span().text(src), "x or y");
    }

    #[test]
    fn wildcard_values_are_parts() {
        let Node::Field { value, .. } = p("a:ex*m\\*") else {
            panic!()
        };
        let ValueExpr::Value { value } = value else {
            panic!()
        };
        assert_eq!(
            value.parts,
            [
                Part::Text("ex".into()),
                Part::Wildcard,
                Part::Text("m*".into())
            ]
        );
    }

    #[test]
    fn errors_say_what_was_expected() {
        let e = parse("a:(b or c").unwrap_err();
        assert_eq!(e.kind, KqlErrorKind::UnexpectedToken.into());
        assert_eq!(
            e.message,
            "expected \"and\", \"or\" or \")\" but found end of query"
        );
        assert_eq!(e.secondary, Some(Span::new(2, 3)));
        let e = parse("a:b)").unwrap_err();
        assert_eq!(e.kind, KqlErrorKind::UnexpectedToken.into());
        assert_eq!(e.span, Span::new(3, 4));
        assert!(e.message.contains("end of query"), "{}", e.message);
        let e = parse("a and not not b").unwrap_err();
        assert_eq!(e.span, Span::new(10, 13));
        let e = parse("a:").unwrap_err();
        assert_eq!(
            e.message,
            "expected a value or \"(\" but found end of query"
        );
        let e = parse("a >").unwrap_err();
        assert_eq!(e.message, "expected a value but found end of query");
        assert!(parse("a: not b").is_err());
        assert!(parse("\"a\" b").is_err());
    }

    #[test]
    fn depth_is_bounded() {
        let deep = format!("{}a{}", "(".repeat(100_000), ")".repeat(100_000));
        let e = parse(&deep).unwrap_err();
        assert_eq!(e.kind, KqlErrorKind::TooDeep.into());
        let ok = format!("{}a{}", "(".repeat(120), ")".repeat(120));
        assert!(parse(&ok).is_ok());
        let list = format!("a:{}b{}", "(".repeat(100_000), ")".repeat(100_000));
        assert_eq!(parse(&list).unwrap_err().kind, KqlErrorKind::TooDeep.into());
        let long = "a".repeat(MAX_QUERY_BYTES + 1);
        assert_eq!(parse(&long).unwrap_err().kind, KqlErrorKind::TooLong.into());
    }

    #[test]
    fn long_lists_parse_without_recursion() {
        let values: Vec<String> = (0..5000).map(|i| format!("v{i}")).collect();
        let src = format!("f:({})", values.join(" or "));
        let Node::Field { value, .. } = p(&src) else {
            panic!()
        };
        let ValueExpr::Or { items, .. } = value else {
            panic!()
        };
        assert_eq!(items.len(), 5000);
    }
}
