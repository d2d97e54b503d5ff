//! A client's connections to its peers, as Kafka's `NetworkClient` keeps them
//! (brokers use the same for their connections to leaders and the controller).
//!
//! A new connection starts with an ApiVersions request; once it is answered the
//! connection is ready. A refused or reset connection (the broker process is
//! down) is noticed at once and retried after `reconnect.backoff.ms` (50 ms,
//! doubling up to `reconnect.backoff.max.ms` = 1 s). A connection into a cut
//! network is not noticed until a request times out.

use std::collections::BTreeMap;

use crate::actor::Ctx;
use crate::engine::{SimDuration, SimTime};
use crate::ids::NodeId;
use crate::protocol::{CorrelationId, Message};

const RECONNECT_BACKOFF_MS: u64 = 50;
const RECONNECT_BACKOFF_MAX_MS: u64 = 1_000;
/// `socket.connection.setup.timeout.ms`: how long a connection attempt may take.
pub const CONNECTION_SETUP_TIMEOUT_MS: u64 = 10_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Link {
    /// Waiting for the ApiVersions answer; `failures` attempts failed before.
    Probing {
        correlation_id: CorrelationId,
        deadline: SimTime,
        failures: u32,
    },
    Ready,
    Backoff {
        until: SimTime,
        failures: u32,
    },
}

#[derive(Clone, Debug, Default)]
pub struct Connections {
    links: BTreeMap<NodeId, Link>,
}

impl Connections {
    pub fn is_ready(&self, peer: NodeId) -> bool {
        self.links.get(&peer) == Some(&Link::Ready)
    }

    /// The last attempt to reach `peer` failed (`NetworkClient.isUnavailable`):
    /// a client stops counting on it, e.g. as its group coordinator.
    pub fn has_failed(&self, peer: NodeId) -> bool {
        matches!(self.links.get(&peer), Some(Link::Backoff { .. }))
    }

    /// Whether a request can go to `peer` now; if not, starts connecting when
    /// allowed, taking the ApiVersions correlation id from `correlation_ids`.
    pub fn ready_or_connect(&mut self, ctx: &mut Ctx<'_>, peer: NodeId, correlation_ids: &mut CorrelationId) -> bool {
        let now = ctx.now;
        match self.links.get(&peer).copied() {
            Some(Link::Ready) => true,
            Some(Link::Probing { deadline, .. }) if now < deadline => false,
            Some(Link::Backoff { until, .. }) if now < until => false,
            previous => {
                let failures = match previous {
                    Some(Link::Backoff { failures, .. }) => failures,
                    _ => 0,
                };
                if let Some(Link::Probing { failures, .. }) = previous {
                    // The previous attempt timed out without an answer.
                    self.links.insert(peer, backoff(now, failures + 1));
                    return false;
                }
                *correlation_ids += 1;
                let correlation_id = *correlation_ids;
                ctx.send(peer, Message::ApiVersionsRequest { correlation_id });
                self.links.insert(
                    peer,
                    Link::Probing {
                        correlation_id,
                        deadline: now + SimDuration::from_millis(CONNECTION_SETUP_TIMEOUT_MS),
                        failures,
                    },
                );
                false
            }
        }
    }

    /// An ApiVersions answer arrived: the connection is up.
    pub fn on_api_versions(&mut self, peer: NodeId, correlation_id: CorrelationId) -> bool {
        if let Some(link) = self.links.get_mut(&peer)
            && matches!(*link, Link::Probing { correlation_id: c, .. } if c == correlation_id)
        {
            *link = Link::Ready;
            return true;
        }
        false
    }

    /// The connection was refused, reset or timed out.
    pub fn on_disconnect(&mut self, peer: NodeId, now: SimTime) {
        let failures = match self.links.get(&peer) {
            Some(Link::Backoff { failures, .. } | Link::Probing { failures, .. }) => failures + 1,
            _ => 1,
        };
        self.links.insert(peer, backoff(now, failures));
    }

    /// The earliest time a waiting connection can make progress.
    pub fn next_wake(&self) -> Option<SimTime> {
        self.links
            .values()
            .filter_map(|link| match *link {
                Link::Probing { deadline, .. } => Some(deadline),
                Link::Backoff { until, .. } => Some(until),
                Link::Ready => None,
            })
            .min()
    }

    pub fn clear(&mut self) {
        self.links.clear();
    }
}

fn backoff(now: SimTime, failures: u32) -> Link {
    let exponent = failures.saturating_sub(1).min(16);
    let delay = (RECONNECT_BACKOFF_MS << exponent).min(RECONNECT_BACKOFF_MAX_MS);
    Link::Backoff { until: now + SimDuration::from_millis(delay), failures }
}
