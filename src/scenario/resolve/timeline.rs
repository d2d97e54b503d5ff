//! The timeline, the expectations and the length of the run.

use serde_saphyr::Spanned;

use super::Resolver;
use crate::engine::{SimDuration, SimTime};
use crate::ids::{BrokerId, ControllerId};
use crate::scenario::file::{HostRef, ScenarioFile};
use crate::scenario::{Action, ClientRef, HostName, MAX_RUN, Scenario, TimedAction};

fn client<T>(r: &mut Resolver<'_>, scenario: &Scenario, at: &Spanned<T>, name: &str) -> Option<ClientRef> {
    let found = scenario.client(name);
    if found.is_none() {
        let known: Vec<&str> = scenario
            .producers
            .iter()
            .map(|p| p.name.as_str())
            .chain(scenario.consumers.iter().map(|c| c.name.as_str()))
            .collect();
        r.unknown(at, "client", name, &known);
    }
    found
}

fn broker<T>(r: &mut Resolver<'_>, scenario: &Scenario, at: &Spanned<T>, id: u32) -> Option<BrokerId> {
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

fn host<T>(r: &mut Resolver<'_>, scenario: &Scenario, at: &Spanned<T>, host: &HostRef) -> Option<HostName> {
    match host {
        HostRef::Broker(id) => broker(r, scenario, at, *id).map(HostName::Broker),
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
fn process<T>(r: &mut Resolver<'_>, scenario: &Scenario, at: &Spanned<T>, target: &HostRef) -> Option<HostName> {
    match host(r, scenario, at, target)? {
        HostName::Client(_) => {
            r.error(
                at,
                "`kill`, `kill_host` and `restart` are for brokers and controllers",
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

pub(crate) fn resolve_timeline(r: &mut Resolver<'_>, file: &ScenarioFile, scenario: &mut Scenario) {
    for entry in &file.timeline {
        let at = SimTime::ZERO + entry.at.value.0;
        let mut actions: Vec<Action> = Vec::new();
        if let Some(text) = &entry.say {
            actions.push(Action::Say(text.clone()));
        }
        for (field, make) in [
            (&entry.start, Action::Start as fn(ClientRef) -> Action),
            (&entry.stop, Action::Stop as fn(ClientRef) -> Action),
            (&entry.crash, Action::Crash as fn(ClientRef) -> Action),
        ] {
            if let Some(name) = field {
                // A Kafka Streams instance: every client of its stream threads.
                if let Some(clients) = scenario.instance_clients(&name.value) {
                    actions.extend(clients.into_iter().map(make));
                } else if let Some(c) = client(r, scenario, name, &name.value) {
                    actions.push(make(c));
                }
            }
        }
        if let Some(target) = &entry.kill
            && let Some(h) = process(r, scenario, target, &target.value)
        {
            actions.push(Action::Kill(h));
        }
        if let Some(target) = &entry.kill_host
            && let Some(h) = process(r, scenario, target, &target.value)
        {
            actions.push(Action::KillHost(h));
        }
        if let Some(target) = &entry.restart
            && let Some(h) = process(r, scenario, target, &target.value)
        {
            actions.push(Action::Restart(h));
        }
        for (field, paused) in [(&entry.pause, true), (&entry.resume, false)] {
            if let Some(name) = field {
                match client(r, scenario, name, &name.value) {
                    Some(ClientRef::Consumer(c)) => actions.push(Action::Pause(c, paused)),
                    Some(ClientRef::Producer(_)) => r.error(
                        name,
                        "`pause` and `resume` are for consumers",
                        Some("stop a producer with `stop:`".to_string()),
                    ),
                    None => {}
                }
            }
        }
        if entry.preferred_election == Some(true) {
            actions.push(Action::PreferredElection);
        }
        if let Some(groups) = &entry.cut {
            let mut resolved: Vec<Vec<HostName>> = Vec::new();
            for group in &groups.value {
                let hosts: Vec<HostName> = group.iter().filter_map(|h| host(r, scenario, groups, h)).collect();
                for h in &hosts {
                    if resolved.iter().flatten().any(|other| other == h) {
                        r.error(
                            groups,
                            "a host is in two groups of one cut",
                            Some("each host belongs to at most one side".to_string()),
                        );
                    }
                }
                resolved.push(hosts);
            }
            if resolved.len() < 2 {
                r.error(
                    groups,
                    "a cut needs at least two groups",
                    Some("write it like `cut: [[1], [2, 3]]`".to_string()),
                );
            }
            actions.push(Action::Cut(resolved));
        }
        if entry.heal == Some(true) {
            actions.push(Action::Heal);
        }
        if let Some(slow) = &entry.slow
            && let Some(h) = host(r, scenario, &slow.latency, &slow.host)
        {
            actions.push(Action::Slow(h, slow.latency.value.0));
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
                (1, &[a]) => actions.push(Action::Link(a, None, conditions)),
                (2, &[a, b]) if a == b => r.error(
                    &link.between,
                    "a link joins two different hosts",
                    Some("name two hosts, like `between: [1, 3]`, or one for all its links, like `between: [3]`".to_string()),
                ),
                (2, &[a, b]) => actions.push(Action::Link(a, Some(b), conditions)),
                (1 | 2, _) => {}
                _ => r.error(
                    &link.between,
                    "`between` takes one host or two",
                    Some("one host for all its links (`between: [3]`), two for the link between them (`between: [1, 3]`)".to_string()),
                ),
            }
        }
        match actions.len() {
            1 => scenario.timeline.push(TimedAction { at, action: actions.pop().expect("one") }),
            0 if entry.heal == Some(false) || entry.preferred_election == Some(false) => {}
            0 if r.problems.is_empty() => r.error(
                &entry.at,
                "this timeline entry does nothing",
                Some(
                    "add one action: say, start, stop, crash, pause, resume, kill, kill_host, restart, cut, heal, slow, link or preferred_election"
                        .to_string(),
                ),
            ),
            0 => {}
            n => r.error(
                &entry.at,
                format!("this timeline entry has {n} actions"),
                Some("give each action its own `- at:` entry (they may share the time)".to_string()),
            ),
        }
    }
    // Keep file order for equal times; the engine breaks ties by insertion.
    scenario.timeline.sort_by_key(|a| a.at);
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
