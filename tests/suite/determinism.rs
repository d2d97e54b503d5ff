//! Determinism is a feature: the same scenario and seed give byte-identical
//! traces, and a different seed gives a different one (so the seed matters).

use super::support;

#[test]
fn every_scenario_replays_identically() {
    for path in support::scenario_files() {
        let (first, digest_a, _) = support::run(support::load(&path), None);
        let (second, digest_b, _) = support::run(support::load(&path), None);
        assert_eq!(digest_a, digest_b, "{}: two runs gave different traces", support::relative(&path));
        assert_eq!(first, second, "{}: two runs gave different outcomes", support::relative(&path));
    }
}

#[test]
fn the_seed_changes_the_run() {
    let path = support::repo_root().join("scenarios/key-partitioning.yaml");
    let (_, a, _) = support::run(support::load(&path), Some(1));
    let (_, b, _) = support::run(support::load(&path), Some(2));
    assert_ne!(a, b, "network jitter and keyless partitioning come from the seed");
}
