//! Edits of an exception-list export made by the page's form: one item set, added or removed at
//! a time, written back into the NDJSON text so that every other line keeps its bytes (the list
//! line, the other items, lines that do not parse). The form is a view of the text; the text
//! stays the one source of truth, so its editor's undo history covers form edits too.

use super::{import_ndjson, ExceptionItem};
use serde_json::{Map, Value};

/// One form edit. Indices count the items the text holds (lines that parse as items), in order:
/// the indices of [`super::Import::items`].
#[derive(Clone, Debug, PartialEq)]
pub enum ItemEdit {
    Set { index: usize, item: ExceptionItem },
    Add { item: ExceptionItem },
    Remove { index: usize },
}

/// What a line of the export is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum LineKind {
    List,
    Item,
    Summary,
    /// Blank, not JSON, or an invalid item: kept as it is.
    Other,
}

/// One line: its bytes without the terminator, and the terminator.
struct Line<'a> {
    body: &'a str,
    end: &'a str,
    kind: LineKind,
}

fn split(text: &str) -> Vec<Line<'_>> {
    let mut out = Vec::new();
    let mut rest = text;
    while !rest.is_empty() {
        let (body, end, next) = match rest.find('\n') {
            Some(i) if i > 0 && rest.as_bytes()[i - 1] == b'\r' => {
                (&rest[..i - 1], &rest[i - 1..=i], &rest[i + 1..])
            }
            Some(i) => (&rest[..i], &rest[i..=i], &rest[i + 1..]),
            None => (rest, "", ""),
        };
        out.push(Line {
            body,
            end,
            kind: classify(body),
        });
        rest = next;
    }
    out
}

/// The same reading as [`import_ndjson`], one line at a time, so that item indices agree.
fn classify(body: &str) -> LineKind {
    let imported = import_ndjson(body);
    if !imported.items.is_empty() {
        LineKind::Item
    } else if imported.summary.is_some() {
        LineKind::Summary
    } else if !imported.lists.is_empty() {
        LineKind::List
    } else {
        LineKind::Other
    }
}

/// The list container written when the text has none: Kibana's import wants the list line
/// before its items (`list_id`, `name`, `description`, `type` are required there).
const NEW_LIST_ID: &str = "ruleplay-exceptions";

fn new_list() -> Value {
    serde_json::json!({
        "description": "Exceptions written with ruleplay",
        "list_id": NEW_LIST_ID,
        "name": "ruleplay exceptions",
        "namespace_type": "single",
        "os_types": [],
        "tags": [],
        "type": "detection",
    })
}

fn item_line(item: &ExceptionItem) -> Result<String, String> {
    serde_json::to_string(item).map_err(|e| e.to_string())
}

/// `text` with `edit` applied. Unchanged items keep their bytes; an item set to what it already
/// is leaves the text as it is. The summary line's item count follows the items.
pub fn edit_ndjson(text: &str, edit: ItemEdit) -> Result<String, String> {
    let mut lines = split(text);
    let item_at = |lines: &[Line], index: usize| {
        lines
            .iter()
            .enumerate()
            .filter(|(_, l)| l.kind == LineKind::Item)
            .nth(index)
            .map(|(i, _)| i)
            .ok_or_else(|| format!("there is no exception item #{}", index + 1))
    };
    let list_id = lines
        .iter()
        .filter(|l| l.kind == LineKind::List)
        .find_map(|l| {
            let v: Value = serde_json::from_str(l.body).ok()?;
            v.get("list_id")?.as_str().map(str::to_string)
        });
    let mut owned: Vec<(usize, String)> = Vec::new();
    let mut inserted: Option<(usize, Vec<String>)> = None;
    match edit {
        ItemEdit::Set { index, mut item } => {
            let at = item_at(&lines, index)?;
            let old = serde_json::from_str(lines[at].body)
                .map_err(|e| e.to_string())
                .and_then(ExceptionItem::from_json)?;
            keep_identity(&mut item, &old);
            if old == item {
                return Ok(text.to_string());
            }
            owned.push((at, item_line(&item)?));
        }
        ItemEdit::Remove { index } => {
            let at = item_at(&lines, index)?;
            lines.remove(at);
        }
        ItemEdit::Add { mut item } => {
            let mut new_lines = Vec::new();
            if list_id.is_none() && !lines.iter().any(|l| l.kind == LineKind::Item) {
                new_lines.push(new_list().to_string());
            }
            fill_ids(&mut item, list_id.as_deref(), &import_ndjson(text).items);
            new_lines.push(item_line(&item)?);
            let after = lines
                .iter()
                .rposition(|l| l.kind == LineKind::Item)
                .or_else(|| lines.iter().rposition(|l| l.kind == LineKind::List));
            let at = match after {
                Some(i) => i + 1,
                None => lines
                    .iter()
                    .position(|l| l.kind == LineKind::Summary)
                    .unwrap_or(lines.len()),
            };
            inserted = Some((at, new_lines));
        }
    }
    let item_count = lines.iter().filter(|l| l.kind == LineKind::Item).count()
        + inserted.as_ref().map_or(0, |_| 1);
    let list_count = lines.iter().filter(|l| l.kind == LineKind::List).count()
        + inserted.as_ref().map_or(0, |(_, l)| l.len() - 1);
    // A new list gets the summary line Kibana's export ends with.
    let new_summary = !lines.iter().any(|l| l.kind == LineKind::Summary)
        && inserted.as_ref().is_some_and(|(_, l)| l.len() > 1);
    let appended = inserted
        .as_ref()
        .filter(|(at, _)| *at >= lines.len())
        .map(|(_, l)| l.as_slice());
    let mut out = String::with_capacity(text.len() + 256);
    let push = |out: &mut String, body: &str, end: &str| {
        out.push_str(body);
        out.push_str(if end.is_empty() { "\n" } else { end });
    };
    for (i, line) in lines.iter().enumerate() {
        if let Some((at, new_lines)) = &inserted {
            if *at == i {
                new_lines.iter().for_each(|l| push(&mut out, l, "\n"));
            }
        }
        let mut body = owned
            .iter()
            .find(|(at, _)| *at == i)
            .map_or(line.body, |(_, b)| b.as_str());
        let summary = (line.kind == LineKind::Summary)
            .then(|| summary_line(line.body, list_count, item_count))
            .flatten();
        if let Some(s) = &summary {
            body = s;
        }
        let last = i + 1 == lines.len();
        if last && line.end.is_empty() && appended.is_none() && !new_summary {
            // The text ended without a line break: it still does.
            out.push_str(body);
        } else {
            push(&mut out, body, line.end);
        }
    }
    if let Some(new_lines) = appended {
        new_lines.iter().for_each(|l| push(&mut out, l, "\n"));
    }
    if new_summary {
        // Kibana's summary keys today (`exception_export_details`, kbn-securitysolution-io-ts-list-types).
        let summary = serde_json::json!({
            "exported_exception_list_count": list_count,
            "exported_exception_list_item_count": item_count,
            "missing_exception_list_item_count": 0,
            "missing_exception_list_items": [],
            "missing_exception_lists": [],
            "missing_exception_lists_count": 0,
        });
        push(&mut out, &summary.to_string(), "\n");
    }
    Ok(out)
}

/// The summary line with its counts brought up to date, or `None` when they already are (or the
/// line has none): the line then keeps its bytes.
fn summary_line(body: &str, lists: usize, items: usize) -> Option<String> {
    let Ok(Value::Object(mut summary)) = serde_json::from_str::<Value>(body) else {
        return None;
    };
    let mut changed = false;
    for (key, n) in [
        ("exported_exception_list_count", lists),
        ("exported_exception_list_item_count", items),
    ] {
        if let Some(v) = summary.get_mut(key) {
            if v.as_u64() != Some(n as u64) {
                *v = Value::from(n);
                changed = true;
            }
        }
    }
    changed.then(|| Value::Object(summary).to_string())
}

/// What an edited item does not say it keeps from the item it replaces: its ids and the keys
/// the form does not show (`type`, `namespace_type`, Kibana's metadata). A form edit made while
/// the item's own add was on its way carries none of them, and Kibana's import needs them.
fn keep_identity(item: &mut ExceptionItem, old: &ExceptionItem) {
    if item.item_id.is_none() {
        item.item_id.clone_from(&old.item_id);
    }
    if item.list_id.is_none() {
        item.list_id.clone_from(&old.list_id);
    }
    for (k, v) in &old.extra {
        if !item.extra.contains_key(k) {
            item.extra.insert(k.clone(), v.clone());
        }
    }
}

/// A new item belongs to the text's list and gets an `item_id` no other item has (Kibana's
/// import requires both), and the keys Kibana's own items carry.
fn fill_ids(item: &mut ExceptionItem, list_id: Option<&str>, existing: &[ExceptionItem]) {
    if item.list_id.is_none() {
        item.list_id = Some(list_id.unwrap_or(NEW_LIST_ID).to_string());
    }
    if item.item_id.is_none() {
        let taken = |id: &str| existing.iter().any(|i| i.item_id.as_deref() == Some(id));
        let id = (1..)
            .map(|n| format!("ruleplay-item-{n}"))
            .find(|id| !taken(id))
            .unwrap_or_default();
        item.item_id = Some(id);
    }
    if item.description.is_none() {
        item.description = Some(String::new());
    }
    let defaults: [(&str, Value); 4] = [
        ("type", Value::from("simple")),
        ("namespace_type", Value::from("single")),
        ("comments", Value::Array(Vec::new())),
        ("tags", Value::Array(Vec::new())),
    ];
    let extra: &mut Map<String, Value> = &mut item.extra;
    for (key, value) in defaults {
        extra.entry(key).or_insert(value);
    }
}

#[cfg(test)]
#[path = "edit_tests.rs"]
mod tests;
