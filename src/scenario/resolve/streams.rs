//! The `streams:` section: each application's id, instances and configs,
//! and its topology — operators checked, jq expressions compiled (an error
//! points into the expression), then built as Kafka builds it.

mod clients;
mod operators;

pub(crate) use clients::add_clients;

use super::Resolver;
use crate::config::StreamsConfig;
use crate::config::streams::ProcessingGuarantee;
use crate::scenario::diagnostic::Problem;
use crate::scenario::file::ScenarioFile;
use crate::scenario::streams_file::StreamsAppSpec;
use crate::scenario::{Scenario, TopicDef};
use crate::streams::StreamsApp;
use crate::streams::topology::dsl::Dsl;
use crate::streams::topology::{self};
use operators::Converter;

/// Resolves every application; problems go to `r`.
pub(crate) fn resolve_streams(r: &mut Resolver<'_>, file: &ScenarioFile, scenario: &Scenario) -> Vec<StreamsApp> {
    let mut apps: Vec<StreamsApp> = Vec::new();
    for spec in &file.streams {
        if let Some(app) = resolve_app(r, spec, scenario, &apps) {
            apps.push(app);
        }
    }
    apps
}

fn resolve_app(
    r: &mut Resolver<'_>,
    spec: &StreamsAppSpec,
    scenario: &Scenario,
    earlier: &[StreamsApp],
) -> Option<StreamsApp> {
    let id = spec.application_id.value.clone();
    let mut ok = true;
    if id.is_empty() || !id.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')) {
        r.error(
            &spec.application_id,
            format!("`{id}` is not a valid application.id"),
            Some("use letters, digits, `.`, `_` and `-`".into()),
        );
        ok = false;
    }
    if earlier.iter().any(|a| a.application_id == id) || scenario.groups().contains(&id.as_str()) {
        r.error(
            &spec.application_id,
            format!("the group `{id}` is already used"),
            Some("an application.id is a consumer group id: give each application its own".into()),
        );
        ok = false;
    }
    let owner = r.span(&spec.application_id);
    let taken =
        |name: &str| scenario.client(name).is_some() || earlier.iter().any(|a| a.instances.iter().any(|i| i == name));
    let (instances, names_ok) =
        super::instances::resolve_instances(r, spec.instances.as_ref(), &id, owner, "Streams instance", taken)?;
    ok &= names_ok;
    let mut config = StreamsConfig::default();
    if let Some(map) = &spec.config {
        super::configs::apply(r, map, &mut config);
        if config.processing_guarantee == ProcessingGuarantee::ExactlyOnceV2 {
            let at = map.entries.iter().find(|(k, _)| k.value == "processing.guarantee").map(|(_, v)| r.span(v));
            if let Some(at) = at {
                r.problems.push(
                    Problem::at(at, "kafkasim's Streams applications run at_least_once only: exactly_once_v2 is not modelled yet")
                        .help("use `at_least_once` (the default), where a crash between commits replays input and downstream sees duplicates; the `exactly-once-pipeline` scenario shows exactly-once processing with a consume-transform-produce pipeline"),
                );
                ok = false;
            }
        }
    }
    let topics: Vec<&TopicDef> = scenario.topics.iter().filter(|t| !t.internal).collect();
    let mut conv = Converter { r, topics: &topics, spans: Vec::new(), ok: true };
    let mut pipelines = Vec::new();
    for (i, p) in spec.topology.value.iter().enumerate() {
        if let Some(p) = conv.pipeline(i, p) {
            pipelines.push(p);
        }
    }
    if spec.topology.value.is_empty() {
        conv.r.error(
            &spec.topology,
            "the topology is empty",
            Some("start with a pipeline such as `- stream: orders`".into()),
        );
        conv.ok = false;
    }
    let (converted, spans) = (conv.ok, conv.spans);
    if !ok || !converted {
        return None;
    }
    let topology = match topology::build(&Dsl { pipelines }) {
        Ok(t) => t,
        Err(e) => {
            let at = spans
                .iter()
                .find(|(l, _)| *l == e.loc)
                .or_else(|| spans.iter().find(|(l, _)| l.pipeline == e.loc.pipeline && l.steps.is_empty()))
                .map_or_else(|| r.span(&spec.topology), |(_, s)| *s);
            r.problems.push(Problem::at(at, e.message).help(e.help));
            return None;
        }
    };
    let app = StreamsApp {
        application_id: id,
        instances,
        start: Some(
            spec.start.as_ref().map_or(crate::engine::SimTime::ZERO, |s| crate::engine::SimTime::ZERO + s.value.0),
        ),
        timestamp_field: spec.timestamp_field.as_ref().map(|f| f.value.clone()),
        config,
        topology,
    };
    for t in app.internal_topics() {
        if topics.iter().any(|d| d.name == t) {
            r.error(
                &spec.application_id,
                format!("the scenario declares `{t}`, a topic this application creates itself"),
                Some("remove it from `topics:`: Kafka Streams creates its repartition and changelog topics".into()),
            );
            return None;
        }
    }
    Some(app)
}
