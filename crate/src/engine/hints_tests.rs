use super::*;

fn hints(source: &str, lang: Lang, fields: &[&str]) -> Vec<Diagnostic> {
    let mut fields: Vec<String> = fields.iter().map(|f| f.to_string()).collect();
    fields.sort();
    let rule = (lang == Lang::Toml)
        .then(|| load_rule(source).ok())
        .flatten();
    let loaded = query_hints(source, lang, rule.as_ref(), &fields);
    // The same whether the rule file is read again or its loaded rule is given.
    assert_eq!(loaded, query_hints(source, lang, None, &fields));
    loaded
}

fn spanned<'a>(source: &'a str, d: &Diagnostic) -> &'a str {
    &source[d.span.start..d.span.end]
}

#[test]
fn keyword_lookalikes() {
    for (word, keyword) in [
        ("adn", "and"),
        ("dna", "and"),
        ("an", "and"),
        ("nto", "not"),
        ("otn", "not"),
    ] {
        assert_eq!(keyword_like(word), Some(keyword), "{word}");
    }
    assert_eq!(keyword_like("ro"), Some("or"));
    for word in [
        "and", "OR", "not", "exim4", "a", "sort", "bash", "zz", "host",
    ] {
        assert_eq!(keyword_like(word), None, "{word}");
    }
}

#[test]
fn a_misspelled_and_before_not_is_pointed_at() {
    // Kibana reads "exim4 adn" as the value and then fails at `not` (no `and`/`or` before it):
    // the error stays and the warning says why.
    let q = "process.parent.name:exim4 adn not process.name:sort";
    assert!(kql::parse(q).is_err());
    let h = hints(q, Lang::Kql, &["process.parent.name", "process.name"]);
    assert_eq!(h.len(), 1, "{h:?}");
    assert_eq!(spanned(q, &h[0]), "adn");
    assert_eq!(h[0].kind, KqlErrorKind::MisspelledKeyword.into());
    assert!(!h[0].is_error());
    assert_eq!(
        h[0].message,
        "\"adn\" is read as part of the value \"exim4 adn\"; did you mean \"and\"?"
    );
}

#[test]
fn a_misspelled_keyword_inside_a_valid_value_is_pointed_at() {
    // Valid KQL: one value "exim4 adn sort".
    let q = "process.parent.name:exim4 adn sort";
    assert!(kql::parse(q).is_ok());
    let h = hints(q, Lang::Kql, &["process.parent.name"]);
    assert_eq!(h.len(), 1, "{h:?}");
    assert_eq!(spanned(q, &h[0]), "adn");
    assert!(
        h[0].message.contains("\"exim4 adn sort\""),
        "{}",
        h[0].message
    );
    let q = "process.name:(bash ro sh)";
    let h = hints(q, Lang::Kql, &["process.name"]);
    assert_eq!(h.iter().map(|d| spanned(q, d)).collect::<Vec<_>>(), ["ro"]);
}

#[test]
fn no_keyword_hint_for_first_words_quoted_text_or_keywords() {
    for q in [
        "process.name:adn",
        "process.name:\"exim4 adn sort\"",
        "process.name:exim4 and not process.name:sort",
        "adn:1",
        "process.name:(a or b)",
    ] {
        let h = hints(q, Lang::Kql, &["process.name", "adn"]);
        assert!(h.is_empty(), "{q}: {h:?}");
    }
}

#[test]
fn unknown_fields_get_a_warning_with_the_nearest_name() {
    let q = "proces.name:bash and host.os.type:linux and custom.tag:x";
    let h = hints(q, Lang::Kql, &["process.name", "custom.tag"]);
    assert_eq!(h.len(), 1, "{h:?}");
    assert_eq!(spanned(q, &h[0]), "proces.name");
    assert_eq!(h[0].kind, KqlErrorKind::UnknownField.into());
    assert_eq!(
        h[0].message,
        "no event has the field \"proces.name\" and ECS does not define it; did you mean \"process.name\"?"
    );
    // ECS fields and fields the events have (objects too) are known.
    assert!(hints("process.parent:*", Lang::Kql, &["process.parent.name"]).is_empty());
    assert!(hints("source.ip:1.2.3.4", Lang::Kql, &[]).is_empty());
    assert!(hints("custom.*:x", Lang::Kql, &[]).is_empty());
    let eql = "process where proces.name == \"bash\" and ?maybe.there == 1";
    let h = hints(eql, Lang::Eql, &["process.name"]);
    assert_eq!(h.len(), 1, "{h:?}");
    assert_eq!(spanned(eql, &h[0]), "proces.name");
    assert_eq!(h[0].kind, EqlErrorKind::UnknownField.into());
}

#[test]
fn spans_point_into_a_rule_file() {
    let src = "[rule]\nname = \"x\"\ntype = \"query\"\nlanguage = \"kuery\"\nquery = '''\nproces.name:bash\n'''\n";
    let h = hints(src, Lang::Toml, &["process.name"]);
    assert_eq!(h.len(), 1, "{h:?}");
    assert_eq!(spanned(src, &h[0]), "proces.name");
}
