//! The `pipelines:` section: consume-transform-produce applications, each
//! instance a consumer of the application's group and a producer, added to
//! the scenario like any other clients.
//!
//! The embedded clients get what such an application configures: consumer
//! `enable.auto.commit=false` (the loop commits), `auto.offset.reset=earliest`,
//! and with `exactly_once` `isolation.level=read_committed` and a producer
//! `transactional.id` per instance (`<transactional.id>-<instance>`: each
//! instance fences only its own previous incarnation; KIP-447 fences
//! zombies of other members by the group's generation).

use std::collections::BTreeMap;

use super::Resolver;
use crate::client::pipeline::PipelineApp;
use crate::client::transaction_plan::TransactionPlan;
use crate::client::workload::Workload;
use crate::config::ProducerConfig;
use crate::config::consumer::{ConsumerConfig, OffsetReset};
use crate::engine::{SimDuration, SimTime};
use crate::ids::TopicId;
use crate::protocol::IsolationLevel;
use crate::scenario::diagnostic::Problem;
use crate::scenario::file::ScenarioFile;
use crate::scenario::pipeline_file::{GuaranteeSpec, PipelineAppSpec};
use crate::scenario::{CommitMode, ConsumerDef, ProducerDef, Scenario};

/// Resolves every application; problems go to `r`. The consumer configs of
/// each are returned beside it.
pub(crate) fn resolve_pipelines(
    r: &mut Resolver<'_>,
    file: &ScenarioFile,
    scenario: &Scenario,
) -> Vec<(PipelineApp, ConsumerConfig)> {
    let mut apps: Vec<(PipelineApp, ConsumerConfig)> = Vec::new();
    for spec in &file.pipelines {
        if let Some(app) = resolve_app(r, spec, scenario, &apps) {
            apps.push(app);
        }
    }
    apps
}

fn topic(r: &mut Resolver<'_>, scenario: &Scenario, name: &serde_saphyr::Spanned<String>) -> Option<TopicId> {
    let known: Vec<&str> = scenario.topics.iter().filter(|t| !t.internal).map(|t| t.name.as_str()).collect();
    match scenario.topics.iter().position(|t| !t.internal && t.name == name.value) {
        Some(i) => Some(TopicId(i as u32)),
        None => {
            r.unknown(name, "topic", &name.value, &known);
            None
        }
    }
}

fn resolve_app(
    r: &mut Resolver<'_>,
    spec: &PipelineAppSpec,
    scenario: &Scenario,
    earlier: &[(PipelineApp, ConsumerConfig)],
) -> Option<(PipelineApp, ConsumerConfig)> {
    let id = spec.id.value.clone();
    let mut ok = true;
    let input = topic(r, scenario, &spec.input);
    let output = topic(r, scenario, &spec.output);
    if input.is_some() && input == output {
        r.error(
            &spec.output,
            format!("`{}` is both the input and the output", spec.output.value),
            Some(
                "write the derived records to another topic: reading its own output, the application would loop".into(),
            ),
        );
        ok = false;
    }
    let group = spec.group.as_ref().map_or_else(|| id.clone(), |g| g.value.clone());
    if scenario.groups().contains(&group.as_str()) || earlier.iter().any(|(a, _)| a.group == group) {
        let at = spec.group.as_ref().map_or_else(|| r.span(&spec.id), |g| r.span(g));
        r.problems.push(
            Problem::at(at, format!("the group `{group}` is already used"))
                .help("give the application a group of its own (`group:`)"),
        );
        ok = false;
    }
    let owner = r.span(&spec.id);
    let taken = |name: &str| {
        scenario.client(name).is_some()
            || scenario.streams.iter().any(|a| a.instances.iter().any(|i| i == name))
            || earlier.iter().any(|(a, _)| a.instances.iter().any(|i| i == name))
    };
    let (instances, names_ok) =
        super::instances::resolve_instances(r, spec.instances.as_ref(), &id, owner, "application instance", taken)?;
    ok &= names_ok;
    let exactly_once = spec.guarantee.as_ref().is_some_and(|g| g.value == GuaranteeSpec::ExactlyOnce);
    let transactional_id = match (&spec.transactional_id, exactly_once) {
        (Some(t), true) => Some(t.value.clone()),
        (None, true) => {
            let at = spec.guarantee.as_ref().map_or_else(|| r.span(&spec.id), |g| r.span(g));
            r.problems.push(
                Problem::at(at, format!("pipeline `{id}` is exactly_once but has no transactional.id")).help(format!(
                    "exactly-once commits outputs and offsets in a transaction: add `transactional.id: {id}`"
                )),
            );
            ok = false;
            None
        }
        (Some(t), false) => {
            r.error(
                t,
                format!("pipeline `{id}` has a transactional.id but is at_least_once"),
                Some("add `guarantee: exactly_once` to commit in transactions, or remove the transactional.id".into()),
            );
            ok = false;
            None
        }
        (None, false) => None,
    };
    let mut consumer = ConsumerConfig {
        auto_offset_reset: OffsetReset::Earliest,
        enable_auto_commit: Some(false),
        group_id: Some(group.clone()),
        isolation_level: if exactly_once { IsolationLevel::ReadCommitted } else { IsolationLevel::ReadUncommitted },
        ..ConsumerConfig::default()
    };
    if let Some(map) = &spec.consumer_config {
        super::configs::apply(r, map, &mut consumer);
    }
    let start = Some(spec.start.as_ref().map_or(SimTime::ZERO, |s| SimTime::ZERO + s.value.0));
    let commit_every = spec.commit_every.as_ref().map_or(SimDuration::from_secs(1), |d| d.value.0);
    if let Some(d) = &spec.commit_every
        && commit_every.is_zero()
    {
        r.error(d, "`commit_every` must be longer than 0", Some("commit every `100ms` or more".into()));
        ok = false;
    }
    let (Some(input), Some(output), true) = (input, output, ok) else { return None };
    let app = PipelineApp { id, group, input, output, instances, transactional_id, start, commit_every };
    Some((app, consumer))
}

/// Adds each instance's consumer and producer.
pub(crate) fn add_clients(scenario: &mut Scenario, apps: &[(PipelineApp, ConsumerConfig)]) {
    for (app, consumer_config) in apps {
        for instance in &app.instances {
            let consumer = PipelineApp::consumer_name(instance);
            scenario.consumers.push(ConsumerDef {
                name: consumer.clone(),
                topics: vec![app.input],
                assign: Vec::new(),
                group: Some(app.group.clone()),
                seeks: BTreeMap::new(),
                processing: SimDuration::ZERO,
                commit: CommitMode::Never,
                config: ConsumerConfig { client_id: Some(consumer), ..consumer_config.clone() },
                start: app.start,
                avro: None,
            });
            let transactional_id = app.transactional_id_of(instance);
            let transactions = transactional_id.as_ref().map(|_| TransactionPlan::per_tick(1));
            scenario.producers.push(ProducerDef {
                name: PipelineApp::producer_name(instance),
                topic: app.output,
                config: ProducerConfig { transactional_id, ..ProducerConfig::default() },
                workload: Workload::idle(app.start.unwrap_or(SimTime::ZERO)),
                start: app.start,
                avro: None,
                transactions,
            });
        }
    }
}
