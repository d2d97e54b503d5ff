//! The simulated world: every broker, controller, producer and consumer, the
//! network between them, and the run loop that pops events from the queue,
//! dispatches them to actors and applies the effects they return.
//!
//! The world is `Clone`: the TUI steps backwards by restoring an earlier copy
//! and replaying forward, which gives the identical screen because every step
//! is deterministic.

mod actions;
mod build;
mod expectations;
mod groups;
mod live;
mod pipelines;
mod quorum;
mod registry;
mod sandbox;
mod step;
mod stores;
mod streams;
mod topics;
mod view;

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::actor::{Effects, Timer};
use crate::check::invariants::InvariantChecker;
use crate::check::ledger::Ledger;
use crate::check::tally::Tally;
use crate::client::consumer::Consumer;
use crate::client::producer::Producer;
use crate::cluster::broker::Broker;
use crate::cluster::controller::Controller;
use crate::engine::{EventQueue, SimTime};
use crate::ids::{ControllerId, Host, Names, NodeId};
use crate::net::Network;
use crate::protocol::Message;
use crate::scenario::{Scenario, TimedAction};
use crate::trace::report::ExpectationResult;

pub use build::BuildOptions;
pub use expectations::consumer_state;
pub use groups::GroupView;
pub use live::{LiveProducer, LiveResponse};
pub use sandbox::name_like;
pub use step::{SimError, StepResult};
pub use view::PartitionView;

/// Something scheduled to happen.
#[derive(Clone, Debug)]
pub enum Event {
    /// A message arrives. The incarnations say which lives of the two hosts it
    /// belongs to: a message from or to a process that has since restarted is
    /// dropped, as its TCP connection is gone.
    Deliver {
        from: NodeId,
        to: NodeId,
        from_incarnation: u32,
        to_incarnation: u32,
        message: Box<Message>,
    },
    Timer {
        node: NodeId,
        incarnation: u32,
        timer: Timer,
    },
    /// The `i`-th scheduled action (timeline entries and client starts).
    Action(usize),
    /// The `i`-th expectation with a time.
    Expect(usize),
    /// A controller election timed out: `candidate` becomes active if it still can.
    ControllerElection(ControllerId),
    /// The end of the run.
    End,
}

/// Whether a host is up, and which life of it this is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HostStatus {
    pub alive: bool,
    pub incarnation: u32,
}

#[derive(Clone)]
pub struct World {
    pub scenario: Arc<Scenario>,
    pub names: Arc<Names>,
    pub now: SimTime,
    /// Engine events handled so far.
    pub steps: u64,
    pub brokers: Vec<Broker>,
    /// The controller quorum's state machine, hosted on the active controller node.
    pub controller: Controller,
    pub controller_nodes: Vec<ControllerId>,
    pub producers: Vec<Producer>,
    pub consumers: Vec<Consumer>,
    /// The Schema Registry, when the scenario has one.
    pub registry: Option<crate::registry::SchemaRegistry>,
    /// Kafka Streams threads, each driving one consumer and its producers.
    pub stream_threads: Vec<crate::streams::runtime::StreamThread>,
    /// Consume-transform-produce loops, one per application instance.
    pub pipelines: Vec<crate::client::pipeline::PipelineInstance>,
    /// Per application and input partition: the offset after the last
    /// record any of its threads processed, and up to where a replay has
    /// been told (to show what is processed again).
    pub streams_processed: std::collections::BTreeMap<(String, crate::ids::TopicPartition), (i64, i64)>,
    /// Per application: the standby tasks its group leader gave each member
    /// (by member id), and the generation they belong to.
    pub streams_standbys: BTreeMap<String, (i32, BTreeMap<String, Vec<crate::streams::runtime::TaskId>>)>,
    pub network: Network,
    pub hosts: BTreeMap<Host, HostStatus>,
    queue: EventQueue<Event>,
    /// Timeline entries plus the clients' own start times, in time order.
    actions: Arc<Vec<TimedAction>>,
    pub ledger: Ledger,
    /// The counts expectations take from the trace (happenings, errors seen, sends).
    pub tally: Tally,
    /// Per expectation, its result once evaluated.
    pub results: Vec<Option<ExpectationResult>>,
    checker: Option<InvariantChecker>,
    effects: Effects,
    /// Names and numbers of the random streams drawn from the seed.
    pub rng_streams: Vec<(String, u64)>,
    pub finished: bool,
    /// Stops a run whose virtual time stands still.
    watchdog: crate::engine::Watchdog,
    /// The delivery checks look at every record: computed once per step and
    /// producer (the outcome and several expectations ask at the same step).
    delivery_memo: std::cell::RefCell<Vec<(u64, Option<crate::ids::ClientIdx>, crate::check::outcome::Delivery)>>,
    /// Live mode: messages the cluster sent to real clients' connections,
    /// waiting for the gateway to take them (always empty in a scenario run).
    live_outbox: Vec<LiveResponse>,
    /// Live mode: connections opened so far (the next connection's number).
    live_connections: u32,
    /// Live mode: real clients' producers, with their index among the
    /// producers and the next record number of a non-idempotent one.
    live_producers: std::collections::BTreeMap<live::LiveProducer, (crate::ids::ClientIdx, u64)>,
}
