//! The discrete-event core: virtual time, the event queue and seeded randomness.
//!
//! Nothing in here knows about Kafka. The engine owns time (no wall clock is ever
//! read), orders events by `(time, insertion sequence)` so ties break the same way
//! on every machine, and hands out random-number streams derived from one seed.
//! The Kafka model in `cluster`, `client` and `group` is driven by `world`, which
//! pops events from this queue and dispatches them to actors.

pub mod queue;
pub mod rng;
pub mod time;
pub mod watchdog;

pub use queue::EventQueue;
pub use rng::{RngStreams, SimRng};
pub use time::{SimDuration, SimTime};
pub use watchdog::{Watch, Watchdog};
