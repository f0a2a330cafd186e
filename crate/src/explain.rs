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
    /// What the clause's outcome did to the event's verdict (set by [`Trace::new`]): a true
    /// clause under a `not` works against the match.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub effect: Option<Effect>,
    /// An `or` over the values of one field, `field:(a or b or c)`: the page shows it as one
    /// line (its message) with the values collapsed.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub list: bool,
}

/// A clause's part in the event's verdict.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Effect {
    /// Its outcome is what the query needs for a match.
    Helps,
    /// Its outcome stands in the way of a match.
    Hurts,
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
            effect: None,
            list: false,
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
    collect(root, true, false, &mut out);
    out.into_iter()
        .map(
            |Flip {
                 clause: c,
                 want,
                 in_list,
             }| NearMiss {
                span: c.span,
                field: c.field.clone(),
                verdict: c.verdict,
                message: if want {
                    c.message.clone().unwrap_or_else(|| default_message(c))
                } else {
                    exclusion(c, in_list)
                },
            },
        )
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

/// A clause that held but, under a `not`, kept the event out: named by what the query says,
/// `excluded by process.name:(… sort …)` for one value of a list.
fn exclusion(c: &Clause, in_list: bool) -> String {
    let pattern = c
        .looked
        .iter()
        .find(|l| l.matched)
        .and_then(|l| l.pattern.as_deref());
    match (&c.field, pattern) {
        (Some(f), Some(p)) if in_list => format!("excluded by {f}:(… {p} …)"),
        (Some(f), Some(p)) => match &c.message {
            Some(m) => format!("excluded by {f}:{p} ({m})"),
            None => format!("excluded by {f}:{p}"),
        },
        _ => format!(
            "excluded because {}",
            c.message.clone().unwrap_or_else(|| default_message(c))
        ),
    }
}

/// A leaf to flip, whether it must become true, and whether it is one value of a value list.
struct Flip<'a> {
    clause: &'a Clause,
    want: bool,
    in_list: bool,
}

/// Leaves to flip so that `c` becomes `want`; empty when it already is.
fn collect<'a>(c: &'a Clause, want: bool, in_list: bool, out: &mut Vec<Flip<'a>>) {
    if c.verdict.is_true() == want {
        return;
    }
    if c.is_leaf() {
        out.push(Flip {
            clause: c,
            want,
            in_list,
        });
        return;
    }
    if c.is_not() {
        for child in &c.children {
            collect(child, !want, false, out);
        }
        return;
    }
    // Making an `and` true (or an `or` false) needs every child fixed; the other way round one
    // child suffices, so take the one needing the fewest flips.
    let all_needed = (c.is_and() && want) || (c.is_or() && !want) || (!c.is_and() && !c.is_or());
    if all_needed {
        for child in &c.children {
            collect(child, want, c.list, out);
        }
    } else {
        let best = c
            .children
            .iter()
            .map(|child| {
                let mut v = Vec::new();
                collect(child, want, c.list, &mut v);
                v
            })
            .filter(|v| !v.is_empty())
            .min_by_key(Vec::len);
        if let Some(v) = best {
            out.extend(v);
        }
    }
}

/// Sets every clause's [`Effect`] (`positive`: an even number of `not`s above it) and words for
/// value lists and their negations.
fn annotate(c: &mut Clause, positive: bool) {
    c.effect = Some(if c.verdict.is_true() == positive {
        Effect::Helps
    } else {
        Effect::Hurts
    });
    let below = if c.is_not() { !positive } else { positive };
    for child in &mut c.children {
        annotate(child, below);
    }
    if c.is_or() && is_value_list(&c.children) {
        c.list = true;
        c.message = Some(list_words(c, false));
    }
    if c.is_not() {
        if let [list] = c.children.as_slice() {
            if list.list {
                c.message = Some(list_words(list, true));
            }
        }
    }
}

/// Two or more plain value tests on one field: what `field:(a or b)` compiles to.
fn is_value_list(children: &[Clause]) -> bool {
    let Some(field) = children.first().and_then(|c| c.field.as_ref()) else {
        return false;
    };
    children.len() >= 2
        && children.iter().all(|c| {
            c.is_leaf()
                && c.field.as_ref() == Some(field)
                && matches!(c.kind.as_str(), "match" | "phrase" | "wildcard")
        })
}

/// `process.name "sort" is in the exclusion list (14 of 15)`: the event's value and where it
/// sits in the list, or that it is in none of it.
fn list_words(list: &Clause, exclusion: bool) -> String {
    let n = list.children.len();
    let field = list
        .children
        .first()
        .and_then(|c| c.field.as_deref())
        .unwrap_or("the field");
    let what = if exclusion {
        "the exclusion list"
    } else {
        "the list"
    };
    if let Some(i) = list.children.iter().position(|c| c.verdict.is_true()) {
        let value = list.children[i]
            .looked
            .iter()
            .find(|l| l.matched)
            .map_or_else(String::new, |l| format!(" {}", show(&l.value)));
        return format!("{field}{value} is in {what} ({} of {n})", i + 1);
    }
    let looked = list.children.first().map_or(&[][..], |c| &c.looked[..]);
    match looked {
        [] => format!("{field} is missing, so it is not in {what} ({n} values)"),
        [one] => format!("{field} {} is not in {what} ({n} values)", show(&one.value)),
        many => {
            let values: Vec<String> = many.iter().map(|l| show(&l.value)).collect();
            format!(
                "{field} [{}] has no value in {what} ({n} values)",
                values.join(", ")
            )
        }
    }
}

fn show(v: &Value) -> String {
    let s = v.to_string();
    match s.char_indices().nth(60) {
        Some((cut, _)) => format!("{}…", &s[..cut]),
        None => s,
    }
}

/// Whether a clause that is not the deciding one held for the match: a true clause not under a
/// `not`. Without one, an event one clause away from matching is no near miss (a one-clause
/// query has none).
fn positive_held(c: &Clause) -> bool {
    if c.is_leaf() {
        return c.verdict.is_true() && c.effect == Some(Effect::Helps);
    }
    c.children.iter().any(positive_held)
}

/// Everything the page needs to explain one event's verdict.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Trace {
    pub matched: bool,
    pub root: Clause,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub near_miss: Vec<NearMiss>,
    /// One clause away from matching while another positive clause held.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub near: bool,
    /// What decided a non-match, in one line: `Near miss: excluded by process.name:(… sort …)`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub headline: Option<String>,
}

impl Trace {
    pub fn new(mut root: Clause) -> Self {
        annotate(&mut root, true);
        let matched = root.verdict.is_true();
        let near_miss = near_miss(&root);
        let near = near_miss.len() == 1 && positive_held(&root);
        let headline = match near_miss.as_slice() {
            [] => None,
            [one] if near => Some(format!("Near miss: {}", one.message)),
            [one] => Some(format!("Did not match: {}", one.message)),
            many => Some(format!(
                "Did not match: {} clauses would have to change",
                many.len()
            )),
        };
        Trace {
            matched,
            root,
            near_miss,
            near,
            headline,
        }
    }

    /// Whether a positive clause held (see [`Trace::near`]).
    pub fn positive_held(&self) -> bool {
        positive_held(&self.root)
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

    /// `process.name:<pattern>` tested against the event's `value`.
    fn value(pattern: &str, value: &str, start: usize) -> Clause {
        let matched = pattern == value;
        let mut c = Clause::new(
            "match",
            Span::new(start, start + pattern.len()),
            Verdict::from_bool(matched),
        );
        c.field = Some("process.name".into());
        c.looked = vec![Looked {
            path: "process.name".into(),
            value: Value::String(value.into()),
            matched,
            pattern: Some(pattern.into()),
        }];
        c
    }

    /// `host.os.type:linux and not process.name:(a or b or sort or c)` for an event whose
    /// process is `name`.
    fn exim_like(name: &str) -> Clause {
        let values: Vec<Clause> = ["a", "b", "sort", "c"]
            .iter()
            .enumerate()
            .map(|(i, p)| value(p, name, 10 * i))
            .collect();
        let hit = values.iter().any(|c| c.verdict.is_true());
        let list = node("or", hit, values);
        let not = node("not", !hit, vec![list]);
        node("and", !hit, vec![leaf(true, 100), not])
    }

    #[test]
    fn a_negated_value_list_reads_as_one_line() {
        let t = Trace::new(exim_like("sort"));
        let not = &t.root.children[1];
        assert_eq!(
            not.message.as_deref(),
            Some("process.name \"sort\" is in the exclusion list (3 of 4)")
        );
        assert!(not.children[0].list);
        let t = Trace::new(exim_like("bash"));
        assert_eq!(
            t.root.children[1].message.as_deref(),
            Some("process.name \"bash\" is not in the exclusion list (4 values)")
        );
        let list = Trace::new(node(
            "or",
            false,
            vec![value("a", "x", 0), value("b", "x", 2)],
        ));
        assert_eq!(
            list.root.message.as_deref(),
            Some("process.name \"x\" is not in the list (2 values)")
        );
    }

    #[test]
    fn the_headline_names_the_deciding_clause() {
        let t = Trace::new(exim_like("sort"));
        assert!(t.near);
        assert_eq!(t.near_miss.len(), 1);
        assert_eq!(
            t.near_miss[0].message,
            "excluded by process.name:(… sort …)"
        );
        assert_eq!(
            t.headline.as_deref(),
            Some("Near miss: excluded by process.name:(… sort …)")
        );
        assert_eq!(Trace::new(exim_like("bash")).headline, None);
    }

    #[test]
    fn effects_follow_the_nots_above() {
        let t = Trace::new(exim_like("sort"));
        let not = &t.root.children[1];
        let list = &not.children[0];
        assert_eq!(t.root.children[0].effect, Some(Effect::Helps));
        assert_eq!(not.effect, Some(Effect::Hurts));
        // The list held, which under the `not` works against the match: no green mark.
        assert_eq!(list.verdict, Verdict::True);
        assert_eq!(list.effect, Some(Effect::Hurts));
        assert_eq!(list.children[2].effect, Some(Effect::Hurts));
        assert_eq!(list.children[0].effect, Some(Effect::Helps));
    }

    #[test]
    fn a_near_miss_needs_another_positive_clause_that_held() {
        // One clause, one clause away: not a near miss.
        let one = Trace::new(value("bash", "sort", 0));
        assert_eq!(one.near_miss.len(), 1);
        assert!(!one.near);
        assert_eq!(
            one.headline.as_deref(),
            Some("Did not match: process.name did not match")
        );
        let excluded = Trace::new(node("not", false, vec![value("sort", "sort", 4)]));
        assert!(!excluded.near);
        // A failing clause beside one that held is.
        let two = Trace::new(node("and", false, vec![leaf(true, 0), leaf(false, 1)]));
        assert!(two.near);
        // Two failing clauses are not, whatever held.
        let three = Trace::new(node(
            "and",
            false,
            vec![leaf(true, 0), leaf(false, 1), leaf(false, 2)],
        ));
        assert!(!three.near);
        assert_eq!(
            three.headline.as_deref(),
            Some("Did not match: 2 clauses would have to change")
        );
    }
}
