//! What each command does, on the arguments `args` parsed.

use crate::args::{Cli, Command, ExcludeArgs, Source, ValueListArgs};
use ruleplay::diagnostic::Diagnostic;
use ruleplay::engine::{self, Loaded};
use ruleplay::event::mapping::{self, Mappings};
use ruleplay::exceptions::toml_format::{convert, import_any, Format};
use ruleplay::exceptions::value_lists::{ListType, ValueList, ValueLists};
use ruleplay::exceptions::ExceptionItem;
use ruleplay::exclusions;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Run a command. `Err` is a usage or I/O problem (exit status 2); errors in the inputs are
/// reported on stderr and give exit status 1.
pub fn run(cli: Cli) -> Result<ExitCode, String> {
    match cli.command {
        Command::Match(m) => crate::matching::cmd_match(&m),
        Command::Parse(p) => {
            if !set_mappings(&p.mapping)? {
                return Ok(ExitCode::from(1));
            }
            cmd_parse(&p.source)
        }
        Command::Test { dir, lists } => cmd_test(&dir, &lists),
        Command::Exceptions { to, file } => cmd_exceptions(to, &file),
        Command::Convert(c) => crate::kibana::cmd_convert(&c),
        Command::Exclusions(p) => cmd_exclusions(&p.source),
        Command::Exclude(x) => cmd_exclude(&x),
        Command::Es(e) => crate::es::cmd_es(&e),
    }
}

/// The text `source` names: the query itself, or the rule file read (with its path as the
/// prefix of error reports); a Kibana rule file converted to TOML (`crate::kibana`). `None`
/// after reporting a Kibana file that does not convert.
fn source_text(source: &Source) -> Result<Option<(engine::Lang, String, String)>, String> {
    Ok(source_full(source)?.map(|s| (s.lang, s.text, s.prefix)))
}

pub fn source_full(source: &Source) -> Result<Option<crate::kibana::SourceText>, String> {
    let (lang, arg) = source
        .get()
        .ok_or("give the query with --kql, --eql or --rule")?;
    Ok(match lang {
        engine::Lang::Toml => crate::kibana::rule_source(arg, read_file(arg)?, &source.pick),
        _ => Some(crate::kibana::SourceText {
            lang,
            text: arg.to_string(),
            prefix: String::new(),
            note: None,
            exceptions: None,
        }),
    })
}

fn exclusion_lang(lang: engine::Lang) -> Option<exclusions::Lang> {
    match lang {
        engine::Lang::Kql => Some(exclusions::Lang::Kql),
        engine::Lang::Eql => Some(exclusions::Lang::Eql),
        engine::Lang::Toml => None,
    }
}

fn cmd_exclusions(source: &Source) -> Result<ExitCode, String> {
    let Some((lang, text, prefix)) = source_text(source)? else {
        return Ok(ExitCode::from(1));
    };
    let found = match exclusion_lang(lang) {
        Some(l) => exclusions::find(l, &text),
        None => exclusions::rule_file::find(&text).map(|(_, lists)| lists),
    };
    match found {
        Ok(lists) => {
            let mut out = std::io::stdout().lock();
            for l in &lists {
                writeln!(out, "{}", l.to_json()).map_err(|e| e.to_string())?;
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(d) => {
            report(&prefix, &d, &text);
            Ok(ExitCode::from(1))
        }
    }
}

fn cmd_exclude(x: &ExcludeArgs) -> Result<ExitCode, String> {
    use exclusions::Op;
    let Some((lang, text, prefix)) = source_text(&x.source)? else {
        return Ok(ExitCode::from(1));
    };
    let pair = |(f, v): &(String, String)| (f.clone(), v.clone());
    let ops: Vec<Op> = (x.remove.iter().map(pair))
        .map(|(field, value)| Op::Remove { field, value })
        .chain(
            x.add
                .iter()
                .map(pair)
                .map(|(field, value)| Op::Add { field, value }),
        )
        .chain(
            x.add_pattern
                .iter()
                .map(pair)
                .map(|(field, pattern)| Op::AddPattern { field, pattern }),
        )
        .collect();
    let edited = match exclusion_lang(lang) {
        Some(l) => exclusions::apply(l, &text, &ops).map(|q| q + "\n"),
        None => exclusions::rule_file::apply(&text, &ops),
    };
    match edited {
        Ok(out) => {
            std::io::stdout()
                .lock()
                .write_all(out.as_bytes())
                .map_err(|e| e.to_string())?;
            Ok(ExitCode::SUCCESS)
        }
        Err(d) => {
            report(&prefix, &d, &text);
            Ok(ExitCode::from(1))
        }
    }
}

/// Print a diagnostic as `PREFIX` + its header, then the source line with carets.
pub fn report(prefix: &str, d: &Diagnostic, text: &str) {
    eprintln!("{prefix}{}", d.render_snippet(text));
}

/// Load the query or rule; on errors report them and return `None`.
pub fn load(source: &Source) -> Result<Option<Loaded>, String> {
    Ok(load_full(source, false)?.map(|(l, _)| l))
}

/// [`load`], with the exceptions of a Kibana rule file (NDJSON) and, when `say`, its note on
/// stderr.
pub fn load_full(source: &Source, say: bool) -> Result<Option<(Loaded, Option<String>)>, String> {
    let Some(src) = source_full(source)? else {
        return Ok(None);
    };
    if let (true, Some(note)) = (say, &src.note) {
        eprintln!("note: {note}");
    }
    let (lang, text, prefix) = (src.lang, src.text, src.prefix);
    match engine::load(&text, lang) {
        Ok(l) => Ok(Some((l, src.exceptions))),
        Err(diags) => {
            for d in &diags {
                report(&prefix, d, &text);
            }
            Ok(None)
        }
    }
}

pub fn read_file(path: &str) -> Result<String, String> {
    if path == "-" {
        let mut s = String::new();
        std::io::stdin()
            .read_to_string(&mut s)
            .map_err(|e| format!("cannot read stdin: {e}"))?;
        return Ok(s);
    }
    std::fs::read_to_string(path).map_err(|e| format!("cannot read {path}: {e}"))
}

fn cmd_parse(source: &Source) -> Result<ExitCode, String> {
    match load(source)? {
        Some(l) => {
            for n in l.notes() {
                eprintln!("note: {n}");
            }
            Ok(ExitCode::SUCCESS)
        }
        None => Ok(ExitCode::from(1)),
    }
}

/// Read the `--mapping` files and put their field types in force; `false` after reporting a
/// bad one.
pub fn set_mappings(paths: &[String]) -> Result<bool, String> {
    if paths.is_empty() {
        return Ok(true);
    }
    let mut m = Mappings::default();
    for path in paths {
        let text = read_file(path)?;
        if let Err(d) = m.add(&text) {
            eprintln!("{path}: {}", d.message);
            return Ok(false);
        }
    }
    mapping::set_current(Some(m));
    Ok(true)
}

/// Example folders under `dir` (or `dir` itself when it holds a rule.toml), sorted by name.
fn example_dirs(dir: &Path) -> Result<Vec<PathBuf>, String> {
    if dir.join("rule.toml").is_file() {
        return Ok(vec![dir.to_path_buf()]);
    }
    let entries =
        std::fs::read_dir(dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
    let mut dirs: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.join("rule.toml").is_file())
        .collect();
    dirs.sort();
    Ok(dirs)
}

fn cmd_test(dir: &Path, lists: &ValueListArgs) -> Result<ExitCode, String> {
    let dirs = example_dirs(dir)?;
    let (mut passed, mut failed) = (0, 0);
    for d in &dirs {
        let name = d.file_name().map_or_else(
            || d.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        );
        let read = |f: &str| std::fs::read_to_string(d.join(f));
        let items = read("exceptions.ndjson")
            .map(|e| import_any(&e).items)
            .unwrap_or_default();
        let (lists, _) = value_lists(lists, &items)?;
        let problems = engine::exercise::check_folder_with_lists(&read, &lists);
        if problems.is_empty() {
            passed += 1;
            println!("ok   {name}");
        } else {
            failed += 1;
            println!("FAIL {name}");
            for p in problems {
                println!("     {p}");
            }
        }
    }
    println!("{passed} passed, {failed} failed");
    Ok(if failed > 0 || dirs.is_empty() {
        if dirs.is_empty() {
            eprintln!(
                "ruleplay: no examples (folders with rule.toml) in {}",
                dir.display()
            );
        }
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// Read the `--value-list` files; a list without a type takes the type the exception entries
/// give it, else keyword. Bad lines are reported (the second value is false then).
pub fn value_lists(
    args: &ValueListArgs,
    items: &[ExceptionItem],
) -> Result<(ValueLists, bool), String> {
    let mut out = ValueLists::new();
    let mut ok = true;
    for (id, path, ty) in &args.value_lists {
        let ty = ty
            .clone()
            .or_else(|| {
                items
                    .iter()
                    .flat_map(ExceptionItem::list_refs)
                    .find(|r| &r.id == id)
                    .map(|r| r.list_type.clone())
            })
            .unwrap_or_else(|| "keyword".into());
        let ty = ListType::parse(&ty).ok_or_else(|| {
            format!("value list {id}: unknown type `{ty}` (keyword, ip, ip_range or text)")
        })?;
        let text = read_file(path)?;
        let (list, errors) = ValueList::parse(id, ty, &text);
        for e in &errors {
            report(&format!("{path}:"), &e.diagnostic(&text), &text);
            ok = false;
        }
        out.insert(list);
    }
    Ok((out, ok))
}

/// `exceptions --to FORMAT FILE`: the file converted, on stdout.
fn cmd_exceptions(to: Format, path: &str) -> Result<ExitCode, String> {
    let text = read_file(path)?;
    let (out, errors) = convert(&text, to);
    for e in &errors {
        report(&format!("{path}:"), &e.diagnostic(&text), &text);
    }
    print!("{out}");
    Ok(if errors.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
