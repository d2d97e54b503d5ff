//! Transactions in running scenarios: transactional producers find their
//! coordinator (the leader of their `__transaction_state` partition), get a
//! producer id and epoch from it, fence older instances, and a coordinator
//! that takes over a partition after a failover reloads the ids from it.

use kafkasim::scenario::load_str;
use kafkasim::trace::sink::VecSink;
use kafkasim::trace::{Level, TraceEvent};
use kafkasim::world::{BuildOptions, World};

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
