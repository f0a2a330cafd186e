//! ES|QL's data types and values. A column has one [`DataType`]; a cell is null, one value or
//! several (a multi-valued field): ES|QL keeps multi-values as they are and most functions
//! return null with a warning on one.

use std::net::IpAddr;

/// The types ES|QL reports for columns (`EsqlDataTypes` / the `DataType` enum), by their ES|QL
/// names. `DatePeriod` and `TimeDuration` only exist as constants (`1 day`, `3 hours`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DataType {
    Null,
    Boolean,
    Integer,
    Long,
    UnsignedLong,
    Double,
    Keyword,
    Text,
    Date,
    DateNanos,
    Ip,
    Version,
    DatePeriod,
    TimeDuration,
    /// A field whose type is unknown or unsupported here; reading it is an error.
    Unsupported,
}

impl DataType {
    /// The name Elasticsearch prints (csv-spec headers, verifier messages).
    pub fn name(self) -> &'static str {
        match self {
            DataType::Null => "null",
            DataType::Boolean => "boolean",
            DataType::Integer => "integer",
            DataType::Long => "long",
            DataType::UnsignedLong => "unsigned_long",
            DataType::Double => "double",
            DataType::Keyword => "keyword",
            DataType::Text => "text",
            DataType::Date => "datetime",
            DataType::DateNanos => "date_nanos",
            DataType::Ip => "ip",
            DataType::Version => "version",
            DataType::DatePeriod => "date_period",
            DataType::TimeDuration => "time_duration",
            DataType::Unsupported => "unsupported",
        }
    }

    /// The type a `::name` cast or a `TO_…` names, by the grammar's spellings (`::int`, `::ul`,
    /// `::date`, `::string` …), case-insensitive.
    pub fn from_cast_name(name: &str) -> Option<DataType> {
        Some(match name.to_ascii_lowercase().as_str() {
            "bool" | "boolean" => DataType::Boolean,
            "int" | "integer" => DataType::Integer,
            "long" => DataType::Long,
            "ul" | "unsigned_long" => DataType::UnsignedLong,
            "double" => DataType::Double,
            "keyword" | "string" => DataType::Keyword,
            "text" => DataType::Text,
            "datetime" | "date" => DataType::Date,
            "date_nanos" => DataType::DateNanos,
            "ip" => DataType::Ip,
            "version" => DataType::Version,
            "date_period" => DataType::DatePeriod,
            "time_duration" => DataType::TimeDuration,
            _ => return None,
        })
    }

    pub fn is_numeric(self) -> bool {
        matches!(
            self,
            DataType::Integer | DataType::Long | DataType::UnsignedLong | DataType::Double
        )
    }

    /// keyword and text: ES|QL's string types.
    pub fn is_string(self) -> bool {
        matches!(self, DataType::Keyword | DataType::Text)
    }
}

/// One value of a cell. Strings (keyword and text) share `Str`; the column's [`DataType`] says
/// which. Dates are milliseconds (`Date`) or nanoseconds (`DateNanos`) since the epoch, UTC.
#[derive(Clone, Debug, PartialEq)]
pub enum Scalar {
    Bool(bool),
    Int(i32),
    Long(i64),
    ULong(u64),
    Double(f64),
    Str(Box<str>),
    Date(i64),
    DateNanos(i64),
    Ip(IpAddr),
    Version(Box<str>),
    /// Calendar amount: months and days (`1 month`, `2 weeks`).
    DatePeriod {
        months: i32,
        days: i32,
    },
    /// Exact amount in milliseconds (`1 hour`).
    TimeDuration(i64),
}

/// A cell: null, one value, or a multi-value (`Many` always holds two or more).
#[derive(Clone, Debug, PartialEq, Default)]
pub enum Value {
    #[default]
    Null,
    One(Scalar),
    Many(Vec<Scalar>),
}

impl Value {
    /// Null for no values, `One` for one, `Many` otherwise: the one way to build a cell from a list.
    pub fn from_vec(mut values: Vec<Scalar>) -> Value {
        match values.len() {
            0 => Value::Null,
            1 => values.pop().map_or(Value::Null, Value::One),
            _ => Value::Many(values),
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// The values of the cell, in order (empty for null).
    pub fn values(&self) -> &[Scalar] {
        match self {
            Value::Null => &[],
            Value::One(s) => std::slice::from_ref(s),
            Value::Many(v) => v,
        }
    }

    /// The single value, or `None` for null and for a multi-value.
    pub fn single(&self) -> Option<&Scalar> {
        match self {
            Value::One(s) => Some(s),
            _ => None,
        }
    }
}
