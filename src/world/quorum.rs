//! Which controller is active. The controllers' Raft quorum is not modelled
//! message by message; its outcome is: a controller can lead only while it is
//! alive and reaches a majority of the controllers (itself included). When the
//! active one cannot, the lowest-numbered controller that can takes over after
//! `controller.quorum.election.timeout.ms`.

use super::{Event, World};
use crate::actor::Ctx;
use crate::cluster::controller::ELECTION_TIMEOUT_MS;
use crate::engine::SimDuration;
use crate::ids::{ControllerId, Host, NodeId};
use crate::trace::TraceEvent;

impl World {
    /// Whether `candidate` is alive and reaches a majority of the controllers.
    fn has_quorum(&self, candidate: ControllerId) -> bool {
        let host = Host::Controller(candidate);
        if !self.is_alive(host) {
            return false;
        }
        let reachable = self
            .controller_nodes
            .iter()
            .filter(|&&c| {
                let other = Host::Controller(c);
                self.is_alive(other) && !self.network.is_cut(host, other)
            })
            .count();
        reachable * 2 > self.controller_nodes.len()
    }

    /// After a kill, restart, cut or heal: if the active controller lost its
    /// quorum, step it down and schedule an election.
    pub(super) fn reconsider_controller(&mut self) {
        if let Some(active) = self.controller.active {
            if self.has_quorum(active) {
                return;
            }
            self.controller.lose_quorum();
            // A dead process did not lose anything: it is gone. Only a live
            // one cut off from the majority loses its quorum.
            let text = if self.is_alive(Host::Controller(active)) {
                format!("controller {active} lost its quorum and stops acting as the active controller")
            } else {
                format!("controller {active} is down: there is no active controller until the others elect one")
            };
            self.effects.trace.push(TraceEvent::Action { text });
        }
        if let Some(candidate) = self.controller_nodes.iter().copied().find(|&c| self.has_quorum(c)) {
            self.queue
                .push(self.now + SimDuration::from_millis(ELECTION_TIMEOUT_MS), Event::ControllerElection(candidate));
        } else {
            self.effects.trace.push(TraceEvent::Action {
                text: "no controller reaches a majority of the controllers: no leader changes until one does"
                    .to_string(),
            });
        }
    }

    pub(super) fn finish_controller_election(&mut self, candidate: ControllerId) {
        if self.controller.active.is_some() || !self.has_quorum(candidate) {
            return;
        }
        let mut ctx = Ctx::new(self.now, NodeId::Controller(candidate), &mut self.effects);
        self.controller.become_active(&mut ctx, candidate);
    }
}
