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
