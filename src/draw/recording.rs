//! What a picture is drawn from: one run of the scenario up to the end of
//! the picture's window, read the way the terminal UI reads it. The trace
//! gives the moments things changed (leaders, ISRs, faults, assignments)
//! and counts records as they are acknowledged and consumed; copies of the
//! partition table taken at evenly spaced times give the high watermark and
//! log end curves; the world as it stands at the end of the window gives
//! logs and committed offsets.

use std::collections::BTreeMap;

use crate::engine::SimTime;
use crate::ids::{ClientIdx, Host, Names, TopicPartition};
use crate::scenario::Scenario;
use crate::trace::sink::TraceSink;
use crate::trace::{Level, TraceEvent, TracedEvent};
use crate::world::{BuildOptions, World};

/// Partition tables kept over a window: enough for a smooth curve at the
/// width pictures are drawn, few enough for runs of days.
const SAMPLES: u64 = 240;

/// A partition's leadership at a moment: the controller's view.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Leadership {
    pub leader: Option<i32>,
    pub leader_epoch: i32,
    pub isr: Vec<i32>,
}

/// A partition's offsets at a moment (its leader's log).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Offsets {
    pub log_start_offset: i64,
    pub high_watermark: i64,
    pub log_end_offset: i64,
}

/// A fault or a change to the network at a moment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fault {
    pub at: SimTime,
    pub what: String,
}

/// Something a group's member did, as the trace tells it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MemberChange {
    /// Joined a generation (waits for its assignment).
    Joined { generation: i32 },
    /// Its assignment arrived: what it owns from now on.
    Assigned { generation: i32, assignment: Vec<TopicPartition> },
    /// It gave partitions up (`eager`: all of them, before the join).
    Revoked { partitions: Vec<TopicPartition> },
    /// It left, crashed or failed: it owns nothing and takes no part.
    Gone { why: String },
}

/// A run, read for pictures.
pub struct Recording {
    pub scenario: std::sync::Arc<Scenario>,
    pub names: std::sync::Arc<Names>,
    pub from: SimTime,
    pub to: SimTime,
    /// Every partition of the scenario, in order, with its replicas.
    pub partitions: Vec<(TopicPartition, Vec<i32>)>,
    /// Per partition, its leadership from t=0, then at each change.
    pub leadership: BTreeMap<TopicPartition, Vec<(SimTime, Leadership)>>,
    /// Per partition, its offsets at evenly spaced times in the window.
    pub offsets: BTreeMap<TopicPartition, Vec<(SimTime, Offsets)>>,
    pub faults: Vec<Fault>,
    /// Per group, its members' changes in time order.
    pub members: BTreeMap<String, Vec<(SimTime, ClientIdx, MemberChange)>>,
    /// Per group, when each generation started, and its assignor.
    pub generations: BTreeMap<String, Vec<(SimTime, i32, String)>>,
    /// Records acknowledged per producer and partition, up to `to`.
    pub acknowledged: BTreeMap<(ClientIdx, TopicPartition), u64>,
    /// Records handed to the application per consumer and partition, up to `to`.
    pub consumed: BTreeMap<(ClientIdx, TopicPartition), u64>,
    /// The world at `to`.
    pub world: World,
}

/// Simulates `scenario` up to `to`, keeping what pictures of the window
/// `from..=to` need. `to` must lie within the run (the caller checks).
pub fn record(scenario: Scenario, seed: Option<u64>, from: SimTime, to: SimTime) -> Result<Recording, String> {
    let mut world = World::new(scenario, BuildOptions { seed, check_invariants: false });
    let mut collector = Collector::default();
    for view in world.partition_views() {
        let state = view.state;
        let first = Leadership {
            leader: state.leader.map(|b| b.0),
            leader_epoch: state.leader_epoch,
            isr: state.isr.iter().map(|b| b.0).collect(),
        };
        collector.leadership.insert(view.tp, vec![(SimTime::ZERO, first)]);
    }
    let mut offsets: BTreeMap<TopicPartition, Vec<(SimTime, Offsets)>> = BTreeMap::new();
    let span = to.as_micros().saturating_sub(from.as_micros());
    for i in 0..=SAMPLES {
        let at = SimTime::from_micros(from.as_micros() + span * i / SAMPLES);
        world.run_until(at, &mut collector).map_err(|e| e.to_string())?;
        for view in world.partition_views() {
            let Some(log) = view.log else { continue };
            let now = Offsets {
                log_start_offset: log.log_start_offset(),
                high_watermark: log.high_watermark(),
                log_end_offset: log.log_end_offset(),
            };
            offsets.entry(view.tp).or_default().push((at, now));
        }
    }
    // Every partition at the end of the window: topics created during the
    // run are there too (their leadership starts when they were created).
    let partitions: Vec<(TopicPartition, Vec<i32>)> =
        world.partition_views().iter().map(|v| (v.tp, v.state.replicas.iter().map(|b| b.0).collect())).collect();
    Ok(Recording {
        scenario: world.scenario.clone(),
        names: world.names.clone(),
        from,
        to,
        partitions,
        leadership: collector.leadership,
        offsets,
        faults: collector.faults,
        members: collector.members,
        generations: collector.generations,
        acknowledged: collector.acknowledged,
        consumed: collector.consumed,
        world,
    })
}

/// The trace sink that keeps what pictures need and counts the rest.
#[derive(Default)]
struct Collector {
    leadership: BTreeMap<TopicPartition, Vec<(SimTime, Leadership)>>,
    faults: Vec<Fault>,
    members: BTreeMap<String, Vec<(SimTime, ClientIdx, MemberChange)>>,
    generations: BTreeMap<String, Vec<(SimTime, i32, String)>>,
    acknowledged: BTreeMap<(ClientIdx, TopicPartition), u64>,
    consumed: BTreeMap<(ClientIdx, TopicPartition), u64>,
    /// Each consumer's group, learned when it joins.
    group_of: BTreeMap<ClientIdx, String>,
}

impl Collector {
    fn member(&mut self, at: SimTime, consumer: ClientIdx, group: &str, change: MemberChange) {
        self.group_of.insert(consumer, group.to_string());
        self.members.entry(group.to_string()).or_default().push((at, consumer, change));
    }

    fn gone(&mut self, at: SimTime, consumer: ClientIdx, why: &str) {
        if let Some(group) = self.group_of.get(&consumer).cloned() {
            self.member(at, consumer, &group, MemberChange::Gone { why: why.to_string() });
        }
    }
}

/// Whether a timeline action changes the network (cuts, heals, slow links).
fn is_network_fault(text: &str) -> bool {
    ["network", "heal", "slowed", "fast again", "link"].iter().any(|w| text.contains(w))
}

impl TraceSink for Collector {
    fn wants(&self, level: Level) -> bool {
        level <= Level::Detail
    }

    fn record(&mut self, traced: &TracedEvent, names: &Names) {
        let at = traced.time;
        match &traced.event {
            TraceEvent::TopicCreated { topic, replicas, .. } => {
                for (p, replicas) in replicas.iter().enumerate() {
                    let first = Leadership {
                        leader: replicas.first().map(|b| b.0),
                        leader_epoch: 0,
                        isr: replicas.iter().map(|b| b.0).collect(),
                    };
                    self.leadership.insert(TopicPartition::new(*topic, p as u32), vec![(at, first)]);
                }
            }
            TraceEvent::LeaderChange { tp, leader, leader_epoch, isr, .. } => {
                let now = Leadership {
                    leader: leader.map(|b| b.0),
                    leader_epoch: *leader_epoch,
                    isr: isr.iter().map(|b| b.0).collect(),
                };
                self.leadership.entry(*tp).or_default().push((at, now));
            }
            TraceEvent::IsrChange { tp, isr, .. } => {
                let changes = self.leadership.entry(*tp).or_default();
                let mut now = changes
                    .last()
                    .map_or(Leadership { leader: None, leader_epoch: 0, isr: Vec::new() }, |(_, l)| l.clone());
                now.isr = isr.iter().map(|b| b.0).collect();
                changes.push((at, now));
            }
            TraceEvent::HostState { host, state } => {
                let who = names.host(*host);
                let short = state.split(':').next().unwrap_or(state).to_string();
                match host {
                    Host::Consumer(c) => self.gone_or_back(at, *c, &short),
                    _ => self.faults.push(Fault { at, what: format!("{who} {short}") }),
                }
            }
            TraceEvent::Action { text } if is_network_fault(text) => {
                self.faults.push(Fault { at, what: text.split(':').next().unwrap_or(text).to_string() });
            }
            TraceEvent::Action { text } if text.contains("stopped cleanly") => {
                let name = text.split(" is stopped").next().unwrap_or_default();
                if let Some(i) = names.consumers.iter().position(|c| c == name) {
                    self.gone(at, ClientIdx(i as u32), "stopped");
                }
            }
            TraceEvent::GenerationStarted { group, generation, protocol, .. } => {
                let assignor = protocol.map_or("-".to_string(), |p| p.name().to_string());
                self.generations.entry(group.clone()).or_default().push((at, *generation, assignor));
            }
            TraceEvent::Joined { consumer, group, generation, .. } => {
                self.member(at, *consumer, group, MemberChange::Joined { generation: *generation });
            }
            TraceEvent::Assigned { consumer, group, generation, assignment, .. } => {
                let change = MemberChange::Assigned { generation: *generation, assignment: assignment.clone() };
                self.member(at, *consumer, group, change);
            }
            TraceEvent::Revoked { consumer, group, partitions, .. } => {
                self.member(at, *consumer, group, MemberChange::Revoked { partitions: partitions.clone() });
            }
            TraceEvent::LeftGroup { consumer, .. } => self.gone(at, *consumer, "left"),
            TraceEvent::ClientFailed { consumer, exception, .. } => self.gone(at, *consumer, exception),
            TraceEvent::Acknowledged { producer, tp, batch, .. } => {
                *self.acknowledged.entry((*producer, *tp)).or_default() += batch.records().len() as u64;
            }
            TraceEvent::Consumed { consumer, tp, batch, from_offset, to_offset } => {
                let count = batch.records().filter(|(o, _)| o >= from_offset && o < to_offset).count();
                *self.consumed.entry((*consumer, *tp)).or_default() += count as u64;
            }
            _ => {}
        }
    }
}

impl Collector {
    /// A consumer's process crashed or was killed (it is gone), or restarted.
    fn gone_or_back(&mut self, at: SimTime, consumer: ClientIdx, state: &str) {
        if !state.starts_with("restarts") {
            self.gone(at, consumer, state);
        }
    }
}
