//! Serving Fetch for consumers and followers, and ListOffsets.
//!
//! A consumer reads up to the high watermark — or, with
//! `isolation.level=read_committed`, up to the last stable offset, and is
//! told which transactions in what it read were aborted
//! (`UnifiedLog.collectAbortedTransactions`); a follower reads up to the log
//! end and, by fetching, tells the leader its own log end offset. A fetch that
//! finds nothing new is parked until data arrives or `max_wait_ms` passes (long
//! polling), so idle consumers do not spin.

use crate::actor::{Ctx, Timer};
use crate::engine::SimDuration;
use crate::ids::{BrokerId, NodeId, TopicPartition};
use crate::protocol::{
    ErrorCode, FetchPartition, FetchPartitionResponse, FetchRequest, FetchResponse, IsolationLevel,
    ListOffsetsPartitionResponse, ListOffsetsRequest, ListOffsetsResponse, Message, OffsetSpec,
};

use super::{Broker, BrokerTimer};

/// A fetch waiting for data (Kafka's `DelayedFetch`).
#[derive(Clone, Debug)]
pub struct DelayedFetch {
    id: u64,
    from: NodeId,
    request: FetchRequest,
}

impl Broker {
    pub(super) fn handle_fetch(&mut self, ctx: &mut Ctx<'_>, from: NodeId, request: FetchRequest) {
        if let Some(follower) = request.replica {
            for p in &request.partitions {
                self.record_follower_position(ctx, follower, p);
            }
        }
        let (response, bytes) = self.read_for_fetch(&request);
        if answers_now(&response, bytes, request.min_bytes) || request.max_wait_ms == 0 {
            ctx.send(from, Message::FetchResponse(response));
        } else {
            let id = self.next_delayed_id();
            ctx.set_timer(SimDuration::from_millis(request.max_wait_ms), Timer::Broker(BrokerTimer::FetchExpired(id)));
            self.delayed_fetches.push(DelayedFetch { id, from, request });
        }
    }

    /// A follower's fetch offset is its log end offset: the leader records it,
    /// which may move the high watermark.
    fn record_follower_position(&mut self, ctx: &mut Ctx<'_>, follower: BrokerId, p: &FetchPartition) {
        let me = self.id;
        let Some(partition) = self.partitions.get_mut(&p.tp) else {
            return;
        };
        if !partition.is_leader(me) || !partition.state.replicas.contains(&follower) {
            return;
        }
        // A diverging follower's offset says nothing about what it has in common.
        if divergence(partition, p) != Divergence::None {
            return;
        }
        partition.record_follower_fetch(follower, p.fetch_offset, p.log_start_offset, ctx.now);
        self.maybe_expand_isr(ctx, p.tp, follower);
        self.maybe_advance_high_watermark(ctx, p.tp);
    }

    /// Reads every requested partition; returns the response and its byte count.
    fn read_for_fetch(&self, request: &FetchRequest) -> (FetchResponse, u64) {
        let mut total_bytes = 0;
        let partitions = request
            .partitions
            .iter()
            .map(|p| {
                let response =
                    self.read_partition(request.replica, request.isolation_level, request.partition_max_bytes, p);
                total_bytes += response.batches.iter().map(|b| u64::from(b.batch.size_bytes())).sum::<u64>();
                response
            })
            .collect();
        (FetchResponse { correlation_id: request.correlation_id, partitions }, total_bytes)
    }

    fn read_partition(
        &self,
        replica: Option<BrokerId>,
        isolation_level: IsolationLevel,
        max_bytes: u64,
        p: &FetchPartition,
    ) -> FetchPartitionResponse {
        let mut response = FetchPartitionResponse {
            tp: p.tp,
            error: ErrorCode::None,
            high_watermark: -1,
            last_stable_offset: -1,
            log_start_offset: -1,
            aborted_transactions: Vec::new(),
            diverging_epoch: None,
            log_end_offset: -1,
            batches: Vec::new(),
        };
        let leader = self.partitions.get(&p.tp).filter(|part| self.ready && part.is_leader(self.id));
        let Some(partition) = leader else {
            response.error = ErrorCode::NotLeaderOrFollower;
            return response;
        };
        let log = &partition.log;
        response.high_watermark = log.high_watermark();
        response.last_stable_offset = log.last_stable_offset();
        response.log_start_offset = log.log_start_offset();
        response.log_end_offset = log.log_end_offset();
        if let Some(epoch) = p.current_leader_epoch {
            let mine = partition.state.leader_epoch;
            if epoch < mine {
                response.error = ErrorCode::FencedLeaderEpoch;
                return response;
            }
            if epoch > mine {
                response.error = ErrorCode::UnknownLeaderEpoch;
                return response;
            }
        }
        if p.fetch_offset < log.log_start_offset() {
            response.error = ErrorCode::OffsetOutOfRange;
            return response;
        }
        if replica.is_some() {
            match divergence(partition, p) {
                Divergence::None => {}
                Divergence::Diverging(epoch, end) => {
                    response.diverging_epoch = Some((epoch, end));
                    return response;
                }
                Divergence::Undefined => {
                    response.error = ErrorCode::OffsetOutOfRange;
                    return response;
                }
            }
        }
        if p.fetch_offset > log.log_end_offset() {
            response.error = ErrorCode::OffsetOutOfRange;
            return response;
        }
        // Followers may read everything; consumers only what is committed,
        // and read_committed consumers only what is also decided.
        let max_offset = match (replica, isolation_level) {
            (Some(_), _) => log.log_end_offset(),
            (None, IsolationLevel::ReadUncommitted) => log.high_watermark(),
            (None, IsolationLevel::ReadCommitted) => log.last_stable_offset(),
        };
        response.batches = log.read(p.fetch_offset, max_offset, max_bytes);
        if replica.is_none()
            && isolation_level == IsolationLevel::ReadCommitted
            && let Some(upper_bound) = response.batches.last().map(|b| b.next_offset())
        {
            response.aborted_transactions = log.aborted_transactions(p.fetch_offset, upper_bound);
        }
        response
    }

    pub(super) fn complete_delayed_fetches(&mut self, ctx: &mut Ctx<'_>, tp: TopicPartition) {
        if !self.delayed_fetches.iter().any(|d| d.request.partitions.iter().any(|p| p.tp == tp)) {
            return;
        }
        let pending = std::mem::take(&mut self.delayed_fetches);
        let mut still_waiting = Vec::with_capacity(pending.len());
        for delayed in pending {
            let (response, bytes) = self.read_for_fetch(&delayed.request);
            if answers_now(&response, bytes, delayed.request.min_bytes) {
                ctx.send(delayed.from, Message::FetchResponse(response));
            } else {
                still_waiting.push(delayed);
            }
        }
        self.delayed_fetches = still_waiting;
    }

    pub(super) fn expire_fetch(&mut self, ctx: &mut Ctx<'_>, id: u64) {
        let Some(index) = self.delayed_fetches.iter().position(|d| d.id == id) else {
            return;
        };
        let delayed = self.delayed_fetches.swap_remove(index);
        let (response, _) = self.read_for_fetch(&delayed.request);
        ctx.send(delayed.from, Message::FetchResponse(response));
    }

    pub(super) fn handle_list_offsets(&mut self, ctx: &mut Ctx<'_>, from: NodeId, request: ListOffsetsRequest) {
        let partitions = request
            .partitions
            .iter()
            .map(|&(tp, spec)| {
                let leader = self.partitions.get(&tp).filter(|p| p.is_leader(self.id));
                match leader {
                    None => ListOffsetsPartitionResponse { tp, error: ErrorCode::NotLeaderOrFollower, offset: -1 },
                    Some(p) => ListOffsetsPartitionResponse {
                        tp,
                        error: ErrorCode::None,
                        offset: match spec {
                            OffsetSpec::Earliest => p.log.log_start_offset(),
                            OffsetSpec::Latest => match request.isolation_level {
                                IsolationLevel::ReadUncommitted => p.log.high_watermark(),
                                IsolationLevel::ReadCommitted => p.log.last_stable_offset(),
                            },
                        },
                    },
                }
            })
            .collect();
        ctx.send(
            from,
            Message::ListOffsetsResponse(ListOffsetsResponse { correlation_id: request.correlation_id, partitions }),
        );
    }
}

/// A fetch is answered at once when it has enough bytes, or anything the
/// fetcher must act on: an error, or a divergence to truncate.
fn answers_now(response: &FetchResponse, bytes: u64, min_bytes: u64) -> bool {
    bytes >= min_bytes.max(1) || response.partitions.iter().any(|p| !p.error.is_ok() || p.diverging_epoch.is_some())
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Divergence {
    None,
    /// `(epoch, end offset)` the follower must truncate to.
    Diverging(i32, i64),
    /// The leader cannot place the follower's last epoch: OFFSET_OUT_OF_RANGE.
    Undefined,
}

/// The leader's divergence check on a follower fetch (KIP-320 / KAFKA-10554):
/// if the follower's last epoch ends earlier in the leader's log than the
/// follower's log does, answer `(epoch, end offset)` to truncate to.
fn divergence(partition: &crate::cluster::partition::Partition, p: &FetchPartition) -> Divergence {
    let Some(last_fetched_epoch) = p.last_fetched_epoch else {
        return Divergence::None;
    };
    let log = &partition.log;
    let (epoch, end_offset) = log.epoch_cache.end_offset_for(last_fetched_epoch, log.log_end_offset());
    if epoch < 0 || end_offset < 0 {
        Divergence::Undefined
    } else if epoch < last_fetched_epoch || end_offset < p.fetch_offset {
        Divergence::Diverging(epoch, end_offset)
    } else {
        Divergence::None
    }
}
