use super::super::test_support::*;
use crate::esql::value::Value;

#[test]
fn the_documented_examples() {
    assert_eq!(ok("LENGTH", &[s("Zürich")]), int(6));
    assert_eq!(ok("byte_length", &[s("Zürich")]), int(7));
    assert_eq!(ok("bit_length", &[s("Zürich")]), int(56));
    assert_eq!(ok("to_upper", &[s("Some Text")]), s("SOME TEXT"));
    assert_eq!(ok("to_lower", &[s("Some Text")]), s("some text"));
    assert_eq!(
        ok("to_upper", &[many(&[s("Some"), s("Text")])]),
        many(&[s("SOME"), s("TEXT")])
    );
    assert_eq!(ok("concat", &[s("a"), s(" "), s("b")]), s("a b"));
    assert_eq!(ok("concat", &[s("a"), Value::Null]), Value::Null);
    assert_eq!(ok("substring", &[s("Georgi"), int(1), int(3)]), s("Geo"));
    assert_eq!(ok("substring", &[s("Facello"), int(-3), int(3)]), s("llo"));
    assert_eq!(ok("substring", &[s("Facello"), int(2)]), s("acello"));
    assert_eq!(ok("substring", &[s("abc"), int(0), int(2)]), s("ab"));
    assert_eq!(ok("left", &[s("Georgi"), int(3)]), s("Geo"));
    assert_eq!(ok("right", &[s("Facello"), int(3)]), s("llo"));
    assert_eq!(ok("locate", &[s("a brown fox"), s("brown")]), int(3));
    assert_eq!(ok("locate", &[s("a brown fox"), s("x"), int(20)]), int(0));
    assert_eq!(ok("locate", &[s("abcabc"), s("b"), int(3)]), int(5));
    assert_eq!(ok("trim", &[s("   some text  ")]), s("some text"));
    assert_eq!(ok("ltrim", &[s("  x ")]), s("x "));
    assert_eq!(ok("rtrim", &[s("  x ")]), s("  x"));
    assert_eq!(ok("reverse", &[s("Some Text")]), s("txeT emoS"));
    assert_eq!(ok("repeat", &[s("ab"), int(3)]), s("ababab"));
    assert_eq!(ok("space", &[int(3)]), s("   "));
    assert_eq!(ok("starts_with", &[s("Facello"), s("Fa")]), boolean(true));
    assert_eq!(ok("ends_with", &[s("Facello"), s("lo")]), boolean(true));
    assert_eq!(
        ok("replace", &[s("Hello World"), s("World"), s("Universe")]),
        s("Hello Universe")
    );
    assert_eq!(
        ok("replace", &[s("a1b22"), s("[0-9]+"), s("<$0>")]),
        s("a<1>b<22>")
    );
    assert_eq!(
        ok("replace", &[s("x.y"), s("(\\w)\\.(\\w)"), s("$2-$1")]),
        s("y-x")
    );
    assert_eq!(
        ok("split", &[s("foo;bar;baz;qux;quux;corge"), s(";")]),
        many(&[
            s("foo"),
            s("bar"),
            s("baz"),
            s("qux"),
            s("quux"),
            s("corge")
        ])
    );
    assert_eq!(ok("split", &[s("foo"), s(";")]), s("foo"));
    assert_eq!(
        ok("url_encode", &[s("https://example.com/?x=foo bar&y=baz")]),
        s("https%3A%2F%2Fexample.com%2F%3Fx%3Dfoo+bar%26y%3Dbaz")
    );
    assert_eq!(
        ok(
            "url_encode_component",
            &[s("https://example.com/?x=foo bar&y=baz")]
        ),
        s("https%3A%2F%2Fexample.com%2F%3Fx%3Dfoo%20bar%26y%3Dbaz")
    );
    assert_eq!(
        ok(
            "url_decode",
            &[s("https%3A%2F%2Fexample.com%3Fvariable%3Dvalue+x")]
        ),
        s("https://example.com?variable=value x")
    );
}

#[test]
fn failures_and_multi_values() {
    let mv = many(&[s("a"), s("b")]);
    let f = call("length", &[mv]).unwrap_err();
    assert_eq!(f.exception, "java.lang.IllegalArgumentException");
    assert_eq!(f.message, "single-value function encountered multi-value");
    assert!(call("repeat", &[s("a"), int(-1)]).is_err());
    assert!(call("substring", &[s("a"), int(1), int(-1)]).is_err());
    assert!(call("split", &[s("a"), s(";;")]).is_err());
    assert!(call("url_decode", &[s("%zz")]).is_err());
    assert!(call("space", &[int(2_000_000)]).is_err());
    assert_eq!(ok("to_base64", &[s("elastic")]), s("ZWxhc3RpYw=="));
    assert_eq!(ok("from_base64", &[s("ZWxhc3RpYw==")]), s("elastic"));
    assert_eq!(ok("from_base64", &[s("ZWxhc3RpYw")]), s("elastic"));
    assert_eq!(
        call("from_base64", &[s("YfA=")]).unwrap_err().message,
        "decoded value is not valid UTF-8, which is not supported yet"
    );
    assert_eq!(
        call("from_base64", &[s("a!==")]).unwrap_err().message,
        "Illegal base64 character 21"
    );
    assert_eq!(call("length", &[Value::Null]), Ok(Value::Null));
}

#[test]
fn type_errors_in_elasticsearch_words() {
    let e = resolve("length", &[int(1)]).err().map(|e| e.message);
    assert_eq!(
        e.as_deref(),
        Some("argument of [length(x)] must be [string], found value [x] type [integer]")
    );
    let e = resolve("left", &[s("a"), s("b")]).err().map(|e| e.message);
    assert_eq!(
        e.as_deref(),
        Some("second argument of [left(x, x)] must be [integer], found value [x] type [keyword]")
    );
    let e = resolve("concat", &[s("a")]).err().map(|e| e.message);
    assert_eq!(
        e.as_deref(),
        Some("error building [concat]: expects at least two arguments")
    );
}
