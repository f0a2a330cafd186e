//! Kibana value lists, for `is in list` / `is not in list` exception entries (`type: list`).
//!
//! A list is uploaded as text, one value per line (Kibana's "Manage value lists": `.txt` or
//! `.csv`, newline-delimited), with a type: `keyword`, `ip`, `ip_range` or `text`. Kibana turns an
//! entry on a list into a query (x-pack lists `build_exception_filter.ts`, `buildListClause`):
//! keyword and ip lists become `terms` on the event field (exact, case-sensitive on keyword);
//! ip_range lists become a `range {gte, lte}` per `a-b` value and `terms` for CIDR values. Text
//! lists (and lists too large to inline) are matched in memory per event value with
//! `match {operator: and}` against the list items (`get_query_filter_from_type_value.ts`): an item
//! matches when it holds every token of the event value.

use crate::diagnostic::EventErrorKind;
use crate::event::ecs::{FieldInfo, FieldType};
use crate::event::parse::EventError;
use crate::pattern::cidr::{ip_key, Cidr};
use crate::pattern::text::tokens;
use crate::rule::filters::{indexed, phrase_matches, scalar_text, ValueTest};
use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeMap;
use std::sync::Arc;

/// Lists up to this many values are inlined into the rule's query; larger ones go to Kibana's
/// in-memory path (`MAXIMUM_SMALL_VALUE_LIST_SIZE`, kbn-securitysolution-list-constants).
pub const MAX_SMALL_LIST: usize = 65_536;
/// An ip_range list with more `a-b` values than this goes to the in-memory path
/// (`MAXIMUM_SMALL_IP_RANGE_VALUE_LIST_DASH_SIZE`).
pub const MAX_SMALL_DASH_RANGES: usize = 200;
/// Kibana's upload limit (`xpack.lists.maxImportPayloadBytes`, 9,000,000 bytes).
pub const MAX_LIST_BYTES: usize = 9_000_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ListType {
    Keyword,
    Ip,
    IpRange,
    Text,
}

impl ListType {
    pub fn parse(s: &str) -> Option<ListType> {
        match s {
            "keyword" => Some(ListType::Keyword),
            "ip" => Some(ListType::Ip),
            "ip_range" => Some(ListType::IpRange),
            "text" => Some(ListType::Text),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ListType::Keyword => "keyword",
            ListType::Ip => "ip",
            ListType::IpRange => "ip_range",
            ListType::Text => "text",
        }
    }
}

/// One value of an ip_range list.
#[derive(Clone, Debug)]
enum Range {
    /// `a-b`: Kibana sends `range {gte: a, lte: b}`.
    Dash { lo: String, hi: String },
    /// A CIDR or a single address: sent in a `terms` query.
    Term(String),
}

/// A loaded value list.
#[derive(Clone, Debug)]
pub struct ValueList {
    pub id: String,
    pub list_type: ListType,
    /// The values in file order, as read (trailing `\r` and blank lines dropped).
    pub values: Vec<String>,
    /// Sorted sets, searched by bisection: the values as written, and for ip lists each address
    /// as its number in hex (so both sort as strings: one sort in the wasm, not three).
    exact: Vec<String>,
    ips: Vec<String>,
    ranges: Vec<Range>,
    /// Per value of a text list, its tokens, sorted.
    texts: Vec<Vec<String>>,
}

impl ValueList {
    /// Read a list as Kibana imports it: one value per line. Values the type cannot hold (an
    /// `ip` that is not an address, …) are reported with their line and left out, as
    /// Elasticsearch rejects those list items.
    pub fn parse(id: &str, list_type: ListType, text: &str) -> (ValueList, Vec<EventError>) {
        let mut list = ValueList {
            id: id.to_string(),
            list_type,
            values: Vec::new(),
            exact: Vec::new(),
            ips: Vec::new(),
            ranges: Vec::new(),
            texts: Vec::new(),
        };
        let mut errors = Vec::new();
        if text.len() > MAX_LIST_BYTES {
            errors.push(EventError {
                kind: EventErrorKind::TooLarge,
                line: 1,
                column: 1,
                message: format!(
                    "the list is {} bytes; Kibana imports at most {MAX_LIST_BYTES}",
                    text.len()
                ),
            });
            return (list, errors);
        }
        for (i, raw) in text.split('\n').enumerate() {
            let value = raw.strip_suffix('\r').unwrap_or(raw);
            if value.trim().is_empty() {
                continue;
            }
            match list.add(value) {
                Ok(()) => list.values.push(value.to_string()),
                Err(message) => errors.push(EventError {
                    kind: EventErrorKind::InvalidListValue,
                    line: i + 1,
                    column: 1,
                    message,
                }),
            }
        }
        list.exact.sort();
        list.ips.sort();
        (list, errors)
    }

    fn add(&mut self, value: &str) -> Result<(), String> {
        match self.list_type {
            ListType::Keyword => self.exact.push(value.to_string()),
            ListType::Ip => {
                let key =
                    ip_key(value).ok_or_else(|| format!("\"{value}\" is not an IP address"))?;
                self.ips.push(hex(key));
                self.exact.push(value.to_string());
            }
            ListType::IpRange => {
                let range = match value.split_once('-') {
                    Some((lo, hi)) => {
                        let (Some(a), Some(b)) = (ip_key(lo), ip_key(hi)) else {
                            return Err(format!(
                                "\"{value}\" is not an IP range (expected `first-last` addresses or a CIDR)"
                            ));
                        };
                        if a > b {
                            return Err(format!("\"{value}\": the range ends before it starts"));
                        }
                        Range::Dash {
                            lo: lo.trim().to_string(),
                            hi: hi.trim().to_string(),
                        }
                    }
                    None => {
                        if Cidr::parse(value).is_none() {
                            return Err(format!(
                                "\"{value}\" is not an IP range (expected `first-last` addresses or a CIDR)"
                            ));
                        }
                        Range::Term(value.trim().to_string())
                    }
                };
                self.ranges.push(range);
            }
            ListType::Text => {
                let mut t = tokens(value);
                t.sort();
                self.texts.push(t);
            }
        }
        Ok(())
    }

    pub fn len(&self) -> usize {
        self.values.len()
    }

    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// Whether Kibana inlines the list into the rule's query. Otherwise the list is matched in
    /// memory after the search, which Kibana does only for query, saved-query, ML and
    /// indicator-match rules (see [`crate::exceptions::ExceptionSet::with_lists`]).
    pub fn inlined(&self) -> bool {
        let dashes = self
            .ranges
            .iter()
            .filter(|r| matches!(r, Range::Dash { .. }))
            .count();
        self.list_type != ListType::Text
            && self.len() <= MAX_SMALL_LIST
            && dashes <= MAX_SMALL_DASH_RANGES
    }

    /// `terms` of the list's values against one event value.
    fn terms(&self, info: &FieldInfo, v: &Value, text: &str) -> bool {
        if info.ty.is_text() {
            // A term query is not analysed: it finds a value equal to one of the field's tokens.
            return tokens(text).iter().any(|t| self.holds(t));
        }
        if info.ty.is_keyword_like() {
            return indexed(info, text) && self.holds(text);
        }
        if info.ty == FieldType::Ip {
            return ip_key(text).is_some_and(|k| bisect(&self.ips, &hex(k)));
        }
        self.values.iter().any(|q| phrase_matches(info, v, q))
    }

    fn in_range(&self, info: &FieldInfo, v: &Value, text: &str) -> bool {
        self.ranges.iter().any(|r| match r {
            Range::Term(q) => phrase_matches(info, v, q),
            Range::Dash { lo, hi } if info.ty == FieldType::Ip => {
                match (ip_key(text), ip_key(lo), ip_key(hi)) {
                    (Some(x), Some(a), Some(b)) => a <= x && x <= b,
                    _ => false,
                }
            }
            // A range on a keyword field compares strings.
            Range::Dash { lo, hi } => {
                indexed(info, text) && lo.as_str() <= text && text <= hi.as_str()
            }
        })
    }

    /// `match {query: value, operator: and}` against the list's text items.
    fn text_match(&self, text: &str) -> bool {
        let want = tokens(text);
        !want.is_empty()
            && self
                .texts
                .iter()
                .any(|item| want.iter().all(|t| bisect(item, t)))
    }

    fn holds(&self, value: &str) -> bool {
        bisect(&self.exact, value)
    }
}

fn hex(key: u128) -> String {
    format!("{key:032x}")
}

fn bisect(sorted: &[String], value: &str) -> bool {
    sorted.binary_search_by(|v| v.as_str().cmp(value)).is_ok()
}

/// The lists loaded, by id.
#[derive(Clone, Debug, Default)]
pub struct ValueLists {
    lists: BTreeMap<String, Arc<ValueList>>,
}

impl ValueLists {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn insert(&mut self, list: ValueList) {
        self.lists.insert(list.id.clone(), Arc::new(list));
    }

    pub fn get(&self, id: &str) -> Option<&Arc<ValueList>> {
        self.lists.get(id)
    }

    pub fn iter(&self) -> impl Iterator<Item = &Arc<ValueList>> {
        self.lists.values()
    }

    pub fn is_empty(&self) -> bool {
        self.lists.is_empty()
    }
}

/// The test of one `list` entry: any value of the event field is in the list.
#[derive(Debug)]
pub struct InList(pub Arc<ValueList>);

impl ValueTest for InList {
    fn test(&self, info: &FieldInfo, v: &Value) -> bool {
        let Some(text) = scalar_text(v) else {
            return false;
        };
        let list = &self.0;
        match list.list_type {
            ListType::Keyword | ListType::Ip => list.terms(info, v, &text),
            ListType::IpRange => list.in_range(info, v, &text),
            ListType::Text => list.text_match(&text),
        }
    }

    fn describe(&self) -> String {
        format!(
            "value list {} ({}, {} values)",
            self.0.id,
            self.0.list_type.as_str(),
            self.0.len()
        )
    }
}
