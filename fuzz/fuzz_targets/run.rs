//! Small fuzzed scenarios run to the end with Kafka's invariants checked
//! after every event: no panic, no invariant violation, bounded time. Seed
//! the corpus with the course scenarios (`fuzz/seed-corpus.sh`); libFuzzer's
//! mutations of them are mostly valid scenarios that do unusual things.

#![no_main]

use kafkasim::engine::SimTime;
use kafkasim::trace::sink::NullSink;
use kafkasim::world::{BuildOptions, SimError, World};
use libfuzzer_sys::fuzz_target;

/// Bounds that keep one input fast: a few minutes of virtual time, a few
/// hundred thousand events, a few thousand records.
const MAX_VIRTUAL_TIME_US: u64 = 300 * 1_000_000;
const MAX_EVENTS: u64 = 300_000;
const MAX_RECORDS: u64 = 5_000;

fuzz_target!(|data: &[u8]| {
    let Ok(mut scenario) = kafkasim::scenario::load_bytes("fuzzed.yaml", data) else { return };
    if scenario.planned_records() > MAX_RECORDS {
        return;
    }
    scenario.run_for = scenario.run_for.min(SimTime::from_micros(MAX_VIRTUAL_TIME_US));
    scenario.limits.max_events = scenario.limits.max_events.min(MAX_EVENTS);
    let mut world = World::new(scenario, BuildOptions { seed: None, check_invariants: true });
    match world.run(&mut NullSink) {
        Ok(()) | Err(SimError::EventLimit { .. }) => {}
        Err(e @ SimError::Invariant { .. }) => panic!("{e}"),
    }
});
