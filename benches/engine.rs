//! The engine's cost floor: a timer/message ping-pong through the event
//! queue, two actors answering each other one microsecond later, as
//! SimPy's classic ping-pong does. Run with `cargo bench --bench engine`.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use kafkasim::engine::{EventQueue, SimDuration, SimTime};

/// Who receives an event.
#[derive(Clone, Copy)]
enum Ping {
    ToA(u32),
    ToB(u32),
}

/// Runs `events` events of ping-pong (plus a few timers always pending, as
/// a real run has) and returns the final time, so nothing is optimised away.
fn ping_pong(events: u64) -> SimTime {
    let mut queue = EventQueue::with_capacity(64);
    let step = SimDuration::from_micros(1);
    // Background timers, like heartbeats and session checks.
    for i in 0..32u32 {
        queue.push(SimTime::from_micros(1_000_000_000 + u64::from(i)), Ping::ToB(i));
    }
    queue.push(SimTime::ZERO, Ping::ToA(0));
    let mut now = SimTime::ZERO;
    for _ in 0..events {
        let (time, event) = queue.pop().expect("ping-pong never runs dry");
        now = time;
        let next = match event {
            Ping::ToA(n) => Ping::ToB(n.wrapping_add(1)),
            Ping::ToB(n) => Ping::ToA(n.wrapping_add(1)),
        };
        queue.push(now + step, next);
    }
    now
}

fn engine(c: &mut Criterion) {
    const EVENTS: u64 = 1_000_000;
    let mut group = c.benchmark_group("engine");
    group.throughput(Throughput::Elements(EVENTS));
    group.bench_function("ping-pong (events/s)", |b| b.iter(|| ping_pong(EVENTS)));
    group.finish();
}

criterion_group!(benches, engine);
criterion_main!(benches);
