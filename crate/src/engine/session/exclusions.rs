//! The exclusion lists of the rule text, for the page's chips: found and rewritten by
//! [`crate::exclusions`], in a rule file or in a bare query, so the page keeps no semantics.

use super::*;
use crate::exclusions::{self, rule_file, ExclusionList, Op};

impl Session {
    /// The exclusion lists of the rule text as last set (empty when it does not parse or has no
    /// KQL or EQL query), spans in that text.
    pub fn exclusions(&self) -> Vec<ExclusionList> {
        match self.lang {
            Some(lang) => exclusion_lists(&self.source, lang),
            None => Vec::new(),
        }
    }

    /// `text` (a rule file or a bare query of `lang`) with `ops` applied: only the list's bytes
    /// change. The page passes its editor's text, which may be ahead of the session's. A value
    /// added that a list of the field already holds (or that comes twice) is skipped: a chip is
    /// one value, and a second copy in the text would need two removals.
    pub fn edit_exclusions(
        &self,
        text: &str,
        lang: Lang,
        ops: &[Op],
    ) -> Result<String, Diagnostic> {
        let lists = exclusion_lists(text, lang);
        let mut held: Vec<(&str, &str, bool)> = lists
            .iter()
            .flat_map(|l| {
                l.items
                    .iter()
                    .map(|i| (l.field.as_str(), i.value.as_str(), i.pattern))
            })
            .collect();
        let mut todo = Vec::with_capacity(ops.len());
        for op in ops {
            let added = match op {
                Op::Add { field, value } => Some((field.as_str(), value.as_str(), false)),
                Op::AddPattern { field, pattern } => Some((field.as_str(), pattern.as_str(), true)),
                Op::Remove { .. } => None,
            };
            if let Some(key) = added {
                if held.contains(&key) {
                    continue;
                }
                held.push(key);
            }
            todo.push(op.clone());
        }
        match lang {
            Lang::Toml => rule_file::apply(text, &todo),
            Lang::Kql => exclusions::apply(exclusions::Lang::Kql, text, &todo),
            Lang::Eql => exclusions::apply(exclusions::Lang::Eql, text, &todo),
        }
    }
}

/// The exclusion lists of `text`, spans in `text`; none when it does not parse.
fn exclusion_lists(text: &str, lang: Lang) -> Vec<ExclusionList> {
    let found = match lang {
        Lang::Toml => rule_file::find(text).map(|(_, lists)| lists),
        Lang::Kql => exclusions::find(exclusions::Lang::Kql, text),
        Lang::Eql => exclusions::find(exclusions::Lang::Eql, text),
    };
    found.unwrap_or_default()
}
