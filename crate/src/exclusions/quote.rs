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

/// Whether a literal KQL value cannot be written bare: empty, a special or space character, a
/// keyword, or ending in `not` (`cannot or x` would end the value at `not `). For a value with a
/// space, quotes are also what an exact exclusion means on a `text` field: a phrase.
pub fn kql_needs_quotes(value: &str) -> bool {
    value.is_empty()
        || value
            .chars()
            .any(|c| is_special(c) || is_space(c) || c.is_control())
        || is_kql_keyword(value)
        || value
            .get(value.len().saturating_sub(3)..)
            .is_some_and(|end| end.eq_ignore_ascii_case("not"))
}

/// A literal KQL value: bare when it can be, else quoted; `quoted` asks for quotes anyway.
pub fn kql_value(value: &str, quoted: bool) -> String {
    if !quoted && !kql_needs_quotes(value) {
        return value.to_string();
    }
    kql_quoted(value, false)
}

/// A literal KQL value written like the list's values as written (`written`, in order): quoted
/// if the last one is; with a lone backslash kept lone if the quoted values have lone ones and no
/// escaped one (`"NT AUTHORITY\SYSTEM"`: Kibana keeps a backslash that starts no escape);
/// escaped rather than quoted if the last one is bare (`system\:node`).
pub fn kql_value_like(value: &str, written: &[&str]) -> String {
    let last = written.last().copied().unwrap_or("");
    if last.starts_with('"') {
        let (mut lone, mut escaped) = (false, false);
        for w in written.iter().filter(|w| w.starts_with('"')) {
            let (l, e) = backslashes(w);
            lone |= l;
            escaped |= e;
        }
        return kql_quoted(value, lone && !escaped);
    }
    if !kql_needs_quotes(value) {
        return value.to_string();
    }
    let quotes_elsewhere = written.iter().any(|w| w.starts_with('"'));
    match value.contains(is_space) || last.is_empty() || quotes_elsewhere {
        false => kql_unquoted(value, false).unwrap_or_else(|| kql_quoted(value, false)),
        true => kql_quoted(value, false),
    }
}

/// Whether a quoted KQL literal as written has a backslash that starts no escape, and whether
/// it has an escaped backslash.
fn backslashes(raw: &str) -> (bool, bool) {
    let (mut lone, mut escaped) = (false, false);
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('\\') => escaped = true,
                Some('"' | 't' | 'r' | 'n' | 'u') => {}
                _ => lone = true,
            }
        }
    }
    (lone, escaped)
}

/// `value` in double quotes. `lone` leaves a backslash single where it starts no escape.
fn kql_quoted(value: &str, lone: bool) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    let chars: Vec<char> = value.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => {
                let next = chars.get(i + 1);
                // Lone only where the next character as written starts no escape with it.
                let escapes = next.is_none_or(|&n| {
                    matches!(n, '\\' | '"' | 't' | 'r' | 'n' | 'u') || n.is_control()
                });
                out.push_str(if lone && !escapes { "\\" } else { "\\\\" });
            }
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

/// A KQL wildcard pattern: unquoted, `*` left as the wildcard, everything else literal. `None`
/// when the pattern cannot be written: KQL trims unquoted values, so leading or trailing spaces
/// are lost.
pub fn kql_pattern(pattern: &str) -> Option<String> {
    kql_unquoted(pattern, true)
}

/// `value` unquoted: special characters escaped (`*` too unless `wildcard`), keywords defused:
/// a whole word `or`/`and` gets a backslash (`\or`), and the `n` of any `not` before a space
/// (Kibana ends an unquoted value there, even mid-word) is written `\u006e` (`\n` would be a
/// newline). `None` for an empty value or one with spaces at its ends.
fn kql_unquoted(value: &str, wildcard: bool) -> Option<String> {
    if value.is_empty() || value.starts_with(is_space) || value.ends_with(is_space) {
        return None;
    }
    let chars: Vec<char> = value.chars().collect();
    let mut out = String::with_capacity(value.len() + 4);
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
            && chars.get(i + 3).is_none_or(|&c| is_space(c));
        match c {
            _ if not_follows => out.push_str(&format!("\\u{:04x}", c as u32)),
            '*' if wildcard => out.push('*'),
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
        assert_eq!(kql_value_like("a:b*", &["x"]), "a\\:b\\*");
        assert_eq!(kql_value_like("a b", &["x"]), "\"a b\"");
        assert_eq!(kql_value_like("NT\\S", &["\"A\\B\"", "\"c\""]), "\"NT\\S\"");
        assert_eq!(kql_value_like("NT\\S", &["\"A\\\\B\""]), "\"NT\\\\S\"");
        assert_eq!(kql_value_like("not", &["x"]), "\\u006eot");
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
        assert_eq!(kql_pattern("cannot be").as_deref(), Some("can\\u006eot be"));
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
