//! Lucene regular expressions (what Elasticsearch's `regex`/`regex~` run, with the default
//! `ALL` flags) translated to the linear-time `regex` crate: anchored full match, `.` matches
//! any character, `\d \s \w` (and upper-case negations) are Lucene's classes, `\x` is a literal
//! `x`, `"…"` is a literal string, `@` is any string, `#` the empty language; `^`, `$` are
//! ordinary characters. Lucene-only operators with no linear-time equivalent (`&` intersection,
//! `~` complement, `<n-m>` numeric intervals) are rejected with a message.
//!
//! The engine is `regex-lite` (a Pike VM, linear time like `regex`, without Unicode tables: a
//! fraction of the wasm size). The only Unicode-table feature the translation needed was case
//! folding for `regex~`; `regex-lite` folds ASCII only, which is what Elasticsearch 8 does too:
//! the regexp query's `case_insensitive` is Lucene's `RegExp.ASCII_CASE_INSENSITIVE`.

use regex_lite::{Regex, RegexBuilder};
use std::cell::RefCell;
use std::collections::HashMap;

/// Compiled-program limit so a pathological pattern fails clearly instead of eating memory.
const SIZE_LIMIT: usize = 1 << 22;

/// Compiled expressions by (pattern, case-insensitive), so code that rebuilds a query per event
/// (`eval::matches_event`) does not recompile its regexes each time. `Regex` clones share the
/// compiled program.
const CACHE_MAX: usize = 512;

thread_local! {
    static CACHE: RefCell<HashMap<(String, bool), Regex>> = RefCell::new(HashMap::new());
}

pub fn compile(pattern: &str, case_insensitive: bool) -> Result<Regex, String> {
    let key = (pattern.to_string(), case_insensitive);
    if let Some(r) = CACHE.with(|c| c.borrow().get(&key).cloned()) {
        return Ok(r);
    }
    let r = compile_uncached(pattern, case_insensitive)?;
    CACHE.with(|c| {
        let mut c = c.borrow_mut();
        if c.len() >= CACHE_MAX {
            c.clear();
        }
        c.insert(key, r.clone());
    });
    Ok(r)
}

fn compile_uncached(pattern: &str, case_insensitive: bool) -> Result<Regex, String> {
    let translated = translate(pattern)?;
    RegexBuilder::new(&format!("\\A(?s:{translated})\\z"))
        .case_insensitive(case_insensitive)
        .size_limit(SIZE_LIMIT)
        .build()
        .map_err(|e| {
            // regex-lite's error is opaque; its size-limit message is the one to reword.
            let msg = e.to_string();
            if msg.contains("size limit") {
                "the regular expression is too large".to_string()
            } else {
                format!("invalid regular expression: {msg}")
            }
        })
}

fn escape_char(c: char, out: &mut String) {
    if c.is_alphanumeric() || c == '_' || c == ' ' {
        out.push(c);
    } else {
        let mut buf = [0u8; 4];
        out.push_str(&regex_lite::escape(c.encode_utf8(&mut buf)));
    }
}

fn class_escape(c: char) -> Option<&'static str> {
    Some(match c {
        'd' => "[0-9]",
        'D' => "[^0-9]",
        's' => "[ \\t\\n\\r]",
        'S' => "[^ \\t\\n\\r]",
        'w' => "[a-zA-Z0-9_]",
        'W' => "[^a-zA-Z0-9_]",
        _ => return None,
    })
}

/// Lucene syntax → `regex` crate syntax (unanchored; the caller anchors).
pub fn translate(src: &str) -> Result<String, String> {
    let chars: Vec<char> = src.chars().collect();
    let mut out = String::new();
    // Start (in `out`) of the last atom, so a second quantifier (`a**`, `a*?`) can wrap it.
    let mut atom_start: Option<usize> = None;
    let mut last_was_quant = false;
    let mut groups: Vec<usize> = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '*' | '+' | '?' | '{' => {
                let Some(start) = atom_start else {
                    return Err(format!(
                        "invalid regular expression: `{c}` at position {i} has nothing to repeat"
                    ));
                };
                let quant = if c == '{' {
                    let end = chars[i..]
                        .iter()
                        .position(|&x| x == '}')
                        .map(|p| i + p)
                        .ok_or("invalid regular expression: `{` without `}`")?;
                    let body: String = chars[i + 1..end].iter().collect();
                    let ok = !body.is_empty()
                        && body.split(',').count() <= 2
                        && body.split(',').next().is_some_and(|n| {
                            !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit())
                        })
                        && body.bytes().all(|b| b.is_ascii_digit() || b == b',');
                    if !ok {
                        return Err(format!(
                            "invalid regular expression: bad repetition `{{{body}}}`"
                        ));
                    }
                    i = end;
                    format!("{{{body}}}")
                } else {
                    c.to_string()
                };
                if last_was_quant {
                    // Lucene allows stacked quantifiers; the regex crate reads `*?` as lazy
                    // (same language for a full match) and rejects `**`: group the operand.
                    out.insert_str(start, "(?:");
                    out.push(')');
                }
                out.push_str(&quant);
                last_was_quant = true;
                i += 1;
                continue;
            }
            _ => {}
        }
        last_was_quant = false;
        let here = out.len();
        match c {
            '.' => out.push('.'),
            '(' => {
                groups.push(here);
                out.push_str("(?:");
                i += 1;
                atom_start = None;
                continue;
            }
            ')' => {
                let Some(g) = groups.pop() else {
                    return Err("invalid regular expression: unbalanced `)`".into());
                };
                out.push(')');
                atom_start = Some(g);
                i += 1;
                continue;
            }
            '|' => {
                out.push('|');
                atom_start = None;
                i += 1;
                continue;
            }
            '[' => {
                i = class(&chars, i, &mut out)?;
                atom_start = Some(here);
                continue;
            }
            '"' => {
                let end = chars[i + 1..]
                    .iter()
                    .position(|&x| x == '"')
                    .map(|p| i + 1 + p)
                    .ok_or("invalid regular expression: unterminated `\"` literal")?;
                out.push_str("(?:");
                for &x in &chars[i + 1..end] {
                    escape_char(x, &mut out);
                }
                out.push(')');
                i = end;
            }
            '\\' => {
                let Some(&n) = chars.get(i + 1) else {
                    return Err("invalid regular expression: trailing `\\`".into());
                };
                match class_escape(n) {
                    Some(cls) => out.push_str(cls),
                    None => escape_char(n, &mut out),
                }
                i += 1;
            }
            '@' => out.push_str("(?:.*)"),
            '#' => out.push_str("(?:[^\\x00-\\x{10FFFF}])"),
            '&' | '~' => {
                return Err(format!(
                    "the Lucene regex operator `{c}` ({}) is not supported here",
                    if c == '&' {
                        "intersection"
                    } else {
                        "complement"
                    }
                ))
            }
            '<' => {
                let close = chars[i..].iter().position(|&x| x == '>');
                let body: String = close
                    .map(|p| chars[i + 1..i + p].iter().collect())
                    .unwrap_or_default();
                if close.is_some()
                    && body.split_once('-').is_some_and(|(a, b)| {
                        !a.is_empty()
                            && !b.is_empty()
                            && (a.to_owned() + b).bytes().all(|x| x.is_ascii_digit())
                    })
                {
                    return Err(format!(
                        "the Lucene numeric interval `<{body}>` is not supported here; write the alternatives out"
                    ));
                }
                escape_char('<', &mut out);
            }
            other => escape_char(other, &mut out),
        }
        atom_start = Some(here);
        i += 1;
    }
    if !groups.is_empty() {
        return Err("invalid regular expression: unclosed `(`".into());
    }
    Ok(out)
}

/// A `[...]` class starting at `chars[i]`; returns the index after `]`.
fn class(chars: &[char], mut i: usize, out: &mut String) -> Result<usize, String> {
    i += 1;
    out.push('[');
    if chars.get(i) == Some(&'^') {
        out.push('^');
        i += 1;
    }
    let mut empty = true;
    loop {
        let Some(&c) = chars.get(i) else {
            return Err("invalid regular expression: unterminated `[` class".into());
        };
        match c {
            ']' if !empty => {
                out.push(']');
                return Ok(i + 1);
            }
            '\\' => {
                let Some(&n) = chars.get(i + 1) else {
                    return Err("invalid regular expression: trailing `\\`".into());
                };
                match class_escape(n) {
                    Some(cls) => out.push_str(&cls[1..cls.len() - 1].replace('^', "")),
                    None => escape_char(n, out),
                }
                i += 2;
            }
            '-' if !empty && chars.get(i + 1).is_some_and(|&n| n != ']') => {
                out.push('-');
                i += 1;
                continue;
            }
            other => {
                escape_char(other, out);
                i += 1;
            }
        }
        empty = false;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(p: &str, s: &str) -> bool {
        compile(p, false).unwrap().is_match(s)
    }

    #[test]
    fn lucene_semantics() {
        assert!(m(".*?net1.*?", "c:\\net1 localgroup"));
        assert!(m("[24][0-9]{3}", "4755"));
        assert!(!m("[24][0-9]{3}", "14755"), "anchored");
        assert!(m("a^b$", "a^b$"), "^ and $ are literals");
        assert!(m("\\w+\\.pid", "sshd.pid"));
        assert!(m("\"a.b\"c", "a.bc"));
        assert!(!m("\"a.b\"c", "axbc"));
        assert!(m("a@", "abc"), "@ is any string");
        assert!(m("a**", "aaa"));
        assert!(m("[a\\-z]+", "a-z"));
        assert!(m("[^-]*[uz][^-]*", "xuy"));
        assert!(compile("(azure|sharp|blood)(hound)/.*", true)
            .unwrap()
            .is_match("AzureHound/x"));
        assert!(compile("a&b", false).is_err());
        assert!(compile("<1-5>", false).is_err());
        assert!(compile("(a", false).is_err());
        assert!(compile("*a", false).is_err());
        assert!(!m("#", ""), "# is the empty language");
        assert!(m("a#|b", "b"));
        assert!(m("\\d\\s\\w", "1 x"));
        assert!(m("[\\d\\w]+", "a1_"));
        assert!(m("é.ü", "é\u{1F600}ü"), ". is any code point");
        assert!(
            m("a\\&b\\~c\\#d", "a&b~c#d"),
            "escaped operators are literals"
        );
        assert!(m("[#&~]+", "#&~"));
        assert!(compile("x{100}{100}{100}", false)
            .unwrap_err()
            .contains("too large"));
    }

    /// `regex~` folds ASCII letters only, as Elasticsearch 8's `ASCII_CASE_INSENSITIVE` flag does.
    #[test]
    fn case_insensitive_is_ascii() {
        let ci = |p: &str, s: &str| compile(p, true).unwrap().is_match(s);
        assert!(ci("cmd\\.exe", "CMD.EXE"));
        assert!(ci("[a-c]x", "BX"));
        assert!(!ci("é", "É"));
    }
}
