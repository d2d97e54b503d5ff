//! Every session saved with `w` replays: random sandbox actions — kills,
//! restarts, cuts, heals, stopped and crashed clients, many added
//! consumers, some of them after the run's end, with moves back and forth
//! in between — go through the save path, and the file must load with
//! `kafkasim run`'s loader and run to its end.

use kafkasim::scenario::{builtin, load_str};
use kafkasim::trace::sink::NullSink;
use kafkasim::tui::app::{App, Msg};
use kafkasim::tui::sandbox::scenario_text;
use kafkasim::tui::theme::Theme;
use kafkasim::world::{BuildOptions, World};
use proptest::prelude::*;

/// Scenarios with brokers, producers and a consumer group to act on.
const SCENARIOS: [&str; 3] = ["third-consumer-idle", "broker-death", "consumer-resumes"];

#[derive(Clone, Debug)]
enum Step {
    Forward(u8),
    Back(u8),
    /// To a share of the run, in tenths; 10 and above is its end.
    GoTo(u8),
    /// Focus the next pane and move the selection down.
    Select(u8),
    Act(Msg),
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        (1u8..40).prop_map(Step::Forward),
        (1u8..40).prop_map(Step::Back),
        (0u8..14).prop_map(Step::GoTo),
        (0u8..5).prop_map(Step::Select),
        prop::sample::select(vec![Msg::Kill, Msg::Restart, Msg::Cut, Msg::Heal, Msg::Stop]).prop_map(Step::Act),
        // Additions weigh more: many of them are what broke names.
        Just(Step::Act(Msg::AddConsumer)),
        Just(Step::Act(Msg::AddConsumer)),
    ]
}

fn app(name: &str) -> App {
    let text = builtin::find(name).expect("built-in scenario");
    let scenario = load_str(&format!("{name} (built-in)"), text).expect("loads");
    kafkasim::tui::app_for(scenario, None, Theme { color: false })
}

fn apply(app: &mut App, step: &Step) {
    match step {
        Step::Forward(n) => (0..*n).for_each(|_| app.update(Msg::Forward)),
        Step::Back(n) => (0..*n).for_each(|_| app.update(Msg::Back)),
        Step::GoTo(tenths) => {
            let run_ms = app.world().scenario.run_for.as_micros() / 1_000;
            let at = format!("{}ms", run_ms * u64::from(*tenths) / 10);
            app.update(Msg::GoToPrompt);
            at.chars().for_each(|c| app.update(Msg::Input(c)));
            app.update(Msg::Submit);
        }
        Step::Select(down) => {
            app.update(Msg::FocusNext);
            (0..*down).for_each(|_| app.update(Msg::Down));
        }
        Step::Act(msg) => {
            // The sandbox keys act on the Groups pane's consumer as well.
            if *msg == Msg::AddConsumer {
                while app.focus != kafkasim::tui::app::Pane::Groups {
                    app.update(Msg::FocusNext);
                }
            }
            app.update(*msg);
        }
    }
    app.update(Msg::Close);
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: std::env::var("KAFKASIM_PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(12),
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn every_saved_session_loads_and_runs(
        scenario in prop::sample::select(SCENARIOS.to_vec()),
        steps in prop::collection::vec(step(), 1..24),
    ) {
        let mut app = app(scenario);
        for step in &steps {
            apply(&mut app, step);
        }
        prop_assume!(!app.timeline.interventions.is_empty());
        let text = scenario_text(&app).expect("a session saves");
        let saved = load_str("saved.yaml", &text).unwrap_or_else(|e| panic!("the saved session does not load:\n{e}\n{text}"));
        prop_assert_eq!(saved.run_for, app.world().scenario.run_for, "the run keeps its length");
        let mut world = World::new(saved, BuildOptions { seed: None, check_invariants: true });
        if let Err(e) = world.run(&mut NullSink) {
            panic!("the saved session does not run: {e}\n{text}");
        }
    }
}

#[test]
fn consumers_added_at_the_end_and_after_many_additions_save_as_a_valid_scenario() {
    // The two cases that broke: ids used twice after several `a`, and a
    // kill after the run's end saved at a time `run` refuses.
    let mut app = app("third-consumer-idle");
    for step in [Step::GoTo(3), Step::Act(Msg::AddConsumer), Step::Act(Msg::AddConsumer), Step::GoTo(1)] {
        apply(&mut app, &step);
    }
    for _ in 0..4 {
        apply(&mut app, &Step::Act(Msg::AddConsumer));
    }
    for step in [Step::GoTo(12), Step::Select(0), Step::Act(Msg::Kill), Step::Act(Msg::AddConsumer)] {
        apply(&mut app, &step);
    }
    let text = scenario_text(&app).expect("saves");
    let saved = load_str("saved.yaml", &text).unwrap_or_else(|e| panic!("{e}\n{text}"));
    assert!(saved.consumers.len() >= 3 + 6, "{text}");
    assert!(text.contains("# Left out, as the run had ended"), "{text}");
}

#[cfg(unix)]
#[test]
fn w_never_writes_through_a_link_and_never_overwrites() {
    let dir = std::env::temp_dir().join(format!("kafkasim-sandbox-save-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a scratch directory");
    let outside = dir.join("elsewhere.yaml");
    std::os::unix::fs::symlink(&outside, dir.join("third-consumer-idle-sandbox.yaml")).expect("a dangling link");
    let mut app = app("third-consumer-idle");
    app.save_dir = dir.clone();
    apply(&mut app, &Step::Act(Msg::AddConsumer));
    let first = kafkasim::tui::sandbox::save(&app).expect("saved");
    assert_eq!(first, dir.join("third-consumer-idle-sandbox-2.yaml"));
    assert!(!outside.exists(), "nothing written where the link points");
    let second = kafkasim::tui::sandbox::save(&app).expect("saved again");
    assert_eq!(second, dir.join("third-consumer-idle-sandbox-3.yaml"));
    load_str("saved.yaml", &std::fs::read_to_string(&first).expect("readable")).expect("loads");
}
