//! Building a world from a scenario: brokers with their replicas, the
//! controller's metadata, clients, and the first events in the queue.

use std::collections::BTreeMap;
use std::sync::Arc;

use rand::RngExt;

use super::{Event, HostStatus, World};
use crate::actor::{Ctx, Effects};
use crate::check::invariants::InvariantChecker;
use crate::check::ledger::Ledger;
use crate::check::tally::Tally;
use crate::client::consumer::Consumer;
use crate::client::producer::{Producer, ProducerRngs};
use crate::cluster::broker::Broker;
use crate::cluster::controller::Controller;
use crate::cluster::metadata::{MetadataRecord, PartitionState, TopicImage};
use crate::cluster::placement::assign_replicas;
use crate::engine::{EventQueue, RngStreams, SimTime};
use crate::group::hash::coordinator_partition;
use crate::ids::{BrokerId, ClientIdx, ControllerId, Host, Names, NodeId, TopicId, TopicPartition};
use crate::net::Network;
use crate::scenario::{Action, ClientRef, Scenario, TimedAction};
use crate::trace::sink::NullSink;

/// How a world is built.
#[derive(Clone, Copy, Debug, Default)]
pub struct BuildOptions {
    /// Overrides the scenario's seed.
    pub seed: Option<u64>,
    /// Check invariants after every event (always on in debug builds).
    pub check_invariants: bool,
}

impl World {
    pub fn new(scenario: Scenario, options: BuildOptions) -> World {
        let mut scenario = scenario;
        if let Some(seed) = options.seed {
            scenario.seed = seed;
        }
        let scenario = Arc::new(scenario);
        let mut streams = RngStreams::new(scenario.seed);
        let offsets_topic = scenario.offsets_topic();
        let names = Arc::new(Names {
            topics: scenario.topics.iter().map(|t| t.name.clone()).collect(),
            producers: scenario.producers.iter().map(|p| p.name.clone()).collect(),
            consumers: scenario.consumers.iter().map(|c| c.name.clone()).collect(),
            offsets_topic,
            group_partitions: offsets_topic
                .map(|t| {
                    let partitions = scenario.topics[t.0 as usize].partitions;
                    scenario.groups().iter().map(|g| coordinator_partition(g, partitions)).collect()
                })
                .unwrap_or_default(),
            transaction_state_topic: scenario.transaction_state_topic(),
            transaction_partitions: scenario
                .transaction_state_topic()
                .map(|t| {
                    let partitions = scenario.topics[t.0 as usize].partitions;
                    scenario
                        .producers
                        .iter()
                        .filter_map(|p| p.config.transactional_id.as_deref())
                        .map(|id| crate::txn::coordinator_partition::transaction_state_partition(id, partitions))
                        .collect()
                })
                .unwrap_or_default(),
            transactional_producers: scenario
                .producers
                .iter()
                .enumerate()
                .filter(|(_, p)| p.config.transactional_id.is_some())
                .map(|(i, _)| ClientIdx(i as u32))
                .collect(),
        });
        let broker_ids: Vec<BrokerId> = (1..=scenario.brokers as i32).map(BrokerId).collect();
        let controller_nodes: Vec<ControllerId> = (1..=scenario.controllers).map(ControllerId).collect();
        let records = initial_metadata(&scenario, &broker_ids, controller_nodes[0], &mut streams);
        let controller = Controller::new(records, scenario.broker_config, streams.unlisted("placement/controller"));
        let brokers: Vec<Broker> = broker_ids
            .iter()
            .map(|&id| {
                let member_ids = streams.stream(&format!("member-ids/broker-{id}"));
                let mut broker = Broker::new(
                    id,
                    scenario.broker_config,
                    controller.image.clone(),
                    controller_nodes.clone(),
                    names.offsets_topic,
                    member_ids,
                );
                broker.transaction_state_topic = scenario.transaction_state_topic();
                broker
            })
            .collect();
        let network = Network::new(scenario.latency, scenario.jitter, streams.stream("network"));
        let producers = scenario
            .producers
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let rngs = ProducerRngs {
                    workload: streams.stream(&format!("producer/{}", p.name)),
                    partitioner: streams.stream(&format!("producer/{}/partitioner", p.name)),
                    network: streams.stream(&format!("producer/{}/network", p.name)),
                };
                Producer::new(
                    ClientIdx(i as u32),
                    p.name.clone(),
                    p.config.clone(),
                    (p.topic, scenario.topics[p.topic.0 as usize].name.clone()),
                    p.workload.clone(),
                    broker_ids.clone(),
                    rngs,
                )
                .with_transactions(p.transactions.clone())
                .with_other_topics(
                    p.transactions
                        .iter()
                        .flat_map(|plan| plan.topics())
                        .map(|t| (t, scenario.topics[t.0 as usize].name.clone()))
                        .collect(),
                )
            })
            .collect();
        let topic_names: std::collections::BTreeMap<TopicId, String> =
            scenario.topics.iter().enumerate().map(|(i, t)| (TopicId(i as u32), t.name.clone())).collect();
        let consumers = scenario
            .consumers
            .iter()
            .enumerate()
            .map(|(i, c)| {
                Consumer::new(ClientIdx(i as u32), c, topic_names.clone(), broker_ids.clone())
                    .with_network_rng(streams.stream(&format!("consumer/{}/network", c.name)))
            })
            .collect::<Vec<_>>();
        let mut producers: Vec<Producer> = producers;
        let mut consumers = consumers;
        let registry = super::registry::build(&scenario, &broker_ids, &mut streams, &mut producers, &mut consumers);
        let mut hosts = BTreeMap::new();
        for &b in &broker_ids {
            hosts.insert(Host::Broker(b), HostStatus { alive: true, incarnation: 0 });
        }
        for &c in &controller_nodes {
            hosts.insert(Host::Controller(c), HostStatus { alive: true, incarnation: 0 });
        }
        for i in 0..scenario.producers.len() {
            hosts.insert(Host::Producer(ClientIdx(i as u32)), HostStatus { alive: false, incarnation: 0 });
        }
        for i in 0..scenario.consumers.len() {
            hosts.insert(Host::Consumer(ClientIdx(i as u32)), HostStatus { alive: false, incarnation: 0 });
        }
        if registry.is_some() {
            hosts.insert(Host::SchemaRegistry, HostStatus { alive: true, incarnation: 0 });
        }
        let actions = Arc::new(scheduled_actions(&scenario));
        let mut queue = EventQueue::with_capacity(1024);
        for (i, action) in actions.iter().enumerate() {
            queue.push(action.at, Event::Action(i));
        }
        for (i, e) in scenario.expectations.iter().enumerate() {
            if let Some(at) = e.at {
                queue.push(at, Event::Expect(i));
            }
        }
        queue.push(scenario.run_for, Event::End);
        let readers = reader_ids(&scenario);
        let mut world = World {
            names,
            now: SimTime::ZERO,
            steps: 0,
            brokers,
            controller,
            controller_nodes,
            producers,
            consumers,
            registry,
            stream_threads: super::streams::stream_threads(&scenario),
            pipelines: super::pipelines::pipeline_instances(&scenario),
            streams_processed: Default::default(),
            streams_standbys: Default::default(),
            network,
            hosts,
            queue,
            actions,
            ledger: Ledger::new(
                &scenario
                    .producers
                    .iter()
                    .map(|p| p.workload.schedule.records_by(scenario.run_for))
                    .collect::<Vec<_>>(),
                readers,
            ),
            tally: Tally::new(&scenario.expectations, scenario.offsets_topic()),
            results: vec![None; scenario.expectations.len()],
            checker: (options.check_invariants || cfg!(debug_assertions)).then(InvariantChecker::default),
            effects: Effects::default(),
            rng_streams: streams.issued().to_vec(),
            finished: false,
            watchdog: Default::default(),
            delivery_memo: Default::default(),
            live_outbox: Vec::new(),
            live_connections: 0,
            live_producers: Default::default(),
            scenario,
        };
        world.attach_streams_assignor();
        world.start_brokers();
        world.start_registry();
        let _ = world.flush_effects(&mut NullSink);
        world
    }

    /// Every process starts with the world: the first controller is active,
    /// every broker is registered and serving.
    fn start_brokers(&mut self) {
        let first = self.controller_nodes[0];
        let mut ctx = Ctx::new(self.now, NodeId::Controller(first), &mut self.effects);
        self.controller.become_active(&mut ctx, first);
        for broker in &mut self.brokers {
            let mut ctx = Ctx::new(self.now, NodeId::Broker(broker.id), &mut self.effects);
            broker.startup(&mut ctx, true);
        }
        let _ = self.flush_effects(&mut NullSink);
    }
}

/// The metadata log as it stands when the lesson starts: every broker
/// registered and unfenced, every topic created, each partition led by its
/// preferred replica with the full ISR.
fn initial_metadata(
    scenario: &Scenario,
    brokers: &[BrokerId],
    controller: ControllerId,
    streams: &mut RngStreams,
) -> Vec<MetadataRecord> {
    let mut placement = streams.stream("placement");
    let mut records = Vec::new();
    for &b in brokers {
        records.push(MetadataRecord::RegisterBroker { broker: b, broker_epoch: 1 });
        records.push(MetadataRecord::UnfenceBroker { broker: b });
    }
    records.push(MetadataRecord::ActiveController { controller });
    for (i, topic) in scenario.topics.iter().enumerate() {
        let replicas = topic.replicas.clone().unwrap_or_else(|| {
            // Kafka draws the start index and shift at random; so do we, from the seed.
            let start = placement.random_range(0..brokers.len());
            let shift = placement.random_range(0..brokers.len());
            assign_replicas(brokers, topic.partitions, topic.replication_factor, start, shift)
        });
        let partitions = replicas
            .into_iter()
            .map(|replicas| PartitionState {
                leader: replicas.first().copied(),
                isr: replicas.clone(),
                replicas,
                leader_epoch: 0,
                partition_epoch: 0,
            })
            .collect();
        records.push(MetadataRecord::Topic {
            topic: TopicId(i as u32),
            image: TopicImage { name: topic.name.clone(), config: topic.config, internal: topic.internal, partitions },
        });
    }
    records
}

/// The timeline plus a start for every client with a start time, in time order
/// (client starts first among equal times, then timeline order).
fn scheduled_actions(scenario: &Scenario) -> Vec<TimedAction> {
    let mut actions = Vec::new();
    for (i, p) in scenario.producers.iter().enumerate() {
        if let Some(at) = p.start {
            actions.push(TimedAction { at, action: Action::Start(ClientRef::Producer(ClientIdx(i as u32))) });
        }
    }
    for (i, c) in scenario.consumers.iter().enumerate() {
        if let Some(at) = c.start {
            actions.push(TimedAction { at, action: Action::Start(ClientRef::Consumer(ClientIdx(i as u32))) });
        }
    }
    actions.extend(scenario.timeline.iter().cloned());
    actions.sort_by_key(|a| a.at);
    actions
}

/// Consumers in one group count as one reader (a redelivery within a group is
/// a duplicate; two groups each reading a record is pub/sub).
fn reader_ids(scenario: &Scenario) -> Vec<u32> {
    let mut groups: Vec<&str> = Vec::new();
    scenario
        .consumers
        .iter()
        .enumerate()
        .map(|(i, c)| match &c.group {
            Some(g) => {
                let index = groups.iter().position(|x| x == g).unwrap_or_else(|| {
                    groups.push(g);
                    groups.len() - 1
                });
                (scenario.consumers.len() + index) as u32
            }
            None => i as u32,
        })
        .collect()
}

/// Partitions some consumer reads (for the `unobserved` count).
pub(super) fn read_partitions(scenario: &Scenario) -> std::collections::BTreeSet<TopicPartition> {
    let mut out = std::collections::BTreeSet::new();
    for c in &scenario.consumers {
        out.extend(c.assign.iter().copied());
        for &t in &c.topics {
            let n = scenario.topics[t.0 as usize].partitions;
            out.extend((0..n).map(|p| TopicPartition::new(t, p)));
        }
    }
    out
}
