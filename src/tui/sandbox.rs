//! The sandbox: what an intervention is called on screen, and saving a
//! session as a new scenario file — the original scenario with the
//! student's interventions added to its timeline, so a teacher can run and
//! snapshot the experiment.

use std::path::PathBuf;

use crate::ids::Host;
use crate::scenario::{Action, ClientRef, HostName};
use crate::world::World;

use super::app::App;
use super::timeline::Intervene;

pub fn host_name(host: Host) -> HostName {
    match host {
        Host::Broker(b) => HostName::Broker(b),
        Host::Controller(c) => HostName::Controller(c),
        Host::Producer(p) => HostName::Client(ClientRef::Producer(p)),
        Host::Consumer(c) => HostName::Client(ClientRef::Consumer(c)),
    }
}

fn host_label(world: &World, host: &HostName) -> String {
    match host {
        HostName::Broker(b) => b.0.to_string(),
        HostName::Controller(c) => format!("controller-{}", c.0),
        HostName::Client(ClientRef::Producer(p)) => world.names.producer(*p).to_string(),
        HostName::Client(ClientRef::Consumer(c)) => world.names.consumer(*c).to_string(),
    }
}

fn client_label(world: &World, client: ClientRef) -> String {
    host_label(world, &HostName::Client(client))
}

/// A host as a sentence names it: `broker 2`, `controller 1`, `consumer c1`.
fn host_words(world: &World, host: &HostName) -> String {
    match host {
        HostName::Broker(b) => format!("broker {}", b.0),
        HostName::Controller(c) => format!("controller {}", c.0),
        HostName::Client(ClientRef::Producer(p)) => format!("producer {}", world.names.producer(*p)),
        HostName::Client(ClientRef::Consumer(c)) => format!("consumer {}", world.names.consumer(*c)),
    }
}

/// What an intervention does, as the status line says it: one sentence,
/// the host named the same way for every kind of change.
pub fn describe(what: &Intervene, world: &World) -> String {
    match what {
        Intervene::AddConsumer { like } => {
            let name = world.names.consumer(*like);
            match world.consumers.get(like.0 as usize).and_then(|c| c.group_id.as_deref()) {
                Some(group) => format!("a consumer like {name} joins group {group}"),
                None => format!(
                    "a consumer like {name} starts; {name} is in no group, so the copy reads the same partitions \
                     on its own (a group would share them)"
                ),
            }
        }
        Intervene::Act(action) => match action {
            Action::Kill(h) => format!("{} is killed", host_words(world, h)),
            Action::Restart(h) => format!("{} restarts", host_words(world, h)),
            Action::Cut(groups) => format!("{} is cut off the network", host_words(world, &groups[0][0])),
            Action::Heal => "the network is healed".to_string(),
            Action::Crash(c) => format!("{} crashes", host_words(world, &HostName::Client(*c))),
            Action::Start(c) => format!("{} starts", host_words(world, &HostName::Client(*c))),
            Action::Stop(c) => format!("{} is stopped cleanly", host_words(world, &HostName::Client(*c))),
            other => format!("{other:?}"),
        },
    }
}

fn host_json(world: &World, host: &HostName) -> serde_json::Value {
    match host {
        HostName::Broker(b) => serde_json::json!(b.0),
        other => serde_json::json!(host_label(world, other)),
    }
}

/// One timeline entry in the scenario format.
fn timeline_entry(at: &str, action: &Action, world: &World) -> Option<serde_json::Value> {
    let (key, value) = match action {
        Action::Kill(h) => ("kill", host_json(world, h)),
        Action::Restart(h) => ("restart", host_json(world, h)),
        Action::Cut(groups) => {
            let groups: Vec<Vec<serde_json::Value>> =
                groups.iter().map(|g| g.iter().map(|h| host_json(world, h)).collect()).collect();
            ("cut", serde_json::json!(groups))
        }
        Action::Heal => ("heal", serde_json::json!(true)),
        Action::Crash(c) => ("crash", serde_json::json!(client_label(world, *c))),
        Action::Start(c) => ("start", serde_json::json!(client_label(world, *c))),
        Action::Stop(c) => ("stop", serde_json::json!(client_label(world, *c))),
        _ => return None,
    };
    let mut entry = serde_json::Map::new();
    entry.insert("at".to_string(), serde_json::json!(at));
    entry.insert(key.to_string(), value);
    Some(serde_json::Value::Object(entry))
}

/// The time as a scenario writes it, exactly: `40s`, `12345ms` or `12345678us`.
pub fn at_text(time: crate::engine::SimTime) -> String {
    let us = time.as_micros();
    if us.is_multiple_of(1_000_000) {
        format!("{}s", us / 1_000_000)
    } else if us.is_multiple_of(1_000) {
        format!("{}ms", us / 1_000)
    } else {
        format!("{us}us")
    }
}

/// When a timeline entry of the original file happens (`at:` as text or a number).
fn entry_time(entry: &serde_json::Value) -> Option<crate::engine::SimTime> {
    let at = entry.get("at")?;
    let text = at.as_str().map_or_else(|| at.to_string(), str::to_string);
    crate::scenario::duration::parse(&text).ok().map(|d| crate::engine::SimTime::ZERO + d)
}

/// Merges `added` into the original `timeline` in time order; at the same
/// time the original's entries come first, as the run had them. Narration
/// after the first change is marked: it was written for the original run.
fn merge_timeline(
    original: Vec<serde_json::Value>,
    added: Vec<(crate::engine::SimTime, serde_json::Value)>,
) -> Vec<serde_json::Value> {
    let first_change = added.iter().map(|(t, _)| *t).min();
    let mut entries: Vec<(crate::engine::SimTime, usize, serde_json::Value)> = original
        .into_iter()
        .map(|mut e| {
            let at = entry_time(&e).unwrap_or(crate::engine::SimTime::ZERO);
            if first_change.is_some_and(|first| at > first)
                && let Some(say) = e.get_mut("say")
                && let Some(text) = say.as_str()
            {
                *say = serde_json::json!(format!("{} {text}", super::timeline::SCRIPTED));
            }
            (at, 0, e)
        })
        .collect();
    entries.extend(added.into_iter().map(|(at, e)| (at, 1, e)));
    // A stable sort: same time, the original's first, then the changes in order.
    entries.sort_by_key(|(at, origin, _)| (*at, *origin));
    entries.into_iter().map(|(_, _, e)| e).collect()
}

/// The session as scenario text: the original scenario with the
/// interventions added to its timeline (and added consumers to its
/// consumers). The original's comments do not survive the round trip.
pub fn scenario_text(app: &App) -> Result<String, String> {
    let world = app.world();
    let mut doc: serde_json::Value =
        serde_saphyr::from_str(&app.source_text).map_err(|e| format!("the original scenario does not parse: {e}"))?;
    let Some(map) = doc.as_object_mut() else { return Err("the original scenario is not a mapping".to_string()) };
    let added_consumers = app.timeline.interventions.iter().filter(|i| matches!(i.what, Intervene::AddConsumer { .. }));
    let mut next_consumer = world.scenario.consumers.len() - added_consumers.count();
    let mut consumers = Vec::new();
    let mut timeline = Vec::new();
    for i in &app.timeline.interventions {
        let at = at_text(i.at);
        match &i.what {
            Intervene::AddConsumer { like } => {
                let name = world.names.consumer(crate::ids::ClientIdx(next_consumer as u32));
                next_consumer += 1;
                consumers.push(serde_json::json!({ "id": name, "like": world.names.consumer(*like), "start": at }));
            }
            Intervene::Act(action) => timeline.extend(timeline_entry(&at, action, world).map(|e| (i.at, e))),
        }
    }
    if !consumers.is_empty() {
        let list = map.entry("consumers".to_string()).or_insert_with(|| serde_json::json!([]));
        if let Some(list) = list.as_array_mut() {
            list.extend(consumers);
        }
    }
    if !timeline.is_empty() {
        // In place, so the file keeps its order of sections.
        let slot = map.entry("timeline".to_string()).or_insert_with(|| serde_json::json!([]));
        let original = match slot.take() {
            serde_json::Value::Array(entries) => entries,
            _ => Vec::new(),
        };
        *slot = serde_json::Value::Array(merge_timeline(original, timeline));
    }
    if let Some(name) = map.get("name").and_then(|n| n.as_str()).map(|n| format!("{n} (sandbox)")) {
        map.insert("name".to_string(), serde_json::json!(name));
    }
    let body = serde_saphyr::to_string(&doc).map_err(|e| e.to_string())?;
    Ok(format!(
        "# Saved by `kafkasim play {}`: the scenario plus what was changed in the sandbox.\n{body}",
        app.source_name.trim_end_matches(" (built-in)")
    ))
}

/// Writes the session next to where kafkasim runs: `NAME-sandbox.yaml`
/// (`-2`, `-3`, … rather than overwriting).
pub fn save(app: &App) -> std::io::Result<PathBuf> {
    if app.timeline.interventions.is_empty() {
        return Err(std::io::Error::other("nothing to save yet: change something first (k, r, s, x, h or a)"));
    }
    let stem = std::path::Path::new(app.source_name.trim_end_matches(" (built-in)"))
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("scenario")
        .to_string();
    let path = (1..)
        .map(|n| {
            let name = if n == 1 { format!("{stem}-sandbox.yaml") } else { format!("{stem}-sandbox-{n}.yaml") };
            app.save_dir.join(name)
        })
        .find(|p| !p.exists())
        .expect("some name is free");
    let text = scenario_text(app).map_err(std::io::Error::other)?;
    std::fs::write(&path, text)?;
    Ok(path)
}
