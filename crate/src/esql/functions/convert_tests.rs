// Calls read best as `&[a.clone()]` next to `&[a.clone(), b]`.
#![allow(clippy::cloned_ref_to_slice_refs)]

use super::super::test_support::*;
use super::*;

#[test]
fn the_documented_conversions() {
    assert_eq!(ok("to_long", &[s("2147483648")]), long(2147483648));
    assert_eq!(ok("to_long", &[s("2147483648.2")]), long(2147483648));
    assert_eq!(
        call("to_long", &[s("foo")]).unwrap_err().message,
        "Cannot parse number [foo]"
    );
    assert_eq!(
        ok(
            "to_integer",
            &[many(&[long(5013792), long(2147483647), long(501379200000)])]
        ),
        many(&[int(5013792), int(2147483647)])
    );
    assert_eq!(
        call("to_integer", &[long(501379200000)])
            .unwrap_err()
            .message,
        "[501379200000] out of [integer] range"
    );
    assert_eq!(ok("to_double", &[s("5.20128E11")]), dbl(5.20128E11));
    assert_eq!(
        call("to_double", &[s("foo")]).unwrap_err().exception,
        "java.lang.NumberFormatException"
    );
    assert_eq!(
        ok(
            "to_boolean",
            &[many(&[s("true"), s("TRuE"), s("false"), s(""), s("yes")])]
        ),
        many(&[
            boolean(true),
            boolean(true),
            boolean(false),
            boolean(false),
            boolean(false)
        ])
    );
    assert_eq!(ok("to_boolean", &[dbl(0.5)]), boolean(true));
    assert_eq!(ok("to_string", &[dbl(10.0)]), s("10.0"));
    assert_eq!(
        ok("to_string", &[many(&[int(10), int(20)])]),
        many(&[s("10"), s("20")])
    );
    assert_eq!(ok("to_string", &[boolean(true)]), s("true"));
    let dt = ok("to_datetime", &[s("2019-01-01T00:00:00.000Z")]);
    assert_eq!(dt, Value::One(Scalar::Date(1546300800000)));
    assert_eq!(
        ok("to_string", &[dt.clone()]),
        s("2019-01-01T00:00:00.000Z")
    );
    assert_eq!(ok("to_datetime", &[s("2019-01-01")]), dt);
    assert_eq!(ok("to_datetime", &[s("2019-01-01T01:00:00+01:00")]), dt);
    assert_eq!(ok("to_datetime", &[dbl(1546300800000.0)]), dt);
    assert!(call("to_datetime", &[s("2020-13-01")]).is_err());
    assert_eq!(
        call("to_ip", &[s("foo")]).unwrap_err().message,
        "'foo' is not an IP string literal."
    );
    assert_eq!(
        ok("to_string", &[ok("to_ip", &[s("::ffff:1.2.3.4")])]),
        s("1.2.3.4")
    );
    assert_eq!(
        ok("to_unsigned_long", &[s("18446744073709551615")]),
        Value::One(Scalar::ULong(u64::MAX))
    );
    assert!(call("to_unsigned_long", &[int(-1)]).is_err());
    assert_eq!(call("to_date_nanos", &[ok("to_datetime", &[long(-1457696696640)])]).unwrap_err().message,
        "milliSeconds [-1457696696640] are before the epoch in 1970 and cannot be converted to nanoseconds");
    assert_eq!(
        ok("to_version", &[s("1.2.3")]),
        Value::One(Scalar::Version("1.2.3".into()))
    );
}

#[test]
fn casts() {
    assert_eq!(cast_target("INT"), Some(DataType::Integer));
    assert_eq!(cast_target("string"), Some(DataType::Keyword));
    assert_eq!(cast_target("datetime"), Some(DataType::Date));
    assert_eq!(cast_target("nope"), None);
    assert_eq!(
        cast(&s("1"), DataType::Keyword, DataType::Integer),
        Ok(int(1))
    );
    assert_eq!(
        cast(&long(0), DataType::Date, DataType::Keyword),
        Ok(s("1970-01-01T00:00:00.000Z"))
    );
    assert!(cast(&s("x"), DataType::Keyword, DataType::Integer).is_err());
    assert_eq!(
        cast(&many(&[s("1"), s("x")]), DataType::Keyword, DataType::Long),
        Ok(long(1))
    );
    assert_eq!(
        cast(&s("1 day"), DataType::Keyword, DataType::DatePeriod),
        Ok(Value::One(Scalar::DatePeriod { months: 0, days: 1 }))
    );
    assert!(!can_convert(DataType::Integer, DataType::Ip));
}
