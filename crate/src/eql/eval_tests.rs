use super::*;
use crate::eql::ast::Body;
use crate::explain::Verdict;
use serde_json::json;

fn q(src: &str) -> crate::eql::EqlQuery {
    crate::eql::compile(src).unwrap_or_else(|d| panic!("{}: {}", src, d.render(src)))
}

fn m(src: &str, ev: Value) -> bool {
    let query = q(src);
    let a = query.matches(&ev);
    let trace = query.explain(&ev);
    assert_eq!(
        a,
        trace.verdict.is_true(),
        "matches/explain disagree on {src} / {ev}"
    );
    // The event-view path must decide the same, also with other events around it (their
    // strings share the dictionary and the per-string caches).
    let batch = vec![
        json!({"x": "b", "process": {"name": "cmd.exe"}}),
        ev.clone(),
        ev.clone(),
    ];
    let table = EventTable::new(&batch).expect("table");
    let bound = query.bind(&table);
    let batch = query.matching_rows(&bound);
    for row in [1, 2] {
        assert_eq!(
            a,
            query.matches_row(&bound, row),
            "table path disagrees on {src} / {ev}"
        );
        assert_eq!(a, batch[row], "batch table path disagrees on {src} / {ev}");
    }
    a
}

/// The event view flattens keys like the JSON lookup; verdicts agree on awkward shapes.
#[test]
fn table_and_json_agree_on_event_shapes() {
    let events = [
        json!({"event.category": "process", "process": {"name": "a"}, "process.name": "b"}),
        json!({"event": {"category": ["process", null]}, "process": [{"name": "a"}, {"name": ["b", null]}]}),
        json!({"event": {"category": []}, "process": {"name": []}}),
        json!({"event": {"category": "process"}, "process": {"pid": "42", "name": null}}),
        json!({"event": {"category": "process"}, "process": {"pid": 42.7, "args": [1, "2", true]}}),
        json!({"event": {"category": "process"}, "process": {"name": {"x": 1}}}),
        json!({"event": {"category": "process"}, "a": {"b": "x"}, "a.b": "y"}),
        json!({"event": {"category": "process"}, "user": {"name": "u".repeat(1100)}}),
        json!({"event": {"category": "process"}, "user": {"name": "ü".repeat(600)}}),
        json!({"event": {"category": "process"}, "@timestamp": "2024-09-01T10:00:00Z"}),
    ];
    for cond in [
        r#"process.name == "a""#,
        r#"process.name : "B""#,
        r#"process.name != "a""#,
        r#"process.name == null"#,
        r#"process.name != null"#,
        r#"process.name not in ("a", "b")"#,
        r#"process.pid == 42"#,
        r#"process.pid > 41"#,
        r#"process.args : "2""#,
        r#"process.args == 1"#,
        r#"process.args == true"#,
        r#"a.b == "y" and a.b == "x""#,
        r#"length(user.name) > 0"#,
        r#"user.name : "u*""#,
        r#"user.name != "x""#,
        r#"@timestamp < "2025-01-01""#,
        r#"concat(process.name, "x") == "ax""#,
        r#"not startsWith(process.name, "b")"#,
        r#"?process.name"#,
    ] {
        for ev in &events {
            for cat in ["process", "any"] {
                m(&format!("{cat} where {cond}"), ev.clone());
            }
        }
    }
}

#[test]
fn case_rules() {
    let ev = json!({"event": {"category": "process"}, "process": {"name": "CMD.exe"}});
    assert!(!m(r#"process where process.name == "cmd.exe""#, ev.clone()));
    assert!(m(r#"process where process.name : "cmd.exe""#, ev.clone()));
    assert!(m(r#"process where process.name : "c?d.*""#, ev.clone()));
    assert!(!m(r#"process where process.name like "c*""#, ev.clone()));
    assert!(m(r#"process where process.name like~ "c*""#, ev.clone()));
    assert!(!m(
        r#"process where process.name in ("cmd.exe")"#,
        ev.clone()
    ));
    assert!(m(
        r#"process where process.name in~ ("cmd.exe")"#,
        ev.clone()
    ));
    assert!(
        !m(r#"process where process.name in~ ("cmd.*")"#, ev.clone()),
        "in~ is verbatim"
    );
    assert!(m(
        r#"process where process.name regex~ "c.d\\.EXE""#,
        ev.clone()
    ));
    assert!(!m(
        r#"process where process.name regex "c.d\\.EXE""#,
        ev.clone()
    ));
    assert!(!m(
        r#"process where startsWith(process.name, "cmd")"#,
        ev.clone()
    ));
    assert!(m(
        r#"process where startsWith~(process.name, "cmd")"#,
        ev.clone()
    ));
    assert!(!m(r#"file where true"#, ev.clone()), "category filters");
    assert!(m(r#"any where true"#, ev));
}

#[test]
fn string_fast_path_agrees_with_general_path() {
    // `Leaf::str_element` (no allocation) must decide exactly as `Leaf::element` does.
    let conds = [
        r#"x : "Foxmail.exe""#,
        r#"x : ("?:\\Users\\*\\AppData\\*", "\\\\*")"#,
        r#"x like "C*""#,
        r#"x like~ "c*X""#,
        r#"x : "straße*""#,
        r#"x : "İx""#,
        r#"x in~ ("CMD.exe", "İx")"#,
        r#"x in ("a", "B")"#,
        r#"x in ("a", 4)"#,
        r#"x == "b""#,
        r#"x < "b""#,
        r#"x >= "b""#,
        r#"x != "b""#,
        r#"x regex~ "c.d""#,
        r#"x : ("a", 4)"#,
        r#"x"#,
    ];
    let vals = [
        "Foxmail.exe",
        "FOXMAIL.EXE",
        "C:\\Users\\Bob\\AppData\\x",
        "\\\\srv\\x",
        "cmdX",
        "cmd.exe",
        "STRASSE",
        "STRAßE.txt",
        "İX",
        "i̇x",
        "a",
        "B",
        "b",
        "",
        "C.D",
    ];
    let mut decided = 0;
    for c in conds {
        let query = crate::eql::parse(&format!("any where {c}")).unwrap();
        let Body::Event(eq) = &query.body else {
            panic!("{c}")
        };
        let leaf = Node::leaf(&eq.condition, &mut compile::Cx::new(constant, ""))
            .unwrap_or_else(|| panic!("{c}: not a leaf"));
        for v in vals {
            if let Some(fast) = leaf.str_element(v) {
                decided += 1;
                let slow = leaf.element(&EqlValue::Str(v.into())).is_some();
                assert_eq!(fast, slow, "{c} on {v:?}");
            }
        }
    }
    assert!(decided > 150, "{decided}");
}

#[test]
fn arrays_any_element() {
    let ev = json!({"event": {"category": ["process", "x"]}, "process": {"args": ["a", "b"]}});
    assert!(m(r#"process where process.args == "b""#, ev.clone()));
    assert!(m(r#"x where process.args : "B""#, ev.clone()));
    // `!=` holds only when no element equals.
    assert!(!m(r#"process where process.args != "b""#, ev.clone()));
    assert!(m(r#"process where process.args != "c""#, ev.clone()));
    assert!(!m(r#"process where process.args not in ("a")"#, ev.clone()));
    assert!(m(r#"process where process.args not in ("z")"#, ev));
}

/// Pinned: Elasticsearch translates a field compared with constants into a Lucene query, and
/// `!=`, `not in` and `not` become `must_not` (QL `ExpressionTranslators`: `NotEquals` →
/// `NotQuery(TermQuery)`), so on an event WITHOUT the field they hold. The corpus relies on
/// it: `not (?process.Ext.token.integrity_level_name : "System" or
/// ?winlog.event_data.IntegrityLevel : "System")` would otherwise never match an event that
/// lacks one of the two fields. (RUNNER.md §5(a) lists this as an open point.)
#[test]
fn missing_field_query_semantics() {
    let ev = json!({"event": {"category": "process"}});
    assert!(!m(r#"process where process.name == "a""#, ev.clone()));
    assert!(m(r#"process where process.name != "a""#, ev.clone()));
    assert!(m(r#"process where not process.name : "a""#, ev.clone()));
    assert!(m(r#"process where process.name not in ("a")"#, ev.clone()));
    assert!(m(r#"process where process.name == null"#, ev.clone()));
    assert!(!m(r#"process where process.name != null"#, ev.clone()));
    assert!(!m(r#"process where process.pid > 0"#, ev.clone()));
    assert!(!m(r#"process where process.pid <= 0"#, ev.clone()));
    assert!(m(r#"process where not process.pid > 0"#, ev.clone()));
    assert!(!m(r#"process where ?x"#, ev.clone()));
    assert!(m(
        r#"process where not (?a.b : "System" or ?c.d : "System")"#,
        json!({"event": {"category": "process"}, "a": {"b": "user"}})
    ));
}

/// Pinned: scripts (functions over fields, arithmetic) use three-valued logic: a missing
/// field makes the expression null, `not null` is null, null does not match
/// (RUNNER.md §5(a): concatWithCondition*, nullEqualityWithGtAndHead).
#[test]
fn missing_field_script_semantics() {
    let ev = json!({"event": {"category": "process"}, "process": {"name": "a"}});
    assert!(!m(r#"process where length(process.title) > 0"#, ev.clone()));
    assert!(!m(
        r#"process where not length(process.title) > 0"#,
        ev.clone()
    ));
    assert!(m(r#"process where length(process.name) > 0"#, ev.clone()));
    assert!(m(r#"process where null == (exit_code > -1)"#, ev.clone()));
    assert!(!m(
        r#"process where concat(process.name, process.title) != null"#,
        ev.clone()
    ));
    assert!(m(
        r#"process where concat(process.name, process.title) == null"#,
        ev.clone()
    ));
    assert!(m(
        r#"process where concat(process.name, null, null) == null"#,
        ev
    ));
}

#[test]
fn numbers_dates_math() {
    let ev = json!({"event": {"category": "process"}, "process": {"pid": 83, "exit_code": "0"},
                    "@timestamp": "2017-08-30T20:47:33Z", "n": "12"});
    assert!(m("process where process.pid / 2 == 41", ev.clone()));
    assert!(!m("process where process.pid / 2.0 == 41", ev.clone()));
    assert!(m("process where process.pid % 10 == 3", ev.clone()));
    assert!(m("process where process.exit_code == 0", ev.clone()));
    assert!(m(
        "process where process.exit_code >= 0 and -1 < process.exit_code",
        ev.clone()
    ));
    assert!(m(
        r#"process where @timestamp == "2017-08-30T20:47:33Z""#,
        ev.clone()
    ));
    assert!(m("process where @timestamp == 1504126053000", ev.clone()));
    assert!(m(
        r#"process where number(string(process.pid), 16) == 131"#,
        ev.clone()
    ));
    assert!(m(r#"process where string(process.pid) : "8?""#, ev.clone()));
    assert!(!m(r#"process where string(process.pid) in~ ("8?")"#, ev));
}

#[test]
fn strings_ordinal_comparison() {
    let ev = json!({"event": {"category": "process"}, "process_name": "System Idle Process"});
    assert!(!m(
        r#"process where process_name >= "system idle process" and process_name <= "System Idle Process""#,
        ev.clone()
    ));
    assert!(m(
        r#"process where process_name >= "System" and process_name <= "System Idle Process""#,
        ev
    ));
}

#[test]
fn cidr_and_ip() {
    let ev =
        json!({"event": {"category": "network"}, "source": {"ip": ["192.168.1.1", "10.6.48.157"]}});
    assert!(m(
        r#"network where cidrMatch(source.ip, "10.6.48.0/24")"#,
        ev.clone()
    ));
    assert!(m(
        r#"network where cidrmatch(source.ip, "1.0.0.0/8", "192.168.0.0/16")"#,
        ev.clone()
    ));
    assert!(!m(r#"network where cidrMatch(source.ip, "1.0.0.0/8")"#, ev));
}

#[test]
fn explain_messages() {
    let query = q(r#"process where process.parent.name : "Foxmail.exe" and process.name != "x""#);
    let ev = json!({"event": {"category": "process"}, "process": {"parent": {"name": "postfix"}, "name": "x"}});
    let t = query.explain(&ev);
    assert_eq!(t.kind, "and");
    let cond = &t.children[1];
    assert_eq!(cond.children[0].kind, "like");
    assert_eq!(
        cond.children[0].message.as_deref(),
        Some(r#"process.parent.name is "postfix", not "Foxmail.exe""#)
    );
    assert_eq!(cond.children[0].looked[0].path, "process.parent.name");
    assert_eq!(
        cond.children[1].message.as_deref(),
        Some(r#"process.name is "x", which must not be "x""#)
    );
    let miss = query.explain(&json!({"event": {"category": "process"}}));
    assert_eq!(miss.children[1].children[0].verdict, Verdict::Missing);
    assert_eq!(
        miss.children[1].children[0].message.as_deref(),
        Some("process.parent.name is missing")
    );
    let cat = query.explain(&json!({"event": {"category": "file"}}));
    assert_eq!(cat.children[0].kind, "category");
    assert_eq!(
        cat.children[0].message.as_deref(),
        Some(r#"event.category is "file", not "process""#)
    );
}

#[test]
fn bad_regex_is_a_diagnostic() {
    let src = r#"any where a regex "x&y""#;
    let e = crate::eql::compile(src).unwrap_err();
    assert_eq!(
        e.kind,
        crate::diagnostic::RegexErrorKind::Unsupported.into()
    );
    assert_eq!(e.span.text(src), "&");
}

#[test]
fn expression_values() {
    let e = crate::eql::parser::parse_condition("user.name").unwrap();
    let e = CompiledExpr::new(&e);
    assert_eq!(
        e.value(&json!({"user": {"name": ["a", "b"]}})).to_json(),
        json!(["a", "b"])
    );
    assert_eq!(e.value(&json!({})), EqlValue::Null);
    let e = crate::eql::parser::parse_condition(r#"user.name regex "a.*""#).unwrap();
    let e = CompiledExpr::new(&e);
    assert_eq!(
        e.value(&json!({"user": {"name": "abc"}})),
        EqlValue::Bool(true)
    );
    assert_eq!(e.value(&json!({})), EqlValue::Null);
}
