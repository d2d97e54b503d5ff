//! Time travel is exact: any way of reaching a step gives the same world.

use super::*;
use crate::ids::BrokerId;
use crate::scenario::{self, HostName, builtin};
use crate::world::BuildOptions;

fn timeline(name: &str) -> Timeline {
    let text = builtin::find(name).expect("built-in scenario");
    let scenario = scenario::load_str(name, text).expect("loads");
    Timeline::new(World::new(scenario, BuildOptions::default()))
}

/// Everything a screen could show, as text.
fn fingerprint(world: &World) -> String {
    format!("{} {} {}", world.steps, world.now, world.outcome().render())
}

#[test]
fn back_after_forward_returns_to_the_same_world() {
    let mut t = timeline("third-consumer-idle");
    for _ in 0..40 {
        t.forward();
    }
    let before = fingerprint(t.world());
    assert!(t.forward());
    assert_ne!(fingerprint(t.world()), before);
    assert!(t.back());
    assert_eq!(fingerprint(t.world()), before);
}

#[test]
fn seeking_anywhere_equals_stepping_there() {
    let mut t = timeline("broker-death");
    let target = t.total_steps / 2;
    t.seek(t.total_steps);
    t.seek(target);
    let by_seek = fingerprint(t.world());
    let mut fresh = timeline("broker-death");
    while fresh.step() < target {
        fresh.seek(fresh.step() + 1);
    }
    assert_eq!(by_seek, fingerprint(fresh.world()));
}

#[test]
fn interventions_replay_after_going_back() {
    let mut t = timeline("broker-death");
    t.seek(t.total_steps / 4);
    let step = t.step();
    t.intervene(Intervene::Act(Action::Kill(HostName::Broker(BrokerId(2)))));
    let end_with = {
        t.seek(t.total_steps);
        fingerprint(t.world())
    };
    t.seek(step / 2);
    t.seek(t.total_steps);
    assert_eq!(fingerprint(t.world()), end_with, "the kill is applied again on the way");
    assert_eq!(t.interventions.len(), 1);
    assert!(t.events().iter().any(|e| e.step > step && e.lines.iter().any(|l| l.contains("broker 2 is killed"))));
}

#[test]
fn markers_are_says_and_expectations() {
    let mut t = timeline("acks-1-loss");
    assert!(t.jump_marker(true));
    let index = t.current_event().expect("an event");
    assert!(t.events()[index].is_marker());
}

#[test]
fn a_run_simulated_part_by_part_is_the_run_simulated_at_once() {
    let text = builtin::find("retention-bytes").expect("built-in scenario");
    let world = || World::new(scenario::load_str("retention-bytes", text).expect("loads"), BuildOptions::default());
    let whole = Timeline::new(world());
    assert!(whole.total_steps > SIMULATION_CHUNK, "the scenario must need more than one part");
    let mut parts = Timeline::start(world());
    assert!(parts.simulating());
    assert_eq!(parts.total_steps, SIMULATION_CHUNK, "the first part only");
    // Moving forward past what is simulated simulates more, as needed.
    parts.seek(parts.total_steps);
    assert!(parts.forward(), "the next event lies beyond the first part");
    assert!(parts.step() > SIMULATION_CHUNK);
    parts.finish();
    assert!(!parts.simulating());
    assert_eq!(parts.total_steps, whole.total_steps);
    assert_eq!(parts.end_time, whole.end_time);
    let lines = |t: &Timeline| t.all_events.iter().map(|e| (e.step, e.lines.join("\n"))).collect::<Vec<_>>();
    assert_eq!(lines(&parts), lines(&whole));
    assert_eq!(parts.story_events.len(), whole.story_events.len());
    assert_eq!(parts.lag_samples.len(), whole.lag_samples.len());
    let steps = |t: &Timeline| t.checkpoints.iter().map(|c| c.steps).collect::<Vec<_>>();
    assert_eq!(steps(&parts), steps(&whole));
    parts.seek(whole.total_steps);
    assert_eq!(
        fingerprint(parts.world()),
        fingerprint(&{
            let mut w = whole;
            w.seek(w.total_steps);
            w.world().clone()
        })
    );
}

#[test]
fn after_an_intervention_the_new_future_is_simulated_part_by_part_too() {
    let text = builtin::find("retention-bytes").expect("built-in scenario");
    let world = || World::new(scenario::load_str("retention-bytes", text).expect("loads"), BuildOptions::default());
    // A word from the teacher: the run stays as long, longer than one part.
    let say = || Intervene::Act(Action::Say("look at the log start".to_string()));
    let mut parts = Timeline::start(world());
    parts.seek(100);
    parts.intervene(say());
    assert!(parts.simulating(), "only a part of the new future is simulated at once");
    parts.go_to_time(SimTime::from_millis(2_000_000));
    assert!(!parts.simulating(), "going beyond the end simulates the rest");
    let mut whole = Timeline::new(world());
    whole.seek(100);
    whole.intervene(say());
    whole.finish();
    let lines = |t: &Timeline| t.all_events.iter().map(|e| (e.step, e.lines.join("\n"))).collect::<Vec<_>>();
    assert_eq!(lines(&parts), lines(&whole));
    assert!(
        parts.all_events.iter().any(|e| e.step > 100 && e.lines.iter().any(|l| l.contains("look at the log start")))
    );
}
