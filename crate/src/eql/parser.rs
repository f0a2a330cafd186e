//! Hand-written recursive-descent parser for Elasticsearch EQL with precedence climbing for
//! expressions: `or` < `and` < `not` < comparison < `+ -` < `* / %` < unary minus < predicate
//! (`in`, `:`, `like`, `regex`, which bind to a single primary as in Elasticsearch's grammar).
//! `and`/`or` chains and lists are loops, so only real nesting recurses, and nesting is bounded.

mod expr;

use super::ast::*;
use super::lexer::{tokenize, Tok, Token};
use crate::diagnostic::{Diagnostic, EqlErrorKind, Span};

/// Deepest nesting of parentheses, `not`, unary minus and function calls.
pub const MAX_DEPTH: usize = 64;
/// Elasticsearch's limit on `with runs=N`.
pub const MAX_RUNS: i64 = 100;

const KEYWORDS: &[&str] = &[
    "and", "any", "by", "false", "in", "join", "like", "maxspan", "not", "null", "of", "or",
    "regex", "sample", "sequence", "true", "until", "where", "with",
];

pub fn is_keyword(s: &str) -> bool {
    KEYWORDS.contains(&s)
}

pub fn parse(src: &str) -> Result<Query, Diagnostic> {
    let toks = tokenize(src)?;
    let mut p = Parser {
        toks,
        pos: 0,
        depth: 0,
    };
    let q = p.query()?;
    Ok(q)
}

/// Parse just a condition (what follows `where`), e.g. for tests and the page's field helpers.
pub fn parse_condition(src: &str) -> Result<Expr, Diagnostic> {
    let toks = tokenize(src)?;
    let mut p = Parser {
        toks,
        pos: 0,
        depth: 0,
    };
    let e = p.expr()?;
    p.expect_eof(&["an operator", "the end of the condition"])?;
    Ok(e)
}

struct Parser {
    toks: Vec<Token>,
    pos: usize,
    depth: usize,
}

fn join_expected(what: &[&str]) -> String {
    match what {
        [] => String::new(),
        [one] => (*one).to_string(),
        [init @ .., last] => format!("{} or {}", init.join(", "), last),
    }
}

impl Parser {
    fn peek(&self) -> &Tok {
        &self.toks[self.pos].tok
    }

    fn peek_at(&self, n: usize) -> &Tok {
        let i = (self.pos + n).min(self.toks.len() - 1);
        &self.toks[i].tok
    }

    fn span(&self) -> Span {
        self.toks[self.pos].span
    }

    fn prev_span(&self) -> Span {
        self.toks[self.pos.saturating_sub(1)].span
    }

    fn bump(&mut self) -> Token {
        let t = self.toks[self.pos].clone();
        if self.pos + 1 < self.toks.len() {
            self.pos += 1;
        }
        t
    }

    fn is_kw(&self, kw: &str) -> bool {
        matches!(self.peek(), Tok::Ident(s) if s == kw)
    }

    fn eat_kw(&mut self, kw: &str) -> Option<Span> {
        if self.is_kw(kw) {
            Some(self.bump().span)
        } else {
            None
        }
    }

    fn eat(&mut self, t: &Tok) -> Option<Span> {
        if self.peek() == t {
            Some(self.bump().span)
        } else {
            None
        }
    }

    fn error(&self, what: &[&str]) -> Diagnostic {
        let found = self.peek().describe();
        Diagnostic::new(
            EqlErrorKind::UnexpectedToken,
            format!("expected {}, found {found}", join_expected(what)),
            self.span(),
        )
        .expected(what.iter().copied())
    }

    fn expect(&mut self, t: &Tok, what: &[&str]) -> Result<Span, Diagnostic> {
        self.eat(t).ok_or_else(|| self.error(what))
    }

    fn expect_kw(&mut self, kw: &str) -> Result<Span, Diagnostic> {
        let q = format!("`{kw}`");
        self.eat_kw(kw).ok_or_else(|| self.error(&[q.as_str()]))
    }

    fn expect_eof(&mut self, what: &[&str]) -> Result<(), Diagnostic> {
        if *self.peek() == Tok::Eof {
            Ok(())
        } else {
            Err(self.error(what))
        }
    }

    fn enter(&mut self, span: Span) -> Result<(), Diagnostic> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(Diagnostic::new(
                EqlErrorKind::TooDeep,
                format!("the query nests deeper than {MAX_DEPTH} levels"),
                span,
            ));
        }
        Ok(())
    }

    fn leave(&mut self) {
        self.depth -= 1;
    }

    // ---- query structure -------------------------------------------------------------------

    fn query(&mut self) -> Result<Query, Diagnostic> {
        let start = self.span();
        let body = if let Some(kw) = self.eat_kw("sequence") {
            Body::Sequence(self.sequence(kw)?)
        } else if let Some(kw) = self.eat_kw("sample") {
            Body::Sample(self.sample(kw)?)
        } else if self.is_kw("join") {
            return Err(Diagnostic::new(
                EqlErrorKind::UnsupportedSyntax,
                "Elasticsearch EQL does not support `join`; use `sequence` or `sample`",
                self.span(),
            ));
        } else {
            Body::Event(self.event_query()?)
        };
        let mut pipes = Vec::new();
        while self.eat(&Tok::Pipe).is_some() {
            pipes.push(self.pipe()?);
        }
        self.expect_eof(&[
            "`and`",
            "`or`",
            "an operator",
            "\"|\"",
            "the end of the query",
        ])?;
        let span = start.to(self.prev_span());
        Ok(Query { body, pipes, span })
    }

    fn pipe(&mut self) -> Result<Pipe, Diagnostic> {
        let name_span = self.span();
        let name = match self.peek() {
            Tok::Ident(s) => s.clone(),
            _ => return Err(self.error(&["`head`", "`tail`"])),
        };
        self.bump();
        if name != "head" && name != "tail" {
            return Err(Diagnostic::new(
                EqlErrorKind::UnsupportedSyntax,
                format!(
                    "Elasticsearch EQL does not support the `{name}` pipe; only `head` and `tail`"
                ),
                name_span,
            )
            .expected(["`head`", "`tail`"]));
        }
        let n = match self.peek() {
            Tok::Int(n) if *n >= 0 => *n as u64,
            Tok::Int(_) | Tok::Float(_) => {
                return Err(Diagnostic::new(
                    EqlErrorKind::InvalidArgument,
                    format!("`{name}` takes a non-negative whole number"),
                    self.span(),
                ))
            }
            _ => return Err(self.error(&["a number"])),
        };
        let end = self.bump().span;
        let span = name_span.to(end);
        Ok(if name == "head" {
            Pipe::Head(n, span)
        } else {
            Pipe::Tail(n, span)
        })
    }

    fn event_query(&mut self) -> Result<EventQuery, Diagnostic> {
        let start = self.span();
        let category = match self.peek().clone() {
            Tok::Ident(s) if s == "any" => Category::Any(self.bump().span),
            Tok::Ident(s) if !is_keyword(&s) => {
                if s.contains('.') {
                    return Err(Diagnostic::new(
                        EqlErrorKind::UnexpectedToken,
                        format!("`{s}` is not an event category: write `CATEGORY where CONDITION`"),
                        self.span(),
                    )
                    .expected(["an event category", "`any`"]));
                }
                Category::Named(s, self.bump().span)
            }
            Tok::Str(s) => Category::Named(s, self.bump().span),
            _ => return Err(self.error(&["an event category", "`any`"])),
        };
        if !self.is_kw("where") {
            if matches!(self.peek(), Tok::Ident(s) if s == "of") {
                return Err(Diagnostic::new(EqlErrorKind::UnsupportedSyntax,
                    "process relationships (`descendant of`, `child of`, `event of`) are not supported by Elasticsearch EQL",
                    self.span(),
                ));
            }
            return Err(self.error(&["`where`"]));
        }
        self.bump();
        let condition = self.expr()?;
        let span = start.to(condition.span);
        Ok(EventQuery {
            category,
            condition,
            span,
        })
    }

    fn join_keys(&mut self) -> Result<Vec<Expr>, Diagnostic> {
        let mut keys = vec![self.expr()?];
        while self.eat(&Tok::Comma).is_some() {
            keys.push(self.expr()?);
        }
        Ok(keys)
    }

    fn sequence(&mut self, kw: Span) -> Result<Sequence, Diagnostic> {
        let mut by = Vec::new();
        let mut maxspan = None;
        if self.eat_kw("by").is_some() {
            by = self.join_keys()?;
        }
        if self.is_kw("with") && matches!(self.peek_at(1), Tok::Ident(s) if s == "maxspan") {
            self.bump();
            maxspan = Some(self.maxspan()?);
            if self.is_kw("by") {
                return Err(Diagnostic::new(
                    EqlErrorKind::UnexpectedToken,
                    "write the sequence's `by` before `with maxspan`, not after",
                    self.span(),
                ));
            }
        }
        let mut steps = Vec::new();
        while matches!(self.peek(), Tok::LBracket | Tok::MissingOpen) {
            steps.push(self.step(true)?);
        }
        let mut until = None;
        if let Some(u) = self.eat_kw("until") {
            if !matches!(self.peek(), Tok::LBracket) {
                return Err(self.error(&["\"[\""]));
            }
            let st = self.step(false)?;
            if st.runs.is_some() {
                return Err(Diagnostic::new(
                    EqlErrorKind::InvalidStep,
                    "`until` cannot repeat with `runs`",
                    st.span,
                ));
            }
            let _ = u;
            until = Some(st);
        }
        let steps_total: usize = steps
            .iter()
            .map(|s: &Step| s.runs.unwrap_or(1) as usize)
            .sum();
        if steps_total < 2 {
            let at = steps.last().map_or(self.span(), |s| s.span);
            return Err(Diagnostic::new(
                EqlErrorKind::TooFewSteps,
                format!("a sequence requires a minimum of 2 queries, found [{steps_total}]"),
                at,
            )
            .expected(["\"[\""]));
        }
        if steps.iter().all(|s| s.missing) {
            return Err(Diagnostic::new(
                EqlErrorKind::TooFewSteps,
                "a sequence needs at least one step that is not a missing-event (`![…]`) step",
                kw.to(self.prev_span()),
            ));
        }
        check_key_counts(&by, steps.iter().chain(until.iter()))?;
        Ok(Sequence {
            by,
            maxspan,
            steps,
            until,
            span: kw.to(self.prev_span()),
        })
    }

    fn maxspan(&mut self) -> Result<(i64, Span), Diagnostic> {
        let start = self.expect_kw("maxspan")?;
        self.expect(&Tok::Assign, &["\"=\""])?;
        let n_span = self.span();
        let n = match self.peek() {
            Tok::Int(n) if *n > 0 => *n,
            // LogicalPlanBuilder.visitSequenceParams: "A positive maxspan value is required".
            Tok::Int(n) => {
                return Err(Diagnostic::new(
                    EqlErrorKind::InvalidArgument,
                    format!("A positive maxspan value is required; found [{n}]"),
                    n_span,
                ))
            }
            Tok::Float(_) => {
                return Err(Diagnostic::new(
                    EqlErrorKind::InvalidArgument,
                    "maxspan takes a non-negative whole number with a unit, e.g. `5m`",
                    n_span,
                ))
            }
            _ => return Err(self.error(&["a time span such as `5m`"])),
        };
        self.bump();
        let unit_ms: i64 = match self.peek() {
            Tok::Ident(u) if self.span().start == n_span.end => match u.as_str() {
                "ms" => 1,
                "s" => 1000,
                "m" => 60_000,
                "h" => 3_600_000,
                "d" => 86_400_000,
                _ => {
                    return Err(Diagnostic::new(
                        EqlErrorKind::UnknownTimeUnit,
                        format!("unknown time unit `{u}`"),
                        self.span(),
                    )
                    .expected(["ms", "s", "m", "h", "d"]))
                }
            },
            _ => {
                return Err(Diagnostic::new(
                    EqlErrorKind::MissingTimeUnit,
                    format!("no time unit specified, did you mean [s] as in [{n}s]?"),
                    n_span,
                )
                .expected(["ms", "s", "m", "h", "d"]))
            }
        };
        let end = self.bump().span;
        let ms = n.checked_mul(unit_ms).ok_or_else(|| {
            Diagnostic::new(
                EqlErrorKind::MaxspanTooLarge,
                "maxspan is too large",
                n_span.to(end),
            )
        })?;
        Ok((ms, start.to(end)))
    }

    fn step(&mut self, allow_missing: bool) -> Result<Step, Diagnostic> {
        let open = self.span();
        let missing = match self.peek() {
            Tok::LBracket => false,
            Tok::MissingOpen if allow_missing => true,
            _ => return Err(self.error(&["\"[\""])),
        };
        self.bump();
        let query = self.event_query()?;
        if self.eat(&Tok::RBracket).is_none() {
            return Err(self
                .error(&["`and`", "`or`", "an operator", "\"]\""])
                .with_secondary(open));
        }
        let mut by = Vec::new();
        if self.eat_kw("by").is_some() {
            by = self.join_keys()?;
        }
        let mut runs = None;
        if self.is_kw("with") && !matches!(self.peek_at(1), Tok::Ident(s) if s == "maxspan") {
            self.bump();
            match self.peek() {
                Tok::Ident(s) if s == "runs" => {}
                _ => {
                    return Err(self.error(&["`runs`"]));
                }
            }
            self.bump();
            self.expect(&Tok::Assign, &["\"=\""])?;
            let n_span = self.span();
            let n = match self.peek() {
                Tok::Int(n) => *n,
                _ => return Err(self.error(&["a number"])),
            };
            self.bump();
            if !(1..=MAX_RUNS).contains(&n) {
                return Err(Diagnostic::new(
                    EqlErrorKind::InvalidArgument,
                    format!("runs must be between 1 and {MAX_RUNS}, found [{n}]"),
                    n_span,
                ));
            }
            runs = Some(n as u32);
        }
        Ok(Step {
            query,
            by,
            runs,
            missing,
            span: open.to(self.prev_span()),
        })
    }

    fn sample(&mut self, kw: Span) -> Result<Sample, Diagnostic> {
        let mut by = Vec::new();
        if self.eat_kw("by").is_some() {
            by = self.join_keys()?;
        }
        let mut steps = Vec::new();
        loop {
            match self.peek() {
                Tok::LBracket => {
                    let st = self.step(false)?;
                    if st.runs.is_some() {
                        return Err(Diagnostic::new(
                            EqlErrorKind::InvalidStep,
                            "sample steps cannot use `runs`",
                            st.span,
                        ));
                    }
                    steps.push(st);
                }
                Tok::MissingOpen => {
                    return Err(Diagnostic::new(
                        EqlErrorKind::InvalidStep,
                        "samples cannot have missing-event (`![…]`) steps",
                        self.span(),
                    ))
                }
                _ => break,
            }
        }
        if steps.len() < 2 {
            return Err(Diagnostic::new(
                EqlErrorKind::TooFewSteps,
                format!(
                    "a sample requires a minimum of 2 queries, found [{}]",
                    steps.len()
                ),
                steps.last().map_or(self.span(), |s| s.span),
            )
            .expected(["\"[\""]));
        }
        check_key_counts(&by, steps.iter())?;
        Ok(Sample {
            by,
            steps,
            span: kw.to(self.prev_span()),
        })
    }
}

/// Every step must end up with the same number of join keys (sequence keys + its own).
fn check_key_counts<'a>(
    by: &[Expr],
    steps: impl Iterator<Item = &'a Step>,
) -> Result<(), Diagnostic> {
    let mut first: Option<(usize, Span)> = None;
    for st in steps {
        let n = by.len() + st.by.len();
        match first {
            None => first = Some((n, st.span)),
            Some((m, at)) if m != n => {
                return Err(Diagnostic::new(EqlErrorKind::JoinKeyCountMismatch,
                    format!("inconsistent number of join keys: this step has [{n}] keys, an earlier one has [{m}]"),
                    st.span,
                )
                .with_secondary(at))
            }
            _ => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cond(src: &str) -> Expr {
        parse_condition(src).unwrap_or_else(|d| panic!("{src}: {}", d.render(src)))
    }

    fn err(src: &str) -> Diagnostic {
        parse(src).expect_err(src)
    }

    #[test]
    fn precedence() {
        // or < and < not < comparison < + - < * / %
        let e = cond("a == 1 or b == 2 and not c == 3");
        let ExprKind::Or(xs) = &e.kind else {
            panic!("{e:?}")
        };
        let ExprKind::And(ys) = &xs[1].kind else {
            panic!()
        };
        assert!(matches!(ys[1].kind, ExprKind::Not(_)));
        let e = cond("a + 2 * 3 > 4");
        let ExprKind::Compare { left, .. } = &e.kind else {
            panic!()
        };
        let ExprKind::Arith {
            op: ArithOp::Add,
            right,
            ..
        } = &left.kind
        else {
            panic!()
        };
        assert!(matches!(
            right.kind,
            ExprKind::Arith {
                op: ArithOp::Mul,
                ..
            }
        ));
        assert!(matches!(
            cond("-1").kind,
            ExprKind::Literal(Literal::Int(-1))
        ));
    }

    #[test]
    fn predicates_and_spans() {
        let src = r#"process.name : ("a*", "b") and x not in~ (1, 2)"#;
        let e = cond(src);
        let ExprKind::And(xs) = &e.kind else { panic!() };
        assert_eq!(xs[0].span.text(src), r#"process.name : ("a*", "b")"#);
        assert!(
            matches!(&xs[0].kind, ExprKind::Match { op: MatchOp::Colon, insensitive: true, patterns, .. } if patterns.len() == 2)
        );
        assert!(matches!(
            &xs[1].kind,
            ExprKind::In {
                negated: true,
                insensitive: true,
                ..
            }
        ));
        let e = cond("ENDSWITH~(?x.y, \"a\")");
        assert!(matches!(
            &e.kind,
            ExprKind::Call {
                func: Function::EndsWith,
                insensitive: true,
                ..
            }
        ));
        let e = cond("`a b`.c == \"x\" \"y\"");
        let ExprKind::Compare { left, right, .. } = &e.kind else {
            panic!()
        };
        assert!(matches!(&left.kind, ExprKind::Field(f) if f.name == "a b.c"));
        assert!(matches!(&right.kind, ExprKind::Literal(Literal::Str(s)) if s == "xy"));
    }

    #[test]
    fn sequences_samples_pipes() {
        let q = parse(
            "sequence by host.id with maxspan=5m [process where true] by user.name with runs=2 \
             ![file where true] by user.name until [network where true] by user.name | head 3",
        )
        .unwrap();
        let Body::Sequence(s) = &q.body else { panic!() };
        assert_eq!(s.maxspan.map(|m| m.0), Some(300_000));
        assert_eq!(s.steps[0].runs, Some(2));
        assert!(s.steps[1].missing);
        assert!(s.until.is_some());
        assert!(matches!(q.pipes[0], Pipe::Head(3, _)));
        let q = parse("sample by host [any where true] [any where false]").unwrap();
        assert!(matches!(q.body, Body::Sample(ref s) if s.steps.len() == 2));
    }

    #[test]
    fn errors_say_what_was_expected() {
        use EqlErrorKind::*;
        let kind = |src: &str| match err(src).kind {
            crate::diagnostic::ErrorKind::Eql(k) => k,
            other => panic!("{src}: {other}"),
        };
        let e = err("process where");
        assert_eq!(e.kind, UnexpectedToken.into());
        // Wording tests: these messages say what was expected or what to write instead.
        assert!(e.message.starts_with("expected a value"), "{}", e.message);
        let e = err("process where a == 1 )");
        assert_eq!(e.span.start, 21);
        let e = err("process where a = 1");
        assert_eq!(e.kind, UnexpectedToken.into());
        assert!(e.message.contains("=="));
        let e = err("process where foo(a)");
        assert_eq!(e.kind, UnknownFunction.into());
        assert_eq!(e.message, "unknown function `foo`");
        assert_eq!(e.span, Span::new(14, 17));
        assert_eq!(kind("process where length~(a)"), NoCaseInsensitiveForm);
        assert_eq!(kind("process where length(a, b)"), WrongArgumentCount);
        assert_eq!(kind("process where a == 1 | unique a"), UnsupportedSyntax);
        assert_eq!(kind("process where a == 1 | head 1.5"), InvalidArgument);
        assert_eq!(
            kind("join [a where true] [b where true]"),
            UnsupportedSyntax
        );
        assert_eq!(kind("process where a < b < c"), UnexpectedToken);
        assert_eq!(kind("process where a not like \"x\""), UnexpectedToken);
        assert_eq!(
            kind("process where a == 1 and descendant of [b where true]"),
            UnsupportedSyntax
        );
        assert_eq!(kind("sequence [process where true]"), TooFewSteps);
        assert_eq!(
            kind("sequence ![a where true] ![b where true]"),
            TooFewSteps
        );
        assert_eq!(kind("sample [a where true]"), TooFewSteps);
        assert_eq!(
            kind("sample [a where true] with runs=2 [b where true]"),
            InvalidStep
        );
        assert_eq!(kind("sample [a where true] ![b where true]"), InvalidStep);
        assert_eq!(
            kind("sequence [a where true] [b where true] until [c where true] with runs=2"),
            InvalidStep
        );
        assert_eq!(
            kind("sequence [a where true] with runs=0 [b where true]"),
            InvalidArgument
        );
        assert_eq!(
            kind("sequence with maxspan=5 [a where true] [b where true]"),
            MissingTimeUnit
        );
        assert_eq!(
            kind("sequence with maxspan=5y [a where true] [b where true]"),
            UnknownTimeUnit
        );
        assert_eq!(
            kind("sequence with maxspan=1.5m [a where true] [b where true]"),
            InvalidArgument
        );
        assert_eq!(
            kind("sequence with maxspan=9223372036854775807d [a where true] [b where true]"),
            MaxspanTooLarge
        );
        assert_eq!(
            kind("sequence with maxspan=5m by x [a where true] [b where true]"),
            UnexpectedToken
        );
        assert_eq!(
            kind("sequence [a where true] by x [b where true]"),
            JoinKeyCountMismatch
        );
        let e = err("process where (a == 1");
        assert_eq!(e.kind, UnexpectedToken.into());
        assert_eq!(e.secondary, Some(Span::new(14, 15)));
        assert_eq!(kind("process where a[0] == 1"), UnsupportedSyntax);
        assert_eq!(kind("process.name where true"), UnexpectedToken);
    }

    #[test]
    fn depth_is_bounded() {
        let deep = format!("any where {}a{}", "(".repeat(5000), ")".repeat(5000));
        let e = err(&deep);
        assert_eq!(e.kind, EqlErrorKind::TooDeep.into());
        let nots = format!("any where {}a", "not ".repeat(5000));
        assert_eq!(err(&nots).kind, EqlErrorKind::TooDeep.into());
        // Just under the limit: parses, compiles, evaluates and explains on a test thread's stack.
        let ok = format!("any where {}a == 1{}", "(not ".repeat(31), ")".repeat(31));
        let q = super::super::compile(&ok).unwrap();
        let ev = serde_json::json!({"a": 1});
        assert_eq!(q.matches(&ev), q.explain(&ev).verdict.is_true());
        let long = format!("any where {}", vec!["a == 1"; 20000].join(" or "));
        assert!(parse(&long).is_ok(), "long flat chains do not recurse");
    }
}
