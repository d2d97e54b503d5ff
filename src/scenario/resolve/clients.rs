//! What producers and consumers share: unique, usable ids; topic and
//! partition names; templates; whether the timeline starts a client.

use std::collections::{BTreeMap, BTreeSet};

use serde_saphyr::Spanned;

use super::{Located, Resolver};
use crate::client::workload::Template;
use crate::ids::{TopicId, TopicPartition};
use crate::scenario::TopicDef;
use crate::scenario::file::ScenarioFile;

/// The client ids seen so far (producers first, then consumers).
#[derive(Default)]
pub(crate) struct ClientNames(BTreeSet<String>);

impl ClientNames {
    /// Checks that `id` is usable and not taken, then takes it.
    pub fn check(&mut self, r: &mut Resolver<'_>, id: &Spanned<String>) {
        let name = &id.value;
        if name.is_empty() || name.chars().all(|c| c.is_ascii_digit()) {
            r.error(
                id,
                format!("`{name}` is not a usable client id"),
                Some("give clients names like `producer` or `c1`; numbers name brokers".to_string()),
            );
        } else if !self.0.insert(name.clone()) {
            r.error(
                id,
                format!("client id `{name}` is used twice"),
                Some("producers and consumers need distinct ids".to_string()),
            );
        }
    }
}

/// The clients whose first timeline action is `start:`: they wait for it. A
/// client the timeline first stops, crashes or pauses runs from the
/// beginning, and a later `start:` restarts it.
pub(crate) struct StartedByTimeline<'a>(BTreeSet<&'a str>);

impl<'a> StartedByTimeline<'a> {
    pub fn of(file: &'a ScenarioFile) -> Self {
        // Per client, its earliest action (the first in the file among equals).
        let mut first: BTreeMap<&'a str, (crate::engine::SimDuration, bool)> = BTreeMap::new();
        for entry in &file.timeline {
            let at = entry.at.value.0;
            let fields = [&entry.start, &entry.stop, &entry.crash, &entry.pause, &entry.resume];
            for (i, field) in fields.into_iter().enumerate() {
                let Some(names) = field else { continue };
                for (name, _) in names.value.items(names) {
                    let earlier = first.get(name.as_str()).is_none_or(|(t, _)| at < *t);
                    if earlier {
                        first.insert(name, (at, i == 0));
                    }
                }
            }
        }
        StartedByTimeline(first.into_iter().filter(|(_, (_, start))| *start).map(|(name, _)| name).collect())
    }

    pub fn contains(&self, name: &str) -> bool {
        self.0.contains(name)
    }
}

/// Resolves `topic` to its id, reporting unknown names.
pub(crate) fn topic_id(
    r: &mut Resolver<'_>,
    at: &(impl Located + ?Sized),
    name: &str,
    names: &[String],
) -> Option<TopicId> {
    match names.iter().position(|n| n == name) {
        Some(i) => Some(TopicId(i as u32)),
        None => {
            let known: Vec<&str> = names.iter().map(String::as_str).collect();
            r.unknown(at, "topic", name, &known);
            None
        }
    }
}

/// Parses `demo_1-0` into a partition of a known topic.
pub(crate) fn partition_ref(text: &str, topics: &[TopicDef]) -> Result<TopicPartition, String> {
    let (topic, partition) = text
        .rsplit_once('-')
        .ok_or_else(|| format!("`{text}` is not a partition: write it as TOPIC-PARTITION, like `demo_1-0`"))?;
    let partition: u32 = partition
        .parse()
        .map_err(|_| format!("`{text}` is not a partition: write it as TOPIC-PARTITION, like `demo_1-0`"))?;
    let index = topics
        .iter()
        .position(|t| t.name == topic)
        .ok_or_else(|| format!("`{text}` names topic `{topic}`, which is not defined"))?;
    let count = topics[index].partitions;
    if partition >= count {
        return Err(format!("topic `{topic}` has partitions 0 to {}, so `{text}` does not exist", count - 1));
    }
    Ok(TopicPartition::new(TopicId(index as u32), partition))
}

pub(crate) fn template(r: &mut Resolver<'_>, at: &(impl Located + ?Sized), text: &str) -> Template {
    Template::parse(text).unwrap_or_else(|e| {
        r.error(
            at,
            format!("bad template: {e}"),
            Some("templates are text with {n} (the record number), {n%K} or {producer}, like `key-{n%10}`".to_string()),
        );
        Template::parse("").expect("empty template")
    })
}
