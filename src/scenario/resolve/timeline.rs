//! The timeline, the expectations and the length of the run.

use serde_saphyr::Spanned;

use super::{Located, Resolver};
use crate::engine::{SimDuration, SimTime};
use crate::ids::{BrokerId, ControllerId};
use crate::protocol::NewTopic;
use crate::scenario::file::{CreateTopicSpec, HostRef, ScenarioFile, SpanOf};
use crate::scenario::{Action, ClientRef, HostName, MAX_PARTITIONS, MAX_RUN, Scenario, TimedAction};

fn client(r: &mut Resolver<'_>, scenario: &Scenario, at: &dyn Located, name: &str) -> Option<ClientRef> {
    let found = scenario.client(name);
    if found.is_none() {
        let known = scenario.client_names();
        r.unknown(at, "client", name, &known);
    }
    found
}

fn broker(r: &mut Resolver<'_>, scenario: &Scenario, at: &dyn Located, id: u32) -> Option<BrokerId> {
    if id == 0 || id > scenario.brokers {
        r.error(
            at,
            format!("broker {id} does not exist"),
            Some(format!("this scenario has brokers 1 to {}", scenario.brokers)),
        );
        None
    } else {
        Some(BrokerId(id as i32))
    }
}

fn host(r: &mut Resolver<'_>, scenario: &Scenario, at: &dyn Located, host: &HostRef) -> Option<HostName> {
    match host {
        HostRef::Broker(id) => broker(r, scenario, at, *id).map(HostName::Broker),
        HostRef::Client(name) if super::avro::is_registry_name(name) && scenario.registry.is_some() => {
            Some(HostName::SchemaRegistry)
        }
        HostRef::Client(name) => match name.strip_prefix("controller-").map(str::parse::<u32>) {
            Some(Ok(id)) if id >= 1 && id <= scenario.controllers => Some(HostName::Controller(ControllerId(id))),
            Some(_) => {
                r.error(
                    at,
                    format!("`{name}` does not exist"),
                    Some(format!("this scenario has controllers controller-1 to controller-{}", scenario.controllers)),
                );
                None
            }
            None => client(r, scenario, at, name).map(HostName::Client),
        },
    }
}

/// A process `kill`/`restart` can act on: a broker or a controller.
fn process(r: &mut Resolver<'_>, scenario: &Scenario, at: &dyn Located, target: &HostRef) -> Option<HostName> {
    match host(r, scenario, at, target)? {
        HostName::Client(_) => {
            r.error(
                at,
                "`kill`, `kill_host` and `restart` are for brokers, controllers and the schema-registry",
                Some(
                    "stop a client with `crash:` (abruptly) or `stop:` (cleanly), and bring it back with `start:`"
                        .to_string(),
                ),
            );
            None
        }
        other => Some(other),
    }
}

/// Where an item of a one-or-many field is written.
fn item_span<'a, T>(at: SpanOf<'a, T>) -> &'a dyn Located {
    match at {
        SpanOf::Whole(whole) => whole,
        SpanOf::Item(item) => item,
    }
}

pub(crate) fn resolve_timeline(r: &mut Resolver<'_>, file: &ScenarioFile, scenario: &mut Scenario) {
    for entry in &file.timeline {
        let at = SimTime::ZERO + entry.at.value.0;
        // Each kind of action the entry names, with what it resolved to.
        let mut kinds: Vec<Vec<Action>> = Vec::new();
        if let Some(text) = &entry.say {
            kinds.push(vec![Action::Say(text.clone())]);
        }
        for (field, make) in [
            (&entry.start, Action::Start as fn(ClientRef) -> Action),
            (&entry.stop, Action::Stop as fn(ClientRef) -> Action),
            (&entry.crash, Action::Crash as fn(ClientRef) -> Action),
        ] {
            if let Some(names) = field {
                let mut actions = Vec::new();
                for (name, span) in names.value.items(names) {
                    // A Kafka Streams instance: every client of its stream threads.
                    if let Some(clients) = scenario.instance_clients(name) {
                        actions.extend(clients.into_iter().map(make));
                    } else if let Some(c) = client(r, scenario, item_span(span), name) {
                        actions.push(make(c));
                    }
                }
                kinds.push(actions);
            }
        }
        for (field, make) in [
            (&entry.kill, Action::Kill as fn(HostName) -> Action),
            (&entry.kill_host, Action::KillHost),
            (&entry.restart, Action::Restart),
        ] {
            if let Some(targets) = field {
                let actions = targets
                    .value
                    .items(targets)
                    .into_iter()
                    .filter_map(|(target, span)| process(r, scenario, item_span(span), target).map(make))
                    .collect();
                kinds.push(actions);
            }
        }
        for (field, paused) in [(&entry.pause, true), (&entry.resume, false)] {
            if let Some(names) = field {
                let mut actions = Vec::new();
                for (name, span) in names.value.items(names) {
                    let span = item_span(span);
                    match client(r, scenario, span, name) {
                        Some(ClientRef::Consumer(c)) => actions.push(Action::Pause(c, paused)),
                        Some(ClientRef::Producer(_)) => r.error(
                            span,
                            "`pause` and `resume` are for consumers",
                            Some("stop a producer with `stop:`".to_string()),
                        ),
                        None => {}
                    }
                }
                kinds.push(actions);
            }
        }
        if entry.preferred_election == Some(true) {
            kinds.push(vec![Action::PreferredElection]);
        }
        if let Some(groups) = &entry.cut {
            kinds.push(vec![cut(r, scenario, groups)]);
        }
        if entry.heal == Some(true) {
            kinds.push(vec![Action::Heal]);
        }
        if let Some(slow) = &entry.slow
            && let Some(h) = host(r, scenario, &slow.host, &slow.host.value)
        {
            kinds.push(vec![Action::Slow(h, slow.latency.value.0)]);
        }
        if let Some(spec) = &entry.create_topic
            && let Some(action) = create_topic(r, scenario, spec)
        {
            kinds.push(vec![action]);
        }
        if let Some(evolve) = &entry.evolve
            && let Some(action) = super::avro::evolve(r, scenario, evolve)
        {
            kinds.push(vec![action]);
        }
        if let Some(link) = &entry.link {
            let hosts: Vec<HostName> =
                link.between.value.iter().filter_map(|h| host(r, scenario, &link.between, h)).collect();
            let conditions = crate::net::LinkConditions {
                latency: link.latency.as_ref().map_or(SimDuration::ZERO, |l| l.value.0),
                jitter: link.jitter.as_ref().map_or(SimDuration::ZERO, |j| j.value.0),
                loss: link.loss.as_ref().map_or(0.0, |l| l.value.0),
                bandwidth_bytes_per_sec: link.bandwidth.as_ref().map(|b| b.value.0),
            };
            match (link.between.value.len(), hosts.as_slice()) {
                (1, &[a]) => kinds.push(vec![Action::Link(a, None, conditions)]),
                (2, &[a, b]) if a == b => r.error(
                    &link.between,
                    "a link joins two different hosts",
                    Some("name two hosts, like `between: [1, 3]`, or one for all its links, like `between: [3]`".to_string()),
                ),
                (2, &[a, b]) => kinds.push(vec![Action::Link(a, Some(b), conditions)]),
                (1 | 2, _) => {}
                _ => r.error(
                    &link.between,
                    "`between` takes one host or two",
                    Some("one host for all its links (`between: [3]`), two for the link between them (`between: [1, 3]`)".to_string()),
                ),
            }
        }
        if entry.ask.is_some() {
            // A question is an action of its own that changes nothing in
            // the run: `questions` resolves it.
            kinds.push(Vec::new());
        }
        match kinds.len() {
            1 => scenario.timeline.extend(kinds.remove(0).into_iter().map(|action| TimedAction { at, action })),
            0 if entry.heal == Some(false) || entry.preferred_election == Some(false) => {}
            0 if r.problems.is_empty() => r.error(
                &entry.at,
                "this timeline entry does nothing",
                Some(
                    "add one action: say, start, stop, crash, pause, resume, kill, kill_host, restart, cut, heal, slow, link, evolve, preferred_election, create_topic or ask"
                        .to_string(),
                ),
            ),
            0 => {}
            n => r.error(
                &entry.at,
                format!("this timeline entry has {n} kinds of action"),
                Some(
                    "give each kind its own `- at:` entry (they may share the time); one kind may name several hosts, like `kill: [2, 3]`"
                        .to_string(),
                ),
            ),
        }
    }
    // Keep file order for equal times; the engine breaks ties by insertion.
    scenario.timeline.sort_by_key(|a| a.at);
}

/// `create_topic: { name, partitions, replication_factor, config }`: what
/// Kafka would refuse whatever the cluster's state is an error here, with
/// its place in the file; a name that exists is left for the controller to
/// refuse (TOPIC_ALREADY_EXISTS), which a lesson may want to show.
fn create_topic(r: &mut Resolver<'_>, scenario: &Scenario, spec: &CreateTopicSpec) -> Option<Action> {
    let before = r.problems.len();
    let name = spec.name.value.clone();
    if let Err(message) = crate::cluster::topic_name::validate(&name) {
        r.error(
            &spec.name,
            format!("INVALID_TOPIC_EXCEPTION: {message}"),
            Some("use letters, digits, `.`, `_` and `-`, like `clicks`".to_string()),
        );
    }
    if let Some(p) = &spec.partitions
        && (p.value == 0 || p.value > MAX_PARTITIONS)
    {
        r.error(
            p,
            format!("INVALID_PARTITIONS: {} partitions", p.value),
            Some(format!("a topic has between 1 and {MAX_PARTITIONS} partitions")),
        );
    }
    if let Some(rf) = &spec.replication_factor {
        if rf.value == 0 {
            r.error(
                rf,
                "INVALID_REPLICATION_FACTOR: replication factor 0",
                Some("every partition needs at least one replica".to_string()),
            );
        } else if rf.value > scenario.brokers {
            r.error(
                rf,
                format!(
                    "INVALID_REPLICATION_FACTOR: the target replication factor of {} cannot be reached because only {} broker(s) are registered",
                    rf.value, scenario.brokers
                ),
                Some(format!("each replica is on a different broker: use at most {}", scenario.brokers)),
            );
        }
    }
    let mut configs = Vec::new();
    if let Some(map) = &spec.config {
        let mut checked = scenario.broker_config.topic_defaults;
        super::configs::apply(r, map, &mut checked);
        configs = map.entries.iter().map(|(k, v)| (k.value.clone(), v.value.to_string())).collect();
    }
    if r.problems.len() > before {
        return None;
    }
    let count = |n: Option<&Spanned<u32>>| n.map_or(-1, |n| n.value.min(i32::MAX as u32) as i32);
    Some(Action::CreateTopic(NewTopic {
        name,
        num_partitions: count(spec.partitions.as_ref()),
        replication_factor: count(spec.replication_factor.as_ref()),
        configs,
    }))
}

/// `cut: [[1], [2, 3, producer]]`: each host on at most one side, two sides at least.
fn cut(r: &mut Resolver<'_>, scenario: &Scenario, groups: &Spanned<Vec<Vec<Spanned<HostRef>>>>) -> Action {
    let mut resolved: Vec<Vec<HostName>> = Vec::new();
    for group in &groups.value {
        let mut hosts = Vec::new();
        for h in group {
            let Some(name) = host(r, scenario, h, &h.value) else { continue };
            if resolved.iter().flatten().chain(&hosts).any(|other| *other == name) {
                r.error(
                    h,
                    "a host is in two groups of one cut",
                    Some("each host belongs to at most one side".to_string()),
                );
            }
            hosts.push(name);
        }
        resolved.push(hosts);
    }
    if resolved.len() < 2 {
        r.error(groups, "a cut needs at least two groups", Some("write it like `cut: [[1], [2, 3]]`".to_string()));
    }
    Action::Cut(resolved)
}

/// The run length: as given, or 10 s after the last planned moment.
pub(crate) fn resolve_run(r: &mut Resolver<'_>, file: &ScenarioFile, scenario: &mut Scenario) {
    let mut last = SimTime::ZERO;
    for action in &scenario.timeline {
        last = last.max(action.at);
    }
    for e in &scenario.expectations {
        last = last.max(e.at.unwrap_or(SimTime::ZERO));
    }
    for p in &scenario.producers {
        let s = &p.workload.schedule;
        let ticks = s.count.div_ceil(u64::from(s.per_tick.max(1)));
        let end = s.start + s.every.times(ticks.saturating_sub(1));
        last = last.max(s.stop.map_or(end, |stop| stop.min(end)));
    }
    for c in &scenario.consumers {
        last = last.max(c.start.unwrap_or(SimTime::ZERO));
    }
    let default_run = last + SimDuration::from_secs(10);
    scenario.run_for = match &file.run {
        Some(run) => {
            let end = SimTime::ZERO + run.value.0;
            if run.value.0 > MAX_RUN {
                r.error(
                    run,
                    format!("a run of {} is longer than a year", run.value.0),
                    Some("use at most `366d`".to_string()),
                );
            } else if run.value.0.is_zero() {
                r.error(run, "a run of 0s shows nothing", Some("use a positive duration like `90s`".to_string()));
            }
            for action in &file.timeline {
                if SimTime::ZERO + action.at.value.0 > end {
                    r.error(
                        &action.at,
                        format!("this happens after the run ends at {}", run.value.0),
                        Some("move it earlier or lengthen `run:`".to_string()),
                    );
                }
            }
            for e in &file.expect {
                if let Some(a) = &e.at
                    && SimTime::ZERO + a.value.0 > end
                {
                    r.error(
                        a,
                        format!("this is checked after the run ends at {}", run.value.0),
                        Some("move it earlier or lengthen `run:`".to_string()),
                    );
                }
            }
            end
        }
        None if default_run.saturating_sub(SimTime::ZERO) > MAX_RUN && r.problems.is_empty() => {
            r.problems.push(
                crate::scenario::Problem::whole_file("the planned events go on for more than a year of simulated time")
                    .help("shorten the producers' schedules or set `run:` explicitly"),
            );
            SimTime::ZERO + MAX_RUN
        }
        None => default_run,
    };
}
