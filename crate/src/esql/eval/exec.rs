//! Running a compiled expression on one row: three-valued logic, null in → null out, and a
//! multi-value or an arithmetic failure → null plus Elasticsearch's warning pair.

use super::compare::compare;
use super::compile::{matcher, CExpr, Matcher, Node, WildPart};
use super::convert;
use crate::diagnostic::Span;
use crate::esql::ast::BinOp;
use crate::esql::functions::{EvalCtx, Failure};
use crate::esql::parser::line_col;
use crate::esql::value::{DataType, Scalar, Value};
use serde_json::Value as Json;
use std::cmp::Ordering;
use std::collections::{HashMap, HashSet};

/// Response warnings, de-duplicated as HTTP warning headers are, at most 20 failures recorded
/// per expression as Elasticsearch records them.
#[derive(Default)]
pub struct Warnings {
    pub list: Vec<String>,
    seen: HashSet<String>,
    per_expr: HashMap<usize, usize>,
}

impl Warnings {
    pub fn push(&mut self, w: String) {
        if self.seen.insert(w.clone()) {
            self.list.push(w);
        }
    }

    pub fn fail(&mut self, src: &str, e: &CExpr, f: &Failure) {
        self.fail_at(src, e.span, &e.text, f);
    }

    /// A failure of the expression with source `text` at `span`.
    pub fn fail_at(&mut self, src: &str, span: Span, text: &str, f: &Failure) {
        let count = self.per_expr.entry(span.start).or_default();
        *count += 1;
        if *count > 20 {
            return;
        }
        let (line, col) = line_col(src, span.start);
        self.push(format!(
            "Line {line}:{col}: evaluation of [{text}] failed, treating result as null. Only first 20 failures recorded."
        ));
        self.push(format!("Line {line}:{col}: {}: {}", f.exception, f.message));
    }
}

pub struct RowCtx<'a> {
    pub src: &'a str,
    pub cells: &'a [Value],
    pub aggs: &'a [Value],
    /// The row's (first) source event, for `KQL()`.
    pub event: Option<&'a Json>,
    pub fctx: &'a EvalCtx,
}

fn failure(exception: &'static str, message: impl Into<String>) -> Failure {
    Failure {
        exception,
        message: message.into(),
    }
}

fn multi_value() -> Failure {
    failure(
        "java.lang.IllegalArgumentException",
        "single-value function encountered multi-value",
    )
}

fn arith_failure(message: &str) -> Failure {
    failure("java.lang.ArithmeticException", message)
}

fn boolean(v: &Value) -> Option<bool> {
    match v {
        Value::One(Scalar::Bool(b)) => Some(*b),
        _ => None,
    }
}

fn from_bool(b: Option<bool>) -> Value {
    b.map_or(Value::Null, |b| Value::One(Scalar::Bool(b)))
}

/// The single value of a cell: `Ok(None)` for null, a failure for a multi-value.
fn single(v: &Value) -> Result<Option<&Scalar>, Failure> {
    match v {
        Value::Null => Ok(None),
        Value::One(s) => Ok(Some(s)),
        Value::Many(_) => Err(multi_value()),
    }
}

pub fn eval(c: &CExpr, row: &RowCtx, w: &mut Warnings) -> Value {
    match try_eval(c, row, w) {
        Ok(v) => v,
        Err(f) => {
            w.fail(row.src, c, &f);
            Value::Null
        }
    }
}

fn try_eval(c: &CExpr, row: &RowCtx, w: &mut Warnings) -> Result<Value, Failure> {
    Ok(match &c.node {
        Node::Const(v) => v.clone(),
        Node::Col(i) => row.cells.get(*i).cloned().unwrap_or_default(),
        Node::Agg(i) => row.aggs.get(*i).cloned().unwrap_or_default(),
        Node::Scalar { f, args } => {
            let values: Vec<Value> = args.iter().map(|a| eval(a, row, w)).collect();
            f.eval(&values, row.fctx)?
        }
        Node::Neg(e) => {
            let v = eval(e, row, w);
            match single(&v)? {
                None => Value::Null,
                Some(s) => Value::One(negate(s)?),
            }
        }
        Node::Arith { op, l, r } => {
            let (a, b) = (eval(l, row, w), eval(r, row, w));
            match (single(&a)?, single(&b)?) {
                (Some(x), Some(y)) => Value::One(arith(*op, x, y, c.ty)?),
                _ => Value::Null,
            }
        }
        Node::Cmp { op, l, r } => {
            let (a, b) = (eval(l, row, w), eval(r, row, w));
            match (single(&a)?, single(&b)?) {
                (Some(x), Some(y)) => from_bool(compare_op(*op, x, y)),
                _ => Value::Null,
            }
        }
        Node::And(l, r) => {
            let a = boolean(&eval(l, row, w));
            if a == Some(false) {
                return Ok(from_bool(Some(false)));
            }
            let b = boolean(&eval(r, row, w));
            from_bool(match (a, b) {
                (_, Some(false)) => Some(false),
                (Some(true), Some(true)) => Some(true),
                _ => None,
            })
        }
        Node::Or(l, r) => {
            let a = boolean(&eval(l, row, w));
            if a == Some(true) {
                return Ok(from_bool(Some(true)));
            }
            let b = boolean(&eval(r, row, w));
            from_bool(match (a, b) {
                (_, Some(true)) => Some(true),
                (Some(false), Some(false)) => Some(false),
                _ => None,
            })
        }
        Node::Not(e) => from_bool(boolean(&eval(e, row, w)).map(|b| !b)),
        Node::In { e, list } => {
            let v = eval(e, row, w);
            let Some(x) = single(&v)? else {
                return Ok(Value::Null);
            };
            let mut saw_null = false;
            for item in list {
                let iv = eval(item, row, w);
                if iv.is_null() {
                    saw_null = true;
                }
                if iv
                    .values()
                    .iter()
                    .any(|y| compare(x, y) == Some(Ordering::Equal))
                {
                    return Ok(from_bool(Some(true)));
                }
            }
            from_bool(if saw_null { None } else { Some(false) })
        }
        Node::IsNull { e, negated } => from_bool(Some(eval(e, row, w).is_null() != *negated)),
        Node::Like {
            e,
            matchers,
            computed,
            regex,
        } => {
            let v = eval(e, row, w);
            let Some(Scalar::Str(s)) = single(&v)? else {
                return Ok(Value::Null);
            };
            if matchers.iter().any(|m| like(m, s)) {
                return Ok(from_bool(Some(true)));
            }
            for p in computed {
                if let Some(Scalar::Str(text)) = eval(p, row, w).single() {
                    let m = matcher(text, *regex, p.span)
                        .map_err(|d| failure("java.lang.IllegalArgumentException", d.message))?;
                    if like(&m, s) {
                        return Ok(from_bool(Some(true)));
                    }
                }
            }
            from_bool(Some(false))
        }
        Node::Kql(q) => from_bool(row.event.map(|ev| q.matches(ev, row.fctx.now_millis))),
        Node::Match { e, query } => {
            let v = eval(e, row, w);
            if v.is_null() {
                return Ok(from_bool(Some(false)));
            }
            from_bool(Some(v.values().iter().any(|s| full_text(s, e.ty, query))))
        }
        Node::Cast { e, f } => {
            let v = eval(e, row, w);
            if let Some(f) = f {
                f.eval(&[v], row.fctx)?
            } else {
                let mut out = Vec::new();
                for s in v.values() {
                    out.push(convert::cast(s, c.ty).map_err(|m| {
                        failure(
                            "org.elasticsearch.xpack.esql.core.InvalidArgumentException",
                            m,
                        )
                    })?);
                }
                Value::from_vec(out)
            }
        }
    })
}

fn like(m: &Matcher, s: &str) -> bool {
    match m {
        Matcher::Regex(r) => r.is_match(s),
        Matcher::All => true,
        Matcher::Wildcard(parts) => wildcard_match(parts, &s.chars().collect::<Vec<_>>()),
    }
}

/// Greedy matching with backtracking to the last `*`: linear in practice.
fn wildcard_match(p: &[WildPart], s: &[char]) -> bool {
    let (mut pi, mut si) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while si < s.len() {
        match p.get(pi) {
            Some(WildPart::AnyMany) => {
                star = Some((pi, si));
                pi += 1;
            }
            Some(WildPart::AnyOne) => {
                pi += 1;
                si += 1;
            }
            Some(WildPart::Char(c)) if *c == s[si] => {
                pi += 1;
                si += 1;
            }
            _ => match star {
                Some((sp, ss)) => {
                    pi = sp + 1;
                    si = ss + 1;
                    star = Some((sp, ss + 1));
                }
                None => return false,
            },
        }
    }
    p[pi.min(p.len())..].iter().all(|x| *x == WildPart::AnyMany)
}

/// The match operator without Elasticsearch's analyzers: a keyword field equals the query; a
/// text field holds any of the query's lower-cased words (the standard analyzer's OR).
fn full_text(s: &Scalar, ty: DataType, query: &str) -> bool {
    let text = convert::to_text(s);
    if ty != DataType::Text {
        return text == query;
    }
    let words = |t: &str| -> Vec<String> {
        t.split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(str::to_lowercase)
            .collect()
    };
    let have = words(&text);
    words(query).iter().any(|q| have.contains(q))
}

fn compare_op(op: BinOp, a: &Scalar, b: &Scalar) -> Option<bool> {
    if op == BinOp::EqIgnoreCase {
        if let (Scalar::Str(x), Scalar::Str(y)) = (a, b) {
            return Some(x.to_lowercase() == y.to_lowercase());
        }
    }
    let o = compare(a, b)?;
    Some(match op {
        BinOp::Eq | BinOp::EqIgnoreCase => o == Ordering::Equal,
        BinOp::Neq => o != Ordering::Equal,
        BinOp::Lt => o == Ordering::Less,
        BinOp::Le => o != Ordering::Greater,
        BinOp::Gt => o == Ordering::Greater,
        BinOp::Ge => o != Ordering::Less,
        _ => return None,
    })
}

fn negate(s: &Scalar) -> Result<Scalar, Failure> {
    Ok(match s {
        Scalar::Int(i) => Scalar::Int(
            i.checked_neg()
                .ok_or_else(|| arith_failure("integer overflow"))?,
        ),
        Scalar::Long(i) => Scalar::Long(
            i.checked_neg()
                .ok_or_else(|| arith_failure("long overflow"))?,
        ),
        Scalar::Double(d) => Scalar::Double(-d),
        Scalar::ULong(0) => Scalar::ULong(0),
        Scalar::ULong(_) => return Err(arith_failure("unsigned_long overflow")),
        Scalar::TimeDuration(d) => Scalar::TimeDuration(
            d.checked_neg()
                .ok_or_else(|| arith_failure("long overflow"))?,
        ),
        Scalar::DatePeriod { months, days } => {
            let (Some(months), Some(days)) = (months.checked_neg(), days.checked_neg()) else {
                return Err(arith_failure("integer overflow"));
            };
            Scalar::DatePeriod { months, days }
        }
        other => other.clone(),
    })
}

fn as_f64(s: &Scalar) -> Option<f64> {
    match s {
        Scalar::Int(i) => Some((*i).into()),
        Scalar::Long(i) => Some(*i as f64),
        Scalar::ULong(u) => Some(*u as f64),
        Scalar::Double(d) => Some(*d),
        _ => None,
    }
}

fn as_i64(s: &Scalar) -> Option<i64> {
    match s {
        Scalar::Int(i) => Some((*i).into()),
        Scalar::Long(i) => Some(*i),
        _ => None,
    }
}

fn arith(op: BinOp, a: &Scalar, b: &Scalar, ty: DataType) -> Result<Scalar, Failure> {
    let by_zero = || arith_failure("/ by zero");
    match ty {
        DataType::Integer | DataType::Long => {
            let (Some(x), Some(y)) = (as_i64(a), as_i64(b)) else {
                return Err(failure(
                    "java.lang.IllegalArgumentException",
                    "unsupported operands",
                ));
            };
            let r = match op {
                BinOp::Add => x.checked_add(y),
                BinOp::Sub => x.checked_sub(y),
                BinOp::Mul => x.checked_mul(y),
                BinOp::Div if y == 0 => return Err(by_zero()),
                BinOp::Div => x.checked_div(y),
                BinOp::Mod if y == 0 => return Err(by_zero()),
                BinOp::Mod => x.checked_rem(y),
                _ => None,
            };
            if ty == DataType::Integer {
                r.and_then(|v| i32::try_from(v).ok())
                    .map(Scalar::Int)
                    .ok_or_else(|| arith_failure("integer overflow"))
            } else {
                r.map(Scalar::Long)
                    .ok_or_else(|| arith_failure("long overflow"))
            }
        }
        DataType::UnsignedLong => {
            let (Scalar::ULong(x), Scalar::ULong(y)) = (a, b) else {
                return Err(failure(
                    "java.lang.IllegalArgumentException",
                    "unsupported operands",
                ));
            };
            let r = match op {
                BinOp::Add => x.checked_add(*y),
                BinOp::Sub => x.checked_sub(*y),
                BinOp::Mul => x.checked_mul(*y),
                BinOp::Div | BinOp::Mod if *y == 0 => return Err(by_zero()),
                BinOp::Div => x.checked_div(*y),
                BinOp::Mod => x.checked_rem(*y),
                _ => None,
            };
            r.map(Scalar::ULong)
                .ok_or_else(|| arith_failure("unsigned_long overflow"))
        }
        DataType::Double => {
            let (Some(x), Some(y)) = (as_f64(a), as_f64(b)) else {
                return Err(failure(
                    "java.lang.IllegalArgumentException",
                    "unsupported operands",
                ));
            };
            let r = match op {
                BinOp::Add => x + y,
                BinOp::Sub => x - y,
                BinOp::Mul => x * y,
                BinOp::Div | BinOp::Mod if y == 0.0 => return Err(by_zero()),
                BinOp::Div => x / y,
                BinOp::Mod => x % y,
                _ => f64::NAN,
            };
            if !r.is_finite() {
                return Err(arith_failure(&format!(
                    "not a finite double number: {}",
                    convert::java_double(r)
                )));
            }
            Ok(Scalar::Double(r))
        }
        _ => temporal(op, a, b),
    }
}

/// Date ± period/duration, and sums of periods or of durations.
fn temporal(op: BinOp, a: &Scalar, b: &Scalar) -> Result<Scalar, Failure> {
    let sign = if op == BinOp::Sub { -1 } else { 1 };
    let overflow = || arith_failure("long overflow");
    let shift_ms = |ms: i64, amount: &Scalar| -> Result<i64, Failure> {
        match amount {
            Scalar::TimeDuration(d) => d
                .checked_mul(sign)
                .and_then(|d| ms.checked_add(d))
                .ok_or_else(overflow),
            Scalar::DatePeriod { months, days } => {
                let day = ms.div_euclid(86_400_000);
                let rem = ms.rem_euclid(86_400_000);
                let (y, m, d) = crate::time::civil_from_days(day);
                let total = y * 12 + i64::from(m) - 1 + sign * i64::from(*months);
                let (ny, nm) = (total.div_euclid(12), total.rem_euclid(12) as u32 + 1);
                let nd = d.min(crate::time::days_in_month(ny, nm));
                let days_since = crate::time::days_from_civil(ny, nm, nd) + sign * i64::from(*days);
                days_since
                    .checked_mul(86_400_000)
                    .and_then(|v| v.checked_add(rem))
                    .ok_or_else(overflow)
            }
            _ => Err(failure(
                "java.lang.IllegalArgumentException",
                "unsupported operands",
            )),
        }
    };
    match (a, b) {
        (Scalar::Date(ms), amount) | (amount, Scalar::Date(ms)) => {
            Ok(Scalar::Date(shift_ms(*ms, amount)?))
        }
        (Scalar::DateNanos(ns), amount) | (amount, Scalar::DateNanos(ns)) => {
            let ms = ns.div_euclid(1_000_000);
            let sub = ns.rem_euclid(1_000_000);
            let shifted = shift_ms(ms, amount)?;
            shifted
                .checked_mul(1_000_000)
                .and_then(|v| v.checked_add(sub))
                .map(Scalar::DateNanos)
                .ok_or_else(overflow)
        }
        (Scalar::TimeDuration(x), Scalar::TimeDuration(y)) => y
            .checked_mul(sign)
            .and_then(|y| x.checked_add(y))
            .map(Scalar::TimeDuration)
            .ok_or_else(overflow),
        (
            Scalar::DatePeriod {
                months: m1,
                days: d1,
            },
            Scalar::DatePeriod {
                months: m2,
                days: d2,
            },
        ) => {
            let s = sign as i32;
            let months = m2.checked_mul(s).and_then(|m| m1.checked_add(m));
            let days = d2.checked_mul(s).and_then(|d| d1.checked_add(d));
            let (Some(months), Some(days)) = (months, days) else {
                return Err(arith_failure("integer overflow"));
            };
            Ok(Scalar::DatePeriod { months, days })
        }
        _ => Err(failure(
            "java.lang.IllegalArgumentException",
            "unsupported operands",
        )),
    }
}
