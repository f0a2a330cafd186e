use super::*;
use std::net::IpAddr;

fn fields(names: &[&str]) -> Vec<String> {
    names.iter().map(|s| s.to_string()).collect()
}

fn lines(text: &str) -> Vec<Value> {
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn same_input_same_placeholder_across_events_and_fields() {
    let text = concat!(
        r#"{"user":{"name":"alice"},"host":{"name":"ws-01"}}"#,
        "\n",
        r#"{"user.name":"bob","host":{"hostname":"ws-01"},"process":{"executable":"/home/alice/bin/x"}}"#,
        "\n",
        r#"{"user":{"name":"alice"},"related":{"user":["bob","alice"]}}"#,
        "\n"
    );
    let r = redact_events(
        text,
        &fields(&[
            "user.name",
            "host.name",
            "host.hostname",
            "process.executable",
            "related.user",
        ]),
    );
    let ev = lines(&r.text);
    assert_eq!(ev[0]["user"]["name"], "user-1");
    assert_eq!(ev[0]["host"]["name"], "host-1");
    assert_eq!(ev[1]["user.name"], "user-2");
    assert_eq!(ev[1]["host"]["hostname"], "host-1");
    assert_eq!(ev[1]["process"]["executable"], "/home/user-1/bin/x");
    assert_eq!(ev[2]["user"]["name"], "user-1");
    assert_eq!(
        ev[2]["related"]["user"],
        serde_json::json!(["user-2", "user-1"])
    );
    assert_eq!(r.replaced, 8);
    let alice = r.mappings.iter().find(|m| m.original == "alice").unwrap();
    assert_eq!((alice.placeholder.as_str(), alice.count), ("user-1", 4));
}

#[test]
fn only_the_chosen_values_bytes_change() {
    let text = "[\n  {\"b\": 1.50, \"host\" : {\"name\":\"db\\u0031\"}, \"n\": 12345678901234567890},\n  not json\n]";
    let r = redact(
        text,
        &[Span::new(4, 78)],
        &[serde_json::json!({"host": {"name": "db1"}})],
        &fields(&["host.name"]),
        1,
    );
    assert_eq!(
        r.text,
        "[\n  {\"b\": 1.50, \"host\" : {\"name\":\"host-1\"}, \"n\": 12345678901234567890},\n  not json\n]"
    );
    assert_eq!(r.unread_errors, 1);
}

#[test]
fn ips_stay_valid_ips_of_the_same_family_and_range() {
    let text = concat!(
        r#"{"source":{"ip":"8.8.8.8"},"destination":{"ip":"10.1.2.3"},"host":{"ip":["192.168.7.7","fe80::1","2a00:1450::1","::ffff:1.1.1.1"]}}"#,
        "\n",
        r#"{"source":{"ip":"127.0.0.1"},"destination":{"ip":"8.8.8.8"},"related":{"ip":["172.20.1.1","fd12::9","::1"]}}"#,
    );
    let r = redact_events(
        text,
        &fields(&["source.ip", "destination.ip", "host.ip", "related.ip"]),
    );
    let ev = lines(&r.text);
    let ip = |v: &Value| v.as_str().unwrap().parse::<IpAddr>().unwrap();
    assert_eq!(ev[0]["source"]["ip"], "192.0.2.1");
    assert_eq!(ev[1]["destination"]["ip"], "192.0.2.1");
    assert_eq!(ev[0]["destination"]["ip"], "10.0.0.1");
    let host = ev[0]["host"]["ip"].as_array().unwrap();
    assert_eq!(host[0], "192.168.0.1");
    assert!(matches!(ip(&host[1]), IpAddr::V6(a) if a.segments()[0] == 0xfe80));
    assert_eq!(host[2], "2001:db8::1");
    assert_eq!(host[3], "::ffff:192.0.2.2");
    // Loopback names nobody: kept.
    assert_eq!(ev[1]["source"]["ip"], "127.0.0.1");
    let related = ev[1]["related"]["ip"].as_array().unwrap();
    assert_eq!(related[0], "172.16.0.1");
    assert!(matches!(ip(&related[1]), IpAddr::V6(a) if a.segments()[0] == 0xfd00));
    assert_eq!(related[2], "::1");
    for v in ev
        .iter()
        .flat_map(|e| crate::event::lookup(e, "related.ip"))
    {
        ip(v);
    }
}

#[test]
fn placeholders_skip_values_the_events_already_have() {
    let text = concat!(
        r#"{"host":{"name":"a"},"other":"host-1","source":{"ip":"1.2.3.4"},"x":"192.0.2.1"}"#,
        "\n"
    );
    let r = redact_events(text, &fields(&["host.name", "source.ip"]));
    let ev = lines(&r.text);
    assert_eq!(ev[0]["host"]["name"], "host-2");
    assert_eq!(ev[0]["source"]["ip"], "192.0.2.2");
    assert_eq!(ev[0]["other"], "host-1");
}

#[test]
fn many_public_addresses_stay_distinct_and_valid() {
    let mut placeholders = Placeholders::default();
    let mut seen = HashSet::new();
    for i in 0..2000u32 {
        let original = std::net::Ipv4Addr::from(0x0808_0000 + i).to_string();
        let new = replace(&original, Category::Ip, true, &mut placeholders);
        let parsed: std::net::Ipv4Addr = new.parse().unwrap();
        assert!(!parsed.is_private() && parsed.octets()[3] != 0 && parsed.octets()[3] != 255);
        assert!(seen.insert(new));
    }
}

#[test]
fn paths_keep_their_shape_only_the_user_folder_changes() {
    let text = concat!(
        r#"{"user":{"name":"jdoe"},"file":{"path":"C:\\Users\\jdoe\\AppData\\x.exe"},"process":{"working_directory":"/Users/Jo Doe/src","command_line":"cp /home/jdoe/a /home/bob/b C:/Users/Public/c","args":["/home/jdoe/.ssh/id_rsa","/home/%u/x"]}}"#,
        "\n"
    );
    let r = redact_events(
        text,
        &fields(&[
            "user.name",
            "file.path",
            "process.working_directory",
            "process.command_line",
            "process.args",
        ]),
    );
    let ev = lines(&r.text);
    assert_eq!(ev[0]["user"]["name"], "user-1");
    assert_eq!(ev[0]["file"]["path"], "C:\\Users\\user-1\\AppData\\x.exe");
    assert_eq!(ev[0]["process"]["working_directory"], "/Users/user-2/src");
    assert_eq!(
        ev[0]["process"]["command_line"],
        "cp /home/user-1/a /home/user-3/b C:/Users/Public/c"
    );
    assert_eq!(
        ev[0]["process"]["args"],
        serde_json::json!(["/home/user-1/.ssh/id_rsa", "/home/%u/x"])
    );
}

#[test]
fn emails_domains_and_other_fields() {
    let text = r#"{"user":{"email":"alice@corp.example","name":"alice"},"url":{"domain":"intranet.corp"},"custom":"secret","host":{"name":"web.corp.local"}}"#;
    let r = redact_events(
        text,
        &fields(&[
            "user.email",
            "user.name",
            "url.domain",
            "custom",
            "host.name",
        ]),
    );
    let ev = lines(&r.text);
    assert_eq!(ev[0]["user"]["email"], "user-1@example.com");
    assert_eq!(ev[0]["user"]["name"], "user-1");
    assert_eq!(ev[0]["url"]["domain"], "domain-1.example");
    assert_eq!(ev[0]["custom"], "value-1");
    assert_eq!(ev[0]["host"]["name"], "host-1.example");
}

#[test]
fn categories_and_defaults() {
    for (field, cat) in [
        ("host.name", Category::Host),
        ("host.hostname", Category::Host),
        ("observer.hostname", Category::Host),
        ("user.name", Category::User),
        ("user.target.name", Category::User),
        ("process.user.name", Category::User),
        ("related.user", Category::User),
        ("source.ip", Category::Ip),
        ("host.ip", Category::Ip),
        ("destination.nat.ip", Category::Ip),
        ("file.path", Category::Path),
        ("process.parent.executable", Category::Path),
        ("process.args", Category::Path),
        ("url.domain", Category::Domain),
        ("process.name", Category::Other),
        ("event.action", Category::Other),
    ] {
        assert_eq!(category(field), cat, "{field}");
    }
    let offered = choices(&fields(&[
        "process.name",
        "user.name",
        "url.domain",
        "source.ip",
    ]));
    let on: Vec<(&str, bool)> = offered
        .iter()
        .map(|c| (c.field.as_str(), c.default_on))
        .collect();
    assert_eq!(
        on,
        [
            ("user.name", true),
            ("source.ip", true),
            ("url.domain", false),
            ("process.name", false)
        ]
    );
}

#[test]
fn hostile_input_does_not_panic() {
    for text in [
        "",
        "{",
        "[{\"a\":",
        "{\"user\":{\"name\":\"\\ud83d\\ude00é\"}}",
        "\u{0}",
        "[[[]]]",
    ] {
        let r = redact_events(text, &fields(&["user.name", "a"]));
        assert!(r.text.len() <= text.len() + 16, "{text:?}");
    }
    assert!(home_users("/home/", true).is_empty());
    assert_eq!(home_users("/home/é/x", true), [(6, 8)]);
}
