//! Anchored glob matching in linear time. A pattern is literal text, `*` (any run, possibly
//! empty) and `?` (exactly one character; EQL only — KQL never produces it). Matching splits the
//! pattern at `*` and places each segment leftmost, which is correct for globs without
//! backtracking, so `*a*a*a…*b` against a long string stays fast.

/// A parsed pattern piece; the query languages resolve their own escapes before building these.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Piece {
    Lit(String),
    /// `*`
    Any,
    /// `?`
    One,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Atom {
    Char(char),
    One,
}

/// A run of atoms between two `*`.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Segment {
    atoms: Vec<Atom>,
    /// Set when the segment has no `?`, so `str::find` can place it.
    literal: Option<String>,
}

impl Segment {
    fn new(atoms: Vec<Atom>) -> Self {
        let literal = atoms
            .iter()
            .map(|a| match a {
                Atom::Char(c) => Some(*c),
                Atom::One => None,
            })
            .collect::<Option<String>>();
        Segment { atoms, literal }
    }

    /// Byte length of the match starting at `text[pos..]`, if the segment matches there.
    fn match_at(&self, text: &str, pos: usize) -> Option<usize> {
        if let Some(lit) = &self.literal {
            return text[pos..].starts_with(lit.as_str()).then_some(lit.len());
        }
        let mut chars = text[pos..].char_indices();
        for atom in &self.atoms {
            let (_, c) = chars.next()?;
            if let Atom::Char(want) = atom {
                if c != *want {
                    return None;
                }
            }
        }
        Some(chars.next().map_or(text.len() - pos, |(i, _)| i))
    }

    /// Leftmost match in `text[from..]`: (start, end) byte offsets.
    fn find(&self, text: &str, from: usize) -> Option<(usize, usize)> {
        if let Some(lit) = &self.literal {
            return text[from..]
                .find(lit.as_str())
                .map(|i| (from + i, from + i + lit.len()));
        }
        let mut pos = from;
        loop {
            if let Some(len) = self.match_at(text, pos) {
                return Some((pos, pos + len));
            }
            pos += text[pos..].chars().next()?.len_utf8();
        }
    }

    fn char_len(&self) -> usize {
        self.atoms.len()
    }
}

/// A compiled wildcard pattern. Case-insensitive patterns compare lowercased text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Wildcard {
    /// Segments between `*`s; `segments.len() == 1` means no `*` at all.
    segments: Vec<Segment>,
    case_insensitive: bool,
    source: String,
}

impl Wildcard {
    pub fn new(pieces: &[Piece], case_insensitive: bool) -> Self {
        let mut segments = vec![];
        let mut atoms = vec![];
        let mut source = String::new();
        for p in pieces {
            match p {
                Piece::Lit(s) => {
                    source.push_str(s);
                    let s = if case_insensitive {
                        s.to_lowercase()
                    } else {
                        s.clone()
                    };
                    atoms.extend(s.chars().map(Atom::Char));
                }
                Piece::One => {
                    source.push('?');
                    atoms.push(Atom::One);
                }
                Piece::Any => {
                    source.push('*');
                    segments.push(Segment::new(std::mem::take(&mut atoms)));
                }
            }
        }
        segments.push(Segment::new(atoms));
        Wildcard {
            segments,
            case_insensitive,
            source,
        }
    }

    /// A pattern that matches only `text` itself.
    pub fn literal(text: &str, case_insensitive: bool) -> Self {
        Self::new(&[Piece::Lit(text.to_string())], case_insensitive)
    }

    /// The pattern as text with `*` and `?` unescaped, for explanations.
    pub fn source(&self) -> &str {
        &self.source
    }

    pub fn has_wildcards(&self) -> bool {
        self.segments.len() > 1 || self.segments[0].literal.is_none()
    }

    /// `*` alone: matches any value (also the empty string).
    pub fn matches_everything(&self) -> bool {
        self.segments.iter().all(|s| s.atoms.is_empty())
    }

    pub fn is_match(&self, text: &str) -> bool {
        if self.case_insensitive {
            self.is_match_exact(&text.to_lowercase())
        } else {
            self.is_match_exact(text)
        }
    }

    fn is_match_exact(&self, text: &str) -> bool {
        let segs = &self.segments;
        if segs.len() == 1 {
            return segs[0].match_at(text, 0) == Some(text.len());
        }
        let Some(mut pos) = segs[0].match_at(text, 0) else {
            return false;
        };
        let last = &segs[segs.len() - 1];
        // The last segment is anchored at the end: find where it must start.
        let suffix_start = if last.char_len() == 0 {
            text.len()
        } else {
            match text.char_indices().rev().nth(last.char_len() - 1) {
                Some((i, _)) => i,
                None => return false,
            }
        };
        if suffix_start < pos
            || last.match_at(text, suffix_start) != Some(text.len() - suffix_start)
        {
            return false;
        }
        let middle = &text[..suffix_start];
        for seg in &segs[1..segs.len() - 1] {
            match seg.find(middle, pos) {
                Some((_, end)) => pos = end,
                None => return false,
            }
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Piece::*;

    fn w(p: &str, ci: bool) -> Wildcard {
        let pieces: Vec<Piece> = p
            .chars()
            .map(|c| match c {
                '*' => Any,
                '?' => One,
                c => Lit(c.to_string()),
            })
            .collect();
        Wildcard::new(&pieces, ci)
    }

    #[test]
    fn anchored_star_and_question() {
        let cases = [
            ("exim4", "exim4", true),
            ("exim4", "exim44", false),
            ("ex*", "exim4", true),
            ("*im4", "exim4", true),
            ("*im*", "exim4", true),
            ("*", "", true),
            ("a*b*c", "abc", true),
            ("a*b*c", "acb", false),
            (
                "?:\\Users\\*\\AppData\\*",
                "C:\\Users\\bob\\AppData\\x",
                true,
            ),
            ("?:\\Users\\*\\AppData\\*", "C:\\Users\\AppData\\x", false),
            ("\\\\*", "\\\\srv\\share", true),
            ("a?c", "abc", true),
            ("a?c", "ac", false),
            ("*é?", "xxéz", true),
            ("ab*ba", "aba", false),
            ("ab*ba", "abba", true),
        ];
        for (p, t, want) in cases {
            assert_eq!(w(p, false).is_match(t), want, "{p} ~ {t}");
        }
    }

    #[test]
    fn case_insensitive_lowercases_both() {
        assert!(w("foxmail.EXE", true).is_match("FoxMail.exe"));
        assert!(!w("foxmail.EXE", false).is_match("FoxMail.exe"));
    }

    #[test]
    fn pathological_pattern_is_linear() {
        let mut p = "*a".repeat(1000);
        p.push_str("*b");
        let text = "a".repeat(100_000);
        let t = std::time::Instant::now();
        assert!(!w(&p, false).is_match(&text));
        // Not a timing test: a quadratic or exponential matcher would take minutes here.
        assert!(t.elapsed().as_secs() < 5);
    }
}
