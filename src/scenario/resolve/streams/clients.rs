//! What an application needs on the cluster, as clients and topics the
//! world builds like any other: per instance and stream thread a consumer
//! of the group `application.id` and a producer per topic it writes, and
//! the repartition and changelog topics.
//!
//! The embedded clients get the configs Kafka Streams gives them
//! (`StreamsConfig`): consumer `auto.offset.reset=earliest`,
//! `enable.auto.commit=false` (the thread commits), `max.poll.records=1000`;
//! producer `linger.ms=100`. Internal topics: repartition
//! `cleanup.policy=delete`, `retention.ms=-1`; key-value changelogs
//! `compact`; windowed changelogs `compact,delete` with `retention.ms` =
//! the store's retention + `windowstore.changelog.additional.retention.ms`.
//!
//! Simplification: internal topics exist from the start of the run; Kafka
//! Streams creates them during its first rebalance.
//! The group's leader assigns with Kafka Streams' own assignor
//! (`crate::streams::assignor`), not `partition.assignment.strategy`.
//! Simplification: the threads' consumers join with the eager protocol and
//! the `range` protocol name; Kafka Streams 4.0 joins as `stream` and
//! rebalances cooperatively, handing a moving task over in a second
//! rebalance.

use std::collections::BTreeMap;

use crate::client::workload::{KeySource, Schedule, ValueSource, Workload};
use crate::config::ProducerConfig;
use crate::config::consumer::{ConsumerConfig, OffsetReset};
use crate::config::topic::CleanupPolicy;
use crate::engine::{SimDuration, SimTime};
use crate::group::assignor::Strategy;
use crate::ids::TopicId;
use crate::scenario::{CommitMode, ConsumerDef, ProducerDef, Scenario, TopicDef};
use crate::streams::StreamsApp;
use crate::streams::runtime::{self, thread};
use crate::streams::topology::StoreKind;
use crate::streams::topology::copartition::{partition_counts, task_counts};

/// Adds the clients and internal topics of every application the runtime
/// can run. Returns nothing: applications it cannot run only get described.
pub(crate) fn add_clients(scenario: &mut Scenario) {
    let apps = scenario.streams.clone();
    for app in &apps {
        if runtime::unsupported(&app.topology).is_some() {
            continue;
        }
        let user = |t: &str| scenario.topics.iter().find(|d| d.name == t).map(|d| d.partitions);
        let Ok(counts) = partition_counts(&app.topology, &user, "") else { continue };
        add_internal_topics(scenario, app, &counts);
        let start = app.start;
        let read: Vec<TopicId> = thread::read_topics(app).iter().filter_map(|t| topic_id(scenario, t)).collect();
        let written = thread::written_topics(app);
        for instance in &app.instances {
            for n in 1..=app.config.num_stream_threads.max(1) {
                let name = thread::thread_name(instance, n);
                scenario.consumers.push(ConsumerDef {
                    name: thread::consumer_name(&name),
                    topics: read.clone(),
                    assign: Vec::new(),
                    group: Some(app.application_id.clone()),
                    seeks: BTreeMap::new(),
                    processing: SimDuration::ZERO,
                    commit: CommitMode::Never,
                    config: consumer_config(app, &name),
                    start,
                    avro: None,
                });
                for topic in &written {
                    let Some(id) = topic_id(scenario, topic) else { continue };
                    scenario.producers.push(ProducerDef {
                        name: thread::producer_name(&name, topic),
                        topic: id,
                        config: ProducerConfig { linger_ms: 100, ..ProducerConfig::default() },
                        workload: idle_workload(start),
                        start,
                        avro: None,
                        transactions: None,
                    });
                }
            }
        }
    }
    add_restore_consumers(scenario, &apps);
}

/// Per stream thread of an application with changelogs, a restore consumer:
/// no group, nothing assigned until a task restores (`assign()`); it reads
/// a changelog from its beginning (`auto.offset.reset=earliest` stands for
/// Kafka's `seekToBeginning()`). Added after every other client, so the
/// clients before keep their places (and their random streams).
fn add_restore_consumers(scenario: &mut Scenario, apps: &[StreamsApp]) {
    for app in apps {
        let runs = runtime::unsupported(&app.topology).is_none();
        if !runs || app.topology.changelog_topics(&app.application_id).is_empty() {
            continue;
        }
        for instance in &app.instances {
            for n in 1..=app.config.num_stream_threads.max(1) {
                let name = thread::thread_name(instance, n);
                let restore = thread::restore_consumer_name(&name);
                scenario.consumers.push(ConsumerDef {
                    name: restore.clone(),
                    topics: Vec::new(),
                    assign: Vec::new(),
                    group: None,
                    seeks: BTreeMap::new(),
                    processing: SimDuration::ZERO,
                    commit: CommitMode::Never,
                    config: ConsumerConfig {
                        auto_offset_reset: OffsetReset::Earliest,
                        max_poll_records: 1000,
                        enable_auto_commit: Some(false),
                        client_id: Some(restore),
                        ..ConsumerConfig::default()
                    },
                    start: app.start,
                    avro: None,
                });
            }
        }
    }
}

fn topic_id(scenario: &Scenario, name: &str) -> Option<TopicId> {
    scenario.topics.iter().position(|t| t.name == name).map(|i| TopicId(i as u32))
}

fn consumer_config(app: &StreamsApp, thread: &str) -> ConsumerConfig {
    ConsumerConfig {
        auto_offset_reset: OffsetReset::Earliest,
        max_poll_records: 1000,
        enable_auto_commit: Some(false),
        client_id: Some(thread::consumer_name(thread)),
        group_id: Some(app.application_id.clone()),
        partition_assignment_strategy: vec![Strategy::Range],
        ..ConsumerConfig::default()
    }
}

/// A producer whose application sends only what the thread hands it.
fn idle_workload(start: Option<SimTime>) -> Workload {
    Workload {
        schedule: Schedule {
            start: start.unwrap_or(SimTime::ZERO),
            every: SimDuration::from_secs(1),
            per_tick: 1,
            count: 0,
            stop: None,
        },
        keys: KeySource::Null,
        values: ValueSource::Null,
        datagen: None,
        headers: Vec::new(),
        partition: None,
    }
}

fn add_internal_topics(scenario: &mut Scenario, app: &StreamsApp, counts: &BTreeMap<String, u32>) {
    let defaults = scenario.broker_config.topic_defaults;
    // `replication.factor` -1 (the default) takes the broker's default, 1 here.
    let rf = match app.config.replication_factor {
        n if n > 0 => (n as u32).min(scenario.brokers),
        _ => 1,
    }
    .max(1);
    for short in &app.topology.repartition_topics {
        let mut config = defaults;
        config.cleanup_policy = CleanupPolicy { delete: true, compact: false };
        config.retention_ms = -1;
        scenario.topics.push(TopicDef {
            name: app.internal_topic(short),
            partitions: counts.get(short).copied().unwrap_or(1).max(1),
            replication_factor: rf,
            replicas: None,
            config,
            internal: false,
        });
    }
    let tasks = task_counts(&app.topology, counts);
    for (store, name) in app.topology.changelog_topics(&app.application_id) {
        let Some(sub) = app.topology.subtopologies.iter().find(|s| s.stores.contains(&store)) else { continue };
        let s = &app.topology.stores[store];
        let mut config = defaults;
        config.cleanup_policy = match s.kind {
            StoreKind::KeyValue | StoreKind::SuppressBuffer => CleanupPolicy { delete: false, compact: true },
            StoreKind::Window | StoreKind::Session | StoreKind::JoinWindow => {
                CleanupPolicy { delete: true, compact: true }
            }
        };
        if config.cleanup_policy.delete {
            let retention = store_retention_ms(app, store);
            config.retention_ms = retention + app.config.windowstore_changelog_additional_retention_ms;
        }
        scenario.topics.push(TopicDef {
            name,
            partitions: tasks.get(&sub.id).copied().unwrap_or(1).max(1),
            replication_factor: rf,
            replicas: None,
            config,
            internal: false,
        });
    }
}

/// A windowed store's retention: its windows' size (or gap) plus grace.
fn store_retention_ms(app: &StreamsApp, store: usize) -> i64 {
    use crate::streams::topology::{NodeKind, Op};
    app.topology
        .nodes
        .iter()
        .find_map(|n| match &n.kind {
            NodeKind::Processor(Op::Aggregate { store: s, windows: Some(w), .. }) if *s == store => {
                Some(w.retention_ms())
            }
            _ => None,
        })
        .unwrap_or(0)
}
