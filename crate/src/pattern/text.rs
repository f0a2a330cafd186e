//! A close approximation of Elasticsearch's `standard` analyzer for `text` / `match_only_text`
//! fields: Unicode word tokens, lowercased. Letters joined by `.`, `'` or `:` and digits joined by
//! `.` or `,` stay one token (UAX #29 word rules), so `example.com` is one token.

/// The lowercased tokens of `s`.
pub fn tokens(s: &str) -> Vec<String> {
    let chars: Vec<char> = s.chars().collect();
    let mut out = Vec::new();
    let mut cur = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if is_word(c) {
            cur.extend(c.to_lowercase());
            continue;
        }
        let prev = i.checked_sub(1).map(|j| chars[j]);
        let next = chars.get(i + 1).copied();
        let joins = match (prev, next) {
            (Some(p), Some(n)) if is_word(p) && is_word(n) => match c {
                '.' | '\'' => true,
                ':' => p.is_alphabetic() && n.is_alphabetic(),
                ',' | ';' => p.is_numeric() && n.is_numeric(),
                _ => false,
            },
            _ => false,
        };
        if joins && !cur.is_empty() {
            cur.push(c);
        } else if !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// `match` semantics (OR): any query token is among the value's tokens.
pub fn matches_any_token(value: &str, query: &str) -> bool {
    let have = tokens(value);
    tokens(query).iter().any(|q| have.contains(q))
}

/// `match_phrase` semantics: the query's tokens appear consecutively in the value's tokens.
/// A query without tokens matches nothing (Elasticsearch: no clauses → no hits).
pub fn matches_phrase(value: &str, query: &str) -> bool {
    let q = tokens(query);
    if q.is_empty() {
        return false;
    }
    let have = tokens(value);
    have.windows(q.len()).any(|w| w == q.as_slice())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn standard_tokens() {
        assert_eq!(
            tokens("Hello, World! foo_bar"),
            ["hello", "world", "foo_bar"]
        );
        assert_eq!(
            tokens("visit example.com now"),
            ["visit", "example.com", "now"]
        );
        assert_eq!(tokens("v1,000.5 end."), ["v1,000.5", "end"]);
        assert_eq!(tokens("don't"), ["don't"]);
    }

    #[test]
    fn match_and_phrase() {
        assert!(matches_any_token("User logged in", "LOGGED out"));
        assert!(matches_phrase("User logged in", "logged IN"));
        assert!(!matches_phrase("User in logged", "logged in"));
        assert!(!matches_phrase("anything", "!!"));
    }
}
