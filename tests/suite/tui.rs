//! The terminal UI's screens at chosen moments, drawn off screen and
//! compared with reviewed snapshots; and the real binary driven in tmux.

use std::process::Command;
use std::time::Duration;

use kafkasim::scenario::{builtin, load_str};
use kafkasim::tui::app::{App, Msg, Overlay};
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
    assert!(screen.contains("c3 #3 polling · idle: no partition"), "{screen}");
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

/// The smallest terminal the UI takes.
const SMALL: (u16, u16) = (80, 24);

/// At 80×24 every built-in lesson's first lesson point is on screen: the
/// header keeps the clock, play state and help; the lesson's voice shows;
/// the pane the lesson is about is there. Lessons are pinned as frames.
#[test]
fn every_lessons_first_point_fits_80_by_24() {
    for (name, text) in builtin::BUILTIN {
        let mut app = app(name);
        // The lesson's point, not a question before it (one is pinned below).
        app.asked.asking = false;
        app.update(Msg::NextMarker);
        let screen = screen_text(&mut app, SMALL.0, SMALL.1);
        let header = screen.lines().next().expect("a header");
        for part in ["t=", "paused", "per second", "? help"] {
            assert!(header.contains(part), "{name}: the header lost `{part}`: {header}");
        }
        if let Some(say) = app.timeline.lesson_voice() {
            let words: String = say.lines[0].chars().skip(2).take(30).collect();
            assert!(screen.contains(&words), "{name}: the lesson's voice `{words}` is not on screen:\n{screen}");
        }
        let lesson = load_str(name, text).expect("loads").lesson;
        if lesson.is_some() {
            let settings = snapshot_settings();
            settings.bind(|| insta::assert_snapshot!(format!("tui_80x24_{name}"), screen));
        }
    }
}

/// A question the run stops at fits the smallest screen: the question, its
/// choices, what is typed and the hint.
#[test]
fn a_question_fits_80_by_24() {
    let mut app = app("third-consumer-idle");
    while !matches!(app.overlay, Overlay::Ask { .. }) {
        app.update(Msg::Forward);
    }
    app.update(Msg::Input('c'));
    let screen = screen_text(&mut app, SMALL.0, SMALL.1);
    let question = &app.world().scenario.questions[0];
    assert!(screen.contains(&question.text[..60]), "{screen}");
    for choice in &question.choices {
        assert!(screen.contains(choice.as_str()), "{choice}: {screen}");
    }
    assert!(screen.contains("> c"), "{screen}");
    assert!(screen.contains("Enter answers, Esc skips"), "{screen}");
    let settings = snapshot_settings();
    settings.bind(|| insta::assert_snapshot!("tui_80x24_question", screen));
}

/// The point of `third-consumer-idle` is the idle c3: at 80×24 it is on
/// screen when the lesson says so.
#[test]
fn the_idle_consumer_is_on_a_small_screen() {
    let mut app = app("third-consumer-idle");
    go_to(&mut app, "30s");
    let screen = screen_text(&mut app, SMALL.0, SMALL.1);
    assert!(screen.contains("c3 #3 polling · idle: no partition"), "{screen}");
    assert!(screen.contains("t=30.000s"), "{screen}");
}

/// `z` gives the focused pane the whole screen, and gives it back.
#[test]
fn z_zooms_the_focused_pane() {
    let mut app = app("acks-1-loss");
    go_to(&mut app, "20s");
    app.update(Msg::FocusNext); // Cluster
    app.update(Msg::FocusNext); // Logs
    app.update(Msg::Zoom);
    let zoomed = screen_text(&mut app, SMALL.0, SMALL.1);
    assert!(zoomed.contains("Logs ·") && !zoomed.contains("Events ·"), "{zoomed}");
    app.update(Msg::Zoom);
    let back = screen_text(&mut app, SMALL.0, SMALL.1);
    assert!(back.contains("Events ·"), "{back}");
}

/// `g 40s` shows the state at 40 s: the clock says so, every event before
/// it has happened and none after; a sandbox action then happens at 40 s,
/// and a session saved from there says `at: 40s`, in time order among the
/// scenario's own entries, and replays.
#[test]
fn go_to_lands_on_the_time_and_the_sandbox_acts_there() {
    let mut app = app("third-consumer-idle");
    go_to(&mut app, "40s");
    let forty = kafkasim::engine::SimTime::ZERO + kafkasim::engine::SimDuration::from_secs(40);
    assert_eq!(app.timeline.clock(), forty);
    assert!(app.world().now < forty, "nothing at or after 40s has happened");
    assert!(app.world().next_event_time().is_some_and(|t| t >= forty), "every event before 40s has");
    assert!(screen_text(&mut app, WIDTH, HEIGHT).contains("t=40.000s"));
    app.update(Msg::FocusNext);
    app.update(Msg::FocusNext);
    app.update(Msg::FocusNext); // Consumers, c1 selected
    app.update(Msg::Kill);
    let status = app.status.clone().unwrap_or_default();
    assert!(status.starts_with("sandbox at 40.000s: consumer c1 crashes"), "{status}");
    let saved = kafkasim::tui::sandbox::scenario_text(&app).expect("saves");
    let crash = saved.find("crash: c1").expect("the crash");
    assert!(saved[..crash].trim_end().ends_with("at: 40s"), "happens at 40s:\n{saved}");
    let earlier = saved.find("at: 36500ms").expect("the scenario's narration at 36.5s");
    let later = saved.find("at: 80s").expect("the scenario's narration at 80s");
    assert!(earlier < crash && crash < later, "in time order among the scenario's own:\n{saved}");
    assert!(saved.contains("(scripted for the run before your changes)"), "later narration is marked:\n{saved}");
    let scenario = load_str("saved.yaml", &saved).expect("the saved session loads");
    let mut replay =
        kafkasim::world::World::new(scenario, kafkasim::world::BuildOptions { seed: None, check_invariants: true });
    replay.run(&mut kafkasim::trace::sink::NullSink).expect("the saved session replays");
    app.timeline.finish();
    app.update(Msg::End);
    go_to(&mut app, "365d");
    let (mut replayed, played) = (replay.outcome(), app.world().outcome());
    assert_eq!(replayed.scenario, format!("{} (sandbox)", played.scenario));
    replayed.scenario = played.scenario.clone();
    assert!(replayed == played, "the replay ends as the sandbox did:\n{}\n---\n{}", replayed.render(), played.render());
}

#[test]
fn a_small_terminal_is_told_the_size_it_needs() {
    let mut app = app("producer-consumer");
    let screen = screen_text(&mut app, 60, 20);
    assert!(screen.contains("at least 80×24"), "{screen}");
}

/// The real binary in a real terminal: tmux runs it; keys go in, the
/// screen comes out. At 80×24, `g 40s` shows 40 s; ← steps back; the
/// sandbox crashes a consumer at 40 s; `w` saves the session, which
/// `kafkasim run` replays. Skipped where tmux is not installed.
#[test]
fn the_binary_plays_in_a_real_terminal() {
    if Command::new("tmux").arg("-V").output().is_err() {
        eprintln!("tmux is not installed: skipping the end-to-end terminal test");
        return;
    }
    let session = format!("kafkasim-e2e-{}", std::process::id());
    let dir = std::env::temp_dir().join(&session);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a folder to save in");
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
    let folder = dir.to_str().expect("a UTF-8 temporary folder");
    let started = tmux(&["new-session", "-d", "-s", &session, "-x", "80", "-y", "24", "-c", folder, &command]);
    assert!(started.status.success(), "tmux: {}", String::from_utf8_lossy(&started.stderr));
    let result = std::panic::catch_unwind(|| {
        let first = wait_for("t=0.000s");
        assert!(first.contains("? help") && first.contains("paused"), "the header at 80×24:\n{first}");
        tmux(&["send-keys", "-t", &session, "g", "4", "0", "s", "Enter"]);
        let screen = wait_for("t=40.000s");
        assert!(screen.contains("idle: no partition"), "the idle c3 at 80×24:\n{screen}");
        tmux(&["send-keys", "-t", &session, "Left"]);
        let mut stepped_back = false;
        for _ in 0..200 {
            if !capture().contains("t=40.000s") {
                stepped_back = true;
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        assert!(stepped_back, "← did not step back from 40s:\n{}", capture());
        tmux(&["send-keys", "-t", &session, "g", "4", "0", "s", "Enter"]);
        wait_for("t=40.000s");
        // Tab to the Consumers pane (c1 is selected), crash it, save.
        tmux(&["send-keys", "-t", &session, "Tab", "Tab", "Tab", "k"]);
        wait_for("sandbox at 40.000s: consumer c1 crashes");
        tmux(&["send-keys", "-t", &session, "w"]);
        wait_for("saved as");
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
    let saved = dir.join("third-consumer-idle-sandbox.yaml");
    let text = std::fs::read_to_string(&saved).expect("the session was saved");
    let crash = text.find("crash: c1").expect("the student's crash");
    assert!(text[..crash].trim_end().ends_with("at: 40s"), "{text}");
    let replay = Command::new(env!("CARGO_BIN_EXE_kafkasim"))
        .args(["run", saved.to_str().expect("UTF-8"), "-q"])
        .output()
        .expect("runs");
    // Its expectations were written for the original run; the replay must run.
    assert_ne!(replay.status.code(), Some(2), "{}", String::from_utf8_lossy(&replay.stderr));
    assert!(String::from_utf8_lossy(&replay.stdout).contains("── outcome of"));
    let _ = std::fs::remove_dir_all(dir);
}

/// Every built-in lesson opens, steps forward and back to the same screen,
/// and draws its last step.
#[test]
fn every_built_in_scenario_steps_forward_and_back() {
    for (name, _) in builtin::BUILTIN {
        let mut app = app(name);
        // Questions stop a step short of the next event; this walk is about
        // events (the unit tests walk through questions).
        app.asked.asking = false;
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
