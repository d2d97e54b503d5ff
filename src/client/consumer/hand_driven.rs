//! What an application that drives its consumer by hand calls between
//! polls: `assign()` to change a manual assignment, `pause()` / `resume()`
//! of single partitions, and `endOffsets()` (a ListOffsets for the latest
//! offsets that moves no position). Kafka Streams does all three: its
//! restore consumer is assigned the changelog partitions of the tasks it
//! restores and reads them up to their end offsets, and its main consumer
//! pauses the input partitions of a task until the task has restored.
//!
//! A paused partition keeps its position and whatever was fetched for it;
//! it is not fetched again and `poll()` returns nothing of it until it is
//! resumed (`KafkaConsumer.pause`).

use std::collections::BTreeSet;

use crate::actor::Ctx;
use crate::ids::{NodeId, TopicPartition};
use crate::protocol::{ListOffsetsRequest, ListOffsetsResponse, Message, OffsetSpec};

use super::{Consumer, InFlight};

impl Consumer {
    /// `assign(partitions)`: the manual assignment becomes exactly these.
    /// Partitions kept keep their positions; new ones start where a seek,
    /// or else `auto.offset.reset`, puts them. An empty list assigns nothing.
    pub fn assign(&mut self, ctx: &mut Ctx<'_>, partitions: Vec<TopicPartition>) {
        let gone: Vec<TopicPartition> = self.assignment.iter().copied().filter(|tp| !partitions.contains(tp)).collect();
        self.drop_partitions(&gone);
        let fresh: Vec<TopicPartition> =
            partitions.iter().copied().filter(|tp| !self.positions.contains_key(tp)).collect();
        if !fresh.iter().all(|tp| self.metadata.leader(*tp).is_some()) {
            self.metadata.stale = true;
        }
        self.explicit_assignment = partitions.clone();
        self.assignment = partitions;
        self.start_positions(ctx, &fresh);
        self.run(ctx);
    }

    /// The partitions `poll()` holds back: exactly these from now on.
    pub fn pause_only(&mut self, ctx: &mut Ctx<'_>, partitions: BTreeSet<TopicPartition>) {
        if partitions == self.paused_partitions {
            return;
        }
        self.paused_partitions = partitions;
        self.run(ctx);
    }

    /// `pause()`d partitions.
    pub fn paused(&self) -> &BTreeSet<TopicPartition> {
        &self.paused_partitions
    }

    /// `endOffsets(partitions)`: asks each partition's leader for its
    /// latest offset; answers land in `end_offsets`. Partitions asked
    /// before are asked again.
    pub fn request_end_offsets(&mut self, ctx: &mut Ctx<'_>, partitions: &[TopicPartition]) {
        for tp in partitions {
            self.end_offsets.remove(tp);
            self.end_offsets_wanted.insert(*tp);
            if self.metadata.leader(*tp).is_none() {
                self.metadata.stale = true;
            }
        }
        self.run(ctx);
    }

    /// Sends the ListOffsets requests `endOffsets()` waits for, one per leader.
    pub(super) fn send_end_offsets_requests(&mut self, ctx: &mut Ctx<'_>) {
        let by_leader = self.metadata.by_leader(self.end_offsets_wanted.iter().copied());
        for (broker, partitions) in by_leader {
            if !self.connections.ready_or_connect(ctx, NodeId::Broker(broker), &mut self.next_correlation_id) {
                continue;
            }
            for tp in &partitions {
                self.end_offsets_wanted.remove(tp);
            }
            let request_partitions = partitions.iter().map(|&tp| (tp, OffsetSpec::Latest)).collect();
            let isolation_level = self.config.isolation_level;
            self.send_request(ctx, broker, InFlight::EndOffsets { broker, partitions }, |correlation_id| {
                Message::ListOffsetsRequest(ListOffsetsRequest {
                    correlation_id,
                    isolation_level,
                    partitions: request_partitions,
                })
            });
        }
    }

    /// The answer to `endOffsets()`: failed partitions are asked again.
    pub(super) fn on_end_offsets(&mut self, response: ListOffsetsResponse) {
        for p in response.partitions {
            if p.error.is_ok() {
                self.end_offsets.insert(p.tp, p.offset);
            } else {
                self.end_offsets_wanted.insert(p.tp);
                self.metadata.invalidate(p.tp);
            }
        }
    }

    /// Puts the batches of paused partitions behind the others, so `poll()`
    /// can stop at the first paused one. Batches of one partition keep
    /// their order.
    pub(super) fn move_paused_to_back(&mut self) {
        if self.paused_partitions.is_empty() {
            return;
        }
        let (mut ready, held): (std::collections::VecDeque<_>, std::collections::VecDeque<_>) =
            self.buffer.drain(..).partition(|b| !self.paused_partitions.contains(&b.tp));
        ready.extend(held);
        self.buffer = ready;
    }
}
