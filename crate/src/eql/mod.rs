//! Elasticsearch EQL, laid out as the data flows: [`lexer`] → [`parser`] → [`ast`] (spans
//! everywhere) → `compile` (compiled nodes; [`regex`] for Lucene patterns) → [`eval`] (verdicts
//! over a JSON event or an event-view row; [`value`], [`functions`]) → `trace` (explanations).
//! Sequences and samples run in [`run`], [`sequence`] and [`sample`] over what [`stage`] shares.

pub mod ast;
mod compile;
pub mod eval;
mod fields;
mod fold;
pub mod functions;
pub mod hit_stream;
pub mod lexer;
pub mod optional;
pub mod parser;
pub mod regex;
pub mod run;
pub mod sample;
pub mod sequence;
pub mod stage;
mod trace;
pub mod value;
pub mod verify;

pub use eval::{Bound, CompiledEvent, CompiledExpr, Doc};
pub use value::EqlValue;

use crate::diagnostic::Diagnostic;
use crate::event::table::EventTable;
use crate::explain::Clause;
use serde_json::Value;

/// Parse EQL text into its syntax tree.
pub fn parse(src: &str) -> Result<ast::Query, Diagnostic> {
    parser::parse(src)
}

/// Parse and prepare a query for evaluation.
pub fn compile(src: &str) -> Result<EqlQuery, Diagnostic> {
    let query = parse(src)?;
    verify::check(&query, src)?;
    // Evaluate with unknown optional fields folded to `null` (see `optional`); the query as
    // written stays for explanations and edits.
    let mut folded = query.clone();
    let mut unknown_optional = Vec::new();
    for_each_condition(&mut folded, &mut |e| {
        optional::fold_unknown(e, &mut unknown_optional)
    });
    for_each_condition(&mut folded, &mut fold::fold_null_calls);
    let compiled = event_queries(&folded)
        .into_iter()
        .map(|q| CompiledEvent::new(q, src))
        .collect::<Result<_, _>>()?;
    let keys = join_keys(&query);
    Ok(EqlQuery {
        query,
        compiled,
        keys,
        unknown_optional,
    })
}

fn for_each_condition(q: &mut ast::Query, f: &mut dyn FnMut(&mut ast::Expr)) {
    match &mut q.body {
        ast::Body::Event(e) => f(&mut e.condition),
        ast::Body::Sequence(s) => s
            .steps
            .iter_mut()
            .chain(s.until.iter_mut())
            .for_each(|st| f(&mut st.query.condition)),
        ast::Body::Sample(s) => s.steps.iter_mut().for_each(|st| f(&mut st.query.condition)),
    }
}

/// The join keys of each event query of [`event_queries`]: the query-level `by` keys, then the
/// step's own (none for an event query).
fn join_keys(q: &ast::Query) -> Vec<Vec<stage::KeyExpr>> {
    match &q.body {
        ast::Body::Event(_) => vec![Vec::new()],
        ast::Body::Sequence(s) => s
            .steps
            .iter()
            .chain(s.until.iter())
            .map(|st| stage::KeyExpr::for_step(&s.by, &st.by))
            .collect(),
        ast::Body::Sample(s) => s
            .steps
            .iter()
            .map(|st| stage::KeyExpr::for_step(&s.by, &st.by))
            .collect(),
    }
}

/// The event query of an event query, or of each step (then `until`) of a sequence or sample.
fn event_queries(q: &ast::Query) -> Vec<&ast::EventQuery> {
    match &q.body {
        ast::Body::Event(e) => vec![e],
        ast::Body::Sequence(s) => s
            .steps
            .iter()
            .chain(s.until.iter())
            .map(|st| &st.query)
            .collect(),
        ast::Body::Sample(s) => s.steps.iter().map(|st| &st.query).collect(),
    }
}

/// An [`EqlQuery`] bound to an [`EventTable`] (see [`EqlQuery::bind`]).
pub struct Binding<'t> {
    /// One per compiled event query, in `EqlQuery::compiled` order.
    pub(crate) bound: Vec<eval::Bound<'t>>,
    /// Rows of the table.
    rows: usize,
}

/// A parsed EQL query ready to evaluate.
#[derive(Clone, Debug)]
pub struct EqlQuery {
    pub query: ast::Query,
    /// One per event query: the query itself, or each step then `until` (see `event_queries`).
    compiled: Vec<CompiledEvent>,
    /// The join keys of each of `compiled`, compiled once.
    keys: Vec<Vec<stage::KeyExpr>>,
    /// Optional fields read as `null` because nothing knows them (see `optional`), by span.
    unknown_optional: Vec<(String, crate::diagnostic::Span)>,
}

impl EqlQuery {
    /// Every field the query reads (steps, join keys, `until`), plus `event.category` when a
    /// step names a category.
    pub fn fields(&self) -> Vec<String> {
        fields::query_fields(&self.query)
    }

    /// Whether an optional field (`?field`) of the query is known only if some event has it:
    /// neither ECS nor the mappings define it, so its meaning waits for the events
    /// (`eql::optional`), and a reader cannot decide events before it has seen them all.
    pub fn optional_fields_wait_for_events(&self) -> bool {
        fields::optional_fields(&self.query)
            .iter()
            .any(|f| !optional::is_surely_known(f))
    }

    pub fn is_event_query(&self) -> bool {
        matches!(self.query.body, ast::Body::Event(_))
    }

    /// Event queries: category and condition hold (pipes ignored). Sequences and samples: whether
    /// the event would fill any step.
    pub fn matches(&self, event: &Value) -> bool {
        self.steps().iter().any(|c| c.matches(event))
    }

    /// Bind every compiled event query (steps, then `until`) to `table`'s columns, once per
    /// query and table; then [`EqlQuery::matches_row`] reads rows without touching JSON.
    pub fn bind<'t>(&self, table: &'t EventTable) -> Binding<'t> {
        Binding {
            bound: self.compiled.iter().map(|c| c.bind(table)).collect(),
            rows: table.len(),
        }
    }

    /// [`EqlQuery::matches`] on row `row` of the table `b` was bound to.
    pub fn matches_row(&self, b: &Binding, row: usize) -> bool {
        self.steps()
            .iter()
            .zip(&b.bound)
            .any(|(c, bound)| c.matches_row(bound, row))
    }

    /// The rows among `rows` (table rows, ascending) that compiled query `i` matches: step `i`,
    /// or `until` after the steps (see [`EqlQuery::until_index`]).
    pub fn filter_rows(&self, b: &Binding, i: usize, rows: &[u32]) -> Vec<u32> {
        let mut out = rows.to_vec();
        match (self.compiled.get(i), b.bound.get(i)) {
            (Some(c), Some(bound)) => c.filter_rows(bound, &mut out),
            _ => out.clear(),
        }
        out
    }

    /// [`EqlQuery::matches_row`] for every row of the bound table (indexed by row).
    pub fn matching_rows(&self, b: &Binding) -> Vec<bool> {
        let all: Vec<u32> = (0..b.rows).filter_map(|r| u32::try_from(r).ok()).collect();
        let mut hit = vec![false; b.rows];
        for i in 0..self.steps().len() {
            for r in self.filter_rows(b, i, &all) {
                hit[r as usize] = true;
            }
        }
        hit
    }

    /// The index of the `until` query among the compiled queries, when there is one.
    pub fn until_index(&self) -> Option<usize> {
        self.until().map(|_| self.compiled.len() - 1)
    }

    /// Whether the sequence's `until` query matches row `row`.
    pub fn until_matches_row(&self, b: &Binding, row: usize) -> bool {
        match (self.until(), b.bound.last()) {
            (Some(u), Some(bound)) => u.matches_row(bound, row),
            _ => false,
        }
    }

    /// The explanation trace of [`EqlQuery::matches`]: the event query's clause tree, or for a
    /// sequence/sample an `or` over the steps.
    pub fn explain(&self, event: &Value) -> Clause {
        let steps = self.steps();
        let mut c = if self.is_event_query() && steps.len() == 1 {
            steps[0].explain(event)
        } else {
            explain_steps(steps, self.query.span, event)
        };
        if !self.unknown_optional.is_empty() {
            optional::annotate(&mut c, &self.unknown_optional);
        }
        c
    }

    /// The compiled step queries (without `until`), or the single event query.
    pub fn steps(&self) -> &[CompiledEvent] {
        let n = match &self.query.body {
            ast::Body::Event(_) => 1,
            ast::Body::Sequence(s) => s.steps.len(),
            ast::Body::Sample(s) => s.steps.len(),
        };
        &self.compiled[..n.min(self.compiled.len())]
    }

    /// The compiled `until` query of a sequence.
    pub fn until(&self) -> Option<&CompiledEvent> {
        match &self.query.body {
            ast::Body::Sequence(s) if s.until.is_some() => self.compiled.last(),
            _ => None,
        }
    }
}

fn explain_steps(steps: &[CompiledEvent], span: crate::diagnostic::Span, event: &Value) -> Clause {
    let children: Vec<Clause> = steps.iter().map(|st| st.explain(event)).collect();
    let verdict = crate::explain::Verdict::from_bool(children.iter().any(|c| c.verdict.is_true()));
    let mut c = Clause::new("or", span, verdict);
    c.children = children;
    c
}
