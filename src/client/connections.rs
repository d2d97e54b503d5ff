//! A client's connections to its peers, as Kafka's `NetworkClient` and
//! `ClusterConnectionStates` keep them (brokers use the same for their
//! connections to leaders and the controller).
//!
//! - A node is dialled only when disconnected and its reconnect backoff has
//!   passed since the last attempt (`canConnect`). A new connection sends an
//!   ApiVersions request; its answer makes the connection ready.
//! - A refused or reset connection (the peer's process is gone, its host
//!   still answers) is a disconnection at once. A connection attempt into a
//!   cut network or to a vanished host gets no answer: after
//!   `socket.connection.setup.timeout.ms` it is closed
//!   (`handleTimedOutConnections`), which is a disconnection too.
//! - Every disconnection sets the last attempt to now and grows the
//!   reconnect backoff (`reconnect.backoff.ms` doubling to
//!   `reconnect.backoff.max.ms`); a failed attempt also grows the next set-up
//!   timeout (10 s doubling to `socket.connection.setup.timeout.max.ms`,
//!   30 s). Both take Kafka's ±20% jitter; a ready connection resets both.
//! - A client treats every disconnection as a sign its metadata may be
//!   stale and asks for an update (`handleServerDisconnect`).
//!
//! Simplification: the TCP handshake and the ApiVersions exchange are one
//! round trip, and the set-up timeout covers both (Kafka times only the TCP
//! connect, the ApiVersions answer falls under `request.timeout.ms`).
//! Brokers dial each other without jitter.

use std::collections::BTreeMap;

use rand::RngExt;

use super::backoff::exponential_backoff;
use crate::actor::Ctx;
use crate::config::network::ClientNetworkConfig;
use crate::engine::{SimDuration, SimRng, SimTime};
use crate::ids::NodeId;
use crate::protocol::{CorrelationId, Message};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    /// Dialled; waiting for the ApiVersions answer.
    Connecting {
        correlation_id: CorrelationId,
    },
    Ready,
    Disconnected,
}

/// `NodeConnectionState`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct NodeConnection {
    state: State,
    last_connect_attempt: SimTime,
    /// Disconnections since the last ready connection (reconnect backoff).
    failed_attempts: u32,
    /// Attempts that timed out or failed while connecting (set-up timeout).
    failed_connect_attempts: u32,
    reconnect_backoff: SimDuration,
    connection_setup_timeout: SimDuration,
}

#[derive(Clone, Debug, Default)]
pub struct Connections {
    links: BTreeMap<NodeId, NodeConnection>,
    config: ClientNetworkConfig,
    /// Jitter for backoffs and timeouts, and the random start of
    /// `least_loaded_node`; none for brokers.
    rng: Option<SimRng>,
    /// Clients: attempts that timed out, not yet handed to the client.
    timed_out: Vec<NodeId>,
}

impl Connections {
    /// A client's connections, with its configs and its random stream.
    pub fn new(config: ClientNetworkConfig, rng: SimRng) -> Self {
        Connections { links: BTreeMap::new(), config, rng: Some(rng), timed_out: Vec::new() }
    }

    fn reconnect_backoff(&mut self, attempts: u32) -> SimDuration {
        let max = self.config.effective_reconnect_backoff_max_ms();
        exponential_backoff(self.config.reconnect_backoff_ms, max, attempts, self.rng.as_mut())
    }

    fn connection_setup_timeout(&mut self, attempts: u32) -> SimDuration {
        let (initial, max) =
            (self.config.socket_connection_setup_timeout_ms, self.config.socket_connection_setup_timeout_max_ms);
        exponential_backoff(initial, max, attempts, self.rng.as_mut())
    }

    pub fn is_ready(&self, peer: NodeId) -> bool {
        self.links.get(&peer).is_some_and(|l| l.state == State::Ready)
    }

    /// The last attempt to reach `peer` failed (`NetworkClient.isUnavailable`):
    /// a client stops counting on it, e.g. as its group coordinator.
    pub fn has_failed(&self, peer: NodeId) -> bool {
        self.links.get(&peer).is_some_and(|l| l.state == State::Disconnected)
    }

    /// `canConnect`: disconnected (or never dialled) and past the backoff.
    fn can_connect(&self, peer: NodeId, now: SimTime) -> bool {
        self.links.get(&peer).is_none_or(|l| {
            l.state == State::Disconnected && now.saturating_sub(l.last_connect_attempt) >= l.reconnect_backoff
        })
    }

    /// Whether a request can go to `peer` now; if not, starts connecting when
    /// allowed, taking the ApiVersions correlation id from `correlation_ids`.
    pub fn ready_or_connect(&mut self, ctx: &mut Ctx<'_>, peer: NodeId, correlation_ids: &mut CorrelationId) -> bool {
        if self.is_ready(peer) {
            return true;
        }
        self.expire_attempts(ctx.now);
        if !self.can_connect(peer, ctx.now) {
            return false;
        }
        *correlation_ids += 1;
        let correlation_id = *correlation_ids;
        ctx.send(peer, Message::ApiVersionsRequest { correlation_id });
        self.connecting(peer, ctx.now, correlation_id);
        false
    }

    /// `ClusterConnectionStates.connecting`.
    fn connecting(&mut self, peer: NodeId, now: SimTime, correlation_id: CorrelationId) {
        let state = State::Connecting { correlation_id };
        if let Some(link) = self.links.get_mut(&peer) {
            link.state = state;
            link.last_connect_attempt = now;
            return;
        }
        let reconnect_backoff = self.reconnect_backoff(0);
        let connection_setup_timeout = self.connection_setup_timeout(0);
        self.links.insert(
            peer,
            NodeConnection {
                state,
                last_connect_attempt: now,
                failed_attempts: 0,
                failed_connect_attempts: 0,
                reconnect_backoff,
                connection_setup_timeout,
            },
        );
    }

    /// An ApiVersions answer arrived: the connection is up (`ready`), and
    /// both backoffs start over.
    pub fn on_api_versions(&mut self, peer: NodeId, correlation_id: CorrelationId) -> bool {
        let matches = self
            .links
            .get(&peer)
            .is_some_and(|l| matches!(l.state, State::Connecting { correlation_id: c } if c == correlation_id));
        if !matches {
            return false;
        }
        let reconnect_backoff = self.reconnect_backoff(0);
        let connection_setup_timeout = self.connection_setup_timeout(0);
        let link = self.links.get_mut(&peer).expect("checked above");
        link.state = State::Ready;
        link.failed_attempts = 0;
        link.failed_connect_attempts = 0;
        link.reconnect_backoff = reconnect_backoff;
        link.connection_setup_timeout = connection_setup_timeout;
        true
    }

    /// The connection was refused, reset or timed out
    /// (`ClusterConnectionStates.disconnected`).
    pub fn on_disconnect(&mut self, peer: NodeId, now: SimTime) {
        let link = match self.links.get(&peer) {
            Some(&link) => link,
            None => {
                // Refused before this side dialled: one failed attempt.
                self.connecting(peer, now, 0);
                self.links[&peer]
            }
        };
        let reconnect_backoff = self.reconnect_backoff(link.failed_attempts);
        let was_connecting = matches!(link.state, State::Connecting { .. });
        let failed_connect_attempts = if was_connecting { link.failed_connect_attempts + 1 } else { 0 };
        let connection_setup_timeout = self.connection_setup_timeout(failed_connect_attempts);
        let link = self.links.get_mut(&peer).expect("inserted above");
        link.last_connect_attempt = now;
        link.reconnect_backoff = reconnect_backoff;
        link.failed_attempts += 1;
        link.failed_connect_attempts = failed_connect_attempts;
        link.connection_setup_timeout = connection_setup_timeout;
        link.state = State::Disconnected;
    }

    /// Closes every connection attempt older than its set-up timeout, as a
    /// disconnection; a client's are kept for `time_out_connections`.
    fn expire_attempts(&mut self, now: SimTime) {
        let expired: Vec<NodeId> = self
            .links
            .iter()
            .filter(|(_, l)| {
                matches!(l.state, State::Connecting { .. })
                    && now.saturating_sub(l.last_connect_attempt) > l.connection_setup_timeout
            })
            .map(|(&peer, _)| peer)
            .collect();
        for peer in expired {
            self.on_disconnect(peer, now);
            // At most one entry per peer, so it stays small where nobody
            // asks for it (brokers).
            if !self.timed_out.contains(&peer) {
                self.timed_out.push(peer);
            }
        }
    }

    /// `handleTimedOutConnections`: the peers whose connection attempt timed
    /// out (now or when last looked at), so the client asks for a metadata
    /// update (`handleServerDisconnect`).
    pub fn time_out_connections(&mut self, now: SimTime) -> Vec<NodeId> {
        self.expire_attempts(now);
        std::mem::take(&mut self.timed_out)
    }

    /// `NetworkClient.leastLoadedNode`: where to send a Metadata (or
    /// FindCoordinator) request. From a random start: a ready node with
    /// nothing in flight at once; else the ready node with the fewest
    /// requests in flight; else a node being connected to; else the node
    /// that may be dialled whose last attempt is oldest. Nodes inside their
    /// reconnect backoff are skipped.
    pub fn least_loaded_node(
        &mut self,
        nodes: &[NodeId],
        now: SimTime,
        in_flight: impl Fn(NodeId) -> usize,
        max_in_flight: usize,
    ) -> Option<NodeId> {
        if nodes.is_empty() {
            return None;
        }
        let offset = self.rng.as_mut().map_or(0, |rng| rng.random_range(0..nodes.len()));
        let (mut ready, mut connecting, mut can_connect) = (None::<(NodeId, usize)>, None, None::<NodeId>);
        for i in 0..nodes.len() {
            let node = nodes[(offset + i) % nodes.len()];
            let count = in_flight(node);
            if self.is_ready(node) && count < max_in_flight {
                if count == 0 {
                    return Some(node);
                }
                if ready.is_none_or(|(_, best)| count < best) {
                    ready = Some((node, count));
                }
            } else if self.links.get(&node).is_some_and(|l| matches!(l.state, State::Connecting { .. })) {
                connecting = Some(node);
            } else if self.can_connect(node, now) {
                let attempt = |n: NodeId| self.links.get(&n).map_or(SimTime::ZERO, |l| l.last_connect_attempt);
                if can_connect.is_none_or(|best| attempt(best) > attempt(node)) {
                    can_connect = Some(node);
                }
            }
        }
        ready.map(|(node, _)| node).or(connecting).or(can_connect)
    }

    /// The earliest time after `now` a waiting connection can make
    /// progress: a set-up timeout passing, or a backoff ending. (A backoff
    /// that ended already needs no wake-up: the peer is dialled when a
    /// request needs it.)
    pub fn next_wake(&self, now: SimTime) -> Option<SimTime> {
        self.links
            .values()
            .filter_map(|l| match l.state {
                // Timed out once strictly more than the timeout has passed.
                State::Connecting { .. } => {
                    Some(l.last_connect_attempt + l.connection_setup_timeout + SimDuration::from_micros(1))
                }
                State::Disconnected => Some(l.last_connect_attempt + l.reconnect_backoff),
                State::Ready => None,
            })
            .filter(|&t| t > now)
            .min()
    }

    pub fn clear(&mut self) {
        self.links.clear();
        self.timed_out.clear();
    }
}

#[cfg(test)]
mod tests;
