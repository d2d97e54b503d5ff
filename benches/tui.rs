//! The terminal UI's costs: drawing one frame with 50 partitions, and
//! jumping to an event of a 100,000-event run. Run with `cargo bench --bench tui`.

use criterion::{Criterion, criterion_group, criterion_main};
use kafkasim::scenario::load_str;
use kafkasim::tui::app::App;
use kafkasim::tui::theme::Theme;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

/// 3 brokers, 50 partitions, a producer and a group of 5 consumers.
const FIFTY_PARTITIONS: &str = r#"
name: Fifty partitions
brokers: 3
topics: [{ name: events, partitions: 50, replication_factor: 3 }]
producers:
  - { id: p, topic: events, every: 1ms, count: 20000, key: "key-{n}" }
consumers:
  - { id: c1, group: g, topics: [events], config: { auto.offset.reset: earliest } }
  - { id: c2, like: c1 }
  - { id: c3, like: c1 }
  - { id: c4, like: c1 }
  - { id: c5, like: c1 }
run: 40s
"#;

fn app(text: &str) -> App {
    let scenario = load_str("bench.yaml", text).expect("bench scenario loads");
    let mut app = kafkasim::tui::app_for(scenario, None, Theme { color: true });
    // The TUI simulates a long run in parts while it is shown; measure the whole.
    app.timeline.finish();
    app
}

fn draw(c: &mut Criterion) {
    let mut app = app(FIFTY_PARTITIONS);
    let end = app.timeline.total_steps;
    app.timeline.seek(end);
    let mut terminal = Terminal::new(TestBackend::new(200, 60)).expect("terminal");
    terminal.draw(|f| kafkasim::tui::view::draw(&mut app, f)).expect("draws");
    c.bench_function("tui: draw a frame, 50 partitions", |b| {
        b.iter(|| terminal.draw(|f| kafkasim::tui::view::draw(&mut app, f)).expect("draws").area.width)
    });
}

fn seek(c: &mut Criterion) {
    let mut app = app(FIFTY_PARTITIONS);
    let total = app.timeline.total_steps;
    eprintln!("seek: a run of {total} events");
    // Jump back and forth between far-apart events, as a student does.
    let targets: Vec<u64> = (1..=16).map(|i| total * ((i * 7) % 16) / 16).collect();
    let mut next = 0;
    c.bench_function("tui: jump to an event", |b| {
        b.iter(|| {
            next = (next + 1) % targets.len();
            app.timeline.seek(targets[next]);
            app.timeline.step()
        })
    });
}

criterion_group!(benches, draw, seek);
criterion_main!(benches);
