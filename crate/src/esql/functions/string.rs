//! String functions. Positions and lengths count Unicode code points and are 1-based, as
//! Elasticsearch's (`UnicodeUtil.codePointCount`); results longer than 1 MB are refused.

use super::sig::{func, func_single, illegal, is_string, is_whole, one, string, Call, Resolved};
use super::Failure;
use crate::esql::value::{DataType, Scalar, Value};
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use base64::engine::DecodePaddingMode;
use base64::{alphabet, DecodeError, Engine};
use percent_encoding::{percent_decode_str, utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

/// `ScriptUtils`' limit on the strings a function may build.
const MAX_BYTES: usize = 1024 * 1024;

pub(crate) fn resolve(name: &str, call: &mut Call<'_, '_>) -> Option<Resolved> {
    Some(match name {
        "length" | "bit_length" | "byte_length" => {
            let per_byte = match name {
                "bit_length" => Some(8),
                "byte_length" => Some(1),
                _ => None,
            };
            unary(call, DataType::Integer, move |s| {
                let n = match per_byte {
                    Some(k) => s.len() * k,
                    None => s.chars().count(),
                };
                Ok(one(Scalar::Int(i32::try_from(n).unwrap_or(i32::MAX))))
            })
        }
        "to_lower" | "to_upper" => change_case(call, name == "to_upper"),
        "trim" => unary(call, DataType::Keyword, |s| Ok(string(s.trim()))),
        "ltrim" => unary(call, DataType::Keyword, |s| Ok(string(s.trim_start()))),
        "rtrim" => unary(call, DataType::Keyword, |s| Ok(string(s.trim_end()))),
        "reverse" => unary(call, DataType::Keyword, |s| {
            Ok(string(s.chars().rev().collect::<String>()))
        }),
        "url_encode" => unary(call, DataType::Keyword, |s| Ok(string(url_encode(s, true)))),
        "url_encode_component" => unary(call, DataType::Keyword, |s| {
            Ok(string(url_encode(s, false)))
        }),
        "url_decode" => unary(call, DataType::Keyword, |s| url_decode(s).map(string)),
        "to_base64" => unary(call, DataType::Keyword, |s| Ok(string(BASE64.encode(s)))),
        "from_base64" => unary(call, DataType::Keyword, from_base64),
        "starts_with" | "ends_with" | "contains" => {
            let which = name.to_string();
            binary_strings(call, DataType::Boolean, move |a, b| {
                Ok(one(Scalar::Bool(match which.as_str() {
                    "starts_with" => a.starts_with(b),
                    "ends_with" => a.ends_with(b),
                    _ => a.contains(b),
                })))
            })
        }
        "concat" => concat(call),
        "substring" => substring(call),
        "left" | "right" => left_right(call, name == "left"),
        "locate" => locate(call),
        "repeat" => repeat(call),
        "space" => space(call),
        "replace" => replace(call),
        "split" => split(call),
        _ => return None,
    })
}

/// TO_LOWER/TO_UPPER, which (unlike other string functions) map every value of a multi-value.
fn change_case(call: &mut Call<'_, '_>, upper: bool) -> Resolved {
    call.arity(1, 1)?;
    call.expect(0, is_string, "string")?;
    func(DataType::Keyword, move |args, _| {
        let values = args.first().map_or(&[][..], Value::values);
        Ok(Value::from_vec(
            values
                .iter()
                .map(|v| {
                    let s = v.as_str().unwrap_or_default();
                    let changed = if upper {
                        s.to_uppercase()
                    } else {
                        s.to_lowercase()
                    };
                    Scalar::Str(changed.into())
                })
                .collect(),
        ))
    })
}

fn unary<F>(call: &mut Call<'_, '_>, ty: DataType, f: F) -> Resolved
where
    F: Fn(&str) -> Result<Value, Failure> + 'static,
{
    call.arity(1, 1)?;
    call.expect(0, is_string, "string")?;
    func_single(ty, move |v| f(text(v, 0)))
}

fn binary_strings<F>(call: &mut Call<'_, '_>, ty: DataType, f: F) -> Resolved
where
    F: Fn(&str, &str) -> Result<Value, Failure> + 'static,
{
    call.arity(2, 2)?;
    call.expect(0, is_string, "string")?;
    call.expect(1, is_string, "string")?;
    func_single(ty, move |v| f(text(v, 0), text(v, 1)))
}

fn text<'v>(values: &[&'v Scalar], i: usize) -> &'v str {
    values.get(i).and_then(|s| s.as_str()).unwrap_or_default()
}

fn whole(values: &[&Scalar], i: usize) -> i64 {
    values.get(i).and_then(|s| s.as_i64()).unwrap_or_default()
}

fn checked_len(s: String) -> Result<Value, Failure> {
    if s.len() > MAX_BYTES {
        return Err(illegal(format!(
            "Creating strings longer than [{MAX_BYTES}] bytes is not supported"
        )));
    }
    Ok(string(s))
}

fn concat(call: &mut Call<'_, '_>) -> Resolved {
    call.arity(2, usize::MAX)?;
    for i in 0..call.len() {
        call.expect(i, is_string, "string")?;
    }
    func_single(DataType::Keyword, |v| {
        let mut out = String::new();
        for s in v {
            out.push_str(s.as_str().unwrap_or_default());
            if out.len() > MAX_BYTES {
                break;
            }
        }
        checked_len(out)
    })
}

/// Elasticsearch's 1-based start: 0 and 1 both mean the first code point, a negative start
/// counts from the end; clamped to the string.
fn index_start(count: i64, start: i64) -> i64 {
    let i = match start {
        s if s > 0 => s - 1,
        s if s < 0 => count + s,
        _ => 0,
    };
    i.clamp(0, count)
}

fn substring(call: &mut Call<'_, '_>) -> Resolved {
    call.arity(2, 3)?;
    call.expect(0, is_string, "string")?;
    call.expect(1, is_whole, "integer")?;
    call.expect(2, is_whole, "integer")?;
    func_single(DataType::Keyword, |v| {
        let s = text(v, 0);
        let count = s.chars().count() as i64;
        let start = index_start(count, whole(v, 1));
        let length = if v.len() > 2 { whole(v, 2) } else { count };
        if length < 0 {
            return Err(illegal(format!(
                "Length parameter cannot be negative, found [{length}]"
            )));
        }
        let end = count.min(start.saturating_add(length));
        let taken = (end - start).max(0) as usize;
        Ok(string(
            s.chars()
                .skip(start as usize)
                .take(taken)
                .collect::<String>(),
        ))
    })
}

fn left_right(call: &mut Call<'_, '_>, left: bool) -> Resolved {
    call.arity(2, 2)?;
    call.expect(0, is_string, "string")?;
    call.expect(1, is_whole, "integer")?;
    func_single(DataType::Keyword, move |v| {
        let s = text(v, 0);
        let n = whole(v, 1).max(0) as usize;
        let count = s.chars().count();
        let out: String = if left {
            s.chars().take(n).collect()
        } else {
            s.chars().skip(count.saturating_sub(n)).collect()
        };
        Ok(string(out))
    })
}

fn locate(call: &mut Call<'_, '_>) -> Resolved {
    call.arity(2, 3)?;
    call.expect(0, is_string, "string")?;
    call.expect(1, is_string, "string")?;
    call.expect(2, is_whole, "integer")?;
    func_single(DataType::Integer, |v| {
        let (s, sub) = (text(v, 0), text(v, 1));
        if s.len() < sub.len() {
            return Ok(one(Scalar::Int(0)));
        }
        let count = s.chars().count() as i64;
        let start = if v.len() > 2 { whole(v, 2) } else { 1 };
        let from = index_start(count, start) as usize;
        let offset = s.char_indices().nth(from).map_or(s.len(), |(b, _)| b);
        let found = s[offset..]
            .find(sub)
            .map_or(0, |b| from + s[offset..offset + b].chars().count() + 1);
        Ok(one(Scalar::Int(i32::try_from(found).unwrap_or(0))))
    })
}

fn negative_number(n: i64) -> Failure {
    illegal(format!("Number parameter cannot be negative, found [{n}]"))
}

fn repeat(call: &mut Call<'_, '_>) -> Resolved {
    call.arity(2, 2)?;
    call.expect(0, is_string, "string")?;
    call.expect(1, |t| t == DataType::Integer, "integer")?;
    func_single(DataType::Keyword, |v| {
        let (s, n) = (text(v, 0), whole(v, 1));
        if n < 0 {
            return Err(negative_number(n));
        }
        if (s.len() as u128) * (n as u128) > MAX_BYTES as u128 {
            return checked_len("x".repeat(MAX_BYTES + 1));
        }
        checked_len(s.repeat(n as usize))
    })
}

fn space(call: &mut Call<'_, '_>) -> Resolved {
    call.arity(1, 1)?;
    call.expect(0, |t| t == DataType::Integer, "integer")?;
    func_single(DataType::Keyword, |v| {
        let n = whole(v, 0);
        if n < 0 {
            return Err(negative_number(n));
        }
        if n as u64 > MAX_BYTES as u64 {
            return checked_len("x".repeat(MAX_BYTES + 1));
        }
        Ok(string(" ".repeat(n as usize)))
    })
}

fn replace(call: &mut Call<'_, '_>) -> Resolved {
    call.arity(3, 3)?;
    for i in 0..3 {
        call.expect(i, is_string, "string")?;
    }
    // A constant pattern compiles once; others per row.
    let compiled = super::sig::constant_str(call.constant(1)).map(super::regex::java_regex);
    func_single(DataType::Keyword, move |v| {
        let owned;
        let re = match &compiled {
            Some(r) => r.as_ref().map_err(Clone::clone)?,
            None => {
                owned = super::regex::java_regex(text(v, 1))?;
                &owned
            }
        };
        let out = super::regex::replace_all(re, text(v, 0), text(v, 2))?;
        checked_len(out)
    })
}

fn split(call: &mut Call<'_, '_>) -> Resolved {
    call.arity(2, 2)?;
    call.expect(0, is_string, "string")?;
    call.expect(1, is_string, "string")?;
    func(DataType::Keyword, |args, _| {
        let Some(v) = super::sig::singles(args)? else {
            return Ok(Value::Null);
        };
        let (s, delim) = (text(&v, 0), text(&v, 1));
        if delim.len() != 1 {
            return Err(illegal("delimiter must be single byte for now"));
        }
        Ok(Value::from_vec(
            s.split(delim).map(|p| Scalar::Str(p.into())).collect(),
        ))
    })
}

/// Java's basic `Base64` codec: padding written, and optional when read.
const BASE64: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new()
        .with_decode_padding_mode(DecodePaddingMode::Indifferent)
        .with_decode_allow_trailing_bits(true),
);

fn from_base64(s: &str) -> Result<Value, Failure> {
    let bytes = BASE64.decode(s).map_err(|e| {
        illegal(match e {
            DecodeError::InvalidByte(_, b) => format!("Illegal base64 character {b:x}"),
            DecodeError::InvalidLength(_) => {
                "Input byte array has wrong 4-byte ending unit".to_string()
            }
            other => other.to_string(),
        })
    })?;
    String::from_utf8(bytes)
        .map(string)
        .map_err(|_| illegal("decoded value is not valid UTF-8, which is not supported yet"))
}

/// `URLEncoder.encode` (form encoding, space as `+`) or, for URL_ENCODE_COMPONENT, RFC 3986
/// with space as `%20` and `!~*'()` kept.
fn url_encode(s: &str, form: bool) -> String {
    const FORM: &AsciiSet = &NON_ALPHANUMERIC
        .remove(b'.')
        .remove(b'-')
        .remove(b'*')
        .remove(b'_')
        .remove(b' ');
    const COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'_')
        .remove(b'.')
        .remove(b'!')
        .remove(b'~')
        .remove(b'*')
        .remove(b'\'')
        .remove(b'(')
        .remove(b')');
    if form {
        utf8_percent_encode(s, FORM).to_string().replace(' ', "+")
    } else {
        utf8_percent_encode(s, COMPONENT).to_string()
    }
}

/// `URLDecoder.decode`: `+` is a space; a `%` must start two hex digits.
fn url_decode(s: &str) -> Result<String, Failure> {
    let bytes = s.as_bytes();
    for (i, b) in bytes.iter().enumerate() {
        if *b == b'%' {
            let hex = bytes.get(i + 1..i + 3);
            if !hex.is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit)) {
                let message = if hex.is_none() {
                    "URLDecoder: Incomplete trailing escape (%) pattern".to_string()
                } else {
                    format!(
                        "URLDecoder: Illegal hex characters in escape (%) pattern - Error at index 0 in: \"{}\"",
                        String::from_utf8_lossy(&bytes[i + 1..i + 3])
                    )
                };
                return Err(illegal(message));
            }
        }
    }
    let plus = s.replace('+', " ");
    Ok(percent_decode_str(&plus).decode_utf8_lossy().into_owned())
}

#[cfg(test)]
#[path = "string_tests.rs"]
mod tests;
