//! Window arithmetic of Kafka Streams' windowed aggregations: which windows
//! a record at time `t` belongs to, when a window closes, and how session
//! windows merge. Times are event-time milliseconds, as Kafka's are.
//!
//! Kafka's classes, whose rules are ported here and whose tests are ported
//! below:
//! - `TimeWindows` (tumbling and hopping): windows `[start, start + size)`,
//!   end exclusive, aligned to the epoch; `windowsFor(t)` starts at
//!   `max(0, t − size + advance) / advance · advance`. Tumbling is hopping with
//!   `advance = size`.
//! - `SlidingWindows` (KIP-450): windows of a fixed maximum time difference,
//!   both ends inclusive, created when a record enters or leaves one: each
//!   record at `t` has its *left* window `[t − diff, t]`, and a *right* window
//!   `[t + 1, t + 1 + diff]` exists while some later record falls in it.
//! - `SessionWindows`: per key, records closer than the inactivity gap merge
//!   into one session `[first, last]`; a late record can bridge two sessions.
//!
//! Grace (KIP-633, required since Kafka 3.0), with `close = observed stream
//! time − grace` as each processor computes it:
//! - time windows (`KStreamWindowAggregate`): `[s, e)` is updated only while
//!   `e > close`, so it closes when the stream time reaches `e + grace`;
//! - sliding windows (`KStreamSlidingWindowAggregate`): end inclusive, skipped
//!   once `e < close`;
//! - sessions (`KStreamSessionWindowAggregate`): `close` also subtracts the
//!   inactivity gap, so a session `[s, e]` is skipped once `e < stream time −
//!   grace − gap` (a session stays open for records that could still extend it).
//!
//! Simplification: negative timestamps are refused by the scenario (Kafka's
//! windowed aggregations skip records with a negative timestamp).

use std::fmt;

/// A window's bounds in event-time milliseconds. `end` is exclusive for
/// time windows and inclusive for sliding and session windows, as in Kafka.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Window {
    pub start_ms: i64,
    pub end_ms: i64,
}

impl Window {
    pub const fn new(start_ms: i64, end_ms: i64) -> Self {
        Window { start_ms, end_ms }
    }
}

impl fmt::Display for Window {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[{}, {}]", self.start_ms, self.end_ms)
    }
}

/// The windowing of one windowed aggregation, as the scenario chose it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Windows {
    /// `TimeWindows.ofSizeAndGrace(size, grace).advanceBy(advance)`; tumbling
    /// when `advance == size`.
    Time { size_ms: i64, advance_ms: i64, grace_ms: i64 },
    /// `SlidingWindows.ofTimeDifferenceAndGrace(diff, grace)`.
    Sliding { time_difference_ms: i64, grace_ms: i64 },
    /// `SessionWindows.ofInactivityGapAndGrace(gap, grace)`.
    Session { inactivity_gap_ms: i64, grace_ms: i64 },
}

/// A window definition Kafka would refuse, with Kafka's own message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WindowsError(pub String);

impl fmt::Display for WindowsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Windows {
    /// `TimeWindows.ofSizeAndGrace(size, grace)`, then `advanceBy(advance)`
    /// when hopping: Kafka's checks and messages.
    pub fn time(size_ms: i64, advance_ms: Option<i64>, grace_ms: i64) -> Result<Self, WindowsError> {
        if size_ms <= 0 {
            return Err(WindowsError("Window size (sizeMs) must be larger than zero.".into()));
        }
        let advance_ms = advance_ms.unwrap_or(size_ms);
        if advance_ms <= 0 || advance_ms > size_ms {
            return Err(WindowsError(format!(
                "Window advancement interval should be more than zero and less than window duration which is {size_ms} ms, but given advancement interval is: {advance_ms} ms"
            )));
        }
        check_grace(grace_ms)?;
        Ok(Windows::Time { size_ms, advance_ms, grace_ms })
    }

    /// `SlidingWindows.ofTimeDifferenceAndGrace(diff, grace)`.
    pub fn sliding(time_difference_ms: i64, grace_ms: i64) -> Result<Self, WindowsError> {
        if time_difference_ms < 0 {
            return Err(WindowsError("Window time difference must not be negative.".into()));
        }
        check_grace(grace_ms)?;
        Ok(Windows::Sliding { time_difference_ms, grace_ms })
    }

    /// `SessionWindows.ofInactivityGapAndGrace(gap, grace)`.
    pub fn session(inactivity_gap_ms: i64, grace_ms: i64) -> Result<Self, WindowsError> {
        if inactivity_gap_ms <= 0 {
            return Err(WindowsError("Gap time cannot be zero or negative.".into()));
        }
        check_grace(grace_ms)?;
        Ok(Windows::Session { inactivity_gap_ms, grace_ms })
    }

    pub fn grace_ms(&self) -> i64 {
        match *self {
            Windows::Time { grace_ms, .. } | Windows::Sliding { grace_ms, .. } | Windows::Session { grace_ms, .. } => {
                grace_ms
            }
        }
    }

    /// Kafka's word for the kind, as the book and narration say it.
    pub fn kind(&self) -> &'static str {
        match *self {
            Windows::Time { size_ms, advance_ms, .. } if size_ms == advance_ms => "tumbling",
            Windows::Time { .. } => "hopping",
            Windows::Sliding { .. } => "sliding",
            Windows::Session { .. } => "session",
        }
    }

    /// How long the window store keeps a window: `size + grace` (time and
    /// sliding windows), `gap + grace` (sessions) — Kafka's default store
    /// retention, which the changelog's `retention.ms` adds a day to.
    pub fn retention_ms(&self) -> i64 {
        match *self {
            Windows::Time { size_ms, grace_ms, .. } => size_ms + grace_ms,
            Windows::Sliding { time_difference_ms, grace_ms } => time_difference_ms + grace_ms,
            Windows::Session { inactivity_gap_ms, grace_ms } => inactivity_gap_ms + grace_ms,
        }
    }

    /// Whether window `w` no longer accepts records once the aggregation's
    /// observed stream time is `stream_time_ms`.
    pub fn is_closed(&self, w: Window, stream_time_ms: i64) -> bool {
        match *self {
            // TimeWindows: end exclusive; KStreamWindowAggregate keeps a window
            // while `windowEnd > observedStreamTime − grace`.
            Windows::Time { grace_ms, .. } => w.end_ms + grace_ms <= stream_time_ms,
            // Sliding windows: end inclusive; closed once `windowEnd < observedStreamTime − grace`.
            Windows::Sliding { grace_ms, .. } => w.end_ms + grace_ms < stream_time_ms,
            // Sessions: `mergedWindow.end() < observedStreamTime − grace − gap`.
            Windows::Session { inactivity_gap_ms, grace_ms } => {
                w.end_ms + grace_ms + inactivity_gap_ms < stream_time_ms
            }
        }
    }
}

fn check_grace(grace_ms: i64) -> Result<(), WindowsError> {
    if grace_ms < 0 {
        return Err(WindowsError("Grace period must not be negative.".into()));
    }
    Ok(())
}

/// `TimeWindows.windowsFor(timestamp)`: every window containing `t`, oldest first.
pub fn time_windows_for(size_ms: i64, advance_ms: i64, t: i64) -> Vec<Window> {
    let mut start = ((t - size_ms + advance_ms).max(0) / advance_ms) * advance_ms;
    let mut windows = Vec::new();
    while start <= t {
        windows.push(Window::new(start, start + size_ms));
        start += advance_ms;
    }
    windows
}

/// The sliding windows that exist over a key's record timestamps: each
/// record's left window, and every right window some later record falls in.
/// Sorted by start.
pub fn sliding_windows_over(time_difference_ms: i64, timestamps: &[i64]) -> Vec<Window> {
    let mut windows: Vec<Window> = Vec::new();
    for &t in timestamps {
        windows.push(Window::new((t - time_difference_ms).max(0), t));
        let right = Window::new(t + 1, t + 1 + time_difference_ms);
        if timestamps.iter().any(|&u| u >= right.start_ms && u <= right.end_ms) {
            windows.push(right);
        }
    }
    windows.sort();
    windows.dedup();
    windows
}

/// Where a record at `t` lands among a key's sessions: the session it
/// creates or extends, and the existing sessions merged into it (Kafka's
/// `KStreamSessionWindowAggregate`: every session whose `[start − gap,
/// end + gap]` contains `t`).
pub fn session_merge(inactivity_gap_ms: i64, sessions: &[Window], t: i64) -> (Window, Vec<Window>) {
    let merged: Vec<Window> = sessions
        .iter()
        .copied()
        .filter(|s| t >= s.start_ms - inactivity_gap_ms && t <= s.end_ms + inactivity_gap_ms)
        .collect();
    let start = merged.iter().map(|s| s.start_ms).chain([t]).min().unwrap_or(t);
    let end = merged.iter().map(|s| s.end_ms).chain([t]).max().unwrap_or(t);
    (Window::new(start, end), merged)
}

#[cfg(test)]
mod tests {
    use super::*;

    // Ported from TimeWindowsTest.shouldComputeWindowsForHoppingWindows.
    #[test]
    fn hopping_windows_for_a_timestamp() {
        let w = time_windows_for(12, 5, 21);
        assert_eq!(w.len() as i64, 12 / 5 + 1);
        assert_eq!(w, vec![Window::new(10, 22), Window::new(15, 27), Window::new(20, 32)]);
    }

    // Ported from TimeWindowsTest.shouldComputeWindowsForBarelyOverlappingHoppingWindows.
    #[test]
    fn barely_overlapping_hopping_windows() {
        assert_eq!(time_windows_for(6, 5, 7), vec![Window::new(5, 11)]);
    }

    // Ported from TimeWindowsTest.shouldComputeWindowsForTumblingWindows.
    #[test]
    fn tumbling_window_for_a_timestamp() {
        assert_eq!(time_windows_for(12, 12, 21), vec![Window::new(12, 24)]);
    }

    #[test]
    fn early_timestamps_start_at_the_epoch() {
        assert_eq!(time_windows_for(10, 5, 3), vec![Window::new(0, 10)]);
    }

    // Ported from TimeWindowsTest: windowSizeMustNotBeZero / Negative,
    // advanceIntervalMustNotBeZero / Negative / LargerThanWindowSize,
    // gracePeriodShouldEnforceBoundaries.
    #[test]
    fn time_windows_refuse_what_kafka_refuses() {
        assert!(Windows::time(0, None, 0).is_err());
        assert!(Windows::time(-1, None, 0).is_err());
        assert!(Windows::time(10, Some(0), 0).is_err());
        assert!(Windows::time(10, Some(-1), 0).is_err());
        let too_far = Windows::time(10, Some(11), 0).unwrap_err();
        assert_eq!(
            too_far.0,
            "Window advancement interval should be more than zero and less than window duration which is 10 ms, but given advancement interval is: 11 ms"
        );
        assert_eq!(Windows::time(3, None, -1).unwrap_err().0, "Grace period must not be negative.");
        assert!(Windows::time(3, None, 0).is_ok());
    }

    // Ported from SlidingWindowsTest: timeDifferenceMustNotBeNegative, gracePeriodMustNotBeNegative.
    #[test]
    fn sliding_windows_refuse_what_kafka_refuses() {
        assert!(Windows::sliding(-1, 5).is_err());
        assert!(Windows::sliding(10, -1).is_err());
        assert_eq!(Windows::sliding(10, 7).unwrap().grace_ms(), 7);
    }

    // Ported from SessionWindowsTest: windowSizeMustNotBeZero / Negative,
    // gracePeriodShouldEnforceBoundaries, noGraceAPIShouldNotSetGracePeriod.
    #[test]
    fn session_windows_refuse_what_kafka_refuses() {
        assert!(Windows::session(0, 0).is_err());
        assert!(Windows::session(-1, 0).is_err());
        assert!(Windows::session(3, -1).is_err());
        assert_eq!(Windows::session(3, 0).unwrap().grace_ms(), 0);
    }

    // The example of SlidingWindows' Javadoc (KIP-450): difference 5000,
    // records at 8000, 9200 and 12400.
    #[test]
    fn sliding_windows_of_the_kip_450_example() {
        assert_eq!(
            sliding_windows_over(5000, &[8000, 9200, 12400]),
            vec![
                Window::new(3000, 8000),
                Window::new(4200, 9200),
                Window::new(7400, 12400),
                Window::new(8001, 13001),
                Window::new(9201, 14201),
            ]
        );
    }

    #[test]
    fn a_record_inside_the_gap_extends_a_session() {
        let (s, merged) = session_merge(5, &[Window::new(0, 0)], 4);
        assert_eq!(s, Window::new(0, 4));
        assert_eq!(merged, vec![Window::new(0, 0)]);
        let (s, merged) = session_merge(5, &[Window::new(0, 0)], 6);
        assert_eq!(s, Window::new(6, 6), "6 is more than the gap after 0: a new session");
        assert!(merged.is_empty());
    }

    #[test]
    fn a_late_record_bridges_two_sessions() {
        let sessions = [Window::new(0, 2), Window::new(10, 12)];
        let (s, merged) = session_merge(5, &sessions, 6);
        assert_eq!(s, Window::new(0, 12));
        assert_eq!(merged.len(), 2);
    }

    #[test]
    fn windows_close_at_end_plus_grace() {
        let tumbling = Windows::time(10, None, 2).unwrap();
        let w = Window::new(0, 10);
        assert!(!tumbling.is_closed(w, 11));
        assert!(tumbling.is_closed(w, 12), "end 10 + grace 2: closed at stream time 12");
        let sliding = Windows::sliding(5, 2).unwrap();
        assert!(!sliding.is_closed(w, 12), "a sliding window's end is inclusive");
        assert!(sliding.is_closed(w, 13));
        let session = Windows::session(5, 2).unwrap();
        assert!(!session.is_closed(w, 17), "a session stays open while a record could still extend it");
        assert!(session.is_closed(w, 18));
    }
}
