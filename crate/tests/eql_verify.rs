//! EQL queries Elasticsearch's analyzer rejects are errors here too (issue 13, §1), with a span
//! on the offending operand. Each case cites where Elasticsearch decides it (elastic/elasticsearch,
//! `x-pack/plugin/eql/src/test/.../analysis/VerifierTests.java` unless said otherwise). Checks
//! match kinds and spans, not message text; one test pins the wording of each message family.

use ruleplay::diagnostic::{EqlErrorKind, ErrorKind};

/// The kind and the text the span covers.
fn err(src: &str) -> (EqlErrorKind, String) {
    match ruleplay::eql::compile(src) {
        Ok(_) => panic!("{src}: compiled"),
        Err(d) => match d.kind {
            ErrorKind::Eql(k) => (k, d.span.text(src).to_string()),
            other => panic!("{src}: {other:?} {}", d.message),
        },
    }
}

fn ok(src: &str) {
    if let Err(d) = ruleplay::eql::compile(src) {
        panic!("{src}: {}", d.render(src));
    }
}

#[test]
fn fields_compare_with_constants_only() {
    use EqlErrorKind::FieldComparison;
    // testPropertyEquationFilterUnsupported (QueryTranslatorFailTests): `opcode == pid`; the
    // check is `ExpressionTranslators.checkBinaryComparison` (the right side must fold).
    assert_eq!(
        err("process where process.name == process.parent.name"),
        (FieldComparison, "process.parent.name".into())
    );
    assert_eq!(
        err("process where process.pid < process.parent.pid"),
        (FieldComparison, "process.parent.pid".into())
    );
    // testPropertyEquationInClauseFilterUnsupported: a field inside an `in` list.
    assert_eq!(
        err(r#"process where process.name in (process.parent.name, "x")"#),
        (FieldComparison, "process.parent.name".into())
    );
    // A function of a field compared with a constant is fine; so is a constant on the left
    // (the optimizer swaps it to the right): testQueryOk `-1 < exit_code`.
    ok("process where length(process.name) > 3");
    ok("process where -1 < process.pid");
    // An optional field no mapping knows is `null`, a constant (test_extra.toml
    // sequenceOptionalFieldAsQueryKeysOnly: `?x == ?y`).
    ok("any where ?x.unknown == ?y.unknown");
}

#[test]
fn string_operators_need_string_fields() {
    use EqlErrorKind::ArgumentType;
    // testIncorrectUsageOfStringEquals: `pid : 123` (long), with "consider using [==]".
    assert_eq!(
        err("process where process.pid : 4"),
        (ArgumentType, "process.pid".into())
    );
    // ip and date fields are not strings either (DataTypes.isString: keyword, text).
    assert_eq!(
        err(r#"network where source.ip : "10.*""#),
        (ArgumentType, "source.ip".into())
    );
    assert_eq!(
        err(r#"network where source.ip like "10.*""#),
        (ArgumentType, "source.ip".into())
    );
    assert_eq!(
        err(r#"any where @timestamp regex "2024.*""#),
        (ArgumentType, "@timestamp".into())
    );
    assert_eq!(
        err(r#"process where process.pid like~ "4*""#),
        (ArgumentType, "process.pid".into())
    );
    ok(r#"process where process.name : "cmd*""#);
    ok(r#"process where process.command_line like "*x*""#);
}

#[test]
fn function_argument_types() {
    use EqlErrorKind::ArgumentType;
    // Number.resolveType: the first argument is a string (`isStringAndExact`).
    assert_eq!(
        err("process where number(process.pid) == 3"),
        (ArgumentType, "process.pid".into())
    );
    // CIDRMatch.resolveType: `isIPAndExact` for the first argument.
    assert_eq!(
        err(r#"any where cidrMatch(host.name, "10.0.0.0/8")"#),
        (ArgumentType, "host.name".into())
    );
    assert_eq!(
        err("any where length(process.pid) > 2"),
        (ArgumentType, "process.pid".into())
    );
    assert_eq!(
        err(r#"any where substring(process.name, "1") == "x""#),
        (ArgumentType, "\"1\"".into())
    );
    assert_eq!(
        err(r#"any where startsWith(process.pid, "1")"#),
        (ArgumentType, "process.pid".into())
    );
    ok(r#"any where cidrMatch(source.ip, "10.0.0.0/8", "192.168.0.0/16")"#);
    ok(r#"any where number(process.args_count_str) == 3 or number("0x1f", 16) == 31"#);
}

#[test]
fn in_lists_must_be_comparable() {
    // testMixedSet: `long_field in (1, "string")`; the rule is DataTypes.areCompatible (equal,
    // null, both strings, both numbers, both dates).
    assert_eq!(
        err(r#"process where process.pid in (1, "x")"#),
        (EqlErrorKind::ArgumentType, "\"x\"".into())
    );
    ok("process where process.pid in (1, 2.5, null)");
    ok(r#"process where process.name in ("a", "b")"#);
}

#[test]
fn text_fields_cannot_be_queried() {
    use EqlErrorKind::TextField;
    // testMultiField / testStringFunctionWithText: a text field without a keyword sub-field.
    assert_eq!(
        err(r#"any where message == "x""#),
        (TextField, "message".into())
    );
    assert_eq!(
        err(r#"any where process.command_line.text : "x""#),
        (TextField, "process.command_line.text".into())
    );
    assert_eq!(
        err(r#"any where stringContains(message, "x")"#),
        (TextField, "message".into())
    );
}

#[test]
fn nested_fields_cannot_be_queried() {
    // testNested: "with unsupported nested type in hierarchy".
    assert_eq!(
        err(r#"any where threat.enrichments.indicator.ip == "1.2.3.4""#),
        (
            EqlErrorKind::NestedField,
            "threat.enrichments.indicator.ip".into()
        )
    );
}

#[test]
fn missing_event_steps_need_a_positive_maxspan() {
    // The docs (eql-syntax, "Missing events"): missing-event steps are used with `maxspan`; a
    // sequence without a window has no interval in which an event could be missing.
    assert_eq!(
        err("sequence [process where true] ![file where true] [network where true]").0,
        EqlErrorKind::MissingMaxspan
    );
    // LogicalPlanBuilder.visitSequenceParams: "A positive maxspan value is required".
    assert_eq!(
        err("sequence with maxspan=0s [process where true] [file where true]"),
        (EqlErrorKind::InvalidArgument, "0".into())
    );
    ok("sequence with maxspan=1s [process where true] ![file where true] [network where true]");
}

#[test]
fn messages_use_elasticsearchs_wording() {
    let msg = |src: &str| match ruleplay::eql::compile(src) {
        Err(d) => d.message,
        Ok(_) => panic!("{src}"),
    };
    assert_eq!(
        msg("process where process.pid : 4"),
        "first argument of [:] must be [string], found value [process.pid] type [long]; consider using [==] instead"
    );
    assert_eq!(
        msg(r#"process where process.pid in (1, "x")"#),
        r#"2nd argument of [process.pid in (1, "x")] must be [long], found value ["x"] type [keyword]"#
    );
    assert_eq!(
        msg("process where process.name == process.parent.name"),
        "Comparisons against fields are not (currently) supported; offender [process.parent.name] in [==]"
    );
    assert_eq!(
        msg(r#"any where message == "x""#),
        r#"[message == "x"] cannot operate on first argument field of data type [text]: No keyword/multi-field defined exact matches for [message]; define one or use MATCH/QUERY instead"#
    );
}

#[test]
fn join_keys_must_have_compatible_types() {
    // testKeysWithDifferentTypes / testKeysWithSimilarYetDifferentTypes; keyword and text-like
    // strings are compatible (testKeysWithDifferentButCompatibleTypes).
    assert_eq!(
        err("sequence [process where true] by process.pid [file where true] by file.hash.md5"),
        (EqlErrorKind::ArgumentType, "file.hash.md5".into())
    );
    assert_eq!(
        err("sequence [process where true] by @timestamp [process where true] by process.pid"),
        (EqlErrorKind::ArgumentType, "process.pid".into())
    );
    ok("sequence [process where true] by process.name [file where true] by file.name");
    ok("sample by host.id [process where true] by process.pid [file where true] by process.pid");
    let msg = match ruleplay::eql::compile(
        "sequence [process where true] by process.pid [file where true] by file.hash.md5",
    ) {
        Err(d) => d.message,
        Ok(_) => panic!(),
    };
    assert_eq!(
        msg,
        "Sequence key [file.hash.md5] type [keyword] is incompatible with key [process.pid] type [long]"
    );
}
