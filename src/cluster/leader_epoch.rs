//! The leader-epoch cache (`leader-epoch-checkpoint`): for each leader epoch, the
//! first offset written in it. This is what lets a returning replica find where
//! its log diverges from the current leader's (KIP-101, KIP-279).
//!
//! Invariant: epochs and start offsets both strictly increase along the cache.

/// `(epoch, start_offset)` pairs, oldest first.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LeaderEpochCache {
    entries: Vec<(i32, i64)>,
}

impl LeaderEpochCache {
    pub fn entries(&self) -> &[(i32, i64)] {
        &self.entries
    }

    pub fn latest_epoch(&self) -> Option<i32> {
        self.entries.last().map(|e| e.0)
    }

    /// Records that `epoch` starts at `start_offset`. Ignored if the epoch is not
    /// newer than the latest one (a leader appending again in its own epoch).
    pub fn assign(&mut self, epoch: i32, start_offset: i64) {
        if self.latest_epoch().is_some_and(|latest| latest >= epoch) {
            return;
        }
        // A stale entry starting at or after the new start would break the
        // increasing-offsets invariant; Kafka drops those too.
        self.entries.retain(|&(_, start)| start < start_offset);
        self.entries.push((epoch, start_offset));
    }

    /// Kafka's `endOffsetFor(epoch)`, answered with the log end offset `leo`:
    /// - the latest epoch ends at the log end;
    /// - an older known epoch ends where the next larger epoch starts, reported
    ///   as the largest known epoch not above the one asked;
    /// - an epoch below every known one gets `(epoch, first start offset)`;
    /// - an empty cache answers `(-1, -1)` (UNDEFINED).
    pub fn end_offset_for(&self, epoch: i32, leo: i64) -> (i32, i64) {
        let Some(&(latest, _)) = self.entries.last() else {
            return (-1, -1);
        };
        if epoch == latest {
            return (latest, leo);
        }
        let next_larger = self.entries.iter().position(|&(e, _)| e > epoch);
        match next_larger {
            None => (-1, -1), // asked about an epoch newer than any we know
            Some(0) => (epoch, self.entries[0].1),
            Some(i) => (self.entries[i - 1].0, self.entries[i].1),
        }
    }

    /// Removes entries that start at or beyond `offset` (after log truncation).
    pub fn truncate_from_end(&mut self, offset: i64) {
        self.entries.retain(|&(_, start)| start < offset);
    }

    /// Removes entries wholly below the log start and clamps the first one.
    pub fn truncate_from_start(&mut self, log_start_offset: i64) {
        let keep_from = self.entries.iter().rposition(|&(_, start)| start <= log_start_offset).unwrap_or(0);
        self.entries.drain(..keep_from);
        if let Some(first) = self.entries.first_mut() {
            first.1 = first.1.max(log_start_offset);
        }
    }
}

/// Where a follower truncates when the leader says its last fetched epoch
/// ends at `(leader_epoch, leader_end)` in the leader's log (Kafka's
/// `getOffsetTruncationState`): if the follower knows that epoch too, at the
/// smaller of the two ends; if it does not, at the end of its own largest epoch
/// below it (the next fetch narrows it further, as KIP-279 iterates).
pub fn truncation_offset(follower: &LeaderEpochCache, follower_leo: i64, leader_epoch: i32, leader_end: i64) -> i64 {
    let (epoch, end) = follower.end_offset_for(leader_epoch, follower_leo);
    if epoch == leader_epoch {
        leader_end.min(end)
    } else if epoch < 0 {
        leader_end.min(follower_leo)
    } else {
        end.min(follower_leo)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cache(entries: &[(i32, i64)]) -> LeaderEpochCache {
        let mut c = LeaderEpochCache::default();
        for &(e, s) in entries {
            c.assign(e, s);
        }
        c
    }

    #[test]
    fn end_offset_follows_kafkas_rules() {
        // LeaderEpochFileCacheTest-style: epochs 2@6, 3@8, 5@10; LEO 12.
        let c = cache(&[(2, 6), (3, 8), (5, 10)]);
        assert_eq!(c.end_offset_for(5, 12), (5, 12));
        assert_eq!(c.end_offset_for(3, 12), (3, 10));
        assert_eq!(c.end_offset_for(4, 12), (3, 10)); // unknown epoch: largest below it
        assert_eq!(c.end_offset_for(1, 12), (1, 6)); // below all known epochs
        assert_eq!(c.end_offset_for(6, 12), (-1, -1));
        assert_eq!(LeaderEpochCache::default().end_offset_for(0, 0), (-1, -1));
    }

    #[test]
    fn the_kip_279_case_resolves_to_a_consistent_log() {
        // A wrote 0:x@1, 1:y@1, then 2:r@3; B asks for the end of epoch 2.
        let a = cache(&[(1, 0), (3, 2)]);
        assert_eq!(a.end_offset_for(2, 3), (1, 2));
    }

    #[test]
    fn truncation_drops_entries_at_or_past_the_offset() {
        let mut c = cache(&[(1, 0), (2, 5), (3, 9)]);
        c.truncate_from_end(5);
        assert_eq!(c.entries(), &[(1, 0)]);
        let mut c = cache(&[(1, 0), (2, 5), (3, 9)]);
        c.truncate_from_start(7);
        assert_eq!(c.entries(), &[(2, 7), (3, 9)]);
    }

    #[test]
    fn kip_101_scenario_2_the_follower_drops_what_the_new_leader_never_had() {
        // A had 0:m1@0, 1:m2@0; B came back first with 0:m1@0 and, as leader in
        // epoch 1, wrote 1:m3@1. A fetches with last epoch 0 at offset 2.
        let b = cache(&[(0, 0), (1, 1)]);
        let (epoch, end) = b.end_offset_for(0, 2);
        assert_eq!((epoch, end), (0, 1), "epoch 0 ends at offset 1 on the leader");
        let a = cache(&[(0, 0)]);
        assert_eq!(truncation_offset(&a, 2, epoch, end), 1, "A drops m2 and will copy m3");
    }

    #[test]
    fn kip_279_fast_failovers_converge() {
        // A (leader, epoch 3) has 0:x@1, 1:y@1, 2:r@3; B has 0:x@1, 1:p@2, 2:q@2.
        let a = cache(&[(1, 0), (3, 2)]);
        let b = cache(&[(1, 0), (2, 1)]);
        // B fetches with last epoch 2 at offset 3: A knows no epoch 2.
        let (epoch, end) = a.end_offset_for(2, 3);
        assert_eq!((epoch, end), (1, 2));
        // B knows epoch 1, which ends at 1 on B: truncate to min(2, 1) = 1.
        assert_eq!(truncation_offset(&b, 3, epoch, end), 1);
    }

    #[test]
    fn a_follower_that_never_saw_the_epoch_backs_off_to_its_own_earlier_epoch() {
        // Leader says epoch 5 ends at 40; follower has epochs 2@0 and 4@30, LEO 50.
        let follower = cache(&[(2, 0), (4, 30)]);
        assert_eq!(truncation_offset(&follower, 50, 5, 40), 40);
        // Leader says epoch 3 ends at 25; follower's largest epoch below 3 is 2, ending at 30.
        assert_eq!(truncation_offset(&follower, 50, 3, 25), 30);
    }

    #[test]
    fn assign_ignores_older_or_equal_epochs() {
        let mut c = cache(&[(4, 10)]);
        c.assign(4, 12);
        c.assign(3, 14);
        assert_eq!(c.entries(), &[(4, 10)]);
    }
}
