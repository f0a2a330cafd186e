//! Coverage of the query over the current events: for each clause, how many events it held for
//! and how many it decided (its outcome alone flipped would flip the query's verdict), and the
//! same for each value of an exclusion list. Clauses that hold for every event and values that
//! decide none are flagged: they do nothing in this sample. One trace per event, so the page
//! asks for it after the verdicts are on screen.

use super::*;
use crate::explain::Clause;
use std::collections::HashMap;

/// One clause of the query (by its span in the rule text).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ClauseCoverage {
    pub span: Span,
    pub kind: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// Events the clause held for.
    pub held: usize,
    /// Events whose query verdict this clause decided.
    pub decided: usize,
    /// Why the clause does nothing in this sample: it holds for every event.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub flag: Option<String>,
}

/// One value of an exclusion list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ValueCoverage {
    pub field: String,
    pub value: String,
    /// The item in the rule text.
    pub span: Span,
    /// Events whose field has the value.
    pub matched: usize,
    /// Events the value alone kept from matching.
    pub decided: usize,
    /// `cppcheck excludes no event in this sample`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub flag: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Coverage {
    pub events: usize,
    pub clauses: Vec<ClauseCoverage>,
    pub values: Vec<ValueCoverage>,
}

#[derive(Clone, Default)]
struct Tally {
    kind: String,
    field: Option<String>,
    held: usize,
    decided: usize,
    /// Held and decided: for a value of an exclusion list, the events it excluded alone.
    held_decided: usize,
}

/// A coverage pass part-way through the events: the page's worker runs it in steps, so that an
/// edit made meanwhile is evaluated without waiting for the whole pass.
#[derive(Clone, Default)]
pub(super) struct Pass {
    next: usize,
    tallies: HashMap<Span, Tally>,
    /// Clauses in the order first met.
    order: Vec<Span>,
    /// The query has no trace (ES|QL, ML): nothing to cover.
    untraceable: bool,
}

impl Session {
    /// Coverage of the query over the current events (see the module documentation); empty
    /// without a rule or a query that can be traced.
    pub fn coverage(&mut self) -> Coverage {
        loop {
            if let Some(c) = self.coverage_step(usize::MAX) {
                return c;
            }
        }
    }

    /// The coverage pass, `budget` more events at a time: `None` until the last step, which
    /// gives the coverage. A new rule, events, exceptions or "now" start the pass over.
    pub fn coverage_step(&mut self, budget: usize) -> Option<Coverage> {
        let mut pass = self.coverage.take().unwrap_or_default();
        let Some(loaded) = self.loaded.as_ref() else {
            return Some(Coverage::default());
        };
        let now = self.last.as_ref().map_or_else(|| self.now(), |r| r.now);
        let events = &self.parsed.events;
        let end = pass.next.saturating_add(budget.max(1)).min(events.len());
        for event in events.get(pass.next..end).unwrap_or_default() {
            let Some(trace) = loaded.trace(event, now) else {
                pass.untraceable = true;
                break;
            };
            let Pass { tallies, order, .. } = &mut pass;
            walk(&trace.root, true, &mut |c, critical| {
                if c.span == Span::default() {
                    return;
                }
                let t = tallies.entry(c.span).or_insert_with(|| {
                    order.push(c.span);
                    Tally {
                        kind: c.kind.clone(),
                        field: c.field.clone(),
                        ..Tally::default()
                    }
                });
                let held = c.verdict.is_true();
                t.held += usize::from(held);
                t.decided += usize::from(critical);
                t.held_decided += usize::from(held && critical);
            });
        }
        pass.next = end;
        if pass.untraceable {
            return Some(Coverage::default());
        }
        if end < events.len() {
            self.coverage = Some(pass);
            return None;
        }
        Some(self.coverage_of(&pass))
    }

    fn coverage_of(&self, pass: &Pass) -> Coverage {
        let n = self.parsed.events.len();
        let tallies = &pass.tallies;
        let clauses = pass
            .order
            .iter()
            .filter_map(|span| {
                let t = tallies.get(span)?;
                let flag = (n > 0 && t.held == n).then(|| {
                    format!(
                        "{} holds for every event in this sample",
                        self.source
                            .get(span.start..span.end)
                            .unwrap_or("this clause")
                    )
                });
                Some(ClauseCoverage {
                    span: *span,
                    kind: t.kind.clone(),
                    field: t.field.clone(),
                    held: t.held,
                    decided: t.decided,
                    flag,
                })
            })
            .collect();
        let mut values = Vec::new();
        for list in self.exclusions() {
            for item in &list.items {
                // The widest clause inside the item is the value's test (`F:a`, `F != "a"`).
                let t = tallies
                    .iter()
                    .filter(|(s, _)| item.span.start <= s.start && s.end <= item.span.end)
                    .max_by_key(|(s, _)| (s.end - s.start, std::cmp::Reverse(s.start)))
                    .map(|(_, t)| t);
                let (matched, decided) = t.map_or((0, 0), |t| (t.held, t.held_decided));
                values.push(ValueCoverage {
                    field: list.field.clone(),
                    value: item.value.clone(),
                    span: item.span,
                    matched,
                    decided,
                    flag: (decided == 0)
                        .then(|| format!("{} excludes no event in this sample", item.value)),
                });
            }
        }
        Coverage {
            events: n,
            clauses,
            values,
        }
    }
}

/// Visit `c` and its clauses with whether each one decided the root's verdict: flipping its
/// outcome alone would flip the root's. An `and` that holds needs every child, one that fails
/// is decided by its only failing child; `or` is the dual; `not` passes it on. Other kinds with
/// children (functions, nested groups) read as `and`, as the near-miss summary reads them.
fn walk(c: &Clause, critical: bool, f: &mut impl FnMut(&Clause, bool)) {
    f(c, critical);
    let held = c.verdict.is_true();
    let or = c.kind == "or";
    let count = |want: bool| {
        c.children
            .iter()
            .filter(|k| k.verdict.is_true() == want)
            .count()
    };
    let (alone_held, alone_failed) = (count(true) == 1, count(false) == 1);
    for child in &c.children {
        let k = child.verdict.is_true();
        let decides = match (c.kind.as_str(), or, held) {
            ("not", _, _) => true,
            (_, true, true) | (_, false, false) => {
                k == held && if held { alone_held } else { alone_failed }
            }
            (_, true, false) | (_, false, true) => true,
        };
        walk(child, critical && decides, f);
    }
}
