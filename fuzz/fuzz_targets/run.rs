//! Small fuzzed scenarios run to the end with Kafka's invariants checked
//! after every event: no panic, no invariant violation, bounded time. Seed
//! the corpus with the course scenarios (`fuzz/seed-corpus.sh`); libFuzzer's
//! mutations of them are mostly valid scenarios that do unusual things.
//! (`kafkasim::fuzz::run`)

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| kafkasim::fuzz::run(data));
