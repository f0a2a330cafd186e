//! Elasticsearch's csv-spec files as its readers read them (SpecReader/CsvSpecReader and
//! SuperCSV; `../shared/conformance/esql/README.txt` describes every rule followed here).

/// One expected cell: null, a value as written, or a multi-value.
#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    Null,
    One(String),
    Many(Vec<String>),
}

#[derive(Clone, Debug, Default)]
pub struct Case {
    pub file: String,
    /// The name line without its `#[…]` instructions.
    pub name: String,
    pub instructions: String,
    pub query: String,
    pub warnings: Vec<String>,
    pub warning_regexes: Vec<String>,
    pub ignore_order: bool,
    /// `(name, type)` of the header; `None` when the block does not parse (a swallowed test).
    pub columns: Option<Vec<(String, String)>>,
    pub rows: Vec<Vec<Cell>>,
}

fn java_trim(s: &str) -> &str {
    s.trim_matches(|c: char| c <= ' ')
}

const PREAMBLE: [&str; 10] = [
    "required_capability:",
    "required_capability_coordinator:",
    "missing_capability_coordinator:",
    "missing_capability_data_node:",
    "pragma:",
    "request_stored:",
    "request_time_filter:",
    "skip_flattened_rewrite:",
    "skip_columnar:",
    "dataset:",
];

fn starts_with_ci(line: &str, prefix: &str) -> bool {
    line.len() >= prefix.len()
        && line.as_bytes()[..prefix.len()].eq_ignore_ascii_case(prefix.as_bytes())
}

pub fn parse(file: &str, text: &str) -> Vec<Case> {
    let lines: Vec<&str> = text
        .lines()
        .map(java_trim)
        .filter(|l| !l.is_empty() && !l.starts_with("//") && !l.starts_with('#'))
        .collect();
    let mut cases = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let (name, instructions) = lines[i].split_once('#').unwrap_or((lines[i], ""));
        let mut case = Case {
            file: file.to_string(),
            name: java_trim(name).to_string(),
            instructions: instructions.to_string(),
            ..Case::default()
        };
        i += 1;
        let mut query_lines: Vec<String> = Vec::new();
        while i < lines.len() {
            let l = lines[i];
            i += 1;
            if PREAMBLE.iter().any(|p| starts_with_ci(l, p)) {
                continue;
            }
            if let Some(body) = l.strip_suffix("\\;") {
                query_lines.push(format!("{body};"));
                continue;
            }
            if let Some(body) = l.strip_suffix(';') {
                query_lines.push(body.to_string());
                break;
            }
            query_lines.push(l.to_string());
        }
        case.query = java_trim(&query_lines.join("\r\n")).to_string();
        let mut block: Vec<&str> = Vec::new();
        while i < lines.len() {
            let l = lines[i];
            i += 1;
            if l.starts_with(';') {
                break;
            }
            if let Some(w) = strip_ci(l, "warningRegex:") {
                case.warning_regexes.push(java_trim(w).to_string());
            } else if let Some(w) = strip_ci(l, "warning:") {
                case.warnings.push(java_trim(w).to_string());
            } else if let Some(v) = strip_ci(l, "ignoreOrder:") {
                case.ignore_order = java_trim(v).eq_ignore_ascii_case("true");
            } else if strip_ci(l, "documents_found:").is_none() {
                block.push(l);
            }
        }
        if let Some(header) = block.first() {
            let heads = supercsv(header);
            let columns: Option<Vec<(String, String)>> = heads
                .iter()
                .map(|h| {
                    let h = h.replace("::", "\0");
                    let (n, t) = h.split_once(':')?;
                    Some((
                        java_trim(n).replace('\0', "::"),
                        java_trim(t).replace('\0', "::"),
                    ))
                })
                .collect();
            case.rows = block[1..]
                .iter()
                .map(|r| supercsv(r).into_iter().map(|c| cell(&c)).collect())
                .collect();
            if let Some(cols) = &columns {
                if case.rows.iter().any(|r| r.len() != cols.len()) {
                    case.columns = None;
                } else {
                    case.columns = columns;
                }
            }
        }
        cases.push(case);
    }
    cases
}

fn strip_ci<'a>(line: &'a str, prefix: &str) -> Option<&'a str> {
    starts_with_ci(line, prefix).then(|| &line[prefix.len()..])
}

/// SuperCSV with `|` as the delimiter: quotes group and vanish, `""` inside quotes is a quote.
fn supercsv(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                chars.next();
                cur.push('"');
            }
            '"' => quoted = !quoted,
            '|' if !quoted => out.push(std::mem::take(&mut cur)),
            c => cur.push(c),
        }
    }
    out.push(cur);
    out.into_iter().map(|c| java_trim(&c).to_string()).collect()
}

fn split_unescaped(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut prev = '\0';
    for c in s.chars() {
        if c == ',' && prev != '\\' {
            out.push(java_trim(&cur).replace("\\,", ","));
            cur.clear();
        } else {
            cur.push(c);
        }
        prev = c;
    }
    out.push(java_trim(&cur).replace("\\,", ","));
    out
}

fn cell(c: &str) -> Cell {
    if c.eq_ignore_ascii_case("null") {
        return Cell::Null;
    }
    if c.starts_with('[') && c.ends_with(']') && c.len() >= 2 {
        let items = split_unescaped(&c[1..c.len() - 1]);
        if items.len() == 1 {
            return Cell::One(items.into_iter().next().unwrap_or_default());
        }
        return Cell::Many(items);
    }
    Cell::One(c.to_string())
}

/// The indices the query's `FROM`s name (list_cases.py's rule: `from|ts|metrics` at a line's start).
pub fn indices(query: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in query.split('\n') {
        let l = line.trim_start();
        let lower = l.to_ascii_lowercase();
        let Some(kw) = ["from", "ts", "metrics"].into_iter().find(|k| {
            lower.starts_with(k) && l[k.len()..].starts_with(|c: char| c.is_whitespace())
        }) else {
            continue;
        };
        let rest = l[kw.len()..].trim_start();
        let is_tok = |c: char| !c.is_whitespace() && c != '|';
        let mut pos = rest.find(|c: char| !is_tok(c)).unwrap_or(rest.len());
        let mut list = rest[..pos].to_string();
        loop {
            let after = rest[pos..].trim_start();
            let Some(next) = after.strip_prefix(',') else {
                break;
            };
            let next = next.trim_start();
            let end = next.find(|c: char| !is_tok(c)).unwrap_or(next.len());
            if end == 0 {
                break;
            }
            list.push(',');
            list.push_str(&next[..end]);
            pos = rest.len() - (next.len() - end);
        }
        for part in list.split(',') {
            let part = part.trim().trim_matches('"');
            if !part.is_empty() && !part.eq_ignore_ascii_case("metadata") {
                out.push(part.to_string());
            }
        }
    }
    out
}

/// Whether Elasticsearch runs the case: not `-Ignore`, not skipped on every version.
pub fn enabled(case: &Case) -> bool {
    if case.name.ends_with("-Ignore") {
        return false;
    }
    let mut rest = case.instructions.as_str();
    while let Some(i) = rest.find("skip:") {
        rest = &rest[i + 5..];
        let range: String = rest.chars().take_while(|&c| c != ',' && c != ']').collect();
        if let Some((_, high)) = range.rsplit_once('-') {
            if high.trim() >= "9.99" {
                return false;
            }
        }
    }
    true
}
