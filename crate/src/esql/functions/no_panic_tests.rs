//! Every function over a grid of argument types and awkward values: errors are fine, panics
//! are not ("no input may panic the core").

use super::test_support::*;
use super::{resolve_aggregate, resolve_scalar, ArgInfo, EvalCtx};
use crate::esql::value::{Scalar, Value};

const NAMES: &[&str] = &[
    "length",
    "bit_length",
    "byte_length",
    "to_lower",
    "to_upper",
    "trim",
    "ltrim",
    "rtrim",
    "reverse",
    "url_encode",
    "url_encode_component",
    "url_decode",
    "to_base64",
    "from_base64",
    "starts_with",
    "ends_with",
    "contains",
    "concat",
    "substring",
    "left",
    "right",
    "locate",
    "repeat",
    "space",
    "replace",
    "split",
    "case",
    "coalesce",
    "greatest",
    "least",
    "clamp",
    "clamp_min",
    "clamp_max",
    "mv_count",
    "mv_first",
    "mv_last",
    "mv_min",
    "mv_max",
    "mv_dedupe",
    "mv_sum",
    "mv_avg",
    "mv_median",
    "mv_sort",
    "mv_slice",
    "mv_append",
    "mv_concat",
    "mv_zip",
    "mv_contains",
    "mv_like",
    "mv_rlike",
    "to_string",
    "to_text",
    "to_boolean",
    "to_integer",
    "to_long",
    "to_unsigned_long",
    "to_double",
    "to_datetime",
    "to_date_nanos",
    "to_ip",
    "to_version",
    "to_dateperiod",
    "to_timeduration",
    "now",
    "date_trunc",
    "date_diff",
    "date_extract",
    "date_format",
    "date_parse",
    "pi",
    "e",
    "tau",
    "abs",
    "ceil",
    "floor",
    "round",
    "signum",
    "sqrt",
    "cbrt",
    "exp",
    "log10",
    "sin",
    "cos",
    "tan",
    "sinh",
    "cosh",
    "tanh",
    "asin",
    "acos",
    "atan",
    "atan2",
    "pow",
    "hypot",
    "log",
    "cidr_match",
    "ip_prefix",
    "json_extract",
    "bucket",
];

const AGGS: &[&str] = &[
    "count",
    "count_distinct",
    "values",
    "min",
    "max",
    "sum",
    "avg",
    "median",
    "percentile",
    "median_absolute_deviation",
    "std_dev",
    "variance",
    "weighted_avg",
    "top",
    "present",
    "absent",
];

fn samples() -> Vec<Value> {
    vec![
        Value::Null,
        int(i32::MIN),
        int(-1),
        int(0),
        int(i32::MAX),
        long(i64::MIN),
        long(i64::MAX),
        Value::One(Scalar::ULong(u64::MAX)),
        dbl(f64::NAN),
        dbl(-1e300),
        dbl(0.5),
        s(""),
        s("%"),
        s("Zürich 🐱 a,b"),
        s("(?<x>[a-"),
        s("%{WORD"),
        s("yyyy-MM-dd'T'HH:mm:ss.SSSSSSSSSSSSZ"),
        s("1 day"),
        boolean(true),
        many(&[int(3), int(-3)]),
        many(&[s("a"), s("b")]),
        Value::One(Scalar::Date(i64::MIN)),
        Value::One(Scalar::Date(i64::MAX)),
        Value::One(Scalar::DateNanos(i64::MIN)),
        Value::One(Scalar::Ip(
            "::1".parse().unwrap_or(std::net::IpAddr::from([0u8; 4])),
        )),
        Value::One(Scalar::DatePeriod {
            months: i32::MAX,
            days: 0,
        }),
        Value::One(Scalar::TimeDuration(i64::MAX)),
        Value::One(Scalar::Version("1.2.3-beta".into())),
    ]
}

fn infos(args: &[Value], constants: bool) -> Vec<ArgInfo<'_>> {
    args.iter()
        .map(|v| ArgInfo {
            ty: type_of(v),
            constant: constants.then_some(v),
            text: "x",
        })
        .collect()
}

#[test]
fn no_function_panics() {
    let values = samples();
    let ctx = EvalCtx {
        now_millis: i64::MAX,
    };
    let mut calls = 0usize;
    for name in NAMES {
        for arity in 0..=4usize {
            // Walk a deterministic sample of argument combinations per arity.
            let combos = values.len().pow(arity as u32).min(2_000);
            for k in 0..combos {
                let mut idx = k;
                let args: Vec<Value> = (0..arity)
                    .map(|_| {
                        let v = values[idx % values.len()].clone();
                        idx = idx / values.len() + 7 * k;
                        v
                    })
                    .collect();
                for constants in [true, false] {
                    if let Some(Ok(f)) = resolve_scalar(name, &infos(&args, constants)) {
                        let _ = f.eval(&args, &ctx);
                        calls += 1;
                    }
                }
            }
        }
    }
    for name in AGGS {
        for arity in 1..=3usize {
            for k in 0..values.len().pow(arity as u32).min(600) {
                let args: Vec<Value> = (0..arity)
                    .map(|j| values[(k / values.len().pow(j as u32)) % values.len()].clone())
                    .collect();
                if let Some(Ok(f)) = resolve_aggregate(name, &infos(&args, true)) {
                    let mut acc = f.accumulator();
                    for row in &values {
                        let mut a = args.clone();
                        a[0] = row.clone();
                        let _ = acc.add(&a);
                    }
                    let _ = acc.finish();
                    calls += 1;
                }
            }
        }
    }
    assert!(calls > 1_000, "only {calls} calls resolved");
}

#[test]
fn grok_and_dissect_never_panic() {
    for p in [
        "%{",
        "%{}",
        "%{WORD:a:int}",
        "(?<a.b>x)(?<=y)",
        "%{+a/x}",
        "%{a->}%{b->}",
        "\\",
        "[%{a}",
    ] {
        if let Ok(g) = super::Grok::compile(p) {
            let _ = g.apply("x y 12 🐱");
        }
        if let Ok(d) = super::Dissect::compile(p, Some(",")) {
            let _ = d.apply("x y 12 🐱");
            let _ = d.apply("");
        }
    }
}
