//! ES|QL exclusion lists (issue 16 §3): found and edited like KQL's and EQL's.
#![cfg(feature = "esql")]

use ruleplay::exclusions::{apply, find, Form, Lang, Op};

fn add(field: &str, value: &str) -> Op {
    Op::Add {
        field: field.into(),
        value: value.into(),
    }
}

fn remove(field: &str, value: &str) -> Op {
    Op::Remove {
        field: field.into(),
        value: value.into(),
    }
}

#[test]
fn not_in_and_not_like_lists_are_found_with_their_values() {
    let q = "FROM logs-*\n| WHERE event.type == \"start\"\n    AND NOT process.name IN (\"a\", \"b\")\n    AND user.name NOT IN (\"svc\")\n    AND NOT process.executable LIKE \"/opt/*\" AND NOT process.executable LIKE \"/usr/*\"\n| KEEP process.*";
    let lists = find(Lang::Esql, q).unwrap();
    let got: Vec<(&str, Form, Vec<&str>)> = lists
        .iter()
        .map(|l| (l.field.as_str(), l.form, l.values()))
        .collect();
    assert_eq!(
        got,
        [
            ("process.name", Form::EsqlIn, vec!["a", "b"]),
            ("user.name", Form::EsqlIn, vec!["svc"]),
            (
                "process.executable",
                Form::EsqlLike,
                vec!["/opt/*", "/usr/*"]
            ),
        ]
    );
    assert!(lists[2].items[0].pattern);
    assert_eq!(lists[0].span.text(q), "(\"a\", \"b\")");
}

#[test]
fn an_in_list_that_is_not_negated_or_is_part_of_a_larger_expression_is_no_exclusion() {
    for q in [
        "FROM x | WHERE process.name IN (\"a\")",
        "FROM x | WHERE NOT process.name IN (\"a\") == true",
        "FROM x | EVAL y = NOT process.name IN (\"a\")",
    ] {
        let lists = find(Lang::Esql, q).unwrap_or_default();
        assert!(lists.is_empty(), "{q}: {lists:?}");
    }
}

#[test]
fn adding_and_removing_values_edits_only_the_list() {
    let q = "FROM x\n| WHERE a == 1 AND NOT p IN (\"a\", \"b\")\n| KEEP p";
    assert_eq!(
        apply(Lang::Esql, q, &[add("p", "c\"d")]).unwrap(),
        "FROM x\n| WHERE a == 1 AND NOT p IN (\"a\", \"b\", \"c\\\"d\")\n| KEEP p"
    );
    assert_eq!(
        apply(Lang::Esql, q, &[remove("p", "a")]).unwrap(),
        "FROM x\n| WHERE a == 1 AND NOT p IN (\"b\")\n| KEEP p"
    );
    // The last value takes its clause and the AND with it.
    assert_eq!(
        apply(Lang::Esql, q, &[remove("p", "a"), remove("p", "b")]).unwrap(),
        "FROM x\n| WHERE a == 1\n| KEEP p"
    );
    // A pattern goes to a LIKE chain, never into an exact IN list.
    assert_eq!(
        apply(Lang::Esql, q, &[Op::AddPattern { field: "p".into(), pattern: "z*".into() }])
            .unwrap_or_else(|d| d.message),
        "cannot add \"z*\" to the exclusion list of p: `IN` compares exactly; a pattern needs a `LIKE` clause"
    );
}

#[test]
fn a_like_chain_grows_and_shrinks_by_clause() {
    let q = "from x | where a == 1 and not p like \"x*\"";
    let grown = apply(
        Lang::Esql,
        q,
        &[Op::AddPattern {
            field: "p".into(),
            pattern: "y?".into(),
        }],
    )
    .unwrap();
    assert_eq!(
        grown,
        "from x | where a == 1 and not p like \"x*\" and not p like \"y?\""
    );
    assert_eq!(
        apply(Lang::Esql, &grown, &[remove("p", "x*")]).unwrap(),
        "from x | where a == 1 and not p like \"y?\""
    );
}

#[test]
fn a_field_without_a_list_gets_a_new_clause_in_the_first_where() {
    let q = "FROM x\n| WHERE a == 1 OR b == 2\n| STATS c = COUNT(*) BY h";
    assert_eq!(
        apply(Lang::Esql, q, &[add("user.name", "svc")]).unwrap(),
        "FROM x\n| WHERE (a == 1 OR b == 2) AND NOT user.name IN (\"svc\")\n| STATS c = COUNT(*) BY h"
    );
    assert_eq!(
        apply(Lang::Esql, "FROM x | KEEP a", &[add("a", "v")]).unwrap(),
        "FROM x\n| WHERE NOT a IN (\"v\") | KEEP a"
    );
}
