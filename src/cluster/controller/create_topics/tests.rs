//! Cases ported from Kafka's `ReplicationControlManagerTest`
//! (metadata/src/test/java/org/apache/kafka/controller/ReplicationControlManagerTest.java:
//! `testCreateTopics`, `testCreateTopicsWithValidateOnlyFlag`,
//! `testInvalidCreateTopicsWithValidateOnlyFlag`, `testCreateTopicsWithConfigs`,
//! `testValidateBadTopics`) and `ControllerApisTest` (duplicate names).

use super::*;
use crate::cluster::metadata::MetadataRecord;
use crate::engine::RngStreams;

fn image(brokers: &[(i32, bool)]) -> MetadataImage {
    let mut image = MetadataImage::default();
    for &(b, fenced) in brokers {
        image.apply(&MetadataRecord::RegisterBroker { broker: BrokerId(b), broker_epoch: 1 });
        if !fenced {
            image.apply(&MetadataRecord::UnfenceBroker { broker: BrokerId(b) });
        }
    }
    image
}

fn topic(name: &str, partitions: i32, replication_factor: i32) -> NewTopic {
    NewTopic { name: name.to_string(), num_partitions: partitions, replication_factor, configs: Vec::new() }
}

fn create(image: &mut MetadataImage, topics: &[NewTopic], validate_only: bool) -> Vec<CreatedTopic> {
    let mut rng = RngStreams::new(7).unlisted("placement/test");
    let (answers, creations) = create_topics(image, &BrokerConfig::default(), &mut rng, topics, validate_only);
    for c in creations {
        image.apply(&MetadataRecord::Topic { topic: c.topic, image: c.image });
    }
    answers
}

fn outcome(answers: &[CreatedTopic]) -> Vec<(ErrorCode, Option<String>)> {
    answers.iter().map(|a| (a.error, a.message.clone())).collect()
}

#[test]
fn no_unfenced_broker_then_created_then_already_exists() {
    // testCreateTopics: every broker fenced, then three unfenced, then again.
    let mut fenced = image(&[(0, true), (1, true), (2, true)]);
    let answers = create(&mut fenced, &[topic("foo", 1, 3)], false);
    assert_eq!(
        outcome(&answers),
        vec![(
            ErrorCode::InvalidReplicationFactor,
            Some("Unable to replicate the partition 3 time(s): All brokers are currently fenced.".to_string())
        )]
    );
    let mut image = image(&[(0, false), (1, false), (2, false)]);
    let answers = create(&mut image, &[topic("foo", 1, 3)], false);
    assert_eq!(answers[0].error, ErrorCode::None);
    assert_eq!((answers[0].num_partitions, answers[0].replication_factor), (1, 3));
    let foo = answers[0].topic.expect("created");
    let state = &image.topics[&foo].partitions[0];
    assert_eq!(state.replicas.len(), 3);
    assert_eq!(state.isr, state.replicas, "every replica unfenced: all in sync");
    assert_eq!(state.leader, state.replicas.first().copied());
    let again = create(&mut image, &[topic("foo", 1, 3)], false);
    assert_eq!(outcome(&again), vec![(ErrorCode::TopicAlreadyExists, Some("Topic 'foo' already exists.".to_string()))]);
}

#[test]
fn validate_only_creates_nothing() {
    // testCreateTopicsWithValidateOnlyFlag / testInvalidCreateTopicsWithValidateOnlyFlag.
    let mut image = image(&[(0, false), (1, false), (2, false)]);
    let answers = create(&mut image, &[topic("foo", 1, 3)], true);
    assert_eq!((answers[0].error, answers[0].topic), (ErrorCode::None, None));
    assert!(image.topics.is_empty());
    let answers = create(&mut image, &[topic("foo", 1, 4)], true);
    assert_eq!(
        outcome(&answers),
        vec![(
            ErrorCode::InvalidReplicationFactor,
            Some(
                "Unable to replicate the partition 4 time(s): The target replication factor of 4 cannot be \
                 reached because only 3 broker(s) are registered."
                    .to_string()
            )
        )]
    );
}

#[test]
fn bad_counts_are_refused_with_kafkas_errors() {
    let mut image = image(&[(1, false), (2, false), (3, false)]);
    let answers = create(&mut image, &[topic("zero", 0, 1), topic("negative", -2, 1), topic("norf", 1, 0)], false);
    assert_eq!(
        answers.iter().map(|a| a.error).collect::<Vec<_>>(),
        vec![ErrorCode::InvalidPartitions, ErrorCode::InvalidPartitions, ErrorCode::InvalidReplicationFactor]
    );
    assert!(image.topics.is_empty());
}

#[test]
fn minus_one_takes_the_brokers_defaults() {
    // num.partitions=1 and default.replication.factor=1 (Kafka 4.0's defaults).
    let mut image = image(&[(1, false), (2, false), (3, false)]);
    let answers = create(&mut image, &[NewTopic::with_defaults("auto")], false);
    assert_eq!((answers[0].error, answers[0].num_partitions, answers[0].replication_factor), (ErrorCode::None, 1, 1));
}

#[test]
fn bad_names_and_collisions() {
    // testValidateBadTopics and Topic.hasCollision.
    let mut image = image(&[(1, false)]);
    create(&mut image, &[topic("foo_bar", 1, 1)], false);
    let answers =
        create(&mut image, &[topic("", 1, 1), topic("..", 1, 1), topic("a b", 1, 1), topic("foo.bar", 1, 1)], false);
    assert!(answers.iter().all(|a| a.error == ErrorCode::InvalidTopicException), "{answers:?}");
    assert_eq!(answers[3].message.as_deref(), Some("Topic 'foo.bar' collides with existing topic: foo_bar"));
}

#[test]
fn a_name_twice_in_one_request_is_refused_both_times() {
    let mut image = image(&[(1, false)]);
    let answers = create(&mut image, &[topic("twice", 1, 1), topic("twice", 1, 1), topic("once", 1, 1)], false);
    assert_eq!(
        answers.iter().map(|a| a.error).collect::<Vec<_>>(),
        vec![ErrorCode::InvalidRequest, ErrorCode::InvalidRequest, ErrorCode::None]
    );
    assert_eq!(image.topics.len(), 1);
}

#[test]
fn configs_are_checked_by_name_and_value() {
    // testCreateTopicsWithConfigs: an unknown name or a bad value is INVALID_CONFIG.
    let mut image = image(&[(1, false)]);
    let with = |configs: &[(&str, &str)]| {
        let mut t = topic("t", 1, 1);
        t.configs = configs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        create(&mut image.clone(), &[t], false).remove(0)
    };
    let unknown = with(&[("foo.bar", "1")]);
    assert_eq!(
        (unknown.error, unknown.message.as_deref()),
        (ErrorCode::InvalidConfig, Some("Unknown topic config name: foo.bar"))
    );
    assert_eq!(with(&[("min.insync.replicas", "zero")]).error, ErrorCode::InvalidConfig);
    assert_eq!(with(&[("retention.ms", "60000"), ("cleanup.policy", "compact")]).error, ErrorCode::None);
    let mut t = topic("kept", 1, 1);
    t.configs = vec![("retention.ms".to_string(), "60000".to_string())];
    let answers = create(&mut image, &[t], false);
    let created = answers[0].topic.expect("created");
    assert_eq!(image.topics[&created].config.retention_ms, 60_000);
}

#[test]
fn new_topics_take_the_next_ids_and_the_placer_spreads_leaders() {
    let mut image = image(&[(1, false), (2, false), (3, false)]);
    let answers = create(&mut image, &[topic("a", 3, 2), topic("b", 1, 1)], false);
    assert_eq!(answers.iter().map(|a| a.topic).collect::<Vec<_>>(), vec![Some(TopicId(0)), Some(TopicId(1))]);
    let leaders: std::collections::BTreeSet<_> =
        image.topics[&TopicId(0)].partitions.iter().map(|p| p.leader).collect();
    assert_eq!(leaders.len(), 3, "three partitions on three brokers: one leader each");
}

#[test]
fn fenced_brokers_hold_no_new_leader() {
    let mut image = image(&[(1, false), (2, true), (3, false)]);
    let answers = create(&mut image, &[topic("t", 6, 2)], false);
    let t = answers[0].topic.expect("created");
    for p in &image.topics[&t].partitions {
        assert!(!p.replicas.contains(&BrokerId(2)), "two unfenced brokers hold rf 2: {p:?}");
    }
}
