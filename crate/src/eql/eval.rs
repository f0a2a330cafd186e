//! Evaluation of compiled EQL conditions with Elasticsearch's semantics, over one document type
//! ([`Doc`]: a JSON event, or a row of an event view).
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
//! [`CompiledEvent`] holds what `compile` built; [`CompiledEvent::matches`] here and
//! [`CompiledEvent::explain`] (in `trace`) share the leaf tests so they cannot disagree.

use super::ast::{ArithOp, Category, CmpOp, EventQuery, Expr, Function};
use super::compile::{self, Fast, FieldRef, Leaf, Node, NodeKind, Pat, Test};
use super::functions;
use super::value::{cmp_holds, ip_equal, values_equal, EqlValue};
use crate::diagnostic::{Diagnostic, Span};
use crate::event::ecs::FieldType;
use crate::event::lookup::FieldPath;
use crate::event::table::{self, cached, new_memo, ColumnView, EventTable};
use serde_json::Value;
use std::cell::Cell;
use std::cmp::Ordering;

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
    /// For a query leaf on a `flattened` field: the columns under its path, whose leaf cells
    /// its own name reaches (`Leaf::raw_test`); the column itself holds only objects for them.
    under: Vec<ColumnView<'t>>,
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
    pub(super) category: Option<(String, Span)>,
    /// `event.category`, split once (checked for every event).
    pub(super) category_path: FieldPath,
    pub(super) span: Span,
    pub(super) root: Node,
    /// What each field slot reads.
    pub(super) slots: Vec<compile::Slot>,
}

impl CompiledEvent {
    /// Compile an event query; `src` is the query text it was parsed from (for error spans).
    pub fn new(q: &EventQuery, src: &str) -> Result<Self, Diagnostic> {
        let compile::Condition { root, slots } = compile::condition(&q.condition, constant, src)?;
        Ok(CompiledEvent {
            category: match &q.category {
                Category::Any(_) => None,
                Category::Named(n, s) => Some((n.clone(), *s)),
            },
            category_path: FieldPath::new("event.category"),
            span: q.span,
            root,
            slots,
        })
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

    pub(super) fn category_holds(&self, doc: Doc) -> bool {
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
                .map(|s| BoundSlot {
                    column: table.view(table.column(&s.path)),
                    memo: if s.leaf { new_memo(n) } else { Vec::new() },
                    under: if s.flattened {
                        let under = table.columns_under(&s.path);
                        under.into_iter().map(|c| table.view(Some(c))).collect()
                    } else {
                        Vec::new()
                    },
                })
                .collect(),
            category: BoundSlot {
                under: Vec::new(),
                column: table.view(table.column("event.category")),
                memo: if self.category.is_some() {
                    new_memo(n)
                } else {
                    Vec::new()
                },
            },
        }
    }
}

/// [`compile::Fold`]: a field-free node evaluated once, at compile time.
fn constant(node: &Node) -> EqlValue {
    node.eval3(Doc::Json(&Value::Null))
}

/// An expression compiled once and evaluated for its value on JSON events (join keys).
#[derive(Clone, Debug)]
pub struct CompiledExpr(Node);

impl CompiledExpr {
    pub fn new(e: &Expr) -> Self {
        CompiledExpr(compile::script(e, constant))
    }

    /// Three-valued value of the expression for `event`.
    pub fn value(&self, event: &Value) -> EqlValue {
        self.0.eval3(Doc::Json(event))
    }
}

impl FieldRef {
    /// The indexed value of one JSON leaf, as the mapping sees it; `None` when not indexed.
    pub(super) fn convert(&self, v: &Value) -> Option<EqlValue> {
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
                if self.known
                    && matches!(
                        ty,
                        FieldType::Float | FieldType::HalfFloat | FieldType::ScaledFloat
                    )
                {
                    return n.as_f64().map(|f| EqlValue::Float(ty.stored_f64(f)));
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
                Ok(i)
                    if !matches!(
                        ty,
                        FieldType::Float | FieldType::HalfFloat | FieldType::ScaledFloat
                    ) =>
                {
                    Some(EqlValue::Int(i))
                }
                Ok(i) => Some(EqlValue::Float(ty.stored_f64(i as f64))),
                Err(_) => t.parse::<f64>().ok().map(|f| {
                    if ty.is_integer() {
                        EqlValue::Int(f.trunc() as i64)
                    } else {
                        EqlValue::Float(ty.stored_f64(f))
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
}

impl Pat {
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

impl Node {
    /// Whether Elasticsearch runs this node as a script (a `not` around it negates in three-valued
    /// logic) rather than as a query.
    pub(super) fn is_script(&self) -> bool {
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
    pub(super) fn query(&self, ev: Doc) -> bool {
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
    pub(super) fn eval3(&self, ev: Doc) -> EqlValue {
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
                // `null != "x"` (an unknown `?field` folded to null, see `optional`): both sides
                // constant, so Elasticsearch folds the comparison to null before its
                // `x == null` → IsNull rewrite, which looks at the right side only.
                if null_lit(l) && matches!(&r.kind, NodeKind::Lit(v) if !v.is_null()) {
                    return Null;
                }
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
}

impl Leaf {
    /// Whether one indexed value satisfies the positive form of the test; the index of the
    /// pattern or list entry it matched, for explanations.
    pub(super) fn element(&self, v: &EqlValue) -> Option<usize> {
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
            Test::Range { lo, hi, .. } => (cmp_holds(CmpOp::Ge, v, lo, false)
                && cmp_holds(CmpOp::Le, v, hi, false))
            .then_some(0),
        }
    }

    /// Whether the test is the negation of what [`Leaf::element`] checks.
    pub(super) fn negated(&self) -> bool {
        matches!(
            self.test,
            Test::Cmp(CmpOp::Ne, _)
                | Test::In { negated: true, .. }
                | Test::Range { negated: true, .. }
        )
    }

    /// Lucene semantics: any value matches; negated tests hold when no value matches, also on
    /// a missing field; `== null` / `!= null` test presence.
    pub(super) fn query(&self, ev: Doc) -> bool {
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
        // A `flattened` field's own name reaches every leaf value under it (as in KQL).
        if self.field.ty == FieldType::Flattened && raw.is_object() {
            let mut leaves = Vec::new();
            crate::event::lookup::flattened_leaves(raw, &mut leaves);
            let mut seen = None;
            for leaf in leaves {
                match self.raw_test(leaf) {
                    Some(true) => return Some(true),
                    Some(false) => seen = Some(false),
                    None => {}
                }
            }
            return seen;
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
        let mut object = false;
        for cell in slot.column.row(row) {
            let cell = cell.get();
            object |= cell == table::Cell::Object;
            let r = self.cell_test(table, slot, cell);
            seen |= r.is_some();
            if r == Some(true) {
                return (true, true);
            }
        }
        if object && !slot.under.is_empty() {
            return self.scan_under(table, slot, row, seen);
        }
        (false, seen)
    }

    /// [`Leaf::raw_test`] on one cell (an object is not a value).
    #[cfg_attr(not(target_arch = "wasm32"), inline(always))]
    fn cell_test(&self, table: &EventTable, slot: &BoundSlot, cell: table::Cell) -> Option<bool> {
        match cell {
            table::Cell::Str(id) => cached(&slot.memo, id, || self.str_test(table.str(id))),
            table::Cell::Other(id) => self.raw_test(table.other(id)),
            table::Cell::Object => None,
        }
    }

    /// [`Leaf::query`] over a batch of rows: keep those where it holds.
    fn filter_rows(&self, b: &Bound, rows: &mut Vec<u32>) {
        let Some(slot) = b.slots.get(self.field.slot) else {
            // No column bound (a binding of another query): no value, as `scan` reads it too.
            let keep = self.query_verdict(false, false);
            rows.retain(|_| keep);
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
}

#[path = "eval_flattened.rs"]
mod flattened;

#[cfg(test)]
#[path = "eval_tests.rs"]
mod tests;
