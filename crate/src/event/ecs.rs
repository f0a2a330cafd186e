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

    /// The number Elasticsearch indexes (and parses a query's number into) for a value of this
    /// field type: `float` is a 32-bit float, `half_float` a 16-bit one, `scaled_float` a long
    /// of value × scaling factor (ECS uses 1000), so `0.1` on a `float` field equals every
    /// number that rounds to the same 32-bit float (`NumberFieldMapper.NumberType`,
    /// `ScaledFloatFieldMapper`). Other types keep the value.
    pub fn stored_f64(self, f: f64) -> f64 {
        match self {
            FieldType::Float => f64::from(f as f32),
            FieldType::HalfFloat => half_float(f),
            FieldType::ScaledFloat => (f * 1000.0).round() / 1000.0,
            _ => f,
        }
    }
}

/// `f` rounded to the nearest IEEE 754 half-precision value (11 significant bits, ties to
/// even; 65520 and beyond overflow to infinity; subnormals below 2^-14 in steps of 2^-24).
fn half_float(f: f64) -> f64 {
    if !f.is_finite() || f == 0.0 {
        return f;
    }
    let exp = f.abs().log2().floor().max(-14.0);
    let quantum = (exp - 10.0).exp2();
    let r = (f / quantum).round_ties_even() * quantum;
    if r.abs() > 65504.0 {
        f64::INFINITY.copysign(f)
    } else {
        r
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

/// The ECS table as compiled in: `ecs_types.tsv` front-coded (see [`pack`]). The readable TSV
/// stays next to it as the source; a test checks that this file is exactly its packed form.
const PACKED: &str = include_str!("ecs_types.packed");

/// `ecs_types.tsv` → `ecs_types.packed`, one line per field: the length of the prefix shared
/// with the previous field name as one character (`'0'` + n), the rest of the name, then only
/// when the field is not a plain `keyword` with `ignore_above` 1024: tab, type, tab,
/// ignore_above, tab, multi-fields named relative to the field. Front coding lets gzip shrink the
/// table from ~12 KB to ~8 KB of the wasm download; every lookup still goes through the map.
#[cfg(test)]
pub(crate) fn pack(tsv: &str) -> String {
    let mut out = String::new();
    let mut prev = "";
    for line in tsv.lines().filter(|l| !l.is_empty() && !l.starts_with('#')) {
        let mut cols = line.split('\t');
        let name = cols.next().unwrap_or("");
        let rest: Vec<&str> = cols.collect();
        let shared = prev
            .bytes()
            .zip(name.bytes())
            .take_while(|(a, b)| a == b)
            .count();
        assert!(shared < 75 && name.is_ascii(), "{name}");
        out.push(char::from(b'0' + shared as u8));
        out.push_str(&name[shared..]);
        let multi: Vec<String> = rest
            .get(2)
            .unwrap_or(&"")
            .split(',')
            .filter(|m| !m.is_empty())
            .map(|m| {
                let rel = m.strip_prefix(name).and_then(|r| r.strip_prefix('.'));
                rel.unwrap_or_else(|| panic!("{m} is not under {name}"))
                    .to_string()
            })
            .collect();
        let plain = rest.first() == Some(&"keyword") && rest.get(1) == Some(&"1024");
        if !(plain && multi.is_empty()) {
            let cols = [
                rest.first().copied().unwrap_or(""),
                rest.get(1).copied().unwrap_or(""),
                &multi.join(","),
            ];
            out.push('\t');
            out.push_str(cols.join("\t").trim_end_matches('\t'));
        }
        out.push('\n');
        prev = name;
    }
    out
}

fn table() -> &'static HashMap<Box<str>, Entry> {
    static TABLE: OnceLock<HashMap<Box<str>, Entry>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut map = HashMap::new();
        let mut name = String::new();
        for line in PACKED.lines() {
            let mut cols = line.split('\t');
            let head = cols.next().unwrap_or("");
            let Some(shared) = head
                .bytes()
                .next()
                .map(|b| usize::from(b.wrapping_sub(b'0')))
            else {
                continue;
            };
            if shared > name.len() || !name.is_char_boundary(shared) {
                continue;
            }
            name.truncate(shared);
            name.push_str(head.get(1..).unwrap_or(""));
            let (ty, ignore_above) = match cols.next() {
                None => (FieldType::Keyword, Some(1024)),
                Some(ty) => {
                    let Some(ty) = FieldType::parse(ty) else {
                        continue;
                    };
                    (ty, cols.next().and_then(|s| s.parse().ok()))
                }
            };
            let multi = cols
                .next()
                .unwrap_or("")
                .split(',')
                .filter_map(|m| {
                    let (n, t) = m.split_once(':')?;
                    Some((format!("{name}.{n}"), FieldType::parse(t)?))
                })
                .collect();
            map.insert(
                name.as_str().into(),
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
    if let Some(m) = super::mapping::current() {
        if let Some(f) = m.get(field) {
            return FieldInfo {
                ty: f.ty,
                ignore_above: f.ignore_above,
                source: f.source.clone(),
                known: true,
            };
        }
        let mut prefix = field;
        while let Some((parent, _)) = prefix.rsplit_once('.') {
            if m.get(parent).is_some_and(|e| e.ty == FieldType::Flattened) {
                return flattened_key(field);
            }
            prefix = parent;
        }
    }
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
            return flattened_key(field);
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

/// A key under a `flattened` field: its leaf values are indexed as keywords.
fn flattened_key(field: &str) -> FieldInfo {
    FieldInfo {
        ty: FieldType::Keyword,
        ignore_above: None,
        source: field.to_string(),
        known: true,
    }
}

/// The innermost `nested` field `field` lies under (`threat.enrichments` for
/// `threat.enrichments.indicator.ip`), by the user's mappings, then ECS.
pub fn nested_parent(field: &str) -> Option<String> {
    let m = super::mapping::current();
    let t = table();
    let mut prefix = field;
    while let Some((parent, _)) = prefix.rsplit_once('.') {
        let ty = match m.as_ref().and_then(|m| m.get(parent)) {
            Some(f) => Some(f.ty),
            None => t.get(parent).map(|e| e.ty),
        };
        if ty == Some(FieldType::Nested) {
            // The innermost nested parent: the field's nested path.
            return Some(parent.to_string());
        }
        prefix = parent;
    }
    None
}

/// Every ECS field name (multi-fields included), for completion and wildcard field names.
pub fn ecs_field_names() -> impl Iterator<Item = &'static str> {
    table().iter().flat_map(|(name, e)| {
        std::iter::once(&**name).chain(e.multi.iter().map(|(n, _)| n.as_str()))
    })
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

    /// `ecs_types.packed` is `ecs_types.tsv` packed; regenerate it with
    /// `RULEPLAY_WRITE_ECS=1 cargo test -p ruleplay --lib ecs::` after editing the TSV.
    #[test]
    fn packed_table_is_the_tsv() {
        let tsv = include_str!("ecs_types.tsv");
        let packed = pack(tsv);
        if std::env::var_os("RULEPLAY_WRITE_ECS").is_some() {
            let path = concat!(env!("CARGO_MANIFEST_DIR"), "/src/event/ecs_types.packed");
            std::fs::write(path, &packed).expect("writable source tree");
            return;
        }
        assert!(
            packed == PACKED,
            "ecs_types.packed is stale: see this test's comment"
        );
        // And the decoded table says what the TSV says, line by line.
        let t = table();
        let rows: Vec<&str> = tsv
            .lines()
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .collect();
        assert_eq!(t.len(), rows.len());
        for row in rows {
            let c: Vec<&str> = row.split('\t').collect();
            let e = &t[c[0]];
            assert_eq!(Some(e.ty), FieldType::parse(c[1]), "{row}");
            assert_eq!(e.ignore_above, c[2].parse().ok(), "{row}");
            let multi: Vec<String> = e
                .multi
                .iter()
                .map(|(n, ty)| format!("{n}:{}", ty_name(*ty)))
                .collect();
            assert_eq!(multi.join(","), c.get(3).copied().unwrap_or(""), "{row}");
        }
    }

    fn ty_name(ty: FieldType) -> String {
        serde_json::to_value(ty)
            .unwrap()
            .as_str()
            .unwrap()
            .to_string()
    }

    #[test]
    fn floats_are_stored_at_their_precision() {
        assert_eq!(FieldType::Float.stored_f64(0.1), f64::from(0.1f32));
        assert_eq!(FieldType::Float.stored_f64(16_777_217.0), 16_777_216.0);
        assert_eq!(FieldType::HalfFloat.stored_f64(2049.0), 2048.0);
        assert_eq!(FieldType::HalfFloat.stored_f64(0.1), 0.0999755859375);
        assert_eq!(FieldType::HalfFloat.stored_f64(70000.0), f64::INFINITY);
        assert_eq!(FieldType::ScaledFloat.stored_f64(0.12345), 0.123);
        assert_eq!(FieldType::Double.stored_f64(0.1), 0.1);
    }

    #[test]
    fn unknown_fields_are_keyword() {
        let f = field_info("my.custom.field");
        assert_eq!((f.ty, f.known), (FieldType::Keyword, false));
    }
}
