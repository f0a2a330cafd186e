//! Function calls in expressions: scalar functions resolved by the functions module with
//! Elasticsearch's implicit casts, aggregates collected for `STATS`, `KQL()` and `MATCH()`.

use super::compile::{AggCall, CExpr, Node, Scope};
use super::convert;
use crate::diagnostic::{Diagnostic, EsqlErrorKind, Span};
use crate::esql::ast::{Expr, ExprKind};
use crate::esql::functions::{self, ArgInfo};
use crate::esql::value::{DataType, Scalar, Value};

fn err(kind: EsqlErrorKind, msg: impl Into<String>, span: Span) -> Diagnostic {
    Diagnostic::new(kind, msg, span)
}

impl Scope<'_> {
    pub(super) fn call(
        &mut self,
        name: &str,
        args: &[Expr],
        star: bool,
        span: Span,
    ) -> Result<CExpr, Diagnostic> {
        let lower = name.to_ascii_lowercase();
        if lower == "kql" || lower == "qstr" {
            let Some(ExprKind::Literal {
                value: Value::One(Scalar::Str(q)),
                ..
            }) = args.first().map(|a| &a.kind)
            else {
                return Err(err(
                    EsqlErrorKind::TypeMismatch,
                    format!(
                        "first argument of [{}] must be a string constant",
                        self.text(span)
                    ),
                    span,
                ));
            };
            let kql = crate::kql::compile(q).map_err(|d| {
                err(
                    EsqlErrorKind::InvalidArgument,
                    format!("Invalid KQL query [{q}]: {}", d.message),
                    span,
                )
            })?;
            return Ok(self.make(Node::Kql(Box::new(kql)), DataType::Boolean, span));
        }
        if lower == "match" && args.len() >= 2 {
            let f = self.compile(&args[0])?;
            let q = self.compile(&args[1])?;
            return self.match_node(f, &q, span);
        }
        if star || functions_is_aggregate(&lower, args, self) {
            return self.aggregate(&lower, args, star, span);
        }
        let mut compiled = args
            .iter()
            .map(|a| self.compile(a).map(|c| self.fold_const(c)))
            .collect::<Result<Vec<_>, _>>()?;
        // Elasticsearch casts implicitly where a function needs it: a string constant where a
        // date, ip or version goes, a narrower number beside a wider one (`COALESCE(long, 0)`).
        // Each refusal names its argument; retry with that argument cast, once per argument.
        for _ in 0..=compiled.len() {
            let info: Vec<ArgInfo> = compiled.iter().map(arg_info).collect();
            let e = match functions::resolve_scalar(&lower, &info) {
                Some(Ok(f)) => {
                    let ty = f.data_type();
                    drop(info);
                    return Ok(self.make(Node::Scalar { f, args: compiled }, ty, span));
                }
                Some(Err(e)) => e,
                None => {
                    return Err(err(
                        EsqlErrorKind::UnknownFunction,
                        format!("Unknown function [{name}]"),
                        span,
                    ))
                }
            };
            let at = e.arg.and_then(|i| compiled.get(i)).map_or(span, |c| c.span);
            let fail = err(EsqlErrorKind::TypeMismatch, e.message, at);
            let Some(i) = e.arg.filter(|&i| i < compiled.len()) else {
                return Err(fail);
            };
            let widest = compiled
                .iter()
                .map(|c| c.ty)
                .filter(|t| t.is_numeric())
                .fold(None, |w: Option<DataType>, t| {
                    Some(match (w, t) {
                        (None, t) => t,
                        (Some(DataType::Double), _) | (_, DataType::Double) => DataType::Double,
                        (Some(DataType::Long), _) | (_, DataType::Long) => DataType::Long,
                        (Some(w), _) => w,
                    })
                });
            let arg = compiled.remove(i);
            let retyped = if arg.ty.is_string() && matches!(arg.node, Node::Const(_)) {
                wanted_types(&fail.message)
                    .into_iter()
                    .map(|t| implicit_cast_const(&arg, t))
                    .find(|c| c.is_some())
                    .flatten()
            } else {
                match widest {
                    Some(w) if arg.ty.is_numeric() && arg.ty != w => {
                        let s = arg.span;
                        Some(self.make(
                            Node::Cast {
                                e: Box::new(arg),
                                f: None,
                            },
                            w,
                            s,
                        ))
                    }
                    _ => None,
                }
            };
            let Some(retyped) = retyped else {
                return Err(fail);
            };
            compiled.insert(i, retyped);
        }
        Err(err(
            EsqlErrorKind::TypeMismatch,
            format!("no signature of [{name}] takes these arguments"),
            span,
        ))
    }

    pub(super) fn aggregate(
        &mut self,
        name: &str,
        args: &[Expr],
        star: bool,
        span: Span,
    ) -> Result<CExpr, Diagnostic> {
        let filter = self.agg_filter;
        if self.aggs.is_none() {
            return Err(err(
                EsqlErrorKind::MisplacedAggregate,
                format!(
                    "aggregate function [{}] not allowed outside STATS command",
                    self.text(span)
                ),
                span,
            ));
        }
        // Arguments and filters of aggregates read the input rows; they may not nest aggregates.
        let input = self.agg_columns;
        let mut inner = Scope {
            src: self.src,
            columns: input,
            params: self.params,
            fctx: self.fctx,
            aggs: None,
            agg_filter: None,
            agg_columns: input,
            fold: self.fold,
        };
        let compiled = args
            .iter()
            .map(|a| inner.compile(a))
            .collect::<Result<Vec<_>, _>>()?;
        let filter = filter.map(|f| inner.boolean(f)).transpose()?;
        let (f, ty) = if star && name == "count" {
            (None, DataType::Long)
        } else {
            let info: Vec<ArgInfo> = compiled.iter().map(arg_info).collect();
            match functions::resolve_aggregate(name, &info) {
                Some(Ok(f)) => {
                    let ty = f.data_type();
                    (Some(f), ty)
                }
                Some(Err(e)) => return Err(err(EsqlErrorKind::TypeMismatch, e.message, span)),
                None => {
                    return Err(err(
                        EsqlErrorKind::UnknownFunction,
                        format!("Unknown function [{name}]"),
                        span,
                    ))
                }
            }
        };
        let Some(aggs) = self.aggs.as_deref_mut() else {
            return Err(err(
                EsqlErrorKind::MisplacedAggregate,
                "aggregate outside STATS",
                span,
            ));
        };
        aggs.push(AggCall {
            f,
            args: compiled,
            filter,
            span,
            text: span.text(self.src).to_string(),
        });
        let index = aggs.len() - 1;
        Ok(self.make(Node::Agg(index), ty, span))
    }
}

/// Aggregates ES|QL has (the functions module resolves them; this list only routes a call).
const AGGREGATES: [&str; 22] = [
    "avg",
    "count",
    "count_distinct",
    "max",
    "median",
    "median_absolute_deviation",
    "min",
    "percentile",
    "st_centroid_agg",
    "st_extent_agg",
    "std_dev",
    "sum",
    "top",
    "values",
    "weighted_avg",
    "first",
    "last",
    "sample",
    "variance",
    "absent",
    "present",
    "rate",
];

fn functions_is_aggregate(name: &str, _args: &[Expr], _scope: &Scope) -> bool {
    AGGREGATES.contains(&name)
}

fn arg_info(c: &CExpr) -> ArgInfo<'_> {
    let constant = match &c.node {
        Node::Const(v) => Some(v),
        _ => None,
    };
    ArgInfo {
        ty: c.ty,
        constant,
        text: &c.text,
    }
}

/// The types a refusal ("… must be [integer or datetime], found …") asks for, in the order
/// a string constant is tried as them.
fn wanted_types(message: &str) -> Vec<DataType> {
    let wanted = message
        .split_once("must be [")
        .and_then(|(_, rest)| rest.split_once(']'))
        .map_or("", |(w, _)| w);
    let candidates = [
        ("integer", DataType::Integer),
        ("numeric", DataType::Integer),
        ("long", DataType::Long),
        ("double", DataType::Double),
        ("datetime", DataType::Date),
        ("date_nanos", DataType::DateNanos),
        ("ip", DataType::Ip),
        ("version", DataType::Version),
        ("boolean", DataType::Boolean),
    ];
    let mut out: Vec<DataType> = candidates
        .iter()
        .filter(|(w, _)| wanted.contains(w))
        .map(|(_, t)| *t)
        .collect();
    out.dedup();
    out
}

/// A string constant converted to `ty`, when it converts.
fn implicit_cast_const(c: &CExpr, ty: DataType) -> Option<CExpr> {
    let Node::Const(v) = &c.node else { return None };
    let values: Vec<Scalar> = v
        .values()
        .iter()
        .map(|s| convert::cast(s, ty))
        .collect::<Result<_, _>>()
        .ok()?;
    Some(CExpr {
        node: Node::Const(Value::from_vec(values)),
        ty,
        span: c.span,
        text: c.text.clone(),
    })
}
