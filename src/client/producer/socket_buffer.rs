//! What an acks=0 producer's sockets hold: request bytes written but not yet
//! acknowledged by the broker's TCP stack.
//!
//! Kafka completes an acks=0 send as soon as the request is written to the
//! socket (`NetworkClient.handleCompletedSends`): the record counts as sent,
//! with offset -1. The socket takes `send.buffer.bytes`; towards a broker
//! whose machine vanished nothing is ever acknowledged, so the buffer fills,
//! the next request stays in flight unwritten, and after
//! `request.timeout.ms` the connection is closed and metadata refreshed,
//! which is how an acks=0 producer finds a new leader.

use std::collections::{BTreeMap, VecDeque};

use crate::ids::BrokerId;
use crate::protocol::CorrelationId;

#[derive(Clone, Debug, Default)]
pub struct SocketBuffers {
    unacknowledged: BTreeMap<BrokerId, VecDeque<(CorrelationId, u32)>>,
}

impl SocketBuffers {
    /// Bytes written to `broker`'s socket and not yet acknowledged.
    pub fn bytes(&self, broker: BrokerId) -> u32 {
        self.unacknowledged.get(&broker).map_or(0, |q| q.iter().map(|&(_, b)| b).sum())
    }

    /// Whether a request of `bytes` fits in a socket of `capacity` bytes now.
    /// An empty socket always takes one request, however large.
    pub fn has_room(&self, broker: BrokerId, bytes: u32, capacity: u32) -> bool {
        let used = self.bytes(broker);
        used == 0 || used.saturating_add(bytes) <= capacity
    }

    /// The request was written to the socket.
    pub fn write(&mut self, broker: BrokerId, correlation_id: CorrelationId, bytes: u32) {
        self.unacknowledged.entry(broker).or_default().push_back((correlation_id, bytes));
    }

    /// The broker's TCP stack acknowledged the request.
    pub fn acknowledge(&mut self, broker: BrokerId, correlation_id: CorrelationId) {
        if let Some(queue) = self.unacknowledged.get_mut(&broker) {
            queue.retain(|&(c, _)| c != correlation_id);
        }
    }

    /// The connection closed: what was in its buffer is gone.
    pub fn close(&mut self, broker: BrokerId) {
        self.unacknowledged.remove(&broker);
    }

    pub fn clear(&mut self) {
        self.unacknowledged.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_socket_fills_until_its_bytes_are_acknowledged() {
        let (b, mut sockets) = (BrokerId(1), SocketBuffers::default());
        assert!(sockets.has_room(b, 200_000, 131_072), "an empty socket takes any one request");
        sockets.write(b, 1, 100_000);
        assert!(sockets.has_room(b, 31_072, 131_072));
        assert!(!sockets.has_room(b, 31_073, 131_072));
        sockets.acknowledge(b, 1);
        assert_eq!(sockets.bytes(b), 0);
        sockets.write(b, 2, 120_000);
        sockets.close(b);
        assert!(sockets.has_room(b, 131_072, 131_072), "closing the connection empties it");
    }
}
