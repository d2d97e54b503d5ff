//! Changing the future of a running world: the TUI's sandbox injects
//! actions (kill a broker, crash a consumer, cut a host off) at the current
//! moment, and can add a consumer copied from an existing one. Everything
//! stays deterministic: the same interventions at the same steps give the
//! same run.

use std::collections::BTreeMap;
use std::sync::Arc;

use super::{Event, HostStatus, World};
use crate::client::consumer::Consumer;
use crate::engine::SimTime;
use crate::ids::{BrokerId, ClientIdx, Host, TopicId};
use crate::scenario::{Action, TimedAction};

impl World {
    /// When an action injected now should happen: the first whole
    /// millisecond after now at which nothing is scheduled yet. An action
    /// there runs before anything scheduled for that moment later — exactly
    /// where a scenario's own timeline entry `at:` that time runs — so a
    /// session saved as a scenario replays the same.
    pub fn intervention_time(&self) -> SimTime {
        let next_ms = self.now.as_micros() / 1_000 + 1;
        (next_ms..next_ms + 10_000)
            .map(|ms| SimTime::from_micros(ms * 1_000))
            .find(|&t| !self.queue.has_event_at(t))
            .unwrap_or(SimTime::from_micros(next_ms * 1_000))
    }

    /// Schedules `action` at `at` (no earlier than now), where a scenario's
    /// own timeline entry `at:` that time would run: after the actions
    /// already scheduled for that moment, before everything else scheduled
    /// for it (expectations, messages, timers). A session saved as a
    /// scenario then replays the same.
    pub fn inject(&mut self, at: SimTime, action: Action) {
        self.delivery_memo.get_mut().clear();
        let actions = Arc::make_mut(&mut self.actions);
        actions.push(TimedAction { at, action });
        let injected = Event::Action(actions.len() - 1);
        // Take every pending event out and put it back in the same order,
        // the new action in its place: order in the queue is the order
        // events were scheduled in, so only scheduling again can put the
        // action before events already waiting at `at`.
        let mut pending = Vec::with_capacity(self.queue.len());
        while let Some(entry) = self.queue.pop() {
            pending.push(entry);
        }
        let place = pending
            .iter()
            .position(|(time, event)| *time > at || (*time == at && !matches!(event, Event::Action(_))))
            .unwrap_or(pending.len());
        pending.insert(place, (at, injected));
        for (time, event) in pending {
            self.queue.push(time, event);
        }
    }

    /// Adds a consumer configured like `template` (same group, topics and
    /// configs) under a fresh name, not started yet. Returns its index.
    pub fn add_consumer_like(&mut self, template: ClientIdx) -> Option<ClientIdx> {
        let mut def = self.scenario.consumers.get(template.0 as usize)?.clone();
        let base = def.name.trim_end_matches(|c: char| c.is_ascii_digit()).to_string();
        let taken = |name: &str| self.names.consumers.iter().chain(&self.names.producers).any(|n| n == name);
        let name = (2..).map(|n| format!("{base}{n}")).find(|n| !taken(n)).expect("some name is free");
        def.name = name.clone();
        def.config.client_id = None;
        def.start = None;
        self.delivery_memo.get_mut().clear();
        let idx = ClientIdx(self.consumers.len() as u32);
        let topic_names: BTreeMap<TopicId, String> =
            self.names.topics.iter().enumerate().map(|(i, t)| (TopicId(i as u32), t.clone())).collect();
        let bootstrap: Vec<BrokerId> = self.brokers.iter().map(|b| b.id).collect();
        self.consumers.push(Consumer::new(idx, &def, topic_names, bootstrap));
        Arc::make_mut(&mut self.scenario).consumers.push(def);
        Arc::make_mut(&mut self.names).consumers.push(name);
        self.hosts.insert(Host::Consumer(idx), HostStatus { alive: false, incarnation: 0 });
        self.ledger.add_consumer_like(template);
        Some(idx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::{HostName, load_str};
    use crate::trace::sink::{NullSink, VecSink};
    use crate::trace::{Level, TraceEvent};
    use crate::world::BuildOptions;

    /// An action injected at a moment where events already wait runs
    /// first, as a timeline entry `at:` that moment would: the producer's
    /// send due at exactly 3 s comes after the kill.
    #[test]
    fn an_injected_action_runs_before_what_waits_at_its_time() {
        let text =
            "name: t\ntopics: [{ name: t, partitions: 1 }]\nproducers: [{ id: p, topic: t, count: 10 }]\nrun: 10s\n";
        let mut world = World::new(load_str("t.yaml", text).expect("loads"), BuildOptions::default());
        let at = SimTime::ZERO + crate::engine::SimDuration::from_secs(3);
        while world.next_event_time().is_some_and(|t| t < at) {
            world.step(&mut NullSink).expect("steps");
        }
        assert_eq!(world.next_event_time(), Some(at), "the producer's send waits at 3s");
        world.inject(at, Action::Kill(HostName::Broker(crate::ids::BrokerId(1))));
        let mut sink = VecSink::new(Level::Story);
        world.step(&mut sink).expect("steps");
        assert!(
            matches!(&sink.events[0].event, TraceEvent::HostState { state, .. } if state.starts_with("is killed")),
            "the kill comes first: {:?}",
            sink.events.iter().map(|e| e.event.kind()).collect::<Vec<_>>()
        );
    }
}
