//! Committed offsets from the consumer's side: auto-commit inside `poll()`,
//! `commitSync()` before or after processing, and OffsetFetch to find where a
//! newly assigned partition starts.
//!
//! A committed offset is the *next* offset to read. What gets committed is the
//! consumer's position — where the last `poll()` left off — so with
//! auto-commit a crash replays at most the records since the last commit
//! (at-least-once), and committing before processing loses the records being
//! processed when the crash comes (at-most-once).

use crate::actor::Ctx;
use crate::engine::SimDuration;
use crate::ids::TopicPartition;
use crate::protocol::{ErrorCode, GroupMessage};
use crate::scenario::CommitMode;
use crate::trace::TraceEvent;

use super::{AfterCommit, AppState, Consumer, InFlight, Position};

impl Consumer {
    /// `enable.auto.commit`: inside `poll()`, every `auto.commit.interval.ms`,
    /// commit the positions asynchronously.
    pub(super) fn maybe_auto_commit(&mut self, ctx: &mut Ctx<'_>) {
        if self.commit_mode != CommitMode::Auto || ctx.now < self.next_auto_commit {
            return;
        }
        self.next_auto_commit = ctx.now + SimDuration::from_millis(self.config.auto_commit_interval_ms);
        self.commit_positions(ctx, AfterCommit::Nothing);
    }

    /// Commits the position of every assigned partition, moved or not (Kafka
    /// commits `allConsumed()`). Returns whether a commit was sent (for `then`
    /// to wait on).
    pub(super) fn commit_positions(&mut self, ctx: &mut Ctx<'_>, then: AfterCommit) -> bool {
        let Some(group) = self.group_id.clone() else { return false };
        let offsets: Vec<(TopicPartition, i64)> =
            self.assignment.iter().filter_map(|&tp| self.position(tp).map(|p| (tp, p))).collect();
        if offsets.is_empty() {
            return false;
        }
        let Some(broker) = self.coordinator() else {
            let error = self.as_reported(&then, "COORDINATOR_NOT_AVAILABLE: no reachable group coordinator yet");
            self.report_commit_failure(ctx, &error);
            return false;
        };
        let (generation, member_id) = match &self.membership {
            Some(m) => (m.generation, m.member_id.clone()),
            None => (-1, String::new()),
        };
        if self.membership.is_some() && member_id.is_empty() {
            // ConsumerCoordinator.sendOffsetCommitRequest fails the commit
            // with CommitFailedException: the group moved on without us.
            let error = self.as_reported(&then, "CommitFailedException: this consumer is no longer in the group (it was removed or left); the partitions may have moved to another member");
            self.report_commit_failure(ctx, &error);
            return false;
        }
        self.send_to(ctx, broker, InFlight::Commit { broker, then }, |correlation_id| {
            GroupMessage::OffsetCommitRequest { correlation_id, group, generation, member_id, offsets }
        })
    }

    /// `commitSync(offsets)` of offsets the application chose (a Kafka
    /// Streams thread commits what its tasks processed and flushed), in
    /// the background: nothing waits. Returns whether a commit was sent.
    pub fn commit_offsets(&mut self, ctx: &mut Ctx<'_>, offsets: Vec<(TopicPartition, i64)>) -> bool {
        let Some(group) = self.group_id.clone() else { return false };
        if offsets.is_empty() || !self.is_running() {
            return false;
        }
        let Some(broker) = self.coordinator() else {
            self.report_commit_failure(ctx, "COORDINATOR_NOT_AVAILABLE: no reachable group coordinator yet");
            return false;
        };
        let (generation, member_id) = match &self.membership {
            Some(m) => (m.generation, m.member_id.clone()),
            None => (-1, String::new()),
        };
        let then = AfterCommit::Nothing;
        self.send_to(ctx, broker, InFlight::Commit { broker, then }, |correlation_id| {
            GroupMessage::OffsetCommitRequest { correlation_id, group, generation, member_id, offsets }
        })
    }

    /// How a failed commit reaches the application. `commitSync()` throws
    /// the exception; an auto-commit (inside `poll()`, or before an eager
    /// rebalance) only logs it — ConsumerCoordinator.autoCommitOffsetsAsync
    /// warns "Asynchronous auto-commit of offsets … failed" — and `poll()`
    /// goes on. The exception stays the message's first word: the client saw it.
    fn as_reported(&self, then: &AfterCommit, error: &str) -> String {
        let auto = self.commit_mode == CommitMode::Auto && matches!(then, AfterCommit::Nothing | AfterCommit::Join);
        if !auto {
            return error.to_string();
        }
        let (name, rest) = error.split_once(": ").unwrap_or((error, ""));
        format!("{name}, logged by the auto-commit (poll() goes on; the application is not told): {rest}")
    }

    fn report_commit_failure(&mut self, ctx: &mut Ctx<'_>, error: &str) {
        if let Some(group) = self.group_id.clone() {
            ctx.trace(TraceEvent::CommitFailed { consumer: self.idx, group, error: error.to_string() });
        }
    }

    pub(super) fn on_commit_response(
        &mut self,
        ctx: &mut Ctx<'_>,
        error: ErrorCode,
        offsets: Vec<(TopicPartition, i64)>,
        then: AfterCommit,
    ) {
        let Some(group) = self.group_id.clone() else { return };
        if error.is_ok() {
            let mut changed = false;
            for &(tp, offset) in &offsets {
                changed |= self.committed.insert(tp, offset) != Some(offset);
            }
            ctx.trace(TraceEvent::OffsetsCommitted { consumer: self.idx, group, offsets, changed });
        } else {
            let what = match error {
                ErrorCode::IllegalGeneration | ErrorCode::UnknownMemberId => format!(
                    "CommitFailedException ({error}): the group has rebalanced since this consumer's last poll; its partitions may belong to another member now"
                ),
                ErrorCode::RebalanceInProgress => format!("{error}: the group is rebalancing; commit again after it"),
                other => other.to_string(),
            };
            let what = self.as_reported(&then, &what);
            ctx.trace(TraceEvent::CommitFailed { consumer: self.idx, group, error: what });
            match error {
                ErrorCode::UnknownMemberId => {
                    if let Some(m) = self.membership.as_mut() {
                        m.member_id.clear();
                        m.state = super::MemberState::Unjoined;
                    }
                }
                ErrorCode::IllegalGeneration | ErrorCode::RebalanceInProgress => {
                    if let Some(m) = self.membership.as_mut() {
                        m.rejoin_needed = true;
                    }
                }
                ErrorCode::NotCoordinator | ErrorCode::CoordinatorNotAvailable => self.coordinator_lost(),
                _ => {}
            }
        }
        self.commit_finished(ctx, then);
    }

    /// Whatever waited for the commit goes on (also when it failed).
    pub(super) fn commit_finished(&mut self, ctx: &mut Ctx<'_>, then: AfterCommit) {
        match then {
            AfterCommit::Nothing => {}
            AfterCommit::Join => {
                if let Some(m) = self.membership.as_mut() {
                    m.committed_for_join = true;
                }
            }
            AfterCommit::Poll => {
                if self.app == AppState::Committing {
                    self.enter_poll(ctx);
                }
            }
            AfterCommit::Process(work) => {
                if self.app == AppState::Committing {
                    if work.is_zero() {
                        self.after_processing(ctx);
                    } else {
                        self.start_processing(ctx, work);
                    }
                }
            }
        }
    }

    /// OffsetFetch for partitions waiting for their committed offset.
    pub(super) fn send_offset_fetch(&mut self, ctx: &mut Ctx<'_>) {
        let Some(group) = self.group_id.clone() else { return };
        let partitions: Vec<TopicPartition> =
            self.positions.iter().filter(|(_, p)| **p == Position::FetchingCommitted).map(|(&tp, _)| tp).collect();
        if partitions.is_empty() || self.in_flight.values().any(|f| matches!(f, InFlight::OffsetFetch { .. })) {
            return;
        }
        let Some(broker) = self.coordinator() else { return };
        self.send_to(ctx, broker, InFlight::OffsetFetch { broker }, |correlation_id| {
            GroupMessage::OffsetFetchRequest { correlation_id, group, partitions }
        });
    }

    pub(super) fn on_offset_fetch_response(
        &mut self,
        ctx: &mut Ctx<'_>,
        error: ErrorCode,
        offsets: Vec<(TopicPartition, i64)>,
    ) {
        if !error.is_ok() {
            self.coordinator_lost();
            return;
        }
        for (tp, offset) in offsets {
            if self.positions.get(&tp) != Some(&Position::FetchingCommitted) {
                continue;
            }
            if offset >= 0 {
                self.committed.insert(tp, offset);
                self.positions.insert(tp, Position::At(offset));
                ctx.trace(TraceEvent::Position {
                    consumer: self.idx,
                    tp,
                    offset,
                    reason: "the group's committed offset".to_string(),
                });
            } else {
                self.positions.insert(tp, Position::Unknown);
            }
        }
    }
}
