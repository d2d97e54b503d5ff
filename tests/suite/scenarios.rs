//! Every scenario in `scenarios/` is a golden story, pinned exactly as a
//! teacher pins their own with `kafkasim test`: it must pass its own
//! expectations, and its outcome report plus trace digest must match the
//! reviewed pin beside it (`scenarios/NAME.snap`). Adding a scenario file
//! adds a test; `cargo run --release -- test scenarios --accept` pins it.
//!
//! As with insta: a difference writes `NAME.snap.new` for review (not under
//! CI), and `INSTA_UPDATE=always` accepts every new outcome.

use std::path::PathBuf;

use kafkasim::cli::test::{self, Options};

use super::support;

fn ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0")
}

#[test]
fn every_scenario_matches_its_pin() {
    // Tests run in the package's folder: the paths read as the repository's.
    let files = test::scenario_files(&[PathBuf::from("scenarios")]).expect("the scenarios folder");
    let accept = std::env::var("INSTA_UPDATE").is_ok_and(|v| v == "always");
    let options = Options {
        write_pending: !ci() && !accept,
        trace_dir: Some(PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("kafkasim-traces")),
        color: false,
    };
    let mut failures = String::new();
    for file in &files {
        let mut checked = test::check(file, &options);
        if accept && checked.can_accept() {
            checked.accept().expect("the pin is written");
        }
        if !checked.status.passed() {
            failures.push_str(&checked.render());
        }
    }
    assert!(
        failures.is_empty(),
        "{failures}\nIf these changes are what you meant, pin them with \
         `cargo run --release -- test scenarios --accept` (or review them one by one with `--review`)."
    );
    assert!(files.len() > 20, "the course scenarios are found ({})", files.len());
}

/// A consumer calls poll() again as soon as it has handled a poll's records,
/// so a backlog drains at once, not max.poll.records per fetch round trip.
#[test]
fn a_consumer_drains_a_backlog_at_once() {
    let text = r#"
name: backlog
topics: [{ name: events, partitions: 2 }]
producers:
  - { id: p, topic: events, every: 10us, count: 50000, key: "k-{n}" }
consumers:
  - { id: c, group: g, topics: [events], start: 2s, config: { auto.offset.reset: earliest } }
expect:
  - at: 6s
    received: { c: 50000 }
run: 7s
"#;
    let scenario = kafkasim::scenario::load_str("backlog.yaml", text).expect("loads");
    let (outcome, _, _) = support::run(scenario, None);
    assert!(outcome.passed, "{}", outcome.render());
}
