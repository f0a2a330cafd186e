//! Redaction before sharing and the example-folder export, through `engine::Session`: the verdict
//! check both ways (unchanged, and a change named with the clause and field that decided it), the
//! literal warning, and exported folders that `ruleplay test` passes.

use ruleplay::engine::{Lang, Session, Status};
use ruleplay::redact::Category;
use std::fs;
use std::path::{Path, PathBuf};

mod common;

use common::{example_dirs as examples, example_file as read};

fn open_example(dir: &Path) -> Session {
    let expected: serde_json::Value =
        serde_json::from_str(&read(dir, "expected.json").unwrap()).unwrap();
    let mut s = Session::new();
    if let Some(now) = expected["now"].as_str() {
        s.pin_now(ruleplay::time::parse_date(now));
    }
    s.set_rule(read(dir, "rule.toml").unwrap(), Lang::Toml)
        .unwrap();
    if let Some(x) = read(dir, "exceptions.ndjson") {
        s.set_exceptions(&x);
    }
    s.set_events(read(dir, "events.ndjson").unwrap());
    s
}

/// The example's session as a folder, which must pass as `ruleplay test` checks it.
fn export(s: &Session, dir: &Path) -> (String, ruleplay::engine::ExampleFolder) {
    let name = dir.file_name().unwrap().to_string_lossy().to_string();
    let exceptions = read(dir, "exceptions.ndjson").unwrap_or_default();
    let folder = s.example_folder(&name, None, &exceptions).unwrap();
    assert_eq!(folder.problems, Vec::<String>::new(), "{name}");
    (name, folder)
}

fn defaults(s: &Session) -> Vec<String> {
    s.redaction_choices()
        .into_iter()
        .filter(|c| c.default_on)
        .map(|c| c.field)
        .collect()
}

fn session(query: &str, lang: Lang, events: &str) -> Session {
    let mut s = Session::new();
    s.set_rule(query.to_string(), lang).unwrap();
    s.set_events(events.to_string());
    s
}

#[test]
fn default_redaction_of_every_example_keeps_its_verdicts_or_says_why() {
    let mut unchanged = 0;
    for dir in examples() {
        let s = open_example(&dir);
        let fields = defaults(&s);
        let report = s.redact(&fields);
        let check = report.check.expect("a rule is loaded");
        assert_eq!(check.events, s.events().len());
        // The session's own events are untouched.
        assert_eq!(s.events_text(), read(&dir, "events.ndjson").unwrap());
        for c in &check.changes {
            assert_ne!(c.before, c.after);
            assert!(
                !c.why.is_empty(),
                "{}: event {} has no reason",
                dir.display(),
                c.index
            );
        }
        eprintln!(
            "{}: {} fields, {} values replaced, {} of {} verdicts changed{}",
            dir.file_name().unwrap().to_string_lossy(),
            fields.len(),
            report.redaction.replaced,
            check.changes.len(),
            check.events,
            check
                .changes
                .iter()
                .map(|c| format!("\n  #{} {:?}→{:?}: {}", c.index, c.before, c.after, c.why))
                .collect::<String>()
        );
        if check.changes.is_empty() && check.sequences_same {
            unchanged += 1;
        }
    }
    // Measured: the examples whose defaults keep every verdict.
    eprintln!(
        "{unchanged} of {} examples keep every verdict",
        examples().len()
    );
    assert!(unchanged >= 12);
}

#[test]
fn a_changed_verdict_names_the_clause_and_the_redacted_field() {
    let events = concat!(
        r#"{"user":{"name":"root"},"host":{"name":"web-1"},"process":{"name":"bash"}}"#,
        "\n",
        r#"{"user":{"name":"alice"},"host":{"name":"web-2"},"process":{"name":"bash"}}"#,
        "\n"
    );
    let s = session("process.name:bash and user.name:root", Lang::Kql, events);
    let report = s.redact(&["user.name".to_string(), "host.name".to_string()]);
    let check = report.check.unwrap();
    assert_eq!(check.after, [Status::NoMatch, Status::NoMatch]);
    assert_eq!(check.changes.len(), 1);
    let c = &check.changes[0];
    assert_eq!(
        (c.index, c.before, c.after),
        (0, Status::Alert, Status::NoMatch)
    );
    assert_eq!(c.fields, ["user.name"]);
    assert!(
        c.why.contains("`user.name: root`") && c.why.contains("\"user-1\""),
        "{}",
        c.why
    );
    // The rule names the original value: said before anyone checks verdicts.
    assert_eq!(report.literals.len(), 1);
    assert_eq!(
        (
            report.literals[0].original.as_str(),
            report.literals[0].place
        ),
        ("root", "rule")
    );

    // The other way: redacting only host names keeps both verdicts.
    let report = s.redact(&["host.name".to_string()]);
    let check = report.check.unwrap();
    assert!(check.changes.is_empty() && check.sequences_same);
    assert!(report.literals.is_empty());
    assert_eq!(check.after, [Status::Alert, Status::NoMatch]);
}

#[test]
fn exceptions_on_a_redacted_field_are_named_too() {
    let dir = examples()
        .into_iter()
        .find(|d| d.ends_with("exceptions"))
        .unwrap();
    let s = open_example(&dir);
    let report = s.redact(&["host.name".to_string()]);
    let check = report.check.unwrap();
    assert!(!check.changes.is_empty());
    for c in &check.changes {
        assert_eq!((c.before, c.after), (Status::Suppressed, Status::Alert));
        assert!(
            c.why.contains("exception") && c.fields.contains(&"host.name".to_string()),
            "{}",
            c.why
        );
    }
    assert!(report
        .literals
        .iter()
        .any(|l| l.place == "exceptions" && l.original.starts_with("ci-runner")));
}

#[test]
fn choices_offer_the_batchs_fields_by_category() {
    let s = session(
        "process.name:x",
        Lang::Kql,
        r#"{"user":{"name":"a"},"source":{"ip":"1.2.3.4"},"process":{"name":"x","executable":"/home/a/x"},"url":{"domain":"d"}}"#,
    );
    let got: Vec<(String, Category, bool)> = s
        .redaction_choices()
        .into_iter()
        .map(|c| (c.field, c.category, c.default_on))
        .collect();
    assert_eq!(
        got,
        [
            ("user.name".to_string(), Category::User, true),
            ("source.ip".to_string(), Category::Ip, true),
            ("process.executable".to_string(), Category::Path, true),
            ("url.domain".to_string(), Category::Domain, false),
            ("process.name".to_string(), Category::Other, false),
        ]
    );
}

fn write_folder(files: &[(String, String)], name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ruleplay-export-{}-{name}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    for (file, text) in files {
        fs::write(dir.join(file), text).unwrap();
    }
    dir
}

#[test]
fn every_example_exports_as_a_folder_ruleplay_test_passes() {
    for dir in examples() {
        let s = open_example(&dir);
        let (name, folder) = export(&s, &dir);
        let names: Vec<&str> = folder.files.iter().map(|f| f.0.as_str()).collect();
        assert_eq!(
            &names[..4],
            ["README.md", "rule.toml", "events.ndjson", "expected.json"]
        );
        assert_eq!(
            names.contains(&"exceptions.ndjson"),
            dir.join("exceptions.ndjson").exists()
        );
        // The expected verdicts are the example's own; a fix exercise's expected.json holds its
        // solution's verdicts, not those of the starting state exported here.
        let fix = read(&dir, "exercise.md").is_some_and(|md| md.contains("kind: fix"));
        let got: serde_json::Value = serde_json::from_str(&folder.files[3].1).unwrap();
        let want: serde_json::Value =
            serde_json::from_str(&read(&dir, "expected.json").unwrap()).unwrap();
        if !fix {
            assert_eq!(got["verdicts"], want["verdicts"], "{name}");
            assert_eq!(got.get("sequences"), want.get("sequences"), "{name}");
        }
        // And the built CLI agrees (`ruleplay test` on the written folder).
        let out = write_folder(&folder.files, &name);
        let run = std::process::Command::new(env!("CARGO_BIN_EXE_ruleplay"))
            .arg("test")
            .arg(&out)
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&run.stdout);
        assert!(
            run.status.success() && stdout.contains("1 passed, 0 failed"),
            "{name}: {stdout}"
        );
        let _ = fs::remove_dir_all(out);
    }
}

#[test]
fn bare_queries_and_redacted_events_export_too() {
    let events = concat!(
        r#"{"@timestamp":"2024-01-01T00:00:00Z","user":{"name":"root"},"process":{"name":"bash","command_line":"bash -c 'a''''b\"\"\"'"}}"#,
        "\n",
        "not json\n",
        r#"[1]"#,
        "\n",
        r#"{"@timestamp":"2024-01-01T00:00:01Z","user":{"name":"alice"},"process":{"name":"sh"}}"#,
        "\n"
    );
    for (query, lang) in [
        (
            "process.name:(bash or sh) and\n  not user.name:(alice or \"'''\\\"\\\"\\\"\")",
            Lang::Kql,
        ),
        (
            "process where process.name : (\"bash\", \"sh\") and user.name != \"alice\"",
            Lang::Eql,
        ),
        (
            "sequence [process where user.name == \"root\"] [process where process.name == \"sh\"]",
            Lang::Eql,
        ),
    ] {
        let s = session(query, lang, events);
        let folder = s.example_folder("A bare \"query\"", None, "").unwrap();
        assert_eq!(folder.problems, Vec::<String>::new(), "{query}");
        assert_eq!(folder.skipped, 2);
        assert_eq!(folder.files[2].1.lines().count(), 2);
        let redacted = s.redact(&["user.name".to_string()]).redaction.text;
        let folder = s.example_folder("redacted", Some(&redacted), "").unwrap();
        assert_eq!(folder.problems, Vec::<String>::new(), "{query}");
        assert!(!folder.files[2].1.contains("alice"));
    }
    // No rule: nothing to export.
    assert!(Session::new().example_folder("x", None, "").is_none());
}

#[test]
fn a_pinned_now_is_written_when_the_events_do_not_give_it() {
    let mut s = session(
        "event.action:x",
        Lang::Kql,
        r#"{"@timestamp":"2024-01-01T00:00:00Z","event":{"action":"x"}}"#,
    );
    let folder = s.example_folder("t", None, "").unwrap();
    assert!(!folder.files[3].1.contains("now"));
    s.pin_now(ruleplay::time::parse_date("2024-06-01T00:00:00Z"));
    let folder = s.example_folder("t", None, "").unwrap();
    assert!(
        folder.files[3]
            .1
            .contains("\"now\": \"2024-06-01T00:00:00.000Z\""),
        "{}",
        folder.files[3].1
    );
    assert!(folder.problems.is_empty());
}

#[test]
fn a_rule_shown_as_its_bare_query_exports_the_verdicts_the_page_shows() {
    for dir in examples() {
        let mut s = open_example(&dir);
        let rule = s.rule().unwrap();
        let lang = match rule.effective_language() {
            Some("kuery") => Lang::Kql,
            Some("eql") => Lang::Eql,
            _ => continue,
        };
        s.switch_lang(lang, String::new());
        let shown: Vec<&str> = s
            .evaluate()
            .unwrap()
            .status
            .iter()
            .map(|&c| ["alert", "match", "suppressed", "no_match"][c as usize])
            .collect();
        let (name, folder) = export(&s, &dir);
        let got: serde_json::Value = serde_json::from_str(&folder.files[3].1).unwrap();
        assert_eq!(got["verdicts"], serde_json::json!(shown), "{name}");
    }
}

/// A timing, not a test: `cargo test --release -p ruleplay --test redact -- --ignored --nocapture`.
#[test]
#[ignore]
fn redaction_of_100k_events_timing() {
    let mut events = String::new();
    for i in 0..100_000 {
        events.push_str(&format!(
            r#"{{"@timestamp":"2024-05-01T08:00:00Z","host":{{"name":"h{}","ip":["10.0.{}.{}"]}},"user":{{"name":"u{}"}},"process":{{"name":"bash","executable":"/home/u{}/bin/x","args":["-c","ls"]}}}}"#,
            i % 500,
            i % 200,
            i % 250,
            i % 300,
            i % 300
        ));
        events.push('\n');
    }
    let s = session("process.name:bash and not user.name:u1", Lang::Kql, &events);
    let fields = defaults(&s);
    let t0 = std::time::Instant::now();
    let report = s.redact(&fields);
    let ms = t0.elapsed().as_millis();
    let check = report.check.unwrap();
    eprintln!(
        "100,000 events ({} MB), {} fields: {} values replaced, {} mappings, {} verdicts changed, in {ms} ms (redaction + two runs + explanations of the changes)",
        events.len() / 1_000_000,
        fields.len(),
        report.redaction.replaced,
        report.redaction.mappings.len(),
        check.changes.len()
    );
}
