//! Evaluation of EQL conditions with Elasticsearch's semantics.
//!
//! Elasticsearch runs an EQL condition in two ways, and the verdicts differ on missing fields:
//! * A comparison of a field with constants (`f == v`, `f != v`, `f in (…)`, `f : p`, `f like p`,
//!   `f regex p`, `startsWith(f, "x")`, `cidrMatch(f, …)`, …) becomes a Lucene query (QL's
//!   `ExpressionTranslators`): it holds when ANY value of the field satisfies it, a missing field
//!   satisfies nothing, and `!=` / `not in` / `not` are `must_not` of the positive query — so
//!   they HOLD on a document without the field (`NotEquals` → `NotQuery(TermQuery)`).
//!   `and` / `or` / `not` over such queries are plain boolean logic.
//! * Anything else (functions over fields compared with values, arithmetic, `null == (…)`) runs
//!   as a script with three-valued logic: a missing field is null, an operation on null is
//!   null, `not null` is null, and a null result does not match. `== null` / `!= null` are
//!   presence tests. A `not` directly around such a script negates inside the script (null stays
//!   null).
//!
//! [`CompiledEvent`] resolves field types and patterns once; [`CompiledEvent::matches`] and
//! [`CompiledEvent::explain`] share the leaf tests so they cannot disagree.

use super::ast::*;
use super::functions;
use super::regex as lucene;
use crate::diagnostic::{Diagnostic, Span};
use crate::event::ecs::{field_info, FieldType};
use crate::event::lookup::FieldPath;
use crate::event::table::{self, cached, new_memo, ColumnView, EventTable};
use crate::explain::{Clause, Looked, Verdict};
use crate::pattern::cidr::{parse_ip, Cidr};
use crate::pattern::wildcard::{Piece, Wildcard};
use serde_json::Value;
use std::cell::Cell;
use std::cmp::Ordering;

/// A value during evaluation; `Null` is EQL's null (a missing field, or an undefined result).
#[derive(Clone, Debug, PartialEq)]
pub enum EqlValue {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    /// Every value of a multi-valued field.
    Many(Vec<EqlValue>),
}

impl EqlValue {
    pub fn is_null(&self) -> bool {
        matches!(self, EqlValue::Null)
    }

    /// JSON form (for join keys and explanations).
    pub fn to_json(&self) -> Value {
        match self {
            EqlValue::Null => Value::Null,
            EqlValue::Bool(b) => Value::Bool(*b),
            EqlValue::Int(i) => Value::from(*i),
            EqlValue::Float(f) => Value::from(*f),
            EqlValue::Str(s) => Value::String(s.clone()),
            EqlValue::Many(vs) => Value::Array(vs.iter().map(EqlValue::to_json).collect()),
        }
    }

    /// The single value a script sees: Elasticsearch scripts read the first doc value, and doc
    /// values are sorted (numbers ascending, strings by bytes).
    fn scalar(self) -> EqlValue {
        match self {
            EqlValue::Many(vs) => vs.into_iter().min_by(sort_order).unwrap_or(EqlValue::Null),
            v => v,
        }
    }
}

fn sort_order(a: &EqlValue, b: &EqlValue) -> Ordering {
    compare_values(a, b).unwrap_or_else(|| rank(a).cmp(&rank(b)))
}

fn rank(v: &EqlValue) -> u8 {
    match v {
        EqlValue::Null => 0,
        EqlValue::Bool(_) => 1,
        EqlValue::Int(_) | EqlValue::Float(_) => 2,
        EqlValue::Str(_) => 3,
        EqlValue::Many(_) => 4,
    }
}

// ---- public contract used by run/sequence/sample ---------------------------------------------

/// Three-valued value of an expression for one event (a condition gives `Bool` or `Null`).
pub fn eval(expr: &Expr, event: &Value) -> EqlValue {
    Node::build_script(expr).eval3(Doc::Json(event))
}

/// Whether the event passes the query's category filter and condition.
pub fn matches_event(q: &EventQuery, event: &Value) -> bool {
    CompiledEvent::new(q).matches(event)
}

/// A join key's value: the field's value (an array for a multi-valued field) or the
/// expression's result; `None` when null or missing.
pub fn key_value(expr: &Expr, event: &Value) -> Option<Value> {
    match eval(expr, event) {
        EqlValue::Null => None,
        v => Some(v.to_json()),
    }
}

/// The explanation of [`matches_event`].
pub fn explain_event(q: &EventQuery, event: &Value) -> Clause {
    CompiledEvent::new(q).explain(event)
}

/// Check what can only be checked once the query is known: regular expressions compile.
pub fn validate(q: &EventQuery) -> Result<(), Diagnostic> {
    let mut err = None;
    visit(&q.condition, &mut |e| {
        if let ExprKind::Match {
            op: MatchOp::Regex,
            patterns,
            insensitive,
            ..
        } = &e.kind
        {
            for p in patterns {
                if let ExprKind::Literal(Literal::Str(s)) = &p.kind {
                    if let Err(m) = lucene::compile(s, *insensitive) {
                        err.get_or_insert(Diagnostic::new(
                            crate::diagnostic::EqlErrorKind::Syntax,
                            m,
                            p.span,
                        ));
                    }
                }
            }
        }
    });
    err.map_or(Ok(()), Err)
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

// ---- what a condition reads -------------------------------------------------------------------

/// One event as the evaluator reads it: a JSON value, or a row of an [`EventTable`] through a
/// query's [`Bound`] columns. Every test runs the same code on both; only where the values come
/// from differs.
#[derive(Clone, Copy)]
pub enum Doc<'a> {
    Json(&'a Value),
    Row(&'a Bound<'a>, usize),
}

/// A [`CompiledEvent`] bound to one [`EventTable`]: each field reference's column resolved once
/// (no lookup by name per event), plus per-string verdict caches. Build with
/// [`CompiledEvent::bind`]; use only with the query that built it.
pub struct Bound<'t> {
    table: &'t EventTable,
    /// Per field slot.
    slots: Vec<BoundSlot<'t>>,
    category: BoundSlot<'t>,
}

struct BoundSlot<'t> {
    column: ColumnView<'t>,
    /// For a query leaf: its verdict on each dictionary string, 0 = not computed yet (see
    /// `cached`). Empty for slots read by scripts.
    memo: Vec<Cell<u8>>,
}

impl<'t> Bound<'t> {
    #[inline]
    fn cells(&self, slot: usize, row: usize) -> &'t [table::Packed] {
        self.slots.get(slot).map_or(&[], |s| s.column.row(row))
    }
}

// ---- compiled form ---------------------------------------------------------------------------

/// An event query with field types and patterns resolved once.
#[derive(Clone, Debug)]
pub struct CompiledEvent {
    category: Option<(String, Span)>,
    /// `event.category`, split once (checked for every event).
    category_path: FieldPath,
    span: Span,
    root: Node,
    /// The field path each slot reads, and whether a query leaf reads it (then its verdicts
    /// are cached per string).
    slots: Vec<(String, bool)>,
}

impl CompiledEvent {
    pub fn new(q: &EventQuery) -> Self {
        let mut root = Node::build(&q.condition);
        let mut slots = Vec::new();
        root.assign_slots(&mut slots);
        CompiledEvent {
            category: match &q.category {
                Category::Any(_) => None,
                Category::Named(n, s) => Some((n.clone(), *s)),
            },
            category_path: FieldPath::new("event.category"),
            span: q.span,
            root,
            slots,
        }
    }

    pub fn matches(&self, event: &Value) -> bool {
        self.matches_doc(Doc::Json(event))
    }

    /// [`CompiledEvent::matches`] on row `row` of the table `b` is bound to.
    pub fn matches_row(&self, b: &Bound, row: usize) -> bool {
        self.matches_doc(Doc::Row(b, row))
    }

    pub fn matches_doc(&self, doc: Doc) -> bool {
        self.category_holds(doc) && self.root.query(doc)
    }

    /// Keep the rows of `b`'s table in `rows` that match: [`CompiledEvent::matches_row`] for a
    /// whole batch, one test at a time over the rows still in (the tests of an `and` run as
    /// successive filters: a tight loop per test instead of a walk of the tree per row).
    pub fn filter_rows(&self, b: &Bound, rows: &mut Vec<u32>) {
        if self.category.is_some() {
            rows.retain(|&r| self.category_holds(Doc::Row(b, r as usize)));
        }
        self.root.filter_rows(b, rows);
    }

    fn category_holds(&self, doc: Doc) -> bool {
        let Some((cat, _)) = &self.category else {
            return true;
        };
        let cat = cat.as_str();
        match doc {
            Doc::Json(event) => self
                .category_path
                .any_value(event, |v| v.as_str() == Some(cat)),
            Doc::Row(b, row) => b.category.column.row(row).iter().any(|c| match c.get() {
                table::Cell::Str(id) => {
                    cached(&b.category.memo, id, || Some(b.table.str(id) == cat)) == Some(true)
                }
                _ => false,
            }),
        }
    }

    /// Resolve this query's fields to `table`'s columns (once per query and table).
    pub fn bind<'t>(&self, table: &'t EventTable) -> Bound<'t> {
        let n = table.string_count();
        Bound {
            table,
            slots: self
                .slots
                .iter()
                .map(|(path, leaf)| BoundSlot {
                    column: table.view(table.column(path)),
                    memo: if *leaf { new_memo(n) } else { Vec::new() },
                })
                .collect(),
            category: BoundSlot {
                column: table.view(table.column("event.category")),
                memo: if self.category.is_some() {
                    new_memo(n)
                } else {
                    Vec::new()
                },
            },
        }
    }

    pub fn explain(&self, event: &Value) -> Clause {
        let cond = self.root.explain(event);
        let Some((cat, span)) = &self.category else {
            return cond;
        };
        let looked = FieldPath::new("event.category").values_with_paths(event);
        let ok = category_matches(cat, event);
        let mut c = Clause::new("category", *span, Verdict::from_bool(ok));
        c.field = Some("event.category".into());
        c.looked = looked
            .iter()
            .map(|(p, v)| Looked {
                path: p.clone(),
                value: (*v).clone(),
                matched: v.as_str() == Some(cat.as_str()),
                pattern: Some(cat.clone()),
            })
            .collect();
        if !ok {
            c.message = Some(if looked.is_empty() {
                "event.category is missing".to_string()
            } else {
                format!(
                    "event.category is {}, not \"{cat}\"",
                    show_values(looked.iter().map(|(_, v)| *v))
                )
            });
            if looked.is_empty() {
                c.verdict = Verdict::Missing;
            }
        }
        let verdict = Verdict::from_bool(ok && cond.verdict.is_true());
        let mut root = Clause::new("and", self.span, verdict);
        root.children = vec![c, cond];
        root
    }
}

/// `CATEGORY where`: any value of `event.category` equals the name (a keyword: exact case).
pub fn category_matches(cat: &str, event: &Value) -> bool {
    FieldPath::new("event.category").any_value(event, |v| v.as_str() == Some(cat))
}

#[derive(Clone, Debug)]
struct FieldRef {
    name: String,
    path: FieldPath,
    ty: FieldType,
    /// Fields ECS does not define take their type from the JSON value (dynamic mapping).
    known: bool,
    ignore_above: Option<usize>,
    /// This reference's place in a [`Bound`]'s column and cache lists (see `assign_slots`).
    slot: usize,
}

impl FieldRef {
    fn new(name: &str) -> Self {
        let info = field_info(name);
        FieldRef {
            name: name.to_string(),
            path: FieldPath::new(&info.source),
            ty: info.ty,
            known: info.known,
            ignore_above: info.ignore_above,
            slot: 0,
        }
    }

    /// The indexed value of one JSON leaf, as the mapping sees it; `None` when not indexed.
    fn convert(&self, v: &Value) -> Option<EqlValue> {
        let ty = self.ty;
        match v {
            Value::Null | Value::Object(_) | Value::Array(_) => None,
            Value::Bool(b) => {
                if self.known && ty.is_keyword_like() {
                    Some(EqlValue::Str(b.to_string()))
                } else {
                    Some(EqlValue::Bool(*b))
                }
            }
            Value::Number(n) => {
                if self.known && ty.is_keyword_like() {
                    return Some(EqlValue::Str(n.to_string()));
                }
                if ty.is_integer() {
                    if let Some(i) = n.as_i64() {
                        return Some(EqlValue::Int(i));
                    }
                    // Integer fields truncate decimals at index time.
                    return n.as_f64().map(|f| EqlValue::Int(f.trunc() as i64));
                }
                match n.as_i64() {
                    Some(i) if !(self.known && ty.is_numeric()) || ty.is_integer() => {
                        Some(EqlValue::Int(i))
                    }
                    _ => n.as_f64().map(EqlValue::Float),
                }
            }
            Value::String(s) => self.convert_str(s),
        }
    }

    /// [`FieldRef::convert`] of a JSON string.
    fn convert_str(&self, s: &str) -> Option<EqlValue> {
        let ty = self.ty;
        if self.known && ty.is_numeric() {
            let t = s.trim();
            return match t.parse::<i64>() {
                Ok(i) => Some(EqlValue::Int(i)),
                Err(_) => t.parse::<f64>().ok().map(|f| {
                    if ty.is_integer() {
                        EqlValue::Int(f.trunc() as i64)
                    } else {
                        EqlValue::Float(f)
                    }
                }),
            };
        }
        if self.known && ty.is_date() {
            return crate::time::parse_date(s).map(EqlValue::Int);
        }
        if self.known && ty == FieldType::Boolean {
            return match s {
                "true" => Some(EqlValue::Bool(true)),
                "false" | "" => Some(EqlValue::Bool(false)),
                _ => None,
            };
        }
        if let Some(limit) = self.ignore_above {
            if s.chars().count() > limit {
                return None;
            }
        }
        Some(EqlValue::Str(s.to_string()))
    }

    /// Whether [`FieldRef::convert`] indexes the JSON string `s` as the string itself, so a
    /// test can look at `s` without building an [`EqlValue`] (the allocation-free hot path).
    fn keeps_str(&self, s: &str) -> bool {
        if self.known
            && (self.ty.is_numeric() || self.ty.is_date() || self.ty == FieldType::Boolean)
        {
            return false;
        }
        match self.ignore_above {
            // Counting chars only matters when the byte length could exceed the limit.
            Some(limit) => s.len() <= limit || s.chars().count() <= limit,
            None => true,
        }
    }

    fn values(&self, doc: Doc) -> Vec<EqlValue> {
        match doc {
            Doc::Json(event) => {
                let mut raw = Vec::new();
                self.path.values(event, &mut raw);
                raw.into_iter().filter_map(|v| self.convert(v)).collect()
            }
            Doc::Row(b, row) => b
                .cells(self.slot, row)
                .iter()
                .filter_map(|c| match c.get() {
                    table::Cell::Str(id) => self.convert_str(b.table.str(id)),
                    table::Cell::Other(id) => self.convert(b.table.other(id)),
                    table::Cell::Object => None,
                })
                .collect(),
        }
    }

    fn value(&self, event: Doc) -> EqlValue {
        let mut vs = self.values(event);
        match vs.len() {
            0 => EqlValue::Null,
            1 => vs.pop().unwrap_or(EqlValue::Null),
            _ => EqlValue::Many(vs),
        }
    }

    /// A constant compared with this field, in the field's terms (dates become epoch millis).
    fn coerce_const(&self, v: &EqlValue) -> EqlValue {
        match v {
            EqlValue::Str(s) if self.known && self.ty.is_date() => crate::time::parse_date(s)
                .map(EqlValue::Int)
                .unwrap_or_else(|| v.clone()),
            _ => v.clone(),
        }
    }
}

#[derive(Clone, Debug)]
enum Pat {
    Wild(Wildcard, Fast),
    /// `None` when the expression did not compile (reported by [`validate`]); never matches.
    Regex(Option<Box<lucene::Regex>>, String),
    /// A non-string operand of `:` (`pid : 4`): plain equality.
    Value(EqlValue),
}

impl Pat {
    fn new(p: &Expr, op: MatchOp, ci: bool) -> Pat {
        let ExprKind::Literal(lit) = &p.kind else {
            return Pat::Value(EqlValue::Null);
        };
        match (lit_value(lit), op) {
            (EqlValue::Str(s), MatchOp::Regex) => {
                Pat::Regex(lucene::compile(&s, ci).ok().map(Box::new), s)
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

    fn source(&self) -> String {
        match self {
            Pat::Wild(w, _) => w.source().to_string(),
            Pat::Regex(_, s) => s.clone(),
            Pat::Value(v) => show_eql(v),
        }
    }

    fn is_match(&self, v: &EqlValue) -> bool {
        match self {
            Pat::Value(p) => values_equal(v, p, false),
            _ => {
                let Some(s) = functions::to_string(v) else {
                    return false;
                };
                match self {
                    Pat::Wild(w, _) => w.is_match(&s),
                    Pat::Regex(Some(r), _) => r.is_match(&s),
                    _ => false,
                }
            }
        }
    }
}

/// How [`Pat::is_match_str`] matches a wildcard pattern without allocating.
#[derive(Clone, Debug)]
enum Fast {
    /// No `*` or `?`: the literal (lowercased when case-insensitive), and whether it is.
    Lit(String, bool),
    /// Case-insensitive with wildcards: the lowercased pattern, case-sensitive.
    Lower(Wildcard),
    /// Case-sensitive with wildcards: the pattern itself.
    Same,
}

impl Pat {
    /// [`Pat::is_match`] for a string value, without allocating for ASCII text; `lower` caches
    /// the value lowercased (shared by every pattern of one `:`). `None` for a non-string
    /// pattern (the caller falls back to [`Pat::is_match`]).
    fn is_match_str<'s>(&self, s: &'s str, lower: &mut Option<Lower<'s>>) -> Option<bool> {
        Some(match self {
            Pat::Wild(w, Fast::Lit(l, ci)) => {
                if !ci {
                    s == l
                } else if s.is_ascii() {
                    // ASCII lowercasing is per byte; `l` is already lowercase.
                    s.eq_ignore_ascii_case(l)
                } else {
                    w.is_match(s)
                }
            }
            Pat::Wild(_, Fast::Lower(lw)) => {
                lw.is_match(lower.get_or_insert_with(|| Lower::new(s)).as_str())
            }
            Pat::Wild(w, Fast::Same) => w.is_match(s),
            Pat::Regex(Some(r), _) => r.is_match(s),
            Pat::Regex(None, _) => false,
            Pat::Value(_) => return None,
        })
    }
}

/// Bytes of ASCII text lowercased on the stack (no allocation per tested value).
const STACK_LOWER: usize = 96;

/// `s.to_lowercase()`: borrowed when that changes nothing (ASCII without capitals), on the stack
/// for short ASCII text, else allocated.
enum Lower<'s> {
    Same(&'s str),
    Stack([u8; STACK_LOWER], usize),
    Heap(String),
}

impl<'s> Lower<'s> {
    fn new(s: &'s str) -> Self {
        if !s.is_ascii() {
            return Lower::Heap(s.to_lowercase());
        }
        if !s.bytes().any(|b| b.is_ascii_uppercase()) {
            return Lower::Same(s);
        }
        if s.len() > STACK_LOWER {
            return Lower::Heap(s.to_ascii_lowercase());
        }
        let mut buf = [0u8; STACK_LOWER];
        for (d, b) in buf.iter_mut().zip(s.bytes()) {
            *d = b.to_ascii_lowercase();
        }
        Lower::Stack(buf, s.len())
    }

    fn as_str(&self) -> &str {
        match self {
            Lower::Same(s) => s,
            // ASCII bytes are always UTF-8.
            Lower::Stack(buf, n) => std::str::from_utf8(&buf[..*n]).unwrap_or(""),
            Lower::Heap(s) => s,
        }
    }
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
struct Leaf {
    field: FieldRef,
    test: Test,
}

#[derive(Clone, Debug)]
enum Test {
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
}

#[derive(Clone, Debug)]
struct Node {
    kind: NodeKind,
    span: Span,
}

#[derive(Clone, Debug)]
enum NodeKind {
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
fn const_value(e: &Expr) -> Option<EqlValue> {
    let mut has_field = false;
    visit(e, &mut |x| {
        has_field |= matches!(x.kind, ExprKind::Field(_))
    });
    if has_field {
        return None;
    }
    Some(Node::build_script(e).eval3(Doc::Json(&Value::Null)))
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
    fn build(e: &Expr) -> Node {
        if let Some(leaf) = Self::leaf(e) {
            return Node::new(NodeKind::Leaf(Box::new(leaf)), e.span);
        }
        match &e.kind {
            ExprKind::Not(x) => Node::new(NodeKind::Not(Box::new(Node::build(x))), e.span),
            ExprKind::And(xs) => {
                Node::new(NodeKind::And(xs.iter().map(Node::build).collect()), e.span)
            }
            ExprKind::Or(xs) => {
                Node::new(NodeKind::Or(xs.iter().map(Node::build).collect()), e.span)
            }
            _ => Node::build_script(e),
        }
    }

    fn leaf(e: &Expr) -> Option<Leaf> {
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
                let v = const_value(other)?;
                let test = match (op, &v) {
                    (CmpOp::Eq, EqlValue::Null) => Test::IsNull,
                    (CmpOp::Ne, EqlValue::Null) => Test::NotNull,
                    (_, EqlValue::Null) => return None,
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
                    .map(|x| const_value(x).map(|v| field.coerce_const(&v)))
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
                    .map(|p| Pat::new(p, *op, *insensitive))
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
                    let arg = const_value(args.get(1)?)?;
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
                        .map(|a| match const_value(a)? {
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
    fn build_script(e: &Expr) -> Node {
        let b = |x: &Expr| Box::new(Node::build_script(x));
        let kind = match &e.kind {
            ExprKind::Literal(l) => NodeKind::Lit(lit_value(l)),
            ExprKind::Field(f) => NodeKind::Field(FieldRef::new(&f.name)),
            ExprKind::Not(x) => NodeKind::Not(Box::new(Node::build(x))),
            ExprKind::And(xs) => NodeKind::And(xs.iter().map(Node::build).collect()),
            ExprKind::Or(xs) => NodeKind::Or(xs.iter().map(Node::build).collect()),
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
                list: list.iter().map(Node::build_script).collect(),
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
                    .map(|p| Pat::new(p, *op, *insensitive))
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
                args: args.iter().map(Node::build_script).collect(),
            },
        };
        Node::new(kind, e.span)
    }

    /// Number the field references (their places in a [`Bound`]).
    fn assign_slots(&mut self, slots: &mut Vec<(String, bool)>) {
        let mut add = |f: &mut FieldRef, leaf: bool| {
            f.slot = slots.len();
            slots.push((f.path.name().to_string(), leaf));
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

    /// Whether Elasticsearch runs this node as a script (a `not` around it negates in three-valued
    /// logic) rather than as a query.
    fn is_script(&self) -> bool {
        match &self.kind {
            NodeKind::Leaf(_) | NodeKind::And(_) | NodeKind::Or(_) | NodeKind::Lit(_) => false,
            NodeKind::Not(x) => x.is_script(),
            _ => true,
        }
    }

    /// [`Node::query`] over a batch of rows: keep those where it holds.
    fn filter_rows(&self, b: &Bound, rows: &mut Vec<u32>) {
        match &self.kind {
            NodeKind::And(xs) => {
                for x in xs {
                    if rows.is_empty() {
                        return;
                    }
                    x.filter_rows(b, rows);
                }
            }
            NodeKind::Leaf(l) => l.filter_rows(b, rows),
            _ => rows.retain(|&r| self.query(Doc::Row(b, r as usize))),
        }
    }

    /// The query-level verdict (what filters the event).
    fn query(&self, ev: Doc) -> bool {
        match &self.kind {
            NodeKind::And(xs) => xs.iter().all(|x| x.query(ev)),
            NodeKind::Or(xs) => xs.iter().any(|x| x.query(ev)),
            NodeKind::Not(x) => {
                if x.is_script() {
                    x.eval3(ev) == EqlValue::Bool(false)
                } else {
                    !x.query(ev)
                }
            }
            NodeKind::Leaf(l) => l.query(ev),
            NodeKind::Lit(v) => *v == EqlValue::Bool(true),
            _ => self.eval3(ev) == EqlValue::Bool(true),
        }
    }

    /// Three-valued value.
    fn eval3(&self, ev: Doc) -> EqlValue {
        use EqlValue::*;
        match &self.kind {
            NodeKind::Lit(v) => v.clone(),
            NodeKind::Field(f) => f.value(ev),
            NodeKind::Leaf(l) => l.eval3(ev).map_or(Null, Bool),
            NodeKind::Not(x) => match x.eval3(ev) {
                Bool(b) => Bool(!b),
                _ => Null,
            },
            NodeKind::And(xs) => {
                let mut null = false;
                for x in xs {
                    match x.eval3(ev) {
                        Bool(true) => {}
                        Bool(false) => return Bool(false),
                        _ => null = true,
                    }
                }
                if null {
                    Null
                } else {
                    Bool(true)
                }
            }
            NodeKind::Or(xs) => {
                let mut null = false;
                for x in xs {
                    match x.eval3(ev) {
                        Bool(true) => return Bool(true),
                        Bool(false) => {}
                        _ => null = true,
                    }
                }
                if null {
                    Null
                } else {
                    Bool(false)
                }
            }
            NodeKind::Compare(op, l, r) => {
                let (a, b) = (l.eval3(ev), r.eval3(ev));
                let null_lit = |n: &Node| matches!(n.kind, NodeKind::Lit(Null));
                if matches!(op, CmpOp::Eq | CmpOp::Ne) && (null_lit(l) || null_lit(r)) {
                    let other_null = if null_lit(l) {
                        b.is_null()
                    } else {
                        a.is_null()
                    };
                    return Bool(other_null == (*op == CmpOp::Eq));
                }
                if matches!(op, CmpOp::Eq | CmpOp::Ne) && a.is_null() && b.is_null() {
                    // `null == (exit_code > -1)`: both sides null are equal in Elasticsearch.
                    return Bool(*op == CmpOp::Eq);
                }
                let (a, b) = (a.scalar(), b.scalar());
                if a.is_null() || b.is_null() {
                    return Null;
                }
                Bool(cmp_holds(*op, &a, &b, false))
            }
            NodeKind::Arith(op, l, r) => {
                let (a, b) = (l.eval3(ev).scalar(), r.eval3(ev).scalar());
                match op {
                    ArithOp::Add => functions::arith(&a, &b, i64::checked_add, |x, y| x + y),
                    ArithOp::Sub => functions::arith(&a, &b, i64::checked_sub, |x, y| x - y),
                    ArithOp::Mul => functions::arith(&a, &b, i64::checked_mul, |x, y| x * y),
                    ArithOp::Div => functions::divide(&a, &b),
                    ArithOp::Mod => functions::modulo(&a, &b),
                }
            }
            NodeKind::Neg(x) => match x.eval3(ev).scalar() {
                Int(i) => i.checked_neg().map_or(Null, Int),
                Float(f) => Float(-f),
                _ => Null,
            },
            NodeKind::In {
                expr,
                list,
                negated,
                ci,
            } => {
                let v = expr.eval3(ev).scalar();
                if v.is_null() {
                    return Null;
                }
                let found = list
                    .iter()
                    .any(|x| values_equal(&v, &x.eval3(ev).scalar(), *ci));
                Bool(found != *negated)
            }
            NodeKind::Match { expr, pats } => {
                let v = expr.eval3(ev).scalar();
                if v.is_null() {
                    return Null;
                }
                Bool(pats.iter().any(|p| p.is_match(&v)))
            }
            NodeKind::Call { func, ci, args } => {
                let vals: Vec<EqlValue> = args.iter().map(|a| a.eval3(ev).scalar()).collect();
                functions::call(*func, *ci, &vals)
            }
        }
    }

    // ---- explanation -------------------------------------------------------------------------

    fn explain(&self, ev: &Value) -> Clause {
        match &self.kind {
            NodeKind::And(xs) | NodeKind::Or(xs) => {
                let and = matches!(self.kind, NodeKind::And(_));
                let children: Vec<Clause> = xs.iter().map(|x| x.explain(ev)).collect();
                let ok = if and {
                    children.iter().all(|c| c.verdict.is_true())
                } else {
                    children.iter().any(|c| c.verdict.is_true())
                };
                let mut c = Clause::new(
                    if and { "and" } else { "or" },
                    self.span,
                    Verdict::from_bool(ok),
                );
                c.children = children;
                c
            }
            NodeKind::Not(x) => {
                let child = x.explain(ev);
                let ok = self.query(Doc::Json(ev));
                let mut c = Clause::new("not", self.span, Verdict::from_bool(ok));
                if x.is_script() && !ok && child.verdict == Verdict::Missing {
                    // `not null` is null: the negation cannot hold either.
                    c.verdict = Verdict::Missing;
                    c.message =
                        Some("the negated expression is null, and `not null` is null".into());
                }
                c.children = vec![child];
                c
            }
            NodeKind::Leaf(l) => l.explain(ev, self.span),
            _ => self.explain_script(ev),
        }
    }

    fn explain_script(&self, ev: &Value) -> Clause {
        let v = self.eval3(Doc::Json(ev));
        let ok = v == EqlValue::Bool(true);
        let kind = match &self.kind {
            NodeKind::Call { .. } => "function",
            NodeKind::In { .. } => "in",
            NodeKind::Match { .. } => "like",
            _ => "compare",
        };
        let verdict = match v {
            EqlValue::Bool(true) => Verdict::True,
            EqlValue::Null => Verdict::Missing,
            _ => Verdict::False,
        };
        let mut c = Clause::new(kind, self.span, verdict);
        let mut fields = Vec::new();
        self.collect_fields(&mut fields);
        c.field = fields.first().map(|f| f.name.clone());
        let mut missing = Vec::new();
        for f in &fields {
            let vals = f.path.values_with_paths(ev);
            if vals.is_empty() {
                missing.push(f.name.clone());
            }
            for (p, raw) in vals {
                c.looked.push(Looked {
                    path: p,
                    value: raw.clone(),
                    matched: ok,
                    pattern: None,
                });
            }
        }
        if !ok {
            c.message = Some(if !missing.is_empty() && verdict == Verdict::Missing {
                format!(
                    "{} is missing, so the expression is null",
                    missing.join(", ")
                )
            } else if verdict == Verdict::Missing {
                "the expression is null".to_string()
            } else {
                format!("the expression is {}", show_eql(&v))
            });
        }
        c
    }

    fn collect_fields<'a>(&'a self, out: &mut Vec<&'a FieldRef>) {
        match &self.kind {
            NodeKind::Field(f) => out.push(f),
            NodeKind::Leaf(l) => out.push(&l.field),
            NodeKind::Lit(_) => {}
            NodeKind::Not(x) | NodeKind::Neg(x) => x.collect_fields(out),
            NodeKind::And(xs) | NodeKind::Or(xs) => xs.iter().for_each(|x| x.collect_fields(out)),
            NodeKind::Compare(_, l, r) | NodeKind::Arith(_, l, r) => {
                l.collect_fields(out);
                r.collect_fields(out);
            }
            NodeKind::In { expr, list, .. } => {
                expr.collect_fields(out);
                list.iter().for_each(|x| x.collect_fields(out));
            }
            NodeKind::Match { expr, .. } => expr.collect_fields(out),
            NodeKind::Call { args, .. } => args.iter().for_each(|x| x.collect_fields(out)),
        }
    }
}

impl Leaf {
    /// Whether one indexed value satisfies the positive form of the test; the index of the
    /// pattern or list entry it matched, for explanations.
    fn element(&self, v: &EqlValue) -> Option<usize> {
        let ip = self.field.ty == FieldType::Ip;
        match &self.test {
            Test::Cmp(op, c) => {
                let op = if *op == CmpOp::Ne { CmpOp::Eq } else { *op };
                cmp_holds(op, v, c, ip).then_some(0)
            }
            Test::IsNull | Test::NotNull => Some(0),
            Test::In { list, ci, .. } => list.iter().position(|c| {
                if ip {
                    ip_equal(v, c)
                } else {
                    values_equal(v, c, *ci)
                }
            }),
            Test::Match { pats, .. } => pats.iter().position(|p| p.is_match(v)),
            Test::Func {
                func,
                ci,
                arg,
                cidrs,
                ..
            } => {
                let s = functions::to_string(v)?;
                let ok = match func {
                    Function::CidrMatch => {
                        return cidrs.iter().position(|c| c.contains_str(&s));
                    }
                    _ => match functions::to_string(arg) {
                        Some(a) => functions::string_test(*func, *ci, &s, &a),
                        None => false,
                    },
                };
                ok.then_some(0)
            }
            Test::Truthy => (*v == EqlValue::Bool(true)).then_some(0),
        }
    }

    /// Whether the test is the negation of what [`Leaf::element`] checks.
    fn negated(&self) -> bool {
        matches!(
            self.test,
            Test::Cmp(CmpOp::Ne, _) | Test::In { negated: true, .. }
        )
    }

    /// Lucene semantics: any value matches; negated tests hold when no value matches, also on
    /// a missing field; `== null` / `!= null` test presence.
    fn query(&self, ev: Doc) -> bool {
        let (any, seen) = self.scan(ev);
        self.query_verdict(any, seen)
    }

    /// [`Leaf::query`] from [`Leaf::scan`]'s result.
    #[cfg_attr(not(target_arch = "wasm32"), inline(always))]
    fn query_verdict(&self, any: bool, seen: bool) -> bool {
        match self.test {
            Test::IsNull => !seen,
            Test::NotNull => seen,
            _ => any != self.negated(),
        }
    }

    /// Three-valued: `None` (null) when the field has no value.
    fn eval3(&self, ev: Doc) -> Option<bool> {
        let (any, seen) = self.scan(ev);
        match self.test {
            Test::IsNull => Some(!seen),
            Test::NotNull => Some(seen),
            _ if !seen => None,
            _ => Some(any != self.negated()),
        }
    }

    /// [`Leaf::element`] on one JSON leaf: `None` when the leaf is not indexed (no value),
    /// else whether the positive test holds. Strings are tested in place when possible.
    fn raw_test(&self, raw: &Value) -> Option<bool> {
        if let Value::String(s) = raw {
            return self.str_test(s);
        }
        let v = self.field.convert(raw)?;
        Some(self.element(&v).is_some())
    }

    /// [`Leaf::raw_test`] on a JSON string.
    fn str_test(&self, s: &str) -> Option<bool> {
        if self.field.keeps_str(s) {
            if let Some(r) = self.str_element(s) {
                return Some(r);
            }
        }
        let v = self.field.convert_str(s)?;
        Some(self.element(&v).is_some())
    }

    /// Whether any value passes [`Leaf::raw_test`] (stopping at the first that does), and
    /// whether any value seen up to then was indexed. On a table row a string's verdict is
    /// computed once per distinct string and cached in the binding.
    fn scan(&self, doc: Doc) -> (bool, bool) {
        let mut seen = false;
        let any = match doc {
            Doc::Json(ev) => self.field.path.any_value(ev, |raw| {
                let r = self.raw_test(raw);
                seen |= r.is_some();
                r == Some(true)
            }),
            Doc::Row(b, row) => match b.slots.get(self.field.slot) {
                Some(slot) => return self.scan_row(b.table, slot, row),
                None => false,
            },
        };
        (any, seen)
    }

    /// [`Leaf::scan`] of one table row, with the slot already looked up.
    #[cfg_attr(not(target_arch = "wasm32"), inline(always))]
    fn scan_row(&self, table: &EventTable, slot: &BoundSlot, row: usize) -> (bool, bool) {
        let mut seen = false;
        for cell in slot.column.row(row) {
            let r = match cell.get() {
                table::Cell::Str(id) => cached(&slot.memo, id, || self.str_test(table.str(id))),
                table::Cell::Other(id) => self.raw_test(table.other(id)),
                table::Cell::Object => None,
            };
            seen |= r.is_some();
            if r == Some(true) {
                return (true, true);
            }
        }
        (false, seen)
    }

    /// [`Leaf::query`] over a batch of rows: keep those where it holds.
    fn filter_rows(&self, b: &Bound, rows: &mut Vec<u32>) {
        let Some(slot) = b.slots.get(self.field.slot) else {
            rows.retain(|&r| self.query(Doc::Row(b, r as usize)));
            return;
        };
        rows.retain(|&r| {
            let (any, seen) = self.scan_row(b.table, slot, r as usize);
            self.query_verdict(any, seen)
        });
    }

    /// [`Leaf::element`] for the indexed string `s`, when it can be decided without building
    /// an [`EqlValue`]; `None` sends the caller to the general path.
    fn str_element(&self, s: &str) -> Option<bool> {
        if self.field.ty == FieldType::Ip {
            return None;
        }
        match &self.test {
            Test::Cmp(op, EqlValue::Str(c)) => {
                // Strings compare by bytes (see `compare_values`).
                let o = s.as_bytes().cmp(c.as_bytes());
                Some(match op {
                    CmpOp::Eq | CmpOp::Ne => o == Ordering::Equal,
                    CmpOp::Lt => o == Ordering::Less,
                    CmpOp::Le => o != Ordering::Greater,
                    CmpOp::Gt => o == Ordering::Greater,
                    CmpOp::Ge => o != Ordering::Less,
                })
            }
            Test::In { list, ci, .. } => {
                let mut found = false;
                for c in list {
                    let EqlValue::Str(c) = c else { return None };
                    found = found
                        || if !*ci {
                            s == c
                        } else if s.is_ascii() && c.is_ascii() {
                            s.eq_ignore_ascii_case(c)
                        } else {
                            s.to_lowercase() == c.to_lowercase()
                        };
                }
                Some(found)
            }
            Test::Match { pats, .. } => {
                let mut lower = None;
                for p in pats {
                    if p.is_match_str(s, &mut lower)? {
                        return Some(true);
                    }
                }
                Some(false)
            }
            Test::Truthy => Some(false),
            _ => None,
        }
    }

    fn kind(&self) -> &'static str {
        match &self.test {
            Test::Cmp(..) | Test::IsNull | Test::NotNull | Test::Truthy => "compare",
            Test::In { .. } => "in",
            Test::Match {
                op: MatchOp::Regex, ..
            } => "regex",
            Test::Match { .. } => "like",
            Test::Func { .. } => "function",
        }
    }

    /// The operands, for `pattern` (raw text) and messages (quoted).
    fn operands(&self) -> Vec<EqlValue> {
        match &self.test {
            Test::Cmp(_, c) => vec![c.clone()],
            Test::IsNull | Test::NotNull => vec![EqlValue::Null],
            Test::In { list, .. } => list.clone(),
            Test::Match { pats, .. } => pats
                .iter()
                .map(|p| match p {
                    Pat::Value(v) => v.clone(),
                    p => EqlValue::Str(p.source()),
                })
                .collect(),
            Test::Func { func, arg, .. } => match (func, arg) {
                (Function::CidrMatch, EqlValue::Many(vs)) => vs.clone(),
                _ => vec![arg.clone()],
            },
            Test::Truthy => vec![EqlValue::Bool(true)],
        }
    }

    fn explain(&self, ev: &Value, span: Span) -> Clause {
        let ok = self.query(Doc::Json(ev));
        let raw = self.field.path.values_with_paths(ev);
        let operands = self.operands();
        let raw_text = |v: &EqlValue| functions::to_string(v).unwrap_or_else(|| "null".into());
        let mut c = Clause::new(self.kind(), span, Verdict::from_bool(ok));
        c.field = Some(self.field.name.clone());
        let mut present = false;
        for (path, v) in &raw {
            let conv = self.field.convert(v);
            present |= conv.is_some();
            let hit = conv.as_ref().and_then(|x| self.element(x));
            let matched = match self.test {
                Test::IsNull => false,
                Test::NotNull => conv.is_some(),
                _ => hit.is_some() != self.negated(),
            };
            c.looked.push(Looked {
                path: path.clone(),
                value: (*v).clone(),
                matched,
                pattern: match (&self.test, hit) {
                    (Test::Match { .. } | Test::In { .. } | Test::Func { .. }, Some(i)) => {
                        operands.get(i).map(raw_text)
                    }
                    _ => operands.first().map(raw_text),
                },
            });
        }
        if ok {
            return c;
        }
        let name = &self.field.name;
        let expected = quote_list(&operands.iter().map(show_eql).collect::<Vec<_>>());
        c.message = Some(if !present {
            c.verdict = Verdict::Missing;
            format!("{name} is missing")
        } else {
            let shown = show_values(raw.iter().map(|(_, v)| *v));
            match &self.test {
                Test::IsNull => format!("{name} is present ({shown}), not null"),
                Test::Cmp(CmpOp::Ne, _) => {
                    format!("{name} is {shown}, which must not be {expected}")
                }
                Test::Cmp(op, _) if *op != CmpOp::Eq => {
                    format!("{name} is {shown}, not {} {expected}", op.symbol())
                }
                Test::In { negated: true, .. } => {
                    format!("{name} is {shown}, which must not be one of {expected}")
                }
                Test::Func { func, .. } => {
                    format!("{name} is {shown}: {}({expected}) is false", func.name())
                }
                Test::Match {
                    op: MatchOp::Regex, ..
                } => format!("{name} is {shown}, not matching {expected}"),
                _ => format!("{name} is {shown}, not {expected}"),
            }
        });
        c
    }
}

// ---- comparisons -----------------------------------------------------------------------------

fn num_of(v: &EqlValue) -> Option<f64> {
    match v {
        EqlValue::Int(i) => Some(*i as f64),
        EqlValue::Float(f) => Some(*f),
        EqlValue::Str(s) => s.trim().parse::<f64>().ok().filter(|f| f.is_finite()),
        _ => None,
    }
}

/// Ordering of two single values; `None` when they are not comparable (a string that is not a
/// number against a number, a boolean against a number, …).
pub fn compare_values(a: &EqlValue, b: &EqlValue) -> Option<Ordering> {
    use EqlValue::*;
    match (a, b) {
        (Int(x), Int(y)) => Some(x.cmp(y)),
        (Str(x), Str(y)) => Some(x.as_bytes().cmp(y.as_bytes())),
        (Bool(x), Bool(y)) => Some(x.cmp(y)),
        (Bool(x), Str(s)) | (Str(s), Bool(x)) => {
            let y = match s.as_str() {
                "true" => true,
                "false" => false,
                _ => return None,
            };
            let o = x.cmp(&y);
            Some(if matches!(a, Bool(_)) { o } else { o.reverse() })
        }
        (Int(_) | Float(_) | Str(_), Int(_) | Float(_) | Str(_)) => {
            num_of(a)?.partial_cmp(&num_of(b)?)
        }
        _ => None,
    }
}

fn values_equal(a: &EqlValue, b: &EqlValue, ci: bool) -> bool {
    if ci {
        if let (EqlValue::Str(x), EqlValue::Str(y)) = (a, b) {
            return x.to_lowercase() == y.to_lowercase();
        }
    }
    compare_values(a, b) == Some(Ordering::Equal)
}

fn ip_equal(a: &EqlValue, b: &EqlValue) -> bool {
    match (a, b) {
        (EqlValue::Str(x), EqlValue::Str(y)) => match (parse_ip(x), parse_ip(y)) {
            (Some(p), Some(q)) => p == q,
            _ => x == y,
        },
        _ => values_equal(a, b, false),
    }
}

/// `a OP b` for single values; incomparable values are unequal and unordered.
fn cmp_holds(op: CmpOp, a: &EqlValue, b: &EqlValue, ip: bool) -> bool {
    if ip && matches!(op, CmpOp::Eq | CmpOp::Ne) {
        return ip_equal(a, b) == (op == CmpOp::Eq);
    }
    match compare_values(a, b) {
        Some(o) => match op {
            CmpOp::Eq => o == Ordering::Equal,
            CmpOp::Ne => o != Ordering::Equal,
            CmpOp::Lt => o == Ordering::Less,
            CmpOp::Le => o != Ordering::Greater,
            CmpOp::Gt => o == Ordering::Greater,
            CmpOp::Ge => o != Ordering::Less,
        },
        None => op == CmpOp::Ne,
    }
}

// ---- words for the page ------------------------------------------------------------------------

fn show_eql(v: &EqlValue) -> String {
    match v {
        EqlValue::Str(s) => format!("\"{s}\""),
        EqlValue::Null => "null".into(),
        other => other.to_json().to_string(),
    }
}

fn show_json(v: &Value) -> String {
    match v {
        Value::String(s) => format!("\"{s}\""),
        other => other.to_string(),
    }
}

fn show_values<'a>(vals: impl Iterator<Item = &'a Value>) -> String {
    let shown: Vec<String> = vals.map(show_json).collect();
    match shown.len() {
        1 => shown.into_iter().next().unwrap_or_default(),
        _ => format!("[{}]", shown.join(", ")),
    }
}

fn quote_list(ops: &[String]) -> String {
    match ops.len() {
        1 => ops[0].clone(),
        _ => format!("({})", ops.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn q(src: &str) -> super::super::EqlQuery {
        super::super::compile(src).unwrap_or_else(|d| panic!("{}: {}", src, d.render(src)))
    }

    fn m(src: &str, ev: Value) -> bool {
        let query = q(src);
        let a = query.matches(&ev);
        let trace = query.explain(&ev);
        assert_eq!(
            a,
            trace.verdict.is_true(),
            "matches/explain disagree on {src} / {ev}"
        );
        // The event-view path must decide the same, also with other events around it (their
        // strings share the dictionary and the per-string caches).
        let batch = vec![
            json!({"x": "b", "process": {"name": "cmd.exe"}}),
            ev.clone(),
            ev.clone(),
        ];
        let table = EventTable::new(&batch).expect("table");
        let bound = query.bind(&table);
        let batch = query.matching_rows(&bound);
        for row in [1, 2] {
            assert_eq!(
                a,
                query.matches_row(&bound, row),
                "table path disagrees on {src} / {ev}"
            );
            assert_eq!(a, batch[row], "batch table path disagrees on {src} / {ev}");
        }
        a
    }

    /// The event view flattens keys like the JSON lookup; verdicts agree on awkward shapes.
    #[test]
    fn table_and_json_agree_on_event_shapes() {
        let events = [
            json!({"event.category": "process", "process": {"name": "a"}, "process.name": "b"}),
            json!({"event": {"category": ["process", null]}, "process": [{"name": "a"}, {"name": ["b", null]}]}),
            json!({"event": {"category": []}, "process": {"name": []}}),
            json!({"event": {"category": "process"}, "process": {"pid": "42", "name": null}}),
            json!({"event": {"category": "process"}, "process": {"pid": 42.7, "args": [1, "2", true]}}),
            json!({"event": {"category": "process"}, "process": {"name": {"x": 1}}}),
            json!({"event": {"category": "process"}, "a": {"b": "x"}, "a.b": "y"}),
            json!({"event": {"category": "process"}, "user": {"name": "u".repeat(1100)}}),
            json!({"event": {"category": "process"}, "user": {"name": "ü".repeat(600)}}),
            json!({"event": {"category": "process"}, "@timestamp": "2024-09-01T10:00:00Z"}),
        ];
        for cond in [
            r#"process.name == "a""#,
            r#"process.name : "B""#,
            r#"process.name != "a""#,
            r#"process.name == null"#,
            r#"process.name != null"#,
            r#"process.name not in ("a", "b")"#,
            r#"process.pid == 42"#,
            r#"process.pid > 41"#,
            r#"process.args : "2""#,
            r#"process.args == 1"#,
            r#"process.args == true"#,
            r#"a.b == "y" and a.b == "x""#,
            r#"length(user.name) > 0"#,
            r#"user.name : "u*""#,
            r#"user.name != "x""#,
            r#"@timestamp < "2025-01-01""#,
            r#"concat(process.name, "x") == "ax""#,
            r#"not startsWith(process.name, "b")"#,
            r#"?process.name"#,
        ] {
            for ev in &events {
                for cat in ["process", "any"] {
                    m(&format!("{cat} where {cond}"), ev.clone());
                }
            }
        }
    }

    #[test]
    fn case_rules() {
        let ev = json!({"event": {"category": "process"}, "process": {"name": "CMD.exe"}});
        assert!(!m(r#"process where process.name == "cmd.exe""#, ev.clone()));
        assert!(m(r#"process where process.name : "cmd.exe""#, ev.clone()));
        assert!(m(r#"process where process.name : "c?d.*""#, ev.clone()));
        assert!(!m(r#"process where process.name like "c*""#, ev.clone()));
        assert!(m(r#"process where process.name like~ "c*""#, ev.clone()));
        assert!(!m(
            r#"process where process.name in ("cmd.exe")"#,
            ev.clone()
        ));
        assert!(m(
            r#"process where process.name in~ ("cmd.exe")"#,
            ev.clone()
        ));
        assert!(
            !m(r#"process where process.name in~ ("cmd.*")"#, ev.clone()),
            "in~ is verbatim"
        );
        assert!(m(
            r#"process where process.name regex~ "c.d\\.EXE""#,
            ev.clone()
        ));
        assert!(!m(
            r#"process where process.name regex "c.d\\.EXE""#,
            ev.clone()
        ));
        assert!(!m(
            r#"process where startsWith(process.name, "cmd")"#,
            ev.clone()
        ));
        assert!(m(
            r#"process where startsWith~(process.name, "cmd")"#,
            ev.clone()
        ));
        assert!(!m(r#"file where true"#, ev.clone()), "category filters");
        assert!(m(r#"any where true"#, ev));
    }

    #[test]
    fn string_fast_path_agrees_with_general_path() {
        // `Leaf::str_element` (no allocation) must decide exactly as `Leaf::element` does.
        let conds = [
            r#"x : "Foxmail.exe""#,
            r#"x : ("?:\\Users\\*\\AppData\\*", "\\\\*")"#,
            r#"x like "C*""#,
            r#"x like~ "c*X""#,
            r#"x : "straße*""#,
            r#"x : "İx""#,
            r#"x in~ ("CMD.exe", "İx")"#,
            r#"x in ("a", "B")"#,
            r#"x in ("a", 4)"#,
            r#"x == "b""#,
            r#"x < "b""#,
            r#"x >= "b""#,
            r#"x != "b""#,
            r#"x regex~ "c.d""#,
            r#"x : ("a", 4)"#,
            r#"x"#,
        ];
        let vals = [
            "Foxmail.exe",
            "FOXMAIL.EXE",
            "C:\\Users\\Bob\\AppData\\x",
            "\\\\srv\\x",
            "cmdX",
            "cmd.exe",
            "STRASSE",
            "STRAßE.txt",
            "İX",
            "i̇x",
            "a",
            "B",
            "b",
            "",
            "C.D",
        ];
        let mut decided = 0;
        for c in conds {
            let query = crate::eql::parse(&format!("any where {c}")).unwrap();
            let Body::Event(eq) = &query.body else {
                panic!("{c}")
            };
            let leaf = Node::leaf(&eq.condition).unwrap_or_else(|| panic!("{c}: not a leaf"));
            for v in vals {
                if let Some(fast) = leaf.str_element(v) {
                    decided += 1;
                    let slow = leaf.element(&EqlValue::Str(v.into())).is_some();
                    assert_eq!(fast, slow, "{c} on {v:?}");
                }
            }
        }
        assert!(decided > 150, "{decided}");
    }

    #[test]
    fn arrays_any_element() {
        let ev = json!({"event": {"category": ["process", "x"]}, "process": {"args": ["a", "b"]}});
        assert!(m(r#"process where process.args == "b""#, ev.clone()));
        assert!(m(r#"x where process.args : "B""#, ev.clone()));
        // `!=` holds only when no element equals.
        assert!(!m(r#"process where process.args != "b""#, ev.clone()));
        assert!(m(r#"process where process.args != "c""#, ev.clone()));
        assert!(!m(r#"process where process.args not in ("a")"#, ev.clone()));
        assert!(m(r#"process where process.args not in ("z")"#, ev));
    }

    /// Pinned: Elasticsearch translates a field compared with constants into a Lucene query, and
    /// `!=`, `not in` and `not` become `must_not` (QL `ExpressionTranslators`: `NotEquals` →
    /// `NotQuery(TermQuery)`), so on an event WITHOUT the field they hold. The corpus relies on
    /// it: `not (?process.Ext.token.integrity_level_name : "System" or
    /// ?winlog.event_data.IntegrityLevel : "System")` would otherwise never match an event that
    /// lacks one of the two fields. (RUNNER.md §5(a) lists this as an open point.)
    #[test]
    fn missing_field_query_semantics() {
        let ev = json!({"event": {"category": "process"}});
        assert!(!m(r#"process where process.name == "a""#, ev.clone()));
        assert!(m(r#"process where process.name != "a""#, ev.clone()));
        assert!(m(r#"process where not process.name : "a""#, ev.clone()));
        assert!(m(r#"process where process.name not in ("a")"#, ev.clone()));
        assert!(m(r#"process where process.name == null"#, ev.clone()));
        assert!(!m(r#"process where process.name != null"#, ev.clone()));
        assert!(!m(r#"process where process.pid > 0"#, ev.clone()));
        assert!(!m(r#"process where process.pid <= 0"#, ev.clone()));
        assert!(m(r#"process where not process.pid > 0"#, ev.clone()));
        assert!(!m(r#"process where ?x"#, ev.clone()));
        assert!(m(
            r#"process where not (?a.b : "System" or ?c.d : "System")"#,
            json!({"event": {"category": "process"}, "a": {"b": "user"}})
        ));
    }

    /// Pinned: scripts (functions over fields, arithmetic) use three-valued logic: a missing
    /// field makes the expression null, `not null` is null, null does not match
    /// (RUNNER.md §5(a): concatWithCondition*, nullEqualityWithGtAndHead).
    #[test]
    fn missing_field_script_semantics() {
        let ev = json!({"event": {"category": "process"}, "process": {"name": "a"}});
        assert!(!m(r#"process where length(process.title) > 0"#, ev.clone()));
        assert!(!m(
            r#"process where not length(process.title) > 0"#,
            ev.clone()
        ));
        assert!(m(r#"process where length(process.name) > 0"#, ev.clone()));
        assert!(m(r#"process where null == (exit_code > -1)"#, ev.clone()));
        assert!(!m(
            r#"process where concat(process.name, process.title) != null"#,
            ev.clone()
        ));
        assert!(m(
            r#"process where concat(process.name, process.title) == null"#,
            ev.clone()
        ));
        assert!(m(
            r#"process where concat(process.name, null, null) == null"#,
            ev
        ));
    }

    #[test]
    fn numbers_dates_math() {
        let ev = json!({"event": {"category": "process"}, "process": {"pid": 83, "exit_code": "0"},
                        "@timestamp": "2017-08-30T20:47:33Z", "n": "12"});
        assert!(m("process where process.pid / 2 == 41", ev.clone()));
        assert!(!m("process where process.pid / 2.0 == 41", ev.clone()));
        assert!(m("process where process.pid % 10 == 3", ev.clone()));
        assert!(m("process where process.exit_code == 0", ev.clone()));
        assert!(m(
            "process where process.exit_code >= 0 and -1 < process.exit_code",
            ev.clone()
        ));
        assert!(m(
            r#"process where @timestamp == "2017-08-30T20:47:33Z""#,
            ev.clone()
        ));
        assert!(m("process where @timestamp == 1504126053000", ev.clone()));
        assert!(m(
            r#"process where number(string(process.pid), 16) == 131"#,
            ev.clone()
        ));
        assert!(m(r#"process where string(process.pid) : "8?""#, ev.clone()));
        assert!(!m(r#"process where string(process.pid) in~ ("8?")"#, ev));
    }

    #[test]
    fn strings_ordinal_comparison() {
        let ev = json!({"event": {"category": "process"}, "process_name": "System Idle Process"});
        assert!(!m(
            r#"process where process_name >= "system idle process" and process_name <= "System Idle Process""#,
            ev.clone()
        ));
        assert!(m(
            r#"process where process_name >= "System" and process_name <= "System Idle Process""#,
            ev
        ));
    }

    #[test]
    fn cidr_and_ip() {
        let ev = json!({"event": {"category": "network"}, "source": {"ip": ["192.168.1.1", "10.6.48.157"]}});
        assert!(m(
            r#"network where cidrMatch(source.ip, "10.6.48.0/24")"#,
            ev.clone()
        ));
        assert!(m(
            r#"network where cidrmatch(source.ip, "1.0.0.0/8", "192.168.0.0/16")"#,
            ev.clone()
        ));
        assert!(!m(r#"network where cidrMatch(source.ip, "1.0.0.0/8")"#, ev));
    }

    #[test]
    fn explain_messages() {
        let query =
            q(r#"process where process.parent.name : "Foxmail.exe" and process.name != "x""#);
        let ev = json!({"event": {"category": "process"}, "process": {"parent": {"name": "postfix"}, "name": "x"}});
        let t = query.explain(&ev);
        assert_eq!(t.kind, "and");
        let cond = &t.children[1];
        assert_eq!(cond.children[0].kind, "like");
        assert_eq!(
            cond.children[0].message.as_deref(),
            Some(r#"process.parent.name is "postfix", not "Foxmail.exe""#)
        );
        assert_eq!(cond.children[0].looked[0].path, "process.parent.name");
        assert_eq!(
            cond.children[1].message.as_deref(),
            Some(r#"process.name is "x", which must not be "x""#)
        );
        let miss = query.explain(&json!({"event": {"category": "process"}}));
        assert_eq!(miss.children[1].children[0].verdict, Verdict::Missing);
        assert_eq!(
            miss.children[1].children[0].message.as_deref(),
            Some("process.parent.name is missing")
        );
        let cat = query.explain(&json!({"event": {"category": "file"}}));
        assert_eq!(cat.children[0].kind, "category");
        assert_eq!(
            cat.children[0].message.as_deref(),
            Some(r#"event.category is "file", not "process""#)
        );
    }

    #[test]
    fn bad_regex_is_a_diagnostic() {
        let e = super::super::compile(r#"any where a regex "x&y""#).unwrap_err();
        assert_eq!(e.span.start, 18);
    }

    #[test]
    fn key_values() {
        let e = super::super::parser::parse_condition("user.name").unwrap();
        assert_eq!(
            key_value(&e, &json!({"user": {"name": ["a", "b"]}})),
            Some(json!(["a", "b"]))
        );
        assert_eq!(key_value(&e, &json!({})), None);
    }
}
