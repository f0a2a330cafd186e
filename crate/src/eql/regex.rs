//! Lucene regular expressions (what Elasticsearch's `regex`/`regex~` run, with the default
//! `ALL` flags), matched by a small Pike VM: anchored full match, `.` matches any character,
//! `\d \s \w` (and upper-case negations) are Lucene's classes, `\x` is a literal `x`, `"…"` is a
//! literal string, `@` is any string, `#` the empty language; `^`, `$` are ordinary characters.
//! Lucene-only operators with no linear-time equivalent (`&` intersection, `~` complement,
//! `<n-m>` numeric intervals) are rejected with a message.
//!
//! Why not a regex crate: the patterns are parsed here anyway (Lucene's syntax is not theirs), and
//! a Thompson-NFA simulation over this parse is a fraction of even `regex-lite`'s wasm size. It runs
//! in O(pattern × text) time. `regex~` folds ASCII letters only, which is what Elasticsearch 8 does
//! too: the regexp query's `case_insensitive` is Lucene's `RegExp.ASCII_CASE_INSENSITIVE`.
//! `regex-lite`, which this replaced, stays as a dev-dependency: the tests check both agree.

use crate::diagnostic::RegexErrorKind;
use std::ops::Range;
use std::sync::Arc;

/// Compiled-program limit (instructions) so a pathological pattern fails clearly instead of
/// eating memory and time (`x{100}{100}{100}` would need a million). Elasticsearch refuses such
/// patterns too (Lucene's 10,000-state determinization limit); every corpus regex is far below.
const MAX_INSTS: usize = 1 << 16;
/// Groups nested deeper than this are refused (the parser and compiler recurse on them).
const MAX_DEPTH: usize = 200;

/// Why a pattern does not compile, and where: `at` is a range of the pattern's characters
/// (not bytes), so the caller can point into the query text the pattern was written in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RegexError {
    pub kind: RegexErrorKind,
    pub message: String,
    pub at: Range<usize>,
}

impl std::fmt::Display for RegexError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for RegexError {}

fn error<T>(
    kind: RegexErrorKind,
    message: impl Into<String>,
    at: Range<usize>,
) -> Result<T, RegexError> {
    Err(RegexError {
        kind,
        message: message.into(),
        at,
    })
}

/// Compile a Lucene pattern into a matcher (an anchored full match). The query compiler calls
/// this once per pattern; matching never recompiles.
pub fn compile(pattern: &str, case_insensitive: bool) -> Result<Regex, RegexError> {
    let chars: Vec<char> = pattern.chars().collect();
    let mut p = Parser {
        chars: &chars,
        i: 0,
        depth: 0,
    };
    let node = p.alternation()?;
    if p.i < chars.len() {
        // Only a `)` stops the top-level alternation early.
        return error(
            RegexErrorKind::UnbalancedParenthesis,
            "invalid regular expression: unbalanced `)`",
            p.i..p.i + 1,
        );
    }
    let mut insts = Vec::new();
    if emit(&node, &mut insts).is_err() {
        return error(RegexErrorKind::TooLarge, TOO_LARGE, 0..chars.len());
    }
    insts.push(Inst::Match);
    Ok(Regex {
        prog: Arc::new(Prog {
            insts,
            ci: case_insensitive,
        }),
    })
}

/// A compiled Lucene regular expression; `is_match` is an anchored full match.
#[derive(Clone, Debug)]
pub struct Regex {
    prog: Arc<Prog>,
}

#[derive(Debug)]
struct Prog {
    insts: Vec<Inst>,
    ci: bool,
}

#[derive(Debug)]
enum Inst {
    Char(char),
    Any,
    Class(Class),
    /// Try both (an epsilon fork).
    Split(usize, usize),
    Jmp(usize),
    Match,
}

#[derive(Clone, Debug, Default)]
struct Class {
    ranges: Vec<(char, char)>,
    negated: bool,
}

impl Class {
    fn contains(&self, c: char, ci: bool) -> bool {
        let has = |x: char| self.ranges.iter().any(|&(lo, hi)| lo <= x && x <= hi);
        let found = has(c) || (ci && (has(c.to_ascii_lowercase()) || has(c.to_ascii_uppercase())));
        found != self.negated
    }
}

#[derive(Debug)]
enum Node {
    /// Matches the empty string.
    Empty,
    Char(char),
    Any,
    Class(Class),
    Concat(Vec<Node>),
    Alt(Vec<Node>),
    Repeat(Box<Node>, u32, Option<u32>),
}

impl Regex {
    pub fn is_match(&self, text: &str) -> bool {
        let prog = &self.prog;
        let n = prog.insts.len();
        let mut cur = Threads::new(n);
        let mut next = Threads::new(n);
        let mut stack = Vec::new();
        cur.add(&prog.insts, 0, &mut stack);
        for c in text.chars() {
            if cur.list.is_empty() {
                return false;
            }
            next.clear();
            for &pc in &cur.list {
                let ok = match &prog.insts[pc] {
                    Inst::Char(x) => *x == c || (prog.ci && x.eq_ignore_ascii_case(&c)),
                    Inst::Any => true,
                    Inst::Class(cls) => cls.contains(c, prog.ci),
                    _ => false,
                };
                if ok {
                    next.add(&prog.insts, pc + 1, &mut stack);
                }
            }
            std::mem::swap(&mut cur, &mut next);
        }
        cur.list
            .iter()
            .any(|&pc| matches!(prog.insts[pc], Inst::Match))
    }
}

/// The threads alive at one position: program counters in order, each once.
struct Threads {
    /// Instructions that read a character (or `Match`).
    list: Vec<usize>,
    /// Every instruction visited at this position, forks and jumps included.
    marked: Vec<usize>,
    seen: Vec<bool>,
}

impl Threads {
    fn new(n: usize) -> Self {
        Threads {
            list: Vec::new(),
            marked: Vec::new(),
            seen: vec![false; n],
        }
    }

    fn clear(&mut self) {
        for &pc in &self.marked {
            self.seen[pc] = false;
        }
        self.marked.clear();
        self.list.clear();
    }

    /// `pc` and everything reachable from it without reading a character (no recursion).
    fn add(&mut self, insts: &[Inst], pc: usize, stack: &mut Vec<usize>) {
        stack.push(pc);
        while let Some(pc) = stack.pop() {
            if pc >= insts.len() || self.seen[pc] {
                continue;
            }
            self.seen[pc] = true;
            self.marked.push(pc);
            match insts[pc] {
                Inst::Split(a, b) => {
                    stack.push(b);
                    stack.push(a);
                }
                Inst::Jmp(a) => stack.push(a),
                _ => self.list.push(pc),
            }
        }
    }
}

const TOO_LARGE: &str =
    "the regular expression is too large: more than 65,536 steps once its repetitions are expanded";

/// The program outgrew [`MAX_INSTS`].
struct TooLarge;

fn emit(node: &Node, out: &mut Vec<Inst>) -> Result<(), TooLarge> {
    if out.len() > MAX_INSTS {
        return Err(TooLarge);
    }
    match node {
        Node::Empty => {}
        Node::Char(c) => out.push(Inst::Char(*c)),
        Node::Any => out.push(Inst::Any),
        Node::Class(c) => out.push(Inst::Class(c.clone())),
        Node::Concat(items) => {
            for n in items {
                emit(n, out)?;
            }
        }
        Node::Alt(items) => {
            // split L1, next; L1: a; jmp end; next: split L2, … ; last alternative without a split
            let mut jumps = Vec::new();
            for (k, n) in items.iter().enumerate() {
                if k + 1 < items.len() {
                    let split = out.len();
                    out.push(Inst::Split(split + 1, 0));
                    emit(n, out)?;
                    jumps.push(out.len());
                    out.push(Inst::Jmp(0));
                    let next = out.len();
                    out[split] = Inst::Split(split + 1, next);
                } else {
                    emit(n, out)?;
                }
            }
            let end = out.len();
            for j in jumps {
                out[j] = Inst::Jmp(end);
            }
        }
        Node::Repeat(n, min, max) => {
            for _ in 0..*min {
                emit(n, out)?;
            }
            match max {
                None => {
                    // loop: split body, end; body; jmp loop
                    let split = out.len();
                    out.push(Inst::Split(split + 1, 0));
                    emit(n, out)?;
                    out.push(Inst::Jmp(split));
                    let end = out.len();
                    out[split] = Inst::Split(split + 1, end);
                }
                Some(max) => {
                    let mut splits = Vec::new();
                    for _ in *min..*max {
                        splits.push(out.len());
                        out.push(Inst::Split(0, 0));
                        emit(n, out)?;
                        if out.len() > MAX_INSTS {
                            return Err(TooLarge);
                        }
                    }
                    let end = out.len();
                    for s in splits {
                        out[s] = Inst::Split(s + 1, end);
                    }
                }
            }
        }
    }
    if out.len() > MAX_INSTS {
        return Err(TooLarge);
    }
    Ok(())
}

struct Parser<'a> {
    chars: &'a [char],
    i: usize,
    depth: usize,
}

fn class_escape(c: char) -> Option<(&'static [(char, char)], bool)> {
    const DIGIT: &[(char, char)] = &[('0', '9')];
    const SPACE: &[(char, char)] = &[('\t', '\n'), ('\r', '\r'), (' ', ' ')];
    const WORD: &[(char, char)] = &[('0', '9'), ('A', 'Z'), ('_', '_'), ('a', 'z')];
    Some(match c {
        'd' => (DIGIT, false),
        'D' => (DIGIT, true),
        's' => (SPACE, false),
        'S' => (SPACE, true),
        'w' => (WORD, false),
        'W' => (WORD, true),
        _ => return None,
    })
}

/// Lucene (following `java.util.regex`) refuses a backslash before a letter that is not one of
/// its classes (`\d \D \s \S \w \W`): Elasticsearch answers `\n` or `\t` with a parse error,
/// so they are errors here too rather than silently the letter itself. `at`: the backslash.
fn check_escape(c: char, at: usize) -> Result<char, RegexError> {
    if c.is_ascii_alphabetic() {
        return error(
            RegexErrorKind::InvalidEscape,
            format!(
                "invalid regular expression: `\\{c}` is not a Lucene escape (after a backslash a \
                 letter must be one of d D s S w W; write other characters without the backslash)"
            ),
            at..at + 2,
        );
    }
    Ok(c)
}

/// Every character outside `ranges` (sorted, disjoint).
fn complement(ranges: &[(char, char)]) -> Vec<(char, char)> {
    let mut out = Vec::new();
    let mut from = 0u32;
    for &(lo, hi) in ranges {
        if (lo as u32) > from {
            if let (Some(a), Some(b)) = (char::from_u32(from), char::from_u32(lo as u32 - 1)) {
                out.push((a, b));
            }
        }
        from = hi as u32 + 1;
    }
    if let Some(a) = char::from_u32(from) {
        out.push((a, char::MAX));
    }
    out
}

impl Parser<'_> {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.i).copied()
    }

    /// `a|b|…` up to the end or a `)`.
    fn alternation(&mut self) -> Result<Node, RegexError> {
        let mut alts = vec![self.concat()?];
        while self.peek() == Some('|') {
            self.i += 1;
            alts.push(self.concat()?);
        }
        Ok(if alts.len() == 1 {
            alts.pop().unwrap_or(Node::Empty)
        } else {
            Node::Alt(alts)
        })
    }

    fn concat(&mut self) -> Result<Node, RegexError> {
        let mut items = Vec::new();
        while let Some(c) = self.peek() {
            if c == '|' || c == ')' {
                break;
            }
            if matches!(c, '*' | '+' | '?' | '{') {
                let Some(atom) = items.pop() else {
                    return error(
                        RegexErrorKind::NothingToRepeat,
                        format!(
                            "invalid regular expression: `{c}` at position {} has nothing to repeat",
                            self.i
                        ),
                        self.i..self.i + 1,
                    );
                };
                let (min, max) = self.quantifier()?;
                items.push(Node::Repeat(Box::new(atom), min, max));
                continue;
            }
            items.push(self.atom()?);
        }
        Ok(Node::Concat(items))
    }

    /// `*`, `+`, `?`, `{n}`, `{n,}`, `{n,m}` at the current position.
    fn quantifier(&mut self) -> Result<(u32, Option<u32>), RegexError> {
        let at = self.i;
        let c = self.chars[at];
        self.i += 1;
        Ok(match c {
            '*' => (0, None),
            '+' => (1, None),
            '?' => (0, Some(1)),
            _ => {
                let start = self.i;
                let Some(end) = self.chars[start..]
                    .iter()
                    .position(|&x| x == '}')
                    .map(|p| start + p)
                else {
                    return error(
                        RegexErrorKind::InvalidRepetition,
                        "invalid regular expression: `{` without `}`",
                        at..self.chars.len(),
                    );
                };
                let body: String = self.chars[start..end].iter().collect();
                self.i = end + 1;
                let span = at..end + 1;
                let bad = || RegexError {
                    kind: RegexErrorKind::InvalidRepetition,
                    message: format!("invalid regular expression: bad repetition `{{{body}}}`"),
                    at: span.clone(),
                };
                let num = |s: &str| -> Result<u32, RegexError> {
                    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
                        return Err(bad());
                    }
                    s.parse()
                        .or_else(|_| error(RegexErrorKind::TooLarge, TOO_LARGE, span.clone()))
                };
                match body.split_once(',') {
                    None => {
                        let n = num(&body)?;
                        (n, Some(n))
                    }
                    Some((a, "")) => (num(a)?, None),
                    Some((a, b)) => {
                        let (min, max) = (num(a)?, num(b)?);
                        if min > max {
                            return Err(bad());
                        }
                        (min, Some(max))
                    }
                }
            }
        })
    }

    fn atom(&mut self) -> Result<Node, RegexError> {
        let at = self.i;
        let c = self.chars[at];
        self.i += 1;
        Ok(match c {
            '.' => Node::Any,
            '(' => {
                self.depth += 1;
                if self.depth > MAX_DEPTH {
                    return error(
                        RegexErrorKind::TooDeep,
                        format!(
                            "invalid regular expression: groups nest deeper than {MAX_DEPTH} levels"
                        ),
                        at..at + 1,
                    );
                }
                let inner = self.alternation()?;
                if self.peek() != Some(')') {
                    return error(
                        RegexErrorKind::UnclosedGroup,
                        "invalid regular expression: unclosed `(`",
                        at..at + 1,
                    );
                }
                self.i += 1;
                self.depth -= 1;
                inner
            }
            '[' => self.class()?,
            '"' => {
                let start = self.i;
                let Some(end) = self.chars[start..]
                    .iter()
                    .position(|&x| x == '"')
                    .map(|p| start + p)
                else {
                    return error(
                        RegexErrorKind::UnterminatedLiteral,
                        "invalid regular expression: unterminated `\"` literal",
                        at..self.chars.len(),
                    );
                };
                self.i = end + 1;
                Node::Concat(
                    self.chars[start..end]
                        .iter()
                        .map(|&x| Node::Char(x))
                        .collect(),
                )
            }
            '\\' => {
                let n = self.escaped(at)?;
                match class_escape(n) {
                    Some((ranges, negated)) => Node::Class(Class {
                        ranges: ranges.to_vec(),
                        negated,
                    }),
                    None => Node::Char(check_escape(n, at)?),
                }
            }
            '@' => Node::Repeat(Box::new(Node::Any), 0, None),
            // The empty language: a class no character is in.
            '#' => Node::Class(Class::default()),
            '&' | '~' => {
                return error(
                    RegexErrorKind::Unsupported,
                    format!(
                        "the Lucene regex operator `{c}` ({}) is not supported here",
                        if c == '&' {
                            "intersection"
                        } else {
                            "complement"
                        }
                    ),
                    at..at + 1,
                )
            }
            '<' => {
                let rest = &self.chars[self.i..];
                if let Some(p) = rest.iter().position(|&x| x == '>') {
                    let body: String = rest[..p].iter().collect();
                    let interval = body.split_once('-').is_some_and(|(a, b)| {
                        !a.is_empty()
                            && !b.is_empty()
                            && a.bytes().chain(b.bytes()).all(|x| x.is_ascii_digit())
                    });
                    if interval {
                        return error(
                            RegexErrorKind::Unsupported,
                            format!(
                                "the Lucene numeric interval `<{body}>` is not supported here; write the alternatives out"
                            ),
                            at..self.i + p + 1,
                        );
                    }
                }
                Node::Char('<')
            }
            other => Node::Char(other),
        })
    }

    /// The character after the backslash at `at` (consumed).
    fn escaped(&mut self, at: usize) -> Result<char, RegexError> {
        let Some(n) = self.peek() else {
            return error(
                RegexErrorKind::InvalidEscape,
                "invalid regular expression: trailing `\\`",
                at..at + 1,
            );
        };
        self.i += 1;
        Ok(n)
    }

    /// `[...]`, the position just after `[`. A `]` right after `[` or `[^` is a member.
    fn class(&mut self) -> Result<Node, RegexError> {
        let open = self.i - 1;
        let mut cls = Class::default();
        if self.peek() == Some('^') {
            cls.negated = true;
            self.i += 1;
        }
        let unterminated = |end: usize| {
            error(
                RegexErrorKind::UnterminatedClass,
                "invalid regular expression: unterminated `[` class",
                open..end,
            )
        };
        let mut empty = true;
        loop {
            let lo_at = self.i;
            let Some(c) = self.peek() else {
                return unterminated(self.chars.len());
            };
            self.i += 1;
            let lo = match c {
                ']' if !empty => return Ok(Node::Class(cls)),
                '\\' => {
                    let n = self.escaped(lo_at)?;
                    if let Some((ranges, negated)) = class_escape(n) {
                        // Lucene unions the predefined class in: `[\D]` is every non-digit.
                        if negated {
                            cls.ranges.extend(complement(ranges));
                        } else {
                            cls.ranges.extend_from_slice(ranges);
                        }
                        empty = false;
                        continue;
                    }
                    check_escape(n, lo_at)?
                }
                other => other,
            };
            empty = false;
            // `a-z`: a range when a member follows the `-`.
            if self.peek() == Some('-') && self.chars.get(self.i + 1).is_some_and(|&n| n != ']') {
                self.i += 1;
                let mut hi = self.chars[self.i];
                self.i += 1;
                if hi == '\\' {
                    let Some(escaped) = self.peek() else {
                        return unterminated(self.chars.len());
                    };
                    hi = escaped;
                    self.i += 1;
                    if class_escape(hi).is_some() {
                        return error(
                            RegexErrorKind::InvalidRange,
                            "invalid regular expression: a class escape cannot end a range",
                            lo_at..self.i,
                        );
                    }
                }
                if hi < lo {
                    return error(
                        RegexErrorKind::InvalidRange,
                        format!("invalid regular expression: range `{lo}-{hi}` is out of order"),
                        lo_at..self.i,
                    );
                }
                cls.ranges.push((lo, hi));
            } else {
                cls.ranges.push((lo, lo));
            }
        }
    }
}

/// The translation to `regex-lite` syntax this engine replaced, kept as the tests' oracle.
#[cfg(test)]
mod oracle {
    pub fn compile(pattern: &str, ci: bool) -> Option<regex_lite::Regex> {
        let translated = translate(pattern).ok()?;
        regex_lite::RegexBuilder::new(&format!("\\A(?s:{translated})\\z"))
            .case_insensitive(ci)
            .build()
            .ok()
    }

    fn escape_char(c: char, out: &mut String) {
        if c.is_alphanumeric() || c == '_' || c == ' ' {
            out.push(c);
        } else {
            let mut buf = [0u8; 4];
            out.push_str(&regex_lite::escape(c.encode_utf8(&mut buf)));
        }
    }

    fn class_escape(c: char) -> Option<&'static str> {
        Some(match c {
            'd' => "[0-9]",
            'D' => "[^0-9]",
            's' => "[ \\t\\n\\r]",
            'S' => "[^ \\t\\n\\r]",
            'w' => "[a-zA-Z0-9_]",
            'W' => "[^a-zA-Z0-9_]",
            _ => return None,
        })
    }

    /// Lucene syntax → `regex` crate syntax (unanchored; the caller anchors).
    pub fn translate(src: &str) -> Result<String, String> {
        let chars: Vec<char> = src.chars().collect();
        let mut out = String::new();
        // Start (in `out`) of the last atom, so a second quantifier (`a**`, `a*?`) can wrap it.
        let mut atom_start: Option<usize> = None;
        let mut last_was_quant = false;
        let mut groups: Vec<usize> = Vec::new();
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            match c {
                '*' | '+' | '?' | '{' => {
                    let Some(start) = atom_start else {
                        return Err(format!(
                            "invalid regular expression: `{c}` at position {i} has nothing to repeat"
                        ));
                    };
                    let quant = if c == '{' {
                        let end = chars[i..]
                            .iter()
                            .position(|&x| x == '}')
                            .map(|p| i + p)
                            .ok_or("invalid regular expression: `{` without `}`")?;
                        let body: String = chars[i + 1..end].iter().collect();
                        let ok = !body.is_empty()
                            && body.split(',').count() <= 2
                            && body.split(',').next().is_some_and(|n| {
                                !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit())
                            })
                            && body.bytes().all(|b| b.is_ascii_digit() || b == b',');
                        if !ok {
                            return Err(format!(
                                "invalid regular expression: bad repetition `{{{body}}}`"
                            ));
                        }
                        i = end;
                        format!("{{{body}}}")
                    } else {
                        c.to_string()
                    };
                    if last_was_quant {
                        // Lucene allows stacked quantifiers; the regex crate reads `*?` as lazy
                        // (same language for a full match) and rejects `**`: group the operand.
                        out.insert_str(start, "(?:");
                        out.push(')');
                    }
                    out.push_str(&quant);
                    last_was_quant = true;
                    i += 1;
                    continue;
                }
                _ => {}
            }
            last_was_quant = false;
            let here = out.len();
            match c {
                '.' => out.push('.'),
                '(' => {
                    groups.push(here);
                    out.push_str("(?:");
                    i += 1;
                    atom_start = None;
                    continue;
                }
                ')' => {
                    let Some(g) = groups.pop() else {
                        return Err("invalid regular expression: unbalanced `)`".into());
                    };
                    out.push(')');
                    atom_start = Some(g);
                    i += 1;
                    continue;
                }
                '|' => {
                    out.push('|');
                    atom_start = None;
                    i += 1;
                    continue;
                }
                '[' => {
                    i = class(&chars, i, &mut out)?;
                    atom_start = Some(here);
                    continue;
                }
                '"' => {
                    let end = chars[i + 1..]
                        .iter()
                        .position(|&x| x == '"')
                        .map(|p| i + 1 + p)
                        .ok_or("invalid regular expression: unterminated `\"` literal")?;
                    out.push_str("(?:");
                    for &x in &chars[i + 1..end] {
                        escape_char(x, &mut out);
                    }
                    out.push(')');
                    i = end;
                }
                '\\' => {
                    let Some(&n) = chars.get(i + 1) else {
                        return Err("invalid regular expression: trailing `\\`".into());
                    };
                    match class_escape(n) {
                        Some(cls) => out.push_str(cls),
                        None => escape_char(n, &mut out),
                    }
                    i += 1;
                }
                '@' => out.push_str("(?:.*)"),
                '#' => out.push_str("(?:[^\\x00-\\x{10FFFF}])"),
                '&' | '~' => {
                    return Err(format!(
                        "the Lucene regex operator `{c}` ({}) is not supported here",
                        if c == '&' {
                            "intersection"
                        } else {
                            "complement"
                        }
                    ))
                }
                '<' => {
                    let close = chars[i..].iter().position(|&x| x == '>');
                    let body: String = close
                        .map(|p| chars[i + 1..i + p].iter().collect())
                        .unwrap_or_default();
                    if close.is_some()
                        && body.split_once('-').is_some_and(|(a, b)| {
                            !a.is_empty()
                                && !b.is_empty()
                                && (a.to_owned() + b).bytes().all(|x| x.is_ascii_digit())
                        })
                    {
                        return Err(format!(
                            "the Lucene numeric interval `<{body}>` is not supported here; write the alternatives out"
                        ));
                    }
                    escape_char('<', &mut out);
                }
                other => escape_char(other, &mut out),
            }
            atom_start = Some(here);
            i += 1;
        }
        if !groups.is_empty() {
            return Err("invalid regular expression: unclosed `(`".into());
        }
        Ok(out)
    }

    /// A `[...]` class starting at `chars[i]`; returns the index after `]`.
    fn class(chars: &[char], mut i: usize, out: &mut String) -> Result<usize, String> {
        i += 1;
        out.push('[');
        if chars.get(i) == Some(&'^') {
            out.push('^');
            i += 1;
        }
        let mut empty = true;
        loop {
            let Some(&c) = chars.get(i) else {
                return Err("invalid regular expression: unterminated `[` class".into());
            };
            match c {
                ']' if !empty => {
                    out.push(']');
                    return Ok(i + 1);
                }
                '\\' => {
                    let Some(&n) = chars.get(i + 1) else {
                        return Err("invalid regular expression: trailing `\\`".into());
                    };
                    match class_escape(n) {
                        Some(cls) => out.push_str(&cls[1..cls.len() - 1].replace('^', "")),
                        None => escape_char(n, out),
                    }
                    i += 2;
                }
                '-' if !empty && chars.get(i + 1).is_some_and(|&n| n != ']') => {
                    out.push('-');
                    i += 1;
                    continue;
                }
                other => {
                    escape_char(other, out);
                    i += 1;
                }
            }
            empty = false;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(p: &str, s: &str) -> bool {
        compile(p, false).unwrap().is_match(s)
    }

    #[test]
    fn lucene_semantics() {
        assert!(m(".*?net1.*?", "c:\\net1 localgroup"));
        assert!(m("[24][0-9]{3}", "4755"));
        assert!(!m("[24][0-9]{3}", "14755"), "anchored");
        assert!(m("a^b$", "a^b$"), "^ and $ are literals");
        assert!(m("\\w+\\.pid", "sshd.pid"));
        assert!(m("\"a.b\"c", "a.bc"));
        assert!(!m("\"a.b\"c", "axbc"));
        assert!(m("a@", "abc"), "@ is any string");
        assert!(m("a**", "aaa"));
        assert!(m("[a\\-z]+", "a-z"));
        assert!(m("[^-]*[uz][^-]*", "xuy"));
        assert!(compile("(azure|sharp|blood)(hound)/.*", true)
            .unwrap()
            .is_match("AzureHound/x"));
        assert!(compile("a&b", false).is_err());
        assert!(compile("<1-5>", false).is_err());
        assert!(compile("(a", false).is_err());
        assert!(compile("*a", false).is_err());
        assert!(!m("#", ""), "# is the empty language");
        assert!(m("a#|b", "b"));
        assert!(m("\\d\\s\\w", "1 x"));
        assert!(m("[\\d\\w]+", "a1_"));
        assert!(m("é.ü", "é\u{1F600}ü"), ". is any code point");
        assert!(
            m("a\\&b\\~c\\#d", "a&b~c#d"),
            "escaped operators are literals"
        );
        assert!(m("[#&~]+", "#&~"));
        // A predefined class inside brackets is unioned in as Lucene does: `[\D]` is a non-digit.
        assert!(m("[\\D]+", "ab-é"));
        assert!(!m("[\\D]", "5"));
        assert!(m("[x\\S]", "y") && !m("[x\\S]", " "));
        // Lucene rejects a backslash before any other letter (ES answers with a parse error).
        for bad in ["a\\nb", "\\t", "[\\n]", "\\Q"] {
            let e = compile(bad, false).unwrap_err();
            assert_eq!(e.kind, RegexErrorKind::InvalidEscape, "{bad}: {e}");
        }
        assert!(
            m("\\\\n", "\\n"),
            "an escaped backslash then a letter is fine"
        );
        assert_eq!(
            compile("x{100}{100}{100}", false).unwrap_err().kind,
            RegexErrorKind::TooLarge
        );
    }

    /// Same verdicts as the `regex-lite` translation on generated patterns and texts: which
    /// patterns compile, and what each matches, with and without case folding.
    #[test]
    fn agrees_with_the_regex_lite_translation() {
        const TOKENS: &[&str] = &[
            "a", "b", "A", "é", ".", "*", "+", "?", "{2}", "{1,3}", "{2,}", "{0,1}", "(", ")", "|",
            "[ab]", "[^a]", "[a-c]", "[]a]", "[a-]", "[\\d_]", "\\d", "\\w", "\\s", "\\D", "\\W",
            "\"ab\"", "@", "#", "-", "^", "$", "[^\\d]", "[a\\-z]", "\"\"", "()", "<1>", "(|a)",
            "[.*]", "\\.", "\\*", " ",
        ];
        const ALPHABET: &[char] = &[
            'a', 'b', 'A', 'B', 'c', 'é', '1', ' ', '_', '-', '.', '*', '\n',
        ];
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = |n: usize| {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((seed >> 33) as usize) % n
        };
        let (mut compiled, mut checked) = (0, 0);
        for _ in 0..4000 {
            let pattern: String = (0..1 + next(6))
                .map(|_| TOKENS[next(TOKENS.len())])
                .collect();
            for ci in [false, true] {
                let ours = compile(&pattern, ci);
                let theirs = oracle::compile(&pattern, ci);
                assert_eq!(
                    ours.is_ok(),
                    theirs.is_some(),
                    "{pattern:?}: {:?}",
                    ours.err()
                );
                let (Ok(ours), Some(theirs)) = (ours, theirs) else {
                    continue;
                };
                compiled += 1;
                for _ in 0..25 {
                    let text: String = (0..next(7))
                        .map(|_| ALPHABET[next(ALPHABET.len())])
                        .collect();
                    assert_eq!(
                        ours.is_match(&text),
                        theirs.is_match(&text),
                        "{pattern:?} on {text:?} (ci {ci})"
                    );
                    checked += 1;
                }
            }
        }
        assert!(compiled > 2000 && checked > 50_000, "{compiled} {checked}");
    }

    /// `regex~` folds ASCII letters only, as Elasticsearch 8's `ASCII_CASE_INSENSITIVE` flag does.
    #[test]
    fn case_insensitive_is_ascii() {
        let ci = |p: &str, s: &str| compile(p, true).unwrap().is_match(s);
        assert!(ci("cmd\\.exe", "CMD.EXE"));
        assert!(ci("[a-c]x", "BX"));
        assert!(!ci("é", "É"));
    }
}
