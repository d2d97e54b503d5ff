//! When the heartbeat thread sends the next Heartbeat (Kafka's `Heartbeat`
//! class, driven by `AbstractCoordinator.HeartbeatThread`).
//!
//! - The thread is off until the member has joined: a JoinGroup response
//!   turns it on (`HeartbeatThread.enable`), and `resetTimeouts` starts the
//!   heartbeat timer then, so the first heartbeat of a generation goes
//!   `heartbeat.interval.ms` after the JoinGroup answer, whenever the
//!   consumer started.
//! - Each heartbeat sent restarts the timer (`sentHeartbeat`).
//! - A failed heartbeat is retried after `retry.backoff.ms`, doubling per
//!   failure up to `retry.backoff.max.ms` (`failHeartbeat`); an answer
//!   resets the count (`receiveHeartbeat`).
//! - A member that is no longer in the group turns the thread off again
//!   (`state.hasNotJoinedGroup()` → `disable`).
//!
//! Simplification: the failure backoff has no jitter (Kafka's
//! `ExponentialBackoff` varies it by ±20 %).

use crate::engine::{SimDuration, SimTime};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Heartbeat {
    /// When the heartbeat timer expires; `None` while the thread is off.
    next_at: Option<SimTime>,
    /// Heartbeats in a row that failed.
    attempts: u32,
}

impl Heartbeat {
    /// `HeartbeatThread.enable` → `resetTimeouts`: the timer starts now.
    /// Returns when the next heartbeat is due.
    pub fn enable(&mut self, now: SimTime, interval: SimDuration) -> SimTime {
        self.arm(now + interval)
    }

    /// The member left the group: no heartbeats until it joins again.
    pub fn disable(&mut self) {
        *self = Heartbeat::default();
    }

    pub fn is_enabled(&self) -> bool {
        self.next_at.is_some()
    }

    /// Whether a timer set for `at` is the one in force (not superseded by
    /// a later reset, nor left from before the thread was turned off).
    pub fn is_due(&self, at: SimTime) -> bool {
        self.next_at == Some(at)
    }

    /// `sentHeartbeat`: the next one after a full interval.
    pub fn sent(&mut self, now: SimTime, interval: SimDuration) -> SimTime {
        self.arm(now + interval)
    }

    /// `receiveHeartbeat`: an answer came (an error that is part of the
    /// protocol, like REBALANCE_IN_PROGRESS, counts as one).
    pub fn received(&mut self) {
        self.attempts = 0;
    }

    /// `failHeartbeat`: retry after the backoff for this many failures in a row.
    pub fn failed(&mut self, now: SimTime, backoff_ms: u64, backoff_max_ms: u64) -> SimTime {
        let backoff = backoff_ms.saturating_mul(1 << self.attempts.min(20)).min(backoff_max_ms.max(backoff_ms));
        self.attempts = self.attempts.saturating_add(1);
        self.arm(now + SimDuration::from_millis(backoff))
    }

    /// No coordinator to send to: the thread looks again after `delay`
    /// (`HeartbeatThread.run` waits `retry.backoff.ms`).
    pub fn wait(&mut self, now: SimTime, delay: SimDuration) -> SimTime {
        self.arm(now + delay)
    }

    /// Time until the timer expires (0 once it has).
    #[cfg(test)]
    pub fn time_to_next(&self, now: SimTime) -> Option<SimDuration> {
        self.next_at.map(|at| at.saturating_sub(now))
    }

    fn arm(&mut self, at: SimTime) -> SimTime {
        self.next_at = Some(at);
        at
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const INTERVAL: SimDuration = SimDuration::from_millis(3_000);

    /// `HeartbeatTest.testTimeToNextHeartbeat`.
    #[test]
    fn the_next_heartbeat_is_an_interval_after_the_last_sent() {
        let mut heartbeat = Heartbeat::default();
        let t0 = SimTime::from_micros(5_000_000);
        heartbeat.sent(t0, INTERVAL);
        assert_eq!(heartbeat.time_to_next(t0), Some(INTERVAL));
        assert_eq!(heartbeat.time_to_next(t0 + INTERVAL), Some(SimDuration::ZERO));
        assert_eq!(heartbeat.time_to_next(t0 + INTERVAL + INTERVAL), Some(SimDuration::ZERO));
    }

    /// `HeartbeatTest.testResetTimeouts`: after a long time without a
    /// heartbeat, enabling (a JoinGroup answer) puts the next heartbeat a
    /// full interval away.
    #[test]
    fn joining_restarts_the_heartbeat_timer() {
        let mut heartbeat = Heartbeat::default();
        heartbeat.sent(SimTime::ZERO, INTERVAL);
        let later = SimTime::from_micros(300_000_000);
        assert_eq!(heartbeat.time_to_next(later), Some(SimDuration::ZERO));
        let due = heartbeat.enable(later, INTERVAL);
        assert_eq!(heartbeat.time_to_next(later), Some(INTERVAL));
        assert!(heartbeat.is_due(due));
        assert!(!heartbeat.is_due(SimTime::ZERO + INTERVAL), "the timer from before is superseded");
    }

    /// `failHeartbeat` backs off exponentially (no jitter here), and an
    /// answer starts the count again.
    #[test]
    fn failed_heartbeats_back_off_until_one_is_answered() {
        let mut heartbeat = Heartbeat::default();
        let now = SimTime::from_micros(1_000_000);
        let waits: Vec<SimDuration> = (0..6).map(|_| heartbeat.failed(now, 100, 1_000).saturating_sub(now)).collect();
        let ms: Vec<u64> = waits.iter().map(|d| d.as_millis()).collect();
        assert_eq!(ms, vec![100, 200, 400, 800, 1_000, 1_000]);
        heartbeat.received();
        assert_eq!(heartbeat.failed(now, 100, 1_000).saturating_sub(now).as_millis(), 100);
    }

    #[test]
    fn a_member_out_of_the_group_does_not_heartbeat() {
        let mut heartbeat = Heartbeat::default();
        assert!(!heartbeat.is_enabled());
        let due = heartbeat.enable(SimTime::ZERO, INTERVAL);
        heartbeat.disable();
        assert!(!heartbeat.is_enabled());
        assert!(!heartbeat.is_due(due));
    }
}
