//! The column names a query mentions, for `FROM` to declare even when no event has them: a
//! rule over `logs-*` reads an index whose mapping has them, so a missing value is null there,
//! not "Unknown column".

use crate::esql::ast::{CommandKind, Expr, ExprKind, Query};

fn walk(e: &Expr, out: &mut Vec<String>) {
    match &e.kind {
        ExprKind::Column(name) => out.push(name.clone()),
        ExprKind::Literal { .. } | ExprKind::Param(_) => {}
        ExprKind::Call { args, .. } => args.iter().for_each(|a| walk(a, out)),
        ExprKind::Neg(x)
        | ExprKind::Not(x)
        | ExprKind::IsNull { expr: x, .. }
        | ExprKind::Cast { expr: x, .. } => walk(x, out),
        ExprKind::Binary { left, right, .. }
        | ExprKind::And(left, right)
        | ExprKind::Or(left, right) => {
            walk(left, out);
            walk(right, out);
        }
        ExprKind::In { expr, list, .. } => {
            walk(expr, out);
            list.iter().for_each(|a| walk(a, out));
        }
        ExprKind::Like { expr, patterns, .. } => {
            walk(expr, out);
            patterns.iter().for_each(|a| walk(a, out));
        }
        ExprKind::Match { field, query } => {
            walk(field, out);
            walk(query, out);
        }
    }
}

/// Every column name the query's commands mention (expressions and plain names, not patterns).
pub fn columns(query: &Query) -> Vec<String> {
    let mut out = Vec::new();
    for c in &query.commands {
        match &c.kind {
            CommandKind::Where(e) | CommandKind::Limit(e) => walk(e, &mut out),
            CommandKind::Row(fields) | CommandKind::Eval(fields) => {
                fields.iter().for_each(|f| walk(&f.expr, &mut out))
            }
            CommandKind::Stats { aggs, by, .. } => {
                for a in aggs {
                    walk(&a.field.expr, &mut out);
                    if let Some(f) = &a.filter {
                        walk(f, &mut out);
                    }
                }
                by.iter().for_each(|f| walk(&f.expr, &mut out));
            }
            CommandKind::Keep(names) | CommandKind::Drop(names) => out.extend(
                names
                    .iter()
                    .filter(|n| !n.name.contains('*'))
                    .map(|n| n.name.clone()),
            ),
            CommandKind::Rename(pairs) => out.extend(pairs.iter().map(|(old, _)| old.name.clone())),
            CommandKind::Sort(keys) => keys.iter().for_each(|k| walk(&k.expr, &mut out)),
            CommandKind::MvExpand(n) => out.push(n.name.clone()),
            CommandKind::Dissect { input, .. } | CommandKind::Grok { input, .. } => {
                walk(input, &mut out)
            }
            CommandKind::From { .. } | CommandKind::Unsupported(_) => {}
        }
    }
    out.sort();
    out.dedup();
    out
}
