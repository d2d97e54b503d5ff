//! A progress bar on stderr for runs that take more than a moment, when
//! stderr is a terminal: how much of the scenario's virtual time is done.

use std::io::IsTerminal;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};

use crate::engine::SimTime;

/// Shown only after this much wall time: short runs stay quiet.
const DELAY: Duration = Duration::from_millis(400);

pub struct Progress {
    started: Instant,
    end: SimTime,
    enabled: bool,
    bar: Option<ProgressBar>,
}

impl Progress {
    pub fn new(end: SimTime) -> Self {
        Progress { started: super::stats::wall_clock(), end, enabled: std::io::stderr().is_terminal(), bar: None }
    }

    /// The run has reached virtual time `now`.
    pub fn update(&mut self, now: SimTime) {
        if !self.enabled {
            return;
        }
        if self.bar.is_none() {
            if self.started.elapsed() < DELAY {
                return;
            }
            let bar = ProgressBar::new(self.end.as_micros().max(1));
            bar.set_style(
                ProgressStyle::with_template("{spinner} simulating {bar:40} {percent:>3}% of virtual time · {elapsed}")
                    .expect("a valid template"),
            );
            self.bar = Some(bar);
        }
        if let Some(bar) = &self.bar {
            bar.set_position(now.as_micros());
        }
    }

    pub fn finish(self) {
        if let Some(bar) = self.bar {
            bar.finish_and_clear();
        }
    }
}
