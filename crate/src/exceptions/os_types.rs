//! `os_types` of an exception item: the host's OS must be one of them.

use crate::rule::filters::{wildcard_for, Cond, FieldTest, TestKind};

/// The tests one `os_types` value adds. With user mappings that define the multi-field
/// `host.os.name.caseless` (Elastic Defend's, a keyword with a lowercase normalizer), that field
/// reads `host.os.name` and compares without case, as the normalizer makes it; without, the
/// name is taken literally as before (ECS does not define it).
pub(super) fn tests(os: &str) -> Vec<Cond> {
    let caseless = "host.os.name.caseless";
    let mapped = crate::event::mapping::current().is_some_and(|m| m.get(caseless).is_some());
    let name_test = if mapped {
        TestKind::Wildcard(wildcard_for(caseless, &escape_wildcard(os), true))
    } else {
        TestKind::Phrase(os.to_string())
    };
    vec![
        Cond::Test(FieldTest::new(
            "host.os.type",
            TestKind::Phrase(os.to_string()),
        )),
        Cond::Test(FieldTest::new(caseless, name_test)),
    ]
}

/// `s` as a wildcard pattern matching only itself.
fn escape_wildcard(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '*' | '?' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}
