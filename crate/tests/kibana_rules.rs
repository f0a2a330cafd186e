//! Rules as Kibana gives them and takes them (`rule::from_kibana`, `rule::to_kibana`): a rule
//! export with several rules and its exceptions, the round trips Kibana → TOML → Kibana (on
//! rules of every type the engine runs) and TOML → Kibana → TOML (on the whole published
//! corpus), and the CLI.

use ruleplay::diagnostic::{ErrorKind, RuleErrorKind};
use ruleplay::rule::{from_kibana, load_rule, to_kibana, Rule};
use serde_json::{json, Map, Value};
mod common;

/// The keys the engine reads from a rule (and those Kibana's import requires).
const ENGINE_KEYS: &[&str] = &[
    "query",
    "language",
    "type",
    "new_terms_fields",
    "history_window_start",
    "threshold",
    "index",
    "filters",
    "timestamp_override",
    "exceptions_list",
    "from",
    "interval",
    "to",
    "max_signals",
    "tiebreaker_field",
    "event_category_override",
    "risk_score",
    "severity",
    "name",
    "rule_id",
    "description",
    "building_block_type",
    "investigation_fields",
];

fn kibana_rules() -> Vec<Value> {
    let common = |rule_id: &str, name: &str| {
        json!({
            "id": "6f1c…server-side", "created_at": "2025-01-02T03:04:05.000Z",
            "updated_at": "2025-02-03T03:04:05.000Z", "created_by": "elastic", "updated_by": "elastic",
            "revision": 3, "immutable": false, "rule_source": {"type": "internal"},
            "rule_id": rule_id, "name": name, "description": "d", "risk_score": 47,
            "severity": "medium", "enabled": true, "version": 2, "from": "now-6m",
            "interval": "5m", "to": "now", "max_signals": 100, "author": [], "tags": ["t"],
            "index": ["logs-*", "winlogbeat-*"], "actions": [], "false_positives": [],
            "references": [], "related_integrations": [], "required_fields": [], "setup": "",
            "threat": [{"framework": "MITRE ATT&CK", "tactic": {"id": "TA0002", "name": "Execution",
                "reference": "https://attack.mitre.org/tactics/TA0002/"}, "technique": [{"id": "T1059",
                "name": "Command and Scripting Interpreter",
                "reference": "https://attack.mitre.org/techniques/T1059/"}]}],
            "timestamp_override": "event.ingested", "exceptions_list": [],
        })
    };
    let with = |mut base: Value, extra: Value| {
        if let (Some(b), Value::Object(e)) = (base.as_object_mut(), extra) {
            b.extend(e);
        }
        base
    };
    vec![
        with(
            common("r-query", "Shell from web server"),
            json!({
                "type": "query", "language": "kuery",
                "query": "process.parent.name:(nginx or httpd) and process.name:(sh or bash)\n",
                "filters": [{"meta": {"alias": null, "negate": false, "disabled": false, "type": "phrase",
                    "key": "host.os.type", "params": {"query": "linux"}},
                    "query": {"match_phrase": {"host.os.type": "linux"}}, "$state": {"store": "appState"}}],
                "exceptions_list": [{"id": "e1", "list_id": "web-shell-exceptions",
                    "namespace_type": "single", "type": "detection"}],
                "investigation_fields": {"field_names": ["process.args"]},
            }),
        ),
        with(
            common("r-new-terms", "New user-address pair"),
            json!({
                "type": "new_terms", "language": "kuery", "query": "event.category:authentication",
                "new_terms_fields": ["user.name", "source.ip"], "history_window_start": "now-7d",
            }),
        ),
        with(
            common("r-threshold", "Many failures"),
            json!({
                "type": "threshold", "language": "kuery", "query": "event.outcome:failure",
                "threshold": {"field": ["user.name"], "value": 5,
                    "cardinality": [{"field": "source.ip", "value": 2}]},
            }),
        ),
        with(
            common("r-eql", "Sequence"),
            json!({
                "type": "eql", "language": "eql",
                "query": "sequence by host.id [process where process.name == \"a'''b\"] [network where true]",
                "tiebreaker_field": "event.sequence", "event_category_override": "event.type",
                "building_block_type": "default",
            }),
        ),
    ]
}

fn export_text() -> String {
    let mut out = String::new();
    for r in kibana_rules() {
        out.push_str(&format!("{r}\n"));
    }
    for line in [
        json!({"list_id": "web-shell-exceptions", "name": "Web shell exceptions", "description": "",
            "type": "detection", "namespace_type": "single", "tags": [], "id": "e1"}),
        json!({"list_id": "web-shell-exceptions", "item_id": "i1", "name": "deploy script",
            "description": "", "type": "simple", "namespace_type": "single", "os_types": [],
            "entries": [{"field": "process.args", "operator": "included", "type": "match",
                "value": "/opt/deploy.sh"}]}),
        json!({"list_id": "other-list", "name": "Unreferenced", "description": "",
            "type": "detection", "namespace_type": "single"}),
        json!({"list_id": "other-list", "item_id": "i2", "name": "other", "description": "",
            "type": "simple", "namespace_type": "single", "os_types": [],
            "entries": [{"field": "a", "operator": "included", "type": "match", "value": "b"}]}),
        json!({"exported_count": 8, "exported_rules_count": 4, "missing_rules": [],
            "missing_rules_count": 0, "exported_exception_list_count": 2,
            "exported_exception_list_item_count": 2}),
    ] {
        out.push_str(&format!("{line}\n"));
    }
    out
}

/// The engine's keys of a rule object, nulls left out: TOML has no null (detection-rules'
/// writer strips them too), and a null means "not set" to Kibana and the engine alike.
fn engine_fields(o: &Map<String, Value>) -> Map<String, Value> {
    fn strip(v: &Value) -> Value {
        match v {
            Value::Object(m) => Value::Object(
                m.iter()
                    .filter(|(_, x)| !x.is_null())
                    .map(|(k, x)| (k.clone(), strip(x)))
                    .collect(),
            ),
            Value::Array(a) => Value::Array(a.iter().map(strip).collect()),
            v => v.clone(),
        }
    }
    ENGINE_KEYS
        .iter()
        .filter_map(|k| {
            o.get(*k)
                .filter(|v| !v.is_null())
                .map(|v| (k.to_string(), strip(v)))
        })
        .collect()
}

#[test]
fn an_export_with_several_rules_asks_which() {
    let text = export_text();
    assert!(from_kibana::is_kibana(&text));
    assert!(!from_kibana::is_kibana("[metadata]\n"));
    let file = from_kibana::read(&text).expect("reads");
    assert_eq!(file.rules.len(), 4);
    let e = file.select(None, None).expect_err("ambiguous");
    assert_eq!(e.kind, ErrorKind::Rule(RuleErrorKind::AmbiguousRule));
    assert!(
        e.message.contains("r-threshold (Many failures)"),
        "{}",
        e.message
    );
    let e = file.select(Some("nope"), None).expect_err("no such rule");
    assert_eq!(e.kind, ErrorKind::Rule(RuleErrorKind::NoSuchRule));
    assert_eq!(file.select(None, Some("Sequence")).ok(), Some(3));
    let c = from_kibana::convert(&text, Some("r-query"), None).expect("converts");
    let exceptions = c.exceptions.expect("the referenced list");
    assert_eq!(
        exceptions.lines().count(),
        2,
        "only the list the rule references"
    );
    assert!(exceptions.contains("/opt/deploy.sh"));
    assert!(c.note.contains("4 rules"), "{}", c.note);
    assert!(from_kibana::convert(&text, Some("r-eql"), None)
        .expect("converts")
        .exceptions
        .is_none());
}

#[test]
fn bad_json_is_reported_where_it_is() {
    let text = "{\"rule_id\":\"a\",\"type\":\"query\"}\n{\"rule_id\": x}\n";
    let e = from_kibana::read(text).expect_err("bad line");
    assert_eq!(e.kind, ErrorKind::Rule(RuleErrorKind::KibanaJson));
    assert_eq!(&text[e.span.start..e.span.start + 1], "x");
}

#[test]
fn kibana_to_toml_to_kibana_keeps_every_engine_field() {
    let text = export_text();
    let file = from_kibana::read(&text).expect("reads");
    for (i, original) in file.rules.iter().enumerate() {
        let toml = file.converted(i).toml;
        let rule = load_rule(&toml).unwrap_or_else(|d| panic!("{}\n{toml}", d.render(&toml)));
        let back = to_kibana::rule_object(&rule, &[]);
        assert_eq!(engine_fields(&back), engine_fields(original), "{toml}");
        assert!(to_kibana::missing_keys(&back).is_empty());
        // Keys the engine does not read survive too; Kibana's own do not.
        assert_eq!(back.get("version"), Some(&json!(2)));
        assert_eq!(back.get("tags"), original.get("tags"));
        assert_eq!(back.get("threat"), original.get("threat"));
        for k in from_kibana::SERVER_KEYS {
            assert!(!back.contains_key(*k), "{k}");
        }
        // And the rule runs the same: it loads as the engine's rule model.
        ruleplay::engine::load(&toml, ruleplay::engine::Lang::Toml)
            .unwrap_or_else(|d| panic!("{:?}\n{toml}", d));
    }
}

/// The `[rule]` table as the model has it, without positions.
fn model(mut r: Rule) -> Rule {
    r.metadata = Default::default();
    r.sections = Default::default();
    r.query_span = None;
    r.query_pos = None;
    r.extra.remove("enabled");
    r
}

#[test]
fn toml_to_kibana_to_toml_keeps_the_rule_on_the_whole_corpus() {
    let Some(files) = common::corpus_rule_files("kibana_rules") else {
        return;
    };
    let mut failures = Vec::new();
    for f in &files {
        let src = std::fs::read_to_string(f).expect("readable");
        let Ok(rule) = load_rule(&src) else { continue };
        let ndjson = to_kibana::export(&rule, &[], &[]);
        let c = match from_kibana::convert(&ndjson, None, None) {
            Ok(c) => c,
            Err(d) => {
                failures.push(format!("{}: {}", f.display(), d.message));
                continue;
            }
        };
        match load_rule(&c.toml) {
            Ok(again) if model(again.clone()) == model(rule.clone()) => {}
            Ok(again) => failures.push(format!(
                "{}: differs\n{:?}\n{:?}",
                f.display(),
                model(rule),
                model(again)
            )),
            Err(d) => failures.push(format!(
                "{}: {}\n{}",
                f.display(),
                d.render(&c.toml),
                c.toml
            )),
        }
    }
    eprintln!("{} corpus rules round-tripped", files.len());
    assert!(
        failures.is_empty(),
        "{}\n{}",
        failures.len(),
        failures
            .iter()
            .take(3)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}

const RULES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../rules");

fn ruleplay(args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_ruleplay"))
        .args(args)
        .output()
        .expect("run ruleplay")
}

/// `convert --to kibana` writes an export the CLI reads back: the same verdicts, its
/// exceptions applied; a file with several rules needs `--rule-id` / `--rule-name`.
#[test]
fn the_cli_converts_and_reads_kibana_exports() {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("kibana-rules");
    std::fs::create_dir_all(&dir).expect("scratch");
    let ex = format!("{RULES}/exceptions");
    let out = ruleplay(&[
        "convert",
        "--rule",
        &format!("{ex}/rule.toml"),
        "--to",
        "kibana",
        "--exceptions",
        &format!("{ex}/exceptions.ndjson"),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let ndjson = String::from_utf8_lossy(&out.stdout).into_owned();
    let lines: Vec<Value> = ndjson
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON lines"))
        .collect();
    let summary = lines.last().expect("a summary line");
    assert_eq!(summary["exported_rules_count"], 1);
    assert_eq!(
        summary["exported_count"].as_u64(),
        Some(lines.len() as u64 - 1)
    );
    let rule = lines[0].as_object().expect("the rule first");
    assert!(to_kibana::missing_keys(rule).is_empty());
    let path = dir.join("export.ndjson");
    std::fs::write(&path, &ndjson).expect("write");
    let path = path.to_string_lossy().into_owned();
    let events = format!("{ex}/events.ndjson");
    let from_toml = ruleplay(&[
        "match",
        "--rule",
        &format!("{ex}/rule.toml"),
        "--exceptions",
        &format!("{ex}/exceptions.ndjson"),
        "--events",
        &events,
    ]);
    let from_kibana = ruleplay(&["match", "--rule", &path, "--events", &events]);
    let err = String::from_utf8_lossy(&from_kibana.stderr);
    assert!(from_kibana.status.success(), "{err}");
    assert!(err.contains("Kibana rule export (NDJSON): 1 rule"), "{err}");
    assert_eq!(from_kibana.stdout, from_toml.stdout);
    assert!(
        String::from_utf8_lossy(&from_toml.stdout).contains("suppressed"),
        "the example's exceptions suppress something"
    );

    // Two rules: ambiguous until one is chosen.
    let two_path = dir.join("two.ndjson");
    std::fs::write(&two_path, export_text()).expect("write");
    let two_path = two_path.to_string_lossy().into_owned();
    let out = ruleplay(&["match", "--rule", &two_path, "--events", &events]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("choose one") && err.contains("r-eql (Sequence)"),
        "{err}"
    );
    let out = ruleplay(&[
        "convert",
        "--rule",
        &two_path,
        "--rule-name",
        "Many failures",
        "--to",
        "toml",
    ]);
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("[rule.threshold]"));
}

/// The page's "Download for Kibana": the rule as edited, with the exceptions editor's items in
/// lists Kibana can import (a list made up for items that name none).
#[test]
fn the_session_exports_the_edited_rule_with_its_exceptions() {
    use ruleplay::engine::{Lang, Session};
    let mut s = Session::new();
    let toml = std::fs::read_to_string(format!("{RULES}/exim4/rule.toml")).expect("rule");
    s.set_rule(toml, Lang::Toml).expect("loads");
    s.set_rule(
        "process.parent.name:exim4 and process.name:bash".into(),
        Lang::Kql,
    )
    .expect("the bare query edits the rule's");
    s.set_exceptions(
        r#"{"name":"cron","entries":[{"field":"process.name","operator":"included","type":"match","value":"cron"}]}"#,
    );
    let nd = s.export_kibana().expect("a rule file");
    let lines: Vec<Value> = nd
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON"))
        .collect();
    assert_eq!(lines.len(), 4, "rule, list, item, summary:\n{nd}");
    let rule = &lines[0];
    assert_eq!(
        rule["query"],
        "process.parent.name:exim4 and process.name:bash"
    );
    assert_eq!(rule["type"], "new_terms");
    assert!(rule["new_terms_fields"].is_array());
    let list_id = lines[1]["list_id"].as_str().expect("a list");
    assert_eq!(rule["exceptions_list"][0]["list_id"], list_id);
    assert_eq!(lines[2]["list_id"], list_id);
    assert_eq!(lines[2]["type"], "simple");
    assert_eq!(lines[3]["exported_count"], 3);
    assert!(Session::new().export_kibana().is_none());
}

#[test]
fn no_prefix_of_an_export_panics() {
    let text = export_text();
    for end in (0..=text.len())
        .filter(|&i| text.is_char_boundary(i))
        .step_by(7)
    {
        if let Ok(c) = from_kibana::convert(&text[..end], Some("r-query"), None) {
            let _ = load_rule(&c.toml);
        }
    }
}
