//! The explanation trace shared by KQL and EQL: one `Clause` per AST node that decides something,
//! with its verdict, its span in the query text and the event values it looked at. The page draws
//! exactly this, so it stays plain serde data.

use crate::diagnostic::Span;
use serde::Serialize;
use serde_json::Value;

/// Three outcomes, because "the field was not there" explains a verdict differently from "it had
/// another value" (Elasticsearch treats both as a non-match; EQL calls the first one null).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    True,
    False,
    Missing,
}

impl Verdict {
    pub fn is_true(self) -> bool {
        self == Verdict::True
    }
    pub fn from_bool(b: bool) -> Self {
        if b {
            Verdict::True
        } else {
            Verdict::False
        }
    }
}

/// One value the clause looked at.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Looked {
    /// Concrete path in the event, with array positions: `process.args[1]`.
    pub path: String,
    pub value: Value,
    pub matched: bool,
    /// The pattern or operand it was compared with, as the user wrote it (unescaped).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pattern: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Clause {
    /// `and`, `or`, `not`, `match`, `phrase`, `wildcard`, `exists`, `range`, `compare`, `in`,
    /// `function`, `category`, `all`, `freetext`, `nested`, `filter`, `exception`, ...
    pub kind: String,
    pub span: Span,
    pub verdict: Verdict,
    /// The field the clause is about, as written in the query.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub looked: Vec<Looked>,
    /// Plain words for the page: `process.parent.name is "postfix", not "exim4"`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub children: Vec<Clause>,
}

impl Clause {
    pub fn new(kind: impl Into<String>, span: Span, verdict: Verdict) -> Self {
        Clause {
            kind: kind.into(),
            span,
            verdict,
            field: None,
            looked: Vec::new(),
            message: None,
            children: Vec::new(),
        }
    }

    fn is_leaf(&self) -> bool {
        self.children.is_empty()
    }

    fn is_and(&self) -> bool {
        self.kind == "and"
    }

    fn is_or(&self) -> bool {
        self.kind == "or"
    }

    fn is_not(&self) -> bool {
        self.kind == "not"
    }
}

/// One clause of a near-miss summary.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct NearMiss {
    pub span: Span,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    pub verdict: Verdict,
    pub message: String,
}

/// The fewest leaf clauses whose outcome decided that `root` is not true: flipping all of them
/// would flip the verdict. `and` needs each failing child fixed, `or` needs its cheapest child,
/// `not` asks the dual question of its operand. Children of any other kind (functions, nested
/// groups) are treated like `and` over their children, or as a leaf when they have none.
pub fn near_miss(root: &Clause) -> Vec<NearMiss> {
    if root.verdict.is_true() {
        return Vec::new();
    }
    let mut out = Vec::new();
    collect(root, true, &mut out);
    out.into_iter()
        .map(|c| NearMiss {
            span: c.span,
            field: c.field.clone(),
            verdict: c.verdict,
            message: c.message.clone().unwrap_or_else(|| default_message(c)),
        })
        .collect()
}

fn default_message(c: &Clause) -> String {
    match (&c.field, c.verdict) {
        (Some(f), Verdict::Missing) => format!("{f} is missing"),
        (Some(f), _) => format!("{f} did not match"),
        (None, _) => format!(
            "{} clause was {}",
            c.kind,
            if c.verdict.is_true() { "true" } else { "false" }
        ),
    }
}

/// Leaves to flip so that `c` becomes `want`; empty when it already is.
fn collect<'a>(c: &'a Clause, want: bool, out: &mut Vec<&'a Clause>) {
    if c.verdict.is_true() == want {
        return;
    }
    if c.is_leaf() {
        out.push(c);
        return;
    }
    if c.is_not() {
        for child in &c.children {
            collect(child, !want, out);
        }
        return;
    }
    // Making an `and` true (or an `or` false) needs every child fixed; the other way round one
    // child suffices, so take the one needing the fewest flips.
    let all_needed = (c.is_and() && want) || (c.is_or() && !want) || (!c.is_and() && !c.is_or());
    if all_needed {
        for child in &c.children {
            collect(child, want, out);
        }
    } else {
        let best = c
            .children
            .iter()
            .map(|child| {
                let mut v = Vec::new();
                collect(child, want, &mut v);
                v
            })
            .filter(|v| !v.is_empty())
            .min_by_key(Vec::len);
        if let Some(v) = best {
            out.extend(v);
        }
    }
}

/// Everything the page needs to explain one event's verdict.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Trace {
    pub matched: bool,
    pub root: Clause,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub near_miss: Vec<NearMiss>,
}

impl Trace {
    pub fn new(root: Clause) -> Self {
        let matched = root.verdict.is_true();
        let near_miss = near_miss(&root);
        Trace {
            matched,
            root,
            near_miss,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn leaf(v: bool, start: usize) -> Clause {
        let mut c = Clause::new("match", Span::new(start, start + 1), Verdict::from_bool(v));
        c.field = Some(format!("f{start}"));
        c
    }

    fn node(kind: &str, v: bool, children: Vec<Clause>) -> Clause {
        let mut c = Clause::new(kind, Span::default(), Verdict::from_bool(v));
        c.children = children;
        c
    }

    #[test]
    fn and_lists_every_failing_child() {
        let t = node(
            "and",
            false,
            vec![leaf(true, 0), leaf(false, 1), leaf(false, 2)],
        );
        let spans: Vec<_> = near_miss(&t).iter().map(|n| n.span.start).collect();
        assert_eq!(spans, [1, 2]);
    }

    #[test]
    fn or_takes_the_cheapest_child() {
        let big = node("and", false, vec![leaf(false, 0), leaf(false, 1)]);
        let t = node("or", false, vec![big, leaf(false, 5)]);
        let spans: Vec<_> = near_miss(&t).iter().map(|n| n.span.start).collect();
        assert_eq!(spans, [5]);
    }

    #[test]
    fn not_asks_the_dual_question() {
        // not (a or b) is false because b is true: flipping b decides it.
        let inner = node("or", true, vec![leaf(false, 0), leaf(true, 1)]);
        let t = node(
            "and",
            false,
            vec![leaf(true, 3), node("not", false, vec![inner])],
        );
        let spans: Vec<_> = near_miss(&t).iter().map(|n| n.span.start).collect();
        assert_eq!(spans, [1]);
    }

    #[test]
    fn matched_trace_has_no_near_miss() {
        assert!(Trace::new(leaf(true, 0)).near_miss.is_empty());
    }
}
