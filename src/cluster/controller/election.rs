//! The controller's partition decisions (KRaft's `PartitionChangeBuilder`):
//! who leads and who is in sync after a broker is fenced or unfenced, and the
//! preferred-leader election.
//!
//! - A fenced broker leaves every ISR. If it led a partition, the new leader is
//!   the first replica in assignment order that is in the new ISR and
//!   unfenced; the leader epoch goes up by one.
//! - The ISR never becomes empty: when its last member is fenced it stays
//!   `[that broker]` and the partition goes offline (no leader) until that
//!   broker comes back — unless `unclean.leader.election.enable` lets an
//!   out-of-sync replica lead, with ISR `[it]`.
//! - An unfenced broker does not rejoin ISRs here (its leader adds it once it
//!   has caught up), but it can take over an offline partition whose ISR it is
//!   the last member of.

use crate::cluster::metadata::PartitionState;
use crate::ids::BrokerId;

/// Why a partition's leader or ISR changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChangeReason {
    Fenced(BrokerId),
    Unfenced(BrokerId),
    /// A preferred-leader election asked for (`kafka-leader-election`).
    Preferred,
    /// The controller's scheduled leader-balance check.
    BalanceCheck,
    AlterPartition(BrokerId),
}

/// A proposed new state, and whether it took an unclean election to get there.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    pub state: PartitionState,
    pub unclean: bool,
}

fn bump(mut state: PartitionState, leader_changed: bool) -> PartitionState {
    if leader_changed {
        state.leader_epoch += 1;
    }
    state.partition_epoch += 1;
    state
}

/// The first replica, in assignment order, that `eligible` accepts.
fn first_eligible(replicas: &[BrokerId], eligible: impl Fn(BrokerId) -> bool) -> Option<BrokerId> {
    replicas.iter().copied().find(|&b| eligible(b))
}

/// After `fenced` is fenced: drop it from the ISR and re-elect if it led.
pub fn on_fenced(
    state: &PartitionState,
    fenced: BrokerId,
    is_unfenced: &impl Fn(BrokerId) -> bool,
    unclean_allowed: bool,
) -> Option<Change> {
    if !state.isr.contains(&fenced) && state.leader != Some(fenced) {
        return None;
    }
    let mut next = state.clone();
    let remaining: Vec<BrokerId> = state.isr.iter().copied().filter(|&b| b != fenced).collect();
    // The last in-sync replica stays in the ISR even when fenced.
    next.isr = if remaining.is_empty() { state.isr.clone() } else { remaining };
    let mut unclean = false;
    if state.leader == Some(fenced) || state.leader.is_none() {
        let clean = first_eligible(&state.replicas, |b| b != fenced && next.isr.contains(&b) && is_unfenced(b));
        next.leader = match clean {
            Some(leader) => Some(leader),
            None if unclean_allowed => {
                let any = first_eligible(&state.replicas, |b| b != fenced && is_unfenced(b));
                if let Some(leader) = any {
                    unclean = true;
                    next.isr = vec![leader];
                }
                any
            }
            None => None,
        };
    }
    if next == *state {
        return None;
    }
    let leader_changed = next.leader != state.leader;
    Some(Change { state: bump(next, leader_changed), unclean })
}

/// After `unfenced` returns: it may take over a partition that has no leader.
pub fn on_unfenced(
    state: &PartitionState,
    unfenced: BrokerId,
    is_unfenced: &impl Fn(BrokerId) -> bool,
    unclean_allowed: bool,
) -> Option<Change> {
    if state.leader.is_some() || !state.replicas.contains(&unfenced) {
        return None;
    }
    let mut next = state.clone();
    let mut unclean = false;
    if let Some(leader) = first_eligible(&state.replicas, |b| state.isr.contains(&b) && is_unfenced(b)) {
        next.leader = Some(leader);
    } else if unclean_allowed {
        let leader = first_eligible(&state.replicas, is_unfenced)?;
        next.leader = Some(leader);
        next.isr = vec![leader];
        unclean = true;
    } else {
        return None;
    }
    Some(Change { state: bump(next, true), unclean })
}

/// The preferred replica (first in the assignment) takes leadership back if it
/// is in sync and unfenced.
pub fn preferred(state: &PartitionState, is_unfenced: &impl Fn(BrokerId) -> bool) -> Option<Change> {
    let preferred = state.preferred_leader()?;
    if state.leader == Some(preferred) || !state.isr.contains(&preferred) || !is_unfenced(preferred) {
        return None;
    }
    let mut next = state.clone();
    next.leader = Some(preferred);
    Some(Change { state: bump(next, true), unclean: false })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b(ids: &[i32]) -> Vec<BrokerId> {
        ids.iter().map(|&i| BrokerId(i)).collect()
    }

    fn state(replicas: &[i32], isr: &[i32], leader: Option<i32>) -> PartitionState {
        PartitionState {
            replicas: b(replicas),
            isr: b(isr),
            leader: leader.map(BrokerId),
            leader_epoch: 5,
            partition_epoch: 9,
        }
    }

    fn alive(up: &'static [i32]) -> impl Fn(BrokerId) -> bool {
        move |x: BrokerId| up.contains(&x.0)
    }

    #[test]
    fn a_fenced_leader_is_replaced_by_the_first_in_sync_replica_in_assignment_order() {
        let s = state(&[1, 2, 3], &[1, 3, 2], Some(1));
        let change = on_fenced(&s, BrokerId(1), &alive(&[2, 3]), false).expect("change");
        assert_eq!(change.state.leader, Some(BrokerId(2)), "assignment order, not ISR order");
        assert_eq!(change.state.isr, b(&[3, 2]));
        assert_eq!(change.state.leader_epoch, 6);
        assert_eq!(change.state.partition_epoch, 10);
        assert!(!change.unclean);
    }

    #[test]
    fn a_fenced_follower_only_leaves_the_isr() {
        let s = state(&[1, 2, 3], &[1, 2, 3], Some(1));
        let change = on_fenced(&s, BrokerId(3), &alive(&[1, 2]), false).expect("change");
        assert_eq!(change.state.leader, Some(BrokerId(1)));
        assert_eq!(change.state.isr, b(&[1, 2]));
        assert_eq!(change.state.leader_epoch, 5, "same leader, same epoch");
    }

    #[test]
    fn the_isr_never_empties_and_the_partition_goes_offline() {
        let s = state(&[1, 2, 3], &[1], Some(1));
        let change = on_fenced(&s, BrokerId(1), &alive(&[2, 3]), false).expect("change");
        assert_eq!(change.state.leader, None);
        assert_eq!(change.state.isr, b(&[1]));
        assert_eq!(change.state.leader_epoch, 6);
        // It comes back: it is the last in-sync replica, so it leads again, cleanly.
        let back = on_unfenced(&change.state, BrokerId(1), &alive(&[1, 2, 3]), false).expect("change");
        assert_eq!(back.state.leader, Some(BrokerId(1)));
        assert!(!back.unclean);
        // Another replica returning does not take over without unclean election.
        assert!(on_unfenced(&change.state, BrokerId(2), &alive(&[2, 3]), false).is_none());
    }

    #[test]
    fn unclean_election_picks_an_out_of_sync_replica() {
        let s = state(&[1, 2, 3], &[1], Some(1));
        let change = on_fenced(&s, BrokerId(1), &alive(&[3]), true).expect("change");
        assert_eq!(change.state.leader, Some(BrokerId(3)));
        assert_eq!(change.state.isr, b(&[3]));
        assert!(change.unclean);
    }

    #[test]
    fn preferred_leader_returns_when_in_sync() {
        let s = state(&[1, 2, 3], &[2, 3, 1], Some(2));
        let change = preferred(&s, &alive(&[1, 2, 3])).expect("change");
        assert_eq!(change.state.leader, Some(BrokerId(1)));
        assert_eq!(change.state.leader_epoch, 6);
        let not_in_sync = state(&[1, 2, 3], &[2, 3], Some(2));
        assert!(preferred(&not_in_sync, &alive(&[1, 2, 3])).is_none());
    }
}
