use super::*;
use crate::rule::load_rule;

const HEAD: &str = "[metadata]\nmaturity = \"production\"\n\n[rule]\nname = \"x\"\n";
const TAIL: &str = "\ntype = \"query\"\n# a comment\n";

fn file(query_token: &str) -> String {
    format!("{HEAD}query = {query_token}{TAIL}")
}

/// Replace, check the new file loads with exactly `query`, and that only the token changed.
fn replaced(query_token: &str, query: &str) -> String {
    let src = file(query_token);
    let out = set_query(&src, query).unwrap_or_else(|d| panic!("{query:?}: {d:?}"));
    let rule = load_rule(&out).unwrap_or_else(|d| panic!("{out}\n{d:?}"));
    assert_eq!(rule.query.as_deref(), Some(query), "{out}");
    let prefix = format!("{HEAD}query = ");
    assert!(out.starts_with(&prefix) && out.ends_with(TAIL), "{out}");
    out[prefix.len()..out.len() - TAIL.len()].to_string()
}

#[test]
fn keeps_the_form_when_it_holds_the_text() {
    assert_eq!(
        replaced("'''\na:1\n'''", "b:2 and c:\"x\"\n"),
        "'''\nb:2 and c:\"x\"\n'''"
    );
    assert_eq!(replaced("\"a:1\"", "b:2"), "\"b:2\"");
    assert_eq!(replaced("'a:1'", "b:\"C:\\\\x\""), "'b:\"C:\\\\x\"'");
    assert_eq!(
        replaced("\"\"\"\na:1\"\"\"", "b:2\nor c:3"),
        "\"\"\"\nb:2\nor c:3\"\"\""
    );
    // No line break after the opening delimiter: one is written (TOML drops it when reading).
    assert_eq!(replaced("'''a:1'''", "b:2"), "'''\nb:2'''");
}

#[test]
fn basic_strings_escape_what_they_must() {
    assert_eq!(
        replaced("\"a:1\"", "path:\"C:\\\\Windows\" and t:\u{1}"),
        "\"path:\\\"C:\\\\\\\\Windows\\\" and t:\\u0001\""
    );
    assert_eq!(replaced("\"a\"", "a\tb\rc"), "\"a\\tb\\rc\"");
    assert_eq!(
        replaced("\"\"\"\na\"\"\"", "x \"\"\" y\\\n"),
        "\"\"\"\nx \\\"\\\"\\\" y\\\\\n\"\"\""
    );
}

#[test]
fn switches_form_when_the_old_one_cannot_hold_the_text() {
    // A quote in a literal string: basic with escapes.
    assert_eq!(
        replaced("'a:1'", "user.name:o'neil"),
        "\"user.name:o'neil\""
    );
    // A line break in a one-line string: a multi-line literal.
    assert_eq!(
        replaced("\"a:1\"", "a:1 and\nb:2\n"),
        "'''\na:1 and\nb:2\n'''"
    );
    // `'''` or a trailing quote in a multi-line literal: multi-line basic.
    assert_eq!(replaced("'''\na\n'''", "x:'''\n"), "\"\"\"\nx:'''\n\"\"\"");
    assert_eq!(
        replaced("'''\na\n'''", "x\ny:'a'"),
        "\"\"\"\nx\ny:'a'\"\"\""
    );
    // A control character in a literal: basic.
    assert_eq!(replaced("'a'", "a\u{7f}"), "\"a\\u007F\"");
    assert_eq!(replaced("'''\na\n'''", "a\r\nb"), "\"\"\"\na\\r\nb\"\"\"");
}

#[test]
fn text_starting_with_a_line_break_survives() {
    assert_eq!(replaced("'''\na\n'''", "\nb"), "'''\n\nb'''");
    assert_eq!(replaced("\"a\"", "\n"), "'''\n\n'''");
}

#[test]
fn the_same_text_changes_nothing() {
    let src = file("\"caf\\u00e9:1\"");
    assert_eq!(set_query(&src, "café:1").unwrap(), src);
}

#[test]
fn crlf_files_keep_their_line_break_after_the_delimiter() {
    let src = "[rule]\r\nquery = '''\r\na:1\r\n'''\r\ntype = \"query\"\r\n";
    let out = set_query(src, "b:2\n").unwrap();
    assert_eq!(
        out,
        "[rule]\r\nquery = '''\r\nb:2\n'''\r\ntype = \"query\"\r\n"
    );
    assert_eq!(load_rule(&out).unwrap().query.as_deref(), Some("b:2\n"));
}

#[test]
fn every_example_rule_takes_its_own_query_and_a_new_one() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../rules");
    for entry in std::fs::read_dir(root).unwrap() {
        let path = entry.unwrap().path().join("rule.toml");
        let Ok(src) = std::fs::read_to_string(&path) else {
            continue;
        };
        let old = load_rule(&src).unwrap().query.unwrap();
        assert_eq!(set_query(&src, &old).unwrap(), src, "{}", path.display());
        for new in ["a:1", "x:'''\"\"\"\\\n", "é \t ''"] {
            let out = set_query(&src, new).unwrap();
            assert_eq!(load_rule(&out).unwrap().query.as_deref(), Some(new));
            let token = load_rule(&src).unwrap().query_span.unwrap();
            // Bytes before the query's token and after it are untouched.
            let before = src[..token.start].rfind("query").unwrap();
            assert_eq!(out[..before], src[..before]);
            let after = token.end + src[token.end..].find('\n').unwrap();
            assert!(out.ends_with(&src[after..]), "{}", path.display());
        }
    }
}

#[test]
fn errors_say_why() {
    let kind = |src: &str| set_query(src, "a").unwrap_err().kind;
    assert_eq!(kind("[rule\n"), RuleErrorKind::Toml.into());
    assert_eq!(kind("name = 1\n"), RuleErrorKind::MissingRuleTable.into());
    assert_eq!(kind("rule = 1\n"), RuleErrorKind::WrongType.into());
    assert_eq!(
        kind("[rule]\nname = \"x\"\n"),
        RuleErrorKind::MissingKey.into()
    );
    assert_eq!(kind("[rule]\nquery = 3\n"), RuleErrorKind::WrongType.into());
}
