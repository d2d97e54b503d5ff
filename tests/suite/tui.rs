//! The terminal UI's screens at chosen moments, drawn off screen and
//! compared with reviewed snapshots; and the real binary driven in tmux.

use std::process::Command;
use std::time::Duration;

use kafkasim::scenario::{builtin, load_str};
use kafkasim::tui::app::{App, Msg};
use kafkasim::tui::theme::Theme;
use kafkasim::tui::view::screen_text;

use super::support::snapshot_settings;

const WIDTH: u16 = 120;
const HEIGHT: u16 = 40;

fn app(name: &str) -> App {
    let text = builtin::find(name).expect("built-in scenario");
    let scenario = load_str(&format!("{name} (built-in)"), text).expect("loads");
    kafkasim::tui::app_for(scenario, None, Theme { color: false })
}

fn go_to(app: &mut App, time: &str) {
    app.update(Msg::GoToPrompt);
    for c in time.chars() {
        app.update(Msg::Input(c));
    }
    app.update(Msg::Submit);
}

/// Steps forward until `stop` holds of the app; panics if the run ends first.
fn forward_until(app: &mut App, what: &str, stop: impl Fn(&mut App) -> bool) {
    while !stop(app) {
        let step = app.timeline.step();
        app.update(Msg::Forward);
        assert!(app.timeline.step() > step, "the run ended before {what}");
    }
}

fn snapshot(name: &str, app: &mut App) {
    let screen = screen_text(app, WIDTH, HEIGHT);
    snapshot_settings().bind(|| insta::assert_snapshot!(name, screen));
}

#[test]
fn screen_with_a_broker_dead() {
    let mut app = app("broker-death");
    go_to(&mut app, "20s");
    let screen = screen_text(&mut app, WIDTH, HEIGHT);
    assert!(screen.contains("✗ broker 1  dead"), "{screen}");
    snapshot("tui_broker_dead", &mut app);
}

#[test]
fn screen_with_a_rebalance_in_progress() {
    let mut app = app("rebalance-eager-vs-cooperative");
    go_to(&mut app, "40s");
    forward_until(&mut app, "a rebalance", |app| {
        app.refresh_derived();
        app.derived().groups.iter().any(|g| g.state.ends_with("Rebalance"))
    });
    let screen = screen_text(&mut app, WIDTH, HEIGHT);
    assert!(screen.contains("rebalancing"), "{screen}");
    snapshot("tui_rebalance_in_progress", &mut app);
}

#[test]
fn screen_with_a_third_idle_consumer() {
    let mut app = app("third-consumer-idle");
    go_to(&mut app, "30s");
    let screen = screen_text(&mut app, WIDTH, HEIGHT);
    assert!(screen.contains("c3 polling · idle: no partition"), "{screen}");
    snapshot("tui_third_consumer_idle", &mut app);
}

#[test]
fn screen_after_acks_1_loses_records() {
    let mut app = app("acks-1-loss");
    forward_until(&mut app, "the new leader", |app| {
        app.world().cluster_metadata().partitions().any(|(_, p)| p.leader_epoch > 0)
    });
    let screen = screen_text(&mut app, WIDTH, HEIGHT);
    assert!(screen.contains("acknowledged lost"), "{screen}");
    snapshot("tui_acks_1_loss", &mut app);
}

#[test]
fn a_small_terminal_is_told_the_size_it_needs() {
    let mut app = app("producer-consumer");
    let screen = screen_text(&mut app, 60, 20);
    assert!(screen.contains("at least 80×24"), "{screen}");
}

/// The event number in the header (`event 747/4234`).
fn event_number(screen: &str) -> u64 {
    let after = screen.split("event ").nth(1).expect("the header shows the event number");
    after.split('/').next().and_then(|n| n.trim().parse().ok()).expect("a number")
}

/// The real binary in a real terminal: tmux runs it; keys go in, the
/// screen comes out. Skipped where tmux is not installed.
#[test]
fn the_binary_plays_in_a_real_terminal() {
    if Command::new("tmux").arg("-V").output().is_err() {
        eprintln!("tmux is not installed: skipping the end-to-end terminal test");
        return;
    }
    let session = format!("kafkasim-e2e-{}", std::process::id());
    // A detached session needs no terminal of its own, but tmux wants TERM set.
    let term = std::env::var("TERM").ok().filter(|t| !t.is_empty() && t != "dumb").unwrap_or("xterm-256color".into());
    let tmux = |args: &[&str]| Command::new("tmux").args(args).env("TERM", &term).output().expect("tmux runs");
    let capture = || String::from_utf8_lossy(&tmux(&["capture-pane", "-p", "-t", &session]).stdout).into_owned();
    // Waits (a bounded number of polls) for the screen to show `text`.
    let wait_for = |text: &str| {
        for _ in 0..200 {
            let screen = capture();
            if screen.contains(text) {
                return screen;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("the screen never showed {text:?}; it shows:\n{}", capture());
    };
    let command = format!("{} play third-consumer-idle", env!("CARGO_BIN_EXE_kafkasim"));
    let started = tmux(&["new-session", "-d", "-s", &session, "-x", "120", "-y", "40", &command]);
    assert!(started.status.success(), "tmux: {}", String::from_utf8_lossy(&started.stderr));
    let result = std::panic::catch_unwind(|| {
        wait_for("event 0/");
        tmux(&["send-keys", "-t", &session, "g", "3", "0", "s", "Enter"]);
        let screen = wait_for("t=30.000s");
        assert!(screen.contains("idle: no partition"), "{screen}");
        let at_30s = event_number(&screen);
        tmux(&["send-keys", "-t", &session, "Left"]);
        let mut stepped_back = false;
        for _ in 0..200 {
            if event_number(&capture()) < at_30s {
                stepped_back = true;
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        assert!(stepped_back, "← did not step back from event {at_30s}:\n{}", capture());
        tmux(&["send-keys", "-t", &session, "?"]);
        wait_for("play / pause");
        tmux(&["send-keys", "-t", &session, "Escape", "q"]);
        for _ in 0..200 {
            if !tmux(&["has-session", "-t", &session]).status.success() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("q did not quit; the screen shows:\n{}", capture());
    });
    tmux(&["kill-session", "-t", &session]);
    if let Err(panic) = result {
        std::panic::resume_unwind(panic);
    }
}

/// Every built-in lesson opens, steps forward and back to the same screen,
/// and draws its last step.
#[test]
fn every_built_in_scenario_steps_forward_and_back() {
    for (name, _) in builtin::BUILTIN {
        let mut app = app(name);
        app.update(Msg::NextMarker);
        let before = screen_text(&mut app, WIDTH, HEIGHT);
        for _ in 0..5 {
            app.update(Msg::Forward);
        }
        for _ in 0..5 {
            app.update(Msg::Back);
        }
        assert_eq!(screen_text(&mut app, WIDTH, HEIGHT), before, "{name}: back after forward");
        app.update(Msg::End);
        go_to(&mut app, "365d");
        assert_eq!(app.timeline.step(), app.timeline.total_steps, "{name}");
        let end = screen_text(&mut app, WIDTH, HEIGHT);
        assert!(end.contains("· end"), "{name}: the header says the run ended");
        assert!(app.timeline.failure.is_none(), "{name}: {:?}", app.timeline.failure);
    }
}

#[test]
fn the_registry_and_an_avro_records_schema_are_on_screen() {
    let mut app = app("avro-orders");
    go_to(&mut app, "12s");
    let screen = screen_text(&mut app, WIDTH, HEIGHT);
    assert!(screen.contains("● schema-registry serving · orders-value v1"), "{screen}");
    // The partition inspector on orders-0: each Avro record's schema, decoded value and bytes.
    app.focus = kafkasim::tui::app::Pane::Logs;
    app.selected[app.focus as usize] = 0;
    let (title, lines) = kafkasim::tui::overlay::inspect(&app);
    assert_eq!(title, "Partition orders-0");
    let text = lines.join("\n");
    assert!(text.contains("schema ID 1 = orders-value v1 (ksql.orders)"), "{text}");
    assert!(text.contains("value {\"ordertime\":"), "{text}");
    assert!(text.contains("wire  00 | 00 00 00 01 | "), "{text}");
}
