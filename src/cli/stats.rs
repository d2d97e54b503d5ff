//! `kafkasim run --stats`: what a run cost — events, records, virtual and
//! wall time, rates and peak memory — printed to stderr so the run's own
//! output (text or JSON) stays as it is.

use std::time::{Duration, Instant};

use crate::world::World;

/// The wall clock, for measuring the simulator itself; it never reaches the
/// simulation, which runs in virtual time.
#[allow(clippy::disallowed_methods)]
pub fn wall_clock() -> Instant {
    Instant::now()
}

/// Peak resident memory of this process (`VmHWM` on Linux), in bytes.
pub fn peak_memory_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

fn per_second(count: u64, wall: Duration) -> String {
    let secs = wall.as_secs_f64();
    if secs <= 0.0 {
        return "-".to_string();
    }
    let rate = count as f64 / secs;
    if rate >= 1e6 { format!("{:.2} M/s", rate / 1e6) } else { format!("{:.0}/s", rate) }
}

/// The stats block.
pub fn render(world: &World, wall: Duration) -> String {
    let records: u64 = world.producers.iter().map(|p| p.sent).sum();
    let memory = peak_memory_bytes().map_or("unknown".to_string(), |b| format!("{:.1} MiB", b as f64 / 1048576.0));
    format!(
        "stats:\n  events          {}\n  records         {}\n  virtual time    {}\n  wall time       {:.3}s\n  events/s        {}\n  records/s       {}\n  peak memory     {}\n",
        world.steps,
        records,
        world.now,
        wall.as_secs_f64(),
        per_second(world.steps, wall),
        per_second(records, wall),
        memory,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_read_well() {
        assert_eq!(per_second(3_000_000, Duration::from_secs(2)), "1.50 M/s");
        assert_eq!(per_second(500, Duration::from_millis(500)), "1000/s");
        assert_eq!(per_second(5, Duration::ZERO), "-");
    }

    #[test]
    fn peak_memory_is_read_on_linux() {
        if cfg!(target_os = "linux") {
            assert!(peak_memory_bytes().is_some_and(|b| b > 1024 * 1024));
        }
    }
}
