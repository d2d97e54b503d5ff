//! The consumer against a scripted broker, the way Kafka's client tests drive
//! `KafkaConsumer` with a `MockClient` and prepared responses: broker 1 leads
//! every partition and coordinates every group, answers at once, and the test
//! says what its coordinator answers (committed offsets, JoinGroup).

use std::collections::BTreeMap;

use crate::actor::{Ctx, Effects, Timer};
use crate::config::ConsumerConfig;
use crate::config::consumer::OffsetReset;
use crate::engine::{SimDuration, SimTime};
use crate::ids::{BrokerId, ClientIdx, NodeId, TopicId, TopicPartition};
use crate::protocol::{
    ErrorCode, FetchPartitionResponse, FetchResponse, GroupMessage, JoinedMember, ListOffsetsPartitionResponse,
    ListOffsetsResponse, Message, MetadataResponse, PartitionMetadata, TopicMetadata,
};
use crate::scenario::{CommitMode, ConsumerDef};
use crate::trace::TraceEvent;

use super::{Consumer, ConsumerPhase, ConsumerTimer, Position};

const BROKER: BrokerId = BrokerId(1);
const TOPIC: TopicId = TopicId(0);

fn tp(partition: u32) -> TopicPartition {
    TopicPartition::new(TOPIC, partition)
}

/// A request the consumer sent, and when.
#[derive(Clone, Debug)]
struct Sent {
    at: SimTime,
    api: &'static str,
}

struct Harness {
    consumer: Consumer,
    now: SimTime,
    timers: Vec<(SimTime, ConsumerTimer)>,
    /// Answers waiting to be delivered (a Fetch long-polls), by time.
    pending: Vec<(SimTime, Message)>,
    sent: Vec<Sent>,
    trace: Vec<TraceEvent>,
    partitions: u32,
    /// What OffsetFetch answers (-1: no committed offset).
    committed: BTreeMap<TopicPartition, i64>,
    generation: i32,
    /// How long a JoinGroup (with a member id) waits for its answer.
    join_delay: SimDuration,
}

impl Harness {
    fn new(def: ConsumerDef, partitions: u32) -> Self {
        let names = BTreeMap::from([(TOPIC, "t".to_string())]);
        Harness {
            consumer: Consumer::new(ClientIdx(0), &def, names, vec![BROKER]),
            now: SimTime::ZERO,
            timers: Vec::new(),
            pending: Vec::new(),
            sent: Vec::new(),
            trace: Vec::new(),
            partitions,
            committed: BTreeMap::new(),
            generation: 0,
            join_delay: SimDuration::ZERO,
        }
    }

    fn consumer_def(group: Option<&str>, assign: Vec<TopicPartition>, config: ConsumerConfig) -> ConsumerDef {
        let topics = if assign.is_empty() { vec![TOPIC] } else { Vec::new() };
        ConsumerDef {
            name: "c1".to_string(),
            topics,
            assign,
            group: group.map(str::to_string),
            seeks: BTreeMap::new(),
            processing: SimDuration::ZERO,
            commit: if group.is_some() { CommitMode::Auto } else { CommitMode::Never },
            config,
            start: None,
            avro: None,
        }
    }

    /// Runs `f` on the consumer with a context, then collects its effects
    /// and answers its requests until it is quiet.
    fn act(&mut self, f: impl FnOnce(&mut Consumer, &mut Ctx<'_>)) {
        let mut effects = Effects::default();
        f(&mut self.consumer, &mut Ctx::new(self.now, NodeId::Consumer(ClientIdx(0)), &mut effects));
        self.apply(effects);
        // Answers due now arrive at once.
        while let Some(i) = self.pending.iter().position(|(at, _)| *at <= self.now) {
            let (_, answer) = self.pending.remove(i);
            let mut effects = Effects::default();
            let mut ctx = Ctx::new(self.now, NodeId::Consumer(ClientIdx(0)), &mut effects);
            self.consumer.on_message(&mut ctx, NodeId::Broker(BROKER), answer);
            self.apply(effects);
        }
    }

    /// Keeps the trace and timers, and queues broker 1's answers.
    fn apply(&mut self, mut effects: Effects) {
        self.trace.append(&mut effects.trace);
        for (at, _, timer) in effects.timers.drain(..) {
            if let Timer::Consumer(t) = timer {
                self.timers.push((at, t));
            }
        }
        for (_, _, message) in effects.sends.drain(..) {
            self.sent.push(Sent { at: self.now, api: message.api_name() });
            if let Some((delay, answer)) = self.answer(*message) {
                self.pending.push((self.now + delay, answer));
            }
        }
    }

    /// Moves time to `until`, firing timers and delivering answers in order.
    fn run_until(&mut self, until: SimTime) {
        loop {
            let next_timer = self.timers.iter().map(|(at, _)| *at).min();
            let next_answer = self.pending.iter().map(|(at, _)| *at).min();
            let Some(next) = next_timer.into_iter().chain(next_answer).min().filter(|&t| t <= until) else {
                break;
            };
            self.now = next;
            if let Some(i) = self.pending.iter().position(|(at, _)| *at == next) {
                let (_, answer) = self.pending.remove(i);
                self.act(|c, ctx| c.on_message(ctx, NodeId::Broker(BROKER), answer));
            } else if let Some(i) = self.timers.iter().position(|(at, _)| *at == next) {
                let (_, timer) = self.timers.remove(i);
                self.act(|c, ctx| c.on_timer(ctx, timer));
            }
        }
        self.now = until;
    }

    fn metadata(&self, correlation_id: u64) -> MetadataResponse {
        let partitions = (0..self.partitions)
            .map(|p| PartitionMetadata {
                partition: p,
                error: ErrorCode::None,
                leader: Some(BROKER),
                leader_epoch: 0,
                replicas: vec![BROKER],
                isr: vec![BROKER],
            })
            .collect();
        MetadataResponse {
            correlation_id,
            brokers: vec![BROKER],
            controller: None,
            topics: vec![TopicMetadata { topic: TOPIC, error: ErrorCode::None, partitions }],
            unknown: Vec::new(),
        }
    }

    /// What broker 1 answers, and after how long.
    fn answer(&mut self, message: Message) -> Option<(SimDuration, Message)> {
        let now = SimDuration::ZERO;
        Some(match message {
            Message::ApiVersionsRequest { correlation_id } => (now, Message::ApiVersionsResponse { correlation_id }),
            Message::MetadataRequest(r) => (now, Message::MetadataResponse(self.metadata(r.correlation_id))),
            Message::ListOffsetsRequest(r) => {
                let partitions = r
                    .partitions
                    .iter()
                    .map(|&(tp, _)| ListOffsetsPartitionResponse { tp, error: ErrorCode::None, offset: 0 })
                    .collect();
                (
                    now,
                    Message::ListOffsetsResponse(ListOffsetsResponse { correlation_id: r.correlation_id, partitions }),
                )
            }
            // An empty partition: the fetch waits its fetch.max.wait.ms.
            Message::FetchRequest(r) => {
                let partitions = r
                    .partitions
                    .iter()
                    .map(|p| FetchPartitionResponse {
                        tp: p.tp,
                        error: ErrorCode::None,
                        high_watermark: p.fetch_offset,
                        log_start_offset: 0,
                        diverging_epoch: None,
                        log_end_offset: p.fetch_offset,
                        last_stable_offset: p.fetch_offset,
                        aborted_transactions: Vec::new(),
                        batches: Vec::new(),
                    })
                    .collect();
                let wait = SimDuration::from_millis(r.max_wait_ms);
                (wait, Message::FetchResponse(FetchResponse { correlation_id: r.correlation_id, partitions }))
            }
            Message::Group(group) => {
                // A join waits for the rest of the group (here the initial rebalance delay).
                let joining = matches!(&group, GroupMessage::JoinGroupRequest(j) if !j.member_id.is_empty());
                let delay = if joining { self.join_delay } else { now };
                (delay, Message::Group(self.coordinator(group)?))
            }
            _ => return None,
        })
    }

    /// The group coordinator of a one-member group.
    fn coordinator(&mut self, message: GroupMessage) -> Option<GroupMessage> {
        Some(match message {
            GroupMessage::FindCoordinatorRequest { correlation_id, .. } => GroupMessage::FindCoordinatorResponse {
                correlation_id,
                error: ErrorCode::None,
                coordinator: Some(BROKER),
            },
            GroupMessage::OffsetFetchRequest { correlation_id, partitions, .. } => GroupMessage::OffsetFetchResponse {
                correlation_id,
                error: ErrorCode::None,
                offsets: partitions.iter().map(|&tp| (tp, self.committed.get(&tp).copied().unwrap_or(-1))).collect(),
            },
            GroupMessage::OffsetCommitRequest { correlation_id, offsets, .. } => {
                GroupMessage::OffsetCommitResponse { correlation_id, error: ErrorCode::None, offsets }
            }
            GroupMessage::JoinGroupRequest(join) if join.member_id.is_empty() => GroupMessage::JoinGroupResponse {
                correlation_id: join.correlation_id,
                error: ErrorCode::MemberIdRequired,
                generation: -1,
                protocol: None,
                leader: String::new(),
                member_id: format!("{}-0f8fad5b-d9cb-469f-a165-70867728950e", join.client_id),
                members: Vec::new(),
                skip_assignment: false,
            },
            GroupMessage::JoinGroupRequest(join) => {
                self.generation += 1;
                let me = JoinedMember {
                    member_id: join.member_id.clone(),
                    group_instance_id: join.group_instance_id.clone(),
                    subscription: join.subscription.clone(),
                };
                GroupMessage::JoinGroupResponse {
                    correlation_id: join.correlation_id,
                    error: ErrorCode::None,
                    generation: self.generation,
                    protocol: join.protocols.first().copied(),
                    leader: join.member_id.clone(),
                    member_id: join.member_id,
                    members: vec![me],
                    skip_assignment: false,
                }
            }
            GroupMessage::SyncGroupRequest { correlation_id, assignments, .. } => GroupMessage::SyncGroupResponse {
                correlation_id,
                error: ErrorCode::None,
                assignment: assignments.into_iter().flat_map(|(_, list)| list).collect(),
            },
            GroupMessage::HeartbeatRequest { correlation_id, .. } => {
                GroupMessage::HeartbeatResponse { correlation_id, error: ErrorCode::None }
            }
            _ => return None,
        })
    }

    fn sent_at(&self, api: &str) -> Vec<SimTime> {
        self.sent.iter().filter(|s| s.api == api).map(|s| s.at).collect()
    }

    fn failure(&self) -> Option<(String, String)> {
        self.trace.iter().find_map(|e| match e {
            TraceEvent::ClientFailed { exception, reason, .. } => Some((exception.clone(), reason.clone())),
            _ => None,
        })
    }
}

fn secs(s: u64) -> SimTime {
    SimTime::ZERO + SimDuration::from_secs(s)
}

fn none_reset() -> ConsumerConfig {
    ConsumerConfig { auto_offset_reset: OffsetReset::None, ..ConsumerConfig::default() }
}

/// `KafkaConsumerTest.testMissingOffsetNoResetPolicy`: an assigned partition
/// without a committed offset and `auto.offset.reset=none`: `poll()` throws
/// NoOffsetForPartitionException.
#[test]
fn a_missing_offset_without_a_reset_policy_makes_poll_throw() {
    let def = Harness::consumer_def(Some("g"), vec![tp(0)], none_reset());
    let mut h = Harness::new(def, 1);
    h.act(Consumer::start);
    h.run_until(secs(1));
    let (exception, _) = h.failure().expect("poll() threw");
    assert_eq!(exception, "NoOffsetForPartitionException");
    assert_eq!(h.consumer.phase, ConsumerPhase::Failed);
    assert!(h.sent_at("Fetch").is_empty(), "nothing is fetched");
}

/// Kafka's `SubscriptionState.resetInitializingPositions`: with offsets for
/// some partitions and none for another, nothing is fetched at all, not even
/// from the partitions that have an offset.
#[test]
fn one_partition_without_an_offset_stops_the_others_too() {
    let def = Harness::consumer_def(Some("g"), vec![tp(0), tp(1)], none_reset());
    let mut h = Harness::new(def, 2);
    h.committed.insert(tp(0), 7);
    h.act(Consumer::start);
    h.run_until(secs(1));
    let (exception, reason) = h.failure().expect("poll() threw");
    assert_eq!(exception, "NoOffsetForPartitionException");
    assert!(reason.contains("t-1") && !reason.contains("t-0,"), "names the partition without an offset: {reason}");
    assert!(h.sent_at("Fetch").is_empty(), "t-0 is not fetched either");
    assert_eq!(h.consumer.delivered, 0);
}

/// With an offset for every partition, `none` never throws: the consumer
/// starts at its committed offsets.
#[test]
fn committed_offsets_for_every_partition_need_no_reset_policy() {
    let def = Harness::consumer_def(Some("g"), vec![tp(0), tp(1)], none_reset());
    let mut h = Harness::new(def, 2);
    h.committed.insert(tp(0), 7);
    h.committed.insert(tp(1), 3);
    h.act(Consumer::start);
    h.run_until(secs(1));
    assert_eq!(h.failure(), None);
    assert_eq!(h.consumer.positions.get(&tp(0)), Some(&Position::At(7)));
    assert_eq!(h.consumer.positions.get(&tp(1)), Some(&Position::At(3)));
    assert!(!h.sent_at("Fetch").is_empty());
}

/// Without a group there is nothing to look up: `none` throws at the first poll.
#[test]
fn without_a_group_none_throws_at_once() {
    let def = Harness::consumer_def(None, vec![tp(0)], none_reset());
    let mut h = Harness::new(def, 1);
    h.act(Consumer::start);
    h.run_until(secs(1));
    assert_eq!(h.failure().map(|f| f.0).as_deref(), Some("NoOffsetForPartitionException"));
}

/// The heartbeat thread starts when the JoinGroup answer arrives
/// (`HeartbeatThread.enable` → `Heartbeat.resetTimeouts`): heartbeats go every
/// `heartbeat.interval.ms` from that answer, not from the consumer's start.
#[test]
fn heartbeats_are_timed_from_the_join_group_answer() {
    let config = ConsumerConfig { auto_offset_reset: OffsetReset::Earliest, ..ConsumerConfig::default() };
    let def = Harness::consumer_def(Some("g"), Vec::new(), config);
    let mut h = Harness::new(def, 2);
    h.join_delay = SimDuration::from_millis(2_000);
    // Started at 1.5 s; the coordinator answers the join 2 s later, at 3.5 s.
    h.now = SimTime::ZERO + SimDuration::from_millis(1_500);
    h.act(Consumer::start);
    h.run_until(secs(11));
    let joins: Vec<i64> = h.sent_at("JoinGroup").iter().map(|t| t.as_millis()).collect();
    assert_eq!(joins, vec![1_500, 1_500], "MEMBER_ID_REQUIRED, then the join with the id");
    let heartbeats: Vec<i64> = h.sent_at("Heartbeat").iter().map(|t| t.as_millis()).collect();
    assert_eq!(heartbeats, vec![6_500, 9_500], "3 s after the JoinGroup answer, not after the start (4.5 s, 7.5 s)");
}
