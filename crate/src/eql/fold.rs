//! Constant folding Elasticsearch's optimizer does before a query runs, where it changes results:
//! `FoldNull` (`ql/.../optimizer/OptimizerRules.java`) turns a function with a `null` literal
//! argument into `null` (the EQL function reference: `indexOf(url.domain, ".", null)` returns
//! null, although the processor alone would read a null start as 0). `number`'s base is the
//! exception the reference documents: "If this argument is explicitly null, the default value
//! is used" (`number("1337", null)` is 1337).

use super::ast::{Expr, ExprKind, Function, Literal};

pub fn fold_null_calls(e: &mut Expr) {
    for c in e.children_mut() {
        fold_null_calls(c);
    }
    if let ExprKind::Call { func, args, .. } = &e.kind {
        let null_arg = args.iter().enumerate().any(|(i, a)| {
            matches!(a.kind, ExprKind::Literal(Literal::Null))
                && !(*func == Function::Number && i == 1)
        });
        if null_arg {
            e.kind = ExprKind::Literal(Literal::Null);
        }
    }
}
