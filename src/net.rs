//! The simulated network between hosts: per-link latency with jitter, FIFO
//! delivery per connection (TCP keeps order), extra latency on slowed hosts,
//! per-link conditions, and cuts that silently drop traffic between groups of
//! hosts until healed.
//!
//! A message to or from a dead host never arrives; a request to a dead host is
//! answered by a "connection refused" notice so the sender learns at once, as a
//! real client does when the peer's process is gone. A cut gives no notice: the
//! sender learns only when its request times out. A host that died with its
//! machine (`kill_host`) is cut off from everyone until it restarts.
//!
//! Link conditions (`link:` in a scenario) apply between two hosts, or
//! between one host and every other, on top of the base latency: extra
//! latency, jitter, packet loss and bandwidth. Where several apply (both
//! hosts' and the pair's), latencies and jitters add, losses compound and the
//! smallest bandwidth counts.
//! - Loss: Kafka talks TCP, which resends a lost segment after its
//!   retransmission timeout, so a lost message arrives late, never not at
//!   all: each loss (drawn from the seeded network stream) adds an RTO,
//!   200 ms (Linux's minimum) doubling per loss of the same message, and
//!   later messages on the connection wait behind it (head-of-line blocking).
//! - Bandwidth: a message occupies its link for `size / bandwidth`; messages
//!   on one link queue behind each other, so a link slower than the traffic
//!   offered falls further and further behind.
//!
//! Simplification: loss and bandwidth act on whole messages, not TCP
//! segments; message sizes count record batches and a fixed 100 bytes of
//! request or response framing.

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
    /// Conditions set on a host's links or on one pair's link.
    conditions: BTreeMap<LinkKey, LinkConditions>,
    /// Pairs of hosts that cannot reach each other (stored with the smaller first).
    cuts: BTreeSet<(Host, Host)>,
    /// Hosts whose machine died: nobody reaches them until they restart.
    isolated: BTreeSet<Host>,
    /// When the last message on each directed link arrives, to keep FIFO order.
    last_arrival: BTreeMap<(NodeId, NodeId), SimTime>,
    /// When each directed link finishes sending what it was given (bandwidth).
    busy_until: BTreeMap<(NodeId, NodeId), SimTime>,
    rng: SimRng,
}

/// Which links a set of conditions applies to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum LinkKey {
    /// Between this host and every other.
    Host(Host),
    /// Between these two hosts (the smaller first).
    Pair(Host, Host),
}

impl LinkKey {
    pub fn pair(a: Host, b: Host) -> LinkKey {
        let (a, b) = Network::pair(a, b);
        LinkKey::Pair(a, b)
    }
}

/// The conditions of a link, on top of the network's base latency.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct LinkConditions {
    /// Extra one-way latency.
    pub latency: SimDuration,
    /// Uniform jitter added to or taken from the latency.
    pub jitter: SimDuration,
    /// The fraction of messages lost once (and resent by TCP), in `[0, 1)`.
    pub loss: f64,
    /// Bytes per second each way; `None`: unlimited.
    pub bandwidth_bytes_per_sec: Option<u64>,
}

impl LinkConditions {
    pub fn is_clear(&self) -> bool {
        *self == LinkConditions::default()
    }
}

/// TCP's minimum retransmission timeout on Linux (`TCP_RTO_MIN`).
const TCP_RTO_MIN: SimDuration = SimDuration::from_millis(200);
/// Losses of one message after which it is delayed no further (Linux gives
/// up on a connection after 15 retransmissions; long before, Kafka's request
/// timeout has fired).
const MAX_RETRANSMISSIONS: u32 = 8;

/// What the network does with a message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Route {
    Deliver(SimTime),
    /// Dropped silently, with the reason for the trace.
    Drop(&'static str),
}

impl Network {
    pub fn new(latency: SimDuration, jitter: SimDuration, rng: SimRng) -> Self {
        Network {
            latency,
            jitter,
            slow: BTreeMap::new(),
            conditions: BTreeMap::new(),
            cuts: BTreeSet::new(),
            isolated: BTreeSet::new(),
            last_arrival: BTreeMap::new(),
            busy_until: BTreeMap::new(),
            rng,
        }
    }

    fn pair(a: Host, b: Host) -> (Host, Host) {
        if a <= b { (a, b) } else { (b, a) }
    }

    pub fn is_cut(&self, a: Host, b: Host) -> bool {
        a != b && (self.cuts.contains(&Self::pair(a, b)) || self.isolated.contains(&a) || self.isolated.contains(&b))
    }

    /// The host's machine died (`true`) or came back (`false`).
    pub fn set_isolated(&mut self, host: Host, isolated: bool) {
        if isolated {
            self.isolated.insert(host);
        } else {
            self.isolated.remove(&host);
        }
    }

    /// Sets the conditions of `key`'s links; clear conditions remove them.
    pub fn set_conditions(&mut self, key: LinkKey, conditions: LinkConditions) {
        if conditions.is_clear() {
            self.conditions.remove(&key);
        } else {
            self.conditions.insert(key, conditions);
        }
    }

    /// The conditions in force, for the TUI and narration.
    pub fn conditions(&self) -> impl Iterator<Item = (&LinkKey, &LinkConditions)> {
        self.conditions.iter()
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

    /// Decides when (or whether) a message of `size_bytes` sent now from
    /// `from` to `to` arrives.
    pub fn route(&mut self, now: SimTime, from: NodeId, to: NodeId, size_bytes: u32) -> Route {
        let (a, b) = (from.host(), to.host());
        if self.is_cut(a, b) {
            return Route::Drop("network cut");
        }
        let link = (from, to);
        let mut departure = now;
        let mut delay = SimDuration::ZERO;
        if a != b {
            delay = self.sample_latency() + self.slowness(a) + self.slowness(b);
            let conditions = self.conditions_between(a, b);
            if let Some(conditions) = conditions {
                delay = delay + self.sample_conditions(&conditions);
                if let Some(bandwidth) = conditions.bandwidth_bytes_per_sec {
                    let start = self.busy_until.get(&link).copied().filter(|&t| t > now).unwrap_or(now);
                    let micros = u64::from(size_bytes).saturating_mul(1_000_000) / bandwidth.max(1);
                    departure = start + SimDuration::from_micros(micros);
                    self.busy_until.insert(link, departure);
                }
            }
        }
        // A link is FIFO: nothing overtakes the message sent before it. One
        // look-up of the link, as every message of a run passes here.
        let arrival = departure + delay;
        let last = self.last_arrival.entry(link).or_insert(arrival);
        *last = (*last).max(arrival);
        Route::Deliver(*last)
    }

    /// The conditions that apply between `a` and `b`, combined.
    fn conditions_between(&self, a: Host, b: Host) -> Option<LinkConditions> {
        if self.conditions.is_empty() {
            return None;
        }
        let keys = [LinkKey::Host(a), LinkKey::Host(b), LinkKey::pair(a, b)];
        let mut found = keys.iter().filter_map(|k| self.conditions.get(k)).peekable();
        found.peek()?;
        Some(found.fold(LinkConditions::default(), |sum, c| LinkConditions {
            latency: sum.latency + c.latency,
            jitter: sum.jitter + c.jitter,
            loss: 1.0 - (1.0 - sum.loss) * (1.0 - c.loss),
            bandwidth_bytes_per_sec: match (sum.bandwidth_bytes_per_sec, c.bandwidth_bytes_per_sec) {
                (Some(x), Some(y)) => Some(x.min(y)),
                (x, y) => x.or(y),
            },
        }))
    }

    /// The delay `conditions` add to one message: latency, jitter, and a
    /// retransmission timeout per loss.
    fn sample_conditions(&mut self, conditions: &LinkConditions) -> SimDuration {
        let mut delay = conditions.latency.as_micros();
        let jitter = conditions.jitter.as_micros().min(delay);
        if jitter > 0 {
            delay = self.rng.random_range(delay - jitter..=delay + jitter);
        }
        let mut rto = TCP_RTO_MIN;
        for _ in 0..MAX_RETRANSMISSIONS {
            if conditions.loss <= 0.0 || self.rng.random::<f64>() >= conditions.loss {
                break;
            }
            delay += rto.as_micros();
            rto = rto + rto;
        }
        SimDuration::from_micros(delay)
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
            let Route::Deliver(at) = n.route(SimTime::from_micros(i * 10), p, b, 100) else {
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
        assert_eq!(n.route(SimTime::ZERO, NodeId::Broker(b1), NodeId::Broker(b2), 100), Route::Drop("network cut"));
        assert!(matches!(n.route(SimTime::ZERO, NodeId::Broker(b2), NodeId::Broker(b3), 100), Route::Deliver(_)));
        assert!(
            matches!(
                n.route(SimTime::ZERO, NodeId::Broker(b1), NodeId::Controller(crate::ids::ControllerId(1)), 100),
                Route::Deliver(_)
            ),
            "hosts outside every group are not cut off"
        );
        n.heal();
        assert!(matches!(n.route(SimTime::ZERO, NodeId::Broker(b1), NodeId::Broker(b2), 100), Route::Deliver(_)));
    }

    #[test]
    fn slow_hosts_add_latency() {
        let mut n = Network::new(SimDuration::from_millis(1), SimDuration::ZERO, SimRng::seed_from_u64(1));
        n.set_slow(Host::Broker(BrokerId(2)), SimDuration::from_millis(50));
        let Route::Deliver(at) = n.route(SimTime::ZERO, NodeId::Broker(BrokerId(1)), NodeId::Broker(BrokerId(2)), 100)
        else {
            panic!()
        };
        assert_eq!(at, SimTime::from_millis(51));
    }

    fn deliver(n: &mut Network, at: SimTime, from: NodeId, to: NodeId, size: u32) -> SimTime {
        match n.route(at, from, to, size) {
            Route::Deliver(t) => t,
            Route::Drop(why) => panic!("dropped: {why}"),
        }
    }

    #[test]
    fn bandwidth_delays_by_size_and_queues_messages() {
        let mut n = Network::new(SimDuration::from_millis(1), SimDuration::ZERO, SimRng::seed_from_u64(1));
        let (b1, b3) = (NodeId::Broker(BrokerId(1)), NodeId::Broker(BrokerId(3)));
        let limited = LinkConditions { bandwidth_bytes_per_sec: Some(100_000), ..LinkConditions::default() };
        n.set_conditions(LinkKey::Host(Host::Broker(BrokerId(3))), limited);
        // 50,000 bytes at 100,000 B/s: half a second on the wire, then 1 ms latency.
        assert_eq!(deliver(&mut n, SimTime::ZERO, b1, b3, 50_000), SimTime::from_millis(501));
        // The next message waits for the link to be free.
        assert_eq!(deliver(&mut n, SimTime::from_millis(100), b1, b3, 10_000), SimTime::from_millis(601));
        // The other direction has its own queue; other links are unaffected.
        assert_eq!(deliver(&mut n, SimTime::ZERO, b3, b1, 1_000), SimTime::from_millis(11));
        let b2 = NodeId::Broker(BrokerId(2));
        assert_eq!(deliver(&mut n, SimTime::ZERO, b1, b2, 50_000), SimTime::from_millis(1));
        n.set_conditions(LinkKey::Host(Host::Broker(BrokerId(3))), LinkConditions::default());
        assert_eq!(deliver(&mut n, SimTime::from_millis(700), b1, b3, 50_000), SimTime::from_millis(701));
    }

    #[test]
    fn loss_delays_by_retransmission_timeouts_and_is_seeded() {
        let lossy = LinkConditions { loss: 0.5, ..LinkConditions::default() };
        let run = |seed| {
            let mut n = Network::new(SimDuration::from_millis(1), SimDuration::ZERO, SimRng::seed_from_u64(seed));
            n.set_conditions(LinkKey::pair(Host::Broker(BrokerId(1)), Host::Broker(BrokerId(2))), lossy);
            let (b1, b2) = (NodeId::Broker(BrokerId(1)), NodeId::Broker(BrokerId(2)));
            // 100 s apart: longer than any message is held up, so none waits behind another.
            (0..200).map(|i| deliver(&mut n, SimTime::from_millis(i * 100_000), b1, b2, 100)).collect::<Vec<_>>()
        };
        let arrivals = run(7);
        assert_eq!(arrivals, run(7), "same seed, same losses");
        let delays: Vec<u64> =
            arrivals.iter().enumerate().map(|(i, t)| t.as_micros() / 1_000 - i as u64 * 100_000).collect();
        // 1 ms, or 1 + 200, 1 + 200 + 400, ... ms: whole retransmission timeouts.
        let possible: Vec<u64> = (0..=MAX_RETRANSMISSIONS).map(|k| 1 + 200 * ((1 << k) - 1)).collect();
        assert!(delays.iter().all(|d| possible.contains(d)), "{delays:?}");
        let lost_once = delays.iter().filter(|&&d| d > 1).count();
        assert!((70..130).contains(&lost_once), "about half lost at least once: {lost_once}");
    }

    #[test]
    fn conditions_combine_between_two_hosts() {
        let mut n = Network::new(SimDuration::from_millis(1), SimDuration::ZERO, SimRng::seed_from_u64(1));
        let (h1, h2) = (Host::Broker(BrokerId(1)), Host::Broker(BrokerId(2)));
        let extra = |ms| LinkConditions { latency: SimDuration::from_millis(ms), ..LinkConditions::default() };
        n.set_conditions(LinkKey::Host(h1), extra(10));
        n.set_conditions(LinkKey::pair(h2, h1), extra(100));
        let (b1, b2, b3) = (NodeId::Broker(BrokerId(1)), NodeId::Broker(BrokerId(2)), NodeId::Broker(BrokerId(3)));
        assert_eq!(deliver(&mut n, SimTime::ZERO, b2, b1, 1), SimTime::from_millis(111));
        assert_eq!(deliver(&mut n, SimTime::ZERO, b3, b1, 1), SimTime::from_millis(11));
        assert_eq!(deliver(&mut n, SimTime::ZERO, b3, b2, 1), SimTime::from_millis(1));
    }

    #[test]
    fn an_isolated_host_is_cut_off_from_everyone_until_restored() {
        let mut n = net();
        let h1 = Host::Broker(BrokerId(1));
        n.set_isolated(h1, true);
        assert!(n.is_cut(h1, Host::Broker(BrokerId(2))));
        n.heal();
        assert!(n.is_cut(h1, Host::Broker(BrokerId(2))), "healing cuts does not revive a dead machine");
        n.set_isolated(h1, false);
        assert!(!n.is_cut(h1, Host::Broker(BrokerId(2))));
    }
}
