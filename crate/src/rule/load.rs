//! TOML text → [`Rule`]: unknown keys kept, errors as diagnostics with spans, and the query's
//! position in the file recorded so query diagnostics and explanations point into the file.

use super::from_toml::{self, span};
use super::model::{QueryPos, Rule};
use crate::diagnostic::{Diagnostic, RuleErrorKind, Span};
use toml::de::DeTable;

/// Rule files bigger than this are refused (the largest published rule is ~60 KB).
pub const MAX_RULE_BYTES: usize = 4 * 1024 * 1024;

/// Load a rule file. Errors carry byte spans into `src`.
pub fn load_rule(src: &str) -> Result<Rule, Diagnostic> {
    if src.len() > MAX_RULE_BYTES {
        return Err(Diagnostic::new(
            RuleErrorKind::TooLarge,
            format!(
                "rule file is {} bytes; the limit is {MAX_RULE_BYTES}",
                src.len()
            ),
            Span::new(0, 0),
        ));
    }
    let root = DeTable::parse(src).map_err(|e| toml_error(src, &e))?;
    let raw = from_toml::file(root.get_ref())?;
    let Some(mut rule) = raw.rule else {
        return Err(Diagnostic::new(
            RuleErrorKind::MissingRuleTable,
            "the file has no [rule] table",
            Span::new(0, 0),
        )
        .expected(["a [rule] table"]));
    };
    rule.metadata = raw.metadata.unwrap_or_default();
    rule.sections = raw.sections;
    if let (Some(q), Some(text)) = (raw.query, rule.query.as_deref()) {
        let pos = query_pos(src, span(q), text);
        rule.query_span = Some(Span::new(pos.to_file(0), pos.to_file(text.len())));
        rule.query_pos = Some(pos);
    }
    Ok(rule)
}

/// The `toml` crate's error as a diagnostic. Its message is `DESCRIPTION, expected A, B` (see
/// `toml::de::Error::new`); the list goes to `expected`, as every other layer reports it.
pub(super) fn toml_error(src: &str, e: &toml::de::Error) -> Diagnostic {
    let span = e
        .span()
        .map_or(Span::new(0, 0), |r| Span::new(r.start, r.end));
    let (what, expected) = match e.message().split_once(", expected ") {
        // "expected nothing": the crate had nothing to suggest.
        Some((what, "nothing")) => (what, None),
        Some((what, list)) => (what, Some(list.split(", "))),
        None => (e.message(), None),
    };
    let mut message = format!("invalid rule file: {what}");
    if what == "duplicate key" {
        message.push_str(&format!(" `{}`", span.text(src)));
    }
    let d = Diagnostic::new(RuleErrorKind::Toml, message, span);
    match expected {
        Some(list) => d.expected(list),
        None => d,
    }
}

/// Work out how offsets in the decoded string `value` map to the raw token at `token` in `src`.
/// Falls back to "the first content byte" when the token cannot be decoded back to `value`.
pub fn query_pos(src: &str, token: Span, value: &str) -> QueryPos {
    let raw = token.text(src);
    let (delim, literal) = if raw.starts_with("'''") {
        ("'''", true)
    } else if raw.starts_with("\"\"\"") {
        ("\"\"\"", false)
    } else if raw.starts_with('\'') {
        ("'", true)
    } else if raw.starts_with('"') {
        ("\"", false)
    } else {
        return QueryPos {
            base: token.start,
            map: None,
        };
    };
    let multiline = delim.len() == 3;
    let mut start = token.start + delim.len();
    let end = token.end.saturating_sub(delim.len()).max(start);
    if multiline {
        // TOML drops a newline right after the opening delimiter.
        if src[start..].starts_with("\r\n") {
            start += 2;
        } else if src[start..].starts_with('\n') {
            start += 1;
        }
    }
    let body = &src[start..end];
    if literal && !body.contains('\r') {
        if body == value {
            return QueryPos {
                base: start,
                map: None,
            };
        }
    } else if let Some((decoded, map)) = decode(body, start, literal) {
        if decoded == value {
            let identity = map.iter().enumerate().all(|(i, &o)| o == start + i);
            return QueryPos {
                base: start,
                map: (!identity).then_some(map),
            };
        }
    }
    QueryPos {
        base: start,
        map: None,
    }
}

/// Decode a TOML string body (without delimiters), recording for each output byte the file
/// offset of the source character it came from (plus one entry for the end).
fn decode(body: &str, base: usize, literal: bool) -> Option<(String, Vec<usize>)> {
    let mut out = String::with_capacity(body.len());
    let mut map = Vec::with_capacity(body.len() + 1);
    let bytes = body.as_bytes();
    let mut i = 0;
    let push = |out: &mut String, map: &mut Vec<usize>, c: char, at: usize| {
        let before = out.len();
        out.push(c);
        map.extend(std::iter::repeat_n(base + at, out.len() - before));
    };
    while i < body.len() {
        let c = body[i..].chars().next()?;
        if c == '\r' && bytes.get(i + 1) == Some(&b'\n') {
            // Parsers may normalise CRLF to LF inside multi-line strings; toml does.
            push(&mut out, &mut map, '\n', i);
            i += 2;
            continue;
        }
        if literal || c != '\\' {
            push(&mut out, &mut map, c, i);
            i += c.len_utf8();
            continue;
        }
        let esc = *bytes.get(i + 1)?;
        let simple = match esc {
            b'b' => Some('\u{8}'),
            b't' => Some('\t'),
            b'n' => Some('\n'),
            b'f' => Some('\u{c}'),
            b'r' => Some('\r'),
            b'e' => Some('\u{1b}'),
            b'"' => Some('"'),
            b'\\' => Some('\\'),
            _ => None,
        };
        if let Some(ch) = simple {
            push(&mut out, &mut map, ch, i);
            i += 2;
            continue;
        }
        let hex_len = match esc {
            b'x' => 2,
            b'u' => 4,
            b'U' => 8,
            _ => 0,
        };
        if hex_len > 0 {
            let hex = body.get(i + 2..i + 2 + hex_len)?;
            let ch = char::from_u32(u32::from_str_radix(hex, 16).ok()?)?;
            push(&mut out, &mut map, ch, i);
            i += 2 + hex_len;
            continue;
        }
        // Line-ending backslash: skip whitespace and newlines up to the next content.
        let rest = &body[i + 1..];
        let ws = rest.len() - rest.trim_start_matches([' ', '\t']).len();
        let after_ws = &rest[ws..];
        if !(after_ws.starts_with('\n') || after_ws.starts_with("\r\n")) {
            return None;
        }
        let skip = rest.len() - rest.trim_start_matches([' ', '\t', '\r', '\n']).len();
        i += 1 + skip;
    }
    map.push(base + body.len());
    Some((out, map))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::ErrorKind;

    fn kind(src: &str) -> ErrorKind {
        load_rule(src).unwrap_err().kind
    }

    fn pos_of(src: &str, needle: &str) -> usize {
        src.find(needle).unwrap()
    }

    #[test]
    fn loads_seed_shapes() {
        let src = r#"
[metadata]
creation_date = "2025/04/30"
maturity = "production"
odd_key = 1

[rule]
name = "x"
type = "new_terms"
language = "kuery"
query = '''
a:b
'''
future_key = { nested = true }

[rule.new_terms]
field = "new_terms_fields"
value = ["process.executable"]

[[rule.new_terms.history_window_start]]
field = "history_window_start"
value = "now-14d"

[transform]
x = 1
"#;
        let r = load_rule(src).unwrap();
        assert_eq!(r.name, "x");
        assert_eq!(r.query.as_deref(), Some("a:b\n"));
        let nt = r.new_terms.as_ref().unwrap();
        assert_eq!(nt.fields, ["process.executable"]);
        assert_eq!(nt.history_window_start.as_deref(), Some("now-14d"));
        assert!(r.extra.contains_key("future_key"));
        assert!(r.metadata.extra.contains_key("odd_key"));
        assert!(r.sections.contains_key("transform"));
        let qs = r.query_span.unwrap();
        assert_eq!(qs.start, pos_of(src, "a:b"));
        assert_eq!(qs.text(src), "a:b\n");
    }

    #[test]
    fn basic_string_escapes_map_back() {
        let src = "[rule]\nquery = \"a:\\\"x\\\" and \\u00e9:1\"\n";
        let r = load_rule(src).unwrap();
        let q = r.query.clone().unwrap();
        assert_eq!(q, "a:\"x\" and é:1");
        let pos = r.query_pos.unwrap();
        // `and` sits after two escapes, each one byte longer in the file.
        let and = q.find("and").unwrap();
        assert_eq!(pos.to_file(and), src.find("and").unwrap());
        let e = q.find("é").unwrap();
        assert_eq!(pos.to_file(e), src.find("\\u00e9").unwrap());
        assert_eq!(pos.to_file(q.len()), src.rfind('"').unwrap());
    }

    #[test]
    fn multiline_basic_with_line_continuation() {
        let src = "[rule]\nquery = \"\"\"\na:1 \\\n    and b:2\"\"\"\n";
        let r = load_rule(src).unwrap();
        let q = r.query.clone().unwrap();
        assert_eq!(q, "a:1 and b:2");
        let pos = r.query_pos.unwrap();
        assert_eq!(pos.to_file(q.find('b').unwrap()), src.find("b:2").unwrap());
    }

    #[test]
    fn toml_errors_have_spans() {
        let src = "[rule]\nname = \"x\"\nrisk_score = \"high\"\n";
        let e = load_rule(src).unwrap_err();
        assert!(e.render(src).starts_with("3:"), "{}", e.render(src));
        assert_eq!(e.kind, RuleErrorKind::WrongType.into());
        assert_eq!(e.expected, ["an integer"]);
        let src = "[rule]\nname = \n";
        let e = load_rule(src).unwrap_err();
        assert!(e.render(src).starts_with("2:"), "{}", e.render(src));
        assert_eq!(e.kind, RuleErrorKind::Toml.into());
    }

    #[test]
    fn toml_errors_say_where_and_what_was_expected() {
        // (source, span text, expected)
        let cases: &[(&str, &str, &[&str])] = &[
            ("[rule]\nname = 'x\n", "", &["`'`"]),
            ("[rule]\na 1\n", "", &["`=`"]),
            ("[rule]\ntags = ['a' 'b']\n", "", &["`,`"]),
            ("[rule]\n[rule\n", "", &["`]`"]),
            ("[rule]\na = 01\n", "0", &[]),
        ];
        for (src, at, expected) in cases {
            let e = load_rule(src).unwrap_err();
            assert_eq!(e.kind, RuleErrorKind::Toml.into(), "{src:?}");
            assert!(
                e.message.starts_with("invalid rule file: "),
                "{}",
                e.message
            );
            assert!(!e.message.contains(", expected"), "{}", e.message);
            assert_eq!(e.span.text(src), *at, "{src:?}: {}", e.message);
            assert_eq!(e.expected, *expected, "{src:?}: {}", e.message);
        }
        let src = "[rule]\nname = 'a'\nname = 'b'\n";
        let e = load_rule(src).unwrap_err();
        assert_eq!(e.message, "invalid rule file: duplicate key `name`");
        assert_eq!(e.span, Span::new(18, 22));
    }

    #[test]
    fn overflowing_numbers_are_invalid_values() {
        for src in [
            "[rule]\nrisk_score = 99999999999999999999\n",
            "[rule]\nx = [99999999999999999999]\n",
            "[rule]\nx = 1e999\n",
        ] {
            let e = load_rule(src).unwrap_err();
            assert_eq!(e.kind, RuleErrorKind::InvalidValue.into(), "{src:?}");
            assert!(e.span.text(src).starts_with(['9', '1']), "{src:?}");
        }
        let r = load_rule("[rule]\nx = [inf, -nan, 0x_ff_ff]\n");
        assert!(r.is_err());
        // Datetimes in their RFC 3339 form (the `toml` crate's), whatever the separator.
        let r = load_rule("[rule]\nx = [inf, -nan, 0xff_ff, 1979-05-27 07:32:00Z]\n").unwrap();
        assert_eq!(
            r.extra["x"],
            serde_json::json!([null, null, 65535, "1979-05-27T07:32:00Z"])
        );
    }

    #[test]
    fn nesting_is_capped_without_overflowing_the_stack() {
        let deep = format!("[rule]\nx = {}{}\n", "[".repeat(5000), "]".repeat(5000));
        assert_eq!(kind(&deep), RuleErrorKind::Toml.into());
    }

    #[test]
    fn too_large() {
        let big = format!("[rule]\nx = '{}'\n", "a".repeat(MAX_RULE_BYTES));
        assert_eq!(kind(&big), RuleErrorKind::TooLarge.into());
    }

    #[test]
    fn wrongly_typed_values_are_reported_where_they_are() {
        let src = "[rule]\ntags = [\"a\", 1]\n";
        let e = load_rule(src).unwrap_err();
        assert_eq!(e.span.text(src), "1");
        assert_eq!(e.kind, RuleErrorKind::WrongType.into());
        assert_eq!(
            e.message,
            "invalid rule file: rule.tags: expected a string, found integer"
        );
        let src = "[metadata]\nmaturity = 2\n[rule]\n";
        assert_eq!(load_rule(src).unwrap_err().span.text(src), "2");
        assert_eq!(
            kind("[rule]\nthreat = 1\n"),
            RuleErrorKind::WrongType.into()
        );
        assert_eq!(kind("rule = 1\n"), RuleErrorKind::WrongType.into());
        // Keys are read in file order, so the first wrong key is the one reported.
        let src = "[rule]\ntags = 1\nname = 2\n";
        assert_eq!(load_rule(src).unwrap_err().span.text(src), "1");
        let src = "[rule]\n[[rule.threat]]\nframework = 'MITRE ATT&CK'\nnote = 1\n[rule.threat.tactic]\nid = 'TA0002'\nx = true\n";
        let t = &load_rule(src).unwrap().threat[0];
        assert_eq!(t.tactic.as_ref().unwrap().id, "TA0002");
        assert!(t.extra.contains_key("note"));
        assert!(t.tactic.as_ref().unwrap().extra.contains_key("x"));
    }

    #[test]
    fn single_strings_where_lists_are_expected() {
        let r = load_rule("[metadata]\nintegration = \"aws\"\n[rule]\ntags = \"a\"\n").unwrap();
        assert_eq!(r.metadata.integration, ["aws"]);
        assert_eq!(r.tags, ["a"]);
    }

    #[test]
    fn missing_rule_table() {
        assert_eq!(kind("[metadata]\n"), RuleErrorKind::MissingRuleTable.into());
        assert_eq!(kind(""), RuleErrorKind::MissingRuleTable.into());
    }

    #[test]
    fn threshold_shapes() {
        let src = "[rule]\ntype='threshold'\n[rule.threshold]\nfield = 'host.id'\nvalue = 3\n[[rule.threshold.cardinality]]\nfield='user.name'\nvalue=2\n";
        let r = load_rule(src).unwrap();
        let t = r.threshold.unwrap();
        assert_eq!(t.field, ["host.id"]);
        assert_eq!(t.value, 3);
        assert_eq!(t.cardinality[0].field, "user.name");
        let bad = "[rule]\n[rule.threshold]\nfield = []\nvalue = -1\n";
        assert_eq!(kind(bad), RuleErrorKind::InvalidValue.into());
        let bad = "[rule]\n[rule.threshold]\nfield = []\nvalue = 'x'\n";
        assert_eq!(kind(bad), RuleErrorKind::WrongType.into());
        let bad = "[rule]\n[rule.threshold]\nfield = []\n";
        assert_eq!(kind(bad), RuleErrorKind::MissingKey.into());
        let bad =
            "[rule]\n[rule.threshold]\nvalue = 1\n[[rule.threshold.cardinality]]\nvalue = 1\n";
        assert_eq!(kind(bad), RuleErrorKind::MissingKey.into());
    }

    #[test]
    fn new_terms_api_shape() {
        let src = "[rule]\n[rule.new_terms]\nnew_terms_fields = ['a', 'b']\nhistory_window_start = 'now-7d'\n";
        let nt = load_rule(src).unwrap().new_terms.unwrap();
        assert_eq!(nt.fields, ["a", "b"]);
        assert_eq!(nt.history_window_start.as_deref(), Some("now-7d"));
        let four = "[rule]\n[rule.new_terms]\nnew_terms_fields = ['a', 'b', 'c', 'd']\n";
        assert_eq!(kind(four), RuleErrorKind::InvalidValue.into());
        let odd = "[rule]\n[rule.new_terms]\nnew_terms_fields = 1\n";
        assert_eq!(kind(odd), RuleErrorKind::WrongType.into());
    }
}
