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
    /// change. The page passes its editor's text, which may be ahead of the session's.
    pub fn edit_exclusions(
        &self,
        text: &str,
        lang: Lang,
        ops: &[Op],
    ) -> Result<String, Diagnostic> {
        match lang {
            Lang::Toml => rule_file::apply(text, ops),
            Lang::Kql => exclusions::apply(exclusions::Lang::Kql, text, ops),
            Lang::Eql => exclusions::apply(exclusions::Lang::Eql, text, ops),
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
