//! The explanation of one event's verdict: the compiled tree walked in full (no short-circuit,
//! so the page can show every clause), each leaf with the values it looked at and plain words.
//! Leaves use [`eval::test`](super::eval::test) on the same candidate values as the fast path,
//! so the verdicts agree.

use super::compile::{CNode, FieldSel, Leaf, Test};
use super::eval::{expand, test, Outcome};
use crate::explain::{Clause, Looked, Verdict};
use serde_json::Value;

pub(crate) fn explain(n: &CNode, ev: &Value, now: i64, base: &str) -> Clause {
    match n {
        CNode::All(span) => {
            let mut c = Clause::new("all", *span, Verdict::True);
            c.message = Some("matches every event".into());
            c
        }
        CNode::Or(items, span) | CNode::And(items, span) => {
            let is_or = matches!(n, CNode::Or(..));
            let children: Vec<Clause> = items.iter().map(|i| explain(i, ev, now, base)).collect();
            let verdict = if is_or {
                children.iter().any(|c| c.verdict.is_true())
            } else {
                children.iter().all(|c| c.verdict.is_true())
            };
            let mut c = Clause::new(
                if is_or { "or" } else { "and" },
                *span,
                Verdict::from_bool(verdict),
            );
            c.children = children;
            c
        }
        CNode::Not(inner, span) => {
            let child = explain(inner, ev, now, base);
            let mut c = Clause::new("not", *span, Verdict::from_bool(!child.verdict.is_true()));
            c.children = vec![child];
            c
        }
        CNode::Leaf(leaf) => explain_leaf(leaf, ev, now, base),
        CNode::Nested(nested) => {
            let mut c = Clause::new("nested", nested.span, Verdict::Missing);
            c.field = Some(nested.field.clone());
            let objects: Vec<(String, &Value)> = nested
                .path
                .values_with_paths(ev)
                .into_iter()
                .filter(|(_, v)| v.is_object())
                .collect();
            if objects.is_empty() {
                c.message = Some(format!("{} is missing", nested.field));
                return c;
            }
            let clauses: Vec<Clause> = objects
                .iter()
                .map(|(path, obj)| explain(&nested.inner, obj, now, &join(base, path)))
                .collect();
            let hit = clauses.iter().position(|c| c.verdict.is_true());
            c.verdict = Verdict::from_bool(hit.is_some());
            c.message = Some(match hit {
                Some(i) => format!("{} matches in {}", nested.field, join(base, &objects[i].0)),
                None => format!(
                    "none of the {} objects under {} matches on its own",
                    objects.len(),
                    nested.field
                ),
            });
            // One object's trace: the matching one, or the first to show why it failed.
            c.children = clauses
                .into_iter()
                .nth(hit.unwrap_or(0))
                .into_iter()
                .collect();
            c
        }
    }
}

fn join(base: &str, path: &str) -> String {
    match (base.is_empty(), path.is_empty()) {
        (true, _) => path.to_string(),
        (_, true) => base.to_string(),
        _ => format!("{base}.{path}"),
    }
}

fn kind(leaf: &Leaf) -> &'static str {
    match &leaf.test {
        Test::Exists => "exists",
        Test::Range(..) => "range",
        Test::Is(_) if matches!(leaf.field, FieldSel::Pattern { name: None, .. }) => "freetext",
        Test::Is(p) if p.wildcard.is_some() => "wildcard",
        Test::Is(p) if p.quoted => "phrase",
        Test::Is(_) => "match",
    }
}

fn pattern_text(t: &Test) -> String {
    match t {
        Test::Exists => "*".into(),
        Test::Is(p) => p.text.clone(),
        Test::Range(op, p) => format!("{} {}", op.as_str(), p.text),
    }
}

fn explain_leaf(leaf: &Leaf, ev: &Value, now: i64, base: &str) -> Clause {
    let pattern = pattern_text(&leaf.test);
    let mut looked = Vec::new();
    let mut too_long = false;
    match &leaf.field {
        FieldSel::One {
            path,
            ty,
            ignore_above,
            ..
        } => {
            for (p, v) in path.values_with_paths(ev) {
                let o = test(&leaf.test, *ty, *ignore_above, v, now);
                too_long |= o == Outcome::TooLong;
                looked.push(Looked {
                    path: join(base, &p),
                    value: v.clone(),
                    matched: o == Outcome::Yes,
                    pattern: Some(pattern.clone()),
                });
            }
        }
        sel @ FieldSel::Pattern { .. } => {
            for c in expand(sel, ev) {
                let o = test(&leaf.test, c.ty, c.ignore_above, c.value, now);
                too_long |= o == Outcome::TooLong;
                // Free text looks at every field: keep only what matched to stay small.
                if o != Outcome::Yes && matches!(sel, FieldSel::Pattern { name: None, .. }) {
                    continue;
                }
                looked.push(Looked {
                    path: join(base, &c.path),
                    value: c.value.clone(),
                    matched: o == Outcome::Yes,
                    pattern: Some(pattern.clone()),
                });
            }
        }
    }
    let matched = looked.iter().any(|l| l.matched);
    let free_text = matches!(leaf.field, FieldSel::Pattern { name: None, .. });
    let verdict = if matched {
        Verdict::True
    } else if looked.is_empty() && !too_long && !free_text {
        Verdict::Missing
    } else {
        Verdict::False
    };
    let field = leaf.field.name().map(str::to_string);
    let mut c = Clause::new(kind(leaf), leaf.span, verdict);
    c.message = Some(message(leaf, field.as_deref(), verdict, &looked, too_long));
    c.field = field;
    c.looked = looked;
    c
}

fn show(v: &Value) -> String {
    let s = v.to_string();
    if s.chars().count() > 80 {
        let cut: String = s.chars().take(77).collect();
        format!("{cut}…")
    } else {
        s
    }
}

fn show_values(looked: &[Looked], only_matched: bool) -> String {
    let vals: Vec<&Looked> = looked
        .iter()
        .filter(|l| !only_matched || l.matched)
        .collect();
    match vals.as_slice() {
        [one] => show(&one.value),
        many => {
            let mut parts: Vec<String> = many.iter().take(5).map(|l| show(&l.value)).collect();
            if many.len() > 5 {
                parts.push(format!("… {} more", many.len() - 5));
            }
            format!("[{}]", parts.join(", "))
        }
    }
}

fn message(
    leaf: &Leaf,
    field: Option<&str>,
    verdict: Verdict,
    looked: &[Looked],
    too_long: bool,
) -> String {
    let f = field.unwrap_or("a field");
    let pattern = pattern_text(&leaf.test);
    let quoted = serde_json::to_string(&pattern).unwrap_or_default();
    let free_text = matches!(leaf.field, FieldSel::Pattern { name: None, .. });
    match verdict {
        Verdict::Missing => format!("{f} is missing"),
        Verdict::True if free_text => {
            let l = looked.iter().find(|l| l.matched);
            format!(
                "{} is {}, matching {quoted}",
                l.map_or("a field", |l| l.path.as_str()),
                l.map_or_else(String::new, |l| show(&l.value))
            )
        }
        Verdict::True => match &leaf.test {
            Test::Exists => format!("{f} exists"),
            Test::Range(..) => format!("{f} is {}, {pattern}", show_values(looked, true)),
            Test::Is(p) if !p.split.is_empty() => format!(
                "{f} is {}, matching one of {}{}",
                show_values(looked, true),
                split_terms(p),
                SPLIT_NOTE
            ),
            Test::Is(p) if p.wildcard.is_some() => {
                format!("{f} is {}, matching {quoted}", show_values(looked, true))
            }
            Test::Is(_) => format!("{f} is {}", show_values(looked, true)),
        },
        Verdict::False if too_long && !looked.iter().any(|l| !too_long_value(leaf, l)) => {
            let limit = match &leaf.field {
                FieldSel::One {
                    ignore_above: Some(n),
                    ..
                } => format!(" ({n} characters)"),
                _ => String::new(),
            };
            format!(
                "{f} is longer than its ignore_above limit{limit}: Elasticsearch does not index \
                 such values, so it matches nothing"
            )
        }
        Verdict::False if free_text => format!("no field of the event matches {quoted}"),
        Verdict::False => {
            let is = show_values(looked, false);
            match &leaf.test {
                Test::Exists => format!("{f} has no indexed value"),
                Test::Range(..) => format!("{f} is {is}, not {pattern}"),
                Test::Is(p) if p.wildcard.is_none() && p.quoted && is_text(leaf) => {
                    format!("{f} is {is}, which does not contain the phrase {quoted}")
                }
                Test::Is(p) if p.wildcard.is_none() && !is_text(leaf) => {
                    format!("{f} is {is}, not {quoted}")
                }
                Test::Is(p) if !p.split.is_empty() => format!(
                    "{f} is {is}, which matches none of {}{}",
                    split_terms(p),
                    SPLIT_NOTE
                ),
                Test::Is(_) => format!("{f} is {is}, which does not match {quoted}"),
            }
        }
    }
}

/// Why a wildcard value with whitespace is several patterns (see `ValuePat::split`).
const SPLIT_NOTE: &str = " (Kibana sends a wildcard value as a query_string, which splits it at \
     whitespace into separate patterns, any of which may match: kibana#23001)";

fn split_terms(p: &crate::kql::compile::ValuePat) -> String {
    p.split
        .iter()
        .map(|(t, _)| format!("`{t}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn is_text(leaf: &Leaf) -> bool {
    matches!(&leaf.field, FieldSel::One { ty, .. } if ty.is_text())
}

/// Whether a looked-at value was one rejected for its length (for the message only).
fn too_long_value(leaf: &Leaf, l: &Looked) -> bool {
    match (&leaf.field, &l.value) {
        (
            FieldSel::One {
                ignore_above: Some(n),
                ..
            },
            Value::String(s),
        ) => s.encode_utf16().count() > *n,
        _ => false,
    }
}
