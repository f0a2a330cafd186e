use super::super::Session;
use crate::diagnostic::EventErrorKind;
use crate::engine::Lang;
use std::path::Path;

/// Feed `text` to a session's file reader in pieces of `piece` bytes.
fn read_in_pieces(s: &mut Session, text: &[u8], piece: usize) -> crate::engine::EventsReport {
    s.file_begin(false);
    for chunk in text.chunks(piece) {
        assert!(s.file_push(chunk).is_some());
    }
    s.file_end().expect("a file is being read")
}

fn session(rule: &str, lang: Lang) -> Session {
    let mut s = Session::new();
    assert!(s.set_rule(rule.into(), lang).is_ok());
    s
}

#[test]
fn lines_split_anywhere_crlf_and_utf8_across_pieces() {
    let text = "{\"process\":{\"name\":\"bash\"},\"user\":{\"name\":\"zoë\"}}\r\n\r\n{\"process\":{\"name\":\"sh\"},\"message\":\"日本語\"}\n{\"process\":{\"name\":\"bash\"}}";
    for piece in [1, 2, 3, 5, 7, 64, 4096] {
        let mut s = session("process.name:bash", Lang::Kql);
        let report = read_in_pieces(&mut s, text.as_bytes(), piece);
        assert_eq!(report.count, 3, "piece {piece}");
        assert_eq!(report.error_count, 0, "piece {piece}: {:?}", report.errors);
        let r = s.evaluate().expect("a rule");
        assert_eq!(r.counts.alert, 2, "piece {piece}");
        // Byte spans point at each event as written, without its line ending.
        let (at, len) = s.file_span(1).expect("event 1");
        let event = &text.as_bytes()[at as usize..at as usize + len as usize];
        assert_eq!(
            event,
            "{\"process\":{\"name\":\"sh\"},\"message\":\"日本語\"}".as_bytes()
        );
        let (at, len) = s.file_span(2).expect("event 2");
        assert_eq!(at as usize + len as usize, text.len());
    }
}

#[test]
fn bad_lines_are_reported_and_the_others_kept() {
    let mut s = session("process.name:bash", Lang::Kql);
    let mut text = b"{\"process\":{\"name\":\"bash\"}}\nnot json\n".to_vec();
    text.extend_from_slice(b"{\"a\":\"\xff\"}\n[1]\n{\"process\":{\"name\":\"bash\"}}\n");
    let report = read_in_pieces(&mut s, &text, 3);
    assert_eq!(report.count, 2);
    assert_eq!(report.error_count, 3);
    assert_eq!(report.errors[0].line, 2);
    assert_eq!(report.errors[1].kind, EventErrorKind::InvalidUtf8);
    assert_eq!(report.errors[2].kind, EventErrorKind::NotAnObject);
}

#[test]
fn a_json_array_is_refused_with_a_clear_message() {
    let mut s = session("process.name:bash", Lang::Kql);
    let report = read_in_pieces(&mut s, b"[\n{\"process\":{\"name\":\"bash\"}}\n]\n", 4);
    assert_eq!(report.count, 0);
    assert_eq!(report.errors[0].kind, EventErrorKind::ArrayTooLarge);
    assert!(report.errors[0].message.contains("NDJSON"));
}

#[test]
fn an_edit_reading_a_new_field_needs_a_new_read() {
    let mut s = session("process.name:bash", Lang::Kql);
    read_in_pieces(&mut s, b"{\"process\":{\"name\":\"bash\",\"pid\":1}}\n", 8);
    assert!(!s.file_stale());
    assert!(s.set_rule("process.pid:1".into(), Lang::Kql).is_ok());
    assert!(s.file_stale());
    s.file_begin(true);
    s.file_push(b"{\"process\":{\"name\":\"bash\",\"pid\":1}}\n");
    s.file_end();
    assert!(!s.file_stale());
    assert_eq!(s.evaluate().expect("a rule").counts.alert, 1);
    // The first query's field was kept too.
    assert!(s.set_rule("process.name:bash".into(), Lang::Kql).is_ok());
    assert!(!s.file_stale());
}

/// Every example of `rules/` (with its exceptions): the same verdicts, reasons and sequences
/// from the file reader (pieces of 1, 13 and 4096 bytes) as from the events text, and the
/// explanations of the file's events agree with the text's.
#[test]
fn file_verdicts_equal_text_verdicts_on_every_example() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../rules");
    let mut seen = 0;
    for dir in std::fs::read_dir(&root).expect("rules/") {
        let dir = dir.expect("entry").path();
        let (Ok(rule), Ok(events)) = (
            std::fs::read_to_string(dir.join("rule.toml")),
            std::fs::read_to_string(dir.join("events.ndjson")),
        ) else {
            continue;
        };
        let exceptions = std::fs::read_to_string(dir.join("exceptions.ndjson")).unwrap_or_default();
        let mut text = Session::new();
        if text.set_rule(rule.clone(), Lang::Toml).is_err() {
            continue;
        }
        text.set_exceptions(&exceptions);
        text.set_events(events.clone());
        let want = text.evaluate().expect("a rule");
        for piece in [1, 13, 4096] {
            let mut file = session(&rule, Lang::Toml);
            file.set_exceptions(&exceptions);
            let report = read_in_pieces(&mut file, events.as_bytes(), piece);
            assert_eq!(report.count, want.status.len(), "{}", dir.display());
            let got = file.evaluate().expect("a rule");
            assert_eq!(got.status, want.status, "{} piece {piece}", dir.display());
            assert_eq!(got.reasons, want.reasons, "{}", dir.display());
            assert_eq!(got.sequences, want.sequences, "{}", dir.display());
            assert_eq!(got.groups, want.groups, "{}", dir.display());
            assert_eq!(got.now, want.now, "{}", dir.display());
            for i in 0..report.count {
                let (at, len) = file.file_span(i).expect("span");
                let ev = &events[at as usize..at as usize + len as usize];
                assert_eq!(
                    file.explain_file_event(i, ev),
                    text.explain(i),
                    "{} #{i}",
                    dir.display()
                );
            }
        }
        seen += 1;
    }
    assert!(seen >= 10, "only {seen} examples read");
}

/// `RULEPLAY_BIG=file.ndjson RULEPLAY_RULE=rule.toml cargo test --release --lib bigfile_timing -- --ignored --nocapture`
#[test]
#[ignore]
fn bigfile_timing() {
    let (Ok(path), Ok(rule)) = (
        std::env::var("RULEPLAY_BIG"),
        std::env::var("RULEPLAY_RULE"),
    ) else {
        return;
    };
    let rule = std::fs::read_to_string(rule).expect("rule");
    let bytes = std::fs::read(path).expect("events");
    let mut s = session(&rule, Lang::Toml);
    let t = std::time::Instant::now();
    read_in_pieces(&mut s, &bytes, 4 << 20);
    eprintln!(
        "read {:?}, heap {} MB",
        t.elapsed(),
        s.file_heap_bytes() / 1_000_000
    );
    for _ in 0..3 {
        let t = std::time::Instant::now();
        let r = s.evaluate().expect("a rule");
        eprintln!("evaluate {:?} {:?}", t.elapsed(), r.counts);
    }
}
