//! Topics created while the cluster runs: the timeline's `create_topic`
//! sends CreateTopics to a broker, which forwards it to the active
//! controller; the controller refuses what Kafka refuses and writes the rest
//! to `__cluster_metadata`, and the brokers it placed replicas on create them
//! and take up their roles, as in Kafka's KRaft mode.

use kafkasim::ids::{BrokerId, TopicId, TopicPartition};
use kafkasim::protocol::ErrorCode;
use kafkasim::scenario::load_str;
use kafkasim::trace::sink::VecSink;
use kafkasim::trace::{Level, TraceEvent};
use kafkasim::world::{BuildOptions, World};

use super::support;

const SCENARIO: &str = "
name: topics at runtime
brokers: 3
topics:
  - name: demo
    partitions: 1
timeline:
  - at: 5s
    create_topic: { name: clicks, partitions: 3, replication_factor: 2, config: { retention.ms: 1h } }
  - at: 6s
    create_topic: { name: clicks, partitions: 1 }
  - at: 7s
    create_topic: { name: views }
  - at: 10s
    kill: 1
run: 40s
";

fn world() -> World {
    let scenario = load_str("topics.yaml", SCENARIO).unwrap_or_else(|e| panic!("{e}"));
    World::new(scenario, BuildOptions { seed: None, check_invariants: true })
}

/// The controller creates `clicks` once and refuses it the second time with
/// Kafka's error and message; `views` takes the brokers' defaults
/// (num.partitions=1, default.replication.factor=1).
#[test]
fn the_controller_creates_once_and_refuses_an_existing_name() {
    let mut world = world();
    let mut sink = VecSink::new(Level::Story);
    world.run(&mut sink).unwrap_or_else(|e| panic!("{e}"));
    let created: Vec<(String, Vec<Vec<BrokerId>>)> = sink
        .events
        .iter()
        .filter_map(|e| match &e.event {
            TraceEvent::TopicCreated { name, replicas, .. } => Some((name.clone(), replicas.clone())),
            _ => None,
        })
        .collect();
    assert_eq!(created.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>(), ["clicks", "views"]);
    assert_eq!(created[0].1.len(), 3);
    assert!(created[0].1.iter().all(|r| r.len() == 2), "replication factor 2: {:?}", created[0].1);
    assert_eq!(created[1].1.iter().map(Vec::len).collect::<Vec<_>>(), [1], "the brokers' defaults");
    let refused: Vec<(String, ErrorCode, String)> = sink
        .events
        .iter()
        .filter_map(|e| match &e.event {
            TraceEvent::TopicRefused { name, error, message } => Some((name.clone(), *error, message.clone())),
            _ => None,
        })
        .collect();
    assert_eq!(
        refused,
        [("clicks".to_string(), ErrorCode::TopicAlreadyExists, "Topic 'clicks' already exists.".to_string())]
    );
    assert_eq!(world.names.topics, ["demo", "clicks", "views"]);
    let clicks = &world.scenario.topics[1];
    assert_eq!((clicks.partitions, clicks.config.retention_ms), (3, 3_600_000));
}

/// Every broker the controller placed a replica on hosts it, the leaders
/// lead, and when broker 1 dies the partitions it led move to their other
/// replica: the new topic is replicated like any other.
#[test]
fn brokers_host_the_new_replicas_and_leadership_moves_on_a_kill() {
    let mut world = world();
    let mut sink = VecSink::new(Level::Story);
    world.run_until(kafkasim::engine::SimTime::from_millis(9_000), &mut sink).unwrap_or_else(|e| panic!("{e}"));
    let clicks = TopicId(1);
    for p in 0..3 {
        let tp = TopicPartition::new(clicks, p);
        let view = world.partition_view(tp).expect("clicks has three partitions");
        assert_eq!(view.state.leader, view.state.replicas.first().copied(), "led by its preferred replica");
        assert_eq!(view.state.isr, view.state.replicas, "every replica in sync");
        for broker in &world.brokers {
            assert_eq!(
                broker.partitions.contains_key(&tp),
                view.state.replicas.contains(&broker.id),
                "broker {} hosts clicks-{p} exactly when it is a replica",
                broker.id
            );
        }
    }
    world.run(&mut sink).unwrap_or_else(|e| panic!("{e}"));
    for p in 0..3 {
        let view = world.partition_view(TopicPartition::new(clicks, p)).expect("still there");
        assert_ne!(view.state.leader, Some(BrokerId(1)), "broker 1 is dead: clicks-{p} moved");
        assert!(view.state.leader.is_some(), "two replicas: clicks-{p} has another");
    }
    let rows = world.outcome().partitions;
    assert_eq!(rows.iter().filter(|r| r.topic == "clicks").count(), 3, "the outcome's table shows the new topic");
}

/// Same seed, same trace: the placement of new topics is drawn from the seed.
#[test]
fn creating_topics_is_deterministic() {
    let load = || load_str("topics.yaml", SCENARIO).unwrap_or_else(|e| panic!("{e}"));
    let (_, first, events) = support::run(load(), None);
    let (_, second, _) = support::run(load(), None);
    assert_eq!(first, second, "same seed, same digest over {events} events");
}
