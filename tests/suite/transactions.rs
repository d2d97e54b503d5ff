//! Transactions in running scenarios: transactional producers find their
//! coordinator (the leader of their `__transaction_state` partition), get a
//! producer id and epoch from it, fence older instances, and a coordinator
//! that takes over a partition after a failover reloads the ids from it.

use kafkasim::scenario::load_str;
use kafkasim::trace::sink::VecSink;
use kafkasim::trace::{Level, TraceEvent};
use kafkasim::world::{BuildOptions, World};
use proptest::prelude::*;

/// The coordinator's recorded states of `id`: (broker, state, producer id, epoch).
fn transaction_states(world_text: &str) -> (World, Vec<(i32, String, i64, i16)>) {
    let scenario = load_str("txn.yaml", world_text).unwrap_or_else(|e| panic!("loads:\n{e}"));
    let mut world = World::new(scenario, BuildOptions { seed: None, check_invariants: true });
    let mut sink = VecSink::new(Level::Debug);
    world.run(&mut sink).expect("runs");
    let states = sink
        .events
        .iter()
        .filter_map(|e| match &e.event {
            TraceEvent::TransactionState { broker, state, producer_id, producer_epoch, .. } => {
                Some((broker.0, state.name().to_string(), *producer_id, *producer_epoch))
            }
            _ => None,
        })
        .collect();
    (world, states)
}

/// Three instances of one `transactional.id` start one after another
/// (`initTransactions()` only); each InitProducerId bumps the epoch, which
/// fences the instance before it. The coordinator's broker is then killed
/// and a fourth instance starts: the new leader of the id's
/// `__transaction_state` partition reloads the id from the replicated log
/// and continues from epoch 2 with the same producer id.
#[test]
fn instances_of_one_transactional_id_bump_its_epoch_across_a_coordinator_failover() {
    let text = "name: fencing\nbrokers: 3\ntopics: [{ name: demo, partitions: 1 }]\n\
        producers:\n\
        \x20 - { id: first, topic: demo, count: 0, config: { transactional.id: my-txn } }\n\
        \x20 - { id: second, topic: demo, count: 0, start: 2s, config: { transactional.id: my-txn } }\n\
        \x20 - { id: third, topic: demo, count: 0, start: 4s, config: { transactional.id: my-txn } }\n\
        \x20 - { id: fourth, topic: demo, count: 0, start: 20s, config: { transactional.id: my-txn } }\n\
        timeline:\n  - { at: 6s, kill: COORDINATOR }\nrun: 30s\n";
    // Which broker coordinates my-txn: the leader of __transaction_state-45.
    let probe = load_str("txn.yaml", &text.replace("COORDINATOR", "1")).expect("loads");
    let world = World::new(probe, BuildOptions::default());
    let topic = world.scenario.transaction_state_topic().expect("a transactional producer creates the topic");
    let tp = kafkasim::ids::TopicPartition::new(topic, 45);
    let coordinator = world.partition_view(tp).and_then(|v| v.state.leader).expect("a leader").0;

    let (world, states) = transaction_states(&text.replace("COORDINATOR", &coordinator.to_string()));
    let epochs: Vec<i16> = states.iter().map(|s| s.3).collect();
    assert_eq!(epochs, [0, 1, 2, 3], "each new instance bumps the epoch: {states:?}");
    assert!(states.iter().all(|s| s.1 == "Empty"), "{states:?}");
    assert!(states.iter().all(|s| s.2 == states[0].2), "one producer id throughout: {states:?}");
    assert!(states[..3].iter().all(|s| s.0 == coordinator), "{states:?}");
    assert_ne!(states[3].0, coordinator, "a new coordinator after the failover: {states:?}");
    let _ = world;
}

/// Runs a scenario to its end, keeping every event.
fn run_all(world_text: &str) -> (World, Vec<TraceEvent>) {
    let scenario = load_str("txn.yaml", world_text).unwrap_or_else(|e| panic!("loads:\n{e}\n{world_text}"));
    let mut world = World::new(scenario, BuildOptions { seed: None, check_invariants: true });
    let mut sink = VecSink::new(Level::Debug);
    world.run(&mut sink).expect("runs");
    (world, sink.events.into_iter().map(|e| e.event).collect())
}

/// The record ids of transactions ended with `outcome`.
fn ended(events: &[TraceEvent], outcomes: &[&str]) -> std::collections::BTreeSet<kafkasim::ids::RecordId> {
    events
        .iter()
        .filter_map(|e| match e {
            TraceEvent::TransactionEnded { outcome, ids, .. } if outcomes.contains(outcome) => Some(ids.clone()),
            _ => None,
        })
        .flatten()
        .collect()
}

/// What consumer `name`'s application received.
fn received_by(world: &World, events: &[TraceEvent], name: &str) -> Vec<kafkasim::ids::RecordId> {
    let index = world.names.consumers.iter().position(|c| c == name).expect("a consumer of that name") as u32;
    events
        .iter()
        .filter_map(|e| match e {
            TraceEvent::Consumed { consumer, batch, from_offset, to_offset, .. } if consumer.0 == index => Some(
                batch
                    .records()
                    .filter(|(o, _)| o >= from_offset && o < to_offset)
                    .map(|(_, r)| r.id())
                    .collect::<Vec<_>>(),
            ),
            _ => None,
        })
        .flatten()
        .collect()
}

/// A producer dies with its transaction open. Nobody sends EndTxn, so the
/// coordinator's check (every 10 s) finds it older than its
/// `transaction.timeout.ms` (15 s here), fences the epoch and aborts it: ABORT
/// markers release the last stable offset, which had held the
/// read_committed consumer back, and the crashed records never reach it.
#[test]
fn the_coordinator_aborts_a_transaction_its_producer_abandoned() {
    let (world, events) = run_all(
        "name: abandoned\nbrokers: 3\n\
         topics: [{ name: orders, partitions: 2 }]\n\
         producers:\n\
        \x20 - id: app\n    topic: orders\n    every: 1s\n    count: 4\n    key: \"k-{n}\"\n\
        \x20   config: { transactional.id: app-txn, transaction.timeout.ms: 15s }\n\
        \x20   transactions: [{ send: 2, end: commit }, { send: 2, end: crash }]\n\
         consumers:\n\
        \x20 - { id: reader, group: g, topics: [orders], config: { auto.offset.reset: earliest, isolation.level: read_committed } }\n\
         run: 60s\n",
    );
    let aborted_at: Vec<_> = events
        .iter()
        .filter_map(|e| match e {
            TraceEvent::TransactionMarkers { marker: "ABORT", .. } => Some(()),
            _ => None,
        })
        .collect();
    assert_eq!(aborted_at.len(), 1, "the coordinator aborts the abandoned transaction once");
    let crashed = ended(&events, &["crash"]);
    assert_eq!(crashed.len(), 2);
    let received = received_by(&world, &events, "reader");
    assert_eq!(received.len(), 2, "only the committed transaction: {received:?}");
    assert!(received.iter().all(|id| !crashed.contains(id)));
    for view in world.partition_views().iter().filter(|v| world.names.topic(v.tp.topic) == "orders") {
        let log = view.log.expect("a leader");
        assert_eq!(log.last_stable_offset(), log.high_watermark(), "{}: nothing is left open", view.tp.partition);
    }
    let checks = world.delivery().transactions.expect("transaction checks");
    assert_eq!((checks.committed, checks.aborted, checks.atomicity_violations), (1, 1, 0));
}

/// A zombie: the first instance is cut off mid-transaction, a second with
/// the same `transactional.id` starts (fencing it and aborting its
/// transaction), then the cut heals. The zombie's writes are refused with
/// INVALID_PRODUCER_EPOCH, its abort with PRODUCER_FENCED, and not one of
/// its records reaches the read_committed consumer.
#[test]
fn a_fenced_zombie_writes_nothing_read_committed_readers_see() {
    let (world, events) = run_all(
        "name: zombie\nbrokers: 3\n\
         topics: [{ name: payments, partitions: 2 }]\n\
         producers:\n\
        \x20 - { id: zombie, topic: payments, every: 1s, count: 6, key: \"z-{n}\", config: { transactional.id: pay }, transactions: [{ send: 6, end: commit }] }\n\
        \x20 - { id: replacement, topic: payments, every: 1s, count: 3, start: 8s, key: \"r-{n}\", config: { transactional.id: pay }, transactions: [{ send: 3, end: commit }] }\n\
         consumers:\n\
        \x20 - { id: reader, group: g, topics: [payments], config: { auto.offset.reset: earliest, isolation.level: read_committed } }\n\
         timeline:\n\
        \x20 - { at: 2500ms, cut: [[zombie], [1, 2, 3]] }\n\
        \x20 - { at: 20s, heal: true }\n\
         run: 60s\n",
    );
    let fenced = events.iter().any(|e| {
        matches!(e, TraceEvent::ProducerFailed { producer, exception, .. }
            if producer.0 == 0 && exception == "ProducerFencedException")
    });
    assert!(fenced, "the zombie learns it is fenced");
    let epoch_refusals = events.iter().any(|e| {
        matches!(e, TraceEvent::ProduceRejected { error: kafkasim::protocol::ErrorCode::InvalidProducerEpoch, .. })
    });
    assert!(epoch_refusals, "its late writes are refused with INVALID_PRODUCER_EPOCH");
    let received = received_by(&world, &events, "reader");
    assert_eq!(received.len(), 3, "the replacement's transaction only: {received:?}");
    assert!(received.iter().all(|id| id.producer.0 == 1), "nothing of the zombie's: {received:?}");
    assert_eq!(world.delivery().transactions.expect("checks").atomicity_violations, 0);
}

/// One transaction writes to two topics (`topics: [orders, payments]`): its
/// records alternate between them, the coordinator's markers go to every
/// partition of both, and a read_committed reader of both topics receives
/// a committed transaction whole and an aborted one not at all. The
/// atomicity check follows each transaction across the topics.
#[test]
fn a_transaction_spanning_two_topics_is_all_or_nothing() {
    let (world, events) = run_all(
        "name: two topics\nbrokers: 3\n\
         topics: [{ name: orders, partitions: 2 }, { name: payments, partitions: 2 }]\n\
         producers:\n\
        \x20 - id: checkout\n    topic: orders\n    every: 500ms\n    count: 12\n    key: \"k-{n}\"\n\
        \x20   config: { transactional.id: checkout-app }\n\
        \x20   transactions: [{ send: 4, topics: [orders, payments], end: commit }, { send: 2, topics: [payments, orders], end: abort }]\n\
         consumers:\n\
        \x20 - { id: reader, group: g, topics: [orders, payments], config: { auto.offset.reset: earliest, isolation.level: read_committed } }\n\
         run: 30s\n",
    );
    let names = &world.names;
    let mut topics_of_transaction: Vec<std::collections::BTreeSet<String>> = Vec::new();
    for e in &events {
        if let TraceEvent::TransactionMarkers { partitions, .. } = e {
            topics_of_transaction.push(partitions.iter().map(|tp| names.topic(tp.topic).to_string()).collect());
        }
    }
    assert_eq!(topics_of_transaction.len(), 4, "two commits and two aborts");
    for topics in &topics_of_transaction {
        assert_eq!(topics.len(), 2, "each transaction's markers go to both topics: {topics:?}");
    }
    let sent_to: std::collections::BTreeMap<kafkasim::ids::RecordId, String> = events
        .iter()
        .filter_map(|e| match e {
            TraceEvent::Send { id, tp, .. } => Some((*id, names.topic(tp.topic).to_string())),
            _ => None,
        })
        .collect();
    let committed = ended(&events, &["commit"]);
    assert_eq!(committed.len(), 8);
    let per_topic = |topic: &str| committed.iter().filter(|id| sent_to[id] == topic).count();
    assert_eq!((per_topic("orders"), per_topic("payments")), (4, 4), "the records alternate between the topics");
    let mut received = received_by(&world, &events, "reader");
    received.sort();
    assert_eq!(received, committed.iter().copied().collect::<Vec<_>>(), "every committed record, nothing aborted");
    let checks = world.delivery().transactions.expect("transaction checks");
    assert_eq!((checks.committed, checks.aborted, checks.atomicity_violations), (2, 2, 0));
}

/// A fault for a random transaction plan, as timeline entries: none, a
/// broker killed, or the producer `app` cut off from every broker for a while.
pub fn random_fault() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        (1u32..4, 1u64..12).prop_map(|(b, at)| format!("  - {{ at: {at}s, kill: {b} }}\n")),
        (1u64..10, 2u64..30).prop_map(|(at, length)| format!(
            "  - {{ at: {at}s, cut: [[app], [1, 2, 3]] }}\n  - {{ at: {}s, heal: true }}\n",
            at + length
        )),
    ]
}

/// Properties over random transaction plans and faults: whatever the plan
/// (commits, aborts, a crash), the seed and a broker killed or a producer
/// cut off for a while, every transaction is all-or-nothing, and no record
/// of an aborted, crashed or fenced transaction reaches a read_committed
/// consumer.
#[test]
fn random_plans_and_faults_keep_transactions_atomic() {
    use proptest::test_runner::{Config, TestRunner};
    let cases = std::env::var("KAFKASIM_PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(12);
    let mut runner = TestRunner::new_with_rng(
        Config { cases, failure_persistence: None, ..Config::default() },
        proptest::test_runner::TestRng::from_seed(proptest::test_runner::RngAlgorithm::ChaCha, &[11; 32]),
    );
    let end = prop_oneof![Just("commit"), Just("abort")];
    let plan = proptest::collection::vec((1u32..4, end), 1..4);
    let fault = super::transactions::random_fault();
    let strategy = (plan, any::<bool>(), fault, 1u64..1000);
    runner
        .run(&strategy, |(plan, crash, fault, seed)| {
            let mut transactions: Vec<String> =
                plan.iter().map(|(n, end)| format!("{{ send: {n}, end: {end} }}")).collect();
            if crash {
                transactions.push("{ send: 2, end: crash }".to_string());
            }
            let sum: u32 = plan.iter().map(|(n, _)| n).sum();
            // Twice through the plan, or once and then the crash.
            let count = if crash { sum + 2 } else { sum * 2 };
            let text = format!(
                "name: random transactions\nseed: {seed}\nbrokers: 3\n\
                 topics: [{{ name: t, partitions: 3 }}]\n\
                 producers:\n\
                \x20 - id: app\n    topic: t\n    every: 700ms\n    count: {count}\n    key: \"k-{{n}}\"\n\
                \x20   config: {{ transactional.id: app-txn, transaction.timeout.ms: 20s }}\n\
                \x20   transactions: [{}]\n\
                 consumers:\n\
                \x20 - {{ id: reader, group: g, topics: [t], config: {{ auto.offset.reset: earliest, isolation.level: read_committed }} }}\n\
                 timeline:\n  - {{ at: 0s, say: start }}\n{fault}\
                 run: 90s\n",
                transactions.join(", ")
            );
            let (world, events) = run_all(&text);
            let checks = world.delivery().transactions.expect("transaction checks");
            prop_assert_eq!(checks.atomicity_violations, 0, "{:?}\n{}", checks.violations, text);
            let never = ended(&events, &["abort", "crash", "fenced"]);
            let leaked: Vec<_> =
                received_by(&world, &events, "reader").into_iter().filter(|id| never.contains(id)).collect();
            prop_assert!(leaked.is_empty(), "aborted records reached read_committed: {:?}\n{}", leaked, text);
            Ok(())
        })
        .unwrap_or_else(|e| panic!("{e}"));
}
