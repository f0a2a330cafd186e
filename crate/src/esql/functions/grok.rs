//! GROK: a regular expression with named patterns (`%{WORD:name}`, `%{NUMBER:n:int}`) and
//! inline named groups (`(?<name>...)`), searched (not anchored) in a string. The bank
//! (`grok_patterns.txt`) is logstash's legacy base pattern set, which Elasticsearch's `legacy`
//! bank (the one ES|QL uses) comes from, as the `grok` crate 2.4.1 ships it (Apache-2.0; see
//! NOTICE).
//!
//! As in Elasticsearch: every named capture becomes a column, nested ones too
//! (`%{URIHOST:h}` also yields `port`); a name captured several times gives a multi-value;
//! `:int`, `:long`, `:float`/`:double` and `:boolean` convert the text; names may hold dots.

use crate::esql::value::{DataType, Scalar, Value};
use fancy_regex::Regex;
use std::collections::HashMap;
use std::sync::OnceLock;

/// How deep `%{…}` references may nest before the pattern counts as recursive.
const MAX_DEPTH: usize = 64;

#[derive(Debug)]
pub struct Grok {
    regex: Regex,
    /// Per output column: its name, type and the regex groups capturing it.
    fields: Vec<(String, DataType, Vec<String>)>,
}

fn bank() -> &'static HashMap<&'static str, &'static str> {
    static BANK: OnceLock<HashMap<&'static str, &'static str>> = OnceLock::new();
    BANK.get_or_init(|| {
        include_str!("grok_patterns.txt")
            .lines()
            .filter(|l| !l.starts_with('#'))
            .filter_map(|l| l.split_once(' '))
            .collect()
    })
}

struct Expander {
    out: String,
    /// Per regex group (`g0`, `g1`…): the field it captures and its type.
    groups: Vec<(String, DataType)>,
}

impl Expander {
    fn group(&mut self, field: &str, ty: DataType) -> String {
        let name = format!("g{}", self.groups.len());
        self.groups.push((field.to_string(), ty));
        name
    }

    /// Appends `pattern` with its references expanded and its named groups renamed.
    fn expand(&mut self, pattern: &str, depth: usize) -> Result<(), String> {
        if depth > MAX_DEPTH {
            return Err("circular reference in grok pattern".to_string());
        }
        let mut rest = pattern;
        while !rest.is_empty() {
            if let Some(after) = rest.strip_prefix("%{") {
                let end = after
                    .find('}')
                    .ok_or_else(|| format!("Invalid GROK pattern [{pattern}]: unclosed %{{"))?;
                let reference = &after[..end];
                self.reference(reference, depth)?;
                rest = &after[end + 1..];
            } else if let Some(after) = rest.strip_prefix("(?<") {
                match after.chars().next() {
                    // Lookbehind, not a named group.
                    Some('=' | '!') => {
                        self.out.push_str("(?<");
                        rest = after;
                    }
                    _ => {
                        let end = after.find('>').ok_or_else(|| {
                            format!("Invalid GROK pattern [{pattern}]: unclosed group name")
                        })?;
                        let name = self.group(&after[..end], DataType::Keyword);
                        self.out.push_str(&format!("(?<{name}>"));
                        rest = &after[end + 1..];
                    }
                }
            } else if let Some(after) = rest.strip_prefix('\\') {
                // An escape stays as it is, whatever it escapes.
                self.out.push('\\');
                let mut chars = after.chars();
                if let Some(c) = chars.next() {
                    self.out.push(c);
                }
                rest = chars.as_str();
            } else {
                let mut chars = rest.chars();
                if let Some(c) = chars.next() {
                    self.out.push(c);
                }
                rest = chars.as_str();
            }
        }
        Ok(())
    }

    /// `NAME`, `NAME:field` or `NAME:field:type`.
    fn reference(&mut self, reference: &str, depth: usize) -> Result<(), String> {
        let mut parts = reference.splitn(3, ':');
        let name = parts.next().unwrap_or_default();
        let field = parts.next().filter(|f| !f.is_empty());
        let ty = match parts.next() {
            None => DataType::Keyword,
            Some(t) => {
                type_of(t).ok_or_else(|| format!("Unsupported type [{t}] in GROK pattern"))?
            }
        };
        let definition = bank().get(name).ok_or_else(|| {
            format!("Unable to find pattern [{name}] in Grok's pattern dictionary")
        })?;
        match field {
            Some(field) => {
                let group = self.group(field, ty);
                self.out.push_str(&format!("(?<{group}>"));
            }
            None => self.out.push_str("(?:"),
        }
        self.expand(definition, depth + 1)?;
        self.out.push(')');
        Ok(())
    }
}

fn type_of(name: &str) -> Option<DataType> {
    Some(match name {
        "int" => DataType::Integer,
        "long" => DataType::Long,
        "float" | "double" => DataType::Double,
        "boolean" => DataType::Boolean,
        "string" | "keyword" => DataType::Keyword,
        _ => return None,
    })
}

impl Grok {
    pub fn compile(pattern: &str) -> Result<Grok, String> {
        Grok::compile_many(&[pattern])
    }

    /// Several patterns (`GROK x "p1", "p2"`): the first that matches, tried as one
    /// alternation as Elasticsearch combines them.
    pub fn compile_many(patterns: &[&str]) -> Result<Grok, String> {
        let mut ex = Expander {
            out: String::new(),
            groups: Vec::new(),
        };
        for (i, p) in patterns.iter().enumerate() {
            if i > 0 {
                ex.out.push('|');
            }
            ex.out.push_str("(?:");
            ex.expand(p, 0)?;
            ex.out.push(')');
        }
        let regex = Regex::new(&ex.out)
            .map_err(|e| format!("Invalid GROK pattern [{}]: {e}", patterns.join(", ")))?;
        let mut fields: Vec<(String, DataType, Vec<String>)> = Vec::new();
        for (i, (field, ty)) in ex.groups.into_iter().enumerate() {
            let group = format!("g{i}");
            match fields.iter_mut().find(|(f, _, _)| *f == field) {
                Some((_, _, groups)) => groups.push(group),
                None => fields.push((field, ty, vec![group])),
            }
        }
        Ok(Grok { regex, fields })
    }

    /// The columns GROK adds, in the order the pattern names them.
    pub fn fields(&self) -> Vec<(String, DataType)> {
        self.fields
            .iter()
            .map(|(name, ty, _)| (name.clone(), *ty))
            .collect()
    }

    /// One value per field (null where a field captured nothing), or `None` when the
    /// pattern does not match.
    pub fn apply(&self, text: &str) -> Option<Vec<Value>> {
        let caps = self.regex.captures(text).ok()??;
        Some(
            self.fields
                .iter()
                .map(|(_, ty, groups)| {
                    let values = groups
                        .iter()
                        .filter_map(|g| caps.name(g))
                        .filter_map(|m| convert(m.as_str(), *ty))
                        .collect();
                    Value::from_vec(values)
                })
                .collect(),
        )
    }
}

/// A captured text as the field's type (a number that does not parse is dropped).
fn convert(text: &str, ty: DataType) -> Option<Scalar> {
    Some(match ty {
        DataType::Integer => Scalar::Int(text.parse().ok()?),
        DataType::Long => Scalar::Long(text.parse().ok()?),
        DataType::Double => Scalar::Double(super::convert::parse_java_double(text)?),
        DataType::Boolean => Scalar::Bool(text.eq_ignore_ascii_case("true")),
        _ => Scalar::Str(text.into()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(t: &str) -> Value {
        Value::One(Scalar::Str(t.into()))
    }

    #[test]
    fn the_spec_cases() {
        let g = Grok::compile("%{WORD:b} .*").unwrap();
        assert_eq!(g.fields(), vec![("b".to_string(), DataType::Keyword)]);
        assert_eq!(g.apply("foo bar"), Some(vec![s("foo")]));

        let g = Grok::compile("%{NUMBER:b:int} .*").unwrap();
        assert_eq!(g.apply("foo bar"), None);

        let g =
            Grok::compile("%{NUMBER:b:int} %{NUMBER:c:float} %{NUMBER:d:double} %{WORD:e:boolean}")
                .unwrap();
        assert_eq!(
            g.apply("12 15.5 15.6 true"),
            Some(vec![
                Value::One(Scalar::Int(12)),
                Value::One(Scalar::Double(15.5)),
                Value::One(Scalar::Double(15.6)),
                Value::One(Scalar::Bool(true)),
            ])
        );

        let g = Grok::compile("%{WORD:b} %{WORD:b}").unwrap();
        assert_eq!(g.fields().len(), 1);
        assert_eq!(
            g.apply("foo bar"),
            Some(vec![Value::Many(vec![
                Scalar::Str("foo".into()),
                Scalar::Str("bar".into())
            ])])
        );

        let g = Grok::compile("(?<b>[0-9a-z]{4,11}) (?<c>[0-9a-z]{1,11})").unwrap();
        assert_eq!(g.apply("asdf bar"), Some(vec![s("asdf"), s("bar")]));
        assert_eq!(g.apply("foo bar"), None);

        let g = Grok::compile(
            "%{TIMESTAMP_ISO8601:date} %{IP:ip} %{EMAILADDRESS:email} %{NUMBER:num:int}",
        )
        .unwrap();
        let got = g
            .apply("2023-01-23T12:15:00.000Z 127.0.0.1 some.email@foo.com 42")
            .unwrap();
        assert_eq!(got[0], s("2023-01-23T12:15:00.000Z"));
        assert_eq!(got[1], s("127.0.0.1"));
        assert_eq!(got[2], s("some.email@foo.com"));
        assert_eq!(got[3], Value::One(Scalar::Int(42)));

        let g = Grok::compile_many(&["ABC %{WORD:foo}", "XYZ %{WORD:bar}"]).unwrap();
        assert_eq!(
            g.apply("XYZ extractme"),
            Some(vec![Value::Null, s("extractme")])
        );
    }

    #[test]
    fn the_corpus_patterns() {
        let g = Grok::compile("%{URIPROTO:url_protocol}://%{URIHOST:dest_host}").unwrap();
        let names: Vec<String> = g.fields().into_iter().map(|(n, _)| n).collect();
        assert_eq!(names, ["url_protocol", "dest_host", "port"]);
        assert_eq!(
            g.apply("curl https://evil.example.com:8443/x"),
            Some(vec![s("https"), s("evil.example.com:8443"), s("8443")])
        );
        let g = Grok::compile(
            "^(?:%{URIPROTO:url_protocol_bare}://)?%{URIHOST:dest_host_bare}(?:/%{GREEDYDATA})?$",
        )
        .unwrap();
        assert_eq!(
            g.apply("evil.example.com/a/b").map(|v| v[1].clone()),
            Some(s("evil.example.com"))
        );
        let g = Grok::compile(r"instanceId=(?<Esql.instance_id>[^,}\]]+)").unwrap();
        assert_eq!(g.fields()[0].0, "Esql.instance_id");
        assert_eq!(g.apply("{instanceId=i-123, x}"), Some(vec![s("i-123")]));
        let g = Grok::compile("accessKeyId=%{NOTSPACE:issued_key_id},").unwrap();
        assert_eq!(g.apply("accessKeyId=AKIA1,"), Some(vec![s("AKIA1")]));
    }

    #[test]
    fn bad_patterns_are_errors() {
        assert!(Grok::compile("%{NOPE:x}").is_err());
        assert!(Grok::compile("%{WORD:x:nope}").is_err());
        assert!(Grok::compile("%{WORD").is_err());
        assert!(Grok::compile("(").is_err());
    }
}
