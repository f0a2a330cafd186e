use super::super::test_support::*;
use crate::esql::value::Value;

#[test]
fn count_counts_values_and_rows() {
    let rows = [int(1), many(&[int(2), int(3)]), Value::Null];
    assert_eq!(aggregate("count", &[], &rows), long(3));
    assert_eq!(
        aggregate("COUNT_DISTINCT", &[], &[int(1), many(&[int(1), int(3)])]),
        long(2)
    );
}

#[test]
fn sum_avg_min_max() {
    let rows = [int(1), many(&[int(2), int(3)]), Value::Null, int(10)];
    assert_eq!(aggregate("sum", &[], &rows), long(16));
    assert_eq!(aggregate("avg", &[], &rows), dbl(4.0));
    assert_eq!(aggregate("min", &[], &rows), int(1));
    assert_eq!(aggregate("max", &[], &rows), int(10));
    assert_eq!(aggregate("max", &[], &[s("b"), s("abc")]), s("b"));
    assert_eq!(aggregate("sum", &[], &[Value::Null]), Value::Null);
    assert_eq!(
        aggregate("sum", &[], &[long(i64::MAX), long(1)]),
        Value::Null
    );
    assert_eq!(
        aggregate("sum", &[], &[dbl(0.1), dbl(0.2)]),
        dbl(0.30000000000000004)
    );
}

#[test]
fn distributions() {
    let rows = [int(1), int(2), int(3), int(4)];
    assert_eq!(aggregate("median", &[], &rows), dbl(2.5));
    assert_eq!(aggregate("percentile", &[int(50)], &rows), dbl(2.5));
    assert_eq!(aggregate("percentile", &[int(100)], &rows), dbl(4.0));
    assert_eq!(aggregate("median_absolute_deviation", &[], &rows), dbl(1.0));
    assert_eq!(
        aggregate(
            "std_dev",
            &[],
            &[
                int(2),
                int(4),
                int(4),
                int(4),
                int(5),
                int(5),
                int(7),
                int(9)
            ]
        ),
        dbl(2.0)
    );
}

#[test]
fn values_and_top() {
    let rows = [s("b"), many(&[s("a"), s("b")]), s("c")];
    assert_eq!(
        aggregate("values", &[], &rows),
        many(&[s("b"), s("a"), s("c")])
    );
    let nums = [int(5), int(1), many(&[int(9), int(3)])];
    assert_eq!(
        aggregate("top", &[int(2), s("desc")], &nums),
        many(&[int(9), int(5)])
    );
    assert_eq!(
        aggregate("top", &[int(3), s("asc")], &nums),
        many(&[int(1), int(3), int(5)])
    );
}

#[test]
fn present_and_absent() {
    assert_eq!(
        aggregate("present", &[], &[Value::Null, int(1)]),
        boolean(true)
    );
    assert_eq!(
        aggregate("absent", &[], &[Value::Null, int(1)]),
        boolean(false)
    );
    assert_eq!(aggregate("absent", &[], &[Value::Null]), boolean(true));
}
