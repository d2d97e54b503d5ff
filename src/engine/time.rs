//! Virtual time: microseconds since the start of a scenario.
//!
//! Kafka's configs are in milliseconds (`linger.ms`, `session.timeout.ms`); the
//! simulator keeps microseconds so network latencies below a millisecond still
//! order events sensibly. Time only moves when the engine pops an event.

use std::fmt;
use std::ops::{Add, AddAssign, Sub};

use serde::Serialize;

/// A point in virtual time, in microseconds since the scenario started.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct SimTime(u64);

/// A span of virtual time, in microseconds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct SimDuration(u64);

impl SimTime {
    pub const ZERO: SimTime = SimTime(0);
    pub const MAX: SimTime = SimTime(u64::MAX);

    pub const fn from_micros(micros: u64) -> Self {
        SimTime(micros)
    }
    pub const fn from_millis(millis: u64) -> Self {
        SimTime(millis.saturating_mul(1_000))
    }
    pub const fn as_micros(self) -> u64 {
        self.0
    }
    /// Milliseconds since the start, as Kafka timestamps are kept.
    pub const fn as_millis(self) -> i64 {
        (self.0 / 1_000) as i64
    }
    pub fn saturating_sub(self, earlier: SimTime) -> SimDuration {
        SimDuration(self.0.saturating_sub(earlier.0))
    }
}

impl SimDuration {
    pub const ZERO: SimDuration = SimDuration(0);
    pub const MAX: SimDuration = SimDuration(u64::MAX);

    pub const fn from_micros(micros: u64) -> Self {
        SimDuration(micros)
    }
    pub const fn from_millis(millis: u64) -> Self {
        SimDuration(millis.saturating_mul(1_000))
    }
    pub const fn from_secs(secs: u64) -> Self {
        SimDuration(secs.saturating_mul(1_000_000))
    }
    pub const fn as_micros(self) -> u64 {
        self.0
    }
    pub const fn as_millis(self) -> u64 {
        self.0 / 1_000
    }
    pub fn times(self, factor: u64) -> SimDuration {
        SimDuration(self.0.saturating_mul(factor))
    }
    pub fn is_zero(self) -> bool {
        self.0 == 0
    }
    /// As a clock reading (`3.012s`), for columns where durations line up.
    pub fn as_clock(self) -> String {
        SimTime(self.0).to_string()
    }
}

impl Add<SimDuration> for SimTime {
    type Output = SimTime;
    fn add(self, rhs: SimDuration) -> SimTime {
        SimTime(self.0.saturating_add(rhs.0))
    }
}

impl AddAssign<SimDuration> for SimTime {
    fn add_assign(&mut self, rhs: SimDuration) {
        self.0 = self.0.saturating_add(rhs.0);
    }
}

impl Add for SimDuration {
    type Output = SimDuration;
    fn add(self, rhs: SimDuration) -> SimDuration {
        SimDuration(self.0.saturating_add(rhs.0))
    }
}

impl std::ops::Div<u64> for SimDuration {
    type Output = SimDuration;
    fn div(self, rhs: u64) -> SimDuration {
        SimDuration(self.0 / rhs.max(1))
    }
}

impl Sub for SimTime {
    type Output = SimDuration;
    fn sub(self, rhs: SimTime) -> SimDuration {
        self.saturating_sub(rhs)
    }
}

/// Renders as `1.002s`, `1h02m03.004s` or `2d03h04m05.006s`: millisecond
/// precision, the unit a student reads Kafka's timers in.
fn write_clock(f: &mut fmt::Formatter<'_>, micros: u64) -> fmt::Result {
    let total_ms = micros / 1_000;
    let ms = total_ms % 1_000;
    let total_s = total_ms / 1_000;
    let (days, hours, minutes, seconds) = (total_s / 86_400, (total_s / 3_600) % 24, (total_s / 60) % 60, total_s % 60);
    if days > 0 {
        write!(f, "{days}d{hours:02}h{minutes:02}m{seconds:02}.{ms:03}s")
    } else if hours > 0 {
        write!(f, "{hours}h{minutes:02}m{seconds:02}.{ms:03}s")
    } else {
        write!(f, "{}.{ms:03}s", total_s)
    }
}

impl fmt::Display for SimTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_clock(f, self.0)
    }
}

/// Renders like the scenario files write durations: `250ms`, `1m 30s`, `1day`.
impl fmt::Display for SimDuration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0 == 0 {
            return f.write_str("0s");
        }
        write!(f, "{}", humantime::format_duration(std::time::Duration::from_micros(self.0)))
    }
}

impl From<std::time::Duration> for SimDuration {
    fn from(d: std::time::Duration) -> Self {
        SimDuration(u64::try_from(d.as_micros()).unwrap_or(u64::MAX))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clock_reads_like_a_stopwatch() {
        assert_eq!(SimTime::from_micros(1_002_345).to_string(), "1.002s");
        assert_eq!(SimTime::from_millis(3_723_004).to_string(), "1h02m03.004s");
        assert_eq!(SimTime::from_millis(2 * 86_400_000 + 3_723_004).to_string(), "2d01h02m03.004s");
        assert_eq!(SimDuration::from_millis(250).to_string(), "250ms");
        assert_eq!(SimDuration::from_micros(40).to_string(), "40us");
        assert_eq!(SimDuration::from_secs(90).to_string(), "1m 30s");
    }

    #[test]
    fn arithmetic_saturates_instead_of_wrapping() {
        assert_eq!(SimTime::MAX + SimDuration::from_secs(1), SimTime::MAX);
        assert_eq!(SimTime::ZERO.saturating_sub(SimTime::from_micros(5)), SimDuration::ZERO);
    }
}
