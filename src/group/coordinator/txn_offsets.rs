//! Transactional offset commits (KIP-98, with KIP-447's group metadata), as
//! Kafka 4.0's `OffsetMetadataManager` keeps them: the offsets of a
//! TxnOffsetCommit wait, by producer id, among the pending transactional
//! offsets until the transaction's marker reaches the group's
//! `__consumer_offsets` partition (`replayEndTransactionMarker`): COMMIT
//! makes them the group's committed offsets, ABORT throws them away. Until
//! then an OffsetFetch with `requireStable` (a `read_committed` consumer's)
//! answers UNSTABLE_OFFSET_COMMIT, so a consumer taking over the partitions
//! does not start from an offset the transaction may still change.

use std::collections::BTreeMap;

use crate::actor::Ctx;
use crate::engine::SimTime;
use crate::ids::{NodeId, TopicPartition};
use crate::protocol::{ErrorCode, GroupMessage};

use super::{GroupCoordinator, reply};
use crate::group::classic_group::GroupState;

/// A TxnOffsetCommit being written to `__consumer_offsets`.
#[derive(Clone, Debug)]
pub struct PendingTxnCommit {
    pub from: NodeId,
    pub correlation_id: u64,
    pub group: String,
    pub producer_id: i64,
    pub producer_epoch: i16,
    pub offsets: Vec<(TopicPartition, i64)>,
}

/// Offsets of transactions not yet ended, by producer id, then by group and
/// partition (`pendingTransactionalOffsets`).
pub type PendingTxnOffsets = BTreeMap<i64, BTreeMap<(String, TopicPartition), i64>>;

impl GroupCoordinator {
    /// `validateTransactionalOffsetCommit` for a classic group: an unknown
    /// group takes a commit from outside any group (generation -1) only;
    /// the member id and generation are checked when given, so a member
    /// of an older generation (a zombie whose partitions moved) is fenced
    /// with ILLEGAL_GENERATION, an expelled one with UNKNOWN_MEMBER_ID.
    /// Unlike OffsetCommit, a transactional commit is not refused while the
    /// group completes a rebalance.
    pub fn validate_txn_commit(&self, group: &str, generation: i32, member_id: &str) -> ErrorCode {
        let Some(g) = self.groups.get(group) else {
            return if generation < 0 { ErrorCode::None } else { ErrorCode::IllegalGeneration };
        };
        if generation < 0 && (g.state == GroupState::Empty || member_id.is_empty()) {
            return ErrorCode::None;
        }
        if g.fenced.contains_key(member_id) {
            return ErrorCode::FencedInstanceId;
        }
        if !g.members.contains_key(member_id) {
            return ErrorCode::UnknownMemberId;
        }
        if generation != g.generation {
            return ErrorCode::IllegalGeneration;
        }
        ErrorCode::None
    }

    /// The TxnOffsetCommit was written and replicated (or failed): its
    /// offsets wait for the transaction's end; answer the producer.
    pub fn on_txn_commit_done(&mut self, ctx: &mut Ctx<'_>, commit: PendingTxnCommit, error: ErrorCode) {
        if error.is_ok() {
            self.add_pending_txn_offsets(commit.producer_id, &commit.group, &commit.offsets);
        }
        let message = GroupMessage::TxnOffsetCommitResponse { correlation_id: commit.correlation_id, error };
        reply(ctx, commit.from, message);
    }

    pub(super) fn add_pending_txn_offsets(&mut self, producer_id: i64, group: &str, offsets: &[(TopicPartition, i64)]) {
        let pending = self.pending_txn_offsets.entry(producer_id).or_default();
        for &(tp, offset) in offsets {
            pending.insert((group.to_string(), tp), offset);
        }
    }

    /// A transaction marker of `producer_id` was written to offsets
    /// partition `partition`: its pending offsets for the groups of that
    /// partition are committed or dropped. Returns them, for the narration.
    pub fn replay_end_txn_marker(
        &mut self,
        producer_id: i64,
        partition: u32,
        committed: bool,
        at: SimTime,
    ) -> Vec<((String, TopicPartition), i64)> {
        let offsets_partitions = self.config.offsets_partitions;
        let Some(pending) = self.pending_txn_offsets.get_mut(&producer_id) else { return Vec::new() };
        let (mine, others): (BTreeMap<_, _>, BTreeMap<_, _>) =
            std::mem::take(pending).into_iter().partition(|((group, _), _)| {
                crate::group::hash::coordinator_partition(group, offsets_partitions) == partition
            });
        *pending = others;
        if pending.is_empty() {
            self.pending_txn_offsets.remove(&producer_id);
        }
        if committed {
            for (key, &offset) in &mine {
                self.offsets.insert(key.clone(), offset);
                self.committed_at.insert(key.clone(), at);
            }
        }
        mine.into_iter().collect()
    }

    /// Whether a transaction not yet ended holds an offset of `tp` for `group`.
    pub fn has_pending_txn_offset(&self, group: &str, tp: TopicPartition) -> bool {
        let key = (group.to_string(), tp);
        self.pending_txn_offsets.values().any(|p| p.contains_key(&key))
    }

    /// OffsetFetch: the committed offsets, or UNSTABLE_OFFSET_COMMIT when
    /// the consumer requires stable offsets and a transaction holds one of
    /// them.
    /// Simplification: the error answers the whole request; Kafka answers
    /// it per partition, and the Java consumer retries the whole fetch
    /// either way.
    pub(super) fn fetch_offsets(
        &self,
        group: &str,
        partitions: &[TopicPartition],
        require_stable: bool,
    ) -> (ErrorCode, Vec<(TopicPartition, i64)>) {
        if require_stable && partitions.iter().any(|&tp| self.has_pending_txn_offset(group, tp)) {
            return (ErrorCode::UnstableOffsetCommit, Vec::new());
        }
        let offsets = partitions
            .iter()
            .map(|&tp| (tp, self.offsets.get(&(group.to_string(), tp)).copied().unwrap_or(-1)))
            .collect();
        (ErrorCode::None, offsets)
    }
}

#[cfg(test)]
mod tests {
    //! Cases ported from Kafka 4.0's `OffsetMetadataManagerTest`
    //! (group-coordinator/src/test/java/org/apache/kafka/coordinator/group/OffsetMetadataManagerTest.java):
    //! testGenericGroupTransactionalOffsetCommit*, testReplayTransactionEndMarkerWithCommit,
    //! testReplayTransactionEndMarkerWithAbort, testFetchOffsetsWithPendingTransactionalOffsets.

    use super::*;
    use crate::group::coordinator::CoordinatorConfig;
    use crate::ids::TopicId;

    fn coordinator() -> GroupCoordinator {
        GroupCoordinator::new(CoordinatorConfig {
            initial_rebalance_delay_ms: 0,
            offsets_partitions: 50,
            min_session_timeout_ms: 6_000,
            max_session_timeout_ms: 1_800_000,
            offsets_retention_ms: 7 * 24 * 3_600_000,
            offsets_retention_check_interval_ms: 600_000,
        })
    }

    fn tp(p: u32) -> TopicPartition {
        TopicPartition::new(TopicId(0), p)
    }

    fn member(id: &str) -> crate::group::classic_group::Member {
        crate::group::classic_group::Member {
            member_id: id.to_string(),
            group_instance_id: None,
            client_id: "consumer-foo-1".to_string(),
            node: NodeId::Consumer(crate::ids::ClientIdx(0)),
            session_timeout_ms: 45_000,
            rebalance_timeout_ms: 300_000,
            protocols: vec![crate::group::assignor::Strategy::Range],
            subscription: crate::protocol::MemberSubscription {
                topics: vec![TopicId(0)],
                owned_partitions: vec![],
                generation: -1,
                streams: None,
            },
            last_heartbeat: SimTime::ZERO,
            awaiting_join: None,
            awaiting_sync: None,
            assignment: vec![],
        }
    }

    fn partition_of(c: &GroupCoordinator, group: &str) -> u32 {
        c.partition_for(group)
    }

    #[test]
    fn commit_marker_makes_pending_offsets_committed() {
        let mut c = coordinator();
        c.add_pending_txn_offsets(10, "foo", &[(tp(0), 100)]);
        assert_eq!(c.offsets.get(&("foo".into(), tp(0))), None, "pending offsets are not committed yet");
        assert!(c.has_pending_txn_offset("foo", tp(0)));
        let p = partition_of(&c, "foo");
        let applied = c.replay_end_txn_marker(10, p, true, SimTime::from_millis(5));
        assert_eq!(applied, vec![(("foo".to_string(), tp(0)), 100)]);
        assert_eq!(c.offsets.get(&("foo".into(), tp(0))), Some(&100));
        assert!(!c.has_pending_txn_offset("foo", tp(0)));
        assert!(c.pending_txn_offsets.is_empty());
    }

    #[test]
    fn abort_marker_discards_pending_offsets_and_keeps_the_committed_one() {
        let mut c = coordinator();
        c.offsets.insert(("foo".into(), tp(0)), 50);
        c.add_pending_txn_offsets(10, "foo", &[(tp(0), 100)]);
        let p = partition_of(&c, "foo");
        c.replay_end_txn_marker(10, p, false, SimTime::from_millis(5));
        assert_eq!(c.offsets.get(&("foo".into(), tp(0))), Some(&50));
        assert!(c.pending_txn_offsets.is_empty());
    }

    #[test]
    fn a_marker_of_another_producer_or_partition_leaves_pending_offsets_alone() {
        let mut c = coordinator();
        c.add_pending_txn_offsets(10, "foo", &[(tp(0), 100)]);
        let p = partition_of(&c, "foo");
        assert!(c.replay_end_txn_marker(11, p, true, SimTime::ZERO).is_empty());
        assert!(c.replay_end_txn_marker(10, (p + 1) % 50, true, SimTime::ZERO).is_empty());
        assert!(c.has_pending_txn_offset("foo", tp(0)));
        assert_eq!(c.offsets.get(&("foo".into(), tp(0))), None);
    }

    #[test]
    fn fetch_requiring_stable_offsets_is_refused_while_a_transaction_holds_one() {
        let mut c = coordinator();
        c.offsets.insert(("foo".into(), tp(0)), 50);
        c.add_pending_txn_offsets(10, "foo", &[(tp(0), 100)]);
        assert_eq!(c.fetch_offsets("foo", &[tp(0), tp(1)], true).0, ErrorCode::UnstableOffsetCommit);
        // Without requireStable the last committed offset is answered.
        assert_eq!(c.fetch_offsets("foo", &[tp(0), tp(1)], false), (ErrorCode::None, vec![(tp(0), 50), (tp(1), -1)]));
        // A partition no transaction holds is stable.
        assert_eq!(c.fetch_offsets("foo", &[tp(1)], true), (ErrorCode::None, vec![(tp(1), -1)]));
        let p = partition_of(&c, "foo");
        c.replay_end_txn_marker(10, p, true, SimTime::ZERO);
        assert_eq!(c.fetch_offsets("foo", &[tp(0)], true), (ErrorCode::None, vec![(tp(0), 100)]));
    }

    #[test]
    fn a_transactional_commit_to_an_unknown_group_needs_generation_minus_one() {
        // testGenericGroupTransactionalOffsetCommitWithUnknownGroupId / WithIllegalGenerationId.
        let c = coordinator();
        assert_eq!(c.validate_txn_commit("foo", -1, ""), ErrorCode::None);
        assert_eq!(c.validate_txn_commit("foo", 10, "member"), ErrorCode::IllegalGeneration);
    }

    #[test]
    fn a_transactional_commit_is_fenced_by_member_and_generation() {
        use crate::group::classic_group::ClassicGroup;
        let mut c = coordinator();
        let mut g = ClassicGroup::new("foo".into());
        g.generation = 10;
        g.state = GroupState::Stable;
        g.members.insert("member".into(), member("member"));
        g.fenced.insert("old-member".into(), "instance".into());
        c.groups.insert("foo".into(), g);
        // testGenericGroupTransactionalOffsetCommit.
        assert_eq!(c.validate_txn_commit("foo", 10, "member"), ErrorCode::None);
        // ...WithIllegalGenerationId: the zombie of an older generation.
        assert_eq!(c.validate_txn_commit("foo", 9, "member"), ErrorCode::IllegalGeneration);
        // ...WithUnknownMemberId.
        assert_eq!(c.validate_txn_commit("foo", 10, "gone"), ErrorCode::UnknownMemberId);
        assert_eq!(c.validate_txn_commit("foo", 10, "old-member"), ErrorCode::FencedInstanceId);
        // The member id and generation are optional in TxnOffsetCommit.
        assert_eq!(c.validate_txn_commit("foo", -1, ""), ErrorCode::None);
        // Not refused while the group completes a rebalance.
        c.groups.get_mut("foo").unwrap().state = GroupState::CompletingRebalance;
        assert_eq!(c.validate_txn_commit("foo", 10, "member"), ErrorCode::None);
    }
}
