//! The fields an EQL query reads, for readers that parse only those (see `event::prune`).

use super::ast::{Body, Category, EventQuery, Expr, ExprKind, Query, Step};

pub fn query_fields(q: &Query) -> Vec<String> {
    fields_where(q, false)
}

/// The optional fields (`?field`) of the query.
pub fn optional_fields(q: &Query) -> Vec<String> {
    fields_where(q, true)
}

fn fields_where(q: &Query, only_optional: bool) -> Vec<String> {
    let mut out = Vec::new();
    let o = only_optional;
    let step = |s: &Step, out: &mut Vec<String>| {
        event_query(&s.query, o, out);
        s.by.iter().for_each(|e| expr(e, o, out));
    };
    match &q.body {
        Body::Event(e) => event_query(e, o, &mut out),
        Body::Sequence(s) => {
            s.by.iter().for_each(|e| expr(e, o, &mut out));
            s.steps.iter().for_each(|st| step(st, &mut out));
            if let Some(u) = &s.until {
                step(u, &mut out);
            }
        }
        Body::Sample(s) => {
            s.by.iter().for_each(|e| expr(e, o, &mut out));
            s.steps.iter().for_each(|st| step(st, &mut out));
        }
    }
    out.sort();
    out.dedup();
    out
}

fn event_query(e: &EventQuery, only_optional: bool, out: &mut Vec<String>) {
    if let (Category::Named(..), false) = (&e.category, only_optional) {
        out.push("event.category".into());
    }
    expr(&e.condition, only_optional, out);
}

/// Iterative: conditions can be long chains.
fn expr(root: &Expr, only_optional: bool, out: &mut Vec<String>) {
    let mut stack = vec![root];
    while let Some(e) = stack.pop() {
        match &e.kind {
            ExprKind::Literal(_) => {}
            ExprKind::Field(f) if f.optional || !only_optional => out.push(f.name.clone()),
            ExprKind::Field(_) => {}
            ExprKind::Not(x) | ExprKind::Neg(x) => stack.push(x),
            ExprKind::And(xs) | ExprKind::Or(xs) => stack.extend(xs),
            ExprKind::Compare { left, right, .. } | ExprKind::Arith { left, right, .. } => {
                stack.push(left);
                stack.push(right);
            }
            ExprKind::In { expr, list, .. } => {
                stack.push(expr);
                stack.extend(list);
            }
            ExprKind::Match { expr, patterns, .. } => {
                stack.push(expr);
                stack.extend(patterns);
            }
            ExprKind::Call { args, .. } => stack.extend(args),
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn fields_of_steps_keys_and_functions() {
        let q = super::super::compile(
            r#"sequence by host.id [process where startsWith(process.name, "a") and user.id in ("1", ?x.y)] [any where length(file.path) > 2 and not network.port == 3] until [process where true]"#,
        )
        .expect("compiles");
        assert_eq!(
            q.fields(),
            [
                "event.category",
                "file.path",
                "host.id",
                "network.port",
                "process.name",
                "user.id",
                "x.y"
            ]
        );
    }
}
