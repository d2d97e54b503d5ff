//! A broker: hosts partition replicas, serves Produce, Fetch, ListOffsets and
//! Metadata, and parks requests that must wait (acks=all produces waiting for
//! the high watermark, fetches long-polling for data).
//!
//! A broker process can crash and restart. What it wrote to its logs survives
//! (it is on disk); everything in memory — parked requests, what it knew of its
//! followers — is lost.
//!
//! Simplification: producer ids are handed out by each broker from its own
//! block (`broker id × 1000` upwards) instead of blocks allocated by the
//! controller.

mod fetch;
mod metadata_api;
mod produce;

use std::collections::BTreeMap;

use crate::actor::{Ctx, Timer};
use crate::config::BrokerConfig;
use crate::engine::SimDuration;
use crate::ids::{BrokerId, NodeId, TopicPartition};
use crate::protocol::{ErrorCode, InitProducerIdResponse, Message};
use crate::trace::TraceEvent;

use super::metadata::MetadataImage;
use super::partition::Partition;
use super::retention;

pub use fetch::DelayedFetch;
pub use produce::DelayedProduce;

/// Timers a broker sets for itself.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BrokerTimer {
    /// A parked fetch reached `fetch.max.wait.ms`.
    FetchExpired(u64),
    /// A parked acks=all produce reached its request timeout.
    ProduceExpired(u64),
    /// Time to apply retention (`log.retention.check.interval.ms`).
    RetentionCheck,
}

/// `log.initial.task.delay.ms`: the first retention check after start-up.
const INITIAL_TASK_DELAY_MS: u64 = 30_000;

#[derive(Clone, Debug)]
pub struct Broker {
    pub id: BrokerId,
    pub config: BrokerConfig,
    pub alive: bool,
    /// The replicas this broker hosts, leader or follower.
    pub partitions: BTreeMap<TopicPartition, Partition>,
    /// This broker's copy of the cluster metadata.
    pub metadata: MetadataImage,
    delayed_fetches: Vec<DelayedFetch>,
    delayed_produces: Vec<DelayedProduce>,
    next_delayed_id: u64,
    next_producer_id: i64,
}

impl Broker {
    pub fn new(id: BrokerId, config: BrokerConfig, metadata: MetadataImage) -> Self {
        let mut broker = Broker {
            id,
            config,
            alive: true,
            partitions: BTreeMap::new(),
            metadata,
            delayed_fetches: Vec::new(),
            delayed_produces: Vec::new(),
            next_delayed_id: 0,
            next_producer_id: i64::from(id.0) * 1000,
        };
        broker.create_hosted_partitions();
        broker
    }

    /// Creates a replica for every partition the metadata assigns to this broker.
    fn create_hosted_partitions(&mut self) {
        for (tp, state) in self.metadata.partitions() {
            if state.replicas.contains(&self.id) && !self.partitions.contains_key(&tp) {
                let config = *self
                    .metadata
                    .topic_config(tp.topic)
                    .expect("topic of a listed partition");
                self.partitions.insert(tp, Partition::new(tp, config, state.clone()));
            }
        }
    }

    fn next_delayed_id(&mut self) -> u64 {
        self.next_delayed_id += 1;
        self.next_delayed_id
    }

    pub fn on_message(&mut self, ctx: &mut Ctx<'_>, from: NodeId, message: Message) {
        match message {
            Message::ProduceRequest(request) => self.handle_produce(ctx, from, request),
            Message::FetchRequest(request) => self.handle_fetch(ctx, from, request),
            Message::ListOffsetsRequest(request) => self.handle_list_offsets(ctx, from, request),
            Message::MetadataRequest(request) => self.handle_metadata(ctx, from, request),
            Message::ApiVersionsRequest { correlation_id } => {
                ctx.send(from, Message::ApiVersionsResponse { correlation_id });
            }
            Message::InitProducerIdRequest(request) => {
                let producer_id = self.next_producer_id;
                self.next_producer_id += 1;
                ctx.send(
                    from,
                    Message::InitProducerIdResponse(InitProducerIdResponse {
                        correlation_id: request.correlation_id,
                        error: ErrorCode::None,
                        producer_id,
                        producer_epoch: 0,
                    }),
                );
            }
            // Responses to requests a broker never sends, or APIs served elsewhere.
            _ => {}
        }
    }

    pub fn on_timer(&mut self, ctx: &mut Ctx<'_>, timer: BrokerTimer) {
        match timer {
            BrokerTimer::FetchExpired(id) => self.expire_fetch(ctx, id),
            BrokerTimer::ProduceExpired(id) => self.expire_produce(ctx, id),
            BrokerTimer::RetentionCheck => {
                self.apply_retention(ctx);
                ctx.set_timer(
                    SimDuration::from_millis(self.config.log_retention_check_interval_ms),
                    Timer::Broker(BrokerTimer::RetentionCheck),
                );
            }
        }
    }

    /// The broker process starts: schedules its periodic tasks.
    pub fn startup(&mut self, ctx: &mut Ctx<'_>) {
        ctx.set_timer(
            SimDuration::from_millis(INITIAL_TASK_DELAY_MS),
            Timer::Broker(BrokerTimer::RetentionCheck),
        );
    }

    /// Every replica, leader or follower, applies retention on its own.
    fn apply_retention(&mut self, ctx: &mut Ctx<'_>) {
        let now_ms = ctx.now.as_millis();
        for (&tp, partition) in self.partitions.iter_mut() {
            for deleted in retention::apply(&mut partition.log, &partition.config, now_ms) {
                ctx.trace(TraceEvent::SegmentsDeleted {
                    broker: self.id,
                    tp,
                    reason: deleted.reason.config_name(),
                    segments: deleted.segments,
                    records: deleted.records,
                    log_start_offset: deleted.new_log_start_offset,
                });
            }
        }
    }

    /// After a partition's high watermark or log end moved: answer whatever
    /// parked requests can now be answered.
    fn on_partition_progress(&mut self, ctx: &mut Ctx<'_>, tp: TopicPartition) {
        self.complete_delayed_produces(ctx, tp);
        self.complete_delayed_fetches(ctx, tp);
    }

    /// Advances the high watermark of `tp` if the ISR allows it, tracing the move.
    fn maybe_advance_high_watermark(&mut self, ctx: &mut Ctx<'_>, tp: TopicPartition) {
        let me = self.id;
        let Some(partition) = self.partitions.get_mut(&tp) else {
            return;
        };
        if let Some(high_watermark) = partition.maybe_increment_high_watermark(me) {
            ctx.trace(TraceEvent::HighWatermark {
                broker: me,
                tp,
                high_watermark,
            });
            self.on_partition_progress(ctx, tp);
        }
    }

    /// The process dies: memory is lost, disks are kept.
    pub fn crash(&mut self) {
        self.alive = false;
        self.delayed_fetches.clear();
        self.delayed_produces.clear();
        for partition in self.partitions.values_mut() {
            partition.followers.clear();
            partition.pending_isr = None;
        }
    }

    /// The process starts again with the logs it had.
    pub fn restart(&mut self) {
        self.alive = true;
    }
}
