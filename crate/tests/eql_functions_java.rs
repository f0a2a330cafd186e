//! EQL string functions count like Java (issue 13, §3), and the EQL function reference's
//! examples hold, except where Elasticsearch's source says otherwise (each noted with the
//! reason). Sources: elastic/elasticsearch `x-pack/plugin/eql/.../function/scalar/string/`
//! (`StringUtils.java`, `IndexOfFunctionProcessor.java`, `ToNumberFunctionProcessor.java`) and
//! `docs/reference/eql/functions.asciidoc`.

use serde_json::json;

fn holds(cond: &str) -> bool {
    let event = json!({
        "event": {"category": "process"},
        "url": {"domain": "subdomain.example.com"},
        "file": {"path": "C:\\Windows\\System32\\cmd.exe"},
        "process": {"name": "😀ab.exe", "command_line": "start regsvr32.exe"}
    });
    let src = format!("any where {cond}");
    match ruleplay::eql::compile(&src) {
        Ok(q) => q.matches(&event),
        Err(d) => panic!("{src}: {}", d.render(&src)),
    }
}

#[test]
fn positions_are_utf16_code_units() {
    // Java's String.indexOf / substring / length count UTF-16 units: 😀 is two.
    assert!(holds(r#"length(process.name) == 8"#));
    assert!(holds(r#"indexOf(process.name, "a") == 2"#));
    assert!(holds(r#"substring(process.name, 2, 3) == "a""#));
    assert!(holds(r#"substring(process.name, -4) == ".exe""#));
    assert!(holds(r#"between(process.name, "😀", ".") == "ab""#));
    assert!(holds(r#"indexOf~(process.name, "AB") == 2"#));
}

#[test]
fn index_of_follows_java_and_the_reference() {
    assert!(holds(r#"indexOf(url.domain, ".") == 9"#));
    assert!(holds(r#"indexOf(url.domain, ".", 10) == 17"#));
    // Negative starts are 0 (Java's indexOf).
    assert!(holds(r#"indexOf(url.domain, ".", -6) == 9"#));
    assert!(holds(r#"indexOf("", "") == 0"#));
    assert!(holds(r#"indexOf(url.domain, "", 10) == 10"#));
    assert!(holds(r#"indexOf(url.domain, "", -6) == 0"#));
    assert!(holds(r#"indexOf(url.domain, ".", 30) == null"#));
    // A `null` literal argument folds the call to null (the optimizer's FoldNull), as the
    // reference says; the processor alone would read a null start as 0.
    assert!(holds(r#"indexOf(url.domain, ".", null) == null"#));
}

#[test]
fn number_detects_hex_and_parses_like_java() {
    // ToNumberFunctionProcessor: a "0x" prefix without a base means base 16.
    assert!(holds(r#"number("0x1f") == 31"#));
    assert!(holds(r#"number("0x1f", 16) == 31"#));
    assert!(holds(r#"number("1f", 16) == 31"#));
    assert!(holds(
        r#"number("1337") == 1337 and number("42.5") == 42.5"#
    ));
    assert!(holds(r#"number("-1337") == -1337"#));
    // An explicitly null base is the default (the reference), not a null result.
    assert!(holds(r#"number("1337", null) == 1337"#));
    // Where the reference is wrong (the source decides): other bases parse a 32-bit int
    // (`Integer.parseInt`), so `number("deadbeef", 16)` (3735928559 in the reference) fails in
    // Elasticsearch; base 10 is DecimalFormat over the whole text, so "+1337" and "  1337  "
    // (1337 in the reference) fail too. Here a failure is null: no match either way.
    assert!(holds(r#"number("deadbeef", 16) == null"#));
    assert!(holds(r#"number("+1337") == null"#));
    assert!(holds(r#"number("  1337  ") == null"#));
}

#[test]
fn string_contains_and_between_edge_cases() {
    // StringUtils.stringContains: false when either string is empty (reference agrees).
    assert!(holds(
        r#"stringContains(process.command_line, "") == false"#
    ));
    assert!(holds(r#"stringContains(process.command_line, "regsvr32")"#));
    // StringUtils.between: an empty source, left or right gives the source back.
    assert!(holds(r#"between("", "", "") == """#));
    assert!(holds(
        r#"between(process.command_line, "", "x") == "start regsvr32.exe""#
    ));
    assert!(holds(
        r#"between(file.path, "\\", "\\", false) == "Windows""#
    ));
    assert!(holds(
        r#"between(file.path, "\\", "\\", true) == "Windows\\System32""#
    ));
    // The reference's `between(file.path, "system32\\\\", ".exe")` returning "cmd" is wrong:
    // matching is case-sensitive (its own text says so), so only `between~` finds "cmd".
    assert!(holds(r#"between(file.path, "system32\\", ".exe") == """#));
    assert!(holds(
        r#"between~(file.path, "system32\\", ".exe") == "cmd""#
    ));
}
