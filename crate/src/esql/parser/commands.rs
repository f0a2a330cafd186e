//! Source and processing commands (`sourceCommand`, `processingCommand` in the grammar).

use super::{PResult, Parser};
use crate::diagnostic::Span;
use crate::esql::ast::{AggField, Command, CommandKind, Expr, Field, Name, SortKey};
use crate::esql::lexer::{self, Tok};

/// Commands the grammar has that ruleplay parses only to say they need a cluster or are not
/// evaluated offline. Two-word commands are matched by their first word.
const UNSUPPORTED: [&str; 16] = [
    "ENRICH",
    "LOOKUP",
    "JOIN",
    "LEFT",
    "COMPLETION",
    "CHANGE_POINT",
    "FORK",
    "RERANK",
    "SAMPLE",
    "FUSE",
    "RRF",
    "INSIST_🐔",
    "SHOW",
    "EXPLAIN",
    "TS",
    "SET",
];

const SOURCE_COMMANDS: [&str; 4] = ["'from'", "'row'", "'show'", "'ts'"];

const PROCESSING_COMMANDS: [&str; 15] = [
    "'where'",
    "'eval'",
    "'stats'",
    "'inline'",
    "'keep'",
    "'drop'",
    "'rename'",
    "'sort'",
    "'limit'",
    "'mv_expand'",
    "'dissect'",
    "'grok'",
    "'enrich'",
    "'lookup'",
    "'fork'",
];

impl<'a> Parser<'a> {
    pub(super) fn source_command(&mut self) -> PResult<Command> {
        let t = self.bump()?;
        let kw = t.span;
        let kind = match &t.tok {
            Tok::Ident(s) if s.eq_ignore_ascii_case("from") => self.from()?,
            Tok::Ident(s) if s.eq_ignore_ascii_case("row") => CommandKind::Row(self.fields()?),
            Tok::Ident(s) if UNSUPPORTED.iter().any(|u| s.eq_ignore_ascii_case(u)) => {
                self.skip_command(s)?
            }
            _ => return Err(self.mismatched(&t, &SOURCE_COMMANDS)),
        };
        Ok(Command {
            kind,
            span: Span::new(kw.start, self.last_end()),
            keyword: kw,
        })
    }

    pub(super) fn processing_command(&mut self) -> PResult<Command> {
        let t = self.bump()?;
        let mut kw = t.span;
        let Tok::Ident(word) = &t.tok else {
            return Err(self.mismatched(&t, &PROCESSING_COMMANDS));
        };
        let kind = match word.to_ascii_lowercase().as_str() {
            "where" => CommandKind::Where(self.boolean_expression()?),
            "eval" => CommandKind::Eval(self.fields()?),
            "stats" => self.stats(false)?,
            "inlinestats" => self.stats(true)?,
            "inline" => {
                kw = kw.to(self.expect_kw("stats")?.span);
                self.stats(true)?
            }
            "keep" => CommandKind::Keep(self.name_patterns()?),
            "drop" => CommandKind::Drop(self.name_patterns()?),
            "rename" => self.rename()?,
            "sort" => self.sort()?,
            "limit" => CommandKind::Limit(self.primary()?),
            "mv_expand" => CommandKind::MvExpand(self.qualified_name()?),
            "dissect" => self.dissect()?,
            "grok" => {
                let input = self.primary()?;
                let mut patterns = vec![self.string()?];
                while self.eat_sym(",")? {
                    patterns.push(self.string()?);
                }
                CommandKind::Grok { input, patterns }
            }
            _ if UNSUPPORTED.iter().any(|u| word.eq_ignore_ascii_case(u)) => {
                let word = word.clone();
                self.skip_command(&word)?
            }
            _ => return Err(self.mismatched(&t, &PROCESSING_COMMANDS)),
        };
        Ok(Command {
            kind,
            span: Span::new(kw.start, self.last_end()),
            keyword: kw,
        })
    }

    /// The rest of a command not evaluated here: tokens up to the next `|` outside brackets.
    fn skip_command(&mut self, word: &str) -> PResult<CommandKind> {
        let mut name = word.to_ascii_uppercase();
        if (name == "LOOKUP" || name == "LEFT") && self.peek()?.is_kw("join") {
            name.push_str(" JOIN");
        }
        let mut depth = 0usize;
        loop {
            // Index patterns (`lookup-*`) do not always lex as expression tokens.
            let t = match lexer::next(self.src, self.pos) {
                Ok(t) => t,
                Err(e) => lexer::index_pattern(self.src, self.pos)?.ok_or(e)?,
            };
            match t.tok {
                Tok::Eof => break,
                Tok::Sym("|") if depth == 0 => break,
                Tok::Sym("(" | "[" | "{") => depth += 1,
                Tok::Sym(")" | "]" | "}") => depth = depth.saturating_sub(1),
                _ => {}
            }
            self.pos = t.span.end;
        }
        Ok(CommandKind::Unsupported(name))
    }

    fn from(&mut self) -> PResult<CommandKind> {
        let mut indices = Vec::new();
        loop {
            let Some(t) = lexer::index_pattern(self.src, self.pos)? else {
                let t = self.peek()?;
                return Err(self.mismatched(&t, &["QUOTED_STRING", "UNQUOTED_SOURCE"]));
            };
            self.pos = t.span.end;
            let name = match t.tok {
                Tok::Str(s) | Tok::Ident(s) => s,
                _ => String::new(),
            };
            // `FROM a METADATA _id`: the pattern reader stops at spaces, so `METADATA` arrives
            // as a pattern of its own after a space, never after a comma.
            indices.push(Name { name, span: t.span });
            if !self.eat_sym(",")? {
                break;
            }
        }
        let mut metadata = Vec::new();
        if self.eat_kw("metadata")? {
            metadata.push(self.identifier()?);
            while self.eat_sym(",")? {
                metadata.push(self.identifier()?);
            }
        }
        Ok(CommandKind::From { indices, metadata })
    }

    /// `a = expr, expr, …` (`ROW`, `EVAL`, the groups of `STATS … BY`).
    fn fields(&mut self) -> PResult<Vec<Field>> {
        let mut out = vec![self.field()?];
        while self.eat_sym(",")? {
            out.push(self.field()?);
        }
        Ok(out)
    }

    fn field(&mut self) -> PResult<Field> {
        let start = self.pos;
        if let Ok(name) = self.qualified_name() {
            let t = self.peek()?;
            if t.is_sym("=") {
                self.pos = t.span.end;
                let expr = self.boolean_expression()?;
                let span = name.span.to(expr.span);
                return Ok(Field {
                    name: Some(name),
                    expr,
                    span,
                });
            }
        }
        self.pos = start;
        let expr = self.boolean_expression()?;
        Ok(Field {
            name: None,
            span: expr.span,
            expr,
        })
    }

    fn stats(&mut self, inline: bool) -> PResult<CommandKind> {
        let mut aggs = Vec::new();
        let t = self.peek()?;
        if !t.is_kw("by") && !t.is_sym("|") && t.tok != Tok::Eof {
            loop {
                let field = self.field()?;
                let filter = if self.eat_kw("where")? {
                    Some(self.boolean_expression()?)
                } else {
                    None
                };
                aggs.push(AggField { field, filter });
                if !self.eat_sym(",")? {
                    break;
                }
            }
        }
        let by = if self.eat_kw("by")? {
            self.fields()?
        } else {
            Vec::new()
        };
        Ok(CommandKind::Stats { aggs, by, inline })
    }

    fn name_pattern(&mut self) -> PResult<Name> {
        match lexer::name_pattern(self.src, self.pos)? {
            Some(t) => {
                self.pos = t.span.end;
                let name = match t.tok {
                    Tok::Ident(s) => s,
                    _ => String::new(),
                };
                Ok(Name { name, span: t.span })
            }
            None => {
                let t = self.peek()?;
                Err(self.mismatched(&t, &["ID_PATTERN"]))
            }
        }
    }

    fn name_patterns(&mut self) -> PResult<Vec<Name>> {
        let mut out = vec![self.name_pattern()?];
        while self.eat_sym(",")? {
            out.push(self.name_pattern()?);
        }
        Ok(out)
    }

    fn rename(&mut self) -> PResult<CommandKind> {
        let mut pairs = Vec::new();
        loop {
            let first = self.name_pattern()?;
            if self.eat_sym("=")? {
                let old = self.name_pattern()?;
                pairs.push((old, first));
            } else {
                self.expect_kw("as")?;
                pairs.push((first, self.name_pattern()?));
            }
            if !self.eat_sym(",")? {
                break;
            }
        }
        Ok(CommandKind::Rename(pairs))
    }

    fn sort(&mut self) -> PResult<CommandKind> {
        let mut keys = Vec::new();
        loop {
            let expr: Expr = self.boolean_expression()?;
            let descending = if self.eat_kw("desc")? {
                true
            } else {
                self.eat_kw("asc")?;
                false
            };
            let nulls_first = if self.eat_kw("nulls")? {
                if self.eat_kw("first")? {
                    Some(true)
                } else {
                    self.expect_kw("last")?;
                    Some(false)
                }
            } else {
                None
            };
            keys.push(SortKey {
                expr,
                descending,
                nulls_first,
            });
            if !self.eat_sym(",")? {
                break;
            }
        }
        Ok(CommandKind::Sort(keys))
    }

    fn dissect(&mut self) -> PResult<CommandKind> {
        let input = self.primary()?;
        let pattern = self.string()?;
        let mut append_separator = None;
        let t = self.peek()?;
        if let Tok::Ident(w) = &t.tok {
            if !w.eq_ignore_ascii_case("append_separator") {
                return Err(self.mismatched(&t, &["<EOF>", "'|'"]));
            }
            self.pos = t.span.end;
            self.expect_sym("=")?;
            append_separator = Some(self.string()?.name);
        }
        Ok(CommandKind::Dissect {
            input,
            pattern,
            append_separator,
        })
    }
}
