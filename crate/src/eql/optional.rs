//! Optional fields (`?field`). Elasticsearch resolves a field against the index mapping before it
//! runs a query; an optional field the mapping does not have becomes the constant `null`
//! (`eql/.../analysis/Analyzer.java`, `ResolveRefs`: "optional fields … missing from the mapping
//! are replaced with null"), so `?foo.baz != "x"` is `null != "x"`, which is null: no match.
//! Here a field is *known* when ECS defines it, the user's mappings have it, or any loaded event
//! has a value under that name (the events stand for the index's dynamic mapping).

use super::ast::{Expr, ExprKind, Literal};
use crate::diagnostic::Span;
use crate::event::ecs::field_info;
use crate::explain::Clause;
use std::cell::RefCell;
use std::collections::HashSet;

thread_local! {
    static EVENT_FIELDS: RefCell<Option<HashSet<String>>> = const { RefCell::new(None) };
}

/// The dotted field names (and every parent object's name) the loaded events have; `None`
/// when no events are known yet (then every optional field counts as known and is read per
/// event, as before events arrive).
pub fn set_event_fields(fields: Option<HashSet<String>>) {
    EVENT_FIELDS.with(|c| *c.borrow_mut() = fields);
}

/// The field names of `events` with their parent objects (`a.b.c` also gives `a.b` and `a`).
pub fn event_field_names(events: &[serde_json::Value]) -> HashSet<String> {
    let mut out = HashSet::new();
    for e in events {
        for name in crate::event::fields(e) {
            let mut n = name.as_str();
            out.insert(n.to_string());
            while let Some((parent, _)) = n.rsplit_once('.') {
                if !out.insert(parent.to_string()) {
                    break;
                }
                n = parent;
            }
        }
    }
    out
}

/// Whether `field` is known (see the module comment).
pub fn is_known(field: &str) -> bool {
    field_info(field).known
        || EVENT_FIELDS.with(|c| c.borrow().as_ref().is_none_or(|s| s.contains(field)))
}

/// Whether `field` is known for certain: without events, only ECS and the mappings can say.
pub fn is_surely_known(field: &str) -> bool {
    field_info(field).known
        || EVENT_FIELDS.with(|c| c.borrow().as_ref().is_some_and(|s| s.contains(field)))
}

/// Replace every optional field that is not known by `null`, as Elasticsearch's analyzer does;
/// `folded` gets each one's name and span (for the explanation).
pub fn fold_unknown(e: &mut Expr, folded: &mut Vec<(String, Span)>) {
    if let ExprKind::Field(f) = &e.kind {
        if f.optional && !is_known(&f.name) {
            folded.push((f.name.clone(), e.span));
            e.kind = ExprKind::Literal(Literal::Null);
        }
        return;
    }
    for c in e.children_mut() {
        fold_unknown(c, folded);
    }
}

/// Say in the explanation why a clause reading a folded optional field is null.
pub fn annotate(c: &mut Clause, folded: &[(String, Span)]) {
    for child in &mut c.children {
        annotate(child, folded);
    }
    if !c.children.is_empty() {
        return;
    }
    let inside = |s: Span| c.span.start <= s.start && s.end <= c.span.end;
    if let Some((name, _)) = folded.iter().find(|(_, s)| inside(*s)) {
        let why = format!(
            "?{name} is not a known field (ECS, the mappings and the loaded events do not have it), so Elasticsearch reads it as null"
        );
        c.message = Some(match c.message.take() {
            Some(m) => format!("{why}: {m}"),
            None => why,
        });
    }
}
