//! ECS field types, compiled into the crate from the ECS flat table so it builds without `../shared`.
//! Fields ECS does not know behave as `keyword` with no `ignore_above` (the rule; real
//! dynamic mapping would differ, but rules are written against ECS).

use std::collections::HashMap;
use std::sync::OnceLock;

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldType {
    Keyword,
    ConstantKeyword,
    Wildcard,
    Text,
    MatchOnlyText,
    Long,
    Integer,
    Short,
    Byte,
    UnsignedLong,
    Float,
    HalfFloat,
    Double,
    ScaledFloat,
    Boolean,
    Ip,
    Date,
    DateNanos,
    Object,
    Nested,
    Flattened,
    GeoPoint,
    Version,
}

impl FieldType {
    pub fn parse(s: &str) -> Option<FieldType> {
        use FieldType::*;
        Some(match s {
            "keyword" => Keyword,
            "constant_keyword" => ConstantKeyword,
            "wildcard" => Wildcard,
            "text" => Text,
            "match_only_text" => MatchOnlyText,
            "long" => Long,
            "integer" => Integer,
            "short" => Short,
            "byte" => Byte,
            "unsigned_long" => UnsignedLong,
            "float" => Float,
            "half_float" => HalfFloat,
            "double" => Double,
            "scaled_float" => ScaledFloat,
            "boolean" => Boolean,
            "ip" => Ip,
            "date" => Date,
            "date_nanos" => DateNanos,
            "object" => Object,
            "nested" => Nested,
            "flattened" => Flattened,
            "geo_point" => GeoPoint,
            "version" => Version,
            _ => return None,
        })
    }

    /// Exact, case-sensitive string matching (wildcards allowed).
    pub fn is_keyword_like(self) -> bool {
        matches!(
            self,
            FieldType::Keyword
                | FieldType::ConstantKeyword
                | FieldType::Wildcard
                | FieldType::Flattened
        )
    }

    /// Analysed: lowercased tokens, phrases for quoted values.
    pub fn is_text(self) -> bool {
        matches!(self, FieldType::Text | FieldType::MatchOnlyText)
    }

    pub fn is_numeric(self) -> bool {
        use FieldType::*;
        matches!(
            self,
            Long | Integer | Short | Byte | UnsignedLong | Float | HalfFloat | Double | ScaledFloat
        )
    }

    pub fn is_integer(self) -> bool {
        use FieldType::*;
        matches!(self, Long | Integer | Short | Byte | UnsignedLong)
    }

    pub fn is_date(self) -> bool {
        matches!(self, FieldType::Date | FieldType::DateNanos)
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldInfo {
    pub ty: FieldType,
    /// Keyword values longer than this many characters are not indexed and match nothing.
    pub ignore_above: Option<usize>,
    /// Where the values live in the event: differs from the field for multi-fields
    /// (`process.command_line.text` reads `process.command_line`).
    pub source: String,
    /// Whether ECS defines the field (or its flattened/multi-field parent).
    pub known: bool,
}

struct Entry {
    ty: FieldType,
    ignore_above: Option<usize>,
    multi: Vec<(String, FieldType)>,
}

fn table() -> &'static HashMap<&'static str, Entry> {
    static TABLE: OnceLock<HashMap<&'static str, Entry>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut map = HashMap::new();
        for line in include_str!("ecs_types.tsv").lines() {
            if line.starts_with('#') || line.is_empty() {
                continue;
            }
            let mut cols = line.split('\t');
            let (Some(name), Some(ty)) = (cols.next(), cols.next()) else {
                continue;
            };
            let Some(ty) = FieldType::parse(ty) else {
                continue;
            };
            let ignore_above = cols.next().and_then(|s| s.parse().ok());
            let multi = cols
                .next()
                .unwrap_or("")
                .split(',')
                .filter_map(|m| {
                    let (n, t) = m.split_once(':')?;
                    Some((n.to_string(), FieldType::parse(t)?))
                })
                .collect();
            map.insert(
                name,
                Entry {
                    ty,
                    ignore_above,
                    multi,
                },
            );
        }
        map
    })
}

/// The type of `field`: an ECS field, an ECS multi-field (`*.text`), a key under an ECS
/// `flattened` field (keyword), or an unknown field (keyword).
pub fn field_info(field: &str) -> FieldInfo {
    let t = table();
    if let Some(e) = t.get(field) {
        return FieldInfo {
            ty: e.ty,
            ignore_above: e.ignore_above,
            source: field.to_string(),
            known: true,
        };
    }
    if let Some((parent, _)) = field.rsplit_once('.') {
        if let Some(e) = t.get(parent) {
            if let Some((_, ty)) = e.multi.iter().find(|(n, _)| n == field) {
                return FieldInfo {
                    ty: *ty,
                    ignore_above: None,
                    source: parent.to_string(),
                    known: true,
                };
            }
        }
    }
    let mut prefix = field;
    while let Some((parent, _)) = prefix.rsplit_once('.') {
        if t.get(parent).is_some_and(|e| e.ty == FieldType::Flattened) {
            return FieldInfo {
                ty: FieldType::Keyword,
                ignore_above: None,
                source: field.to_string(),
                known: true,
            };
        }
        prefix = parent;
    }
    FieldInfo {
        ty: FieldType::Keyword,
        ignore_above: None,
        source: field.to_string(),
        known: false,
    }
}

/// Every ECS field name (multi-fields included), for completion and wildcard field names.
pub fn ecs_field_names() -> impl Iterator<Item = &'static str> {
    table()
        .iter()
        .flat_map(|(name, e)| std::iter::once(*name).chain(e.multi.iter().map(|(n, _)| n.as_str())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ecs_types_are_known() {
        assert_eq!(field_info("process.name").ty, FieldType::Keyword);
        assert_eq!(field_info("process.name").ignore_above, Some(1024));
        assert_eq!(field_info("process.command_line").ty, FieldType::Wildcard);
        assert_eq!(field_info("message").ty, FieldType::MatchOnlyText);
        assert_eq!(field_info("process.pid").ty, FieldType::Long);
        assert_eq!(field_info("source.ip").ty, FieldType::Ip);
        assert_eq!(field_info("@timestamp").ty, FieldType::Date);
    }

    #[test]
    fn multi_fields_read_their_parent() {
        let f = field_info("process.command_line.text");
        assert_eq!(f.ty, FieldType::MatchOnlyText);
        assert_eq!(f.source, "process.command_line");
    }

    #[test]
    fn unknown_fields_are_keyword() {
        let f = field_info("my.custom.field");
        assert_eq!((f.ty, f.known), (FieldType::Keyword, false));
    }
}
