//! The update function: each key changes the model as the help says, and
//! stepping back returns to exactly the screen before.

use super::*;
use crate::scenario::{self, builtin};
use crate::tui::keys;
use crate::tui::view::screen_text;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

fn app(name: &str) -> App {
    let text = builtin::find(name).expect("built-in scenario");
    let scenario = scenario::load_str(&format!("{name} (built-in)"), text).expect("loads");
    crate::tui::app_for(scenario, None, Theme { color: false })
}

fn screen(app: &mut App) -> String {
    screen_text(app, 140, 44)
}

#[test]
fn back_after_forward_shows_the_same_screen() {
    let mut app = app("broker-death");
    for _ in 0..25 {
        app.update(Msg::Forward);
    }
    let before = screen(&mut app);
    let step = app.timeline.step();
    app.update(Msg::Forward);
    assert!(app.timeline.step() > step);
    assert_ne!(screen(&mut app), before);
    app.update(Msg::Back);
    assert_eq!(app.timeline.step(), step);
    assert_eq!(screen(&mut app), before);
}

#[test]
fn back_after_a_jump_forward_shows_the_same_screen() {
    let mut app = app("acks-1-loss");
    app.update(Msg::NextMarker);
    app.update(Msg::NextMarker);
    let before = screen(&mut app);
    let step = app.timeline.step();
    app.update(Msg::GoToPrompt);
    for c in "50s".chars() {
        app.update(Msg::Input(c));
    }
    app.update(Msg::Submit);
    let now = app.world().now;
    assert!(now <= SimTime::ZERO + SimDuration::from_secs(50), "at {now}");
    assert!(app.timeline.step() > step + 100, "jumped well ahead");
    // Step back, one event at a time, past checkpoints, to where we were.
    while app.timeline.step() > step {
        app.update(Msg::Back);
    }
    assert_eq!(screen(&mut app), before);
}

#[test]
fn markers_stop_at_says_and_expectations() {
    let mut app = app("acks-1-loss");
    app.update(Msg::NextMarker);
    let index = app.timeline.current_event().expect("an event");
    assert!(app.timeline.events()[index].is_marker());
    let step = app.timeline.step();
    app.update(Msg::NextMarker);
    assert!(app.timeline.step() > step);
    app.update(Msg::PrevMarker);
    assert_eq!(app.timeline.step(), step);
}

/// Questions off: playing does not stop at them.
fn without_questions(app: &mut App) {
    app.asked.asking = false;
}

#[test]
fn play_advances_virtual_time_at_the_chosen_speed() {
    let mut app = app("producer-consumer");
    without_questions(&mut app);
    app.update(Msg::Tick(1_000));
    assert_eq!(app.world().now, SimTime::ZERO, "the clock stands still until asked");
    app.update(Msg::TogglePlay);
    assert!(app.playing);
    let speed = app.speed();
    app.update(Msg::Tick(1_000));
    let now = app.world().now.as_micros() as f64 / 1e6;
    assert!(now <= speed && now > speed * 0.5, "one wall second at {speed}× ran to {now}s");
    app.update(Msg::Faster);
    assert!(app.speed() > speed);
    app.update(Msg::Slower);
    app.update(Msg::Slower);
    assert!(app.speed() < speed);
    app.update(Msg::TogglePlay);
    assert!(!app.playing);
    let paused_at = app.world().now;
    app.update(Msg::Tick(1_000));
    assert_eq!(app.world().now, paused_at);
}

#[test]
fn playing_stops_at_the_end() {
    let mut app = app("producer-consumer");
    without_questions(&mut app);
    app.update(Msg::TogglePlay);
    app.update(Msg::Tick(100_000_000));
    assert!(!app.playing);
    assert_eq!(app.timeline.step(), app.timeline.total_steps);
    app.update(Msg::TogglePlay);
    assert!(!app.playing, "nothing left to play");
}

#[test]
fn tab_moves_focus_and_arrows_move_the_selection() {
    let mut app = app("broker-death");
    assert_eq!(app.focus, Pane::Events);
    app.update(Msg::FocusNext);
    assert_eq!(app.focus, Pane::Cluster);
    app.update(Msg::Down);
    app.update(Msg::Down);
    assert_eq!(app.selected_broker(), Some(BrokerId(3)));
    app.update(Msg::Down);
    assert_eq!(app.selected_broker(), Some(BrokerId(3)), "stays on the last broker");
    app.update(Msg::Home);
    assert_eq!(app.selected_broker(), Some(BrokerId(1)));
    app.update(Msg::FocusPrev);
    assert_eq!(app.focus, Pane::Events);
    for _ in 0..10 {
        app.update(Msg::Forward);
    }
    let current = app.timeline.current_event();
    app.update(Msg::Up);
    assert_eq!(app.event_scroll, current.map(|c| c - 1));
    app.update(Msg::Scroll(1));
    assert_eq!(app.event_scroll, Some(current.unwrap() + 2));
    app.update(Msg::Close);
    assert_eq!(app.event_scroll, None, "Esc follows the current event again");
}

#[test]
fn overlays_open_and_close() {
    let mut app = app("broker-death");
    app.update(Msg::Help);
    assert_eq!(app.overlay, Overlay::Help);
    assert!(screen(&mut app).contains("play / pause"));
    app.update(Msg::Close);
    assert_eq!(app.overlay, Overlay::None);
    app.update(Msg::FocusNext);
    app.update(Msg::Inspect);
    assert_eq!(app.overlay, Overlay::Inspect);
    assert!(screen(&mut app).contains("Broker 1"));
    app.update(Msg::Inspect);
    assert_eq!(app.overlay, Overlay::None);
}

#[test]
fn a_time_that_is_not_a_time_says_how_to_write_one() {
    let mut app = app("broker-death");
    app.update(Msg::GoToPrompt);
    for c in "soon".chars() {
        app.update(Msg::Input(c));
    }
    app.update(Msg::Erase);
    assert_eq!(app.overlay, Overlay::GoTo("soo".to_string()));
    app.update(Msg::Submit);
    assert_eq!(app.world().now, SimTime::ZERO);
    assert!(app.status.as_deref().is_some_and(|s| s.contains("45s")), "{:?}", app.status);
}

#[test]
fn detail_adds_protocol_events() {
    let mut app = app("broker-death");
    let story = app.timeline.events().len();
    app.update(Msg::ToggleDetail);
    assert!(app.timeline.events().len() > story);
    app.update(Msg::ToggleDetail);
    assert_eq!(app.timeline.events().len(), story);
}

#[test]
fn killing_the_selected_broker_changes_the_future() {
    let mut app = app("producer-consumer");
    app.update(Msg::GoToPrompt);
    app.update(Msg::Input('5'));
    app.update(Msg::Input('s'));
    app.update(Msg::Submit);
    let step = app.timeline.step();
    app.update(Msg::FocusNext);
    app.update(Msg::Kill);
    assert_eq!(app.timeline.interventions.len(), 1);
    assert_eq!(app.timeline.step(), step, "the present stays; the future changes");
    assert!(app.status.as_deref().is_some_and(|s| s.contains("sandbox at 5.000s: broker 1 is killed")));
    // At 5 s the scenario's own narration comes first, then the kill: the
    // order a timeline entry `at: 5s` added after it would have.
    app.update(Msg::Forward);
    assert!(app.world().brokers[0].alive);
    app.update(Msg::Forward);
    assert!(!app.world().brokers[0].alive);
    app.update(Msg::Restart);
    app.update(Msg::Forward);
    app.update(Msg::Cut);
    app.update(Msg::Heal);
    assert_eq!(app.timeline.interventions.len(), 4);
}

#[test]
fn a_consumer_can_join_crash_and_be_saved_as_a_scenario() {
    let mut app = app("two-consumers-split");
    let dir = std::env::temp_dir().join(format!("kafkasim-sandbox-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    app.save_dir = dir.clone();
    app.update(Msg::Save);
    assert!(app.status.as_deref().is_some_and(|s| s.contains("nothing to save")));
    app.update(Msg::GoToPrompt);
    for c in "20s".chars() {
        app.update(Msg::Input(c));
    }
    app.update(Msg::Submit);
    app.update(Msg::FocusNext);
    app.update(Msg::FocusNext);
    app.update(Msg::FocusNext);
    assert_eq!(app.focus, Pane::Groups);
    let consumers = app.world().consumers.len();
    app.update(Msg::AddConsumer);
    assert_eq!(app.world().consumers.len(), consumers + 1);
    app.update(Msg::Kill);
    app.update(Msg::Save);
    let status = app.status.clone().unwrap_or_default();
    assert!(status.starts_with("saved as"), "{status}");
    let path = dir.join("two-consumers-split-sandbox.yaml");
    let text = std::fs::read_to_string(&path).unwrap();
    let saved = scenario::load_str("saved", &text).unwrap_or_else(|e| panic!("{e}\n{text}"));
    assert_eq!(saved.consumers.len(), consumers + 1);
    // The saved scenario replays the session: same end as the sandbox.
    let mut replay = crate::world::World::new(saved, crate::world::BuildOptions::default());
    replay.run(&mut crate::trace::sink::NullSink).unwrap();
    app.timeline.seek(app.timeline.total_steps);
    let received = |w: &World| w.consumers.iter().map(|c| c.delivered).collect::<Vec<_>>();
    assert_eq!(received(&replay), received(app.world()));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn every_help_key_is_bound() {
    for (keys_text, _) in keys::HELP.iter().filter(|(k, _)| *k != "mouse") {
        let first = keys_text.split([' ', '/']).next().unwrap();
        let code = match first {
            "space" => KeyCode::Char(' '),
            "→" => KeyCode::Right,
            "Tab" => KeyCode::Tab,
            "↑" => KeyCode::Up,
            "Enter" => KeyCode::Enter,
            "Esc" => KeyCode::Esc,
            other => KeyCode::Char(other.chars().next().unwrap()),
        };
        let msg = keys::key(KeyEvent::new(code, KeyModifiers::NONE), &Overlay::None);
        assert!(msg.is_some(), "`{keys_text}` does nothing");
    }
}

#[test]
fn quit_quits() {
    let mut app = app("producer-consumer");
    app.update(Msg::Quit);
    assert!(app.quit);
}

#[test]
fn clicking_an_event_goes_to_it() {
    let mut app = app("broker-death");
    for _ in 0..30 {
        app.update(Msg::Forward);
    }
    let screen = screen(&mut app);
    // The first row of the event list that shows an event earlier than now.
    let rows = app.event_rows.borrow().clone();
    let current = app.timeline.current_event().expect("an event");
    let (offset, target) = rows
        .rows
        .iter()
        .enumerate()
        .find_map(|(i, e)| e.filter(|&e| e + 3 <= current).map(|e| (i, e)))
        .unwrap_or_else(|| panic!("no earlier event shown:\n{screen}"));
    let row = rows.top + offset as u16;
    app.update(Msg::Click { column: rows.left + 5, row });
    assert_eq!(app.timeline.current_event(), Some(target));
    assert_eq!(app.timeline.step(), app.timeline.events()[target].step);
    let step = app.timeline.step();
    app.update(Msg::Click { column: 0, row: 0 });
    assert_eq!(app.timeline.step(), step, "a click outside the event list changes nothing");
}

/// The answer the scenario's own run gives to question `index` (as `kafkasim
/// run` prints it), read without the terminal UI.
fn run_answer(name: &str, index: usize) -> crate::quiz::Right {
    let text = builtin::find(name).expect("built-in scenario");
    let scenario = scenario::load_str(name, text).expect("loads");
    let mut world = crate::world::World::new(scenario, Default::default());
    let script = crate::quiz::run_answering(&mut world, &mut crate::trace::sink::NullSink).expect("runs");
    script.answer_of(index).expect("answered").right.clone()
}

fn first_choice(right: &crate::quiz::Right) -> String {
    match right {
        crate::quiz::Right::Choices(c) => c[0].clone(),
        other => other.to_string(),
    }
}

fn type_answer(app: &mut App, text: &str) {
    for c in text.chars() {
        app.update(Msg::Input(c));
    }
    app.update(Msg::Submit);
}

/// Forward, one event at a time, until the clock reaches `time`.
fn step_to(app: &mut App, time: SimTime) {
    while app.timeline.clock() < time {
        app.update(Msg::Forward);
        assert!(!matches!(app.overlay, Overlay::Ask { .. }), "no other question on the way");
    }
}

#[test]
fn playing_stops_at_a_question_and_the_run_checks_the_answer() {
    let mut app = app("acks-1-loss");
    let question = app.world().scenario.questions[0].clone();
    app.update(Msg::TogglePlay);
    app.update(Msg::Tick(100_000_000));
    assert!(!app.playing, "the question pauses the run");
    assert_eq!(app.timeline.clock(), question.asked_at, "at the lesson point, not past it");
    assert!(app.world().now <= question.asked_at);
    assert!(matches!(app.overlay, Overlay::Ask { index: 0, .. }));
    app.update(Msg::Tick(100_000_000));
    assert_eq!(app.timeline.clock(), question.asked_at, "time stands still while the question is open");
    let shown = screen(&mut app);
    assert!(shown.contains(&question.text), "{shown}");

    let right = run_answer("acks-1-loss", 0);
    type_answer(&mut app, &first_choice(&right));
    assert_eq!(app.overlay, Overlay::None);
    assert!(screen(&mut app).contains("the run tells at 25.000s"));
    step_to(&mut app, question.answer_at);
    let shown = screen(&mut app);
    assert!(shown.contains(&format!("the run says {right} ✓ it held")), "{shown}");
    assert!(shown.contains("because payments-0 at 25"), "the state that decided it: {shown}");
}

#[test]
fn a_wrong_answer_is_shown_wrong_and_a_question_is_put_once() {
    let mut app = app("acks-1-loss");
    let question = app.world().scenario.questions[0].clone();
    let right = first_choice(&run_answer("acks-1-loss", 0));
    let wrong = question.choices.iter().find(|c| **c != right).expect("another choice").clone();
    while !matches!(app.overlay, Overlay::Ask { .. }) {
        app.update(Msg::Forward);
        assert!(app.timeline.clock() <= question.asked_at, "stepping stops at the question");
    }
    type_answer(&mut app, "seventeen");
    assert!(
        matches!(&app.overlay, Overlay::Ask { error: Some(e), .. } if e.contains("type a letter")),
        "a reply that is no choice says what to type"
    );
    for _ in 0.."seventeen".len() {
        app.update(Msg::Erase);
    }
    type_answer(&mut app, &wrong);
    step_to(&mut app, question.answer_at);
    assert!(screen(&mut app).contains("✗ it did not"));
    // Back before the question and forward again: not asked twice.
    app.update(Msg::GoToPrompt);
    type_answer(&mut app, "10s");
    step_to(&mut app, question.answer_at);
    assert!(screen(&mut app).contains(&format!("you said {wrong}")));
}

#[test]
fn a_sandbox_change_before_the_answer_reads_it_again() {
    let mut app = app("acks-1-loss");
    let question = app.world().scenario.questions[0].clone();
    while !matches!(app.overlay, Overlay::Ask { .. }) {
        app.update(Msg::Forward);
    }
    app.update(Msg::Close);
    assert!(app.status.as_deref().is_some_and(|s| s.contains("skipped")));
    let scripted = app.timeline.answer(0).expect("read ahead").right.clone();
    // Every replica dies before the answer: nobody can lead.
    app.focus = Pane::Cluster;
    for broker in [1, 2] {
        app.selected[Pane::Cluster as usize] = broker;
        app.update(Msg::Kill);
    }
    step_to(&mut app, question.answer_at);
    let answer = app.timeline.answer(0).expect("read again").right.clone();
    assert_ne!(answer, scripted, "the changed run answers differently");
    let leader = app
        .world()
        .partition_view(crate::ids::TopicPartition::new(crate::ids::TopicId(0), 0))
        .and_then(|v| v.state.leader);
    assert_eq!(
        answer.to_string(),
        leader.map_or(crate::scenario::question::NO_LEADER.to_string(), |b| b.0.to_string()),
        "read from this run"
    );
    assert!(screen(&mut app).contains("you did not answer"));
}
