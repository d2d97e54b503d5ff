//! Virtual time paced to the wall clock: the one place live mode reads a
//! clock. `--speed 0.5` runs the cluster at half speed, for watching.

use std::time::Instant;

use crate::engine::SimTime;

/// Maps wall-clock time since the start onto virtual time.
#[derive(Clone, Copy, Debug)]
pub struct Pacer {
    started: Instant,
    virtual_start: SimTime,
    speed: f64,
}

impl Pacer {
    #[allow(clippy::disallowed_methods)] // live mode follows the wall clock by design
    pub fn start(virtual_start: SimTime, speed: f64) -> Pacer {
        Pacer { started: Instant::now(), virtual_start, speed }
    }

    /// The virtual time that corresponds to now.
    pub fn now(&self) -> SimTime {
        let micros = self.started.elapsed().as_secs_f64() * 1e6 * self.speed;
        SimTime::from_micros(self.virtual_start.as_micros().saturating_add(micros as u64))
    }
}
