//! From the syntax tree to what the evaluator runs: a field compared with constants becomes a
//! query [`Leaf`] (Elasticsearch translates those to Lucene queries; see `eval`), anything else
//! a script [`Node`]. Field types are resolved, constant operands folded and wildcard, regex and
//! CIDR patterns compiled here, once per query.

use super::ast::*;
use super::lexer;
use super::regex as lucene;
use super::value::EqlValue;
use crate::diagnostic::{Diagnostic, Span};
use crate::event::ecs::{field_info, FieldType};
use crate::event::lookup::FieldPath;
use crate::pattern::cidr::Cidr;
use crate::pattern::wildcard::{Piece, Wildcard};

/// The value of a field-free script node. Folding constants needs the evaluator, which itself
/// reads compiled nodes, so the evaluator passes it in (`eval::constant`) rather than this
/// module calling back into it.
pub(super) type Fold = fn(&Node) -> EqlValue;

/// A compiled condition, and by slot what each field reference reads.
pub(super) struct Condition {
    pub root: Node,
    pub slots: Vec<Slot>,
}

/// What one field reference reads from an event view.
#[derive(Clone, Debug)]
pub(super) struct Slot {
    pub path: String,
    /// A query leaf reads it (then its verdicts are cached per string).
    pub leaf: bool,
    /// A query leaf on a `flattened` field's own name: it also reads the columns under the path.
    pub flattened: bool,
}

/// Compile an event query's condition; `src` is the query text, so that a pattern that does not
/// compile is reported at the offending characters (the leftmost such pattern).
pub(super) fn condition(e: &Expr, fold: Fold, src: &str) -> Result<Condition, Diagnostic> {
    let mut cx = Cx::new(fold, src);
    let mut root = Node::build(e, &mut cx);
    if let Some(d) = cx.error {
        return Err(d);
    }
    let mut slots = Vec::new();
    root.assign_slots(&mut slots);
    Ok(Condition { root, slots })
}

/// Compile an expression evaluated for its value (a join key): a script, field references
/// without slots (it reads JSON events only). A regex that does not compile never matches.
pub(super) fn script(e: &Expr, fold: Fold) -> Node {
    Node::build_script(e, &mut Cx::new(fold, ""))
}

/// What compiling carries besides the syntax tree.
pub(super) struct Cx<'s> {
    fold: Fold,
    /// The query text, for error spans.
    src: &'s str,
    /// The first pattern that did not compile.
    error: Option<Diagnostic>,
}

impl<'s> Cx<'s> {
    pub(super) fn new(fold: Fold, src: &'s str) -> Self {
        Cx {
            fold,
            src,
            error: None,
        }
    }

    /// Keep the first error: regex `pattern` (written as the string literal at `literal`) did
    /// not compile.
    fn regex_error(&mut self, literal: Span, pattern: &str, e: lucene::RegexError) {
        if self.error.is_none() {
            let span = pattern_span(self.src, literal, pattern, &e.at);
            self.error = Some(Diagnostic::new(e.kind, e.message, span));
        }
    }
}

/// The query-text span of the characters `at` of the pattern `pattern`, written as the string
/// literal at `literal`; the whole literal when they cannot be placed.
fn pattern_span(src: &str, literal: Span, pattern: &str, at: &std::ops::Range<usize>) -> Span {
    let spans = lexer::string_char_spans(src, literal);
    if spans.len() != pattern.chars().count() || at.is_empty() {
        return literal;
    }
    match (spans.get(at.start), spans.get(at.end - 1)) {
        (Some(a), Some(b)) => a.to(*b),
        _ => literal,
    }
}

fn visit(e: &Expr, f: &mut impl FnMut(&Expr)) {
    // Iterative so deep (but parser-bounded) trees cost no extra stack.
    let mut stack = vec![e];
    while let Some(e) = stack.pop() {
        f(e);
        match &e.kind {
            ExprKind::Not(x) | ExprKind::Neg(x) => stack.push(x),
            ExprKind::And(xs) | ExprKind::Or(xs) => stack.extend(xs.iter()),
            ExprKind::Compare { left, right, .. } | ExprKind::Arith { left, right, .. } => {
                stack.push(left);
                stack.push(right);
            }
            ExprKind::In { expr, list, .. } => {
                stack.push(expr);
                stack.extend(list.iter());
            }
            ExprKind::Match { expr, patterns, .. } => {
                stack.push(expr);
                stack.extend(patterns.iter());
            }
            ExprKind::Call { args, .. } => stack.extend(args.iter()),
            ExprKind::Literal(_) | ExprKind::Field(_) => {}
        }
    }
}

#[derive(Clone, Debug)]
pub(super) struct FieldRef {
    pub(super) name: String,
    pub(super) path: FieldPath,
    pub(super) ty: FieldType,
    /// Fields ECS does not define take their type from the JSON value (dynamic mapping).
    pub(super) known: bool,
    pub(super) ignore_above: Option<usize>,
    /// This reference's place in a [`Bound`](super::eval::Bound)'s column and cache lists (see `assign_slots`).
    pub(super) slot: usize,
}

impl FieldRef {
    fn new(name: &str) -> Self {
        let info = field_info(name);
        // EQL matches a text field with a keyword multi-field exactly, through that sub-field.
        let ty = if info.ty.is_text() && super::verify::exact_subfield(name) {
            FieldType::Keyword
        } else {
            info.ty
        };
        FieldRef {
            name: name.to_string(),
            path: FieldPath::new(&info.source),
            ty,
            known: info.known,
            ignore_above: info.ignore_above,
            slot: 0,
        }
    }

    /// A constant compared with this field, in the field's terms (dates become epoch millis).
    fn coerce_const(&self, v: &EqlValue) -> EqlValue {
        match v {
            EqlValue::Str(s) if self.known && self.ty.is_date() => crate::time::parse_date(s)
                .map(EqlValue::Int)
                .unwrap_or_else(|| v.clone()),
            // Elasticsearch parses the query's number at the field's precision too.
            EqlValue::Int(_) | EqlValue::Float(_) if self.known && is_low_precision(self.ty) => {
                let f = match v {
                    EqlValue::Int(i) => *i as f64,
                    EqlValue::Float(f) => *f,
                    _ => return v.clone(),
                };
                EqlValue::Float(self.ty.stored_f64(f))
            }
            _ => v.clone(),
        }
    }
}

fn is_low_precision(ty: FieldType) -> bool {
    matches!(
        ty,
        FieldType::Float | FieldType::HalfFloat | FieldType::ScaledFloat
    )
}

#[derive(Clone, Debug)]
pub(super) enum Pat {
    Wild(Wildcard, Fast),
    /// `None` when the expression did not compile (reported by [`condition`]); never matches.
    Regex(Option<Box<lucene::Regex>>, String),
    /// A non-string operand of `:` (`pid : 4`): plain equality.
    Value(EqlValue),
}

impl Pat {
    fn new(p: &Expr, op: MatchOp, ci: bool, cx: &mut Cx) -> Pat {
        let ExprKind::Literal(lit) = &p.kind else {
            return Pat::Value(EqlValue::Null);
        };
        match (lit_value(lit), op) {
            (EqlValue::Str(s), MatchOp::Regex) => {
                let regex = match lucene::compile(&s, ci) {
                    Ok(r) => Some(Box::new(r)),
                    Err(e) => {
                        cx.regex_error(p.span, &s, e);
                        None
                    }
                };
                Pat::Regex(regex, s)
            }
            (EqlValue::Str(s), _) => {
                let w = wildcard(&s, ci);
                let fast = if !w.has_wildcards() {
                    Fast::Lit(if ci { s.to_lowercase() } else { s }, ci)
                } else if ci {
                    // The same atoms `Wildcard` builds for a case-insensitive pattern (each piece
                    // lowercased), matched case-sensitively against text lowercased once.
                    Fast::Lower(wildcard_pieces(&s, true, false))
                } else {
                    Fast::Same
                };
                Pat::Wild(w, fast)
            }
            (v, _) => Pat::Value(v),
        }
    }
}

/// How [`Pat::is_match_str`] matches a wildcard pattern without allocating.
#[derive(Clone, Debug)]
pub(super) enum Fast {
    /// No `*` or `?`: the literal (lowercased when case-insensitive), and whether it is.
    Lit(String, bool),
    /// Case-insensitive with wildcards: the lowercased pattern, case-sensitive.
    Lower(Wildcard),
    /// Case-sensitive with wildcards: the pattern itself.
    Same,
}

/// EQL wildcards: `*` any run, `?` one character, everything else literal (a backslash too).
fn wildcard(s: &str, ci: bool) -> Wildcard {
    wildcard_pieces(s, false, ci)
}

/// [`wildcard`] with the literal pieces lowercased (`lower`) independently of how the pattern
/// then compares (`ci`).
fn wildcard_pieces(s: &str, lower: bool, ci: bool) -> Wildcard {
    let mut pieces = Vec::new();
    let mut lit = String::new();
    for c in s.chars() {
        match c {
            '*' | '?' => {
                if !lit.is_empty() {
                    pieces.push(Piece::Lit(std::mem::take(&mut lit)));
                }
                pieces.push(if c == '*' { Piece::Any } else { Piece::One });
            }
            c => lit.push(c),
        }
    }
    if !lit.is_empty() {
        pieces.push(Piece::Lit(lit));
    }
    if lower {
        for p in &mut pieces {
            if let Piece::Lit(l) = p {
                *l = l.to_lowercase();
            }
        }
    }
    Wildcard::new(&pieces, ci)
}

fn lit_value(l: &Literal) -> EqlValue {
    match l {
        Literal::Null => EqlValue::Null,
        Literal::Bool(b) => EqlValue::Bool(*b),
        Literal::Int(i) => EqlValue::Int(*i),
        Literal::Float(f) => EqlValue::Float(*f),
        Literal::Str(s) => EqlValue::Str(s.clone()),
    }
}

/// A field compared with constants: translated to a Lucene query by Elasticsearch.
#[derive(Clone, Debug)]
pub(super) struct Leaf {
    pub(super) field: FieldRef,
    pub(super) test: Test,
}

#[derive(Clone, Debug)]
pub(super) enum Test {
    Cmp(CmpOp, EqlValue),
    IsNull,
    NotNull,
    In {
        list: Vec<EqlValue>,
        negated: bool,
        ci: bool,
    },
    Match {
        op: MatchOp,
        pats: Vec<Pat>,
    },
    /// startsWith / endsWith / stringContains with the field as source, or cidrMatch.
    Func {
        func: Function,
        ci: bool,
        arg: EqlValue,
        cidrs: Vec<Cidr>,
    },
    /// A bare field used as a condition: `where ?flag`.
    Truthy,
    /// A date field `==` (or `!=`, then negated) a written date: every millisecond the date
    /// names (see [`date_test`]).
    Range {
        lo: EqlValue,
        hi: EqlValue,
        negated: bool,
    },
}

/// A date field compared with a written date. Elasticsearch's QL translates a comparison with
/// a date field to a range query (`ExpressionTranslators.BinaryComparisons`), whose bounds fill
/// missing components as the range query does: `==` covers the whole of `2024-05-01` (a day),
/// `>` and `<=` compare with its last millisecond, `>=` and `<` with its first.
fn date_test(op: CmpOp, s: &str) -> Option<Test> {
    let (lo, hi) = crate::time::date_range(s)?;
    let (lo, hi) = (EqlValue::Int(lo), EqlValue::Int(hi));
    Some(match op {
        CmpOp::Eq | CmpOp::Ne => Test::Range {
            lo,
            hi,
            negated: op == CmpOp::Ne,
        },
        CmpOp::Gt | CmpOp::Le => Test::Cmp(op, hi),
        CmpOp::Ge | CmpOp::Lt => Test::Cmp(op, lo),
    })
}

#[derive(Clone, Debug)]
pub(super) struct Node {
    pub(super) kind: NodeKind,
    pub(super) span: Span,
}

#[derive(Clone, Debug)]
pub(super) enum NodeKind {
    Lit(EqlValue),
    Field(FieldRef),
    Leaf(Box<Leaf>),
    Not(Box<Node>),
    And(Vec<Node>),
    Or(Vec<Node>),
    Compare(CmpOp, Box<Node>, Box<Node>),
    Arith(ArithOp, Box<Node>, Box<Node>),
    Neg(Box<Node>),
    In {
        expr: Box<Node>,
        list: Vec<Node>,
        negated: bool,
        ci: bool,
    },
    Match {
        expr: Box<Node>,
        pats: Vec<Pat>,
    },
    Call {
        func: Function,
        ci: bool,
        args: Vec<Node>,
    },
}

/// Constant folding for the operands of a query leaf: no field anywhere inside.
fn const_value(e: &Expr, cx: &mut Cx) -> Option<EqlValue> {
    let mut has_field = false;
    visit(e, &mut |x| {
        has_field |= matches!(x.kind, ExprKind::Field(_))
    });
    if has_field {
        return None;
    }
    let node = Node::build_script(e, cx);
    Some((cx.fold)(&node))
}

fn flip(op: CmpOp) -> CmpOp {
    match op {
        CmpOp::Lt => CmpOp::Gt,
        CmpOp::Le => CmpOp::Ge,
        CmpOp::Gt => CmpOp::Lt,
        CmpOp::Ge => CmpOp::Le,
        o => o,
    }
}

impl Node {
    fn new(kind: NodeKind, span: Span) -> Self {
        Node { kind, span }
    }

    /// Build with query leaves recognised (the condition level).
    fn build(e: &Expr, cx: &mut Cx) -> Node {
        if let Some(leaf) = Self::leaf(e, cx) {
            return Node::new(NodeKind::Leaf(Box::new(leaf)), e.span);
        }
        match &e.kind {
            ExprKind::Not(x) => Node::new(NodeKind::Not(Box::new(Node::build(x, cx))), e.span),
            ExprKind::And(xs) => Node::new(
                NodeKind::And(xs.iter().map(|x| Node::build(x, cx)).collect()),
                e.span,
            ),
            ExprKind::Or(xs) => Node::new(
                NodeKind::Or(xs.iter().map(|x| Node::build(x, cx)).collect()),
                e.span,
            ),
            _ => Node::build_script(e, cx),
        }
    }

    pub(super) fn leaf(e: &Expr, cx: &mut Cx) -> Option<Leaf> {
        let field_of = |x: &Expr| match &x.kind {
            ExprKind::Field(f) => Some(FieldRef::new(&f.name)),
            _ => None,
        };
        let (field, test) = match &e.kind {
            ExprKind::Field(f) => (FieldRef::new(&f.name), Test::Truthy),
            ExprKind::Compare { op, left, right } => {
                let (field, op, other) = match (field_of(left), field_of(right)) {
                    (Some(f), None) => (f, *op, right),
                    (None, Some(f)) => (f, flip(*op), left),
                    _ => return None,
                };
                let v = const_value(other, cx)?;
                let test = match (op, &v) {
                    (CmpOp::Eq, EqlValue::Null) => Test::IsNull,
                    (CmpOp::Ne, EqlValue::Null) => Test::NotNull,
                    (_, EqlValue::Null) => return None,
                    (_, EqlValue::Str(s)) if field.known && field.ty.is_date() => {
                        date_test(op, s).unwrap_or_else(|| Test::Cmp(op, v.clone()))
                    }
                    _ => Test::Cmp(op, field.coerce_const(&v)),
                };
                (field, test)
            }
            ExprKind::In {
                expr,
                list,
                negated,
                insensitive,
            } => {
                let field = field_of(expr)?;
                let list = list
                    .iter()
                    .map(|x| const_value(x, cx).map(|v| field.coerce_const(&v)))
                    .collect::<Option<Vec<_>>>()?;
                (
                    field,
                    Test::In {
                        list,
                        negated: *negated,
                        ci: *insensitive,
                    },
                )
            }
            ExprKind::Match {
                expr,
                op,
                patterns,
                insensitive,
            } => {
                let field = field_of(expr)?;
                let pats = patterns
                    .iter()
                    .map(|p| Pat::new(p, *op, *insensitive, cx))
                    .collect();
                (field, Test::Match { op: *op, pats })
            }
            ExprKind::Call {
                func,
                insensitive,
                args,
                ..
            } => match func {
                Function::StartsWith | Function::EndsWith | Function::StringContains => {
                    let field = field_of(args.first()?)?;
                    let arg = const_value(args.get(1)?, cx)?;
                    (
                        field,
                        Test::Func {
                            func: *func,
                            ci: *insensitive,
                            arg,
                            cidrs: Vec::new(),
                        },
                    )
                }
                Function::CidrMatch => {
                    let field = field_of(args.first()?)?;
                    let texts = args[1..]
                        .iter()
                        .map(|a| match const_value(a, cx)? {
                            EqlValue::Str(s) => Some(s),
                            _ => None,
                        })
                        .collect::<Option<Vec<_>>>()?;
                    let cidrs = texts
                        .iter()
                        .map(|s| Cidr::parse(s))
                        .collect::<Option<Vec<_>>>()?;
                    (
                        field,
                        Test::Func {
                            func: *func,
                            ci: false,
                            arg: EqlValue::Many(texts.into_iter().map(EqlValue::Str).collect()),
                            cidrs,
                        },
                    )
                }
                _ => return None,
            },
            _ => return None,
        };
        Some(Leaf { field, test })
    }

    /// Build for script (three-valued) evaluation; boolean sub-conditions inside still use
    /// leaves, whose three-valued result is the same test.
    fn build_script(e: &Expr, cx: &mut Cx) -> Node {
        let mut b = |x: &Expr| Box::new(Node::build_script(x, cx));
        let kind = match &e.kind {
            ExprKind::Literal(l) => NodeKind::Lit(lit_value(l)),
            ExprKind::Field(f) => NodeKind::Field(FieldRef::new(&f.name)),
            ExprKind::Not(x) => NodeKind::Not(Box::new(Node::build(x, cx))),
            ExprKind::And(xs) => NodeKind::And(xs.iter().map(|x| Node::build(x, cx)).collect()),
            ExprKind::Or(xs) => NodeKind::Or(xs.iter().map(|x| Node::build(x, cx)).collect()),
            ExprKind::Compare { op, left, right } => NodeKind::Compare(*op, b(left), b(right)),
            ExprKind::Arith { op, left, right } => NodeKind::Arith(*op, b(left), b(right)),
            ExprKind::Neg(x) => NodeKind::Neg(b(x)),
            ExprKind::In {
                expr,
                list,
                negated,
                insensitive,
            } => NodeKind::In {
                expr: b(expr),
                list: list.iter().map(|x| Node::build_script(x, cx)).collect(),
                negated: *negated,
                ci: *insensitive,
            },
            ExprKind::Match {
                expr,
                op,
                patterns,
                insensitive,
            } => NodeKind::Match {
                expr: b(expr),
                pats: patterns
                    .iter()
                    .map(|p| Pat::new(p, *op, *insensitive, cx))
                    .collect(),
            },
            ExprKind::Call {
                func,
                insensitive,
                args,
                ..
            } => NodeKind::Call {
                func: *func,
                ci: *insensitive,
                args: args.iter().map(|x| Node::build_script(x, cx)).collect(),
            },
        };
        Node::new(kind, e.span)
    }

    /// Number the field references (their places in a [`Bound`](super::eval::Bound)).
    fn assign_slots(&mut self, slots: &mut Vec<Slot>) {
        let mut add = |f: &mut FieldRef, leaf: bool| {
            f.slot = slots.len();
            slots.push(Slot {
                path: f.path.name().to_string(),
                leaf,
                flattened: leaf && f.ty == FieldType::Flattened,
            });
        };
        match &mut self.kind {
            NodeKind::Field(f) => add(f, false),
            NodeKind::Leaf(l) => add(&mut l.field, true),
            NodeKind::Lit(_) => {}
            NodeKind::Not(x) | NodeKind::Neg(x) => x.assign_slots(slots),
            NodeKind::And(xs) | NodeKind::Or(xs) => {
                xs.iter_mut().for_each(|x| x.assign_slots(slots))
            }
            NodeKind::Compare(_, l, r) | NodeKind::Arith(_, l, r) => {
                l.assign_slots(slots);
                r.assign_slots(slots);
            }
            NodeKind::In { expr, list, .. } => {
                expr.assign_slots(slots);
                list.iter_mut().for_each(|x| x.assign_slots(slots));
            }
            NodeKind::Match { expr, .. } => expr.assign_slots(slots),
            NodeKind::Call { args, .. } => args.iter_mut().for_each(|x| x.assign_slots(slots)),
        }
    }
}
