//! The consumer's fetcher: Metadata to find leaders, ListOffsets to reset
//! positions, and long-polling Fetch requests to each leader.

use std::collections::BTreeMap;

use crate::actor::Ctx;
use crate::config::consumer::OffsetReset;
use crate::engine::SimDuration;
use crate::ids::{BrokerId, NodeId, TopicId, TopicPartition};
use crate::protocol::{
    ErrorCode, FetchPartition, FetchRequest, FetchResponse, ListOffsetsRequest, ListOffsetsResponse, Message,
    MetadataRequest, OffsetSpec,
};
use crate::trace::TraceEvent;

use super::read_committed::visible_batches;
use super::{AppState, Buffered, Consumer, InFlight, MemberState, Position};

impl Consumer {
    fn pick_broker(&mut self, ctx: &mut Ctx<'_>) -> Option<BrokerId> {
        let n = self.bootstrap.len();
        let start = (self.next_correlation_id as usize) % n.max(1);
        (0..n).map(|i| self.bootstrap[(start + i) % n]).find(|&broker| {
            self.connections.ready_or_connect(ctx, NodeId::Broker(broker), &mut self.next_correlation_id)
        })
    }

    pub(super) fn send_request(
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
        let topics = self.metadata_topics();
        self.send_request(ctx, broker, InFlight::Metadata, |correlation_id| {
            Message::MetadataRequest(MetadataRequest { correlation_id, topics, auto_create: Vec::new() })
        });
    }

    /// The topics a Metadata request asks about: the subscribed ones, or,
    /// with a manual assignment, the topics of the assigned partitions
    /// (`SubscriptionState.assignFromUser` makes those the subscription).
    /// `endOffsets()` needs the leaders of the partitions it asks about too.
    pub(super) fn metadata_topics(&self) -> Vec<TopicId> {
        if self.explicit_assignment.is_empty() && self.end_offsets_wanted.is_empty() {
            return self.topics.clone();
        }
        let assigned = if self.explicit_assignment.is_empty() { &[][..] } else { &self.explicit_assignment[..] };
        let mut topics: Vec<TopicId> = assigned.iter().chain(&self.end_offsets_wanted).map(|tp| tp.topic).collect();
        if self.explicit_assignment.is_empty() {
            topics.extend(&self.topics);
        }
        topics.sort_unstable();
        topics.dedup();
        topics
    }

    /// Partitions without a position ask their leader for the offset
    /// `auto.offset.reset` points at.
    pub(super) fn reset_unknown_positions(&mut self, ctx: &mut Ctx<'_>) {
        let spec = match self.config.auto_offset_reset {
            OffsetReset::Earliest => OffsetSpec::Earliest,
            OffsetReset::Latest => OffsetSpec::Latest,
            OffsetReset::None => {
                self.maybe_throw_no_offset(ctx);
                return;
            }
        };
        let unknown = self.positions.iter().filter(|(_, position)| **position == Position::Unknown).map(|(tp, _)| *tp);
        let by_leader = self.metadata.by_leader(unknown);
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

    /// `auto.offset.reset=none`: once the group's committed offsets are
    /// known, a partition still without a position makes `poll()` throw
    /// before anything is fetched, from any partition, and on every call
    /// (`SubscriptionState.resetInitializingPositions` throws
    /// NoOffsetForPartitionException; after OFFSET_OUT_OF_RANGE,
    /// `FetchCollector.handleInitializeErrors` throws
    /// OffsetOutOfRangeException). The application does not catch it and
    /// stops.
    fn maybe_throw_no_offset(&mut self, ctx: &mut Ctx<'_>) {
        // Only poll() throws, and only once the group has its assignment
        // (`updateAssignmentMetadataIfNeeded` returns before
        // `updateFetchPositions` while the coordinator is rebalancing).
        let in_poll = self.app == AppState::Polling
            && self.membership.as_ref().is_none_or(|m| m.state == MemberState::Stable && !m.blocks_poll());
        let fetching_committed = self.positions.values().any(|p| *p == Position::FetchingCommitted);
        if !in_poll || fetching_committed {
            return;
        }
        let unknown: Vec<TopicPartition> =
            self.positions.iter().filter(|(_, p)| **p == Position::Unknown).map(|(&tp, _)| tp).collect();
        if unknown.is_empty() {
            return;
        }
        let name = |tp: &TopicPartition| {
            format!("{}-{}", self.topic_names.get(&tp.topic).map_or("?", String::as_str), tp.partition)
        };
        let out_of_range: Vec<String> = unknown
            .iter()
            .filter_map(|tp| self.out_of_range_at.get(tp).map(|offset| format!("offset {offset} of {}", name(tp))))
            .collect();
        let (exception, reason) = if out_of_range.is_empty() {
            let partitions: Vec<String> = unknown.iter().map(name).collect();
            (
                "NoOffsetForPartitionException",
                format!(
                    "auto.offset.reset=none and no committed offset for {} (\"Undefined offset with no reset policy for partitions: [{}]\"); nothing is fetched, not even from the partitions that have one",
                    partitions.join(", "),
                    partitions.join(", ")
                ),
            )
        } else {
            (
                "OffsetOutOfRangeException",
                format!(
                    "{} is no longer in the log (OFFSET_OUT_OF_RANGE) and auto.offset.reset=none",
                    out_of_range.join(", ")
                ),
            )
        };
        self.fail_application(ctx, exception, reason);
    }

    pub(super) fn on_list_offsets_response(&mut self, ctx: &mut Ctx<'_>, response: ListOffsetsResponse) {
        let Some(flight) = self.in_flight.remove(&response.correlation_id) else {
            return;
        };
        if let InFlight::EndOffsets { .. } = flight {
            self.on_end_offsets(response);
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
            if self.has_buffered(tp) || self.paused_partitions.contains(&tp) {
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

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::config::ConsumerConfig;
    use crate::ids::ClientIdx;
    use crate::scenario::{CommitMode, ConsumerDef};

    fn consumer(topics: Vec<TopicId>, assign: Vec<TopicPartition>) -> Consumer {
        let def = ConsumerDef {
            name: "c".to_string(),
            topics,
            assign,
            group: None,
            seeks: BTreeMap::new(),
            processing: SimDuration::ZERO,
            commit: CommitMode::Never,
            config: ConsumerConfig::default(),
            start: None,
            avro: None,
        };
        Consumer::new(ClientIdx(0), &def, BTreeMap::new(), vec![BrokerId(1)])
    }

    /// As `SubscriptionState.assignFromUser` does, a manual assignment makes
    /// its partitions' topics the ones metadata is asked for, each once (the
    /// Metadata request of a consumer reading `[t-0, t-1]` used to name no
    /// topic at all, so it never learnt a leader).
    #[test]
    fn a_manual_assignment_asks_metadata_for_its_partitions_topics() {
        let (orders, audit) = (TopicId(0), TopicId(2));
        let manual = consumer(
            Vec::new(),
            vec![TopicPartition::new(audit, 1), TopicPartition::new(orders, 0), TopicPartition::new(audit, 0)],
        );
        assert_eq!(manual.metadata_topics(), vec![orders, audit]);
        let subscribed = consumer(vec![audit], Vec::new());
        assert_eq!(subscribed.metadata_topics(), vec![audit]);
    }
}
