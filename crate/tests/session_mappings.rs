//! The page's session with user mappings and optional fields (issue 13, §4 and §5): both change
//! what the query compiles to, so the session compiles it again when they change.

use ruleplay::engine::{Lang, Session};

fn matched(s: &mut Session) -> usize {
    let c = s.evaluate().expect("the query loaded").counts;
    c.matched + c.alert
}

#[test]
fn mappings_recompile_the_query() {
    let mut s = Session::new();
    s.set_rule("custom.score > 9".into(), Lang::Kql)
        .expect("loads");
    s.set_events("{\"custom\":{\"score\":9}}\n{\"custom\":{\"score\":10}}\n".into());
    // Unmapped: a keyword, so "10" < "9".
    assert_eq!(matched(&mut s), 0);
    let r = s.set_mappings(
        r#"{"mappings": {"properties": {"custom": {"properties": {"score": {"type": "long"}}}}}}"#,
    );
    assert_eq!((r.fields, r.error), (2, None));
    assert_eq!(matched(&mut s), 1);
    let r = s.set_mappings("{\"no\": 1}");
    assert!(r.error.is_some());
    assert_eq!(matched(&mut s), 0);
    s.set_mappings("");
}

#[test]
fn optional_fields_follow_the_events() {
    let mut s = Session::new();
    s.set_rule(r#"any where ?foo.baz != "x""#.into(), Lang::Eql)
        .expect("loads");
    s.set_events("{\"foo\":{\"bar\":1}}\n".into());
    // No event has foo.baz: it is null, and `null != "x"` matches nothing.
    assert_eq!(matched(&mut s), 0);
    s.set_events("{\"foo\":{\"bar\":1}}\n{\"foo\":{\"baz\":\"y\"}}\n".into());
    // Now foo.baz is known: `!=` holds where it is "y" and where it is absent.
    assert_eq!(matched(&mut s), 2);
}
