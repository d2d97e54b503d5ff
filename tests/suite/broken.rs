//! Bad input gets a clear error, never a panic: each file in `tests/broken/`
//! is snapshotted with the error a student would see (file:line:column, the
//! offending line, and a fix).

use kafkasim::scenario::load_bytes;

use super::support;

#[test]
fn broken_scenarios_explain_themselves() {
    support::snapshot_settings().bind(|| {
        insta::glob!("../broken", "*.yaml", |path| {
            let bytes = std::fs::read(path).expect("readable");
            let error = match load_bytes(&support::relative(path), &bytes) {
                Ok(_) => panic!("{} should not load", support::relative(path)),
                Err(e) => e,
            };
            for problem in &error.problems {
                assert!(problem.help.is_some(), "{}: `{}` has no help", support::relative(path), problem.message);
            }
            insta::assert_snapshot!(error.render(false));
        });
    });
}

#[test]
fn arbitrary_bytes_never_panic() {
    // A cheap sweep: every prefix of a real scenario, and some garbage.
    let text = std::fs::read(support::repo_root().join("scenarios/producer-consumer.yaml")).expect("scenario");
    for end in 0..text.len() {
        let _ = load_bytes("prefix.yaml", &text[..end]);
    }
    for garbage in [&b"\x00\x01\x02"[..], b"{{{{", b"- - - -", b"name: [", b"\xff\xfe"] {
        let _ = load_bytes("garbage.yaml", garbage);
    }
}
