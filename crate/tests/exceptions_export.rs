//! Kibana's exception-list export format, read and written back: `../shared/corpus/
//! exceptions_example.ndjson` (a real export, third-party data read in place). Without
//! `../shared` the test fails under CI and skips with a message otherwise.

use ruleplay::exceptions::{export_ndjson, import_ndjson};
use serde_json::Value;

mod common;

#[test]
fn kibana_export_round_trip() {
    let Some(path) = common::shared("exceptions_export", "corpus/exceptions_example.ndjson") else {
        return;
    };
    let text = std::fs::read_to_string(path).expect("read the export");
    let imp = import_ndjson(&text);
    assert!(imp.errors.is_empty(), "{:?}", imp.errors);
    assert_eq!(imp.lists.len(), 1);
    assert_eq!(imp.items.len(), 6);
    assert!(imp.summary.is_some());
    let again = import_ndjson(&export_ndjson(&imp.lists, &imp.items));
    assert_eq!(again.items, imp.items);
    assert_eq!(again.lists, imp.lists);
    // Every original key survives the round trip.
    let orig: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect();
    let back: Vec<Value> = export_ndjson(&imp.lists, &imp.items)
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect();
    assert_eq!(orig[1..7], back[1..7]);
}

use ruleplay::exceptions::toml_format::{convert, export_toml, import_toml, Format};

/// JSON lines of an NDJSON text.
fn lines(text: &str) -> Vec<Value> {
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect()
}

/// NDJSON → TOML → NDJSON keeps every line, and TOML → NDJSON → TOML writes the same file.
fn assert_round_trips(ndjson: &str) {
    let (toml_text, errors) = convert(ndjson, Format::Toml);
    assert!(errors.is_empty(), "{errors:?}");
    let (back, errors) = convert(&toml_text, Format::Ndjson);
    assert!(errors.is_empty(), "{errors:?}\n{toml_text}");
    let want = lines(&export_ndjson(
        &import_ndjson(ndjson).lists,
        &import_ndjson(ndjson).items,
    ));
    assert_eq!(lines(&back), want, "through TOML:\n{toml_text}");
    let imp = import_toml(&toml_text);
    let again = export_toml(imp.metadata.as_ref(), &imp.lists, &imp.items);
    assert_eq!(again, toml_text);
}

#[test]
fn toml_round_trip_of_the_kibana_export() {
    let Some(path) = common::shared("exceptions_export", "corpus/exceptions_example.ndjson") else {
        return;
    };
    let text = std::fs::read_to_string(path).expect("read the export");
    assert_round_trips(&text);
    // The original lines themselves come back, key for key.
    let (toml_text, _) = convert(&text, Format::Toml);
    let (back, _) = convert(&toml_text, Format::Ndjson);
    let (orig, back) = (lines(&text), lines(&back));
    assert_eq!(orig[..7], back[..7]);
    // The layout detection-rules reads (`TOMLExceptionContents`).
    for header in [
        "[metadata]",
        "[[exceptions]]",
        "[exceptions.container]",
        "[[exceptions.items]]",
        "[[exceptions.items.entries]]",
        "[[exceptions.items.entries.entries]]",
    ] {
        assert!(
            toml_text.lines().any(|l| l == header),
            "{header} missing:\n{toml_text}"
        );
    }
    assert!(toml_text.contains("list = { id = \"admin-jump-hosts.txt\", type = \"ip\" }"));
}

#[test]
fn export_summary_has_todays_keys() {
    let out = export_ndjson(&[], &[]);
    let summary: Value = serde_json::from_str(out.trim()).expect("JSON");
    let mut keys: Vec<&str> = summary
        .as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "exported_exception_list_count",
            "exported_exception_list_item_count",
            "missing_exception_list_item_count",
            "missing_exception_list_items",
            "missing_exception_lists",
            "missing_exception_lists_count"
        ]
    );
}

/// A small deterministic generator (xorshift), so failures reproduce.
struct Gen(u64);

impl Gen {
    fn next(&mut self) -> u64 {
        common::xorshift(&mut self.0)
    }
    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[(self.next() % xs.len() as u64) as usize]
    }
    fn text(&mut self) -> String {
        const PARTS: &[&str] = &[
            "exim4",
            "C:\\Windows\\System32\\*.exe",
            "quote \" inside",
            "'single'",
            "line\nbreak",
            "tab\there",
            "ünïcödé ✓",
            "\"\"\"",
            "'''",
            "",
            " lead",
            "trail ",
            "#hash",
            "a=b",
            "[x]",
            "\\\\server\\share",
        ];
        let n = 1 + self.next() % 2;
        (0..n)
            .map(|_| self.pick(PARTS))
            .collect::<Vec<_>>()
            .join("")
    }
    fn entry(&mut self, depth: usize) -> Value {
        let field = self.pick(&[
            "process.name",
            "host.name",
            "user.name",
            "source.ip",
            "a.b-c.d",
        ]);
        let op = self.pick(&["included", "excluded"]);
        match self.next() % if depth == 0 { 6 } else { 5 } {
            0 => {
                serde_json::json!({"field": field, "operator": op, "type": "match", "value": self.text()})
            }
            1 => {
                let n = self.next() % 4;
                let vals: Vec<String> = (0..n).map(|_| self.text()).collect();
                serde_json::json!({"field": field, "operator": op, "type": "match_any", "value": vals})
            }
            2 => {
                serde_json::json!({"field": field, "operator": op, "type": "wildcard", "value": self.text()})
            }
            3 => serde_json::json!({"field": field, "operator": op, "type": "exists"}),
            4 => serde_json::json!({"field": field, "operator": op, "type": "list",
                "list": {"id": self.text(), "type": self.pick(&["keyword", "ip", "ip_range", "text"])}}),
            _ => {
                let n = 1 + self.next() % 3;
                let entries: Vec<Value> = (0..n).map(|_| self.entry(depth + 1)).collect();
                serde_json::json!({"field": field, "type": "nested", "entries": entries})
            }
        }
    }
}

#[test]
fn toml_and_ndjson_round_trips_of_generated_lists() {
    let mut g = Gen(0x9e37_79b9_7f4a_7c15);
    for case in 0..200 {
        let list_id = format!("list-{case}");
        let mut text = serde_json::json!({
            "description": g.text(), "list_id": list_id, "name": g.text(), "namespace_type": g.pick(&["single", "agnostic"]),
            "tags": [g.text()], "type": g.pick(&["detection", "endpoint", "rule_default"]), "version": case,
            "immutable": case % 2 == 0, "os_types": [], "meta": {"k": g.text(), "n": {"deep": [1, 2.5]}},
        })
        .to_string();
        text.push('\n');
        for i in 0..(g.next() % 5) {
            let n = g.next() % 4;
            let entries: Vec<Value> = (0..n).map(|_| g.entry(0)).collect();
            let mut item = serde_json::json!({
                "name": g.text(), "description": g.text(), "entries": entries, "item_id": format!("{list_id}-{i}"),
                "list_id": list_id, "namespace_type": "single", "type": "simple", "tags": [],
                "os_types": if g.next().is_multiple_of(3) { vec!["linux", "windows"] } else { vec![] },
                "comments": (0..g.next() % 3).map(|_| serde_json::json!({"comment": g.text(), "id": "c"})).collect::<Vec<_>>(),
                "_version": "WzEsMV0=", "created_at": "2026-11-20T09:14:03.512Z",
            });
            if g.next().is_multiple_of(2) {
                item["expire_time"] = Value::from("2027-01-01T00:00:00.000Z");
            }
            text.push_str(&item.to_string());
            text.push('\n');
        }
        assert_round_trips(&text);
    }
}

/// The page's e2e test compares its downloads with these files; they are the core's output.
#[test]
fn the_e2e_fixtures_are_the_cores_export() {
    let dir = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/fixtures/exceptions_io/"
    );
    let read = |f: &str| std::fs::read_to_string(format!("{dir}{f}")).expect("fixture");
    let (toml_text, ndjson) = (
        read("ssh_admin_exceptions.toml"),
        read("ssh_admin_exceptions.ndjson"),
    );
    assert_eq!(convert(&read("source.ndjson"), Format::Toml).0, toml_text);
    assert_eq!(convert(&toml_text, Format::Ndjson).0, ndjson);
    assert_eq!(convert(&ndjson, Format::Toml).0, toml_text);
}
