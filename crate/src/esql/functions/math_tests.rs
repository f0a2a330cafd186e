// Calls read best as `&[a.clone()]` next to `&[a.clone(), b]`.
#![allow(clippy::cloned_ref_to_slice_refs)]

use super::super::test_support::*;
use crate::esql::value::Value;

#[test]
fn the_documented_examples() {
    assert_eq!(ok("abs", &[int(-1)]), int(1));
    assert_eq!(ok("abs", &[dbl(-1.5)]), dbl(1.5));
    assert_eq!(ok("ceil", &[dbl(1.8)]), dbl(2.0));
    assert_eq!(ok("floor", &[dbl(-1.2)]), dbl(-2.0));
    assert_eq!(ok("floor", &[int(3)]), int(3));
    assert_eq!(ok("round", &[dbl(1.5)]), dbl(2.0));
    assert_eq!(ok("round", &[dbl(-1.5)]), dbl(-2.0));
    assert_eq!(ok("round", &[dbl(1.234567), int(2)]), dbl(1.23));
    assert_eq!(ok("round", &[int(1234), int(-2)]), int(1200));
    assert_eq!(ok("round", &[long(1250), int(-2)]), long(1300));
    assert_eq!(ok("pow", &[int(2), int(10)]), dbl(1024.0));
    assert_eq!(ok("sqrt", &[int(100)]), dbl(10.0));
    assert_eq!(ok("log10", &[int(1000)]), dbl(3.0));
    assert_eq!(ok("log", &[int(2), int(8)]), dbl(3.0));
    assert_eq!(ok("signum", &[int(-5)]), dbl(-1.0));
    assert_eq!(ok("signum", &[int(0)]), dbl(0.0));
    assert_eq!(ok("pi", &[]), dbl(std::f64::consts::PI));
    assert_eq!(ok("greatest", &[int(1), int(5), int(3)]), int(5));
    assert_eq!(ok("least", &[many(&[int(4), int(-2)]), int(3)]), int(-2));
    assert_eq!(ok("greatest", &[int(1), Value::Null]), Value::Null);
}

#[test]
fn failures() {
    assert_eq!(
        call("sqrt", &[int(-1)]).unwrap_err().exception,
        "java.lang.ArithmeticException"
    );
    assert!(call("log10", &[int(0)]).is_err());
    assert!(call("pow", &[int(10), int(400)]).is_err());
    assert!(call("abs", &[many(&[int(1), int(2)])]).is_err());
}

#[test]
fn conditionals() {
    let t = boolean(true);
    let f = boolean(false);
    assert_eq!(
        ok("case", &[f.clone(), s("a"), t.clone(), s("b"), s("c")]),
        s("b")
    );
    assert_eq!(ok("case", &[f.clone(), s("a"), s("c")]), s("c"));
    assert_eq!(ok("case", &[f.clone(), s("a")]), Value::Null);
    assert_eq!(ok("case", &[Value::Null, s("a"), s("z")]), s("z"));
    assert_eq!(ok("coalesce", &[Value::Null, int(2), int(3)]), int(2));
    assert_eq!(ok("coalesce", &[Value::Null, Value::Null]), Value::Null);
    assert!(resolve("coalesce", &[int(1), s("a")]).is_err());
    assert!(resolve("case", &[s("a"), int(1)]).is_err());
}

#[test]
fn multi_value_functions() {
    let v = many(&[int(3), int(1), int(2), int(1)]);
    assert_eq!(ok("mv_count", &[v.clone()]), int(4));
    assert_eq!(ok("mv_first", &[v.clone()]), int(3));
    assert_eq!(ok("mv_last", &[v.clone()]), int(1));
    assert_eq!(ok("mv_min", &[v.clone()]), int(1));
    assert_eq!(ok("mv_max", &[v.clone()]), int(3));
    assert_eq!(ok("mv_sum", &[v.clone()]), int(7));
    assert_eq!(ok("mv_avg", &[v.clone()]), dbl(1.75));
    assert_eq!(
        ok("mv_median", &[many(&[int(3), int(7), int(1), int(6)])]),
        int(4)
    );
    assert_eq!(ok("mv_median", &[many(&[dbl(3.0), dbl(6.0)])]), dbl(4.5));
    assert_eq!(
        ok("mv_dedupe", &[v.clone()]),
        many(&[int(3), int(1), int(2)])
    );
    assert_eq!(
        ok("mv_sort", &[v.clone()]),
        many(&[int(1), int(1), int(2), int(3)])
    );
    assert_eq!(
        ok("mv_sort", &[v.clone(), s("DESC")]),
        many(&[int(3), int(2), int(1), int(1)])
    );
    let five = many(&[int(1), int(2), int(2), int(3), int(4)]);
    assert_eq!(
        ok("mv_slice", &[five.clone(), int(1), int(3)]),
        many(&[int(2), int(2), int(3)])
    );
    assert_eq!(
        ok("mv_slice", &[five.clone(), int(-2), int(-1)]),
        many(&[int(3), int(4)])
    );
    assert_eq!(ok("mv_slice", &[five.clone(), int(0)]), int(1));
    assert_eq!(ok("mv_slice", &[five.clone(), int(7), int(9)]), Value::Null);
    assert!(call("mv_slice", &[five, int(-1), int(2)]).is_err());
    assert_eq!(
        ok(
            "mv_concat",
            &[many(&[s("foo"), s("zoo"), s("bar")]), s(", ")]
        ),
        s("foo, zoo, bar")
    );
    assert_eq!(
        ok("mv_append", &[int(1), many(&[int(2), int(3)])]),
        many(&[int(1), int(2), int(3)])
    );
    assert_eq!(
        ok(
            "mv_zip",
            &[
                many(&[s("x"), s("y"), s("z")]),
                many(&[s("a"), s("b")]),
                s("-")
            ]
        ),
        many(&[s("x-a"), s("y-b"), s("z")])
    );
    assert_eq!(
        ok("mv_contains", &[many(&[s("a"), s("b")]), s("b")]),
        boolean(true)
    );
    assert_eq!(
        ok(
            "mv_contains",
            &[many(&[s("a"), s("b")]), many(&[s("b"), s("c")])]
        ),
        boolean(false)
    );
    assert_eq!(
        call("mv_sum", &[many(&[int(i32::MAX), int(1)])])
            .unwrap_err()
            .message,
        "integer overflow"
    );
}

#[test]
fn ips() {
    let ip = |t: &str| ok("to_ip", &[s(t)]);
    assert_eq!(
        ok(
            "cidr_match",
            &[ip("127.0.0.3"), s("127.0.0.2/32"), s("127.0.0.3/32")]
        ),
        boolean(true)
    );
    assert_eq!(
        ok("cidr_match", &[ip("10.1.2.3"), s("10.0.0.0/8")]),
        boolean(true)
    );
    assert_eq!(
        ok("cidr_match", &[ip("11.1.2.3"), s("10.0.0.0/8")]),
        boolean(false)
    );
    assert_eq!(
        ok(
            "cidr_match",
            &[ip("fe80::cae2:65ff:fece:feb9"), s("fe80::/64")]
        ),
        boolean(true)
    );
    assert_eq!(
        ok("ip_prefix", &[ip("1.2.3.4"), int(24), int(112)]),
        ip("1.2.3.0")
    );
    assert_eq!(
        ok(
            "ip_prefix",
            &[ip("fe80::cae2:65ff:fece:feb9"), int(24), int(112)]
        ),
        ip("fe80::cae2:65ff:fece:0")
    );
    assert_eq!(
        call("ip_prefix", &[ip("1.2.3.4"), int(-1), int(112)])
            .unwrap_err()
            .message,
        "Prefix length v4 must be in range [0, 32], found -1"
    );
}

#[test]
fn json_extract() {
    let j = s(
        r#"{"spans":[{"name":"auth","duration":12},{"name":"db-query","duration":45}],"a":{"b":1},"a":{"b":2},"n":null}"#,
    );
    assert_eq!(
        ok("json_extract", &[j.clone(), s("spans[1].name")]),
        s("db-query")
    );
    assert_eq!(
        ok("json_extract", &[j.clone(), s("$.spans[0].duration")]),
        s("12")
    );
    assert_eq!(ok("json_extract", &[j.clone(), s("a.b")]), s("1"));
    assert_eq!(
        ok("json_extract", &[j.clone(), s("['a']")]),
        s(r#"{"b":1}"#)
    );
    assert_eq!(ok("json_extract", &[j.clone(), s("n")]), Value::Null);
    assert_eq!(
        call("json_extract", &[j.clone(), s("nope")])
            .unwrap_err()
            .message,
        "path [nope] does not exist"
    );
    assert_eq!(
        call("json_extract", &[j, s("spans[5]")])
            .unwrap_err()
            .message,
        "array index out of bounds"
    );
    assert_eq!(
        call("json_extract", &[s("not json"), s("a")])
            .unwrap_err()
            .message,
        "invalid JSON input"
    );
    assert_eq!(ok("json_extract", &[s("[1,2,3]"), s("$")]), s("[1,2,3]"));
}

#[test]
fn case_reports_multi_valued_conditions() {
    let mv = many(&[boolean(true), boolean(true)]);
    let choice = super::super::case_branch(&[mv, s("a"), s("b")]);
    assert_eq!(choice.value, Some(2));
    assert!(choice.multi_valued_condition);
    assert_eq!(
        ok(
            "case",
            &[many(&[boolean(false), boolean(true)]), s("a"), s("b")]
        ),
        s("b")
    );
}

#[test]
fn clamps() {
    assert_eq!(ok("clamp", &[int(15), int(1), int(10)]), int(10));
    assert_eq!(ok("clamp", &[int(-3), int(1), int(10)]), int(1));
    assert_eq!(ok("clamp_min", &[s("Georgi"), s("Facello")]), s("Georgi"));
    assert_eq!(ok("clamp_max", &[s("Georgi"), s("Facello")]), s("Facello"));
}

#[test]
fn mv_like_and_rlike() {
    let names = many(&[s("Anna"), s("Bob"), s("Carl")]);
    assert_eq!(ok("mv_like", &[names.clone(), s("A*")]), boolean(true));
    assert_eq!(ok("mv_like", &[names.clone(), s("Dan*")]), boolean(false));
    assert_eq!(ok("mv_rlike", &[names.clone(), s("C.r.")]), boolean(true));
    assert_eq!(ok("mv_like", &[Value::Null, s("A*")]), boolean(false));
}
