//! Type checks Elasticsearch's EQL analyzer makes before it runs a query, so that a rule that
//! would fail in Elasticsearch fails here too, with its wording and a span. Field types come from
//! the user's mappings, then ECS (`crate::event::ecs::field_info`); a field neither knows has no
//! type to check (Elasticsearch would take it from the index's dynamic mapping).
//!
//! Sources (elastic/elasticsearch): `x-pack/plugin/eql/.../analysis/VerifierTests.java` (the
//! messages), `x-pack/plugin/ql/.../type/DataTypes.java` (`areCompatible`, `isString`),
//! `ql/.../expression/predicate/operator/comparison/In.java` and `ql/.../planner/
//! ExpressionTranslators.java` (`checkBinaryComparison`: the right side must be foldable),
//! `eql/.../parser/LogicalPlanBuilder.java` (maxspan).

use super::ast::*;
use crate::diagnostic::{Diagnostic, EqlErrorKind, Span};
use crate::event::ecs::{field_info, nested_parent, FieldType};

/// Check a parsed query; the first problem, in query order.
pub fn check(q: &Query, src: &str) -> Result<(), Diagnostic> {
    let v = Verifier { src };
    match &q.body {
        Body::Event(e) => v.condition(&e.condition),
        Body::Sequence(s) => {
            if s.maxspan.is_none() {
                if let Some(step) = s.steps.iter().find(|st| st.missing) {
                    return Err(Diagnostic::new(
                        EqlErrorKind::MissingMaxspan,
                        "a sequence with missing events (`![…]`) requires `with maxspan`: without a window Elasticsearch cannot tell that an event is missing",
                        step.span,
                    )
                    .expected(["with maxspan=…"]));
                }
            }
            for st in s.steps.iter().chain(s.until.iter()) {
                v.step(st, &s.by)?;
            }
            v.keys_agree(s.steps.iter().chain(s.until.iter()), &s.by, "Sequence")
        }
        Body::Sample(s) => {
            for st in &s.steps {
                v.step(st, &s.by)?;
            }
            v.keys_agree(s.steps.iter(), &s.by, "Sample")
        }
    }
}

/// What the verifier knows of an expression's type.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Ty {
    F(FieldType),
    Null,
    Unknown,
}

impl Ty {
    /// Elasticsearch's type name in messages.
    fn name(self) -> &'static str {
        match self {
            Ty::F(t) => es_type_name(t),
            Ty::Null => "null",
            Ty::Unknown => "unknown",
        }
    }

    fn is_string(self) -> bool {
        matches!(self, Ty::F(t) if t.is_keyword_like() || t.is_text())
    }

    fn is_numeric(self) -> bool {
        matches!(self, Ty::F(t) if t.is_numeric())
    }

    fn is_text(self) -> bool {
        matches!(self, Ty::F(t) if t.is_text())
    }

    /// `DataTypes.areCompatible`: equal, or null, or both strings, numbers or dates.
    fn compatible(self, other: Ty) -> bool {
        match (self, other) {
            (Ty::Unknown, _) | (_, Ty::Unknown) | (Ty::Null, _) | (_, Ty::Null) => true,
            (a, b) if a.is_string() && b.is_string() => true,
            (a, b) if a.is_numeric() && b.is_numeric() => true,
            (Ty::F(a), Ty::F(b)) => {
                (a.is_date() && b.is_date()) || es_type_name(a) == es_type_name(b)
            }
        }
    }
}

fn es_type_name(t: FieldType) -> &'static str {
    use FieldType::*;
    match t {
        Keyword | ConstantKeyword | Wildcard | Flattened => "keyword",
        Text | MatchOnlyText => "text",
        Long => "long",
        Integer => "integer",
        Short => "short",
        Byte => "byte",
        UnsignedLong => "unsigned_long",
        Float => "float",
        HalfFloat => "half_float",
        Double => "double",
        ScaledFloat => "scaled_float",
        Boolean => "boolean",
        Ip => "ip",
        Date => "datetime",
        DateNanos => "date_nanos",
        Object => "object",
        Nested => "nested",
        GeoPoint => "geo_point",
        Version => "version",
    }
}

/// The type name join-key messages use: the mapping's (`date`, not `datetime`).
fn es_key_type(t: Ty) -> &'static str {
    match t {
        Ty::F(FieldType::Date) => "date",
        t => t.name(),
    }
}

/// What a function argument must be.
#[derive(Clone, Copy, PartialEq)]
enum Want {
    Str,
    Num,
    Int,
    Bool,
    Ip,
    Any,
}

impl Want {
    fn name(self) -> &'static str {
        match self {
            Want::Str => "string",
            Want::Num => "numeric",
            Want::Int => "integer",
            Want::Bool => "boolean",
            Want::Ip => "ip",
            Want::Any => "any",
        }
    }

    fn accepts(self, t: Ty) -> bool {
        match (self, t) {
            (_, Ty::Unknown | Ty::Null) | (Want::Any, _) => true,
            (Want::Str, t) => t.is_string(),
            (Want::Num, t) => t.is_numeric(),
            (Want::Int, Ty::F(t)) => t.is_integer(),
            (Want::Bool, Ty::F(t)) => t == FieldType::Boolean,
            (Want::Ip, Ty::F(t)) => t == FieldType::Ip,
        }
    }
}

/// The argument types of each function (`eql/.../expression/function/scalar/**`: each
/// function's `resolveType`), the last repeating for variadic ones.
fn signature(f: Function) -> &'static [Want] {
    use Want::*;
    match f {
        Function::Add
        | Function::Divide
        | Function::Modulo
        | Function::Multiply
        | Function::Subtract => &[Num, Num],
        Function::Between => &[Str, Str, Str, Bool],
        Function::CidrMatch => &[Ip, Str],
        Function::Concat | Function::String => &[Any],
        Function::EndsWith | Function::StartsWith | Function::StringContains => &[Str, Str],
        Function::IndexOf => &[Str, Str, Int],
        Function::Length => &[Str],
        Function::Number => &[Str, Int],
        Function::Substring => &[Str, Int, Int],
    }
}

/// Whether the user's mappings give `field` a keyword multi-field (see `Mappings::has_keyword_subfield`).
pub(super) fn exact_subfield(field: &str) -> bool {
    crate::event::mapping::current().is_some_and(|m| m.has_keyword_subfield(field))
}

fn ordinal(i: usize) -> &'static str {
    ["first", "second", "third", "fourth", "fifth"]
        .get(i)
        .copied()
        .unwrap_or("next")
}

struct Verifier<'s> {
    src: &'s str,
}

impl Verifier<'_> {
    fn text(&self, span: Span) -> &str {
        span.text(self.src)
    }

    fn step(&self, st: &Step, by: &[Expr]) -> Result<(), Diagnostic> {
        for k in by.iter().chain(&st.by) {
            self.expr(k)?;
        }
        self.condition(&st.query.condition)
    }

    /// Join keys in the same place must have compatible types across steps (Verifier's
    /// `checkJoinKeyTypes`; testKeysWithDifferentTypes: "Sequence key [md5] type [keyword] is
    /// incompatible with key [pid] type [long]"); the first step's keys are the reference.
    fn keys_agree<'q>(
        &self,
        mut steps: impl Iterator<Item = &'q Step>,
        by: &'q [Expr],
        what: &str,
    ) -> Result<(), Diagnostic> {
        let Some(first) = steps.next() else {
            return Ok(());
        };
        let reference: Vec<(&Expr, Ty)> = by
            .iter()
            .chain(&first.by)
            .map(|k| Ok((k, self.expr(k)?)))
            .collect::<Result<_, Diagnostic>>()?;
        for st in steps {
            for (k, (rk, rt)) in st.by.iter().zip(reference.iter().skip(by.len())) {
                let t = self.expr(k)?;
                if !t.compatible(*rt) {
                    return Err(Diagnostic::new(
                        EqlErrorKind::ArgumentType,
                        format!(
                            "{what} key [{}] type [{}] is incompatible with key [{}] type [{}]",
                            self.text(k.span),
                            es_key_type(t),
                            self.text(rk.span),
                            es_key_type(*rt)
                        ),
                        k.span,
                    ));
                }
            }
        }
        Ok(())
    }

    fn condition(&self, e: &Expr) -> Result<(), Diagnostic> {
        self.expr(e).map(|_| ())
    }

    /// Check `e` and its operands; its type.
    fn expr(&self, e: &Expr) -> Result<Ty, Diagnostic> {
        Ok(match &e.kind {
            ExprKind::Literal(l) => match l {
                Literal::Null => Ty::Null,
                Literal::Bool(_) => Ty::F(FieldType::Boolean),
                Literal::Int(n) if i32::try_from(*n).is_ok() => Ty::F(FieldType::Integer),
                Literal::Int(_) => Ty::F(FieldType::Long),
                Literal::Float(_) => Ty::F(FieldType::Double),
                Literal::Str(_) => Ty::F(FieldType::Keyword),
            },
            ExprKind::Field(f) => self.field(f, e.span)?,
            ExprKind::Not(x) => {
                self.expr(x)?;
                Ty::F(FieldType::Boolean)
            }
            ExprKind::Neg(x) => self.expr(x)?,
            ExprKind::And(xs) | ExprKind::Or(xs) => {
                for x in xs {
                    self.expr(x)?;
                }
                Ty::F(FieldType::Boolean)
            }
            ExprKind::Compare { op, left, right } => {
                let lt = self.expr(left)?;
                let rt = self.expr(right)?;
                if has_field(left) && has_field(right) {
                    return Err(field_comparison(
                        self.text(right.span),
                        op.symbol(),
                        right.span,
                    ));
                }
                for (side, t) in [(left, lt), (right, rt)] {
                    if t.is_text() {
                        return Err(self.text_error(e, side, true));
                    }
                }
                Ty::F(FieldType::Boolean)
            }
            ExprKind::Arith { left, right, .. } => {
                let lt = self.expr(left)?;
                let rt = self.expr(right)?;
                for (i, (side, t)) in [(left, lt), (right, rt)].into_iter().enumerate() {
                    if !Want::Num.accepts(t) {
                        return Err(self.arg_error(i, self.text(e.span), side, t, Want::Num, ""));
                    }
                }
                if lt == Ty::F(FieldType::Double) || rt == Ty::F(FieldType::Double) {
                    Ty::F(FieldType::Double)
                } else {
                    Ty::F(FieldType::Long)
                }
            }
            ExprKind::In { expr, list, .. } => {
                let t = self.expr(expr)?;
                if t.is_text() {
                    return Err(self.text_error(e, expr, true));
                }
                for (i, item) in list.iter().enumerate() {
                    let it = self.expr(item)?;
                    if has_field(item) {
                        return Err(field_comparison(
                            self.text(item.span),
                            self.text(e.span),
                            item.span,
                        ));
                    }
                    if !t.compatible(it) {
                        return Err(Diagnostic::new(
                            EqlErrorKind::ArgumentType,
                            format!(
                                "{} argument of [{}] must be [{}], found value [{}] type [{}]",
                                nth(i + 1),
                                self.text(e.span),
                                t.name(),
                                self.text(item.span),
                                it.name()
                            ),
                            item.span,
                        ));
                    }
                }
                Ty::F(FieldType::Boolean)
            }
            ExprKind::Match {
                expr, op, patterns, ..
            } => {
                let t = self.expr(expr)?;
                for p in patterns {
                    self.expr(p)?;
                }
                if t.is_text() {
                    return Err(self.text_error(e, expr, true));
                }
                if !Want::Str.accepts(t) {
                    let (name, hint) = match op {
                        MatchOp::Colon => (":".to_string(), "; consider using [==] instead"),
                        _ => (self.text(e.span).to_string(), ""),
                    };
                    return Err(self.arg_error(0, &name, expr, t, Want::Str, hint));
                }
                Ty::F(FieldType::Boolean)
            }
            ExprKind::Call { func, args, .. } => {
                let sig = signature(*func);
                for (i, a) in args.iter().enumerate() {
                    let t = self.expr(a)?;
                    let want = sig.get(i).or(sig.last()).copied().unwrap_or(Want::Any);
                    if t.is_text() {
                        return Err(self.text_error(e, a, false));
                    }
                    if !want.accepts(t) {
                        return Err(self.arg_error(i, self.text(e.span), a, t, want, ""));
                    }
                }
                match func {
                    Function::Length | Function::IndexOf => Ty::F(FieldType::Integer),
                    Function::Number
                    | Function::Add
                    | Function::Divide
                    | Function::Modulo
                    | Function::Multiply
                    | Function::Subtract => Ty::F(FieldType::Double),
                    Function::Concat
                    | Function::String
                    | Function::Substring
                    | Function::Between => Ty::F(FieldType::Keyword),
                    Function::CidrMatch
                    | Function::EndsWith
                    | Function::StartsWith
                    | Function::StringContains => Ty::F(FieldType::Boolean),
                }
            }
        })
    }

    fn field(&self, f: &Field, span: Span) -> Result<Ty, Diagnostic> {
        let info = field_info(&f.name);
        if let Some(parent) = nested_parent(&f.name) {
            return Err(Diagnostic::new(
                EqlErrorKind::NestedField,
                format!(
                    "Cannot use field [{}] type [{}] with unsupported nested type in hierarchy (field [{parent}])",
                    f.name,
                    es_type_name(info.ty)
                ),
                span,
            ));
        }
        if !info.known {
            return Ok(if f.optional && !super::optional::is_known(&f.name) {
                Ty::Null
            } else {
                Ty::Unknown
            });
        }
        match info.ty {
            FieldType::Nested => Err(Diagnostic::new(
                EqlErrorKind::NestedField,
                format!(
                    "Cannot use field [{}] type [nested] due to nested fields not being supported yet",
                    f.name
                ),
                span,
            )),
            FieldType::GeoPoint => Err(Diagnostic::new(
                EqlErrorKind::ArgumentType,
                format!(
                    "Cannot use field [{}] with unsupported type [geo_point]",
                    f.name
                ),
                span,
            )),
            // Objects have values only through their leaves; a flattened top field's value is
            // any of its leaves' (keyword).
            FieldType::Object => Ok(Ty::Unknown),
            // A text field with a keyword multi-field is matched exactly through it.
            t if t.is_text() && exact_subfield(&f.name) => Ok(Ty::F(FieldType::Keyword)),
            t => Ok(Ty::F(t)),
        }
    }

    fn text_error(&self, whole: &Expr, field: &Expr, first_argument: bool) -> Diagnostic {
        let name = match &field.kind {
            ExprKind::Field(f) => f.name.rsplit('.').next().unwrap_or(&f.name).to_string(),
            _ => self.text(field.span).to_string(),
        };
        let which = if first_argument {
            "first argument field"
        } else {
            "field"
        };
        Diagnostic::new(
            EqlErrorKind::TextField,
            format!(
                "[{}] cannot operate on {which} of data type [text]: No keyword/multi-field defined exact matches for [{name}]; define one or use MATCH/QUERY instead",
                self.text(whole.span)
            ),
            field.span,
        )
    }

    fn arg_error(
        &self,
        i: usize,
        op: &str,
        arg: &Expr,
        t: Ty,
        want: Want,
        hint: &str,
    ) -> Diagnostic {
        Diagnostic::new(
            EqlErrorKind::ArgumentType,
            format!(
                "{} argument of [{op}] must be [{}], found value [{}] type [{}]{hint}",
                ordinal(i),
                want.name(),
                self.text(arg.span),
                t.name()
            ),
            arg.span,
        )
        .expected([want.name()])
    }
}

/// `In.resolveType` numbers list items from 1 (`ordinal(i + 1)`): the second item is `2nd`.
fn nth(n: usize) -> String {
    let suffix = match (n % 10, n % 100) {
        (1, 11) | (2, 12) | (3, 13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

fn field_comparison(offender: &str, operation: &str, span: Span) -> Diagnostic {
    Diagnostic::new(
        EqlErrorKind::FieldComparison,
        format!(
            "Comparisons against fields are not (currently) supported; offender [{offender}] in [{operation}]"
        ),
        span,
    )
    .expected(["a constant"])
}

/// Whether `e` reads a field (Elasticsearch folds an optional field it does not know to `null`,
/// a constant: see [`super::optional`]).
fn has_field(e: &Expr) -> bool {
    match &e.kind {
        // An optional field may be folded to `null` (a constant) unless it is known for certain.
        ExprKind::Field(f) => !f.optional || super::optional::is_surely_known(&f.name),
        _ => e.children().into_iter().any(has_field),
    }
}
