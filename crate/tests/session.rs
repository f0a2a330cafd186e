//! `engine::Session`, the state the page works on: the same verdicts and "now" as `ruleplay test`,
//! the event view's caching policy, the near-miss pass, rows and explanations.

use ruleplay::diagnostic::{EventErrorKind, Span};
use ruleplay::engine::{self, Lang, RunOptions, Session, Status};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};

mod common;

use common::{example_dirs as examples, example_file as read};

/// A session holding one example as the page loads it from the gallery; for a "fix" exercise, its
/// reference solution (`solution/`), which is what `expected.json` describes.
fn open_example(dir: &Path) -> (Session, Value) {
    let solved = |f: &str| read(dir, &format!("solution/{f}")).or_else(|| read(dir, f));
    let expected: Value = serde_json::from_str(&read(dir, "expected.json").unwrap()).unwrap();
    let mut s = Session::new();
    if let Some(now) = expected["now"].as_str() {
        s.pin_now(ruleplay::time::parse_date(now));
    }
    s.set_rule(solved("rule.toml").unwrap(), Lang::Toml)
        .unwrap_or_else(|d| panic!("{}: {d:?}", dir.display()));
    if let Some(x) = solved("exceptions.ndjson") {
        assert_eq!(s.set_exceptions(&x).errors, []);
    }
    let report = s.set_events(read(dir, "events.ndjson").unwrap());
    assert_eq!(report.error_count, 0, "{}", dir.display());
    (s, expected)
}

fn status_name(code: u8) -> &'static str {
    ["alert", "match", "suppressed", "no_match"][code as usize]
}

#[test]
fn every_example_gives_its_expected_verdicts_and_sequences() {
    for dir in examples() {
        let (mut s, expected) = open_example(&dir);
        let r = s.evaluate().expect("the rule loaded");
        let got: Vec<&str> = r.status.iter().map(|&c| status_name(c)).collect();
        let want: Vec<&str> = expected["verdicts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        assert_eq!(got, want, "{}", dir.display());
        if let Some(seqs) = expected.get("sequences") {
            let got: Vec<Vec<Option<usize>>> =
                r.sequences.iter().map(|h| h.events.clone()).collect();
            assert_eq!(
                &serde_json::to_value(got).unwrap(),
                seqs,
                "{}",
                dir.display()
            );
        }
        let c = r.counts;
        assert_eq!(c.alert + c.matched + c.suppressed + c.no_match, got.len());
        assert_eq!(c.alert, got.iter().filter(|&&g| g == "alert").count());
    }
}

#[test]
fn exim4_now_is_the_one_ruleplay_test_takes() {
    let dir = examples()
        .into_iter()
        .find(|d| d.ends_with("exim4"))
        .unwrap();
    let rule = read(&dir, "rule.toml").unwrap();
    assert!(rule.contains("timestamp_override = \"event.ingested\""));
    let (mut s, _) = open_example(&dir);
    // What `ruleplay test` (engine::check_example) computes: the latest time under the rule's
    // timestamp field.
    let loaded = engine::load(&rule, Lang::Toml).unwrap();
    let want = loaded.latest_event_time(s.events()).unwrap();
    assert_eq!(s.now(), want);
    assert_eq!(s.evaluate().unwrap().now, want);
    // ... which is event.ingested, not @timestamp: the events were ingested 2 s after they happened.
    let by_timestamp = engine::latest_event_time(s.events(), "@timestamp").unwrap();
    assert_eq!(want - by_timestamp, 2_000);
    // And the whole check agrees with the session's verdicts.
    let problems = engine::check_example(
        &rule,
        &read(&dir, "events.ndjson").unwrap(),
        &read(&dir, "expected.json").unwrap(),
        None,
    );
    assert_eq!(problems, Vec::<String>::new());
}

#[test]
fn now_can_be_pinned_and_unpinned() {
    let mut s = Session::new();
    s.set_rule("@timestamp >= now-1h".into(), Lang::Kql)
        .unwrap();
    s.set_events(
        r#"{"@timestamp": "2024-01-01T00:00:00Z"}
{"@timestamp": "2024-01-01T02:00:00Z"}"#
            .into(),
    );
    let latest = ruleplay::time::parse_date("2024-01-01T02:00:00Z").unwrap();
    assert_eq!(s.now(), latest);
    assert_eq!(s.evaluate().unwrap().status, [3, 0]);
    s.pin_now(Some(latest + 10 * 3_600_000));
    assert_eq!(s.now(), latest + 10 * 3_600_000);
    assert_eq!(s.evaluate().unwrap().status, [3, 3]);
    s.pin_now(None);
    assert_eq!(s.evaluate().unwrap().now, latest);
    // Without timestamps, the clock.
    s.set_events("{\"a\": 1}".into());
    let clock = engine::clock_now();
    assert!((s.now() - clock).abs() < 60_000);
}

#[test]
fn events_know_their_lines_bytes_and_fields() {
    let mut s = Session::new();
    let array = "[\n  {\n    \"process\": {\"name\": \"a\"}\n  },\n  {\"host.name\": \"h\",\n   \"x\": 1}\n]";
    let r = s.set_events(array.into());
    assert_eq!((r.count, r.error_count), (2, 0));
    assert_eq!(r.fields, ["host.name", "process.name", "x"]);
    assert_eq!(s.event_line(0), Some(2));
    assert_eq!(s.event_line(1), Some(5));
    assert_eq!(s.event_line(2), None);
    assert_eq!(
        s.event_text(0),
        Some("{\n    \"process\": {\"name\": \"a\"}\n  }")
    );
    let nd = "\n{\"a\": 1}\n{oops\n\n{\"b\": 2}\n";
    let r = s.set_events(nd.into());
    assert_eq!((r.count, r.error_count), (2, 1));
    assert_eq!(r.errors[0].line, 3);
    assert_eq!(s.event_line(1), Some(5));
    assert_eq!(s.event_text(1), Some("{\"b\": 2}"));
    // Errors are reported up to a cap, and counted in full.
    let many = "x\n".repeat(engine::MAX_REPORTED_ERRORS + 5);
    let r = s.set_events(many);
    assert_eq!(r.errors.len(), engine::MAX_REPORTED_ERRORS);
    assert_eq!(r.error_count, engine::MAX_REPORTED_ERRORS + 5);
}

#[test]
fn no_rule_no_evaluation_and_diagnostics_say_why() {
    let mut s = Session::new();
    s.set_events("{\"a\": 1}".into());
    assert!(s.evaluate().is_none());
    assert!(s.explain(0).is_none());
    let d = s.set_rule("a:(b or".into(), Lang::Kql).unwrap_err();
    assert!(d[0].message.contains("expected"), "{:?}", d[0]);
    assert!(s.evaluate().is_none());
    assert_eq!(s.query_span(), None);
    s.set_rule("a:1".into(), Lang::Kql).unwrap();
    assert_eq!(s.query_span(), Some(ruleplay::Span::new(0, 3)));
    assert_eq!(s.evaluate().unwrap().status, [0]);
}

const KQL_EVENTS: &str = r#"{"process": {"name": "bash", "parent": {"name": "exim4"}, "command_line": "bash -c id"}, "user": {"name": "root"}}
{"process": {"name": "bash", "parent": {"name": "postfix"}, "args": ["bash", "-i"]}, "user": {"name": "root"}}
{"process": {"name": "sort", "parent": {"name": "postfix"}}, "user": {"name": "mail"}}
{"event": {"action": "login"}, "user": {"name": "alice"}, "source": {"ip": "10.0.0.1"}}"#;

#[test]
fn near_misses_come_from_a_later_pass_equal_to_a_full_run() {
    let query = "process.parent.name:exim4 and process.name:bash and user.name:root";
    let mut s = Session::new();
    s.set_rule(query.into(), Lang::Kql).unwrap();
    s.set_events(KQL_EVENTS.into());
    let r = s.evaluate().unwrap();
    assert_eq!(r.status, [0, 3, 3, 3]);
    assert_eq!(r.misses, [-1, -1, -1, -1]);
    assert!(r.misses_pending && r.misses_auto);
    let pass = s.near_misses().unwrap().misses;
    // The same counts as a run that computes them (what `ruleplay match` does).
    let loaded = engine::load(query, Lang::Kql).unwrap();
    let full = loaded.run(
        s.events(),
        &RunOptions {
            now: Some(s.now()),
            ..Default::default()
        },
    );
    let want: Vec<i32> = full
        .events
        .iter()
        .map(|v| v.misses.map_or(-1, |m| m as i32))
        .collect();
    assert_eq!(pass, want);
    // Events 2 and 3 hold no clause of the query: whatever stood in the way, they are no near
    // misses, so they get no count.
    assert_eq!(pass, [-1, 1, -1, -1]);
}

#[test]
fn rows_summarize_events_and_say_why_near_misses_missed() {
    let mut s = Session::new();
    s.set_rule(
        "process.parent.name:exim4 and process.name:bash".into(),
        Lang::Kql,
    )
    .unwrap();
    s.set_events(KQL_EVENTS.into());
    s.evaluate().unwrap();
    let rows = s.rows(&[0, 1, 3, 99]);
    assert_eq!(rows.len(), 3, "index 99 does not exist");
    assert_eq!(rows[0].summary, "exim4 → bash  bash -c id");
    assert_eq!(rows[1].summary, "postfix → bash  bash -i");
    // Not a process event: the values of the fields the query looks at (none here).
    assert_eq!(rows[2].summary, "");
    // "why" needs the near-miss pass.
    assert_eq!(rows[1].why, None);
    s.near_misses().unwrap();
    let rows = s.rows(&[0, 1, 2]);
    assert_eq!(rows[0].why, None, "an alert is no near miss");
    let why = rows[1].why.as_deref().unwrap();
    assert!(why.contains("postfix"), "{why}");
    assert_eq!(
        rows[2].why, None,
        "two clauses off, none held: no near miss"
    );
    s.set_rule(
        "process.parent.name:exim4 and process.name:bash and user.name:x".into(),
        Lang::Kql,
    )
    .unwrap();
    s.evaluate().unwrap();
    s.near_misses().unwrap();
    assert_eq!(
        s.rows(&[2])[0].why,
        None,
        "three clauses off is no near miss"
    );

    // Without queried fields, the action and the message.
    s.set_rule("any where true".into(), Lang::Eql).unwrap();
    s.evaluate().unwrap();
    assert_eq!(s.rows(&[3])[0].summary, "login");
    // The queried fields summarize events without a process.
    s.set_rule("user.name:alice and source.ip:10.0.0.1".into(), Lang::Kql)
        .unwrap();
    s.evaluate().unwrap();
    assert_eq!(s.rows(&[3])[0].summary, "alice · 10.0.0.1");
    // Long summaries are cut.
    let long = format!("{{\"message\": \"{}\"}}", "é".repeat(300));
    s.set_events(long);
    s.set_rule("any where true".into(), Lang::Eql).unwrap();
    s.evaluate().unwrap();
    let summary = &s.rows(&[0])[0].summary;
    assert_eq!(summary.chars().count(), 161);
    assert!(summary.ends_with('…'));
}

#[test]
fn explanations_read_the_last_run_and_match_the_engine() {
    let query = "process.parent.name:exim4 and process.name:bash";
    let mut s = Session::new();
    s.set_rule(query.into(), Lang::Kql).unwrap();
    s.set_events(KQL_EVENTS.into());
    // Without an evaluation first, explain runs one.
    let x = s.explain(1).unwrap();
    let loaded = engine::load(query, Lang::Kql).unwrap();
    let opts = RunOptions {
        now: Some(s.now()),
        ..Default::default()
    };
    let want = loaded.explain(s.events(), 1, &opts).unwrap();
    assert_eq!(x.status, Status::NoMatch);
    assert_eq!(
        Some(&x.root.clone().unwrap()),
        want.trace.as_ref().map(|t| &t.root)
    );
    assert_eq!(x.near_miss, want.trace.unwrap().near_miss);
    assert!(s.explain(99).is_none());
    let shape = serde_json::to_value(s.explain(0).unwrap()).unwrap();
    for key in [
        "index",
        "status",
        "matched",
        "alert",
        "root",
        "near_miss",
        "exceptions",
        "sequences",
    ] {
        assert!(shape.get(key).is_some(), "{key} in {shape}");
    }
    assert_eq!(shape["status"], json!("alert"));
}

#[test]
fn the_event_view_is_built_when_it_pays() {
    // KQL: the first run over a batch reads JSON; the second (here the near-miss pass) builds
    // the view, and later runs reuse it.
    let mut s = Session::new();
    s.set_rule("process.name:bash".into(), Lang::Kql).unwrap();
    s.set_events(KQL_EVENTS.into());
    s.evaluate().unwrap();
    assert!(!s.has_event_view());
    s.near_misses().unwrap();
    assert!(s.has_event_view());
    s.set_rule("process.name:sort".into(), Lang::Kql).unwrap();
    assert_eq!(s.evaluate().unwrap().status, [3, 3, 0, 3]);
    assert!(
        s.has_event_view(),
        "a rule edit keeps the view of the same events"
    );
    s.set_events(KQL_EVENTS.into());
    assert!(!s.has_event_view(), "new events, new view");
    // EQL sequences build it on the first run.
    s.set_rule(
        "sequence by user.name [process where true] [process where true]".into(),
        Lang::Eql,
    )
    .unwrap();
    s.evaluate().unwrap();
    assert!(s.has_event_view());
}

#[test]
fn reports_serialize_as_the_page_reads_them() {
    let mut s = Session::new();
    s.set_rule("[rule]\ntype='threshold'\nlanguage='kuery'\nquery='user.name:*'\n[rule.threshold]\nfield=['user.name']\nvalue=2\n".into(), Lang::Toml)
        .unwrap();
    s.set_events(KQL_EVENTS.into());
    let r = s.evaluate().unwrap();
    let v = serde_json::to_value(&r).unwrap();
    assert!(v.get("status").is_none() && v.get("misses").is_none());
    assert_eq!(
        v["counts"],
        json!({"alert": 2, "match": 2, "suppressed": 0, "no_match": 0})
    );
    assert_eq!(v["missesPending"], json!(true));
    // Reasons by event index, only where there is one.
    assert!(
        v["reasons"]["2"].as_str().unwrap().contains("1 event"),
        "{v}"
    );
    assert_eq!(v["groups"].as_array().unwrap().len(), 3);
    let ev = serde_json::to_value(s.set_events("{\"a\":1}\nx\n".into())).unwrap();
    assert_eq!(ev["count"], json!(1));
    assert_eq!(ev["errorCount"], json!(1));
    assert_eq!(ev["fields"], json!(["a"]));
}

/// The Exim4 example's event #1 (`sort` under exim4) is kept out by one value of the rule's
/// exclusion list: the explanation says so in one line and names that value as the reason.
#[test]
fn an_excluded_event_is_explained_by_its_list_value() {
    let dir = examples()
        .into_iter()
        .find(|d| d.ends_with("exim4"))
        .unwrap();
    let (mut s, _) = open_example(&dir);
    s.evaluate().unwrap();
    let x = s.explain(1).unwrap();
    assert!(x.near);
    assert_eq!(
        x.headline.as_deref(),
        Some("Near miss: excluded by process.name:(… sort …)")
    );
    let root = x.root.unwrap();
    let not = root.children.iter().find(|c| c.kind == "not").unwrap();
    assert_eq!(
        not.message.as_deref(),
        Some("process.name \"sort\" is in the exclusion list (14 of 15)")
    );
    assert!(not.children[0].list);
    assert_eq!(
        not.children[0].effect,
        Some(ruleplay::explain::Effect::Hurts)
    );
    s.near_misses().unwrap();
    assert_eq!(
        s.rows(&[1])[0].why.as_deref(),
        Some("excluded by process.name:(… sort …)")
    );
}

#[test]
fn warnings_follow_the_query_and_the_events_fields() {
    let mut s = Session::new();
    s.set_rule("proces.name:bash and custom.tag:x".into(), Lang::Kql)
        .unwrap();
    let fields = |s: &Session| -> Vec<String> {
        s.warnings()
            .iter()
            .map(|d| d.span.text(s.source()).to_string())
            .collect()
    };
    // No events yet: neither field is known.
    assert_eq!(fields(&s), ["proces.name", "custom.tag"]);
    assert!(s.warnings().iter().all(|d| !d.is_error()));
    s.set_events(r#"{"process": {"name": "bash"}, "custom": {"tag": "x"}}"#.into());
    assert_eq!(fields(&s), ["proces.name"]);
    assert!(s.warnings()[0]
        .message
        .ends_with("did you mean \"process.name\"?"));
    // A misspelled keyword: an error as Kibana reads it, and a warning saying why.
    let err = s
        .set_rule(
            "process.name:exim4 adn not process.name:sort".into(),
            Lang::Kql,
        )
        .unwrap_err()
        .to_vec();
    assert_eq!(err.len(), 1);
    assert_eq!(fields(&s), ["adn"]);
}

#[test]
fn field_values_are_the_most_frequent_first_written_for_the_language() {
    let mut s = Session::new();
    s.set_rule("process.name:x".into(), Lang::Kql).unwrap();
    s.set_events(KQL_EVENTS.into());
    let v = s.field_values("process.name");
    let got: Vec<(&str, usize)> = v.iter().map(|v| (v.value.as_str(), v.count)).collect();
    assert_eq!(got, [("bash", 2), ("sort", 1)]);
    assert_eq!(v[0].insert, "bash");
    s.set_events(
        r#"{"process": {"command_line": "bash -c \"id\"", "pid": 7}}
{"process": {"command_line": "and", "pid": 7}}"#
            .into(),
    );
    let inserts = |s: &Session, f: &str| -> Vec<String> {
        s.field_values(f).into_iter().map(|v| v.insert).collect()
    };
    assert_eq!(
        inserts(&s, "process.command_line"),
        ["\"and\"", r#""bash -c \"id\"""#]
    );
    assert_eq!(inserts(&s, "process.pid"), ["7"]);
    s.set_rule("process where true".into(), Lang::Eql).unwrap();
    assert_eq!(inserts(&s, "process.pid"), ["7"]);
    assert_eq!(inserts(&s, "process.command_line")[0], "\"and\"");
    assert!(s.field_values("nope").is_empty());
    assert_eq!(engine::MAX_FIELD_VALUES, 200);
}

#[test]
fn the_examples_load_without_warnings() {
    for dir in examples() {
        let (s, _) = open_example(&dir);
        let warnings: Vec<String> = s.warnings().iter().map(|d| d.render(s.source())).collect();
        assert_eq!(warnings, Vec::<String>::new(), "{}", dir.display());
    }
}

fn example(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../rules")
        .join(name)
}

#[test]
fn the_bare_query_view_and_the_rule_file_share_one_query() {
    let dir = example("exim4");
    let (mut s, _) = open_example(&dir);
    let file = read(&dir, "rule.toml").unwrap();
    let query = s.rule().unwrap().query.clone().unwrap();
    // TOML → KQL shows the rule's query and says the rule type no longer applies.
    let shown = s.switch_lang(Lang::Kql, "ignored".into());
    assert_eq!(shown, query);
    assert_eq!(s.lang(), Some(Lang::Kql));
    let notes = s.notes();
    assert!(
        notes[0].contains("new_terms") && notes[0].contains("no longer appl"),
        "{notes:?}"
    );
    assert_eq!(
        s.rule_file(),
        Some(file.as_str()),
        "the same text changes no byte"
    );
    // An edit in the KQL view is an edit of the rule's query.
    let edited = format!("{query} and not user.name:\"o'neil\"");
    s.set_rule(edited.clone(), Lang::Kql).unwrap();
    let new_file = s.rule_file().unwrap().to_string();
    assert_eq!(
        ruleplay::rule::load_rule(&new_file)
            .unwrap()
            .query
            .as_deref(),
        Some(edited.as_str())
    );
    let start = file.find("query = '''").unwrap();
    assert_eq!(new_file[..start], file[..start]);
    // Back to TOML: the rule file with the edited query, loaded.
    let shown = s.switch_lang(Lang::Toml, String::new());
    assert_eq!(shown, new_file);
    assert_eq!(s.rule().unwrap().query.as_deref(), Some(edited.as_str()));
    assert_eq!(s.rule_file(), None);
    assert!(s.notes().iter().all(|n| !n.contains("no longer")));
    // An edit in the TOML view shows in the KQL view.
    let toml_edit = new_file.replace("exim4 and", "exim4 and host.name:h and");
    s.set_rule(toml_edit, Lang::Toml).unwrap();
    let shown = s.switch_lang(Lang::Kql, String::new());
    assert!(shown.contains("host.name:h"), "{shown}");
}

#[test]
fn a_bare_query_of_the_other_language_is_not_written_into_the_rule() {
    let dir = example("foxmail");
    let (mut s, _) = open_example(&dir);
    let file = read(&dir, "rule.toml").unwrap();
    // The rule is EQL: the KQL view starts from its own text.
    assert_eq!(s.switch_lang(Lang::Kql, "a:1".into()), "a:1");
    assert!(s.notes()[0].contains("is EQL"), "{:?}", s.notes());
    assert_eq!(s.rule_file(), Some(file.as_str()));
    // A rule file with errors takes no query.
    let mut s = Session::new();
    let _ = s.set_rule("[rule\n".into(), Lang::Toml);
    assert_eq!(s.switch_lang(Lang::Kql, "a:1".into()), "a:1");
    assert!(s.notes()[0].contains("errors"), "{:?}", s.notes());
    // Without any rule file, a bare query is just that.
    let mut s = Session::new();
    s.set_rule("a:1".into(), Lang::Kql).unwrap();
    assert_eq!(s.notes(), Vec::<String>::new());
    assert_eq!(s.switch_lang(Lang::Eql, String::new()), "a:1");
}

#[test]
fn a_kql_filter_finds_events_by_field_value() {
    let (mut s, _) = open_example(&example("exim4"));
    s.evaluate().unwrap();
    let all = s.filter("  ").unwrap();
    assert_eq!(all.len(), s.events().len());
    let bash = s.filter("process.name:bash").unwrap();
    assert!(!bash.is_empty() && bash.len() < all.len());
    for &i in &bash {
        assert!(s.event_text(i as usize).unwrap().contains("\"bash\""));
    }
    // The same answer over the event view, once it is built.
    s.near_misses().unwrap();
    s.evaluate().unwrap();
    assert!(s.has_event_view());
    assert_eq!(s.filter("process.name:bash").unwrap(), bash);
    let e = s.filter("process.name:(bash").unwrap_err();
    assert_eq!(e.span.start, 18);
}

#[test]
fn an_edited_event_replaces_its_bytes_and_stays_on_its_line() {
    let mut s = Session::new();
    s.set_rule("a:2".into(), Lang::Kql).unwrap();
    s.set_events("{\"a\":1}\n{\"b\": 12345678901234567890, \"a\":1}\n{\"a\":3}\n".into());
    let pretty = s.event_pretty(1).unwrap();
    assert_eq!(pretty, "{\n  \"b\": 12345678901234567890,\n  \"a\": 1\n}");
    let edit = s
        .replace_event(1, &pretty.replace("\"a\": 1", "\"a\": 2"))
        .unwrap();
    assert_eq!(edit.span, Span::new(8, 42));
    assert_eq!(edit.text, "{\"b\":12345678901234567890,\"a\":2}");
    assert_eq!(
        s.events_text(),
        "{\"a\":1}\n{\"b\":12345678901234567890,\"a\":2}\n{\"a\":3}\n"
    );
    assert_eq!(edit.report.count, 3);
    let r = s.evaluate().unwrap();
    assert_eq!(r.counts.alert, 1);
    // In a pretty-printed array the event keeps the layout it was given.
    s.set_events("[\n  {\"a\": 1},\n  {\n    \"a\": 3\n  }\n]".into());
    let edit = s.replace_event(1, "{\n  \"a\": 2\n}\n").unwrap();
    assert_eq!(s.events_text(), "[\n  {\"a\": 1},\n  {\n  \"a\": 2\n}\n]");
    assert_eq!(edit.text, "{\n  \"a\": 2\n}");
    assert_eq!(s.event_line(1), Some(3));
    // Bad edits change nothing and say where.
    let before = s.events_text().to_string();
    let e = s.replace_event(0, "{\"a\": }").unwrap_err();
    assert_eq!(e.span.start, 6);
    assert_eq!(
        s.replace_event(0, "[1]").unwrap_err().kind,
        EventErrorKind::NotAnObject.into()
    );
    assert_eq!(
        s.replace_event(9, "{}").unwrap_err().kind,
        EventErrorKind::NoSuchEvent.into()
    );
    assert_eq!(s.events_text(), before);
}

#[test]
fn exclusion_lists_of_the_rule_text_and_their_edits() {
    use ruleplay::exclusions::Op;
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../rules/exim4");
    let (mut s, _) = open_example(&dir);
    let rule = s.source().to_string();
    let lists = s.exclusions();
    assert_eq!(lists.len(), 1);
    assert_eq!(lists[0].field, "process.name");
    assert!(lists[0].values().contains(&"sort"));
    // Spans are in the rule file.
    let sort = lists[0].items.iter().find(|i| i.value == "sort").unwrap();
    assert_eq!(sort.span.text(&rule), "sort");
    let remove = |v: &str| Op::Remove {
        field: "process.name".into(),
        value: v.into(),
    };
    // The edit is computed on the text given, and leaves the session as it was.
    let edited = s
        .edit_exclusions(&rule, Lang::Toml, &[remove("sort")])
        .unwrap();
    assert!(!edited.contains(" sort "), "{edited}");
    assert_eq!(s.source(), rule);
    // Several values at once (a pasted list), then the alert they stop.
    let add = |v: &str| Op::Add {
        field: "process.name".into(),
        value: v.into(),
    };
    let more = s
        .edit_exclusions(&edited, Lang::Toml, &[add("sort"), add("bash")])
        .unwrap();
    s.set_rule(more, Lang::Toml).unwrap();
    let values = s.exclusions()[0]
        .values()
        .iter()
        .map(|v| v.to_string())
        .collect::<Vec<_>>();
    assert!(values.contains(&"sort".into()) && values.contains(&"bash".into()));
    // A value already there, or given twice, is added once.
    let same = s
        .edit_exclusions(
            s.source(),
            Lang::Toml,
            &[add("sort"), add("curl"), add("curl")],
        )
        .unwrap();
    assert_eq!(
        same.matches("sort").count(),
        s.source().matches("sort").count()
    );
    assert_eq!(same.matches("curl").count(), 1);
    // A bare query is edited as one, and a value that is not there is an error with a span.
    s.set_rule("a:1 and not b:(x or y)".into(), Lang::Kql)
        .unwrap();
    assert_eq!(s.exclusions()[0].values(), ["x", "y"]);
    let bare = s.source().to_string();
    let remove_x = Op::Remove {
        field: "b".into(),
        value: "x".into(),
    };
    assert_eq!(
        s.edit_exclusions(&bare, Lang::Kql, &[remove_x]).unwrap(),
        "a:1 and not b:(y)"
    );
    assert!(s
        .edit_exclusions(
            &bare,
            Lang::Kql,
            &[Op::Remove {
                field: "b".into(),
                value: "z".into()
            }]
        )
        .is_err());
    // Text that does not parse has no lists.
    s.set_rule("a:(".into(), Lang::Kql).ok();
    assert!(s.exclusions().is_empty());
}

#[test]
fn value_lists_apply_follow_edits_and_report_bad_lines() {
    use ruleplay::engine::ValueListInput;
    let mut s = Session::new();
    s.set_rule("process.name:*".into(), Lang::Kql).unwrap();
    s.set_events("{\"process\":{\"name\":\"curl\"}}\n{\"process\":{\"name\":\"sh\"}}\n".into());
    s.set_exceptions(
        r#"{"name":"tools","type":"simple","entries":[{"field":"process.name","operator":"included","type":"list","list":{"id":"tools","type":"keyword"}}]}"#,
    );
    let codes = |s: &mut Session| s.evaluate().unwrap().status;
    let alert = Status::Alert.code();
    let suppressed = Status::Suppressed.code();
    assert_eq!(codes(&mut s), [alert, alert]);
    let input = |ty: &str, text: &str| ValueListInput {
        id: "tools".into(),
        list_type: ty.into(),
        text: text.into(),
    };
    let r = s.set_value_lists(&[input("keyword", "curl\n")]);
    assert_eq!((r[0].count, r[0].errors.len()), (1, 0));
    assert_eq!(codes(&mut s), [suppressed, alert]);
    // The lists stay across rule and events edits.
    s.set_rule("process.name:(curl or sh)".into(), Lang::Kql)
        .unwrap();
    s.set_events("{\"process\":{\"name\":\"sh\"}}\n{\"process\":{\"name\":\"curl\"}}\n".into());
    assert_eq!(codes(&mut s), [alert, suppressed]);
    let r = s.set_value_lists(&[input("csv", "curl\n")]);
    assert_eq!(r[0].errors[0].kind, EventErrorKind::UnknownListType);
    assert_eq!(codes(&mut s), [alert, alert]);
    let r = s.set_value_lists(&[input("ip_range", "10.0.0.1-10.0.0.9\ncurl\n")]);
    assert_eq!(r[0].count, 1);
    assert_eq!(
        (r[0].errors[0].line, r[0].errors[0].kind),
        (2, EventErrorKind::InvalidListValue)
    );
    assert!(s.evaluate().unwrap().notes.is_empty());
    s.set_value_lists(&[]);
    let notes = s.evaluate().unwrap().notes;
    assert!(notes.iter().any(|n| n.contains("not loaded")), "{notes:?}");
}
