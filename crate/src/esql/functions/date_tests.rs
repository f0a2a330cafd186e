// Calls read best as `&[a.clone()]` next to `&[a.clone(), b]`.
#![allow(clippy::cloned_ref_to_slice_refs)]

use super::super::test_support::*;
use super::*;

fn date(text: &str) -> Value {
    ok("to_datetime", &[s(text)])
}

fn period(months: i32, days: i32) -> Value {
    Value::One(Scalar::DatePeriod { months, days })
}

fn duration(ms: i64) -> Value {
    Value::One(Scalar::TimeDuration(ms))
}

#[test]
fn trunc() {
    let d = date("1985-11-21T13:45:12.345Z");
    assert_eq!(
        ok("date_trunc", &[period(12, 0), d.clone()]),
        date("1985-01-01")
    );
    assert_eq!(
        ok("date_trunc", &[period(1, 0), d.clone()]),
        date("1985-11-01")
    );
    assert_eq!(
        ok("date_trunc", &[period(3, 0), d.clone()]),
        date("1985-10-01")
    );
    assert_eq!(
        ok("date_trunc", &[period(0, 1), d.clone()]),
        date("1985-11-21")
    );
    assert_eq!(
        ok("date_trunc", &[period(0, 7), d.clone()]),
        date("1985-11-18")
    );
    assert_eq!(
        ok("date_trunc", &[duration(3_600_000), d.clone()]),
        date("1985-11-21T13:00:00Z")
    );
    assert_eq!(
        ok("date_trunc", &[duration(600_000), d.clone()]),
        date("1985-11-21T13:40:00Z")
    );
    assert_eq!(
        ok("date_trunc", &[duration(240 * 3_600_000), d]),
        date("1985-11-18T00:00:00Z")
    );
}

#[test]
fn huge_intervals_fail_instead_of_overflowing() {
    let d = date("1985-11-21T13:45:12.345Z");
    assert!(call("date_trunc", &[duration(i64::MAX / 2), d.clone()]).is_err());
    assert!(call("date_trunc", &[period(0, i32::MAX), d]).is_err());
}

#[test]
fn diff() {
    let a = date("2023-12-02T11:00:00.000Z");
    let b = date("2023-12-02T11:00:00.001Z");
    assert_eq!(
        ok("date_diff", &[s("microseconds"), a.clone(), b]),
        int(1000)
    );
    let c = date("2023-12-31T23:59:59Z");
    let d = date("2024-01-01T00:00:00Z");
    assert_eq!(ok("date_diff", &[s("year"), c.clone(), d.clone()]), int(0));
    assert_eq!(ok("date_diff", &[s("seconds"), c, d]), int(1));
    let e = date("2023-01-31");
    let f = date("2023-02-28");
    assert_eq!(ok("date_diff", &[s("month"), e.clone(), f.clone()]), int(0));
    assert_eq!(ok("date_diff", &[s("day"), e.clone(), f.clone()]), int(28));
    assert_eq!(
        ok("date_diff", &[s("minute"), f.clone(), e.clone()]),
        int(-40320)
    );
    assert!(call("date_diff", &[s("fortnight"), e, f]).is_err());
}

#[test]
fn extract_format_parse() {
    let d = date("2022-05-06T12:34:56.789Z");
    assert_eq!(ok("date_extract", &[s("year"), d.clone()]), long(2022));
    assert_eq!(ok("date_extract", &[s("hour_of_day"), d.clone()]), long(12));
    assert_eq!(ok("date_extract", &[s("DAY_OF_WEEK"), d.clone()]), long(5));
    assert_eq!(
        ok("date_format", &[s("yyyy-MM-dd"), d.clone()]),
        s("2022-05-06")
    );
    assert_eq!(
        ok("date_format", &[d.clone()]),
        s("2022-05-06T12:34:56.789Z")
    );
    assert_eq!(
        ok("date_format", &[s("MMMM EEE hh a"), d.clone()]),
        s("May Fri 12 PM")
    );
    assert_eq!(
        ok("date_parse", &[s("yyyy-MM-dd"), s("2022-05-06")]),
        date("2022-05-06")
    );
    assert_eq!(
        ok(
            "date_parse",
            &[s("yyyy-MM-dd HH:mm:ss"), s("2022-05-06 12:34:56")]
        ),
        date("2022-05-06T12:34:56Z")
    );
    assert_eq!(
        ok("date_parse", &[s("yyyy-MM"), s("2022-05")]),
        date("2022-05-01")
    );
    assert_eq!(ok("date_parse", &[s("2022-05-06T12:34:56.789Z")]), d);
    assert!(call("date_parse", &[s("yyyy-MM-dd"), s("2022/05/06")]).is_err());
    assert_eq!(ok("now", &[]), Value::One(Scalar::Date(0)));
}
