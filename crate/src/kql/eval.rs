//! Evaluation with Elasticsearch's semantics. One function decides each (value, field type)
//! pair — [`test`](fn@test) — and both the fast boolean path ([`eval`]) and the explanation walk over the
//! same candidate values, so they cannot disagree.
//!
//! Per field type, as Elasticsearch indexes and queries it:
//! - keyword-like (and unknown fields): exact, case-sensitive; a JSON number or boolean is
//!   indexed as its text; values longer than `ignore_above` are not indexed and match nothing.
//! - text / match_only_text: lowercased tokens; unquoted values are `match` (any token), quoted
//!   ones `match_phrase`, wildcards apply per token.
//! - numeric: numbers or numeric strings (coerced), compared as numbers.
//! - ip: addresses and CIDR ranges; date: ISO text or epoch millis, date math against `now`.

use super::ast::RangeOp;
use super::compile::{CNode, DatePat, FieldSel, Leaf, Test, ValuePat};
use crate::event::ecs::{field_info, FieldType};
use crate::event::lookup::{fields, lookup_paths};
use crate::pattern::cidr::ip_key;
use crate::pattern::text::tokens;
use crate::time::{date_math, parse_date};
use serde_json::Value;
use std::borrow::Cow;
use std::cmp::Ordering;

/// What one value did against one test.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Outcome {
    Yes,
    No,
    /// A keyword longer than the field's `ignore_above`: not indexed, so it can match nothing.
    TooLong,
}

pub(crate) fn eval(n: &CNode, ev: &Value, now: i64) -> bool {
    match n {
        CNode::All(_) => true,
        CNode::Or(items, _) => items.iter().any(|i| eval(i, ev, now)),
        CNode::And(items, _) => items.iter().all(|i| eval(i, ev, now)),
        CNode::Not(inner, _) => !eval(inner, ev, now),
        CNode::Leaf(leaf) => leaf_matches(leaf, ev, now),
        CNode::Nested(nested) => nested
            .path
            .any_value(ev, |obj| obj.is_object() && eval(&nested.inner, obj, now)),
    }
}

pub(crate) fn leaf_matches(leaf: &Leaf, ev: &Value, now: i64) -> bool {
    match &leaf.field {
        FieldSel::One {
            path,
            ty,
            ignore_above,
            ..
        } => path.any_value(ev, |v| {
            test(&leaf.test, *ty, *ignore_above, v, now) == Outcome::Yes
        }),
        sel @ FieldSel::Pattern { .. } => expand(sel, ev)
            .iter()
            .any(|c| test(&leaf.test, c.ty, c.ignore_above, c.value, now) == Outcome::Yes),
    }
}

/// One value a field-name pattern (or free text) looks at.
pub(crate) struct Candidate<'a> {
    pub path: String,
    pub ty: FieldType,
    pub ignore_above: Option<usize>,
    pub value: &'a Value,
}

/// The event's leaf values whose field names match a pattern selector (all of them for free
/// text), each with the type of its field.
pub(crate) fn expand<'a>(sel: &FieldSel, ev: &'a Value) -> Vec<Candidate<'a>> {
    let FieldSel::Pattern {
        pattern, prefix, ..
    } = sel
    else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for rel in fields(ev) {
        let full = format!("{prefix}{rel}");
        if pattern.as_ref().is_some_and(|p| !p.is_match(&full)) {
            continue;
        }
        let info = field_info(&full);
        for (path, value) in lookup_paths(ev, &rel) {
            out.push(Candidate {
                path,
                ty: info.ty,
                ignore_above: info.ignore_above,
                value,
            });
        }
    }
    out
}

pub(crate) fn test(
    t: &Test,
    ty: FieldType,
    ignore_above: Option<usize>,
    v: &Value,
    now: i64,
) -> Outcome {
    // A `flattened` field's own name reaches every leaf value under it, each a keyword
    // (`FlattenedFieldMapper`: the root field indexes all leaf values; `field.key` one key's).
    if ty == FieldType::Flattened && matches!(v, Value::Object(_) | Value::Array(_)) {
        let mut leaves = Vec::new();
        crate::event::lookup::flattened_leaves(v, &mut leaves);
        return leaves
            .into_iter()
            .map(|leaf| test(t, FieldType::Flattened, ignore_above, leaf, now))
            .find(|o| *o == Outcome::Yes)
            .unwrap_or(Outcome::No);
    }
    match t {
        Test::Exists => exists(ty, ignore_above, v),
        Test::Is(p) => is(p, ty, ignore_above, v, now),
        Test::Range(op, p) => range(*op, p, ty, ignore_above, v, now),
    }
}

fn yes(b: bool) -> Outcome {
    if b {
        Outcome::Yes
    } else {
        Outcome::No
    }
}

/// Java's `String.length()` (UTF-16 units) against `ignore_above`, which is how it is checked.
fn too_long(s: &str, ignore_above: Option<usize>) -> bool {
    ignore_above.is_some_and(|n| s.len() > n && s.encode_utf16().count() > n)
}

fn exists(ty: FieldType, ignore_above: Option<usize>, v: &Value) -> Outcome {
    match v {
        // An object exists when something under it was indexed; `{}` indexes nothing.
        Value::Object(map) => yes(map.values().any(has_leaf)),
        // A keyword over `ignore_above` has neither terms nor doc values: `exists` is false.
        Value::String(s) if ty.is_keyword_like() && too_long(s, ignore_above) => Outcome::TooLong,
        _ => Outcome::Yes,
    }
}

fn has_leaf(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::Array(a) => a.iter().any(has_leaf),
        Value::Object(m) => m.values().any(has_leaf),
        _ => true,
    }
}

/// A scalar as the text a keyword or text field would index.
fn as_text(v: &Value) -> Option<Cow<'_, str>> {
    match v {
        Value::String(s) => Some(Cow::Borrowed(s)),
        Value::Number(n) => Some(Cow::Owned(n.to_string())),
        Value::Bool(b) => Some(Cow::Borrowed(if *b { "true" } else { "false" })),
        _ => None,
    }
}

/// A numeric field's value: JSON numbers, or strings Elasticsearch coerces.
fn as_number(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.parse::<f64>().ok().filter(|f| f.is_finite()),
        _ => None,
    }
}

fn as_date(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => parse_date(s),
        _ => None,
    }
}

fn as_bool(v: &Value) -> Option<bool> {
    match v {
        Value::Bool(b) => Some(*b),
        Value::String(s) if s == "true" => Some(true),
        Value::String(s) if s == "false" => Some(false),
        _ => None,
    }
}

/// First and last millisecond a date value covers, resolved against `now`.
fn date_bounds(p: &ValuePat, now: i64) -> Option<(i64, i64)> {
    match p.date {
        DatePat::None => None,
        DatePat::Abs(lo, hi) => Some((lo, hi)),
        DatePat::Math => {
            let lo = date_math(&p.text, now)?;
            // Rounding `/d` as an upper bound means the end of that day.
            let hi = match p.text.trim().rsplit_once('/') {
                Some((base, unit)) if unit.len() == 1 => {
                    date_math(&format!("{base}+1{unit}/{unit}"), now)
                        .map_or(lo, |t| t.saturating_sub(1))
                }
                _ => lo,
            };
            Some((lo, hi))
        }
    }
}

fn is(p: &ValuePat, ty: FieldType, ignore_above: Option<usize>, v: &Value, now: i64) -> Outcome {
    if ty.is_text() {
        return yes(text_is(p, v));
    }
    if ty.is_numeric() {
        // A wildcard on a numeric field is a query error in Elasticsearch: no hits.
        // Both sides at the field's stored precision (`float` is 32-bit: FieldType::stored_f64).
        let stored = |f: f64| ty.stored_f64(f);
        return yes(p.wildcard.is_none()
            && p.number.is_some()
            && as_number(v).map(stored) == p.number.map(stored));
    }
    match ty {
        FieldType::Boolean => yes(p.boolean.is_some() && as_bool(v) == p.boolean),
        FieldType::Ip => yes(p.wildcard.is_none()
            && matches!((&p.cidr, v), (Some(c), Value::String(s)) if c.contains_str(s))),
        FieldType::Date | FieldType::DateNanos => {
            // Kibana turns `date_field:value` into a range from the value's first to last ms.
            match (as_date(v), date_bounds(p, now)) {
                (Some(t), Some((lo, hi))) if p.wildcard.is_none() => yes(lo <= t && t <= hi),
                _ => Outcome::No,
            }
        }
        _ => keyword_is(p, ignore_above, v),
    }
}

fn keyword_is(p: &ValuePat, ignore_above: Option<usize>, v: &Value) -> Outcome {
    if !p.split.is_empty() {
        let Some(s) = as_text(v) else {
            return Outcome::No;
        };
        if matches!(v, Value::String(_)) && too_long(&s, ignore_above) {
            return Outcome::TooLong;
        }
        return yes(p.split.iter().any(|(_, w)| w.is_match(&s)));
    }
    match v {
        Value::String(s) => {
            if too_long(s, ignore_above) {
                Outcome::TooLong
            } else if let Some(w) = &p.wildcard {
                yes(w.is_match(s))
            } else {
                yes(*s == p.text)
            }
        }
        // Integers compare without formatting: the text must be their canonical form.
        Value::Number(n) if p.wildcard.is_none() && n.as_i64().is_some() => {
            yes(n.as_i64() == p.int)
        }
        Value::Number(_) | Value::Bool(_) => {
            let Some(s) = as_text(v) else {
                return Outcome::No;
            };
            match &p.wildcard {
                Some(w) => yes(w.is_match(&s)),
                None => yes(s == p.text),
            }
        }
        _ => Outcome::No,
    }
}

fn text_is(p: &ValuePat, v: &Value) -> bool {
    let Some(s) = as_text(v) else {
        return false;
    };
    let have = tokens(&s);
    if let Some(w) = &p.wildcard_lc {
        return have.iter().any(|t| w.is_match(t));
    }
    if p.tokens.is_empty() {
        return false; // Elasticsearch: a query without tokens has no clauses and no hits.
    }
    if p.quoted {
        have.windows(p.tokens.len())
            .any(|w| w == p.tokens.as_slice())
    } else {
        p.tokens.iter().any(|q| have.contains(q))
    }
}

fn holds(ord: Option<Ordering>, op: RangeOp) -> bool {
    match (ord, op) {
        (None, _) => false,
        (Some(o), RangeOp::Lt) => o == Ordering::Less,
        (Some(o), RangeOp::Lte) => o != Ordering::Greater,
        (Some(o), RangeOp::Gt) => o == Ordering::Greater,
        (Some(o), RangeOp::Gte) => o != Ordering::Less,
    }
}

fn range(
    op: RangeOp,
    p: &ValuePat,
    ty: FieldType,
    ignore_above: Option<usize>,
    v: &Value,
    now: i64,
) -> Outcome {
    if ty.is_numeric() {
        return match (as_number(v), p.number) {
            (Some(x), Some(b)) => yes(holds(ty.stored_f64(x).partial_cmp(&ty.stored_f64(b)), op)),
            _ => Outcome::No,
        };
    }
    match ty {
        FieldType::Date | FieldType::DateNanos => {
            let (Some(t), Some((lo, hi))) = (as_date(v), date_bounds(p, now)) else {
                return Outcome::No;
            };
            // `gt` and `lte` round the bound up to the end of what it names, `gte`/`lt` down.
            let bound = match op {
                RangeOp::Gt | RangeOp::Lte => hi,
                RangeOp::Gte | RangeOp::Lt => lo,
            };
            yes(holds(Some(t.cmp(&bound)), op))
        }
        FieldType::Ip => match (v.as_str().and_then(ip_key), p.ip) {
            (Some(x), Some(b)) => yes(holds(Some(x.cmp(&b)), op)),
            _ => Outcome::No,
        },
        FieldType::Boolean => match (as_bool(v), p.boolean) {
            (Some(x), Some(b)) => yes(holds(Some(x.cmp(&b)), op)),
            _ => Outcome::No,
        },
        t if t.is_text() => {
            let Some(s) = as_text(v) else {
                return Outcome::No;
            };
            let text = p.text.as_str();
            yes(tokens(&s)
                .iter()
                .any(|tok| holds(Some(tok.as_str().cmp(text)), op)))
        }
        _ => {
            // Keyword ranges compare terms as UTF-8 bytes, which is `str`'s order.
            if let Value::String(s) = v {
                if too_long(s, ignore_above) {
                    return Outcome::TooLong;
                }
            }
            match as_text(v) {
                Some(s) => yes(holds(Some((*s).cmp(p.text.as_str())), op)),
                None => Outcome::No,
            }
        }
    }
}
