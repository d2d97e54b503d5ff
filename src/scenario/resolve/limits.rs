//! The limits a scenario is checked against before it runs, so that no file
//! can make a run exhaust memory or take hours: records and their bytes,
//! the model's size (partitions, replicas, clients, groups), the events the
//! run needs at least, and the `limits:` a scenario sets for itself. Each is
//! refused with the same kind of located error, before anything runs.

use std::collections::BTreeMap;

use super::Resolver;
use crate::scenario::file::ScenarioFile;
use crate::scenario::{
    CEILING_MAX_EVENTS, CEILING_MAX_RECORDS, CommitMode, MAX_CLIENTS, MAX_GROUP_ASSIGNMENT, MAX_TOTAL_PARTITIONS,
    MAX_TOTAL_REPLICAS, MAX_VALUE_BYTES, Problem, Scenario,
};

/// Events a broker handles each simulated second even when nothing happens:
/// a heartbeat to the controller every 2 s and a metadata long poll every
/// 500 ms, each a request and an answer (7.7 measured on an idle cluster;
/// a lower bound, as the estimate below must never overstate).
const IDLE_EVENTS_PER_BROKER_SECOND: f64 = 7.0;
/// The same for a consumer in a group: heartbeats every 3 s (1.7 measured).
const IDLE_EVENTS_PER_MEMBER_SECOND: f64 = 0.6;

/// `limits: { max_events, max_records }` within their ceilings.
pub(crate) fn check_own_limits(r: &mut Resolver<'_>, file: &ScenarioFile) {
    let Some(limits) = &file.limits else { return };
    if let Some(m) = &limits.max_records
        && m.value > CEILING_MAX_RECORDS
    {
        r.error(
            m,
            format!("limits.max_records may be at most {CEILING_MAX_RECORDS}"),
            Some("kafkasim keeps every record in memory; send fewer records".to_string()),
        );
    }
    if let Some(m) = &limits.max_events {
        if m.value > CEILING_MAX_EVENTS {
            r.error(
                m,
                format!("limits.max_events may be at most {CEILING_MAX_EVENTS}"),
                Some("shorten the run (`run:`) instead".to_string()),
            );
        } else if m.value == 0 {
            r.error(
                m,
                "a run of 0 events cannot even start its brokers",
                Some(format!("leave `max_events` out for the default, {}", crate::scenario::DEFAULT_MAX_EVENTS)),
            );
        }
    }
}

/// Refuses scenarios that would send more records (or bytes of values)
/// than the limits allow, before running anything.
pub(crate) fn check_records(r: &mut Resolver<'_>, file: &ScenarioFile, scenario: &Scenario) {
    // Records live in memory: bound the bytes too, not only the count.
    let mut bytes: u64 = 0;
    for spec in &file.producers {
        let Some(value_bytes) = &spec.value_bytes else { continue };
        bytes = bytes.saturating_add(spec.count.value.saturating_mul(u64::from(value_bytes.value)));
        if bytes > MAX_VALUE_BYTES {
            r.error(
                value_bytes,
                format!(
                    "the producers would send {} MiB of values in all, more than the limit of {} MiB",
                    bytes / (1 << 20),
                    MAX_VALUE_BYTES / (1 << 20)
                ),
                Some("lower `count` or `value_bytes`: kafkasim keeps every record in memory".to_string()),
            );
            break;
        }
    }
    let mut total: u64 = 0;
    for spec in &file.producers {
        total = total.saturating_add(spec.count.value);
        if total > scenario.limits.max_records {
            r.error(
                &spec.count,
                format!(
                    "the producers would send {total} records in all, more than the limit of {}",
                    scenario.limits.max_records
                ),
                Some(format!("lower `count`, or raise `limits: {{ max_records: N }}` (at most {CEILING_MAX_RECORDS})")),
            );
            break;
        }
    }
}

/// Partitions, replicas, clients and group sizes within their limits.
pub(crate) fn check_model_size(r: &mut Resolver<'_>, file: &ScenarioFile, scenario: &Scenario) {
    let (mut partitions, mut replicas) = (0u64, 0u64);
    for (i, topic) in scenario.topics.iter().enumerate() {
        partitions += u64::from(topic.partitions);
        replicas += u64::from(topic.partitions) * u64::from(topic.replication_factor);
        let over = if partitions > u64::from(MAX_TOTAL_PARTITIONS) {
            Some(format!(
                "the topics have {partitions} partitions in all, more than the limit of {MAX_TOTAL_PARTITIONS}"
            ))
        } else if replicas > u64::from(MAX_TOTAL_REPLICAS) {
            Some(format!("the topics have {replicas} replicas in all, more than the limit of {MAX_TOTAL_REPLICAS}"))
        } else {
            None
        };
        let Some(message) = over else { continue };
        let help = "fewer partitions or a lower replication factor teach the same: a lesson needs a handful";
        match file.topics.get(i) {
            Some(spec) => r.error(&spec.partitions, message, Some(help.to_string())),
            // `__consumer_offsets`, added for the groups.
            None => r.problems.push(
                Problem::whole_file(format!("{message}, with __consumer_offsets"))
                    .help("lower `offsets.topic.num.partitions` in `broker_config:`"),
            ),
        }
        break;
    }
    let clients = file.producers.iter().map(|p| &p.id).chain(file.consumers.iter().map(|c| &c.id));
    if let Some(id) = clients.clone().nth(MAX_CLIENTS as usize) {
        r.error(
            id,
            format!("the scenario has {} clients, more than the limit of {MAX_CLIENTS}", clients.count()),
            Some(
                "a handful of producers and consumers show every lesson; `per_tick` makes one producer send bursts"
                    .to_string(),
            ),
        );
    }
    check_group_sizes(r, file, scenario);
}

/// Per group: members × the partitions they subscribe to, which every
/// rebalance's assignor works through.
fn check_group_sizes(r: &mut Resolver<'_>, file: &ScenarioFile, scenario: &Scenario) {
    let mut groups: BTreeMap<&str, (u64, std::collections::BTreeSet<u32>)> = BTreeMap::new();
    for (spec, consumer) in file.consumers.iter().zip(&scenario.consumers) {
        let Some(group) = consumer.group.as_deref() else { continue };
        let (members, topics) = groups.entry(group).or_default();
        *members += 1;
        topics.extend(consumer.topics.iter().map(|t| t.0));
        let partitions: u64 =
            topics.iter().filter_map(|&t| scenario.topics.get(t as usize)).map(|t| u64::from(t.partitions)).sum();
        if *members * partitions > MAX_GROUP_ASSIGNMENT {
            r.error(
                &spec.id,
                format!(
                    "group `{group}` has {members} members over {partitions} partitions: {} member-partitions, more than the limit of {MAX_GROUP_ASSIGNMENT}",
                    *members * partitions
                ),
                Some("every rebalance's assignor works through each member and partition: use fewer of either".to_string()),
            );
            // Once per group.
            *members = 0;
            topics.clear();
        }
    }
}

/// The events the run needs at least — the brokers' and group members'
/// idle traffic, the long polls of followers and consumers (which repeat
/// as fast as the network answers when their wait is zero), and the
/// producers' sends — within `limits.max_events`. Without this a long run
/// of a large cluster would spin for minutes and then stop at the limit; a
/// long poll that can never wait (zero wait, no latency) is refused too,
/// as its clock would never move.
pub(crate) fn check_events(r: &mut Resolver<'_>, file: &ScenarioFile, scenario: &Scenario) {
    let seconds = scenario.run_for.as_micros() as f64 / 1e6;
    let round_trip_us = 2 * scenario.latency.as_micros().saturating_sub(scenario.jitter.as_micros());
    let members = scenario.consumers.iter().filter(|c| c.group.is_some()).count() as f64;
    let mut per_second =
        IDLE_EVENTS_PER_BROKER_SECOND * f64::from(scenario.brokers) + IDLE_EVENTS_PER_MEMBER_SECOND * members;
    // A long poll is a request and its answer, at most once per wait (or round trip).
    let mut polls = |loops: f64, wait_ms: u64, config: &str| -> Result<(), String> {
        let period_us = (wait_ms * 1_000).max(round_trip_us);
        if loops == 0.0 {
            return Ok(());
        }
        if period_us == 0 {
            return Err(config.to_string());
        }
        per_second += loops * 2.0 * 1e6 / period_us as f64;
        Ok(())
    };
    let followers = scenario.topics.iter().map(|t| t.replication_factor.saturating_sub(1)).max().unwrap_or(0);
    let mut stuck =
        polls(f64::from(followers), scenario.broker_config.replica_fetch_wait_max_ms, "replica.fetch.wait.max.ms")
            .err();
    for c in scenario.consumers.iter().filter(|c| c.group.is_none()) {
        stuck = stuck.or(polls(1.0, c.config.fetch_max_wait_ms, "fetch.max.wait.ms").err());
    }
    // An auto-commit is an OffsetCommit and its answer, at most once per
    // interval: `auto.commit.interval.ms: 0` commits every round trip.
    for c in scenario.consumers.iter().filter(|c| c.commit == CommitMode::Auto) {
        stuck = stuck.or(polls(1.0, c.config.auto_commit_interval_ms, "auto.commit.interval.ms").err());
    }
    if let Some(config) = stuck {
        let message = format!(
            "with {config}=0 and no network latency, a fetch and its empty answer would repeat at one instant for ever: the clock could never move"
        );
        let help =
            "give the network a latency, like `network: { latency: 1ms }`, or the wait a positive value".to_string();
        match &file.network {
            Some(network) if network.latency.is_some() => {
                r.error(network.latency.as_ref().expect("checked"), message, Some(help))
            }
            _ => r.problems.push(Problem::whole_file(message).help(help)),
        }
        return;
    }
    let sends: u64 = scenario
        .producers
        .iter()
        .map(|p| p.workload.schedule.count.div_ceil(u64::from(p.workload.schedule.per_tick.max(1))))
        .sum();
    let needed = ((seconds * per_second) as u64).saturating_add(sends);
    let limit = scenario.limits.max_events;
    if needed <= limit {
        return;
    }
    let sent = if sends > 0 { format!(", plus {sends} sends of the producers") } else { String::new() };
    let message = format!(
        "this run needs at least {needed} engine events (about {} a simulated second even when idle, for {}{sent}), more than limits.max_events ({limit})",
        per_second as u64, scenario.run_for,
    );
    let help = if needed > CEILING_MAX_EVENTS {
        format!("shorten the run: even the highest `limits: {{ max_events: {CEILING_MAX_EVENTS} }}` is too few")
    } else {
        format!("shorten the run, or raise `limits: {{ max_events: {needed} }}` (at most {CEILING_MAX_EVENTS})")
    };
    match &file.run {
        Some(run) => r.error(run, message, Some(help)),
        None => r.problems.push(Problem::whole_file(message).help(help)),
    }
}
