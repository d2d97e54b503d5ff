//! The simulated network between hosts: per-link latency with jitter, FIFO
//! delivery per connection (TCP keeps order), extra latency on slowed hosts,
//! and cuts that silently drop traffic between groups of hosts until healed.
//!
//! A message to or from a dead host never arrives; a request to a dead host is
//! answered by a "connection refused" notice so the sender learns at once, as a
//! real client does when the peer's process is gone. A cut gives no notice: the
//! sender learns only when its request times out.

use std::collections::{BTreeMap, BTreeSet};

use rand::RngExt;

use crate::engine::{SimDuration, SimRng, SimTime};
use crate::ids::{Host, NodeId};

#[derive(Clone, Debug)]
pub struct Network {
    /// One-way latency of every link.
    pub latency: SimDuration,
    /// Uniform jitter added to or taken from the latency.
    pub jitter: SimDuration,
    /// Extra one-way latency on messages to or from a slowed host.
    slow: BTreeMap<Host, SimDuration>,
    /// Pairs of hosts that cannot reach each other (stored with the smaller first).
    cuts: BTreeSet<(Host, Host)>,
    /// When the last message on each directed link arrives, to keep FIFO order.
    last_arrival: BTreeMap<(NodeId, NodeId), SimTime>,
    rng: SimRng,
}

/// What the network does with a message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Route {
    Deliver(SimTime),
    /// Dropped silently, with the reason for the trace.
    Drop(&'static str),
}

impl Network {
    pub fn new(latency: SimDuration, jitter: SimDuration, rng: SimRng) -> Self {
        Network { latency, jitter, slow: BTreeMap::new(), cuts: BTreeSet::new(), last_arrival: BTreeMap::new(), rng }
    }

    fn pair(a: Host, b: Host) -> (Host, Host) {
        if a <= b { (a, b) } else { (b, a) }
    }

    pub fn is_cut(&self, a: Host, b: Host) -> bool {
        a != b && self.cuts.contains(&Self::pair(a, b))
    }

    /// Separates the groups: no host of one group reaches a host of another.
    pub fn cut(&mut self, groups: &[Vec<Host>]) {
        for (i, group) in groups.iter().enumerate() {
            for other in &groups[i + 1..] {
                for &a in group {
                    for &b in other {
                        if a != b {
                            self.cuts.insert(Self::pair(a, b));
                        }
                    }
                }
            }
        }
    }

    /// Removes every cut.
    pub fn heal(&mut self) {
        self.cuts.clear();
    }

    pub fn cuts(&self) -> impl Iterator<Item = &(Host, Host)> {
        self.cuts.iter()
    }

    pub fn set_slow(&mut self, host: Host, extra: SimDuration) {
        if extra.is_zero() {
            self.slow.remove(&host);
        } else {
            self.slow.insert(host, extra);
        }
    }

    pub fn slowness(&self, host: Host) -> SimDuration {
        self.slow.get(&host).copied().unwrap_or(SimDuration::ZERO)
    }

    /// Decides when (or whether) a message sent now from `from` to `to` arrives.
    pub fn route(&mut self, now: SimTime, from: NodeId, to: NodeId) -> Route {
        let (a, b) = (from.host(), to.host());
        if self.is_cut(a, b) {
            return Route::Drop("network cut");
        }
        let base = if a == b { SimDuration::ZERO } else { self.sample_latency() };
        let arrival = now + base + self.slowness(a) + self.slowness(b);
        let link = (from, to);
        let arrival = match self.last_arrival.get(&link) {
            Some(&last) if last > arrival => last,
            _ => arrival,
        };
        self.last_arrival.insert(link, arrival);
        Route::Deliver(arrival)
    }

    fn sample_latency(&mut self) -> SimDuration {
        let latency = self.latency.as_micros();
        let jitter = self.jitter.as_micros().min(latency);
        if jitter == 0 {
            return self.latency;
        }
        SimDuration::from_micros(self.rng.random_range(latency - jitter..=latency + jitter))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::{BrokerId, ClientIdx};
    use rand::SeedableRng;

    fn net() -> Network {
        Network::new(SimDuration::from_millis(1), SimDuration::from_micros(500), SimRng::seed_from_u64(1))
    }

    #[test]
    fn a_link_delivers_in_send_order_despite_jitter() {
        let mut n = net();
        let (p, b) = (NodeId::Producer(ClientIdx(0)), NodeId::Broker(BrokerId(1)));
        let mut last = SimTime::ZERO;
        for i in 0..100 {
            let Route::Deliver(at) = n.route(SimTime::from_micros(i * 10), p, b) else {
                panic!("no cut, must deliver");
            };
            assert!(at >= last, "FIFO per link");
            last = at;
        }
    }

    #[test]
    fn cuts_drop_between_groups_until_healed() {
        let mut n = net();
        let (b1, b2, b3) = (BrokerId(1), BrokerId(2), BrokerId(3));
        n.cut(&[vec![Host::Broker(b1)], vec![Host::Broker(b2), Host::Broker(b3)]]);
        assert_eq!(n.route(SimTime::ZERO, NodeId::Broker(b1), NodeId::Broker(b2)), Route::Drop("network cut"));
        assert!(matches!(n.route(SimTime::ZERO, NodeId::Broker(b2), NodeId::Broker(b3)), Route::Deliver(_)));
        assert!(
            matches!(
                n.route(SimTime::ZERO, NodeId::Broker(b1), NodeId::Controller(crate::ids::ControllerId(1))),
                Route::Deliver(_)
            ),
            "hosts outside every group are not cut off"
        );
        n.heal();
        assert!(matches!(n.route(SimTime::ZERO, NodeId::Broker(b1), NodeId::Broker(b2)), Route::Deliver(_)));
    }

    #[test]
    fn slow_hosts_add_latency() {
        let mut n = Network::new(SimDuration::from_millis(1), SimDuration::ZERO, SimRng::seed_from_u64(1));
        n.set_slow(Host::Broker(BrokerId(2)), SimDuration::from_millis(50));
        let Route::Deliver(at) = n.route(SimTime::ZERO, NodeId::Broker(BrokerId(1)), NodeId::Broker(BrokerId(2)))
        else {
            panic!()
        };
        assert_eq!(at, SimTime::from_millis(51));
    }
}
