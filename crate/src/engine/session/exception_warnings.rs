//! The exceptions form's side of the session: Kibana's warnings about the items as last set,
//! against the events and the rule, and the core's rewrite of the exceptions text for a form
//! edit (the page applies it to its editor as one change).

use super::*;
use crate::engine::hints::nearest;
use crate::exceptions::edit::{edit_ndjson, ItemEdit};
use crate::exceptions::warnings::{check, Context, ExceptionWarning, ValueIndex};

impl Session {
    /// Warnings about the exception items, each naming its item and entry.
    pub fn exception_warnings(&self) -> Vec<ExceptionWarning> {
        if self.exceptions.is_empty() {
            return Vec::new();
        }
        let fields = &self.fields;
        let near = |f: &str| nearest(f, fields);
        let cx = Context {
            events: &self.parsed.events,
            fields,
            sequence: self.loaded.as_ref().is_some_and(Loaded::is_sequence),
            now_ms: self.now(),
            nearest: &near,
        };
        match self.exception_values.try_borrow_mut() {
            Ok(mut values) => check(&self.exceptions, &cx, &mut values),
            Err(_) => check(&self.exceptions, &cx, &mut ValueIndex::default()),
        }
    }

    /// `text` (the exceptions editor's, which may be ahead of the session's) with one item set
    /// (`index` and `item`), added (`item` only) or removed (`index` only). `item` is an item's
    /// JSON as [`ExceptionsReport::items`] gives it. The session is unchanged.
    pub fn edit_exceptions(
        &self,
        text: &str,
        index: Option<usize>,
        item: Option<&str>,
    ) -> Result<String, String> {
        let item = item
            .map(|json| {
                serde_json::from_str(json)
                    .map_err(|e| format!("not JSON: {e}"))
                    .and_then(ExceptionItem::from_json)
            })
            .transpose()?;
        let edit = match (index, item) {
            (Some(index), Some(item)) => ItemEdit::Set { index, item },
            (None, Some(item)) => ItemEdit::Add { item },
            (Some(index), None) => ItemEdit::Remove { index },
            (None, None) => return Ok(text.to_string()),
        };
        edit_ndjson(text, edit)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exceptions::warnings::WarningKind;
    use crate::time::parse_date;

    const EVENTS: &str = concat!(
        r#"{"@timestamp":"2026-11-20T00:00:00Z","process":{"name":"sort"}}"#,
        "\n",
        r#"{"@timestamp":"2026-11-21T00:00:00Z","process":{"name":"bash"}}"#,
        "\n"
    );

    fn item(expire: &str) -> String {
        format!(
            r#"{{"name":"x","expire_time":"{expire}","entries":[{{"field":"process.name","operator":"included","type":"match","value":"sort"}}]}}"#
        )
    }

    fn session(exceptions: &str) -> Session {
        let mut s = Session::new();
        s.set_rule("process.name:*".into(), Lang::Kql).unwrap();
        s.set_events(EVENTS.into());
        s.set_exceptions(exceptions);
        s.pin_now(parse_date("2026-11-24T00:00:00Z"));
        s
    }

    /// Kibana drops items whose `expire_time` is before the rule run's start
    /// (`removeExpiredExceptions`, lists plugin, `new Date(expire_time) < startedAt`): an expired
    /// item is reported and not applied; one expiring exactly at "now" still applies.
    #[test]
    fn expired_items_are_reported_and_not_applied() {
        let mut s = session(&item("2026-11-23T00:00:00Z"));
        let r = s.evaluate().unwrap();
        assert_eq!(
            r.status[0],
            Status::Alert.code(),
            "the expired item did not apply"
        );
        assert!(
            r.notes.iter().any(|n| n.contains("expired")),
            "{:?}",
            r.notes
        );
        let w = s.exception_warnings();
        assert_eq!(w.len(), 1);
        assert_eq!((w[0].kind, w[0].item), (WarningKind::Expired, 0));

        let mut s = session(&item("2026-11-24T00:00:00Z"));
        let r = s.evaluate().unwrap();
        assert_eq!(r.status[0], Status::Suppressed.code());
        assert_eq!(s.exception_warnings(), []);
    }

    #[test]
    fn sequence_rules_warn_on_every_item() {
        let mut s = session(&item("2030-01-01T00:00:00Z"));
        s.set_rule(
            "sequence [process where true] [process where true]".into(),
            Lang::Eql,
        )
        .unwrap();
        let w = s.exception_warnings();
        assert_eq!(w.len(), 1);
        assert_eq!(w[0].kind, WarningKind::SequenceRule);
    }

    #[test]
    fn edits_go_through_the_core() {
        let s = session("");
        let added = s
            .edit_exceptions("", None, Some(&item("2030-01-01T00:00:00Z")))
            .unwrap();
        assert_eq!(import_ndjson(&added).items.len(), 1);
        let removed = s.edit_exceptions(&added, Some(0), None).unwrap();
        assert_eq!(import_ndjson(&removed).items.len(), 0);
        assert!(s.edit_exceptions(&added, Some(3), None).is_err());
        assert!(s.edit_exceptions(&added, None, Some("{")).is_err());
    }
}
