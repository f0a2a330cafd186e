use super::*;
use serde_json::json;

fn item(v: Value) -> ExceptionItem {
    ExceptionItem::from_json(v).unwrap()
}

const LIST: &str =
    r#"{"list_id":"l1","name":"L","type":"detection","namespace_type":"single","description":"d"}"#;
const A: &str = r#"{"item_id":"a","list_id":"l1","name":"A","entries":[{"field":"process.name","operator":"included","type":"match","value":"sort"}],"os_types":[],"type":"simple"}"#;
const B: &str = r#"{"name":"B","entries":[{"field":"user.name","type":"exists","operator":"excluded"}],"item_id":"b","list_id":"l1"}"#;
const SUMMARY: &str = r#"{"exported_exception_list_count":1,"exported_exception_list_item_count":2,"missing_exception_list_item_count":0}"#;

fn text() -> String {
    format!("{LIST}\n{A}\n{B}\n{SUMMARY}\n")
}

#[test]
fn setting_an_item_rewrites_only_its_line() {
    let mut b = import_ndjson(&text()).items[1].clone();
    b.name = "B2".into();
    let out = edit_ndjson(&text(), ItemEdit::Set { index: 1, item: b }).unwrap();
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], LIST);
    assert_eq!(lines[1], A);
    assert_eq!(
        lines[3], SUMMARY,
        "the counts did not change, so the bytes stay"
    );
    assert_eq!(import_ndjson(&out).items[1].name, "B2");
}

#[test]
fn setting_an_item_to_itself_changes_nothing() {
    let a = import_ndjson(&text()).items[0].clone();
    assert_eq!(
        edit_ndjson(&text(), ItemEdit::Set { index: 0, item: a }).unwrap(),
        text()
    );
}

#[test]
fn adding_goes_after_the_last_item_and_updates_the_count() {
    let new = item(json!({"name": "C", "entries": [
        {"field": "process.name", "type": "match", "operator": "included", "value": "grep"}]}));
    let out = edit_ndjson(&text(), ItemEdit::Add { item: new }).unwrap();
    let imported = import_ndjson(&out);
    assert_eq!(imported.errors, []);
    assert_eq!(imported.items.len(), 3);
    let c = &imported.items[2];
    assert_eq!(c.list_id.as_deref(), Some("l1"));
    assert_eq!(c.item_id.as_deref(), Some("ruleplay-item-1"));
    assert_eq!(c.extra["type"], json!("simple"));
    assert_eq!(
        imported.summary.unwrap()["exported_exception_list_item_count"],
        json!(3)
    );
    assert!(out.starts_with(&format!("{LIST}\n{A}\n{B}\n")));
}

#[test]
fn removing_drops_the_line() {
    let out = edit_ndjson(&text(), ItemEdit::Remove { index: 0 }).unwrap();
    let imported = import_ndjson(&out);
    assert_eq!(imported.items.len(), 1);
    assert_eq!(imported.items[0].name, "B");
    assert!(out.starts_with(&format!("{LIST}\n{B}\n")));
    assert!(edit_ndjson(&text(), ItemEdit::Remove { index: 5 }).is_err());
}

#[test]
fn an_empty_text_gets_a_list_and_a_summary() {
    let new = item(json!({"name": "first", "entries": []}));
    let out = edit_ndjson("", ItemEdit::Add { item: new }).unwrap();
    let imported = import_ndjson(&out);
    assert_eq!(imported.lists.len(), 1);
    assert_eq!(imported.items.len(), 1);
    assert_eq!(
        imported.items[0].list_id.as_deref(),
        imported.lists[0]["list_id"].as_str()
    );
    let summary = imported.summary.unwrap();
    assert_eq!(summary["exported_exception_list_count"], json!(1));
    assert_eq!(summary["exported_exception_list_item_count"], json!(1));
    assert_eq!(summary["missing_exception_lists_count"], json!(0));
}

#[test]
fn bad_lines_and_line_ends_are_kept() {
    let text = format!("{LIST}\r\nnot json\r\n{A}");
    let mut a = import_ndjson(&text).items[0].clone();
    a.name = "A2".into();
    let out = edit_ndjson(&text, ItemEdit::Set { index: 0, item: a }).unwrap();
    assert!(out.starts_with(&format!("{LIST}\r\nnot json\r\n{{")));
    assert!(!out.ends_with('\n'));
    let out = edit_ndjson(&text, ItemEdit::Remove { index: 0 }).unwrap();
    assert_eq!(out, format!("{LIST}\r\nnot json\r\n"));
}

/// The form may send an item written before its add came back (no ids, none of the keys it does
/// not show): the line keeps the ids and those keys, which Kibana's import requires.
#[test]
fn a_set_without_ids_keeps_the_items_ids_and_hidden_keys() {
    let bare = item(json!({"name": "A", "entries": [
        {"field": "process.name", "operator": "included", "type": "match", "value": "grep"}
    ], "os_types": []}));
    let out = edit_ndjson(
        &text(),
        ItemEdit::Set {
            index: 0,
            item: bare,
        },
    )
    .unwrap();
    let line: Value = serde_json::from_str(out.lines().nth(1).unwrap()).unwrap();
    assert_eq!(line["item_id"], "a");
    assert_eq!(line["list_id"], "l1");
    assert_eq!(line["type"], "simple");
    assert_eq!(line["entries"][0]["value"], "grep");
}
