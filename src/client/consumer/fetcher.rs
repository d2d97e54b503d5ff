//! The consumer's fetcher: Metadata to find leaders, ListOffsets to reset
//! positions, and long-polling Fetch requests to each leader.

use std::collections::BTreeMap;

use crate::actor::Ctx;
use crate::config::consumer::OffsetReset;
use crate::engine::SimDuration;
use crate::ids::{BrokerId, NodeId, TopicPartition};
use crate::protocol::{
    ErrorCode, FetchPartition, FetchRequest, FetchResponse, ListOffsetsRequest, ListOffsetsResponse, Message,
    MetadataRequest, OffsetSpec,
};
use crate::trace::TraceEvent;

use super::read_committed::visible_batches;
use super::{Buffered, Consumer, InFlight, Position};

impl Consumer {
    fn pick_broker(&mut self, ctx: &mut Ctx<'_>) -> Option<BrokerId> {
        let n = self.bootstrap.len();
        let start = (self.next_correlation_id as usize) % n.max(1);
        (0..n).map(|i| self.bootstrap[(start + i) % n]).find(|&broker| {
            self.connections.ready_or_connect(ctx, NodeId::Broker(broker), &mut self.next_correlation_id)
        })
    }

    fn send_request(
        &mut self,
        ctx: &mut Ctx<'_>,
        broker: BrokerId,
        flight: InFlight,
        build: impl FnOnce(u64) -> Message,
    ) {
        let correlation_id = self.next_correlation_id();
        ctx.send(NodeId::Broker(broker), build(correlation_id));
        // A fetch may legitimately wait fetch.max.wait.ms at the broker.
        let timeout = self.config.request_timeout_ms + self.config.fetch_max_wait_ms;
        self.track_request(ctx, correlation_id, timeout, flight);
    }

    pub(super) fn ensure_metadata(&mut self, ctx: &mut Ctx<'_>) {
        if self.in_flight.values().any(|f| matches!(f, InFlight::Metadata)) {
            return;
        }
        let allowed = self.metadata.next_refresh_at(SimDuration::from_millis(self.config.retry_backoff_ms));
        if ctx.now < allowed {
            self.wake_at(ctx, allowed);
            return;
        }
        let Some(broker) = self.pick_broker(ctx) else {
            return;
        };
        let topics = self.topics.clone();
        self.send_request(ctx, broker, InFlight::Metadata, |correlation_id| {
            Message::MetadataRequest(MetadataRequest { correlation_id, topics })
        });
    }

    /// Partitions without a position ask their leader for the offset
    /// `auto.offset.reset` points at.
    pub(super) fn reset_unknown_positions(&mut self, ctx: &mut Ctx<'_>) {
        let spec = match self.config.auto_offset_reset {
            OffsetReset::Earliest => OffsetSpec::Earliest,
            OffsetReset::Latest => OffsetSpec::Latest,
            OffsetReset::None => {
                let unknown: Vec<TopicPartition> =
                    self.positions.iter().filter(|(_, p)| **p == Position::Unknown).map(|(&tp, _)| tp).collect();
                for tp in unknown {
                    self.positions.insert(tp, Position::Failed);
                    let reason = match self.out_of_range_at.remove(&tp) {
                        Some(from) => format!(
                            "OffsetOutOfRangeException: offset {from} is no longer in the log and auto.offset.reset=none"
                        ),
                        None => "NoOffsetForPartitionException: auto.offset.reset=none and no offset to start from"
                            .to_string(),
                    };
                    ctx.trace(TraceEvent::Position { consumer: self.idx, tp, offset: -1, reason });
                }
                return;
            }
        };
        let mut by_leader: BTreeMap<BrokerId, Vec<TopicPartition>> = BTreeMap::new();
        for (&tp, &position) in &self.positions {
            if position == Position::Unknown {
                match self.metadata.leader(tp) {
                    Some(leader) => by_leader.entry(leader).or_default().push(tp),
                    None => self.metadata.stale = true,
                }
            }
        }
        for (broker, partitions) in by_leader {
            if !self.connections.ready_or_connect(ctx, NodeId::Broker(broker), &mut self.next_correlation_id) {
                continue;
            }
            for &tp in &partitions {
                self.positions.insert(tp, Position::Resetting);
            }
            let request_partitions: Vec<(TopicPartition, OffsetSpec)> =
                partitions.iter().map(|&tp| (tp, spec)).collect();
            let isolation_level = self.config.isolation_level;
            self.send_request(ctx, broker, InFlight::ListOffsets { broker, partitions }, |correlation_id| {
                Message::ListOffsetsRequest(ListOffsetsRequest {
                    correlation_id,
                    isolation_level,
                    partitions: request_partitions,
                })
            });
        }
    }

    pub(super) fn on_list_offsets_response(&mut self, ctx: &mut Ctx<'_>, response: ListOffsetsResponse) {
        if self.in_flight.remove(&response.correlation_id).is_none() {
            return;
        }
        let reset = match self.config.auto_offset_reset {
            OffsetReset::Earliest => "auto.offset.reset=earliest: the log start offset",
            _ => "auto.offset.reset=latest: the high watermark",
        };
        for p in response.partitions {
            if self.positions.get(&p.tp) != Some(&Position::Resetting) {
                continue;
            }
            if p.error.is_ok() {
                self.positions.insert(p.tp, Position::At(p.offset));
                // After OFFSET_OUT_OF_RANGE the jump forward skips offsets this
                // consumer never reads (records retention deleted, or more).
                let skipped = self.out_of_range_at.remove(&p.tp).map_or(0, |from| (p.offset - from).max(0));
                self.skipped_offsets += skipped as u64;
                let reason =
                    if skipped > 0 { format!("{reset}; {skipped} offset(s) skipped") } else { reset.to_string() };
                ctx.trace(TraceEvent::Position { consumer: self.idx, tp: p.tp, offset: p.offset, reason });
            } else {
                self.positions.insert(p.tp, Position::Unknown);
                self.metadata.invalidate(p.tp);
            }
        }
    }

    /// One Fetch per leader for every fetchable partition it leads, unless a
    /// fetch to it is already waiting.
    pub(super) fn send_fetches(&mut self, ctx: &mut Ctx<'_>) {
        let mut by_leader: BTreeMap<BrokerId, Vec<(TopicPartition, i64)>> = BTreeMap::new();
        for (&tp, &position) in &self.positions {
            let Position::At(offset) = position else {
                continue;
            };
            if self.has_buffered(tp) {
                continue;
            }
            match self.metadata.leader(tp) {
                Some(leader) => by_leader.entry(leader).or_default().push((tp, offset)),
                None => self.metadata.stale = true,
            }
        }
        for (broker, offsets) in by_leader {
            if self.in_flight.values().any(|f| matches!(f, InFlight::Fetch { broker: b, .. } if *b == broker)) {
                continue;
            }
            if !self.connections.ready_or_connect(ctx, NodeId::Broker(broker), &mut self.next_correlation_id) {
                continue;
            }
            let partitions = offsets
                .iter()
                .map(|&(tp, fetch_offset)| FetchPartition {
                    tp,
                    fetch_offset,
                    current_leader_epoch: self.metadata.leader_epoch(tp),
                    last_fetched_epoch: None,
                    log_start_offset: -1,
                })
                .collect();
            let (max_wait_ms, min_bytes, partition_max_bytes) =
                (self.config.fetch_max_wait_ms, self.config.fetch_min_bytes, self.config.max_partition_fetch_bytes);
            let isolation_level = self.config.isolation_level;
            self.send_request(ctx, broker, InFlight::Fetch { broker, offsets }, |correlation_id| {
                Message::FetchRequest(FetchRequest {
                    correlation_id,
                    replica: None,
                    isolation_level,
                    max_wait_ms,
                    min_bytes,
                    partition_max_bytes,
                    partitions,
                })
            });
        }
        if self.metadata.stale {
            self.ensure_metadata(ctx);
        }
    }

    pub(super) fn on_fetch_response(&mut self, ctx: &mut Ctx<'_>, response: FetchResponse) {
        let Some(InFlight::Fetch { offsets, .. }) = self.in_flight.remove(&response.correlation_id) else {
            return;
        };
        for p in response.partitions {
            let Some(&(_, fetch_offset)) = offsets.iter().find(|(tp, _)| *tp == p.tp) else {
                continue;
            };
            // Data for a position the consumer no longer holds is discarded.
            if self.positions.get(&p.tp) != Some(&Position::At(fetch_offset)) {
                continue;
            }
            match p.error {
                ErrorCode::None => {
                    let visible = visible_batches(p.batches, self.config.isolation_level, &p.aborted_transactions);
                    for batch in visible {
                        if batch.next_offset() > fetch_offset {
                            self.buffer.push_back(Buffered { tp: p.tp, batch });
                        }
                    }
                }
                ErrorCode::OffsetOutOfRange => {
                    self.out_of_range_at.insert(p.tp, fetch_offset);
                    ctx.trace(TraceEvent::Position {
                        consumer: self.idx,
                        tp: p.tp,
                        offset: fetch_offset,
                        reason: format!(
                            "OFFSET_OUT_OF_RANGE (log starts at {}, high watermark {}): resetting",
                            p.log_start_offset, p.high_watermark
                        ),
                    });
                    self.set_position(p.tp, Position::Unknown);
                }
                _ => self.metadata.invalidate(p.tp),
            }
        }
    }
}
