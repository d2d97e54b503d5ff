//! Seeded randomness, split into one independent stream per purpose.
//!
//! Every random choice in a run comes from the scenario seed. Each subsystem
//! (the network, each producer, each consumer, replica placement, ...) asks for
//! a stream by name; the name selects a ChaCha stream of the root seed, so adding
//! a consumer to a scenario does not change the network jitter the others see.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// The random generator every actor uses: portable and reproducible.
pub type SimRng = ChaCha8Rng;

/// Derives named random streams from one seed, and remembers which it handed out
/// so the trace header can list them with the first number each gives: what
/// the seed decided, so two runs can be compared stream by stream.
#[derive(Clone, Debug)]
pub struct RngStreams {
    seed: u64,
    issued: Vec<(String, u64)>,
}

impl RngStreams {
    pub fn new(seed: u64) -> Self {
        RngStreams { seed, issued: Vec::new() }
    }

    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// The stream for `name`, e.g. `"network"` or `"producer/p1"`.
    pub fn stream(&mut self, name: &str) -> SimRng {
        let mut rng = ChaCha8Rng::seed_from_u64(self.seed);
        rng.set_stream(stream_id(name));
        // Drawn from a copy: the stream itself starts with this number.
        self.issued.push((name.to_string(), rng.clone().next_u64()));
        rng
    }

    /// A stream for something only some runs do (creating a topic while the
    /// cluster runs): not listed in the trace header, so the runs that never
    /// draw from it keep the header they had.
    pub fn unlisted(&self, name: &str) -> SimRng {
        let mut rng = ChaCha8Rng::seed_from_u64(self.seed);
        rng.set_stream(stream_id(name));
        rng
    }

    /// Every stream handed out so far, with the first number it gives.
    pub fn issued(&self) -> &[(String, u64)] {
        &self.issued
    }
}

/// FNV-1a over the name: a fixed, documented mapping from a stream's name to its
/// ChaCha stream number, identical on every platform and Rust version.
pub fn stream_id(name: &str) -> u64 {
    const OFFSET_BASIS: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    name.bytes().fold(OFFSET_BASIS, |hash, byte| (hash ^ u64::from(byte)).wrapping_mul(PRIME))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::RngExt;

    #[test]
    fn same_seed_and_name_give_the_same_stream() {
        let mut a = RngStreams::new(7).stream("network");
        let mut b = RngStreams::new(7).stream("network");
        let xs: Vec<u32> = (0..5).map(|_| a.random_range(0..1000)).collect();
        let ys: Vec<u32> = (0..5).map(|_| b.random_range(0..1000)).collect();
        assert_eq!(xs, ys);
    }

    #[test]
    fn streams_are_independent_of_each_other() {
        let mut streams = RngStreams::new(7);
        let mut net = streams.stream("network");
        let mut p1 = streams.stream("producer/p1");
        let a: Vec<u32> = (0..5).map(|_| net.random_range(0..1_000_000)).collect();
        let b: Vec<u32> = (0..5).map(|_| p1.random_range(0..1_000_000)).collect();
        assert_ne!(a, b);
        assert_eq!(streams.issued().len(), 2);
    }

    #[test]
    fn what_is_issued_depends_on_the_seed() {
        // The header shows these: a different seed must show different numbers.
        let first = |seed| RngStreams::new(seed).stream("network").next_u64();
        let mut one = RngStreams::new(1);
        let mut two = RngStreams::new(2);
        let _ = (one.stream("network"), two.stream("network"));
        assert_ne!(one.issued(), two.issued());
        assert_eq!(one.issued()[0].1, first(1), "the first number the stream gives");
    }

    #[test]
    fn stream_ids_are_pinned() {
        // FNV-1a test vector: changing this would change every trace ever recorded.
        assert_eq!(stream_id(""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(stream_id("a"), 0xaf63_dc4c_8601_ec8c);
    }
}
