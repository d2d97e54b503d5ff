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
