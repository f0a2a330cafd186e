//! Java regular expressions for REPLACE (and GROK's bank): compiled with fancy-regex, whose
//! backtracking engine has the lookaround, atomic groups and backreferences Java's has; and
//! Java's replacement syntax (`$1`, `${name}`, `\$`).

use super::sig::illegal;
use super::Failure;
use fancy_regex::{Captures, Regex};

pub(crate) fn java_regex(pattern: &str) -> Result<Regex, Failure> {
    Regex::new(pattern).map_err(|e| Failure {
        exception: "java.util.regex.PatternSyntaxException",
        message: format!("{e} near index 0\n{pattern}"),
    })
}

/// `String.replaceAll(regex, replacement)`.
pub(crate) fn replace_all(re: &Regex, s: &str, replacement: &str) -> Result<String, Failure> {
    let mut out = String::with_capacity(s.len());
    let mut last = 0;
    for caps in re.captures_iter(s) {
        let caps = caps.map_err(|e| illegal(e.to_string()))?;
        let Some(m) = caps.get(0) else { continue };
        out.push_str(&s[last..m.start()]);
        expand(&caps, replacement, &mut out)?;
        last = m.end();
    }
    out.push_str(&s[last..]);
    Ok(out)
}

/// Java's `Matcher.appendReplacement`: `\x` is a literal x, `$n` the longest group number
/// that exists, `${name}` a named group.
fn expand(caps: &Captures<'_>, replacement: &str, out: &mut String) -> Result<(), Failure> {
    let chars: Vec<char> = replacement.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            '\\' => {
                let Some(c) = chars.get(i + 1) else {
                    return Err(illegal("character to be escaped is missing"));
                };
                out.push(*c);
                i += 2;
            }
            '$' => {
                i += 1;
                if chars.get(i) == Some(&'{') {
                    let end = chars[i..].iter().position(|c| *c == '}');
                    let Some(end) = end else {
                        return Err(illegal("named capturing group is missing trailing '}'"));
                    };
                    let name: String = chars[i + 1..i + end].iter().collect();
                    let Some(m) = caps.name(&name) else {
                        return Err(illegal(format!("No group with name {{{name}}}")));
                    };
                    out.push_str(m.as_str());
                    i += end + 1;
                    continue;
                }
                let Some(first) = chars.get(i).and_then(|c| c.to_digit(10)) else {
                    return Err(illegal("Illegal group reference"));
                };
                let mut group = first as usize;
                if group >= caps.len() {
                    return Err(illegal(format!("No group {group}")));
                }
                i += 1;
                while let Some(d) = chars.get(i).and_then(|c| c.to_digit(10)) {
                    let next = group * 10 + d as usize;
                    if next >= caps.len() {
                        break;
                    }
                    group = next;
                    i += 1;
                }
                if let Some(m) = caps.get(group) {
                    out.push_str(m.as_str());
                }
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    Ok(())
}
