//! Explanations: the clause tree behind a verdict — every clause's verdict, span, the values it
//! looked at and, where it failed, plain words saying why.

use super::ast::{CmpOp, Function, MatchOp};
use super::compile::{FieldRef, Leaf, Node, NodeKind, Pat, Test};
use super::eval::{CompiledEvent, Doc};
use super::functions;
use super::value::EqlValue;
use crate::diagnostic::Span;
use crate::explain::{Clause, Looked, Verdict};
use serde_json::Value;

impl CompiledEvent {
    /// The clause tree behind [`CompiledEvent::matches`]: the category test (`CATEGORY where`:
    /// any value of `event.category` equals the name, exact case) and the condition.
    pub fn explain(&self, event: &Value) -> Clause {
        let cond = self.root.explain(event);
        let Some((cat, span)) = &self.category else {
            return cond;
        };
        let looked = self.category_path.values_with_paths(event);
        let ok = self.category_holds(Doc::Json(event));
        let mut c = Clause::new("category", *span, Verdict::from_bool(ok));
        c.field = Some("event.category".into());
        c.looked = looked
            .iter()
            .map(|(p, v)| Looked {
                path: p.clone(),
                value: (*v).clone(),
                matched: v.as_str() == Some(cat.as_str()),
                pattern: Some(cat.clone()),
            })
            .collect();
        if !ok {
            c.message = Some(if looked.is_empty() {
                "event.category is missing".to_string()
            } else {
                format!(
                    "event.category is {}, not \"{cat}\"",
                    show_values(looked.iter().map(|(_, v)| *v))
                )
            });
            if looked.is_empty() {
                c.verdict = Verdict::Missing;
            }
        }
        let verdict = Verdict::from_bool(ok && cond.verdict.is_true());
        let mut root = Clause::new("and", self.span, verdict);
        root.children = vec![c, cond];
        root
    }
}

impl Node {
    fn explain(&self, ev: &Value) -> Clause {
        match &self.kind {
            NodeKind::And(xs) | NodeKind::Or(xs) => {
                let and = matches!(self.kind, NodeKind::And(_));
                let children: Vec<Clause> = xs.iter().map(|x| x.explain(ev)).collect();
                let ok = if and {
                    children.iter().all(|c| c.verdict.is_true())
                } else {
                    children.iter().any(|c| c.verdict.is_true())
                };
                let mut c = Clause::new(
                    if and { "and" } else { "or" },
                    self.span,
                    Verdict::from_bool(ok),
                );
                c.children = children;
                c
            }
            NodeKind::Not(x) => {
                let child = x.explain(ev);
                let ok = self.query(Doc::Json(ev));
                let mut c = Clause::new("not", self.span, Verdict::from_bool(ok));
                if x.is_script() && !ok && child.verdict == Verdict::Missing {
                    // `not null` is null: the negation cannot hold either.
                    c.verdict = Verdict::Missing;
                    c.message =
                        Some("the negated expression is null, and `not null` is null".into());
                }
                c.children = vec![child];
                c
            }
            NodeKind::Leaf(l) => l.explain(ev, self.span),
            _ => self.explain_script(ev),
        }
    }

    fn explain_script(&self, ev: &Value) -> Clause {
        let v = self.eval3(Doc::Json(ev));
        let ok = v == EqlValue::Bool(true);
        let kind = match &self.kind {
            NodeKind::Call { .. } => "function",
            NodeKind::In { .. } => "in",
            NodeKind::Match { .. } => "like",
            _ => "compare",
        };
        let verdict = match v {
            EqlValue::Bool(true) => Verdict::True,
            EqlValue::Null => Verdict::Missing,
            _ => Verdict::False,
        };
        let mut c = Clause::new(kind, self.span, verdict);
        let mut fields = Vec::new();
        self.collect_fields(&mut fields);
        c.field = fields.first().map(|f| f.name.clone());
        let mut missing = Vec::new();
        for f in &fields {
            let vals = f.path.values_with_paths(ev);
            if vals.is_empty() {
                missing.push(f.name.clone());
            }
            for (p, raw) in vals {
                c.looked.push(Looked {
                    path: p,
                    value: raw.clone(),
                    matched: ok,
                    pattern: None,
                });
            }
        }
        if !ok {
            c.message = Some(if !missing.is_empty() && verdict == Verdict::Missing {
                format!(
                    "{} is missing, so the expression is null",
                    missing.join(", ")
                )
            } else if verdict == Verdict::Missing {
                "the expression is null".to_string()
            } else {
                format!("the expression is {}", show_eql(&v))
            });
        }
        c
    }

    fn collect_fields<'a>(&'a self, out: &mut Vec<&'a FieldRef>) {
        match &self.kind {
            NodeKind::Field(f) => out.push(f),
            NodeKind::Leaf(l) => out.push(&l.field),
            NodeKind::Lit(_) => {}
            NodeKind::Not(x) | NodeKind::Neg(x) => x.collect_fields(out),
            NodeKind::And(xs) | NodeKind::Or(xs) => xs.iter().for_each(|x| x.collect_fields(out)),
            NodeKind::Compare(_, l, r) | NodeKind::Arith(_, l, r) => {
                l.collect_fields(out);
                r.collect_fields(out);
            }
            NodeKind::In { expr, list, .. } => {
                expr.collect_fields(out);
                list.iter().for_each(|x| x.collect_fields(out));
            }
            NodeKind::Match { expr, .. } => expr.collect_fields(out),
            NodeKind::Call { args, .. } => args.iter().for_each(|x| x.collect_fields(out)),
        }
    }
}

impl Pat {
    fn source(&self) -> String {
        match self {
            Pat::Wild(w, _) => w.source().to_string(),
            Pat::Regex(_, s) => s.clone(),
            Pat::Value(v) => show_eql(v),
        }
    }
}

impl Leaf {
    fn kind(&self) -> &'static str {
        match &self.test {
            Test::Cmp(..) | Test::IsNull | Test::NotNull | Test::Truthy | Test::Range { .. } => {
                "compare"
            }
            Test::In { .. } => "in",
            Test::Match {
                op: MatchOp::Regex, ..
            } => "regex",
            Test::Match { .. } => "like",
            Test::Func { .. } => "function",
        }
    }

    /// The operands, for `pattern` (raw text) and messages (quoted).
    fn operands(&self) -> Vec<EqlValue> {
        match &self.test {
            Test::Cmp(_, c) => vec![c.clone()],
            Test::IsNull | Test::NotNull => vec![EqlValue::Null],
            Test::In { list, .. } => list.clone(),
            Test::Match { pats, .. } => pats
                .iter()
                .map(|p| match p {
                    Pat::Value(v) => v.clone(),
                    p => EqlValue::Str(p.source()),
                })
                .collect(),
            Test::Func { func, arg, .. } => match (func, arg) {
                (Function::CidrMatch, EqlValue::Many(vs)) => vs.clone(),
                _ => vec![arg.clone()],
            },
            Test::Truthy => vec![EqlValue::Bool(true)],
            Test::Range { lo, hi, .. } => vec![lo.clone(), hi.clone()],
        }
    }

    fn explain(&self, ev: &Value, span: Span) -> Clause {
        let ok = self.query(Doc::Json(ev));
        let raw = self.field.path.values_with_paths(ev);
        let operands = self.operands();
        let raw_text = |v: &EqlValue| functions::to_string(v).unwrap_or_else(|| "null".into());
        let mut c = Clause::new(self.kind(), span, Verdict::from_bool(ok));
        c.field = Some(self.field.name.clone());
        let mut present = false;
        for (path, v) in &raw {
            let conv = self.field.convert(v);
            present |= conv.is_some();
            let hit = conv.as_ref().and_then(|x| self.element(x));
            let matched = match self.test {
                Test::IsNull => false,
                Test::NotNull => conv.is_some(),
                _ => hit.is_some() != self.negated(),
            };
            c.looked.push(Looked {
                path: path.clone(),
                value: (*v).clone(),
                matched,
                pattern: match (&self.test, hit) {
                    (Test::Match { .. } | Test::In { .. } | Test::Func { .. }, Some(i)) => {
                        operands.get(i).map(raw_text)
                    }
                    _ => operands.first().map(raw_text),
                },
            });
        }
        if ok {
            return c;
        }
        let name = &self.field.name;
        let expected = quote_list(&operands.iter().map(show_eql).collect::<Vec<_>>());
        c.message = Some(if !present {
            c.verdict = Verdict::Missing;
            format!("{name} is missing")
        } else {
            let shown = show_values(raw.iter().map(|(_, v)| *v));
            match &self.test {
                Test::IsNull => format!("{name} is present ({shown}), not null"),
                Test::Cmp(CmpOp::Ne, _) => {
                    format!("{name} is {shown}, which must not be {expected}")
                }
                Test::Cmp(op, _) if *op != CmpOp::Eq => {
                    format!("{name} is {shown}, not {} {expected}", op.symbol())
                }
                Test::In { negated: true, .. } => {
                    format!("{name} is {shown}, which must not be one of {expected}")
                }
                Test::Func { func, .. } => {
                    format!("{name} is {shown}: {}({expected}) is false", func.name())
                }
                Test::Match {
                    op: MatchOp::Regex, ..
                } => format!("{name} is {shown}, not matching {expected}"),
                _ => format!("{name} is {shown}, not {expected}"),
            }
        });
        c
    }
}

// ---- words for the page ------------------------------------------------------------------------

fn show_eql(v: &EqlValue) -> String {
    match v {
        EqlValue::Str(s) => format!("\"{s}\""),
        EqlValue::Null => "null".into(),
        other => other.to_json().to_string(),
    }
}

fn show_json(v: &Value) -> String {
    match v {
        Value::String(s) => format!("\"{s}\""),
        other => other.to_string(),
    }
}

fn show_values<'a>(vals: impl Iterator<Item = &'a Value>) -> String {
    let shown: Vec<String> = vals.map(show_json).collect();
    match shown.len() {
        1 => shown.into_iter().next().unwrap_or_default(),
        _ => format!("[{}]", shown.join(", ")),
    }
}

fn quote_list(ops: &[String]) -> String {
    match ops.len() {
        1 => ops[0].clone(),
        _ => format!("({})", ops.join(", ")),
    }
}
