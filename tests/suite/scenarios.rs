//! Every scenario in `scenarios/` is a golden story: it must pass its own
//! expectations, and its outcome report plus trace digest must match the
//! reviewed snapshot in `snapshots/`. Adding a scenario file adds a test.

use super::support;

#[test]
fn every_scenario_matches_its_snapshot() {
    support::snapshot_settings().bind(|| {
        insta::glob!("../../scenarios", "*.yaml", |path| {
            let scenario = support::load(path);
            let (outcome, digest, events) = support::run(scenario, None);
            let failed: Vec<_> = outcome.expectations.iter().filter(|e| !e.passed).collect();
            assert!(failed.is_empty(), "{}: expectations failed: {failed:#?}", support::relative(path));
            let report = format!("{}\ntrace: {events} events, digest {digest}\n", outcome.render());
            insta::assert_snapshot!(report);
        });
    });
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
