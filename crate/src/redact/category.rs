//! What kind of value a field holds, by its ECS name: the kind picks the placeholder's shape
//! (an IP stays an IP, a path keeps its shape) and whether the field is redacted by default.

use crate::event::{field_info, FieldType};
use serde::Serialize;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// Host names: `host-N` (`host-N.example` for a dotted name).
    Host,
    /// User names: `user-N`; the same mapping names the user folder in paths.
    User,
    /// E-mail addresses: `user-N@example.com`.
    Email,
    /// IP addresses: an address of the same family and kind of range.
    Ip,
    /// Paths and command lines: only the user folder under a home directory is replaced.
    Path,
    /// Domain names: `domain-N.example`. Not redacted by default: a domain is often the
    /// indicator a rule looks for, not the user's own.
    Domain,
    /// Any other field chosen by hand: `value-N`.
    Other,
}

impl Category {
    /// Whether the page offers the field pre-checked.
    pub fn default_on(self) -> bool {
        matches!(
            self,
            Category::Host | Category::User | Category::Email | Category::Ip | Category::Path
        )
    }
}

const PATH_LEAVES: &[&str] = &[
    "path",
    "executable",
    "directory",
    "working_directory",
    "command_line",
    "args",
    "target_path",
    "home",
];

/// The category of a field (`user.name`, `process.parent.executable`, `related.ip`, …).
pub fn category(field: &str) -> Category {
    let lower = field.to_ascii_lowercase();
    let segments: Vec<&str> = lower.split('.').collect();
    let leaf = segments.last().copied().unwrap_or_default();
    let parent = segments.len().checked_sub(2).and_then(|i| segments.get(i));
    if leaf == "ip" || field_info(field).ty == FieldType::Ip {
        return Category::Ip;
    }
    if leaf == "hostname"
        || lower == "related.hosts"
        || (leaf == "name" && matches!(parent, Some(&"host" | &"observer" | &"agent")))
    {
        return Category::Host;
    }
    if leaf == "email" {
        return Category::Email;
    }
    if lower == "related.user"
        || (matches!(leaf, "name" | "full_name") && segments.contains(&"user"))
    {
        return Category::User;
    }
    if PATH_LEAVES.contains(&leaf) {
        return Category::Path;
    }
    if matches!(leaf, "domain" | "registered_domain" | "subdomain") || lower == "dns.question.name"
    {
        return Category::Domain;
    }
    Category::Other
}

/// A user folder under a home directory in `text`: (start, end) of the user name, in bytes.
/// `/home/<u>`, `/Users/<u>` and `<drive>:\Users\<u>` (any case, either slash). In a path field a
/// name may hold spaces (`C:\Users\Jo Doe\…`); in a command line a space ends it.
pub fn home_users(text: &str, spaces: bool) -> Vec<(usize, usize)> {
    const SHARED: &[&str] = &["public", "default", "default user", "all users", "shared"];
    let lower = text.to_ascii_lowercase();
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(found) = ["/home/", "/users/", "\\users\\"]
        .iter()
        .filter_map(|m| lower[from..].find(m).map(|i| (from + i, m.len())))
        .min()
    {
        let start = found.0 + found.1;
        let mut end = start;
        while end < bytes.len() {
            let b = bytes[end];
            let stop = matches!(
                b,
                b'/' | b'\\' | b'"' | b'\'' | b'`' | b':' | b';' | b',' | b'|'
            ) || b < 0x20
                || (b == b' ' && !spaces);
            if stop {
                break;
            }
            end += 1;
        }
        let name = &text[start..end];
        let trimmed = name.trim_end();
        let end = start + trimmed.len();
        // Placeholders in shared folders, variables and globs name nobody.
        let skip = trimmed.is_empty()
            || SHARED.contains(&trimmed.to_ascii_lowercase().as_str())
            || trimmed.starts_with(['%', '$', '~', '{'])
            || trimmed.contains(['*', '?']);
        if !skip {
            out.push((start, end));
        }
        from = end.max(start);
    }
    out
}
