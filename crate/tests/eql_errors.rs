//! What kind of error a bad EQL query is, and where it points: every check matches on
//! `Diagnostic::kind` and exact spans, never on message text.

use ruleplay::diagnostic::{Diagnostic, EqlErrorKind, ErrorKind, RegexErrorKind, Span};

fn err(src: &str) -> Diagnostic {
    match ruleplay::eql::compile(src) {
        Ok(_) => panic!("{src}: compiled"),
        Err(d) => d,
    }
}

/// The kind and the text the span covers.
fn regex_err(src: &str) -> (RegexErrorKind, Span, String) {
    let d = err(src);
    match d.kind {
        ErrorKind::Regex(k) => (k, d.span, d.span.text(src).to_string()),
        other => panic!("{src}: {other} {}", d.message),
    }
}

#[test]
fn regex_errors_point_at_the_pattern_characters() {
    use RegexErrorKind::*;
    let cases: &[(&str, RegexErrorKind, (usize, usize), &str)] = &[
        (r#"any where a regex "x&y""#, Unsupported, (20, 21), "&"),
        // `\\` in the query is one backslash of the pattern: `\n` (pattern) is `\\n` (query).
        (
            r#"any where a regex "a\\nb""#,
            InvalidEscape,
            (20, 23),
            r"\\n",
        ),
        // Escaped quotes count once each in the pattern.
        (
            r#"any where a regex "\"a\"(x""#,
            UnclosedGroup,
            (24, 25),
            "(",
        ),
        // Raw strings have no escapes.
        (
            r#"any where a regex """a\d(x""""#,
            UnclosedGroup,
            (24, 25),
            "(",
        ),
        (
            r#"any where a regex """a\n""""#,
            InvalidEscape,
            (22, 24),
            r"\n",
        ),
        (
            r#"any where a regex "\u{e9}[b-a]""#,
            InvalidRange,
            (26, 29),
            "b-a",
        ),
        // Adjacent strings are one pattern.
        (
            r#"any where a regex "ab" "c)""#,
            UnbalancedParenthesis,
            (25, 26),
            ")",
        ),
        (r#"any where a regex "é~""#, Unsupported, (21, 22), "~"),
        (
            r#"any where a regex~ ("ok", "x{2,1}")"#,
            InvalidRepetition,
            (28, 33),
            "{2,1}",
        ),
        (r#"any where a regex "*a""#, NothingToRepeat, (19, 20), "*"),
        (
            r#"any where a regex "[ab""#,
            UnterminatedClass,
            (19, 22),
            "[ab",
        ),
        (
            r#"any where a regex "\"ab""#,
            UnterminatedLiteral,
            (19, 23),
            r#"\"ab"#,
        ),
        (
            r#"any where a regex "<1-5>x""#,
            Unsupported,
            (19, 24),
            "<1-5>",
        ),
        (
            r#"any where a regex "x{100}{100}{100}""#,
            TooLarge,
            (19, 35),
            "x{100}{100}{100}",
        ),
        (
            r#"any where x == 1 and a regex "a\\""#,
            InvalidEscape,
            (31, 33),
            r"\\",
        ),
    ];
    for (src, kind, (start, end), text) in cases {
        let (k, span, got) = regex_err(src);
        assert_eq!(
            (k, span, got.as_str()),
            (*kind, Span::new(*start, *end), *text),
            "{src}"
        );
    }
}

#[test]
fn the_leftmost_bad_pattern_is_reported() {
    let src = r#"any where a regex "ok" and b regex ("x", "y(") and c regex "&""#;
    let (kind, span, _) = regex_err(src);
    assert_eq!(
        (kind, span),
        (RegexErrorKind::UnclosedGroup, Span::new(43, 44))
    );
}

#[test]
fn regex_errors_in_sequence_steps_are_found_too() {
    let src = r#"sequence [a where x regex "(("] [b where true]"#;
    let (kind, _, text) = regex_err(src);
    assert_eq!((kind, text.as_str()), (RegexErrorKind::UnclosedGroup, "("));
}

#[test]
fn eql_errors_have_kinds() {
    use EqlErrorKind::*;
    let cases: &[(&str, EqlErrorKind, &str)] = &[
        ("process where", UnexpectedToken, ""),
        ("process where foo(a)", UnknownFunction, "foo"),
        (
            "process where length(a, b)",
            WrongArgumentCount,
            "length(a, b)",
        ),
        ("process where a == \"x", UnterminatedString, "\"x"),
        ("process where a == \"\\q\"", InvalidEscape, "\\q"),
        (
            "sequence with maxspan=5y [a where true] [b where true]",
            UnknownTimeUnit,
            "y",
        ),
        (
            "process where a == 1 | unique a",
            UnsupportedSyntax,
            "unique",
        ),
    ];
    for (src, kind, text) in cases {
        let d = err(src);
        assert_eq!(d.kind, ErrorKind::from(*kind), "{src}: {}", d.message);
        assert_eq!(d.span.text(src), *text, "{src}");
    }
}

/// Generated patterns, written as an escaped and as a raw string: the error's span, read back
/// as the pattern's characters, is exactly what the regex compiler reported.
#[test]
fn regex_error_spans_match_the_compiler_on_generated_patterns() {
    const TOKENS: &[&str] = &[
        "a", "é", "&", "~", "(", ")", "[", "]", "[b-a]", "\\q", "\\", "\\d", "{2,1}", "{", "*",
        "\"", "<1-5>", "|", ".", "x{3}", "\\\\",
    ];
    let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = |n: usize| {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((seed >> 33) as usize) % n
    };
    let escape = |p: &str| {
        let mut s = String::from("\"");
        for c in p.chars() {
            if c == '\\' || c == '"' {
                s.push('\\');
            }
            s.push(c);
        }
        s.push('"');
        s
    };
    let unescape = |t: &str| {
        let mut out = String::new();
        let mut chars = t.chars();
        while let Some(c) = chars.next() {
            out.push(if c == '\\' {
                chars.next().unwrap_or('\\')
            } else {
                c
            });
        }
        out
    };
    let mut checked = 0;
    for _ in 0..3000 {
        let pattern: String = (0..1 + next(5))
            .map(|_| TOKENS[next(TOKENS.len())])
            .collect();
        let Err(e) = ruleplay::eql::regex::compile(&pattern, false) else {
            continue;
        };
        let want: String = pattern.chars().skip(e.at.start).take(e.at.len()).collect();
        let raw_ok = !pattern.contains("\"\"\"") && !pattern.ends_with('"');
        let mut literals = vec![(escape(&pattern), true)];
        if raw_ok {
            literals.push((format!("\"\"\"{pattern}\"\"\""), false));
        }
        for (lit, escaped) in literals {
            let src = format!("any where x == 1 and a regex {lit}");
            let d = err(&src);
            assert_eq!(d.kind, ErrorKind::Regex(e.kind), "{src}");
            let text = d.span.text(&src);
            let got = if escaped {
                unescape(text)
            } else {
                text.to_string()
            };
            assert_eq!(got, want, "{src}: span {:?} for {:?}", d.span, e.at);
            checked += 1;
        }
    }
    assert!(checked > 2000, "{checked}");
}
