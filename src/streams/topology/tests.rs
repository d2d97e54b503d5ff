//! `Topology#describe()` compared with the texts Kafka's own tests expect:
//! each case declares in the scenario DSL what the cited Java test builds,
//! and must print exactly Kafka's string.

use super::Topology;
use super::copartition::partition_counts;
use super::describe::describe;

/// Loads a scenario with these topics and one application whose topology
/// is `topology` (YAML lines of the `topology:` list).
fn topology(topics: &[(&str, u32)], topology: &str) -> Topology {
    let mut yaml = String::from("name: t\ntopics:\n");
    for (name, partitions) in topics {
        yaml.push_str(&format!("  - {{ name: {name}, partitions: {partitions} }}\n"));
    }
    yaml.push_str("streams:\n  - application.id: app\n    topology:\n");
    for line in topology.lines() {
        yaml.push_str("      ");
        yaml.push_str(line);
        yaml.push('\n');
    }
    match crate::scenario::load_str("t.yaml", &yaml) {
        Ok(s) => s.streams.into_iter().next().expect("one application").topology,
        Err(e) => panic!("{}", e.render(false)),
    }
}

fn load_error(topics: &[(&str, u32)], topology_yaml: &str) -> String {
    let mut yaml = String::from("name: t\ntopics:\n");
    for (name, partitions) in topics {
        yaml.push_str(&format!("  - {{ name: {name}, partitions: {partitions} }}\n"));
    }
    yaml.push_str("streams:\n  - application.id: app\n    topology:\n");
    for line in topology_yaml.lines() {
        yaml.push_str("      ");
        yaml.push_str(line);
        yaml.push('\n');
    }
    match crate::scenario::load_str("t.yaml", &yaml) {
        Ok(_) => panic!("expected an error"),
        Err(e) => e.render(false),
    }
}

// TopologyTest.kGroupedStreamZeroArgCountShouldPreserveTopologyStructure:
// builder.stream("input-topic").groupByKey().count()
#[test]
fn grouped_count_as_kafka_describes_it() {
    let t = topology(&[("input-topic", 1)], "- stream: input-topic\n  then: [group_by_key, count]");
    assert_eq!(
        describe(&t),
        "Topologies:\n\
        \x20  Sub-topology: 0\n\
        \x20   Source: KSTREAM-SOURCE-0000000000 (topics: [input-topic])\n\
        \x20     --> KSTREAM-AGGREGATE-0000000002\n\
        \x20   Processor: KSTREAM-AGGREGATE-0000000002 (stores: [KSTREAM-AGGREGATE-STATE-STORE-0000000001])\n\
        \x20     --> none\n\
        \x20     <-- KSTREAM-SOURCE-0000000000\n\n"
    );
}

// TopologyTest.kGroupedStreamNamedMaterializedCountShouldPreserveTopologyStructure:
// .count(Materialized.as("count-store")): a named store takes no number.
#[test]
fn a_named_store_takes_no_number() {
    let t =
        topology(&[("input-topic", 1)], "- stream: input-topic\n  then: [group_by_key, count: { store: count-store }]");
    assert_eq!(
        describe(&t),
        "Topologies:\n\
        \x20  Sub-topology: 0\n\
        \x20   Source: KSTREAM-SOURCE-0000000000 (topics: [input-topic])\n\
        \x20     --> KSTREAM-AGGREGATE-0000000001\n\
        \x20   Processor: KSTREAM-AGGREGATE-0000000001 (stores: [count-store])\n\
        \x20     --> none\n\
        \x20     <-- KSTREAM-SOURCE-0000000000\n\n"
    );
}

// TopologyTest.timeWindowZeroArgCountShouldPreserveTopologyStructure:
// .groupByKey().windowedBy(TimeWindows.ofSizeWithNoGrace(ofMillis(1))).count()
#[test]
fn windowed_count_as_kafka_describes_it() {
    let t = topology(
        &[("input-topic", 1)],
        "- stream: input-topic\n  then:\n    - group_by_key\n    - windowed_by: { tumbling: 1ms, grace: 0ms }\n    - count",
    );
    assert_eq!(
        describe(&t),
        "Topologies:\n\
        \x20  Sub-topology: 0\n\
        \x20   Source: KSTREAM-SOURCE-0000000000 (topics: [input-topic])\n\
        \x20     --> KSTREAM-AGGREGATE-0000000002\n\
        \x20   Processor: KSTREAM-AGGREGATE-0000000002 (stores: [KSTREAM-AGGREGATE-STATE-STORE-0000000001])\n\
        \x20     --> none\n\
        \x20     <-- KSTREAM-SOURCE-0000000000\n\n"
    );
}

// TopologyTest.timeWindowNamedMaterializedCountShouldPreserveTopologyStructure:
// .windowedBy(TimeWindows.ofSizeWithNoGrace(ofMillis(1))).count(Materialized.as("count-store"))
#[test]
fn named_windowed_count_as_kafka_describes_it() {
    let t = topology(
        &[("input-topic", 1)],
        "- stream: input-topic\n  then:\n    - group_by_key\n    - windowed_by: { tumbling: 1ms, grace: 0ms }\n    - count: { store: count-store }",
    );
    assert_eq!(
        describe(&t),
        "Topologies:\n\
        \x20  Sub-topology: 0\n\
        \x20   Source: KSTREAM-SOURCE-0000000000 (topics: [input-topic])\n\
        \x20     --> KSTREAM-AGGREGATE-0000000001\n\
        \x20   Processor: KSTREAM-AGGREGATE-0000000001 (stores: [count-store])\n\
        \x20     --> none\n\
        \x20     <-- KSTREAM-SOURCE-0000000000\n\n"
    );
    assert_eq!(
        t.stores[0].kind.changelog_cleanup_policy(),
        "compact,delete",
        "a window store's changelog also expires"
    );
}

// TopologyTest.sessionWindowZeroArgCountShouldPreserveTopologyStructure:
// .windowedBy(SessionWindows.ofInactivityGapWithNoGrace(ofMillis(1))).count()
#[test]
fn session_windowed_count_as_kafka_describes_it() {
    let t = topology(
        &[("input-topic", 1)],
        "- stream: input-topic\n  then:\n    - group_by_key\n    - windowed_by: { session: 1ms, grace: 0ms }\n    - count",
    );
    assert_eq!(
        describe(&t),
        "Topologies:\n\
        \x20  Sub-topology: 0\n\
        \x20   Source: KSTREAM-SOURCE-0000000000 (topics: [input-topic])\n\
        \x20     --> KSTREAM-AGGREGATE-0000000002\n\
        \x20   Processor: KSTREAM-AGGREGATE-0000000002 (stores: [KSTREAM-AGGREGATE-STATE-STORE-0000000001])\n\
        \x20     --> none\n\
        \x20     <-- KSTREAM-SOURCE-0000000000\n\n"
    );
}

// TopologyTest.streamStreamJoinTopologyWithDefaultStoresNames:
// stream1.join(stream2, joiner, JoinWindows.of(ofMillis(100)), StreamJoined.with(...))
#[test]
fn stream_stream_join_as_kafka_describes_it() {
    let t = topology(
        &[("input-topic1", 1), ("input-topic2", 1)],
        "- stream: input-topic1\n- stream: input-topic2\n- from: input-topic1\n  then:\n    - join: { stream: input-topic2, within: 100ms, grace: 0ms }",
    );
    assert_eq!(
        describe(&t),
        "Topologies:\n\
        \x20  Sub-topology: 0\n\
        \x20   Source: KSTREAM-SOURCE-0000000000 (topics: [input-topic1])\n\
        \x20     --> KSTREAM-WINDOWED-0000000002\n\
        \x20   Source: KSTREAM-SOURCE-0000000001 (topics: [input-topic2])\n\
        \x20     --> KSTREAM-WINDOWED-0000000003\n\
        \x20   Processor: KSTREAM-WINDOWED-0000000002 (stores: [KSTREAM-JOINTHIS-0000000004-store])\n\
        \x20     --> KSTREAM-JOINTHIS-0000000004\n\
        \x20     <-- KSTREAM-SOURCE-0000000000\n\
        \x20   Processor: KSTREAM-WINDOWED-0000000003 (stores: [KSTREAM-JOINOTHER-0000000005-store])\n\
        \x20     --> KSTREAM-JOINOTHER-0000000005\n\
        \x20     <-- KSTREAM-SOURCE-0000000001\n\
        \x20   Processor: KSTREAM-JOINOTHER-0000000005 (stores: [KSTREAM-JOINTHIS-0000000004-store])\n\
        \x20     --> KSTREAM-MERGE-0000000006\n\
        \x20     <-- KSTREAM-WINDOWED-0000000003\n\
        \x20   Processor: KSTREAM-JOINTHIS-0000000004 (stores: [KSTREAM-JOINOTHER-0000000005-store])\n\
        \x20     --> KSTREAM-MERGE-0000000006\n\
        \x20     <-- KSTREAM-WINDOWED-0000000002\n\
        \x20   Processor: KSTREAM-MERGE-0000000006 (stores: [])\n\
        \x20     --> none\n\
        \x20     <-- KSTREAM-JOINTHIS-0000000004, KSTREAM-JOINOTHER-0000000005\n\n"
    );
}

const SUPPRESS_PIPELINE: &str = "- stream: input\n  then:\n    - group_by: { key: '$key' }\n    - windowed_by: { session: 5ms, grace: 5ms }\n    - count: { store: counts }\n    - suppress: { until: window_closes NAME }\n    - to_stream\n    - map: '{key: $key, value: .}'\n    - to: output-suppressed";

// SuppressTopologyTest.shouldUseNumberingForAnonymousFinalSuppressionNode:
// groupBy(k -> k).windowedBy(SessionWindows.ofInactivityGapAndGrace(5, 5))
// .count(Materialized.as("counts")).suppress(untilWindowCloses(unbounded()))
// .toStream().map(...).to("output-suppressed")
#[test]
fn anonymous_final_suppression_as_kafka_describes_it() {
    let t = topology(&[("input", 1), ("output-suppressed", 1)], &SUPPRESS_PIPELINE.replace(" NAME", ""));
    assert_eq!(
        describe(&t),
        "Topologies:\n\
        \x20  Sub-topology: 0\n\
        \x20   Source: KSTREAM-SOURCE-0000000000 (topics: [input])\n\
        \x20     --> KSTREAM-KEY-SELECT-0000000001\n\
        \x20   Processor: KSTREAM-KEY-SELECT-0000000001 (stores: [])\n\
        \x20     --> counts-repartition-filter\n\
        \x20     <-- KSTREAM-SOURCE-0000000000\n\
        \x20   Processor: counts-repartition-filter (stores: [])\n\
        \x20     --> counts-repartition-sink\n\
        \x20     <-- KSTREAM-KEY-SELECT-0000000001\n\
        \x20   Sink: counts-repartition-sink (topic: counts-repartition)\n\
        \x20     <-- counts-repartition-filter\n\
        \n\
        \x20 Sub-topology: 1\n\
        \x20   Source: counts-repartition-source (topics: [counts-repartition])\n\
        \x20     --> KSTREAM-AGGREGATE-0000000002\n\
        \x20   Processor: KSTREAM-AGGREGATE-0000000002 (stores: [counts])\n\
        \x20     --> KTABLE-SUPPRESS-0000000006\n\
        \x20     <-- counts-repartition-source\n\
        \x20   Processor: KTABLE-SUPPRESS-0000000006 (stores: [KTABLE-SUPPRESS-STATE-STORE-0000000007])\n\
        \x20     --> KTABLE-TOSTREAM-0000000008\n\
        \x20     <-- KSTREAM-AGGREGATE-0000000002\n\
        \x20   Processor: KTABLE-TOSTREAM-0000000008 (stores: [])\n\
        \x20     --> KSTREAM-MAP-0000000009\n\
        \x20     <-- KTABLE-SUPPRESS-0000000006\n\
        \x20   Processor: KSTREAM-MAP-0000000009 (stores: [])\n\
        \x20     --> KSTREAM-SINK-0000000010\n\
        \x20     <-- KTABLE-TOSTREAM-0000000008\n\
        \x20   Sink: KSTREAM-SINK-0000000010 (topic: output-suppressed)\n\
        \x20     <-- KSTREAM-MAP-0000000009\n\
        \n"
    );
}

// SuppressTopologyTest.shouldApplyNameToFinalSuppressionNode:
// ...suppress(untilWindowCloses(unbounded()).withName("myname"))...
#[test]
fn named_final_suppression_as_kafka_describes_it() {
    let t = topology(&[("input", 1), ("output-suppressed", 1)], &SUPPRESS_PIPELINE.replace(" NAME", ", name: myname"));
    let text = describe(&t);
    let expected_tail = "  Sub-topology: 1\n\
        \x20   Source: counts-repartition-source (topics: [counts-repartition])\n\
        \x20     --> KSTREAM-AGGREGATE-0000000002\n\
        \x20   Processor: KSTREAM-AGGREGATE-0000000002 (stores: [counts])\n\
        \x20     --> myname\n\
        \x20     <-- counts-repartition-source\n\
        \x20   Processor: myname (stores: [myname-store])\n\
        \x20     --> KTABLE-TOSTREAM-0000000006\n\
        \x20     <-- KSTREAM-AGGREGATE-0000000002\n\
        \x20   Processor: KTABLE-TOSTREAM-0000000006 (stores: [])\n\
        \x20     --> KSTREAM-MAP-0000000007\n\
        \x20     <-- myname\n\
        \x20   Processor: KSTREAM-MAP-0000000007 (stores: [])\n\
        \x20     --> KSTREAM-SINK-0000000008\n\
        \x20     <-- KTABLE-TOSTREAM-0000000006\n\
        \x20   Sink: KSTREAM-SINK-0000000008 (topic: output-suppressed)\n\
        \x20     <-- KSTREAM-MAP-0000000007\n\
        \n";
    assert!(text.ends_with(expected_tail), "{text}");
}

// KStreamKTableJoinTest.shouldReuseRepartitionTopicWithGeneratedName:
// rekeyed = streamA.map(...); rekeyed.join(tableB).to("out-one");
// rekeyed.join(tableC).to("out-two") — the second join reuses the
// repartition topic, but still burns its three numbers.
#[test]
fn a_rekeyed_stream_reuses_its_join_repartition_topic() {
    let t = topology(
        &[("topic", 1), ("topic2", 1), ("topic3", 1), ("out-one", 1), ("out-two", 1)],
        "- stream: topic\n- table: topic2\n- table: topic3\n\
         - from: topic\n  then: [map: '{key: ., value: $key}']\n  as: rekeyed\n\
         - from: rekeyed\n  then: [join: { table: topic2, value: '.left + .right' }, to: out-one]\n\
         - from: rekeyed\n  then: [join: { table: topic3, value: '.left + .right' }, to: out-two]",
    );
    assert_eq!(
        describe(&t),
        "Topologies:\n\
        \x20  Sub-topology: 0\n\
        \x20   Source: KSTREAM-SOURCE-0000000000 (topics: [topic])\n\
        \x20     --> KSTREAM-MAP-0000000007\n\
        \x20   Processor: KSTREAM-MAP-0000000007 (stores: [])\n\
        \x20     --> KSTREAM-FILTER-0000000009\n\
        \x20     <-- KSTREAM-SOURCE-0000000000\n\
        \x20   Processor: KSTREAM-FILTER-0000000009 (stores: [])\n\
        \x20     --> KSTREAM-SINK-0000000008\n\
        \x20     <-- KSTREAM-MAP-0000000007\n\
        \x20   Sink: KSTREAM-SINK-0000000008 (topic: KSTREAM-MAP-0000000007-repartition)\n\
        \x20     <-- KSTREAM-FILTER-0000000009\n\
        \n\
        \x20 Sub-topology: 1\n\
        \x20   Source: KSTREAM-SOURCE-0000000010 (topics: [KSTREAM-MAP-0000000007-repartition])\n\
        \x20     --> KSTREAM-JOIN-0000000011, KSTREAM-JOIN-0000000016\n\
        \x20   Processor: KSTREAM-JOIN-0000000011 (stores: [topic2-STATE-STORE-0000000001])\n\
        \x20     --> KSTREAM-SINK-0000000012\n\
        \x20     <-- KSTREAM-SOURCE-0000000010\n\
        \x20   Processor: KSTREAM-JOIN-0000000016 (stores: [topic3-STATE-STORE-0000000004])\n\
        \x20     --> KSTREAM-SINK-0000000017\n\
        \x20     <-- KSTREAM-SOURCE-0000000010\n\
        \x20   Source: KSTREAM-SOURCE-0000000002 (topics: [topic2])\n\
        \x20     --> KTABLE-SOURCE-0000000003\n\
        \x20   Source: KSTREAM-SOURCE-0000000005 (topics: [topic3])\n\
        \x20     --> KTABLE-SOURCE-0000000006\n\
        \x20   Sink: KSTREAM-SINK-0000000012 (topic: out-one)\n\
        \x20     <-- KSTREAM-JOIN-0000000011\n\
        \x20   Sink: KSTREAM-SINK-0000000017 (topic: out-two)\n\
        \x20     <-- KSTREAM-JOIN-0000000016\n\
        \x20   Processor: KTABLE-SOURCE-0000000003 (stores: [topic2-STATE-STORE-0000000001])\n\
        \x20     --> none\n\
        \x20     <-- KSTREAM-SOURCE-0000000002\n\
        \x20   Processor: KTABLE-SOURCE-0000000006 (stores: [topic3-STATE-STORE-0000000004])\n\
        \x20     --> none\n\
        \x20     <-- KSTREAM-SOURCE-0000000005\n\n"
    );
    assert_eq!(t.repartition_topics, vec!["KSTREAM-MAP-0000000007-repartition".to_string()]);
}

#[test]
fn a_table_nobody_looks_up_has_no_store() {
    let t = topology(&[("users", 1), ("out", 1)], "- table: users\n  then: [to_stream, to: out]");
    let text = describe(&t);
    assert!(text.contains("Processor: KTABLE-SOURCE-0000000002 (stores: [])"), "{text}");
    assert!(t.stores.is_empty());
}

#[test]
fn a_split_names_its_branches_after_the_splitter() {
    let t = topology(
        &[("orders", 1), ("big", 1), ("rest", 1)],
        "- stream: orders\n  then:\n    - split:\n        branches:\n          - { if: '.amount > 100', then: [to: big] }\n          - { then: [to: rest] }",
    );
    let names: Vec<&str> = t.nodes.iter().map(|n| n.name.as_str()).collect();
    // split() takes 1; each branch child burns a number (2, then 4 after the
    // first branch's own operators took 3: Branched.withConsumer builds a
    // branch before the next one is added).
    assert_eq!(
        names,
        vec![
            "KSTREAM-SOURCE-0000000000",
            "KSTREAM-BRANCH-0000000001",
            "KSTREAM-BRANCH-00000000011",
            "KSTREAM-SINK-0000000003",
            "KSTREAM-BRANCH-00000000010",
            "KSTREAM-SINK-0000000005",
        ]
    );
}

#[test]
fn a_global_table_is_a_sub_topology_without_tasks() {
    let t = topology(
        &[("orders", 2), ("customers", 1), ("out", 2)],
        "- global_table: customers\n- stream: orders\n  then:\n    - join: { global_table: customers, key: '.customer', value: '.left + .right' }\n    - to: out",
    );
    let text = describe(&t);
    assert!(text.starts_with(
        "Topologies:\n   Sub-topology: 0 for global store (will not generate tasks)\n    Source: KSTREAM-SOURCE-0000000001 (topics: [customers])\n      --> KTABLE-SOURCE-0000000002\n    Processor: KTABLE-SOURCE-0000000002 (stores: [customers-STATE-STORE-0000000000])\n      --> none\n      <-- KSTREAM-SOURCE-0000000001\n  Sub-topology: 1\n"
    ), "{text}");
    assert!(
        text.contains("Processor: KSTREAM-LEFTJOIN-0000000004 (stores: [])"),
        "an inner join with a global table is a LEFTJOIN node: {text}"
    );
    assert!(t.stores.iter().all(|s| !s.logged), "global stores have no changelog");
}

#[test]
fn stream_table_joins_are_copartitioned_as_the_assignor_checks() {
    let t = topology(
        &[("orders", 3), ("customers", 2), ("out", 3)],
        "- table: customers\n- stream: orders\n  then: [join: { table: customers }, to: out]",
    );
    let counts = |name: &str| match name {
        "orders" => Some(3),
        "customers" => Some(2),
        _ => None,
    };
    let err = partition_counts(&t, &counts, "stream-thread [app-1-StreamThread-1-consumer] ").unwrap_err();
    assert_eq!(
        err,
        "Invalid topology: stream-thread [app-1-StreamThread-1-consumer] Topics not co-partitioned: [{customers=2, orders=3}]"
    );
    let same = |name: &str| match name {
        "orders" | "customers" => Some(3),
        _ => None,
    };
    assert!(partition_counts(&t, &same, "").is_ok());
}

#[test]
fn a_repartition_topic_takes_the_partitions_of_its_upstream_sources() {
    let t = topology(
        &[("rides", 4), ("out", 1)],
        "- stream: rides\n  then: [group_by: { key: '.city' }, count, to_stream, to: out]",
    );
    let counts = partition_counts(&t, &|n: &str| (n == "rides").then_some(4), "").unwrap();
    assert_eq!(counts.get("KSTREAM-AGGREGATE-STATE-STORE-0000000002-repartition"), Some(&4));
    assert_eq!(t.changelog_topics("app")[0].1, "app-KSTREAM-AGGREGATE-STATE-STORE-0000000002-changelog");
}

#[test]
fn misuse_is_reported_where_it_is_written() {
    let err = load_error(&[("orders", 1)], "- stream: orders\n  then: [count]");
    assert!(err.contains("`count` does not apply to a stream (KStream)") && err.contains("group_by_key"), "{err}");
    let err = load_error(&[("orders", 1)], "- stream: orders\n  then: [filter: '.amount >']");
    assert!(err.contains("in jq expression `.amount >`"), "{err}");
    let err = load_error(&[("orders", 1)], "- stream: order\n");
    assert!(err.contains("unknown topic `order`") && err.contains("did you mean `orders`"), "{err}");
    let err = load_error(
        &[("orders", 1)],
        "- stream: orders\n  then:\n    - group_by_key\n    - windowed_by: { hopping: 5s, advance: 6s, grace: 0s }\n    - count",
    );
    assert!(err.contains("Window advancement interval should be more than zero"), "{err}");
    let err = load_error(&[("orders", 1)], "- stream: orders\n- stream: orders");
    assert!(err.contains("Topic orders has already been registered by another source."), "{err}");
    let err = load_error(&[("orders", 1)], "- stream: orders\n  then: [group_by_key, count, suppress]");
    assert!(err.contains("needs a windowed table"), "{err}");
}
