//! A watchdog on the run loop: virtual time must advance.
//!
//! A model that answers a request at once and is asked again at once (a
//! network without latency, a timer of zero delay) can spin at one instant
//! forever; the event limit would stop it only after tens of millions of
//! events, and blame the run's length. The watchdog counts the events at
//! the current instant and stops the run when there are more than any run
//! makes, saying which actors were busy. For the same purpose it samples
//! the last events before the event limit, so that error names them too.

use std::collections::BTreeMap;

use super::SimTime;

/// More events at one virtual instant than any model of this size makes:
/// the course scenarios peak in the hundreds, a burst of a million records
/// written over a network without latency in the tens of thousands.
pub const MAX_EVENTS_AT_ONE_INSTANT: u64 = 200_000;

/// How many events before a stop are sampled to name the busiest actors.
const SAMPLED_EVENTS: u64 = 10_000;

/// What the watchdog wants from the run loop for the next event.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Watch {
    /// Nothing: carry on.
    Fine,
    /// Carry on, and say what the event is (see [`Watchdog::sample`]).
    Sample,
    /// Virtual time has not moved for [`MAX_EVENTS_AT_ONE_INSTANT`] events.
    Stalled,
}

#[derive(Clone, Debug, Default)]
pub struct Watchdog {
    instant: SimTime,
    at_instant: u64,
    /// Events by what they were, while sampling; `None` otherwise, so the
    /// world's copies (the TUI keeps hundreds) stay small.
    sampled: Option<BTreeMap<String, u64>>,
}

impl Watchdog {
    /// The next event happens at `time`; `steps_left` is how many events the
    /// run may still handle under its limit.
    pub fn observe(&mut self, time: SimTime, steps_left: u64) -> Watch {
        if time == self.instant {
            self.at_instant += 1;
        } else {
            self.instant = time;
            self.at_instant = 1;
            // A sample of a stall that did not happen.
            if steps_left > SAMPLED_EVENTS {
                self.sampled = None;
            }
        }
        if self.at_instant > MAX_EVENTS_AT_ONE_INSTANT {
            Watch::Stalled
        } else if self.at_instant > MAX_EVENTS_AT_ONE_INSTANT - SAMPLED_EVENTS || steps_left <= SAMPLED_EVENTS {
            Watch::Sample
        } else {
            Watch::Fine
        }
    }

    /// Counts one sampled event by what it was.
    pub fn sample(&mut self, what: String) {
        *self.sampled.get_or_insert_default().entry(what).or_insert(0) += 1;
    }

    /// Events at the current instant so far.
    pub fn events_at_instant(&self) -> u64 {
        self.at_instant
    }

    /// The most frequent sampled events, most frequent first.
    pub fn busiest(&self, n: usize) -> Vec<(String, u64)> {
        let mut all: Vec<(String, u64)> =
            self.sampled.iter().flat_map(|s| s.iter()).map(|(what, &count)| (what.clone(), count)).collect();
        // Ties keep the names' order, so the message is the same every run.
        all.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        all.truncate(n);
        all
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_that_moves_is_fine() {
        let mut dog = Watchdog::default();
        for t in 0..1_000_000 {
            assert_eq!(dog.observe(SimTime::from_micros(t / 3), u64::MAX), Watch::Fine);
        }
    }

    #[test]
    fn time_that_stands_still_is_stopped_with_the_busiest_named() {
        let mut dog = Watchdog::default();
        let at = SimTime::from_micros(7);
        let mut watch = Watch::Fine;
        let mut n = 0;
        while watch != Watch::Stalled {
            watch = dog.observe(at, u64::MAX);
            if watch == Watch::Sample {
                dog.sample(if n % 3 == 0 { "timer".to_string() } else { "fetch".to_string() });
            }
            n += 1;
        }
        assert_eq!(dog.events_at_instant(), MAX_EVENTS_AT_ONE_INSTANT + 1);
        let busiest = dog.busiest(5);
        assert_eq!(busiest.iter().map(|(w, _)| w.as_str()).collect::<Vec<_>>(), ["fetch", "timer"]);
        assert_eq!(busiest.iter().map(|(_, c)| c).sum::<u64>(), SAMPLED_EVENTS);
    }

    #[test]
    fn the_last_events_before_the_limit_are_sampled() {
        let mut dog = Watchdog::default();
        assert_eq!(dog.observe(SimTime::from_micros(1), SAMPLED_EVENTS + 1), Watch::Fine);
        assert_eq!(dog.observe(SimTime::from_micros(2), SAMPLED_EVENTS), Watch::Sample);
    }
}
