//! Edits the page makes through the session: the one query carried between the rule file and a
//! bare query, events replaced in place, the results filter.

use super::*;

impl Session {
    /// Switch the rule view to `lang` and load what it shows, which this returns: the rule's
    /// query when going from a rule file to a bare query of its language, the rule file (with the
    /// query as last edited) when going back to TOML, the same text between KQL and EQL, and
    /// `fallback` (the page's own text for that view) when there is nothing to carry over.
    pub fn switch_lang(&mut self, lang: Lang, fallback: String) -> String {
        let carried = match (self.lang, lang) {
            (Some(Lang::Toml), Lang::Kql | Lang::Eql) => self
                .rule()
                .filter(|_| self.rule_file.as_ref().and_then(|f| f.query_lang) == Some(lang))
                .and_then(|r| r.query.clone()),
            (Some(Lang::Kql | Lang::Eql), Lang::Toml) => {
                self.rule_file.as_ref().map(|f| f.text.clone())
            }
            (Some(from), to) if from == to || to != Lang::Toml => Some(self.source.clone()),
            _ => None,
        };
        let text = carried.unwrap_or(fallback);
        // The diagnostics stay in the session; the caller reads them from there.
        let _ = self.set_rule(text.clone(), lang);
        text
    }

    /// The last rule file loaded, with the current bare query written into it; `None` when the
    /// session has no rule file or shows it (TOML).
    pub fn rule_file(&self) -> Option<&str> {
        match self.lang {
            Some(Lang::Kql | Lang::Eql) => self.rule_file.as_ref().map(|f| f.text.as_str()),
            _ => None,
        }
    }

    /// Write a bare query into the rule file; the words say what that means for the user.
    pub(super) fn write_back(&mut self, query: &str, lang: Lang) -> Option<String> {
        let file = self.rule_file.as_mut()?;
        let name = |l: Lang| if l == Lang::Eql { "EQL" } else { "KQL" };
        Some(match (&file.rule_type, file.query_lang) {
            (Some(rule_type), Some(l)) if l == lang => match set_query(&file.text, query) {
                Ok(text) => {
                    file.text = text;
                    format!(
                        "Bare query: the rule's type ({rule_type}) and its other settings no longer apply; switch to TOML to evaluate the whole rule. Edits here change the rule's query too."
                    )
                }
                Err(d) => format!("This query is not written into the rule: {}", d.message),
            },
            (Some(_), Some(l)) => format!(
                "Bare query: the rule's query is {}, so this {} query is not written into it.",
                name(l),
                name(lang)
            ),
            (Some(rule_type), None) => format!(
                "Bare query: the {rule_type} rule has no KQL or EQL query, so this one is not written into it."
            ),
            (None, _) => {
                "Bare query: the rule file has errors, so this query is not written into it.".into()
            }
        })
    }

    /// Event `index` pretty-printed for editing (keys in their order, numbers as written).
    pub fn event_pretty(&self, index: usize) -> Option<String> {
        self.event_text(index).map(layout::pretty)
    }

    /// Replace event `index` in the events text by `json` and read the events again. On one
    /// line in the text, the event stays on one line (NDJSON needs it). `Err` when `json` is not
    /// one JSON object (its position is in `json`) or there is no such event; nothing changes then.
    pub fn replace_event(&mut self, index: usize, json: &str) -> Result<EventEdit, Diagnostic> {
        let Some(&span) = self.parsed.spans.get(index) else {
            return Err(Diagnostic::new(
                EventErrorKind::NoSuchEvent,
                format!("there is no event #{index} to replace"),
                Span::new(0, 0),
            ));
        };
        match serde_json::from_str::<Value>(json) {
            Ok(Value::Object(_)) => {}
            Ok(_) => {
                return Err(Diagnostic::new(
                    EventErrorKind::NotAnObject,
                    "an event must be a JSON object",
                    Span::new(0, json.len()),
                ))
            }
            Err(e) => return Err(EventError::from_json(e.line(), &e).diagnostic(json)),
        }
        let one_line = !self.text[span.start..span.end].contains('\n');
        let text = if one_line {
            layout::compact(json)
        } else {
            json.trim().to_string()
        };
        let mut events = String::with_capacity(self.text.len() + text.len());
        events.push_str(&self.text[..span.start]);
        events.push_str(&text);
        events.push_str(&self.text[span.end..]);
        let report = self.set_events(events);
        Ok(EventEdit { report, span, text })
    }

    /// The events a KQL query (the result list's filter) matches, by index; all of them for
    /// blank text. `now` is the last evaluation's.
    pub fn filter(&self, kql: &str) -> Result<Vec<u32>, Diagnostic> {
        let events = &self.parsed.events;
        let index = |i: usize| u32::try_from(i).ok();
        if kql.trim().is_empty() {
            return Ok((0..events.len()).filter_map(index).collect());
        }
        let query = crate::kql::compile(kql)?;
        let now = self.last.as_ref().map_or_else(|| self.now(), |r| r.now);
        let keep: Vec<usize> = match self.table.get().and_then(Option::as_ref) {
            Some(table) => {
                let bound = query.bind(table);
                (0..events.len())
                    .filter(|&i| query.matches_row(&bound, i, &events[i], now))
                    .collect()
            }
            None => (0..events.len())
                .filter(|&i| query.matches(&events[i], now))
                .collect(),
        };
        Ok(keep.into_iter().filter_map(index).collect())
    }
}
