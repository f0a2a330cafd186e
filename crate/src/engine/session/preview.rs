//! "Exclude this" before it is applied: an ephemeral change (values added to an exclusion list
//! of the query, or one more exception item) evaluated over the current events without
//! committing it, and what it would change; the offer's pre-fill for one event; the verdict
//! difference between two evaluations, worded once here for the preview and the diff line.

use super::*;
use crate::diagnostic::ExclusionErrorKind;
use crate::exceptions::{Entry, Operator};
use crate::exclusions::Op;

/// Scalar fields an exception is usually narrowed by when the event has them, after the rule's
/// `investigation_fields` (Kibana pre-fills from the alert's data; these are its usual picks for
/// endpoint alerts).
const PREFILL_FIELDS: &[&str] = &[
    "process.executable",
    "process.parent.executable",
    "process.args",
    "process.command_line",
    "process.name",
    "process.parent.name",
    "file.path",
    "host.id",
    "host.name",
    "user.name",
];

/// Alerts listed by number in a sentence before "and N more".
const SENTENCE_MAX_LISTED: usize = 8;

/// An ephemeral change to evaluate.
#[derive(Clone, Debug, PartialEq)]
pub enum Change {
    /// Add `values` to the exclusion list of `field` in the query.
    Exclude { field: String, values: Vec<String> },
    /// Add one exception item.
    Exception(ExceptionItem),
}

/// One event whose verdict differs between two evaluations.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct VerdictChange {
    pub index: usize,
    pub from: Status,
    pub to: Status,
}

/// What changed from one evaluation to the next (same events).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct VerdictDiff {
    /// Events that alerted before and do not now.
    pub removed: Vec<usize>,
    /// Events that alert now and did not before.
    pub added: Vec<usize>,
    /// Every event whose verdict changed (alerts included), in event order.
    pub changed: Vec<VerdictChange>,
    /// `removes 3 alerts (#0, #7, #12); no other verdict changes`.
    pub sentence: String,
    /// `−3 alerts, +1 alert`; empty when nothing changed.
    pub short: String,
}

/// What a [`Change`] would do, and what applying it takes.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Preview {
    pub diff: VerdictDiff,
    /// For an exclusion: the rule text with the values added (what the editor gets).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// For an exception item: its NDJSON line (what is appended to the exceptions text).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<String>,
}

/// One field the "Exclude this" offer shows for an event.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct OfferField {
    pub field: String,
    /// The event's scalar values of the field (an array field has several).
    pub values: Vec<String>,
    /// One of the rule's `investigation_fields`.
    pub investigation: bool,
    /// A clause of the query that held for the event looked at it.
    pub matched: bool,
    /// The query has an exclusion list of this field (its values can be added there).
    pub list: bool,
    /// Checked at first for the narrower item: the field asked about and the rule's
    /// investigation fields.
    pub checked: bool,
}

/// The pre-fill of "Exclude this" for one event.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Offer {
    pub index: usize,
    /// The field asked about first, then investigation fields, then matched fields, then the
    /// usual identity fields the event has.
    pub fields: Vec<OfferField>,
}

impl Session {
    /// Evaluate `change` over the current events without keeping it: the verdicts it would give
    /// against those of the last evaluation (run first when there is none). `Err` when the
    /// change cannot be made (no rule, no such list, a rewrite that does not parse).
    pub fn preview(&mut self, change: &Change) -> Result<Preview, Diagnostic> {
        if self.last.is_none() && self.evaluate().is_none() {
            return Err(no_rule());
        }
        let before: Vec<u8> = match &self.last {
            Some(r) => r.events.iter().map(|v| v.status.code()).collect(),
            None => return Err(no_rule()),
        };
        let lang = self.lang.ok_or_else(no_rule)?;
        let mut opts = self.options(true);
        let (text, line, loaded) = match change {
            Change::Exclude { field, values } => {
                let ops: Vec<Op> = values
                    .iter()
                    .map(|v| Op::Add {
                        field: field.clone(),
                        value: v.clone(),
                    })
                    .collect();
                let text = self.edit_exclusions(&self.source, lang, &ops)?;
                let loaded = load(&text, lang).map_err(|mut d| {
                    d.truncate(1);
                    d.pop().unwrap_or_else(no_rule)
                })?;
                (Some(text), None, Some(loaded))
            }
            Change::Exception(item) => {
                opts.exceptions.push(item.clone());
                let line = serde_json::to_string(item).map_err(|e| {
                    Diagnostic::new(
                        ExclusionErrorKind::BrokenEdit,
                        e.to_string(),
                        Span::new(0, 0),
                    )
                })?;
                (None, Some(line), None)
            }
        };
        let Some(loaded) = loaded.as_ref().or(self.loaded.as_ref()) else {
            return Err(no_rule());
        };
        let after: Vec<u8> = loaded
            .run_with_table(&self.parsed.events, self.table(loaded), &opts)
            .events
            .iter()
            .map(|v| v.status.code())
            .collect();
        Ok(Preview {
            diff: verdict_diff(&before, &after),
            text,
            line,
        })
    }

    /// An exception item excluding events whose `fields` hold these values (one entry per
    /// field: `match` for one value, `match_any` for several), named after them. It joins the
    /// list of the items already loaded (their `list_id`), as Kibana's flyout adds to the rule's
    /// list.
    pub fn exception_item(&self, fields: &[(String, Vec<String>)]) -> ExceptionItem {
        let entries: Vec<Entry> = fields
            .iter()
            .filter(|(_, values)| !values.is_empty())
            .map(|(field, values)| match values.as_slice() {
                [one] => Entry::Match {
                    field: field.clone(),
                    operator: Operator::Included,
                    value: one.clone(),
                },
                many => Entry::MatchAny {
                    field: field.clone(),
                    operator: Operator::Included,
                    value: many.to_vec(),
                },
            })
            .collect();
        let words: Vec<String> = fields
            .iter()
            .filter(|(_, values)| !values.is_empty())
            .map(|(f, v)| format!("{f} is {}", v.join(" or ")))
            .collect();
        let mut item =
            ExceptionItem::with_entries(&format!("Exclude: {}", words.join(" and ")), entries);
        item.description = Some("Added with ruleplay's \"Exclude this\".".into());
        item.list_id = self.exceptions.iter().find_map(|i| i.list_id.clone());
        item.item_id = Some(format!(
            "ruleplay-{:016x}",
            fnv(words.join("\n").as_bytes())
        ));
        item
    }

    /// The pre-fill of "Exclude this" for event `index`, `field` first when given; `None` when
    /// there is no such event.
    pub fn exclude_offer(&self, index: usize, field: Option<&str>) -> Option<Offer> {
        let event = self.parsed.events.get(index)?;
        let investigation: Vec<&str> = self
            .rule()
            .and_then(|r| r.investigation_fields.as_ref())
            .map(|f| f.field_names.iter().map(String::as_str).collect())
            .unwrap_or_default();
        let matched = self.matched_fields(event);
        let lists: Vec<String> = self.exclusions().into_iter().map(|l| l.field).collect();
        let mut order: Vec<&str> = Vec::new();
        let candidates = field
            .into_iter()
            .chain(investigation.iter().copied())
            .chain(matched.iter().map(String::as_str))
            .chain(PREFILL_FIELDS.iter().copied());
        for f in candidates {
            if !order.contains(&f) {
                order.push(f);
            }
        }
        let fields = order
            .into_iter()
            .filter_map(|f| {
                let values = scalars(event, f);
                (!values.is_empty()).then(|| OfferField {
                    field: f.to_string(),
                    values,
                    investigation: investigation.contains(&f),
                    matched: matched.iter().any(|m| m == f),
                    list: lists.iter().any(|l| l == f),
                    checked: Some(f) == field || (investigation.contains(&f) && !per_event(f)),
                })
            })
            .collect();
        Some(Offer { index, fields })
    }

    /// The fields of clauses that held for `event` and helped it match.
    fn matched_fields(&self, event: &Value) -> Vec<String> {
        let now = self.last.as_ref().map_or_else(|| self.now(), |r| r.now);
        let Some(trace) = self.loaded.as_ref().and_then(|l| l.trace(event, now)) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        let mut stack = vec![&trace.root];
        while let Some(c) = stack.pop() {
            if let (Some(f), true) = (&c.field, c.verdict.is_true()) {
                if c.effect == Some(crate::explain::Effect::Helps) && !out.contains(f) {
                    out.push(f.clone());
                }
            }
            stack.extend(c.children.iter().rev());
        }
        out
    }
}

/// The difference between two evaluations' status codes ([`Status::code`]) of the same events;
/// events only one side has are left out.
pub fn verdict_diff(before: &[u8], after: &[u8]) -> VerdictDiff {
    let alert = Status::Alert.code();
    let mut diff = VerdictDiff::default();
    for (index, (&b, &a)) in before.iter().zip(after).enumerate() {
        if a == b {
            continue;
        }
        if b == alert {
            diff.removed.push(index);
        } else if a == alert {
            diff.added.push(index);
        }
        if let (Some(from), Some(to)) = (Status::from_code(b), Status::from_code(a)) {
            diff.changed.push(VerdictChange { index, from, to });
        }
    }
    let others = diff.changed.len() - diff.removed.len() - diff.added.len();
    let mut parts = Vec::new();
    if !diff.removed.is_empty() {
        parts.push(format!("removes {}", alerts_listed(&diff.removed)));
    }
    if !diff.added.is_empty() {
        parts.push(format!("adds {}", alerts_listed(&diff.added)));
    }
    diff.sentence = if parts.is_empty() && others == 0 {
        "changes no verdict".into()
    } else {
        // The other changes by name: "a match becomes suppressed" matters to whoever tunes.
        let listed: Vec<String> = diff
            .changed
            .iter()
            .filter(|c| !diff.removed.contains(&c.index) && !diff.added.contains(&c.index))
            .take(SENTENCE_MAX_LISTED)
            .map(|c| {
                let word = |s: Status| s.as_str().replace('_', " ");
                format!("#{} {} \u{2192} {}", c.index, word(c.from), word(c.to))
            })
            .collect();
        let more = if others > listed.len() {
            format!(" and {} more", others - listed.len())
        } else {
            String::new()
        };
        let rest = match others {
            0 if !parts.is_empty() => "no other verdict changes".to_string(),
            0 => String::new(),
            1 => format!("1 other verdict changes ({})", listed.join(", ")),
            n => format!("{n} other verdicts change ({}{more})", listed.join(", ")),
        };
        if parts.is_empty() {
            format!("no alert changes; {rest}")
        } else {
            format!("{}; {rest}", parts.join(", "))
        }
    };
    let count = |n: usize| if n == 1 { "alert" } else { "alerts" };
    let mut short = Vec::new();
    if !diff.removed.is_empty() {
        short.push(format!(
            "\u{2212}{} {}",
            diff.removed.len(),
            count(diff.removed.len())
        ));
    }
    if !diff.added.is_empty() {
        short.push(format!("+{} {}", diff.added.len(), count(diff.added.len())));
    }
    if others > 0 {
        short.push(format!(
            "{others} other verdict{}",
            if others == 1 { "" } else { "s" }
        ));
    }
    diff.short = short.join(", ");
    diff
}

/// `3 alerts (#0, #7, #12)`, at most [`SENTENCE_MAX_LISTED`] numbers.
fn alerts_listed(indices: &[usize]) -> String {
    let n = indices.len();
    let listed: Vec<String> = indices
        .iter()
        .take(SENTENCE_MAX_LISTED)
        .map(|i| format!("#{i}"))
        .collect();
    let more = if n > SENTENCE_MAX_LISTED {
        format!(" and {} more", n - SENTENCE_MAX_LISTED)
    } else {
        String::new()
    };
    format!(
        "{n} alert{} ({}{more})",
        if n == 1 { "" } else { "s" },
        listed.join(", ")
    )
}

/// Fields whose value names one event (times, process ids): an exception on them would exclude
/// that event only, so the narrower item leaves them unchecked even when the rule highlights them.
fn per_event(field: &str) -> bool {
    field.ends_with("timestamp")
        || [
            ".pid",
            ".entity_id",
            "event.id",
            "event.ingested",
            "event.created",
        ]
        .iter()
        .any(|s| field.ends_with(s))
}

/// The scalar values of `field` in `event`, as text, without repeats.
fn scalars(event: &Value, field: &str) -> Vec<String> {
    let mut values = Vec::new();
    FieldPath::new(field).values(event, &mut values);
    let mut out: Vec<String> = Vec::new();
    for v in values {
        let text = match v {
            Value::String(s) => s.clone(),
            Value::Number(n) => n.to_string(),
            Value::Bool(b) => b.to_string(),
            _ => continue,
        };
        if !out.contains(&text) {
            out.push(text);
        }
    }
    out
}

fn no_rule() -> Diagnostic {
    Diagnostic::new(
        ExclusionErrorKind::NoQuery,
        "there is no rule to evaluate the change with",
        Span::new(0, 0),
    )
}

/// FNV-1a: a stable item id from the item's words (the same exclusion gets the same id).
fn fnv(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}
