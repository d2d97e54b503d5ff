//! Every kind of expectation evaluates right both ways: a course scenario
//! gets extra expectations, each written once so it holds and once so it
//! cannot, and the outcome must say pass for the first and FAIL for the
//! second. An expectation that always passed (or always failed) would make
//! one of the pair come out wrong.

use kafkasim::scenario::load_str;
use kafkasim::trace::report::Outcome;

use super::support;

/// Runs course scenario `name` with `extra` entries added to its `expect:`.
fn run_with(name: &str, extra: &str) -> Outcome {
    let path = support::repo_root().join(format!("scenarios/{name}.yaml"));
    let text = std::fs::read_to_string(&path).expect("course scenario");
    let at = text.find("\nexpect:\n").expect("an expect: section") + "\nexpect:\n".len();
    let text = format!("{}{extra}{}", &text[..at], &text[at..]);
    let scenario = load_str(&format!("{name}.yaml"), &text).unwrap_or_else(|e| panic!("{name} with {extra}:\n{e}"));
    support::run(scenario, None).0
}

/// Each `(description, expected value, passed)` must be reported so.
fn assert_results(outcome: &Outcome, wanted: &[(&str, &str, bool)]) {
    for &(description, expected, passed) in wanted {
        let found = outcome
            .expectations
            .iter()
            .find(|e| e.description == description && e.expected == expected)
            .unwrap_or_else(|| panic!("no expectation `{description} = {expected}` in\n{}", outcome.render()));
        assert_eq!(found.passed, passed, "`{description} = {expected}` (found {})", found.found);
    }
}

#[test]
fn replicas_diverge_while_the_old_leader_is_down_and_agree_after_it_truncates() {
    let outcome = run_with(
        "acks-1-loss",
        "  - at: 25s
    replicas_identical: { payments-0: true }
    in_isr: { payments-0: { 1: false, 2: false } }
    replica_log_end_offset: { payments-0: { 1: \"< 221\", 2: \"< 221\" } }
  - at: 25s
    replicas_identical: { payments-0: false }
  - replicas_identical: { payments-0: true }
  - replicas_identical: { payments: false }
",
    );
    assert_results(
        &outcome,
        &[
            ("replicas of payments-0 identical below the high watermark", "true", false),
            ("replicas of payments-0 identical below the high watermark", "false", true),
            ("broker 1 in the ISR of payments-0", "false", true),
            ("broker 2 in the ISR of payments-0", "false", false),
            ("log end offset of payments-0 on broker 1", "< 221", true),
            ("log end offset of payments-0 on broker 2", "< 221", false),
        ],
    );
    let at_end: Vec<_> = outcome
        .expectations
        .iter()
        .filter(|e| e.at == "end" && e.description.starts_with("replicas of payments-0"))
        .map(|e| (e.expected.as_str(), e.passed))
        .collect();
    assert!(at_end.contains(&("false", false)), "a topic name checks its partitions: {at_end:?}");
    assert!(at_end.iter().all(|&(expected, passed)| passed == (expected == "true")), "{at_end:?}");
    let diverged = outcome.expectations.iter().find(|e| e.at == "25.000s" && e.expected == "true").expect("at 25s");
    assert!(
        diverged.found.contains("broker 1 (down) has epoch 0"),
        "the difference names the replica that is down: {}",
        diverged.found
    );
}

#[test]
fn happenings_are_counted_in_their_window_only() {
    let outcome = run_with(
        "acks-1-loss",
        "  - within: [12s, 25s]
    happened: { leader_change: { payments-0: 1 } }
  - within: [0s, 11s]
    happened: { leader_change: { payments-0: true } }
  - happened: { unclean_election: { payments-0: true } }
  - happened: { unclean_election: { payments-0: false } }
",
    );
    assert_results(
        &outcome,
        &[
            ("leader changes of payments-0 between 12.000s and 25.000s", "1", true),
            ("leader changes of payments-0 between 0.000s and 11.000s", ">= 1", false),
            ("unclean leader elections of payments-0", ">= 1", false),
            ("unclean leader elections of payments-0", "0", true),
        ],
    );
}

#[test]
fn unclean_elections_and_rebalances_are_counted() {
    let outcome = run_with(
        "unclean-election",
        "  - happened: { unclean_election: { risky-0: 1, safe-0: 1 } }
",
    );
    assert_results(
        &outcome,
        &[("unclean leader elections of risky-0", "1", true), ("unclean leader elections of safe-0", "1", false)],
    );
    let outcome = run_with(
        "consumer-resumes",
        "  - within: [30s, 50s]
    happened: { rebalance: { g1: 2 } }
  - within: [30s, 50s]
    happened: { rebalance: { g1: \">= 3\" }, offsets_expired: { g1: true }, group_deleted: { g1: false } }
",
    );
    let window = "between 30.000s and 50.000s";
    assert_results(
        &outcome,
        &[
            (&format!("rebalances (new generations) of group g1 {window}"), "2", true),
            (&format!("rebalances (new generations) of group g1 {window}"), ">= 3", false),
            (&format!("expiries of group g1's committed offsets {window}"), ">= 1", false),
            (&format!("deletions of group g1 {window}"), "0", true),
        ],
    );
}

#[test]
fn errors_a_client_saw_are_counted_by_kafkas_names() {
    let outcome = run_with(
        "acks-all-min-isr",
        "  - within: [45s, 80s]
    saw: { producer: { NOT_ENOUGH_REPLICAS: true } }
  - within: [0s, 30s]
    saw: { producer: { NOT_ENOUGH_REPLICAS: true } }
  - saw: { producer: { NotEnoughReplicasException: 0, NOT_LEADER_OR_FOLLOWER: \">= 1\" } }
",
    );
    assert_results(
        &outcome,
        &[
            ("producer saw NOT_ENOUGH_REPLICAS between 45.000s and 80.000s", ">= 1", true),
            ("producer saw NOT_ENOUGH_REPLICAS between 0.000s and 30.000s", ">= 1", false),
            ("producer saw NotEnoughReplicasException", "0", true),
            ("producer saw NOT_LEADER_OR_FOLLOWER", ">= 1", false),
        ],
    );
    let outcome = run_with(
        "max-poll-exceeded",
        "  - saw: { slow: { CommitFailedException: true, REBALANCE_IN_PROGRESS: 0 }, fast: { CommitFailedException: true } }
",
    );
    assert_results(
        &outcome,
        &[
            ("slow saw CommitFailedException", ">= 1", true),
            ("fast saw CommitFailedException", ">= 1", false),
            ("slow saw REBALANCE_IN_PROGRESS", "0", true),
        ],
    );
}

#[test]
fn groups_exist_and_clients_have_states() {
    let outcome = run_with(
        "consumer-resumes",
        "  - at: 35s
    group_exists: { g1: true }
    client_state: { c1: stopped, producer: running }
  - at: 35s
    group_exists: { g1: false }
    client_state: { c1: running }
  - at: 72s
    client_state: { c1: crashed }
",
    );
    assert_results(
        &outcome,
        &[
            ("group g1 exists", "true", true),
            ("group g1 exists", "false", false),
            ("state of c1", "stopped", true),
            ("state of c1", "running", false),
            ("state of c1", "crashed", true),
            ("state of producer", "running", true),
        ],
    );
    let outcome = run_with(
        "second-group-earliest",
        "  - at: 30s
    group_exists: { g2: true }
  - at: 30s
    group_exists: { g2: false }
",
    );
    assert_results(&outcome, &[("group g2 exists", "true", false), ("group g2 exists", "false", true)]);
}

#[test]
fn records_spread_over_partitions_as_keys_and_the_sticky_partitioner_send_them() {
    let outcome = run_with(
        "key-partitioning",
        "  - sent_to: { keyed: { users-0: 0 } }
    longest_run: { keyed: 3 }
  - sent_to: { keyed: { users-0: true, users-1: 30 } }
    longest_run: { keyed: 1, keyless: \">= 50\" }
",
    );
    assert_results(
        &outcome,
        &[
            ("records keyed sent to users-0", "0", true),
            ("records keyed sent to users-0", ">= 1", false),
            ("records keyed sent to users-1", "30", true),
            ("longest run of keyed's records on one partition", "3", true),
            ("longest run of keyed's records on one partition", "1", false),
            ("longest run of keyless's records on one partition", ">= 50", true),
        ],
    );
}

#[test]
fn a_failed_new_expectation_fails_the_run() {
    let outcome = run_with("producer-consumer", "  - happened: { leader_change: { demo_1-0: true } }\n");
    assert!(!outcome.passed, "{}", outcome.render());
    assert!(outcome.render().contains("✗ FAIL  at end: leader changes of demo_1-0 = >= 1 (found 0)"));
}

#[test]
fn the_book_lists_every_error_name_saw_accepts() {
    let chapter = std::fs::read_to_string(support::repo_root().join("book/src/writing-scenarios.md")).expect("chapter");
    let start = chapter.find("The names:").expect("the list of error names");
    let end = start + chapter[start..].find("- `sent_to:").expect("the list ends");
    let listed: Vec<&str> = chapter[start..end].split('`').skip(1).step_by(2).collect();
    let known = kafkasim::scenario::ClientError::known_names();
    for name in &known {
        assert!(listed.contains(name), "writing-scenarios.md does not name `{name}`");
    }
    for name in &listed {
        assert!(known.contains(name), "writing-scenarios.md names `{name}`, which `saw` refuses");
    }
}
