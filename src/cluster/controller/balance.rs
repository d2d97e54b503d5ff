//! When the KRaft controller moves leadership back to preferred replicas
//! (`QuorumController.maybeScheduleNextBalancePartitionLeaders`,
//! `ReplicationControlManager.maybeBalancePartitionLeaders`).
//!
//! - A partition is imbalanced while its leader is not the first replica of
//!   its assignment (or it has no leader).
//! - After every change the controller writes, and when it becomes active: if
//!   some partition is imbalanced, `auto.leader.rebalance.enable` is on and no
//!   check is scheduled, one is scheduled `leader.imbalance.check.interval.seconds`
//!   later (10 ms later when the previous check hit its limit of 1000
//!   elections).
//! - The check runs a preferred-leader election: the preferred replica leads
//!   again where it is in the ISR and unfenced. Whatever is still imbalanced
//!   afterwards gets the next check, an interval later.
//! - `leader.imbalance.per.broker.percentage` is not consulted: only the
//!   ZooKeeper controller compared each broker's share of non-preferred
//!   leaders with it.
//!
//! So the clock starts at the change that took a leadership away (a fencing,
//! say), not at the controller's start, and nothing is checked while every
//! partition is led by its preferred replica.

use crate::actor::{Ctx, Timer};
use crate::engine::SimDuration;
use crate::ids::TopicPartition;

use super::election::{self, ChangeReason};
use super::{Controller, ControllerTimer, MetadataImage, PartitionState};

/// Preferred-leader elections per balance check
/// (`ReplicationControlManager.MAX_ELECTIONS_PER_IMBALANCE`); with more to do,
/// the next check follows at once.
const MAX_ELECTIONS_PER_IMBALANCE: usize = 1_000;
/// The delay of a check that follows at once (`maybeScheduleNextBalancePartitionLeaders`
/// waits 10 ms so other deferred work is not starved).
const IMMEDIATE_BALANCE_DELAY_MS: u64 = 10;

/// KRaft's `ImbalanceSchedule`: whether, and how soon, to schedule the next
/// leader-balance check.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum ImbalanceSchedule {
    /// A check is scheduled.
    Scheduled,
    /// The next check, when one is needed, comes an interval later.
    Deferred,
    /// The last check hit the election limit: the next comes at once.
    Immediately,
}

impl Controller {
    /// `maybeScheduleNextBalancePartitionLeaders`, run after every change the
    /// controller writes: with partitions away from their preferred leader
    /// and no check scheduled, schedule one an interval from now (or at once
    /// after a check that hit its election limit).
    pub(super) fn maybe_schedule_balance(&mut self, ctx: &mut Ctx<'_>) {
        if self.imbalance_schedule == ImbalanceSchedule::Scheduled
            || !self.config.auto_leader_rebalance_enable
            || !self.leaders_imbalanced
        {
            return;
        }
        let delay = match self.imbalance_schedule {
            ImbalanceSchedule::Immediately => SimDuration::from_millis(IMMEDIATE_BALANCE_DELAY_MS),
            _ => SimDuration::from_secs(self.config.leader_imbalance_check_interval_seconds),
        };
        let at = ctx.now + delay;
        self.imbalance_schedule = ImbalanceSchedule::Scheduled;
        self.balance_check_at = Some(at);
        ctx.set_timer(delay, Timer::Controller(ControllerTimer::LeaderImbalanceCheck(at)));
    }

    /// `maybeBalancePartitionLeaders`: a preferred-leader election for the
    /// partitions away from their preferred leader, up to the limit.
    pub(super) fn balance_partition_leaders(&mut self, ctx: &mut Ctx<'_>) {
        let elected = self.elect_preferred(ctx, MAX_ELECTIONS_PER_IMBALANCE, ChangeReason::BalanceCheck);
        self.imbalance_schedule = if elected >= MAX_ELECTIONS_PER_IMBALANCE {
            ImbalanceSchedule::Immediately
        } else {
            ImbalanceSchedule::Deferred
        };
    }

    /// Moves leadership back to preferred replicas
    /// (`kafka-leader-election --election-type PREFERRED`).
    pub fn elect_preferred_leaders(&mut self, ctx: &mut Ctx<'_>) {
        self.elect_preferred(ctx, usize::MAX, ChangeReason::Preferred);
        self.maybe_schedule_balance(ctx);
    }

    /// Elects the preferred replica of up to `max` partitions where it is in
    /// sync and unfenced; returns how many changed leader.
    fn elect_preferred(&mut self, ctx: &mut Ctx<'_>, max: usize, reason: ChangeReason) -> usize {
        let partitions: Vec<(TopicPartition, PartitionState)> =
            self.image.partitions().map(|(tp, s)| (tp, s.clone())).collect();
        let mut elected = 0;
        for (tp, state) in partitions {
            if elected >= max {
                break;
            }
            let change = election::preferred(&state, &self.is_unfenced_fn());
            if let Some(change) = change {
                self.apply_change(ctx, tp, change, reason);
                elected += 1;
            }
        }
        elected
    }
}

/// Whether some partition of `image` is led by another replica than its
/// preferred (first) one, or by none
/// (`ReplicationControlManager.imbalancedPartitions` is not empty).
pub(super) fn leaders_imbalanced(image: &MetadataImage) -> bool {
    image.partitions().any(|(_, state)| state.leader != state.preferred_leader())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::actor::Effects;
    use crate::cluster::metadata::{MetadataRecord, TopicImage};
    use crate::config::{BrokerConfig, TopicConfig};
    use crate::engine::SimTime;
    use crate::ids::{BrokerId, ControllerId, NodeId, TopicId};
    use crate::protocol::{ControllerMessage, Message};

    const ME: ControllerId = ControllerId(1);

    /// Three brokers; topic `foo` with one partition per broker, each led by
    /// its first replica (`QuorumControllerTest.testBalancePartitionLeaders`).
    fn controller() -> Controller {
        let mut records = Vec::new();
        for b in 1..=3 {
            records.push(MetadataRecord::RegisterBroker { broker: BrokerId(b), broker_epoch: 1 });
            records.push(MetadataRecord::UnfenceBroker { broker: BrokerId(b) });
        }
        let partitions = [[1, 2, 3], [2, 3, 1], [3, 1, 2]]
            .iter()
            .map(|r| {
                let replicas: Vec<BrokerId> = r.iter().map(|&b| BrokerId(b)).collect();
                PartitionState {
                    leader: Some(replicas[0]),
                    isr: replicas.clone(),
                    replicas,
                    leader_epoch: 0,
                    partition_epoch: 0,
                }
            })
            .collect();
        let image = TopicImage { name: "foo".into(), config: TopicConfig::default(), internal: false, partitions };
        records.push(MetadataRecord::Topic { topic: TopicId(0), image });
        Controller::new(records, BrokerConfig::default(), crate::engine::RngStreams::new(0).unlisted("placement"))
    }

    fn at(secs: u64) -> SimTime {
        SimTime::ZERO + SimDuration::from_secs(secs)
    }

    /// Runs `f` as the active controller at `now`; returns the balance checks it scheduled.
    fn act(c: &mut Controller, now: SimTime, f: impl FnOnce(&mut Controller, &mut Ctx<'_>)) -> Vec<SimTime> {
        let mut effects = Effects::default();
        f(c, &mut Ctx::new(now, NodeId::Controller(ME), &mut effects));
        effects
            .timers
            .iter()
            .filter_map(|(_, _, t)| match t {
                Timer::Controller(ControllerTimer::LeaderImbalanceCheck(at)) => Some(*at),
                _ => None,
            })
            .collect()
    }

    fn heartbeat(c: &mut Controller, now: SimTime, broker: i32, broker_epoch: i64) -> Vec<SimTime> {
        let metadata_offset = c.log.len() as u64;
        let request = ControllerMessage::BrokerHeartbeatRequest {
            correlation_id: 1,
            broker: BrokerId(broker),
            broker_epoch,
            metadata_offset,
        };
        act(c, now, |c, ctx| c.on_message(ctx, NodeId::Broker(BrokerId(broker)), Message::Controller(request)))
    }

    fn leader(c: &Controller, partition: u32) -> Option<BrokerId> {
        c.image.partition(TopicPartition::new(TopicId(0), partition)).and_then(|p| p.leader)
    }

    #[test]
    fn a_balanced_cluster_schedules_no_check() {
        let mut c = controller();
        assert!(act(&mut c, at(0), |c, ctx| c.become_active(ctx, ME)).is_empty());
        assert!(heartbeat(&mut c, at(2), 1, 1).is_empty());
    }

    /// `QuorumControllerTest.testBalancePartitionLeaders`, on the clock: broker 3
    /// is fenced at 107 s, comes back and rejoins the ISR; the check scheduled
    /// by the fencing, 300 s later at 407 s, gives partition 2 back to it.
    #[test]
    fn the_check_runs_an_interval_after_the_change_that_left_a_partition_imbalanced() {
        let mut c = controller();
        act(&mut c, at(0), |c, ctx| c.become_active(ctx, ME));
        for t in (2..=106).step_by(2) {
            heartbeat(&mut c, at(t), 1, 1);
            heartbeat(&mut c, at(t), 2, 1);
        }
        let scheduled = act(&mut c, at(107), |c, ctx| c.on_timer(ctx, ControllerTimer::SessionCheck));
        assert_eq!(leader(&c, 2), Some(BrokerId(1)), "broker 3 fenced: partition 2 moved to broker 1");
        assert_eq!(scheduled, vec![at(407)], "300 s after the fencing, not at 300 s");
        assert!(heartbeat(&mut c, at(108), 1, 1).is_empty(), "one check is scheduled at a time");

        // Broker 3 registers again, catches up, and partition 2's leader adds it back to the ISR.
        let register = ControllerMessage::BrokerRegistrationRequest { correlation_id: 2, broker: BrokerId(3) };
        act(&mut c, at(150), |c, ctx| c.on_message(ctx, NodeId::Broker(BrokerId(3)), Message::Controller(register)));
        let epoch = c.image.brokers[&BrokerId(3)].broker_epoch;
        heartbeat(&mut c, at(151), 3, epoch);
        assert!(c.image.is_unfenced(BrokerId(3)));
        let state = c.image.partition(TopicPartition::new(TopicId(0), 2)).cloned().expect("partition 2");
        let alter = ControllerMessage::AlterPartitionRequest {
            correlation_id: 3,
            broker: BrokerId(1),
            broker_epoch: 1,
            tp: TopicPartition::new(TopicId(0), 2),
            leader_epoch: state.leader_epoch,
            partition_epoch: state.partition_epoch,
            new_isr: vec![BrokerId(1), BrokerId(2), BrokerId(3)],
        };
        act(&mut c, at(152), |c, ctx| c.on_message(ctx, NodeId::Broker(BrokerId(1)), Message::Controller(alter)));
        assert_eq!(leader(&c, 2), Some(BrokerId(1)), "nothing moves before the check");

        let next = act(&mut c, at(407), |c, ctx| c.on_timer(ctx, ControllerTimer::LeaderImbalanceCheck(at(407))));
        assert_eq!(leader(&c, 2), Some(BrokerId(3)), "the preferred replica leads again");
        assert!(next.is_empty(), "balanced again: no further check");
    }

    /// A check that finds the preferred replica still out of the ISR changes
    /// nothing, and the partition gets the next check an interval later.
    #[test]
    fn a_partition_still_imbalanced_after_a_check_gets_the_next_one() {
        let mut c = controller();
        act(&mut c, at(0), |c, ctx| c.become_active(ctx, ME));
        for t in (2..=106).step_by(2) {
            heartbeat(&mut c, at(t), 1, 1);
            heartbeat(&mut c, at(t), 2, 1);
        }
        act(&mut c, at(107), |c, ctx| c.on_timer(ctx, ControllerTimer::SessionCheck));
        let stale = act(&mut c, at(300), |c, ctx| c.on_timer(ctx, ControllerTimer::LeaderImbalanceCheck(at(300))));
        assert!(stale.is_empty(), "a timer not in force does nothing");
        let next = act(&mut c, at(407), |c, ctx| c.on_timer(ctx, ControllerTimer::LeaderImbalanceCheck(at(407))));
        assert_eq!(leader(&c, 2), Some(BrokerId(1)));
        assert_eq!(next, vec![at(707)]);
    }

    #[test]
    fn without_auto_leader_rebalance_no_check_is_scheduled() {
        let config = BrokerConfig { auto_leader_rebalance_enable: false, ..BrokerConfig::default() };
        let mut c = controller();
        c.config = config;
        act(&mut c, at(0), |c, ctx| c.become_active(ctx, ME));
        for t in (2..=106).step_by(2) {
            heartbeat(&mut c, at(t), 1, 1);
            heartbeat(&mut c, at(t), 2, 1);
        }
        assert!(act(&mut c, at(107), |c, ctx| c.on_timer(ctx, ControllerTimer::SessionCheck)).is_empty());
    }
}
