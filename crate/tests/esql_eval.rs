//! The ES|QL evaluator on small JSON events: commands, null logic, warnings, sources, stages.

use ruleplay::esql::{self, value::Value, Options};
use serde_json::json;

fn run(q: &str, events: &[serde_json::Value]) -> esql::Outcome {
    let query = esql::parse(q).unwrap_or_else(|e| panic!("{q}: {e:?}"));
    esql::evaluate(&query, events, &Options::default()).unwrap_or_else(|e| panic!("{q}: {e:?}"))
}

fn events() -> Vec<serde_json::Value> {
    vec![
        json!({"@timestamp": "2024-01-01T00:00:00Z", "process": {"name": "cmd.exe", "pid": 4}, "host.name": "a", "tags": ["x", "y"]}),
        json!({"@timestamp": "2024-01-02T00:00:00Z", "process": {"name": "powershell.exe", "pid": 8}, "host.name": "a"}),
        json!({"@timestamp": "2024-01-03T00:00:00Z", "process": {"name": "bash", "pid": 12}, "host.name": "b"}),
    ]
}

#[test]
fn where_keep_sort_limit() {
    let o = run(
        "FROM logs-* | WHERE process.name LIKE \"*.exe\" AND process.pid > 4 OR host.name == \"b\" | KEEP process.name, host.* | SORT process.name DESC | LIMIT 5",
        &events(),
    );
    let names: Vec<&str> = o.table.columns.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["process.name", "host.name"]);
    assert_eq!(o.table.rows.len(), 2);
    assert_eq!(o.sources, vec![vec![1], vec![2]]);
    assert_eq!(o.dropped_at, vec![Some(1), None, None]);
    assert_eq!(
        o.stages.iter().map(|s| s.rows_after).collect::<Vec<_>>(),
        [3, 2, 2, 2, 2]
    );
}

#[test]
fn stats_count_by() {
    let o = run(
        "FROM * | STATS c = COUNT(*) BY host.name | SORT host.name",
        &events(),
    );
    assert_eq!(o.table.rows.len(), 2);
    assert_eq!(o.table.rows[0][0], Value::One(esql::value::Scalar::Long(2)));
    assert_eq!(o.sources[0], vec![0, 1]);
}

#[test]
fn arithmetic_overflow_is_null_with_warning() {
    let o = run("ROW a = 2147483647 | EVAL b = a + 1", &[]);
    assert_eq!(o.table.rows[0][1], Value::Null);
    assert_eq!(o.warnings.len(), 2, "{:?}", o.warnings);
    assert!(o.warnings[1].ends_with("java.lang.ArithmeticException: integer overflow"));
}

#[test]
fn verifier_errors() {
    let q = esql::parse("FROM x | WHERE nope > 1").unwrap();
    let e = esql::evaluate(&q, &events(), &Options::default()).unwrap_err();
    assert_eq!(e.message, "Unknown column [nope]");
    let q = esql::parse("FROM x | WHERE process.name > 1").unwrap();
    let e = esql::evaluate(&q, &events(), &Options::default()).unwrap_err();
    assert!(
        e.message
            .starts_with("first argument of [process.name > 1] is [keyword]"),
        "{}",
        e.message
    );
}

#[test]
fn syntax_error_wording() {
    let e = esql::parse("FROM x | WHERE a ==").unwrap_err();
    assert_eq!(
        esql::es_message("FROM x | WHERE a ==", &e[0])
            .split(" expecting")
            .next(),
        Some("line 1:20: mismatched input '<EOF>'")
    );
}

#[test]
fn explain_where_clause_tree() {
    let q = esql::parse("FROM * | WHERE process.name == \"bash\" AND process.pid > 4").unwrap();
    let t = esql::explain_where(&q, 1, &events()[0]).unwrap();
    assert_eq!(t.clause.kind, "and");
    assert_eq!(t.clause.children.len(), 2);
    assert!(!t.clause.children[0].verdict.is_true());
}

#[test]
fn mv_expand_explosion_is_refused() {
    let list = (1..=30)
        .map(|i| i.to_string())
        .collect::<Vec<_>>()
        .join(", ");
    let q = format!("ROW a = [{list}], b = [{list}], c = [{list}], d = [{list}], e = [{list}] | MV_EXPAND a | MV_EXPAND b | MV_EXPAND c | MV_EXPAND d | MV_EXPAND e | LIMIT 10");
    let query = esql::parse(&q).unwrap();
    let e = esql::evaluate(&query, &[], &Options::default()).unwrap_err();
    assert_eq!(
        e.kind,
        ruleplay::diagnostic::EsqlErrorKind::TooManyRows.into()
    );
}

#[test]
fn ecs_fields_no_event_has_are_null_columns() {
    let q = esql::parse(
        "FROM logs-* | WHERE process.parent.name == \"explorer.exe\" | KEEP process.name",
    )
    .unwrap();
    let opts = Options {
        ecs_columns: true,
        ..Options::default()
    };
    let o = esql::evaluate(&q, &events(), &opts).unwrap();
    assert_eq!(o.table.rows.len(), 0);
    assert_eq!(o.dropped_at, vec![Some(1), Some(1), Some(1)]);
    let e = esql::evaluate(&q, &events(), &Options::default()).unwrap_err();
    assert_eq!(e.message, "Unknown column [process.parent.name]");
}

#[test]
fn stats_expressions_read_groups() {
    let o = run("ROW x = 1, y = [1, 2, 3] | STATS y + 1 BY y | SORT y", &[]);
    let names: Vec<&str> = o.table.columns.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["y + 1", "y"]);
    assert_eq!(o.table.rows[0][0], Value::One(esql::value::Scalar::Int(2)));
    assert_eq!(o.table.rows.len(), 3);
}
