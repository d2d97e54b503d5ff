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
    fn assign_ignores_older_or_equal_epochs() {
        let mut c = cache(&[(4, 10)]);
        c.assign(4, 12);
        c.assign(3, 14);
        assert_eq!(c.entries(), &[(4, 10)]);
    }
}
