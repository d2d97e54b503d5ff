//! The sandbox: what an intervention is called on screen, and saving a
//! session as a new scenario file — the original scenario with the
//! student's interventions added to its timeline, so a teacher can run and
//! snapshot the experiment.

use std::path::PathBuf;

use crate::ids::Host;
use crate::scenario::save::{Existing, is_taken, write_scenario};
use crate::scenario::{Action, ClientRef, HostName, Scenario};
use crate::world::{World, name_like};

use super::app::App;
use super::timeline::{Intervene, Intervention};

/// The name a scenario gives `host`; `None` for a real client's connection
/// in live mode and the timeline's admin client, which no scenario file can name.
pub fn host_name(host: Host) -> Option<HostName> {
    Some(match host {
        Host::Broker(b) => HostName::Broker(b),
        Host::Controller(c) => HostName::Controller(c),
        Host::Producer(p) => HostName::Client(ClientRef::Producer(p)),
        Host::Consumer(c) => HostName::Client(ClientRef::Consumer(c)),
        Host::SchemaRegistry => HostName::SchemaRegistry,
        Host::LiveClient(_) | Host::Admin => return None,
    })
}

/// A host as a sentence names it: `broker 2`, `controller 1`, `consumer c1`.
fn host_words(world: &World, host: &HostName) -> String {
    match host {
        HostName::Broker(b) => format!("broker {}", b.0),
        HostName::Controller(c) => format!("controller {}", c.0),
        HostName::Client(ClientRef::Producer(p)) => format!("producer {}", world.names.producer(*p)),
        HostName::Client(ClientRef::Consumer(c)) => format!("consumer {}", world.names.consumer(*c)),
        HostName::SchemaRegistry => "the schema registry".to_string(),
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

/// Every client's name once every intervention is applied: the original
/// scenario's, then each added consumer's, named as [`World::add_consumer_like`]
/// names it, in the order a replay applies them (by step, then as made).
struct ClientNames {
    producers: Vec<String>,
    consumers: Vec<String>,
}

impl ClientNames {
    fn after(original: &Scenario, interventions: &[&Intervention]) -> Self {
        let producers: Vec<String> = original.producers.iter().map(|p| p.name.clone()).collect();
        let mut consumers: Vec<String> = original.consumers.iter().map(|c| c.name.clone()).collect();
        for i in interventions {
            if let Intervene::AddConsumer { like } = &i.what
                && let Some(template) = consumers.get(like.0 as usize)
            {
                let taken = |name: &str| consumers.iter().chain(&producers).any(|n| n == name);
                let name = name_like(template, taken);
                consumers.push(name);
            }
        }
        ClientNames { producers, consumers }
    }

    fn client(&self, client: ClientRef) -> String {
        let name = match client {
            ClientRef::Producer(p) => self.producers.get(p.0 as usize),
            ClientRef::Consumer(c) => self.consumers.get(c.0 as usize),
        };
        name.cloned().unwrap_or_default()
    }

    fn host(&self, host: &HostName) -> serde_json::Value {
        match host {
            HostName::Broker(b) => serde_json::json!(b.0),
            HostName::Controller(c) => serde_json::json!(format!("controller-{}", c.0)),
            HostName::Client(c) => serde_json::json!(self.client(*c)),
            HostName::SchemaRegistry => serde_json::json!(crate::registry::REGISTRY_HOST),
        }
    }
}

/// One timeline entry in the scenario format.
fn timeline_entry(at: &str, action: &Action, names: &ClientNames) -> Option<serde_json::Value> {
    let (key, value) = match action {
        Action::Kill(h) => ("kill", names.host(h)),
        Action::Restart(h) => ("restart", names.host(h)),
        Action::Cut(groups) => {
            let groups: Vec<Vec<serde_json::Value>> =
                groups.iter().map(|g| g.iter().map(|h| names.host(h)).collect()).collect();
            ("cut", serde_json::json!(groups))
        }
        Action::Heal => ("heal", serde_json::json!(true)),
        Action::Crash(c) => ("crash", serde_json::json!(names.client(*c))),
        Action::Start(c) => ("start", serde_json::json!(names.client(*c))),
        Action::Stop(c) => ("stop", serde_json::json!(names.client(*c))),
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
/// consumers), which `kafkasim run` accepts and replays. The original's
/// comments do not survive the round trip.
///
/// What happened in the sandbox is what is saved: the run keeps its length
/// (`run:` is written when the original left it to the default, which the
/// new timeline entries would move), and an intervention made once the run
/// was over — which changed nothing — is left out, with a comment saying so.
pub fn scenario_text(app: &App) -> Result<String, String> {
    let world = app.world();
    let original = crate::scenario::load_str(&app.source_name, &app.source_text)
        .map_err(|e| format!("the original scenario does not load: {e}"))?;
    let mut doc: serde_json::Value =
        serde_saphyr::from_str(&app.source_text).map_err(|e| format!("the original scenario does not parse: {e}"))?;
    let Some(map) = doc.as_object_mut() else { return Err("the original scenario is not a mapping".to_string()) };
    let run_for = world.scenario.run_for;
    // In the order a replay applies them: by step, then as they were made.
    let mut applied: Vec<&Intervention> = app.timeline.interventions.iter().collect();
    applied.sort_by_key(|i| i.step);
    let names = ClientNames::after(&original, &applied);
    let mut next_consumer = original.consumers.len();
    let mut consumers = Vec::new();
    let mut timeline = Vec::new();
    let mut left_out = Vec::new();
    for i in &applied {
        let at = at_text(i.at);
        if let Intervene::AddConsumer { like } = &i.what {
            let name = names.consumers.get(next_consumer).cloned().unwrap_or_default();
            next_consumer += 1;
            if i.at <= run_for {
                let like = names.client(ClientRef::Consumer(*like));
                consumers.push(serde_json::json!({ "id": name, "like": like, "start": at }));
            } else {
                left_out.push(format!("{name} joining at {at}"));
            }
            continue;
        }
        let Intervene::Act(action) = &i.what else { continue };
        match timeline_entry(&at, action, &names) {
            Some(entry) if i.at <= run_for => timeline.push((i.at, entry)),
            Some(entry) => {
                let what = entry
                    .as_object()
                    .and_then(|e| e.iter().find(|(k, _)| *k != "at"))
                    .map(|(k, v)| format!("{k}: {v}"));
                left_out.push(format!("{} at {at}", what.unwrap_or_default()));
            }
            None => {}
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
    map.entry("run".to_string()).or_insert_with(|| serde_json::json!(at_text(run_for)));
    if let Some(name) = map.get("name").and_then(|n| n.as_str()).map(|n| format!("{n} (sandbox)")) {
        map.insert("name".to_string(), serde_json::json!(name));
    }
    let body = serde_saphyr::to_string(&doc).map_err(|e| e.to_string())?;
    let mut header = format!(
        "# Saved by `kafkasim play {}`: the scenario plus what was changed in the sandbox.\n",
        app.source_name.trim_end_matches(" (built-in)")
    );
    if !left_out.is_empty() {
        header.push_str(&format!(
            "# Left out, as the run had ended and they changed nothing: {}.\n",
            left_out.join("; ")
        ));
    }
    Ok(format!("{header}{body}"))
}

/// Writes the session next to where kafkasim runs: `NAME-sandbox.yaml`
/// (`-2`, `-3`, … rather than overwriting anything, a link included).
pub fn save(app: &App) -> std::io::Result<PathBuf> {
    if app.timeline.interventions.is_empty() {
        return Err(std::io::Error::other("nothing to save yet: change something first (k, r, s, x, h or a)"));
    }
    let stem = std::path::Path::new(app.source_name.trim_end_matches(" (built-in)"))
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("scenario")
        .to_string();
    let text = scenario_text(app).map_err(std::io::Error::other)?;
    for n in 1..1_000 {
        let name = if n == 1 { format!("{stem}-sandbox.yaml") } else { format!("{stem}-sandbox-{n}.yaml") };
        let path = app.save_dir.join(name);
        if is_taken(&path) {
            continue;
        }
        match write_scenario(&path, &text, Existing::Keep) {
            // Taken between the look and the write: the next name.
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
            Ok(()) => return Ok(path),
        }
    }
    Err(std::io::Error::other(format!("{stem}-sandbox.yaml to {stem}-sandbox-999.yaml are all taken")))
}
