//! "Exclude this" in the core, on the Exim4 example: a previewed change evaluates without being
//! kept, the offer's pre-fill, the verdict diff and its words, coverage per clause and per
//! exclusion value, and the exported rule.

use ruleplay::engine::{verdict_diff, Change, Lang, Session, Status};

const RULE: &str = include_str!("../../rules/exim4/rule.toml");
const EVENTS: &str = include_str!("../../rules/exim4/events.ndjson");

fn session() -> Session {
    let mut s = Session::new();
    s.set_rule(RULE.to_string(), Lang::Toml)
        .expect("the rule loads");
    s.set_events(EVENTS.to_string());
    s
}

fn statuses(s: &mut Session) -> Vec<u8> {
    s.evaluate().expect("a rule").status
}

fn pairs(fields: &[(&str, &str)]) -> Vec<(String, Vec<String>)> {
    fields
        .iter()
        .map(|(f, v)| (f.to_string(), vec![v.to_string()]))
        .collect()
}

#[test]
fn a_previewed_exception_removes_exactly_its_alerts_and_is_not_kept() {
    let mut s = session();
    let before = statuses(&mut s);
    let item = s.exception_item(&pairs(&[("process.executable", "/usr/bin/bash")]));
    let p = s.preview(&Change::Exception(item)).expect("a preview");
    assert_eq!(p.diff.removed, vec![0, 13]);
    assert!(p.diff.added.is_empty());
    // The new_terms repeat of /usr/bin/bash is suppressed too: exceptions filter the history.
    let others: Vec<(usize, Status, Status)> = p
        .diff
        .changed
        .iter()
        .filter(|c| !p.diff.removed.contains(&c.index))
        .map(|c| (c.index, c.from, c.to))
        .collect();
    assert_eq!(others, vec![(5, Status::Match, Status::Suppressed)]);
    assert_eq!(
        p.diff.sentence,
        "removes 2 alerts (#0, #13); 1 other verdict changes (#5 match → suppressed)"
    );
    assert_eq!(p.diff.short, "\u{2212}2 alerts, 1 other verdict");
    assert_eq!(statuses(&mut s), before, "the preview changed nothing");

    // Applying the line the preview gives is what the preview said.
    let line = p.line.expect("an NDJSON line");
    s.set_exceptions(&format!("{line}\n"));
    let after = statuses(&mut s);
    assert_eq!(verdict_diff(&before, &after), p.diff);
}

#[test]
fn a_previewed_exclusion_value_gives_the_rewritten_rule() {
    let mut s = session();
    let p = s
        .preview(&Change::Exclude {
            field: "process.name".into(),
            values: vec!["python3".into()],
        })
        .expect("a preview");
    assert_eq!(p.diff.removed, vec![7]);
    let text = p.text.expect("the rewritten rule");
    assert!(text.contains("sort or sshd or python3"), "{text}");
    assert_eq!(s.source(), RULE, "the session keeps its rule");
    // A field without a list gets one.
    let p = s
        .preview(&Change::Exclude {
            field: "user.name".into(),
            values: vec!["Debian-exim".into()],
        })
        .expect("a new list");
    assert!(p.text.expect("text").contains("user.name"));
    assert_eq!(p.diff.removed, vec![0, 7, 8, 12, 13]);
}

#[test]
fn the_diff_words_list_alerts_and_other_changes() {
    let d = verdict_diff(&[0, 3, 0, 1, 0, 3, 3], &[3, 3, 2, 1, 2, 0, 1]);
    assert_eq!(d.removed, vec![0, 2, 4]);
    assert_eq!(d.added, vec![5]);
    assert_eq!(
        d.sentence,
        "removes 3 alerts (#0, #2, #4), adds 1 alert (#5); 1 other verdict changes (#6 no match → match)"
    );
    assert_eq!(d.short, "\u{2212}3 alerts, +1 alert, 1 other verdict");
    let same = verdict_diff(&[0, 1], &[0, 1]);
    assert_eq!(same.sentence, "changes no verdict");
    assert_eq!(same.short, "");
    let only_alerts = verdict_diff(&[0, 3], &[3, 3]);
    assert_eq!(
        only_alerts.sentence,
        "removes 1 alert (#0); no other verdict changes"
    );
}

#[test]
fn the_offer_puts_the_asked_field_first_and_knows_the_lists() {
    let s = session();
    let offer = s
        .exclude_offer(0, Some("process.executable"))
        .expect("event 0");
    let first = &offer.fields[0];
    assert_eq!(first.field, "process.executable");
    assert_eq!(first.values, vec!["/usr/bin/bash"]);
    assert!(first.checked && !first.list);
    let name = offer
        .fields
        .iter()
        .find(|f| f.field == "process.name")
        .expect("process.name offered");
    assert!(name.list && !name.checked);
    let parent = offer
        .fields
        .iter()
        .find(|f| f.field == "process.parent.name")
        .expect("the matched parent");
    assert!(parent.matched);
    let args = offer
        .fields
        .iter()
        .find(|f| f.field == "process.args")
        .expect("the args");
    assert!(args.values.len() > 1);
    assert!(s.exclude_offer(99, None).is_none());
}

#[test]
fn coverage_counts_what_each_clause_and_value_decided() {
    let mut s = session();
    s.evaluate();
    let c = s.coverage();
    assert_eq!(c.events, 15);
    let value = |v: &str| {
        c.values
            .iter()
            .find(|x| x.value == v)
            .unwrap_or_else(|| panic!("{v} covered"))
    };
    assert_eq!(value("sort").decided, 1);
    assert!(value("sort").flag.is_none());
    assert_eq!(value("cppcheck").matched, 0);
    assert_eq!(
        value("cppcheck").flag.as_deref(),
        Some("cppcheck excludes no event in this sample")
    );
    let clause = |text: &str| {
        c.clauses
            .iter()
            .find(|x| &RULE[x.span.start..x.span.end] == text)
            .unwrap_or_else(|| panic!("{text} covered"))
    };
    let parent = clause("exim4");
    assert_eq!(parent.field.as_deref(), Some("process.parent.name"));
    let linux = clause("linux");
    assert_eq!(linux.held, 14);
    // The macOS event is decided by host.os.type alone.
    assert!(linux.decided >= 1);
    assert!(linux.flag.is_none());
}

#[test]
fn coverage_flags_a_clause_that_always_holds() {
    let mut s = Session::new();
    s.set_rule("a:1 and not b:(x or y)".into(), Lang::Kql)
        .expect("loads");
    s.set_events("{\"a\":1,\"b\":\"x\"}\n{\"a\":1,\"b\":\"z\"}\n".into());
    let c = s.coverage();
    let a = c
        .clauses
        .iter()
        .find(|x| x.field.as_deref() == Some("a"))
        .expect("a:1");
    assert_eq!((a.held, a.decided), (2, 1));
    assert_eq!(
        a.flag.as_deref(),
        Some("1 holds for every event in this sample")
    );
    let x = c.values.iter().find(|v| v.value == "x").expect("x");
    assert_eq!((x.matched, x.decided), (1, 1));
    assert!(c.values.iter().any(|v| v.value == "y" && v.flag.is_some()));
}

#[test]
fn the_export_differs_from_the_file_only_inside_the_query() {
    let mut s = session();
    let edited = s
        .edit_exclusions(
            RULE,
            Lang::Toml,
            &[ruleplay::exclusions::Op::Remove {
                field: "process.name".into(),
                value: "sort".into(),
            }],
        )
        .expect("removes sort");
    s.set_rule(edited.clone(), Lang::Toml).expect("loads");
    let x = s.export_rule(Some(RULE));
    assert_eq!(x.toml.as_deref(), Some(edited.as_str()));
    assert_eq!(x.only_query_changed, Some(true));
    assert!(x.query.expect("a query").contains("cppcheck or sshd"));
    let renamed = edited.replace("Unusual Exim4", "Usual Exim4");
    s.set_rule(renamed, Lang::Toml).expect("loads");
    assert_eq!(s.export_rule(Some(RULE)).only_query_changed, Some(false));
    // The bare query view exports the rule file with the query written into it.
    s.set_rule(RULE.to_string(), Lang::Toml).expect("loads");
    s.switch_lang(Lang::Kql, String::new());
    let x = s.export_rule(Some(RULE));
    assert_eq!(x.only_query_changed, Some(true));
}

#[test]
fn coverage_in_steps_equals_coverage_at_once_and_restarts_on_an_edit() {
    let mut s = session();
    s.evaluate();
    let whole = s.coverage();
    let mut steps = 0;
    let stepped = loop {
        steps += 1;
        if let Some(c) = s.coverage_step(4) {
            break c;
        }
    };
    assert_eq!(steps, 4);
    assert_eq!(stepped, whole);
    // A step, then an edit: the pass starts over on the new rule.
    assert!(s.coverage_step(4).is_none());
    s.set_rule("process.name:bash and not host.name:x".into(), Lang::Kql)
        .expect("loads");
    let c = s.coverage();
    assert_eq!(c.events, 15);
    assert_eq!(c.values.len(), 1);
    assert_eq!(c.values[0].value, "x");
}

#[test]
fn the_offer_checks_the_rules_investigation_fields_but_not_per_event_ones() {
    let mut s = Session::new();
    s.set_rule(
        include_str!("../../rules/foxmail/rule.toml").to_string(),
        Lang::Toml,
    )
    .expect("loads");
    s.set_events(include_str!("../../rules/foxmail/events.ndjson").to_string());
    let offer = s.exclude_offer(0, None).expect("event 0");
    let field = |name: &str| {
        offer
            .fields
            .iter()
            .find(|f| f.field == name)
            .unwrap_or_else(|| panic!("{name} offered"))
    };
    // Investigation fields come first, in the rule's order.
    assert_eq!(offer.fields[0].field, "@timestamp");
    assert!(field("@timestamp").investigation && !field("@timestamp").checked);
    assert!(field("host.id").investigation && field("host.id").checked);
    assert!(field("process.executable").checked);
    assert!(!field("process.pid").checked);
    assert!(field("process.args").checked);
    assert!(!field("user.name").checked, "not highlighted by the rule");
}
