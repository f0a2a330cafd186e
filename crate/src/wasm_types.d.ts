// The JS shapes of the serde types the wasm Session returns (crate/src/wasm.rs puts this text into
// pkg/ruleplay.d.ts). Each interface names the Rust type it mirrors. crate/tests/ts_contract.rs
// checks them against what serde writes, and `npm test` type-checks www/ against them, so a field
// renamed in Rust fails a test, not the page.

/** diagnostic::Span: byte offsets in Rust, UTF-16 code units once in JS. */
export interface Span { start: number; end: number }

/** diagnostic::ErrorKind, e.g. `{layer: "kql", kind: "syntax"}`. */
export interface ErrorKind { layer: string; kind: string }

/** diagnostic::Diagnostic plus where it starts (1-based line, 1-based UTF-16 column). */
export interface Diagnostic {
  kind: ErrorKind;
  /** An error stops the rule from loading; a warning points at a likely mistake (it still runs). */
  severity: 'error' | 'warning';
  message: string;
  span: Span;
  expected?: string[];
  secondary?: Span;
  line: number;
  col: number;
}

/** rule::MitreRef */
export interface MitreRef { id: string; name: string; reference: string; [extra: string]: unknown }
/** rule::Technique */
export interface Technique extends MitreRef { subtechnique?: MitreRef[] }
/** rule::Threat */
export interface Threat { framework: string; tactic?: MitreRef; technique?: Technique[]; [extra: string]: unknown }

/** rule::Rule (serde's shape: optional fields absent, unknown keys kept). */
export interface Rule {
  name: string;
  description: string;
  rule_id: string;
  type: string;
  language?: string;
  query?: string;
  index?: string[];
  from?: string;
  to?: string;
  interval?: string;
  risk_score?: number;
  severity?: string;
  tags?: string[];
  author?: string[];
  license?: string;
  references?: string[];
  false_positives?: string[];
  note?: string;
  setup?: string;
  investigation_fields?: { field_names: string[]; [extra: string]: unknown };
  threat?: Threat[];
  exceptions_list?: { id: string; list_id: string; namespace_type?: string; type?: string }[];
  filters?: unknown[];
  timestamp_override?: string;
  event_category_override?: string;
  tiebreaker_field?: string;
  max_signals?: number;
  building_block_type?: string;
  new_terms?: { fields: string[]; history_window_start: string | null };
  threshold?: { field: string[]; value: number; cardinality?: { field: string; value: number }[] };
  metadata: { creation_date?: string; updated_date?: string; maturity?: string; integration?: string[]; [extra: string]: unknown };
  sections?: Record<string, unknown>;
  /** Where the query sits in the file (UTF-16). */
  query_span?: Span;
  [extra: string]: unknown;
}

/** What `Session.set_rule` returns. */
export interface RuleReport {
  ok: boolean;
  diagnostics: Diagnostic[];
  rule: Rule | null;
  /** The query inside a rule file, or all of a bare query. */
  query_span: Span | null;
  notes: string[];
  /** For a bare query: the last rule file loaded, with this query written into it. */
  rule_file: string | null;
  /** After `switch_lang`: the text the rule view shows now. */
  source?: string;
  /** The exclusion lists of the rule text (exclusions::ExclusionList), spans in UTF-16 units. */
  exclusions: ExclusionList[];
}

/** exclusions::ExclusionList: a negated list of literal values of one field. */
export interface ExclusionList {
  field: string;
  form: 'kql_values' | 'kql_clauses' | 'eql_in' | 'eql_match' | 'eql_not_equal';
  operator: string;
  items: ExclusionItem[];
  span: Span;
  clause: Span;
  parenthesized: boolean;
}

/** exclusions::Item: one value of a list, escapes resolved. */
export interface ExclusionItem { value: string; pattern: boolean; span: Span; value_span: Span }

/** What `Session.exclude` returns: the whole edited rule text, or why the edit cannot be made. */
export interface ExclusionEdit { ok: boolean; diagnostics: Diagnostic[]; text?: string }

/** What `Session.filter` returns: the matching events, or why the filter does not parse. */
export interface Filter { ok: boolean; diagnostics: Diagnostic[]; indices: Uint32Array }

/** What `Session.replace_event` returns; `span` (UTF-16, in the events text before the edit) and `text` say what changed. */
export interface EventEdit {
  ok: boolean;
  diagnostics: Diagnostic[];
  events?: EventsReport;
  span?: Span;
  text?: string;
}

/** event::parse::EventError (1-based line, 1-based UTF-16 column). */
export interface EventError { line: number; column: number; message: string }

/** engine::EventsReport */
export interface EventsReport { count: number; errors: EventError[]; errorCount: number; fields: string[]; format: EventsFormat; note?: string }

/** event::parse::Format: what the events text was read as (event::formats). */
export type EventsFormat = 'ndjson' | 'array' | 'search' | 'eql_search' | 'hits';

/** exceptions::ExceptionItem */
export interface ExceptionItem {
  name: string;
  description?: string;
  entries: Record<string, unknown>[];
  os_types: string[];
  expire_time?: string;
  item_id?: string;
  list_id?: string;
  [extra: string]: unknown;
}

/** exceptions::warnings::ExceptionWarning: one of Kibana's warnings about an exception item. */
export interface ExceptionWarning {
  kind: 'wildcard_with_is' | 'case_mismatch' | 'unknown_field' | 'sequence_rule' | 'expired' | 'bad_expire_time';
  /** The item's index among the items of the text. */
  item: number;
  /** The entry's index path (entries, then a nested group's); empty for the whole item. */
  entry: number[];
  message: string;
  /** An operator ("matches"), a value or a field name to use instead. */
  suggestion?: string;
}

/** engine::ExceptionsReport */
export interface ExceptionsReport { count: number; errors: EventError[]; items: ExceptionItem[] }

/** engine::Status */
export type Status = 'alert' | 'match' | 'suppressed' | 'no_match';

/** engine::Counts */
export interface Counts { alert: number; match: number; suppressed: number; no_match: number }

/** engine::SequenceHit: event numbers (null for a missing-event step) and the join keys. */
export interface SequenceHit { events: (number | null)[]; join_keys: unknown[] }

/** ruletype::ThresholdGroup */
export interface ThresholdGroup {
  key: [string, string][];
  events: number[];
  count: number;
  cardinality: [string, number][];
  alert: boolean;
}

/** engine::EvaluationReport, with its per-event vectors as typed arrays and the run's time. */
export interface Evaluation {
  /** Status code per event: 0 alert, 1 match, 2 suppressed, 3 no_match (Status::code). */
  status: Uint8Array;
  /** Near-miss clause count per event; -1 where none or not known yet. */
  misses: Int32Array;
  reasons: Record<string, string>;
  sequences: SequenceHit[];
  groups: ThresholdGroup[];
  counts: Counts;
  notes: string[];
  /** The "now" of the run, epoch milliseconds. */
  now: number;
  missesPending: boolean;
  missesAuto: boolean;
  ms: number;
}

/** What `Session.near_misses` returns. */
export interface NearMisses { misses: Int32Array; ms: number }

/** engine::FieldValue: a value of a field in the events, for completion. */
export interface FieldValue { value: string; count: number; insert: string }

/** engine::Row */
export interface Row { index: number; summary: string; why?: string; hit?: string }

/** explain::Looked */
export interface Looked { path: string; value: unknown; matched: boolean; pattern?: string }

/** explain::Clause */
export interface Clause {
  kind: string;
  span: Span;
  verdict: 'true' | 'false' | 'missing';
  field?: string;
  looked?: Looked[];
  message?: string;
  children?: Clause[];
  /** What the clause's outcome did to the event's verdict (a true clause under a `not` hurts). */
  effect?: 'helps' | 'hurts';
  /** An `or` over values of one field, `field:(a or b)`: shown as one line, values collapsed. */
  list?: boolean;
}

/** explain::NearMiss */
export interface NearMiss { span: Span; field?: string; verdict: 'true' | 'false' | 'missing'; message: string }

/** engine::ExplanationView */
export interface Explanation {
  index: number;
  status: Status;
  matched: boolean;
  alert: boolean;
  reason?: string;
  root: Clause | null;
  near_miss: NearMiss[];
  /** One clause away from matching while another positive clause held. */
  near: boolean;
  /** What decided a non-match, in one line. */
  headline?: string;
  exceptions: Clause[];
  sequences: SequenceHit[];
  /** An ES|QL rule's account of the event. */
  esql?: EsqlEventExplanation;
}

/** engine::EsqlColumn: one column of an ES|QL rule's output table. */
export interface EsqlColumn { name: string; /** ES|QL's type name */ type: string }

/** engine::EsqlStage: one command of the pipeline and the rows that left it. */
export interface EsqlStage { command: string; span: Span; rows_after: number }

/** engine::EsqlReport: an ES|QL rule's last run (`Session.esql_report`). */
export interface EsqlReport {
  columns: EsqlColumn[];
  /** Cells as JSON: null, a value, or an array for a multi-value. */
  rows: unknown[][];
  /** Per output row, the indices of the events behind it. */
  sources: number[][];
  stages: EsqlStage[];
  /** Alerts the rule makes: one per output row (per `_id` without STATS when METADATA _id). */
  alerts: number;
  aggregates: boolean;
  warnings?: string[];
  error?: Diagnostic;
}

/** engine::EsqlEventExplanation */
export interface EsqlEventExplanation {
  /** Index into the report's stages of the command where the event dropped out. */
  dropped_at?: number;
  stage?: EsqlStage;
  /** The output rows the event is a source of. */
  rows?: number[];
  /** The events grouped with it into those rows (itself included). */
  grouped_with?: number[];
  /** The rule's filters or an exception removed it before the query. */
  removed_before_query?: boolean;
}

/** engine::ValueListInput: a value list as given (one value per line). */
export interface ValueListInput { id: string; /** keyword, ip, ip_range or text */ type: string; text: string }

/** engine::ValueListReport */
export interface ValueListReport { id: string; type: string; count: number; errors: EventError[] }

/** An exception file (Kibana NDJSON or detection-rules TOML) converted to NDJSON or TOML. */
export interface ExceptionConversion { text: string; errors: EventError[] }

/** engine::ExceptionListRefView: a `[[rule.exceptions_list]]` reference; `loaded` when the exceptions hold it. */
export interface ExceptionListRef { id: string; list_id: string; type?: string; namespace_type?: string; loaded: boolean }
/** engine::VerdictChange: one event whose verdict changed. */
export interface VerdictChange { index: number; from: Status; to: Status }

/** engine::VerdictDiff: what changed between two evaluations of the same events. */
export interface VerdictDiff {
  removed: number[];
  added: number[];
  changed: VerdictChange[];
  /** `removes 3 alerts (#0, #7, #12); no other verdict changes` */
  sentence: string;
  /** `−3 alerts, +1 alert`; empty when nothing changed. */
  short: string;
}

/** What `Session.preview_exclusion` / `preview_exception` return (engine::Preview when ok). */
export interface PreviewReport {
  ok: boolean;
  diagnostics: Diagnostic[];
  diff?: VerdictDiff;
  /** The rule view's text with the values added (an exclusion). */
  text?: string;
  /** The exception item's NDJSON line (an exception). */
  line?: string;
}

/** engine::OfferField */
export interface OfferField {
  field: string;
  values: string[];
  investigation: boolean;
  matched: boolean;
  list: boolean;
  checked: boolean;
}

/** engine::Offer: the pre-fill of "Exclude this" for one event. */
export interface Offer { index: number; fields: OfferField[] }

/** engine::ClauseCoverage */
export interface ClauseCoverage { span: Span; kind: string; field?: string; held: number; decided: number; flag?: string }

/** engine::ValueCoverage */
export interface ValueCoverage { field: string; value: string; span: Span; matched: number; decided: number; flag?: string }

/** engine::Coverage */
export interface Coverage { events: number; clauses: ClauseCoverage[]; values: ValueCoverage[] }

/** engine::RuleExport */
export interface RuleExport { toml?: string; query?: string; only_query_changed?: boolean }

/** redact::Category: what kind of value a field holds, which picks its placeholder's shape. */
export type RedactionCategory = 'host' | 'user' | 'email' | 'ip' | 'path' | 'domain' | 'other';

/** redact::FieldChoice: a field of the events offered for redaction. */
export interface RedactionChoice { field: string; category: RedactionCategory; default: boolean }

/** redact::Mapping: an original value and its placeholder. */
export interface RedactionMapping { category: RedactionCategory; original: string; placeholder: string; count: number }

/** redact::Redaction: the events text with the chosen fields replaced. */
export interface Redaction { text: string; replaced: number; mappings: RedactionMapping[]; unreadErrors: number }

/** engine::RedactionChange: an event whose verdict the redaction changes, and why. */
export interface RedactionChange { index: number; before: Status; after: Status; fields: string[]; why: string }

/** engine::VerdictCheck */
export interface VerdictCheck { events: number; changes: RedactionChange[]; sequencesSame: boolean; after: Status[] }

/** engine::Literal: an original value the rule or the exceptions name. */
export interface RedactionLiteral { original: string; placeholder: string; place: 'rule' | 'exceptions' }

/** engine::RedactReport: what `Session.redact` returns. */
export interface RedactReport { redaction: Redaction; check: VerdictCheck | null; literals: RedactionLiteral[] }

/** engine::ExampleFolder: [file name, text] pairs, and what `ruleplay test` would say of them. */
export interface ExampleFolder { files: [string, string][]; problems: string[]; skipped: number }

/** engine::MappingsReport: mapped fields read, or why the text is not a mapping. */
export interface MappingsReport { fields: number; error?: string }

/** es::Request: one HTTP request for Elasticsearch, as Kibana Dev Tools shows it. */
export interface EsRequest { method: string; path: string; body: Record<string, unknown> }

/** es::Built: the rule's request and what to know about it (defaults taken, parts left out). */
export interface EsBuilt { request: EsRequest; notes: string[] }
/** rule::from_kibana::RuleChoice: one rule of a Kibana rule file. */
export interface RuleChoice { rule_id: string; name: string; type: string }

/** wasm::bridge: a Kibana rule file read for the rule editor (`ok` false: pick from `choices`, or `diagnostics`). */
export interface KibanaRule { ok: boolean; choices: RuleChoice[]; toml?: string; exceptions?: string; note?: string; diagnostics: Diagnostic[] }

/** engine::FileProgress: what `Session.file_push` has read so far. */
export interface FileProgress { events: number; errors: number }
