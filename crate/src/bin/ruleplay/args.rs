//! The command line, declared with clap: `--help`, `--version` and usage errors (exit status 2)
//! come from it.

use clap::{Args, Parser, Subcommand};
use ruleplay::engine::Lang;
use std::path::PathBuf;

const EXAMPLES: &str = "\
Examples:
  ruleplay match --kql 'process.name:(bash or sh)' --events events.ndjson
  ruleplay match --rule rules/exim4/rule.toml --events rules/exim4/events.ndjson --explain
  ruleplay parse --eql 'process where process.name : \"cmd.exe\"'
  ruleplay test rules/
  ruleplay exclusions --rule rules/exim4/rule.toml
  ruleplay exclude --rule rules/exim4/rule.toml --add process.name=cron --remove process.name=sort
  ruleplay es --rule rules/exim4/rule.toml --time-range
  ruleplay es --kit --rule rules/exim4/rule.toml --events rules/exim4/events.ndjson
  ruleplay match --rule rules_export.ndjson --rule-id 0b2f… --events search_response.json
  ruleplay convert --rule rules/exim4/rule.toml --to kibana > exim4.ndjson

Errors are reported as `LINE:COL: message` (a rule file's path before it), then the source line
with carets under the place.";

/// Elastic detection rules, KQL and EQL against JSON events.
#[derive(Parser)]
#[command(name = "ruleplay", version, after_help = EXAMPLES, arg_required_else_help = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
    /// Evaluate a query or rule against events: one JSON line per event.
    ///
    /// Each line is {"index":N,"match":bool}, plus "alert" and "status" with --rule, plus
    /// "trace" with --explain. EQL sequences and samples print one line per hit:
    /// {"sequence":[i,j,…]}. A malformed event line is reported on stderr, the other events are
    /// still evaluated, and the exit status is 1.
    #[command(verbatim_doc_comment)]
    Match(MatchArgs),
    /// Check a query or rule: exit 0 when valid, otherwise the errors on stderr and exit 1.
    Parse(ParseArgs),
    /// List the exclusion lists of a query or rule: one JSON line per list, in query order.
    ///
    /// Each line is {"field":F,"values":[…],"start":N,"end":N,…}: the byte offsets of the list
    /// in the input text (the rule file for --rule), its operator, the whole clause's offsets
    /// and each value with its offsets and whether it is a wildcard pattern.
    #[command(verbatim_doc_comment)]
    Exclusions(ParseArgs),
    /// Add or remove values of exclusion lists and print the edited query (or whole rule file).
    ///
    /// Only the list concerned changes; every other byte stays. Removals run first, then
    /// --add, then --add-pattern, each in the order given. A field without a list gets
    /// `and not F:(v)` (KQL) or `and not F in ("v")` (EQL) at the end of the query. A value
    /// that is not in the list is an error (exit status 1).
    #[command(verbatim_doc_comment)]
    Exclude(ExcludeArgs),
    /// Run the examples in DIR and print `N passed, N failed`.
    ///
    /// Each sub-folder of DIR (or DIR itself) with a rule.toml is an example: rule.toml,
    /// events.ndjson, expected.json and an optional exceptions.ndjson.
    #[command(verbatim_doc_comment)]
    Test {
        /// The folder of examples, e.g. rules/.
        #[arg(value_name = "DIR")]
        dir: PathBuf,
        #[command(flatten)]
        lists: ValueListArgs,
    },
    /// Print the request Elasticsearch would run for a rule, as Kibana's detection engine
    /// builds it: one JSON object {"method","path","body"}.
    ///
    /// The query is Kibana's KQL translation with the rule's filters and the exception items
    /// (in must_not); EQL rules give an _eql/search request, new_terms and threshold rules the
    /// aggregation the engine uses. With --kit, print Kibana Dev Tools console text instead: a
    /// scratch index mapped with ECS types, the events bulk-indexed, the request, the cleanup.
    #[command(verbatim_doc_comment)]
    Es(EsArgs),
    /// Convert a rule between detection-rules TOML and Kibana's rule export NDJSON (either is
    /// read, as is the detection engine API's rule JSON).
    ///
    /// `--to kibana` writes what Rules → Import reads: the rule, the exception lists and items
    /// (the Kibana file's own, or --exceptions), and the export summary line. `--to toml`
    /// writes the detection-rules TOML of the rule.
    #[command(verbatim_doc_comment)]
    Convert(ConvertArgs),
    /// Convert an exception list between Kibana's NDJSON export and a detection-rules
    /// exception TOML file (either is read; the format is told by the first character).
    ///
    /// NDJSON is written as Kibana's `_export` writes it: the list, its items, and the summary
    /// line. Every key of the list and items is kept in both directions.
    #[command(verbatim_doc_comment)]
    Exceptions {
        /// The format to write: `ndjson` or `toml`.
        #[arg(long, value_name = "FORMAT", value_parser = parse_format)]
        to: ruleplay::exceptions::toml_format::Format,
        /// The exception file (`-` reads stdin).
        #[arg(value_name = "FILE")]
        file: String,
    },
}

#[derive(Args)]
pub struct ConvertArgs {
    /// The rule file (`-` reads stdin).
    #[arg(long, value_name = "FILE")]
    pub rule: String,
    #[command(flatten)]
    pub pick: RulePick,
    /// The format to write: `kibana` (rule export NDJSON) or `toml` (detection-rules).
    #[arg(long, value_name = "FORMAT", value_parser = ["kibana", "toml"])]
    pub to: String,
    /// Exceptions to export with the rule (`--to kibana`): a Kibana exception-list export or a
    /// detection-rules exception TOML file.
    #[arg(long, value_name = "FILE")]
    pub exceptions: Option<String>,
}

/// Value lists for `is in list` exception entries.
#[derive(Args)]
pub struct ValueListArgs {
    /// A value list for `is in list` entries: FILE holds one value per line (as Kibana uploads
    /// it), ID is the id the entries reference, TYPE is keyword, ip, ip_range or text
    /// [default: the type the entries give, else keyword]. Repeatable.
    #[arg(long = "value-list", value_name = "ID=FILE[:TYPE]", value_parser = value_list)]
    pub value_lists: Vec<(String, String, Option<String>)>,
}

/// The query or rule, and which rule of a Kibana file holding several.
#[derive(Args)]
pub struct Source {
    #[command(flatten)]
    which: Which,
    #[command(flatten)]
    pub pick: RulePick,
}

/// The query or rule: exactly one of the three.
#[derive(Args)]
#[group(required = true, multiple = false)]
struct Which {
    /// A KQL query.
    #[arg(long, value_name = "QUERY")]
    kql: Option<String>,
    /// An EQL query.
    #[arg(long, value_name = "QUERY")]
    eql: Option<String>,
    /// A rule file: detection-rules TOML, Kibana's rule export (NDJSON, with the exception
    /// lists it references, which apply) or the detection engine API's rule JSON (`-` reads
    /// stdin). The format is detected.
    #[arg(long, value_name = "FILE")]
    rule: Option<String>,
}

/// Which rule of a Kibana export with several (an error lists them when it is not said).
#[derive(Args)]
pub struct RulePick {
    /// The rule_id of the rule to take from a Kibana rule file.
    #[arg(long, value_name = "ID")]
    pub rule_id: Option<String>,
    /// The name of the rule to take from a Kibana rule file.
    #[arg(long, value_name = "NAME")]
    pub rule_name: Option<String>,
}

impl Source {
    /// The language, and the query text or the rule file's path (clap requires one).
    pub fn get(&self) -> Option<(Lang, &str)> {
        let w = &self.which;
        match (&w.kql, &w.eql, &w.rule) {
            (Some(q), _, _) => Some((Lang::Kql, q)),
            (_, Some(q), _) => Some((Lang::Eql, q)),
            (_, _, Some(path)) => Some((Lang::Toml, path)),
            (None, None, None) => None,
        }
    }
}

#[derive(Args)]
pub struct MatchArgs {
    #[command(flatten)]
    pub source: Source,
    /// The events, maybe gzipped (`-` reads stdin): NDJSON, a JSON array, an Elasticsearch
    /// `_search` or `_eql/search` response, or search hits (Kibana Discover's "Copy selected as
    /// JSON"); the format is detected and a note says what was found. NDJSON streams through
    /// query rules in constant memory.
    #[arg(long, value_name = "FILE")]
    pub events: String,
    /// Add the evaluation trace of each event (or the join keys of each sequence).
    #[arg(long)]
    pub explain: bool,
    /// "now" for date math and exception expiry [default: the clock].
    #[arg(long, value_name = "ISO8601", value_parser = parse_now)]
    pub now: Option<i64>,
    /// An exception list to apply: a Kibana export (NDJSON) or a detection-rules exception
    /// TOML file.
    #[arg(long, value_name = "FILE")]
    pub exceptions: Option<String>,
    /// new_terms and EQL sequences: how many events may wait to be put in time order. Input more out of
    /// order than this stops with an error (never a different verdict); sort it or raise N.
    #[arg(long, value_name = "N", default_value_t = ruleplay::engine::DEFAULT_REORDER_WINDOW)]
    pub reorder_window: usize,
    /// EQL sequences and samples: how many partial sequences (sample join keys) may be open
    /// at once. Past it the ones that advanced longest ago are dropped, with a warning (stderr
    /// and --summary), and hits that needed them are missing.
    #[arg(long, value_name = "N", default_value_t = ruleplay::eql::hit_stream::DEFAULT_MAX_OPEN)]
    pub max_open_sequences: usize,
    /// Threads that parse and judge NDJSON lines [default: every core]. The output is the same
    /// whatever N.
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,
    /// Print only the lines of alerts (of matches, for a bare query).
    #[arg(long)]
    pub only_alerts: bool,
    /// End with one line {"summary":{events, matched, alerts, suppressed, no_match, errors,
    /// seconds, …}}; without --only-alerts, print that line alone.
    #[arg(long, verbatim_doc_comment)]
    pub summary: bool,
    #[command(flatten)]
    pub lists: ValueListArgs,
    /// An Elasticsearch mapping (`GET index/_mapping` JSON or an index template's `mappings`);
    /// its field types override ECS. Repeatable; later files win.
    #[arg(long, value_name = "FILE.json")]
    pub mapping: Vec<String>,
}

#[derive(Args)]
pub struct EsArgs {
    #[command(flatten)]
    pub source: Source,
    /// An exception list to apply: a Kibana export (NDJSON) or a detection-rules exception
    /// TOML file.
    #[arg(long, value_name = "FILE")]
    pub exceptions: Option<String>,
    /// Bound the search by the rule's window (`from`..`to`, timestamp override) and, for
    /// new_terms, the history window; without it the query has no time bounds.
    #[arg(long)]
    pub time_range: bool,
    /// Print Kibana Dev Tools console text that checks the rule on a cluster (needs --events).
    #[arg(long, requires = "events")]
    pub kit: bool,
    /// The sample events for --kit: NDJSON or a JSON array.
    #[arg(long, value_name = "FILE")]
    pub events: Option<String>,
    /// Translate KQL with the field types of a data view holding the ECS (and --mapping)
    /// fields, as Discover does: dates as ranges with a time zone, keyword fields as term /
    /// wildcard. The detection engine sends no field list (the default).
    #[arg(long)]
    pub data_view: bool,
    /// "now" for exception expiry and the new-terms window start [default: the clock].
    #[arg(long, value_name = "ISO8601", value_parser = parse_now)]
    pub now: Option<i64>,
    #[command(flatten)]
    pub lists: ValueListArgs,
    /// An Elasticsearch mapping whose field types override ECS (repeatable).
    #[arg(long, value_name = "FILE.json")]
    pub mapping: Vec<String>,
}

#[derive(Args)]
pub struct ParseArgs {
    #[command(flatten)]
    pub source: Source,
    /// An Elasticsearch mapping whose field types override ECS (repeatable).
    #[arg(long, value_name = "FILE.json")]
    pub mapping: Vec<String>,
}

#[derive(Args)]
pub struct ExcludeArgs {
    #[command(flatten)]
    pub source: Source,
    /// Add VALUE (a literal: quoted and escaped as the language needs) to FIELD's list.
    #[arg(long, value_name = "FIELD=VALUE", value_parser = field_value)]
    pub add: Vec<(String, String)>,
    /// Add a wildcard PATTERN (`*`; EQL also `?`) to FIELD's list.
    #[arg(long, value_name = "FIELD=PATTERN", value_parser = field_value)]
    pub add_pattern: Vec<(String, String)>,
    /// Remove VALUE from FIELD's list.
    #[arg(long, value_name = "FIELD=VALUE", value_parser = field_value)]
    pub remove: Vec<(String, String)>,
}

/// `FIELD=VALUE`, split at the first `=` (field names have none; values may).
fn field_value(v: &str) -> Result<(String, String), String> {
    match v.split_once('=') {
        Some((f, value)) if !f.is_empty() => Ok((f.to_string(), value.to_string())),
        _ => Err(format!("`{v}` is not FIELD=VALUE")),
    }
}

/// `ID=FILE[:TYPE]`: split at the first `=`, and at the last `:` when a list type follows it.
fn value_list(v: &str) -> Result<(String, String, Option<String>), String> {
    let Some((id, rest)) = v
        .split_once('=')
        .filter(|(id, r)| !id.is_empty() && !r.is_empty())
    else {
        return Err(format!("`{v}` is not ID=FILE[:TYPE]"));
    };
    Ok(match rest.rsplit_once(':') {
        Some((file, ty)) if ruleplay::exceptions::value_lists::ListType::parse(ty).is_some() => {
            (id.to_string(), file.to_string(), Some(ty.to_string()))
        }
        _ => (id.to_string(), rest.to_string(), None),
    })
}

fn parse_format(v: &str) -> Result<ruleplay::exceptions::toml_format::Format, String> {
    ruleplay::exceptions::toml_format::Format::parse(v)
        .ok_or_else(|| format!("`{v}` is not a format: expected ndjson or toml"))
}

fn parse_now(v: &str) -> Result<i64, String> {
    ruleplay::time::parse_date(v).ok_or_else(|| format!("`{v}` is not an ISO 8601 date"))
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_command_line_is_consistent() {
        use clap::CommandFactory;
        super::Cli::command().debug_assert();
    }
}
