//! Constant folding Elasticsearch's optimizer does before a query runs, where it changes results:
//! `FoldNull` (`ql/.../optimizer/OptimizerRules.java`) turns a function with a `null` literal
//! argument into `null` (the EQL function reference: `indexOf(url.domain, ".", null)` returns
//! null, although the processor alone would read a null start as 0). `number`'s base is the
//! exception the reference documents: "If this argument is explicitly null, the default value
//! is used" (`number("1337", null)` is 1337).

use super::ast::{Expr, ExprKind, Function, Literal};

pub fn fold_null_calls(e: &mut Expr) {
    match &mut e.kind {
        ExprKind::Call { func, args, .. } => {
            args.iter_mut().for_each(fold_null_calls);
            let null_arg = args.iter().enumerate().any(|(i, a)| {
                matches!(a.kind, ExprKind::Literal(Literal::Null))
                    && !(*func == Function::Number && i == 1)
            });
            if null_arg {
                e.kind = ExprKind::Literal(Literal::Null);
            }
        }
        ExprKind::Field(_) | ExprKind::Literal(_) => {}
        ExprKind::Not(x) | ExprKind::Neg(x) => fold_null_calls(x),
        ExprKind::And(xs) | ExprKind::Or(xs) => xs.iter_mut().for_each(fold_null_calls),
        ExprKind::Compare { left, right, .. } | ExprKind::Arith { left, right, .. } => {
            fold_null_calls(left);
            fold_null_calls(right);
        }
        ExprKind::In { expr, list, .. } => {
            fold_null_calls(expr);
            list.iter_mut().for_each(fold_null_calls);
        }
        ExprKind::Match { expr, patterns, .. } => {
            fold_null_calls(expr);
            patterns.iter_mut().for_each(fold_null_calls);
        }
    }
}
