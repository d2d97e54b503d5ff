//! Kafka's one backoff formula for client timers (`ExponentialBackoff`):
//! `initial · 2^min(n, log2(max / initial))`, times a random factor in
//! `[1 − 0.2, 1 + 0.2)`, capped at `max`. With `max ≤ initial` the value is
//! constant and has no jitter. Reconnect backoff, connection set-up timeout
//! and retry backoff all use it.

use rand::RngExt;

use crate::engine::{SimDuration, SimRng};

/// `ExponentialBackoff(initial, 2, max, 0.2).backoff(attempts)`, in
/// milliseconds; `rng` draws the jitter (none without one).
pub fn exponential_backoff(initial_ms: u64, max_ms: u64, attempts: u32, rng: Option<&mut SimRng>) -> SimDuration {
    let initial = initial_ms.min(max_ms);
    if max_ms <= initial_ms {
        return SimDuration::from_millis(initial);
    }
    let exp_max = (max_ms as f64 / initial.max(1) as f64).log2();
    let exp = f64::from(attempts).min(exp_max);
    let term = initial as f64 * 2f64.powf(exp);
    let factor = rng.map_or(1.0, |rng| rng.random_range(0.8..1.2));
    SimDuration::from_millis(((factor * term) as u64).min(max_ms))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    // Ported from Kafka's ExponentialBackoffTest
    // (clients/src/test/java/org/apache/kafka/common/utils/ExponentialBackoffTest.java).

    #[test]
    fn exponential_backoff_within_jitter() {
        // testExponentialBackoff: 100 ms doubling to 2 s, ±20%.
        let mut rng = SimRng::seed_from_u64(1);
        for _ in 0..=100 {
            for attempts in 0..=10u32 {
                let ms = exponential_backoff(100, 2_000, attempts, Some(&mut rng)).as_millis() as f64;
                if attempts <= 4 {
                    let expected = 100.0 * 2f64.powi(attempts as i32);
                    assert!((ms - expected).abs() <= expected * 0.2, "attempt {attempts}: {ms}");
                } else {
                    assert!(ms <= 2_000.0 * 1.2);
                }
            }
        }
    }

    #[test]
    fn grows_by_doubling_to_the_maximum() {
        // testExponentialBackoffWithoutJitter.
        let ms = |n| exponential_backoff(100, 400, n, None).as_millis();
        assert_eq!([ms(0), ms(1), ms(2), ms(3), ms(4)], [100, 200, 400, 400, 400]);
    }

    #[test]
    fn jitter_stays_within_twenty_percent_and_under_the_maximum() {
        let mut rng = SimRng::seed_from_u64(3);
        for attempts in 0..10 {
            let ms = exponential_backoff(50, 1_000, attempts, Some(&mut rng)).as_millis();
            let term = (50u64 << attempts.min(4)).min(1_000) as f64;
            assert!(ms as f64 >= (term * 0.8).floor() && ms <= 1_000, "attempt {attempts}: {ms} ms");
        }
        // The reference's connection set-up timeouts: 8-12 s, then 16-24 s, then 24-30 s.
        let first = exponential_backoff(10_000, 30_000, 0, Some(&mut rng)).as_millis();
        assert!((8_000..12_000).contains(&first));
        let second = exponential_backoff(10_000, 30_000, 1, Some(&mut rng)).as_millis();
        assert!((16_000..24_000).contains(&second));
        let third = exponential_backoff(10_000, 30_000, 2, Some(&mut rng)).as_millis();
        assert!((24_000..=30_000).contains(&third));
    }

    #[test]
    fn a_maximum_at_or_below_the_initial_value_is_constant() {
        let mut rng = SimRng::seed_from_u64(3);
        assert_eq!(exponential_backoff(100, 100, 5, Some(&mut rng)).as_millis(), 100);
        assert_eq!(exponential_backoff(500, 100, 0, Some(&mut rng)).as_millis(), 100);
    }
}
