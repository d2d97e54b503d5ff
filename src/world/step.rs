//! One engine step: pop the earliest event, hand it to its actor, apply the
//! effects, record the trace, check the invariants.

use std::fmt;

use super::{Event, LiveResponse, World};
use crate::actor::{Ctx, Timer};
use crate::check::group_invariants;
use crate::cluster::broker::Broker;
use crate::engine::{SimTime, Watch};
use crate::ids::{BrokerId, Host, NodeId};
use crate::net::Route;
use crate::protocol::Message;
use crate::trace::{Level, TraceEvent, TraceSink, TracedEvent};

/// What a step did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StepResult {
    /// An event was handled; more may follow.
    Progress,
    /// The run reached its end.
    Finished,
}

/// A run that cannot continue.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SimError {
    /// The scenario hit `limits.max_events`; `busiest` says what its last
    /// events were, with how many of each.
    EventLimit { limit: u64, at: SimTime, busiest: Vec<(String, u64)> },
    /// Virtual time stopped advancing: `events` happened at the instant `at`.
    NoProgress { at: SimTime, events: u64, busiest: Vec<(String, u64)> },
    /// The simulator broke one of Kafka's invariants: a bug in kafkasim.
    Invariant {
        message: String,
        step: u64,
        at: SimTime,
        seed: u64,
        /// The scenario's file or built-in name, for the command that replays it.
        scenario: String,
    },
}

impl fmt::Display for SimError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SimError::EventLimit { limit, at, busiest } => write!(
                f,
                "the run stopped at t={at} after {limit} events (limits.max_events); its last events were mostly:\n{}\
                 raise `limits: {{ max_events: N }}` in the scenario, or shorten it",
                list(busiest)
            ),
            SimError::NoProgress { at, events, busiest } => write!(
                f,
                "virtual time stopped advancing at t={at}: {events} events happened at that one instant, mostly:\n{}\
                 Something is answered at once and asked again at once, so the clock never moves. Give the network \
                 a latency (`network: {{ latency: 1ms }}`), or the zero wait in this loop a positive value \
                 (such as fetch.max.wait.ms or replica.fetch.wait.max.ms).",
                list(busiest)
            ),
            SimError::Invariant { message, step, at, seed, scenario } => write!(
                f,
                "invariant violated at t={at}, event #{step} (seed {seed}): {message}
\
                 This is a bug in kafkasim. Replay it with: kafkasim run {scenario} --seed {seed} --check -vv"
            ),
        }
    }
}

impl std::error::Error for SimError {}

/// `  broker 1 → controller 1: Fetch ×9000` lines.
fn list(busiest: &[(String, u64)]) -> String {
    busiest.iter().map(|(what, count)| format!("  {what} ×{count}\n")).collect()
}

/// Kinds of event a stopped run names.
const BUSIEST: usize = 4;

/// The brokers one event may have changed.
enum Touched {
    Broker(BrokerId),
    NoBroker,
    All,
}

impl World {
    fn host_status(&self, host: Host) -> (bool, u32) {
        self.hosts.get(&host).map_or((false, 0), |s| (s.alive, s.incarnation))
    }

    /// Handles the next event.
    pub fn step(&mut self, sink: &mut dyn TraceSink) -> Result<StepResult, SimError> {
        if self.finished {
            return Ok(StepResult::Finished);
        }
        let Some((time, event)) = self.queue.pop() else {
            self.finished = true;
            return Ok(StepResult::Finished);
        };
        self.now = time;
        self.steps += 1;
        let steps_left = self.scenario.limits.max_events.saturating_sub(self.steps);
        match self.watchdog.observe(time, steps_left) {
            Watch::Fine => {}
            Watch::Sample => {
                let what = self.describe(&event);
                self.watchdog.sample(what);
            }
            Watch::Stalled => {
                self.finished = true;
                let events = self.watchdog.events_at_instant() - 1;
                return Err(SimError::NoProgress { at: time, events, busiest: self.watchdog.busiest(BUSIEST) });
            }
        }
        if self.steps > self.scenario.limits.max_events {
            self.finished = true;
            let (limit, busiest) = (self.scenario.limits.max_events, self.watchdog.busiest(BUSIEST));
            return Err(SimError::EventLimit { limit, at: time, busiest });
        }
        // Which brokers' state the event can change (for the invariant check).
        let touched = match &event {
            Event::Deliver { to: NodeId::Broker(b), .. } | Event::Timer { node: NodeId::Broker(b), .. } => {
                Touched::Broker(*b)
            }
            Event::Deliver { .. } | Event::Timer { .. } | Event::Expect(_) => Touched::NoBroker,
            Event::Action(_) | Event::ControllerElection(_) | Event::End => Touched::All,
        };
        match event {
            Event::Deliver { from, to, from_incarnation, to_incarnation, message } => {
                self.deliver(from, to, from_incarnation, to_incarnation, *message);
            }
            Event::Timer { node, incarnation, timer } => {
                if self.host_status(node.host()) == (true, incarnation) {
                    self.dispatch_timer(node, timer);
                }
            }
            Event::Action(i) => {
                let action = self.actions[i].action.clone();
                self.apply_action(&action);
            }
            Event::Expect(i) => self.evaluate_expectation(i),
            Event::ControllerElection(candidate) => self.finish_controller_election(candidate),
            Event::End => {
                for i in 0..self.results.len() {
                    if self.scenario.expectations[i].at.is_none() {
                        self.evaluate_expectation(i);
                    }
                }
                self.finished = true;
            }
        }
        if !self.stream_threads.is_empty() {
            self.run_stream_threads();
        }
        if !self.pipelines.is_empty() {
            self.run_pipelines();
        }
        let group_events = self.flush_effects(sink);
        let groups = if self.checker.is_some() && group_events { self.verify_groups() } else { Ok(()) };
        let brokers: &[Broker] = match touched {
            Touched::All => &self.brokers,
            Touched::Broker(b) => self.brokers.get((b.0 - 1) as usize..b.0 as usize).unwrap_or_default(),
            Touched::NoBroker => &[],
        };
        let verdict = match &mut self.checker {
            Some(checker) => checker
                .check(brokers, &self.names)
                .and(groups)
                .and_then(|()| if self.finished { self.verify_committed() } else { Ok(()) }),
            None => Ok(()),
        };
        if let Err(message) = verdict {
            self.finished = true;
            return Err(SimError::Invariant {
                message,
                step: self.steps,
                at: self.now,
                seed: self.scenario.seed,
                scenario: self.scenario.source.name.trim_end_matches(" (built-in)").to_string(),
            });
        }
        Ok(if self.finished { StepResult::Finished } else { StepResult::Progress })
    }

    /// An event in a few words, for the watchdog's report.
    fn describe(&self, event: &Event) -> String {
        match event {
            Event::Deliver { from, to, message, .. } => {
                format!("{} → {}: {}", self.names.node(*from), self.names.node(*to), message.api_name())
            }
            Event::Timer { node, timer, .. } => {
                let timer = format!("{timer:?}");
                // `Broker(LogCleaner)` reads as `LogCleaner`.
                let inner =
                    timer.split_once('(').map_or(timer.as_str(), |(_, rest)| rest.strip_suffix(')').unwrap_or(rest));
                format!("{}: timer {inner}", self.names.node(*node))
            }
            Event::Action(_) => "a timeline action".to_string(),
            Event::Expect(_) => "an expectation".to_string(),
            Event::ControllerElection(c) => format!("controller {} election", c.0),
            Event::End => "the end of the run".to_string(),
        }
    }

    /// At the end of the run: no committed record was lost (see `check::committed`).
    fn verify_groups(&self) -> Result<(), String> {
        let is_fenced = |group: &str, member_id: &str| {
            self.brokers
                .iter()
                .any(|b| b.coordinator.groups.get(group).is_some_and(|g| g.fenced.contains_key(member_id)))
        };
        group_invariants::one_owner_per_generation(
            group_invariants::ownerships(&self.consumers, is_fenced),
            &self.names,
        )?;
        group_invariants::committed_within_log(
            group_invariants::coordinator_offsets(&self.brokers),
            |tp| self.partition_view(tp).and_then(|v| v.log).map(|l| l.log_end_offset()),
            |tp| self.ledger.unclean_elections.iter().any(|(t, _)| *t == tp),
            &self.names,
        )
    }

    fn verify_committed(&self) -> Result<(), String> {
        let Some(checker) = &self.checker else {
            return Ok(());
        };
        let views = self.partition_views();
        let final_logs = views.iter().filter_map(|v| v.log.map(|l| (v.tp, l))).collect();
        checker.committed.verify(&final_logs, &self.names)
    }

    /// Runs to the end.
    pub fn run(&mut self, sink: &mut dyn TraceSink) -> Result<(), SimError> {
        let result = loop {
            match self.step(sink) {
                Ok(StepResult::Progress) => {}
                Ok(StepResult::Finished) => break Ok(()),
                Err(e) => break Err(e),
            }
        };
        sink.finish();
        result
    }

    /// Runs every event up to and including `time`.
    pub fn run_until(&mut self, time: SimTime, sink: &mut dyn TraceSink) -> Result<(), SimError> {
        while !self.finished && self.queue.peek_time().is_some_and(|t| t <= time) {
            self.step(sink)?;
        }
        Ok(())
    }

    /// The time of the next event, if any.
    pub fn next_event_time(&self) -> Option<SimTime> {
        if self.finished { None } else { self.queue.peek_time() }
    }

    fn deliver(&mut self, from: NodeId, to: NodeId, from_incarnation: u32, to_incarnation: u32, message: Message) {
        let (to_alive, to_now) = self.host_status(to.host());
        let (_, from_now) = self.host_status(from.host());
        if !to_alive || to_now != to_incarnation {
            // The receiver's process died while the message was on its way: the
            // connection is reset and the sender of a request is told so.
            self.effects.trace.push(TraceEvent::MessageDropped {
                from,
                to,
                api: message.api_name(),
                reason: "receiver is down",
            });
            // A cut hides the reset: the sender hears nothing.
            if message.is_request() && from_now == from_incarnation && !self.network.is_cut(from.host(), to.host()) {
                self.notify_disconnected(to, from, &message);
            }
            return;
        }
        if from_now != from_incarnation {
            return; // sent by an earlier life of a process that has restarted
        }
        self.trace_response_errors(to, from, &message);
        if let Message::ProduceRequest(r) = &message
            && r.acks == crate::protocol::Acks::None
        {
            self.acknowledge_bytes(to, from, r.correlation_id);
        }
        self.dispatch_message(to, from, message);
    }

    /// A client was answered with error codes: each goes into the trace, so
    /// the errors a client saw can be told and checked. Produce errors are
    /// traced by the producer itself (`ProduceFailed`), with what it does next.
    /// Simplification: a response that arrives after its request timed out
    /// is traced too, though Kafka's client, having closed the connection,
    /// never reads it.
    fn trace_response_errors(&mut self, to: NodeId, from: NodeId, message: &Message) {
        if !matches!(to, NodeId::Producer(_) | NodeId::Consumer(_) | NodeId::Admin)
            || matches!(message, Message::ProduceResponse(_))
        {
            return;
        }
        for e in message.response_errors() {
            self.effects.trace.push(TraceEvent::ErrorResponse {
                client: to,
                from,
                api: message.api_name(),
                error: e.error,
                partitions: e.partitions,
            });
        }
    }

    /// The receiving host's TCP stack acknowledges an acks=0 request: its
    /// bytes leave the sender's socket buffer once the ACK is back.
    fn acknowledge_bytes(&mut self, receiver: NodeId, sender: NodeId, correlation_id: crate::protocol::CorrelationId) {
        let message = Box::new(Message::TcpAck { correlation_id });
        let (_, receiver_incarnation) = self.host_status(receiver.host());
        let (_, sender_incarnation) = self.host_status(sender.host());
        if let Route::Deliver(at) = self.network.route(self.now, receiver, sender, 0) {
            self.queue.push(
                at,
                Event::Deliver {
                    from: receiver,
                    to: sender,
                    from_incarnation: receiver_incarnation,
                    to_incarnation: sender_incarnation,
                    message,
                },
            );
        }
    }

    /// Tells `sender` its request to `peer` could not be delivered.
    fn notify_disconnected(&mut self, peer: NodeId, sender: NodeId, message: &Message) {
        let notice =
            Message::Disconnected { correlation_id: message.request_correlation_id(), api: message.api_name() };
        let (_, sender_incarnation) = self.host_status(sender.host());
        let (_, peer_incarnation) = self.host_status(peer.host());
        let at = self.now + self.network.latency;
        self.queue.push(
            at,
            Event::Deliver {
                from: peer,
                to: sender,
                from_incarnation: peer_incarnation,
                to_incarnation: sender_incarnation,
                message: Box::new(notice),
            },
        );
    }

    pub(super) fn dispatch_message(&mut self, to: NodeId, from: NodeId, message: Message) {
        let mut ctx = Ctx::new(self.now, to, &mut self.effects);
        match to {
            NodeId::Broker(b) => {
                if let Some(broker) = self.brokers.get_mut((b.0 - 1) as usize) {
                    broker.on_message(&mut ctx, from, message);
                }
            }
            NodeId::Controller(_) => self.controller.on_message(&mut ctx, from, message),
            NodeId::Producer(p) => {
                if let Some(producer) = self.producers.get_mut(p.0 as usize) {
                    producer.on_message(&mut ctx, from, message);
                }
            }
            NodeId::Consumer(c) => {
                if let Some(consumer) = self.consumers.get_mut(c.0 as usize) {
                    consumer.on_message(&mut ctx, from, message);
                }
            }
            NodeId::SchemaRegistry => {
                if let Some(registry) = self.registry.as_mut() {
                    registry.on_message(&mut ctx, from, message);
                }
            }
            // A real client's answer leaves the engine here, for the live
            // gateway to encode and write to its socket.
            NodeId::LiveClient(connection) => {
                self.live_outbox.push(LiveResponse { connection, from, message });
            }
            // The admin client's answers are told by the controller's own
            // trace (topic created or refused) and by `trace_response_errors`.
            NodeId::Admin => {}
        }
    }

    fn dispatch_timer(&mut self, node: NodeId, timer: Timer) {
        let mut ctx = Ctx::new(self.now, node, &mut self.effects);
        match (node, timer) {
            (NodeId::Broker(b), Timer::Broker(t)) => {
                if let Some(broker) = self.brokers.get_mut((b.0 - 1) as usize) {
                    broker.on_timer(&mut ctx, t);
                }
            }
            (NodeId::Controller(_), Timer::Controller(t)) => self.controller.on_timer(&mut ctx, t),
            (NodeId::Producer(p), Timer::Producer(t)) => {
                if let Some(producer) = self.producers.get_mut(p.0 as usize) {
                    producer.on_timer(&mut ctx, t);
                }
            }
            (NodeId::Consumer(c), Timer::Consumer(t)) => {
                if let Some(consumer) = self.consumers.get_mut(c.0 as usize) {
                    consumer.on_timer(&mut ctx, t);
                }
            }
            (NodeId::SchemaRegistry, Timer::Registry(t)) => {
                if let Some(registry) = self.registry.as_mut() {
                    registry.on_timer(&mut ctx, t);
                }
            }
            _ => {}
        }
    }

    /// Applies what the last handler asked for: sends go through the network,
    /// timers into the queue, trace events to the ledger and the sink.
    /// Applies the effects of the last event; returns whether any trace event
    /// could change a group invariant (ownership, generations, commits, logs).
    pub(super) fn flush_effects(&mut self, sink: &mut dyn TraceSink) -> bool {
        if self.names.topics.len() < self.controller.image.topics.len() {
            self.follow_created_topics();
        }
        let wants_debug = sink.wants(Level::Debug);
        self.route_sends(wants_debug);
        // Drained and handed back, so the buffers keep their room from event to event.
        let mut timers = std::mem::take(&mut self.effects.timers);
        for (at, node, timer) in timers.drain(..) {
            let (_, incarnation) = self.host_status(node.host());
            self.queue.push(at, Event::Timer { node, incarnation, timer });
        }
        debug_assert!(self.effects.timers.is_empty(), "nothing adds timers while they are applied");
        self.effects.timers = timers;
        let mut trace = std::mem::take(&mut self.effects.trace);
        let mut group_events = false;
        for event in trace.drain(..) {
            group_events |= matches!(
                event,
                TraceEvent::Assigned { .. }
                    | TraceEvent::Joined { .. }
                    | TraceEvent::OffsetsCommitted { .. }
                    | TraceEvent::Truncated { .. }
                    | TraceEvent::LeaderChange { .. }
                    | TraceEvent::MemberReplaced { .. }
                    | TraceEvent::Compacted { .. }
            );
            self.ledger.observe(&event);
            self.tally.observe(self.now, &event);
            if let Some(checker) = &mut self.checker {
                checker.committed.observe(&event, &self.brokers);
            }
            if sink.wants(event.level_among(&self.names)) {
                sink.record(&TracedEvent { time: self.now, step: self.steps, event }, &self.names);
            }
        }
        debug_assert!(self.effects.trace.is_empty(), "nothing adds trace while they are applied");
        self.effects.trace = trace;
        group_events
    }

    fn route_sends(&mut self, trace_sends: bool) {
        let mut sends = std::mem::take(&mut self.effects.sends);
        for (from, to, message) in sends.drain(..) {
            self.route(from, to, message, trace_sends);
        }
        debug_assert!(self.effects.sends.is_empty(), "nothing adds sends while they are applied");
        self.effects.sends = sends;
    }

    /// Puts the messages produced so far on the network now (before a host
    /// goes down).
    pub(super) fn send_pending_messages(&mut self) {
        self.route_sends(true);
    }

    fn route(&mut self, from: NodeId, to: NodeId, message: Box<Message>, trace_sends: bool) {
        let (from_alive, from_incarnation) = self.host_status(from.host());
        if !from_alive {
            return;
        }
        let (to_alive, to_incarnation) = self.host_status(to.host());
        if !to_alive {
            // Connection refused: nothing listens on the peer's port.
            self.effects.trace.push(TraceEvent::MessageDropped {
                from,
                to,
                api: message.api_name(),
                reason: "receiver is down",
            });
            if message.is_request() && !self.network.is_cut(from.host(), to.host()) {
                self.notify_disconnected(to, from, &message);
            }
            return;
        }
        if trace_sends {
            self.effects.trace.push(TraceEvent::MessageSent { from, to, api: message.api_name() });
        }
        let size_bytes = message.wire_size_bytes();
        match self.network.route(self.now, from, to, size_bytes) {
            Route::Deliver(at) => {
                self.queue.push(at, Event::Deliver { from, to, from_incarnation, to_incarnation, message });
            }
            Route::Drop(reason) => {
                self.effects.trace.push(TraceEvent::MessageDropped { from, to, api: message.api_name(), reason })
            }
        }
    }
}
