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

/// A short description for the status line.
pub fn describe(what: &Intervene, world: &World) -> String {
    match what {
        Intervene::AddConsumer { like } => format!("a consumer like {} joins", world.names.consumer(*like)),
        Intervene::Act(action) => match action {
            Action::Kill(h) => format!("broker {} is killed", host_label(world, h)),
            Action::Restart(h) => format!("broker {} restarts", host_label(world, h)),
            Action::Cut(groups) => format!("{} is cut off the network", host_label(world, &groups[0][0])),
            Action::Heal => "the network is healed".to_string(),
            Action::Crash(c) => format!("{} crashes", client_label(world, *c)),
            Action::Start(c) => format!("{} starts", client_label(world, *c)),
            Action::Stop(c) => format!("{} stops cleanly", client_label(world, *c)),
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

/// Milliseconds (or microseconds), which every duration field accepts exactly.
fn at_text(time: crate::engine::SimTime) -> String {
    let us = time.as_micros();
    if us.is_multiple_of(1_000) { format!("{}ms", us / 1_000) } else { format!("{us}us") }
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
            Some(entry) if i.at <= run_for => timeline.push(entry),
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
    let mut append = |key: &str, items: Vec<serde_json::Value>| {
        if items.is_empty() {
            return;
        }
        let list = map.entry(key.to_string()).or_insert_with(|| serde_json::json!([]));
        if let Some(list) = list.as_array_mut() {
            list.extend(items);
        }
    };
    append("consumers", consumers);
    append("timeline", timeline);
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
