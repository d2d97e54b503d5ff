//! The world's door for live mode: real Kafka clients, each TCP connection an
//! actor (`NodeId::LiveClient`) whose requests enter the simulated network at
//! the current virtual time and whose answers wait here for the gateway.
//!
//! Nothing in a scenario run calls these: `run`, `play` and the tests never
//! open a connection, so their traces do not change. The gateway decides
//! when virtual time advances (`advance_to`), pacing it to the wall clock;
//! the world itself still never reads a clock.

use std::sync::Arc;

use super::{HostStatus, World};
use crate::cluster::record::RecordBatch;
use crate::engine::SimTime;
use crate::ids::{BrokerId, ClientIdx, Host, NodeId, RecordId, TopicPartition};
use crate::protocol::Message;
use crate::trace::{TraceEvent, TraceSink};

use super::step::SimError;

/// A message the cluster sent to a real client's connection.
#[derive(Clone, Debug)]
pub struct LiveResponse {
    /// The connection's number (`NodeId::LiveClient`).
    pub connection: u32,
    /// Who answered: the broker the connection is open to.
    pub from: NodeId,
    pub message: Message,
}

/// Whose records a real client's batch holds, for the delivery checks: an
/// idempotent producer by its producer id and the partition (sequences are
/// per partition; its records are numbered by their sequence, so a retried
/// batch keeps its numbers and a duplicate shows), any other by its
/// connection (numbered as they arrive).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum LiveProducer {
    Idempotent { producer_id: i64, tp: TopicPartition },
    Connection(u32),
}

impl World {
    /// The first record id of a real client's batch of `count` records, its
    /// producer registered (named and given a place in the ledger) on its
    /// first batch.
    pub fn live_record_id(&mut self, producer: LiveProducer, base_sequence: i32, count: u64) -> RecordId {
        let index = match self.live_producers.get(&producer) {
            Some(&(index, _)) => index,
            None => {
                let index = ClientIdx(self.names.producers.len() as u32);
                let name = match producer {
                    LiveProducer::Idempotent { producer_id, tp } => {
                        format!("client producer {producer_id} on {}", self.names.partition(tp))
                    }
                    LiveProducer::Connection(c) => format!("client connection {c}"),
                };
                Arc::make_mut(&mut self.names).producers.push(name);
                self.ledger.add_producer();
                self.live_producers.insert(producer, (index, 0));
                index
            }
        };
        let Some((_, next)) = self.live_producers.get_mut(&producer) else {
            return RecordId { producer: index, number: 0 };
        };
        let number = match producer {
            LiveProducer::Idempotent { .. } => u64::try_from(base_sequence).unwrap_or(0),
            LiveProducer::Connection(_) => {
                let first = *next;
                *next += count;
                first
            }
        };
        RecordId { producer: index, number }
    }

    /// A real client's batch was acknowledged (or sent, with acks=0: offset
    /// -1): the delivery checks count its records from now on.
    pub fn acknowledge_live(
        &mut self,
        tp: TopicPartition,
        base_offset: i64,
        batch: Arc<RecordBatch>,
        sink: &mut dyn TraceSink,
    ) {
        let Some(producer) = batch.records().next().map(|r| r.id().producer) else { return };
        self.effects.trace.push(TraceEvent::Acknowledged { producer, tp, base_offset, batch });
        self.flush_effects(sink);
    }

    /// A real client connected: it becomes a host of the simulated network.
    pub fn open_live_connection(&mut self) -> NodeId {
        let connection = self.live_connections;
        self.live_connections += 1;
        self.hosts.insert(Host::LiveClient(connection), HostStatus { alive: true, incarnation: 0 });
        NodeId::LiveClient(connection)
    }

    /// The client closed its connection (or the gateway closed it): answers
    /// still on their way to it are dropped, as a closed socket drops them.
    pub fn close_live_connection(&mut self, client: NodeId) {
        if let NodeId::LiveClient(c) = client
            && let Some(status) = self.hosts.get_mut(&Host::LiveClient(c))
        {
            status.alive = false;
        }
        self.live_outbox.retain(|r| NodeId::LiveClient(r.connection) != client);
    }

    /// Sends a real client's request to `broker` now, through the simulated
    /// network (its latency, cuts and dead hosts apply as to any client).
    pub fn send_live_request(&mut self, client: NodeId, broker: BrokerId, message: Message, sink: &mut dyn TraceSink) {
        self.effects.sends.push((client, NodeId::Broker(broker), Box::new(message)));
        self.flush_effects(sink);
    }

    /// Runs every event up to `time` and moves the clock there, so requests
    /// that arrive next enter at that virtual time.
    pub fn advance_to(&mut self, time: SimTime, sink: &mut dyn TraceSink) -> Result<(), SimError> {
        self.run_until(time, sink)?;
        if !self.finished && time > self.now {
            self.now = time;
        }
        Ok(())
    }

    /// Takes the answers the cluster sent to real clients since the last call.
    pub fn take_live_responses(&mut self) -> Vec<LiveResponse> {
        std::mem::take(&mut self.live_outbox)
    }

    /// Whether broker `broker` is up (its port listens only then).
    pub fn broker_is_up(&self, broker: BrokerId) -> bool {
        self.hosts.get(&Host::Broker(broker)).is_some_and(|s| s.alive)
    }
}
