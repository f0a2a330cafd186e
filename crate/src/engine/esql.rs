//! The `esql` rule type. Kibana sends an ES|QL rule's query with the rule's filters and its
//! exceptions as the request's `filter` (`buildEsqlSearchRequest` in Kibana's security solution,
//! `rule_types/esql/build_esql_search_request.ts`), so both remove documents before `FROM` reads
//! them. A query without `STATS` alerts once per output row (one per `_id` when `METADATA _id`
//! is asked for); an aggregating query alerts once per output row, for the events grouped into it.
//!
//! Per event, for the page: "alert" when it is a source of an output row; otherwise the command
//! where it dropped out says whether it matched (it got past every filter before the first
//! `STATS`, or only `LIMIT` cut it) or not.

use crate::diagnostic::{Diagnostic, Span};
use serde::Serialize;
use serde_json::Value;

/// One column of the output table.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct EsqlColumn {
    pub name: String,
    /// ES|QL's type name (`keyword`, `long`, …).
    #[serde(rename = "type")]
    pub ty: String,
}

/// One command of the pipeline and the rows that left it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct EsqlStage {
    pub command: String,
    /// The command in the loaded source (in a rule file: its place in the file).
    pub span: Span,
    pub rows_after: usize,
}

/// What an ES|QL rule's run shows besides per-event verdicts.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct EsqlReport {
    /// The output columns, as the query's `KEEP` (or `STATS`) leaves them.
    pub columns: Vec<EsqlColumn>,
    pub rows: Vec<Vec<Value>>,
    /// Per output row, the events (indices into the events given) behind it.
    pub sources: Vec<Vec<usize>>,
    pub stages: Vec<EsqlStage>,
    /// How many alerts the rule makes: one per output row (rows of one `_id` count once when
    /// the query reads `METADATA _id` and does not aggregate).
    pub alerts: usize,
    pub aggregates: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
    /// The query failed on these events (a runtime error Elasticsearch would return).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<Diagnostic>,
}

/// An ES|QL rule's account of one event.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct EsqlEventExplanation {
    /// The index into the report's stages of the command where the event dropped out.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dropped_at: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stage: Option<EsqlStage>,
    /// The output rows the event is a source of.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub rows: Vec<usize>,
    /// The events grouped with it into those rows (itself included), for aggregated rows.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub grouped_with: Vec<usize>,
    /// The rule removed it before the query: its filters or an exception.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub removed_before_query: bool,
}

#[cfg(feature = "esql")]
mod run {
    use super::*;
    use crate::engine::{EventVerdict, Explanation, Loaded, RunOptions, RunResult, Status};
    use crate::esql::rule::{cell_json, RuleQuery};
    use crate::esql::Outcome;
    use crate::exceptions::ExceptionSet;
    use crate::explain::Trace;

    /// One pipeline run over a subset of the events, indices mapped back.
    struct SubRun {
        outcome: Outcome,
        /// Subset position → index into all events.
        keep: Vec<usize>,
        /// Index into all events → subset position.
        pos: Vec<Option<usize>>,
    }

    impl SubRun {
        fn new(
            q: &RuleQuery,
            events: &[Value],
            keep: Vec<usize>,
            now: i64,
        ) -> Result<Self, Diagnostic> {
            let subset: Vec<Value> = keep.iter().map(|&i| events[i].clone()).collect();
            let outcome = q.evaluate(&subset, now)?;
            let mut pos = vec![None; events.len()];
            for (p, &i) in keep.iter().enumerate() {
                pos[i] = Some(p);
            }
            Ok(SubRun { outcome, keep, pos })
        }

        fn is_source(&self, i: usize) -> bool {
            self.pos[i].is_some_and(|p| self.outcome.sources.iter().any(|s| s.contains(&p)))
        }

        fn dropped_at(&self, i: usize) -> Option<usize> {
            self.pos[i].and_then(|p| self.outcome.dropped_at.get(p).copied().flatten())
        }
    }

    impl Loaded {
        fn esql_span(&self, s: Span) -> Span {
            match self.rule.as_ref().and_then(|r| r.query_pos.as_ref()) {
                Some(pos) => pos.span_to_file(s),
                None => s,
            }
        }

        fn esql_stages(&self, o: &Outcome) -> Vec<EsqlStage> {
            o.stages
                .iter()
                .map(|s| EsqlStage {
                    command: s.command.clone(),
                    span: self.esql_span(s.span),
                    rows_after: s.rows_after,
                })
                .collect()
        }

        /// The events the rule's search reads (filters passed, no exception) and those only
        /// the exceptions removed.
        fn esql_inputs(
            &self,
            events: &[Value],
            exceptions: &ExceptionSet,
        ) -> (Vec<usize>, Vec<usize>) {
            let mut kept = Vec::new();
            let mut excepted = Vec::new();
            for (i, e) in events.iter().enumerate() {
                if !self.filters_pass(e) {
                    continue;
                }
                if exceptions.matching_item(e).is_some() {
                    excepted.push(i);
                } else {
                    kept.push(i);
                }
            }
            (kept, excepted)
        }

        pub(in crate::engine) fn run_esql(
            &self,
            q: &RuleQuery,
            events: &[Value],
            opts: &RunOptions,
            now: i64,
        ) -> RunResult {
            let exceptions = self.exception_set(opts, now);
            let mut notes = self.run_notes(opts, &exceptions);
            let (kept, excepted) = self.esql_inputs(events, &exceptions);
            let main = match SubRun::new(q, events, kept, now) {
                Ok(r) => r,
                Err(d) => {
                    notes.push(format!("the ES|QL query failed: {}", d.message));
                    return self.esql_failed(events, notes, now, d);
                }
            };
            // What the excepted events would have done without their exceptions: an event the
            // exception kept from an alert is "suppressed", as for the other rule types.
            let unexcepted = if excepted.is_empty() {
                None
            } else {
                let mut all: Vec<usize> = main.keep.iter().chain(&excepted).copied().collect();
                all.sort_unstable();
                SubRun::new(q, events, all, now).ok()
            };
            let stages = self.esql_stages(&main.outcome);
            let first_stats = q.first_stats();
            let verdicts = (0..events.len())
                .map(|i| {
                    let ev = &events[i];
                    let (matched, status, reason) = if !self.filters_pass(ev) {
                        (
                            false,
                            Status::NoMatch,
                            Some("removed by the rule's filters before the query".to_string()),
                        )
                    } else if let Some(item) = exceptions.matching_item(ev) {
                        let would = unexcepted.as_ref().is_some_and(|u| u.is_source(i));
                        if would {
                            (
                                true,
                                Status::Suppressed,
                                Some(format!("removed by {}", exceptions.describe(item))),
                            )
                        } else {
                            (
                                false,
                                Status::NoMatch,
                                Some(format!(
                                    "removed by {} (it would not have alerted either)",
                                    exceptions.describe(item)
                                )),
                            )
                        }
                    } else if main.is_source(i) {
                        (true, Status::Alert, None)
                    } else {
                        match main.dropped_at(i) {
                            Some(s) => {
                                let grouped = first_stats.is_some_and(|f| s > f);
                                let limit = main
                                    .outcome
                                    .stages
                                    .get(s)
                                    .is_some_and(|st| st.command == "LIMIT");
                                let matched = grouped || limit;
                                let reason = stages
                                    .get(s)
                                    .map(|st| dropped_reason(st, s, stages.len(), grouped));
                                (
                                    matched,
                                    if matched {
                                        Status::Match
                                    } else {
                                        Status::NoMatch
                                    },
                                    reason,
                                )
                            }
                            None => (false, Status::NoMatch, None),
                        }
                    };
                    EventVerdict {
                        index: i,
                        matched,
                        alert: status == Status::Alert,
                        status,
                        reason,
                        misses: None,
                    }
                })
                .collect();
            let o = &main.outcome;
            let sources: Vec<Vec<usize>> = o
                .sources
                .iter()
                .map(|s| s.iter().map(|&p| main.keep[p]).collect())
                .collect();
            let alerts = alert_count(q, o);
            RunResult {
                events: verdicts,
                notes,
                now,
                esql: Some(Box::new(EsqlReport {
                    columns: o
                        .table
                        .columns
                        .iter()
                        .map(|c| EsqlColumn {
                            name: c.name.clone(),
                            ty: c.ty.name().to_string(),
                        })
                        .collect(),
                    rows: o
                        .table
                        .rows
                        .iter()
                        .map(|r| r.iter().map(cell_json).collect())
                        .collect(),
                    sources,
                    stages,
                    alerts,
                    aggregates: q.aggregates(),
                    warnings: o.warnings.clone(),
                    error: None,
                })),
                ..RunResult::default()
            }
        }

        fn esql_failed(
            &self,
            events: &[Value],
            notes: Vec<String>,
            now: i64,
            d: Diagnostic,
        ) -> RunResult {
            let mut d = d;
            d.span = self.esql_span(d.span);
            RunResult {
                events: (0..events.len())
                    .map(|i| EventVerdict {
                        index: i,
                        matched: false,
                        alert: false,
                        status: Status::NoMatch,
                        reason: None,
                        misses: None,
                    })
                    .collect(),
                notes,
                now,
                esql: Some(Box::new(EsqlReport {
                    columns: Vec::new(),
                    rows: Vec::new(),
                    sources: Vec::new(),
                    stages: Vec::new(),
                    alerts: 0,
                    aggregates: false,
                    warnings: Vec::new(),
                    error: Some(d),
                })),
                ..RunResult::default()
            }
        }

        /// The explanation of event `index` of an ES|QL run: where it dropped out, the `WHERE`
        /// clause tree that dropped it (in `trace`), the rows it is a source of.
        pub(in crate::engine) fn explain_esql(
            &self,
            q: &RuleQuery,
            events: &[Value],
            result: &RunResult,
            index: usize,
            opts: &RunOptions,
        ) -> Explanation {
            let v = result.events.get(index);
            let exceptions = self.exception_set(opts, result.now);
            let event = &events[index];
            let removed = !self.filters_pass(event) || exceptions.matching_item(event).is_some();
            let mut esql = EsqlEventExplanation {
                dropped_at: None,
                stage: None,
                rows: Vec::new(),
                grouped_with: Vec::new(),
                removed_before_query: removed,
            };
            let mut trace = None;
            // An event the rule removed before the query is explained by what the query would
            // have done with it.
            let (kept, excepted) = self.esql_inputs(events, &exceptions);
            let mut set = kept;
            if removed {
                set.extend(excepted);
                set.push(index);
                set.sort_unstable();
                set.dedup();
            }
            if let Ok(run) = SubRun::new(q, events, set, result.now) {
                let o = &run.outcome;
                if let Some(p) = run.pos[index] {
                    for (r, s) in o.sources.iter().enumerate() {
                        if s.contains(&p) {
                            esql.rows.push(r);
                            if q.aggregates() {
                                esql.grouped_with.extend(s.iter().map(|&x| run.keep[x]));
                            }
                        }
                    }
                    esql.grouped_with.sort_unstable();
                    esql.grouped_with.dedup();
                    esql.dropped_at = run.dropped_at(index);
                    esql.stage = esql
                        .dropped_at
                        .and_then(|s| self.esql_stages(o).into_iter().nth(s));
                    let subset: Vec<Value> = run.keep.iter().map(|&i| events[i].clone()).collect();
                    if let Some(w) = q.explain_where(&subset, o, p, result.now) {
                        let mut clause = w.clause;
                        super::super::map_spans(&mut clause, &|s| self.esql_span(s));
                        trace = Some(Trace::new(clause));
                    }
                }
            }
            Explanation {
                index,
                status: v.map_or(Status::NoMatch, |v| v.status),
                matched: v.is_some_and(|v| v.matched),
                alert: v.is_some_and(|v| v.alert),
                reason: v.and_then(|v| v.reason.clone()),
                trace,
                exceptions: exceptions.explain(event),
                sequences: Vec::new(),
                esql: Some(esql),
            }
        }
    }

    /// Output rows, or for an event-level query with `METADATA _id`, distinct ids.
    fn alert_count(q: &RuleQuery, o: &Outcome) -> usize {
        let id_col = o.table.columns.iter().position(|c| c.name == "_id");
        match id_col {
            Some(c) if q.has_metadata_id() && !q.aggregates() => {
                let mut seen: Vec<Value> = Vec::new();
                let mut n = 0;
                for row in &o.table.rows {
                    let id = row.get(c).map(cell_json).unwrap_or(Value::Null);
                    if id.is_null() {
                        n += 1;
                    } else if !seen.contains(&id) {
                        seen.push(id);
                        n += 1;
                    }
                }
                n
            }
            _ => o.table.rows.len(),
        }
    }
}

#[cfg(feature = "esql")]
/// The words for an event that dropped out at `stage`.
fn dropped_reason(stage: &EsqlStage, index: usize, total: usize, grouped: bool) -> String {
    if grouped {
        format!(
            "grouped into a row that {} dropped (command {} of {total})",
            stage.command,
            index + 1
        )
    } else {
        format!(
            "dropped out at {} (command {} of {total})",
            stage.command,
            index + 1
        )
    }
}
