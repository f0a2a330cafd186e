//! The `esql` rule type (issue 16 §2, §3): alerts per output row, per-event verdicts from where
//! each event dropped out, exceptions removed before `FROM`, explanations stage by stage.
#![cfg(feature = "esql")]

use ruleplay::engine::{load, Lang, RunOptions, Status};
use serde_json::{json, Value};

fn rule(query: &str) -> String {
    format!(
        "[rule]\nname = \"t\"\ntype = \"esql\"\nlanguage = \"esql\"\nquery = '''\n{query}\n'''\n"
    )
}

fn events(lines: &[Value]) -> Vec<Value> {
    lines.to_vec()
}

fn opts() -> RunOptions {
    RunOptions {
        now: Some(0),
        skip_misses: true,
        ..Default::default()
    }
}

fn statuses(r: &ruleplay::engine::RunResult) -> Vec<Status> {
    r.events.iter().map(|v| v.status).collect()
}

const AGG: &str = "from logs-*\n| where event.code in (\"a\", \"b\") and rule.name is not null\n| stats n = count_distinct(host.id) by rule.name\n| where n >= 2";

fn agg_events() -> Vec<Value> {
    events(&[
        json!({"event": {"code": "a"}, "rule": {"name": "R"}, "host": {"id": "h1"}}),
        json!({"event": {"code": "b"}, "rule": {"name": "R"}, "host": {"id": "h2"}}),
        json!({"event": {"code": "a"}, "rule": {"name": "S"}, "host": {"id": "h1"}}),
        json!({"event": {"code": "c"}, "rule": {"name": "R"}, "host": {"id": "h3"}}),
    ])
}

#[test]
fn an_aggregating_query_alerts_once_per_output_row_for_the_events_grouped_into_it() {
    let loaded = load(&rule(AGG), Lang::Toml).unwrap();
    assert!(loaded.is_esql());
    let ev = agg_events();
    let r = loaded.run(&ev, &opts());
    use Status::*;
    assert_eq!(statuses(&r), [Alert, Alert, Match, NoMatch]);
    let esql = r.esql.as_ref().unwrap();
    assert!(esql.aggregates);
    assert_eq!(esql.alerts, 1);
    assert_eq!(esql.sources, [vec![0, 1]]);
    let names: Vec<&str> = esql.columns.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["n", "rule.name"]);
    assert_eq!(esql.rows, [vec![json!(2), json!("R")]]);
    let counts: Vec<(&str, usize)> = esql
        .stages
        .iter()
        .map(|s| (s.command.as_str(), s.rows_after))
        .collect();
    assert_eq!(
        counts,
        [("FROM", 4), ("WHERE", 3), ("STATS", 2), ("WHERE", 1)]
    );
    // The event of group S matched the event filter, but its group fell below the threshold.
    assert!(r.events[2].matched);
}

#[test]
fn an_explanation_names_the_command_where_the_event_dropped_out_and_its_where_clause_tree() {
    let src = rule(AGG);
    let loaded = load(&src, Lang::Toml).unwrap();
    let ev = agg_events();
    let x = loaded.explain(&ev, 3, &opts()).unwrap();
    let esql = x.esql.as_ref().unwrap();
    assert_eq!(esql.dropped_at, Some(1));
    let stage = esql.stage.as_ref().unwrap();
    assert_eq!(stage.command, "WHERE");
    // Spans point into the rule file.
    assert!(stage.span.text(&src).starts_with("where event.code in"));
    let trace = x.trace.as_ref().unwrap();
    assert_eq!(trace.root.kind, "and");
    assert_eq!(trace.root.children[0].kind, "in");
    assert!(!trace.root.children[0].verdict.is_true());
    assert_eq!(
        trace.root.children[0].span.text(&src),
        "event.code in (\"a\", \"b\")"
    );

    // An alerting event: the rows it is a source of and the events grouped with it.
    let x = loaded.explain(&ev, 0, &opts()).unwrap();
    let esql = x.esql.as_ref().unwrap();
    assert_eq!(esql.rows, [0]);
    assert_eq!(esql.grouped_with, [0, 1]);
    assert!(x.trace.is_none());

    // A group dropped by the WHERE after STATS: the aggregated row's clause tree.
    let x = loaded.explain(&ev, 2, &opts()).unwrap();
    let esql = x.esql.as_ref().unwrap();
    assert_eq!(esql.dropped_at, Some(3));
    let trace = x.trace.as_ref().unwrap();
    assert_eq!(trace.root.field.as_deref(), Some("n"));
    assert_eq!(trace.root.looked[0].value, json!(1));
}

#[test]
fn exceptions_remove_events_before_the_query_so_a_group_can_fall_below_its_threshold() {
    let loaded = load(&rule(AGG), Lang::Toml).unwrap();
    let item = r#"{"entries":[{"field":"host.id","operator":"included","type":"match","value":"h2"}],"item_id":"x","list_id":"l","name":"h2","namespace_type":"single","type":"simple","description":"d","os_types":[]}"#;
    let imp = ruleplay::exceptions::toml_format::import_any(item);
    assert!(imp.errors.is_empty(), "{:?}", imp.errors);
    let o = RunOptions {
        exceptions: imp.items,
        ..opts()
    };
    let ev = agg_events();
    let r = loaded.run(&ev, &o);
    use Status::*;
    // Without h2, group R counts one host: no alert. The h2 event would have alerted: suppressed.
    assert_eq!(statuses(&r), [Match, Suppressed, Match, NoMatch]);
    assert_eq!(r.esql.as_ref().unwrap().alerts, 0);
    assert_eq!(r.esql.as_ref().unwrap().stages[0].rows_after, 3);
    let x = loaded.explain(&ev, 1, &o).unwrap();
    assert!(x.esql.as_ref().unwrap().removed_before_query);
    assert_eq!(x.exceptions.len(), 1);
}

#[test]
fn a_query_without_stats_alerts_per_row_and_once_per_id_with_metadata_id() {
    let q = "FROM logs-* METADATA _id\n| WHERE process.name LIKE \"ncat*\" AND NOT user.name IN (\"svc\")\n| KEEP _id, process.*";
    let loaded = load(&rule(q), Lang::Toml).unwrap();
    let ev = events(&[
        json!({"_id": "a", "process": {"name": "ncat"}, "user": {"name": "bob"}}),
        json!({"_id": "a", "process": {"name": "ncat.exe"}, "user": {"name": "bob"}}),
        json!({"_id": "b", "process": {"name": "ncat"}, "user": {"name": "svc"}}),
        json!({"_id": "c", "process": {"name": "bash"}}),
        json!({"_id": "d", "process": {"name": "ncat"}}),
    ]);
    let r = loaded.run(&ev, &opts());
    use Status::*;
    // `NOT user.name IN (…)` on a missing user.name is null: the row is dropped (three-valued logic).
    assert_eq!(statuses(&r), [Alert, Alert, NoMatch, NoMatch, NoMatch]);
    let esql = r.esql.as_ref().unwrap();
    assert!(!esql.aggregates);
    assert_eq!(esql.rows.len(), 2);
    assert_eq!(esql.alerts, 1, "two rows of one _id make one alert");
    let names: Vec<&str> = esql.columns.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["_id", "process.name"]);
    let x = loaded.explain(&ev, 4, &opts()).unwrap();
    let not = &x.trace.as_ref().unwrap().root.children[1];
    assert_eq!(not.kind, "not");
    assert_eq!(format!("{:?}", not.verdict), "Missing");
}

#[test]
fn a_query_that_does_not_parse_is_an_error_in_the_rule_file() {
    let src = rule("FROM x | WHERE a ==");
    let Err(ds) = load(&src, Lang::Toml) else {
        panic!("loaded")
    };
    assert_eq!(ds[0].kind.to_string().split('.').next(), Some("esql"));
    assert!(ds[0].span.start > src.find("FROM").unwrap());
}
