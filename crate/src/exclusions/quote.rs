//! Writing values and field names as KQL and EQL source text, so that parsing the text gives the
//! value back exactly (or, for patterns, the same wildcards).
//!
//! KQL (Kibana's `grammar.peggy`): unquoted values stop at `\():<>"*{}`, at ` or `/` and ` and at
//! a leading `not `, and are trimmed; quoted values take `\"`, `\\`, `\t`, `\r`, `\n` and
//! `\uXXXX`, and read `*` literally. EQL: strings take `\"`, `\\`, `\n`, `\r`, `\t`, `\b`, `\f`
//! and `\u{…}`; names that are not plain identifiers go in backticks.

use crate::kql::lexer::{is_space, is_special};

const KQL_KEYWORDS: [&str; 3] = ["or", "and", "not"];

fn is_kql_keyword(word: &str) -> bool {
    KQL_KEYWORDS.iter().any(|k| k.eq_ignore_ascii_case(word))
}

/// Whether a literal KQL value can be written without quotes: no special or space character, not
/// a keyword, not empty. Anything else is quoted (for a value with a space that is also what an
/// exact exclusion means on a `text` field: a phrase).
pub fn kql_needs_quotes(value: &str) -> bool {
    value.is_empty()
        || value
            .chars()
            .any(|c| is_special(c) || is_space(c) || c.is_control())
        || is_kql_keyword(value)
}

/// A literal KQL value: bare when it can be, else quoted; `quoted` asks for quotes anyway.
pub fn kql_value(value: &str, quoted: bool) -> String {
    if !quoted && !kql_needs_quotes(value) {
        return value.to_string();
    }
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            '\n' => out.push_str("\\n"),
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A KQL wildcard pattern: unquoted, `*` left as the wildcard, every other special character
/// escaped, and keywords defused: a whole word `or`/`and` gets a backslash (`\or`), and the `n`
/// of any `not` before a space (Kibana ends an unquoted value there, even mid-word) is written
/// `\u006e` (`\n` would be a newline). `None` when the pattern cannot be written: KQL trims
/// unquoted values, so leading or trailing spaces are lost.
pub fn kql_pattern(pattern: &str) -> Option<String> {
    if pattern.is_empty() || pattern.starts_with(is_space) || pattern.ends_with(is_space) {
        return None;
    }
    let chars: Vec<char> = pattern.chars().collect();
    let mut out = String::with_capacity(pattern.len() + 4);
    for (i, &c) in chars.iter().enumerate() {
        if i == 0 || is_space(chars[i - 1]) {
            let end = chars[i..]
                .iter()
                .position(|&c| is_space(c))
                .map_or(chars.len(), |n| i + n);
            let word: String = chars[i..end].iter().collect();
            if word.eq_ignore_ascii_case("or") || word.eq_ignore_ascii_case("and") {
                out.push('\\');
            }
        }
        let not_follows = matches!(c, 'n' | 'N')
            && chars.get(i + 1..i + 3).is_some_and(|w| {
                w[0].eq_ignore_ascii_case(&'o') && w[1].eq_ignore_ascii_case(&'t')
            })
            && chars.get(i + 3).is_some_and(|&c| is_space(c));
        match c {
            _ if not_follows => out.push_str(&format!("\\u{:04x}", c as u32)),
            '*' => out.push('*'),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            '\n' => out.push_str("\\n"),
            c if is_special(c) => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    Some(out)
}

/// A KQL field name: bare, or quoted when it holds a special or space character (a `*` in a
/// bare name would be a field-name pattern).
pub fn kql_field(name: &str) -> String {
    kql_value(name, false)
}

/// An EQL string literal. `raw` asks for the `"""…"""` form, used when the value allows it.
pub fn eql_string(value: &str, raw: bool) -> String {
    if raw && !value.contains("\"\"\"") && !value.ends_with('"') {
        return format!("\"\"\"{value}\"\"\"");
    }
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if c.is_control() => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// An EQL field name: bare when every dotted segment is an identifier and no keyword, else in
/// backticks (a backtick inside doubled).
pub fn eql_field(name: &str) -> String {
    let plain = !name.is_empty()
        && name.split('.').all(|seg| {
            let b = seg.as_bytes();
            !b.is_empty()
                && (b[0].is_ascii_alphabetic() || b[0] == b'_' || b[0] == b'@')
                && b.iter()
                    .all(|&c| c.is_ascii_alphanumeric() || c == b'_' || c == b'@')
                && !crate::eql::parser::is_keyword(seg)
        });
    if plain {
        name.to_string()
    } else {
        format!("`{}`", name.replace('`', "``"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kql_values() {
        assert_eq!(kql_value("sshd", false), "sshd");
        assert_eq!(kql_value("sshd", true), "\"sshd\"");
        assert_eq!(kql_value("a b", false), "\"a b\"");
        assert_eq!(kql_value("OR", false), "\"OR\"");
        assert_eq!(kql_value("a\"\\*", false), "\"a\\\"\\\\*\"");
        assert_eq!(kql_value("", false), "\"\"");
    }

    #[test]
    fn kql_patterns() {
        assert_eq!(kql_pattern("*.exe").as_deref(), Some("*.exe"));
        assert_eq!(
            kql_pattern("C:\\a (x)*").as_deref(),
            Some("C\\:\\\\a \\(x\\)*")
        );
        assert_eq!(
            kql_pattern("not a or b").as_deref(),
            Some("\\u006eot a \\or b")
        );
        assert_eq!(kql_pattern("cannot be").as_deref(), Some("ca\\u006eot be"));
        assert_eq!(kql_pattern(" a"), None);
    }

    #[test]
    fn eql_values() {
        assert_eq!(eql_string("a\"b\\c", false), "\"a\\\"b\\\\c\"");
        assert_eq!(eql_string("C:\\x", true), "\"\"\"C:\\x\"\"\"");
        assert_eq!(eql_string("x\"", true), "\"x\\\"\"");
        assert_eq!(eql_field("process.name"), "process.name");
        assert_eq!(eql_field("a b.c"), "`a b.c`");
        assert_eq!(eql_field("x.in"), "`x.in`");
    }
}
