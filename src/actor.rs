//! How actors talk to the engine: a [`Ctx`] to push effects into.
//!
//! Brokers, controllers, producers and consumers are pure state machines. A
//! handler receives the current virtual time and a message or timer, updates its
//! own state, and pushes effects — messages to send, timers to set, trace events
//! to emit. It never touches a clock, a socket or a terminal. Only the world's
//! run loop applies effects, which is what makes every run replayable.

mod requests;

use crate::engine::{SimDuration, SimTime};
use crate::ids::NodeId;
use crate::protocol::Message;
use crate::trace::TraceEvent;

pub use requests::InFlightRequests;

pub use crate::client::consumer::ConsumerTimer;
pub use crate::client::producer::ProducerTimer;
pub use crate::cluster::broker::BrokerTimer;
pub use crate::cluster::controller::ControllerTimer;
pub use crate::registry::RegistryTimer;

/// A timer an actor set for itself.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Timer {
    Broker(BrokerTimer),
    Controller(ControllerTimer),
    Producer(ProducerTimer),
    Consumer(ConsumerTimer),
    Registry(RegistryTimer),
}

/// Effects pushed by one handler invocation, applied by the run loop.
#[derive(Clone, Debug, Default)]
pub struct Effects {
    /// Boxed as soon as sent: a message then travels through the queue to
    /// its receiver without being copied (some are 200 bytes).
    pub sends: Vec<(NodeId, NodeId, Box<Message>)>,
    pub timers: Vec<(SimTime, NodeId, Timer)>,
    pub trace: Vec<TraceEvent>,
}

impl Effects {
    pub fn clear(&mut self) {
        self.sends.clear();
        self.timers.clear();
        self.trace.clear();
    }
}

/// The handle a handler gets: who it is, what time it is, and where effects go.
pub struct Ctx<'a> {
    pub now: SimTime,
    pub me: NodeId,
    effects: &'a mut Effects,
}

impl<'a> Ctx<'a> {
    pub fn new(now: SimTime, me: NodeId, effects: &'a mut Effects) -> Self {
        Ctx { now, me, effects }
    }

    /// Sends `message` to `to` through the simulated network.
    pub fn send(&mut self, to: NodeId, message: Message) {
        self.effects.sends.push((self.me, to, Box::new(message)));
    }

    /// Wakes this actor with `timer` after `delay`. Timers cannot be cancelled;
    /// handlers ignore a timer that is no longer relevant, as the state it
    /// guards has moved on.
    pub fn set_timer(&mut self, delay: SimDuration, timer: Timer) {
        self.effects.timers.push((self.now + delay, self.me, timer));
    }

    pub fn trace(&mut self, event: TraceEvent) {
        self.effects.trace.push(event);
    }
}

/// An actor's single pending wake-up: "run again at `t`" without piling up
/// timers. Asking for an earlier time sets a new timer; the one it replaces
/// still fires, but finds itself superseded and changes nothing.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct WakeUp {
    pending: Option<SimTime>,
}

impl WakeUp {
    /// The delay of the timer to set so the actor wakes at `at`, or `None`
    /// when a wake-up at or before `at` is already pending.
    pub fn request(&mut self, now: SimTime, at: SimTime) -> Option<SimDuration> {
        if at <= now || self.pending.is_some_and(|p| p <= at && p > now) {
            return None;
        }
        self.pending = Some(at);
        Some(at.saturating_sub(now))
    }

    /// The wake-up timer set for `at` fired.
    pub fn fired(&mut self, at: SimTime) {
        if self.pending == Some(at) {
            self.pending = None;
        }
    }

    pub fn clear(&mut self) {
        self.pending = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn superseded_wake_ups_do_not_multiply() {
        let t = SimTime::from_micros;
        let mut wake = WakeUp::default();
        assert_eq!(wake.request(t(0), t(100)), Some(SimDuration::from_micros(100)));
        assert_eq!(wake.request(t(0), t(150)), None, "a pending earlier wake-up covers it");
        assert_eq!(wake.request(t(10), t(50)), Some(SimDuration::from_micros(40)), "earlier: a new timer");
        wake.fired(t(50));
        assert_eq!(wake.request(t(50), t(100)), Some(SimDuration::from_micros(50)));
        // The timer for 100 set first fires now: it is the pending one again.
        wake.fired(t(100));
        assert_eq!(wake.request(t(100), t(120)), Some(SimDuration::from_micros(20)));
        wake.fired(t(100));
        assert_eq!(wake.request(t(100), t(130)), None, "a stale timer does not clear the pending one");
    }
}
