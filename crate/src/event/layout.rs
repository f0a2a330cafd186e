//! Re-laying out an event's JSON text without parsing it into values: keys keep their order and
//! numbers their digits (a `serde_json::Value` would sort keys and round big integers), only the
//! whitespace between tokens changes. The page shows an event pretty-printed for editing, and an
//! edited event goes back into NDJSON on one line.

/// Two-space indented, one member per line; empty objects and arrays stay `{}` and `[]`.
/// `json` must be valid JSON (e.g. an event's bytes as read).
pub fn pretty(json: &str) -> String {
    let mut out = String::with_capacity(json.len() * 2);
    let mut depth = 0usize;
    let newline = |out: &mut String, depth: usize| {
        out.push('\n');
        out.extend(std::iter::repeat_n("  ", depth));
    };
    let mut tokens = Tokens::new(json).peekable();
    while let Some(token) = tokens.next() {
        match token {
            "{" | "[" => {
                out.push_str(token);
                let close = if token == "{" { "}" } else { "]" };
                if tokens.peek() == Some(&close) {
                    tokens.next();
                    out.push_str(close);
                } else {
                    depth += 1;
                    newline(&mut out, depth);
                }
            }
            "}" | "]" => {
                depth = depth.saturating_sub(1);
                newline(&mut out, depth);
                out.push_str(token);
            }
            "," => {
                out.push(',');
                newline(&mut out, depth);
            }
            ":" => out.push_str(": "),
            _ => out.push_str(token),
        }
    }
    out
}

/// The same JSON with no whitespace between tokens: one line.
pub fn compact(json: &str) -> String {
    Tokens::new(json).collect()
}

/// JSON tokens as slices: strings whole (escapes included), punctuation, and runs of other
/// characters (numbers, `true`, `false`, `null`); whitespace outside strings is dropped.
pub(crate) struct Tokens<'a> {
    rest: &'a str,
    len: usize,
}

impl<'a> Tokens<'a> {
    pub(crate) fn new(json: &'a str) -> Self {
        Tokens {
            rest: json,
            len: json.len(),
        }
    }

    /// The tokens with their byte offsets in the text: an edit can replace one token's bytes and
    /// keep every other byte (whitespace included) as written.
    pub(crate) fn spanned(json: &'a str) -> impl Iterator<Item = (usize, &'a str)> {
        let mut tokens = Tokens::new(json);
        std::iter::from_fn(move || {
            let token = tokens.next()?;
            Some((tokens.len - tokens.rest.len() - token.len(), token))
        })
    }
}

impl<'a> Iterator for Tokens<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        self.rest = self.rest.trim_start_matches([' ', '\t', '\n', '\r']);
        let bytes = self.rest.as_bytes();
        let len = match *bytes.first()? {
            b'{' | b'}' | b'[' | b']' | b',' | b':' => 1,
            b'"' => {
                let mut i = 1;
                while i < bytes.len() && bytes[i] != b'"' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
                (i + 1).min(bytes.len())
            }
            _ => bytes
                .iter()
                .position(|b| b"{}[],:\" \t\n\r".contains(b))
                .unwrap_or(bytes.len()),
        };
        let (token, rest) = self.rest.split_at(len);
        self.rest = rest;
        Some(token)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const EVENT: &str = r#"{"b":1, "a" : {"x":[1, 2.50, {}], "y":[]}, "s":"a, \"b\": {c}\\", "n":12345678901234567890,"t":true,"z":null}"#;

    #[test]
    fn pretty_keeps_order_digits_and_strings() {
        assert_eq!(
            pretty(EVENT),
            r#"{
  "b": 1,
  "a": {
    "x": [
      1,
      2.50,
      {}
    ],
    "y": []
  },
  "s": "a, \"b\": {c}\\",
  "n": 12345678901234567890,
  "t": true,
  "z": null
}"#
        );
    }

    #[test]
    fn compact_is_one_line_and_reads_back_the_same() {
        let one = compact(&pretty(EVENT));
        assert_eq!(
            one,
            r#"{"b":1,"a":{"x":[1,2.50,{}],"y":[]},"s":"a, \"b\": {c}\\","n":12345678901234567890,"t":true,"z":null}"#
        );
        let a: serde_json::Value = serde_json::from_str(EVENT).unwrap();
        let b: serde_json::Value = serde_json::from_str(&one).unwrap();
        assert_eq!(a, b);
    }

    #[test]
    fn non_ascii_and_unterminated_text_do_not_panic() {
        assert_eq!(compact("{ \"é\" : \"ü\" }"), "{\"é\":\"ü\"}");
        assert_eq!(compact("{\"a\\"), "{\"a\\");
        assert_eq!(pretty("]]"), "\n]\n]");
    }
}
