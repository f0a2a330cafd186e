//! DISSECT: splits a string on the literal delimiters between `%{key}`s, as Elasticsearch's
//! `DissectParser` does (byte by byte, first occurrence of each delimiter). Keys: `%{name}`,
//! `%{}` and `%{?name}` skip, `%{+name}` (and `%{+name/N}`) append with the append separator,
//! `%{name->}` skips a repeated delimiter after the value. ES|QL refuses reference keys
//! (`%{*k}`/`%{&k}`), whose column names would only be known per row.

use crate::esql::value::{DataType, Scalar, Value};

#[derive(Clone, Debug, PartialEq)]
enum Modifier {
    None,
    Append,
    Skip,
}

#[derive(Clone, Debug)]
struct Key {
    name: String,
    modifier: Modifier,
    right_padding: bool,
    /// `%{+name/N}`: where the value goes among the appended ones.
    order: u32,
}

#[derive(Debug)]
pub struct Dissect {
    leading: String,
    pairs: Vec<(Key, String)>,
    separator: String,
    fields: Vec<String>,
}

impl Dissect {
    pub fn compile(pattern: &str, append_separator: Option<&str>) -> Result<Dissect, String> {
        let unable = || format!("Unable to parse pattern [{pattern}]");
        let mut rest = pattern;
        let first = rest.find("%{").ok_or_else(|| {
            format!(
                "Invalid pattern [{pattern}] for dissect: Unable to find any keys or delimiters."
            )
        })?;
        let leading = rest[..first].to_string();
        rest = &rest[first..];
        let mut pairs = Vec::new();
        while let Some(after) = rest.strip_prefix("%{") {
            let end = after.find('}').ok_or_else(unable)?;
            let key = parse_key(&after[..end], pattern)?;
            rest = &after[end + 1..];
            let next = rest.find("%{").unwrap_or(rest.len());
            pairs.push((key, rest[..next].to_string()));
            rest = &rest[next..];
        }
        let mut fields: Vec<String> = Vec::new();
        for (key, _) in &pairs {
            if key.modifier != Modifier::Skip && !fields.contains(&key.name) {
                fields.push(key.name.clone());
            }
        }
        Ok(Dissect {
            leading,
            pairs,
            separator: append_separator.unwrap_or_default().to_string(),
            fields,
        })
    }

    /// The columns DISSECT adds (all keyword), in the order the pattern names them.
    pub fn fields(&self) -> Vec<(String, DataType)> {
        self.fields
            .iter()
            .map(|f| (f.clone(), DataType::Keyword))
            .collect()
    }

    /// One value per field, or `None` when the string does not match.
    pub fn apply(&self, text: &str) -> Option<Vec<Value>> {
        let matched = self.matches(text.as_bytes())?;
        Some(
            self.fields
                .iter()
                .map(|field| {
                    let mut parts: Vec<(u32, usize, &str)> = matched
                        .iter()
                        .enumerate()
                        .filter(|(_, (k, _))| &k.name == field && k.modifier != Modifier::Skip)
                        .map(|(i, (k, v))| (k.order, i, v.as_str()))
                        .collect();
                    parts.sort();
                    let values: Vec<&str> = parts.iter().map(|(_, _, v)| *v).collect();
                    Value::One(Scalar::Str(values.join(&self.separator).into()))
                })
                .collect(),
        )
    }

    /// The (key, value) pairs found, following `DissectParser.parse` step by step (including
    /// its handling of consecutive delimiters).
    fn matches(&self, input: &[u8]) -> Option<Vec<(&Key, String)>> {
        let lead = self.leading.as_bytes();
        if input.len() <= lead.len() || !input.starts_with(lead) {
            return None;
        }
        let text = |a: usize, b: usize| String::from_utf8_lossy(&input[a..b]).into_owned();
        let mut found: Vec<(&Key, String)> = Vec::new();
        let mut it = self.pairs.iter().map(|(k, d)| (k, d.as_str()));
        let (mut key, delim) = it.next()?;
        let mut delim = delim.as_bytes();
        let at = |i: usize, d: &[u8]| !d.is_empty() && input[i..].starts_with(d);
        let mut i = lead.len();
        let mut start = i;
        let mut done = false;
        while i < input.len() {
            if !at(i, delim) {
                i += 1;
                continue;
            }
            found.push((key, text(start, i)));
            i += delim.len();
            while i < input.len() && at(i, delim) {
                i += delim.len();
                if !key.right_padding {
                    let Some((next, _)) = it.next() else {
                        done = true;
                        break;
                    };
                    key = next;
                    found.push((key, String::new()));
                }
            }
            if done {
                break;
            }
            let Some((next, d)) = it.next() else {
                break;
            };
            key = next;
            delim = d.as_bytes();
            start = i;
        }
        if found.len() < self.pairs.len() && delim.is_empty() {
            found.push((key, text(start.min(input.len()), input.len())));
        }
        (found.len() == self.pairs.len()).then_some(found)
    }
}

fn parse_key(text: &str, pattern: &str) -> Result<Key, String> {
    let (modifier, rest) = match text.chars().next() {
        Some('+') => (Modifier::Append, &text[1..]),
        Some('?') => (Modifier::Skip, &text[1..]),
        Some('*' | '&') => {
            return Err(format!(
                "Reference keys not supported in dissect patterns: [%{{{text}}}]"
            ))
        }
        _ => (Modifier::None, text),
    };
    let (rest, right_padding) = match rest.strip_suffix("->") {
        Some(r) => (r, true),
        None => (rest, false),
    };
    let (name, order) = match (modifier == Modifier::Append, rest.split_once('/')) {
        (true, Some((n, o))) => (
            n,
            o.parse()
                .map_err(|_| format!("Unable to parse pattern [{pattern}]"))?,
        ),
        _ => (rest, 0),
    };
    let modifier = if name.is_empty() {
        Modifier::Skip
    } else {
        modifier
    };
    Ok(Key {
        name: name.to_string(),
        modifier,
        right_padding,
        order,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(pattern: &str, sep: Option<&str>, text: &str) -> Option<Vec<String>> {
        let d = Dissect::compile(pattern, sep).unwrap();
        d.apply(text).map(|values| {
            values
                .iter()
                .map(|v| match v {
                    Value::One(Scalar::Str(s)) => s.to_string(),
                    other => format!("{other:?}"),
                })
                .collect()
        })
    }

    #[test]
    fn elasticsearch_examples() {
        assert_eq!(
            run("%{a} %{b}", None, "foo bar"),
            Some(vec!["foo".into(), "bar".into()])
        );
        assert_eq!(run("%{a} %{b}", None, "foobar"), None);
        assert_eq!(
            run(
                "%{clientip} %{ident} %{auth} [%{@timestamp}] \"%{verb} %{request} HTTP/%{httpversion}\" %{status} %{size}",
                None,
                "1.2.3.4 - - [30/Apr/1998:22:00:52 +0000] \"GET /english/venues/cities/images/montpellier/18.gif HTTP/1.0\" 200 3171"
            ),
            Some(
                ["1.2.3.4", "-", "-", "30/Apr/1998:22:00:52 +0000", "GET", "/english/venues/cities/images/montpellier/18.gif", "1.0", "200", "3171"]
                    .map(String::from)
                    .to_vec()
            )
        );
        // Right padding swallows repeated delimiters.
        assert_eq!(
            run(
                "%{ts->} %{level}",
                None,
                "1998-08-10T17:15:42,466          WARN"
            ),
            Some(vec!["1998-08-10T17:15:42,466".into(), "WARN".into()])
        );
        // Append, with order and a separator.
        assert_eq!(
            run(
                "%{+name/2} %{+name/4} %{+name/3} %{+name/1}",
                Some(","),
                "john jacob jingleheimer schmidt"
            ),
            Some(vec!["schmidt,john,jingleheimer,jacob".into()])
        );
        assert_eq!(
            run("%{a} %{+a} %{+a}", Some(" "), "x y z"),
            Some(vec!["x y z".into()])
        );
        // Skips.
        assert_eq!(
            run("%{a} %{?skipme} %{} %{c}", None, "1 2 3 4"),
            Some(vec!["1".into(), "4".into()])
        );
        // Consecutive delimiters without padding give empty values.
        assert_eq!(
            run("%{a},%{b},%{c}", None, "x,,z"),
            Some(vec!["x".into(), "".into(), "z".into()])
        );
        // A leading delimiter must match.
        assert_eq!(run("[%{a}]", None, "[x]"), Some(vec!["x".into()]));
        assert_eq!(run("[%{a}]", None, "x]"), None);
    }

    #[test]
    fn refused_patterns() {
        assert!(Dissect::compile("no keys", None).is_err());
        assert!(Dissect::compile("%{*k} %{&k}", None).is_err());
        assert!(Dissect::compile("%{a", None).is_err());
    }
}
