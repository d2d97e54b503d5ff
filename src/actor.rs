//! How actors talk to the engine: a [`Ctx`] to push effects into.
//!
//! Brokers, controllers, producers and consumers are pure state machines. A
//! handler receives the current virtual time and a message or timer, updates its
//! own state, and pushes effects — messages to send, timers to set, trace events
//! to emit. It never touches a clock, a socket or a terminal. Only the world's
//! run loop applies effects, which is what makes every run replayable.

use crate::engine::{SimDuration, SimTime};
use crate::ids::NodeId;
use crate::protocol::Message;
use crate::trace::TraceEvent;

pub use crate::client::consumer::ConsumerTimer;
pub use crate::client::producer::ProducerTimer;
pub use crate::cluster::broker::BrokerTimer;
pub use crate::cluster::controller::ControllerTimer;

/// A timer an actor set for itself.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Timer {
    Broker(BrokerTimer),
    Controller(ControllerTimer),
    Producer(ProducerTimer),
    Consumer(ConsumerTimer),
}

/// Effects pushed by one handler invocation, applied by the run loop.
#[derive(Clone, Debug, Default)]
pub struct Effects {
    pub sends: Vec<(NodeId, NodeId, Message)>,
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
        self.effects.sends.push((self.me, to, message));
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
