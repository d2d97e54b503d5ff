//! Counts: how often something happened (`happened`), errors a client saw
//! (`saw`), and how a producer's records spread over partitions (`sent_to`,
//! `longest_run`). A count is a number, a comparison, `true` (at least once)
//! or `false` (never); it is never negative.

use serde_saphyr::Spanned;

use super::Checks;
use crate::scenario::expectation::happening::Subject;
use crate::scenario::file::{Count, CountMap, ExpectSpec, HappenedSpec};
use crate::scenario::suggest::did_you_mean;
use crate::scenario::{Check, ClientError, Comparison, Expected, Happening, HappeningKind};

const COUNT_HELP: &str =
    "write a count like `3`, a comparison like `\">= 1\"`, `true` (at least once) or `false` (never)";

impl Checks<'_, '_> {
    /// An expected count, or `None` after reporting why it is not one.
    fn count(&mut self, value: &Spanned<Count>) -> Option<Expected> {
        let expected = match &value.value {
            Count::Flag(true) => Expected::Number { comparison: Comparison::AtLeast, value: 1 },
            Count::Flag(false) => Expected::number(0),
            Count::Exactly(n) => Expected::number(*n),
            Count::Compare(text) => match super::parse_comparison(text) {
                Some(expected) => expected,
                None => {
                    self.r.error(value, format!("`{text}` is not a count"), Some(COUNT_HELP.to_string()));
                    return None;
                }
            },
        };
        if let Expected::Number { value: n, .. } = expected
            && n < 0
        {
            self.r.error(value, format!("a count cannot be {n}"), Some(COUNT_HELP.to_string()));
            return None;
        }
        Some(expected)
    }

    fn push_count(&mut self, value: &Spanned<Count>, check: Check, description: String) {
        if let Some(expected) = self.count(value) {
            self.push(check, expected, description);
        }
    }

    fn happened_kind(&mut self, kind: HappeningKind, map: &Option<CountMap>) {
        for (name, value) in map.iter().flatten() {
            self.any = true;
            match kind.subject() {
                Subject::Partition => {
                    for tp in self.partitions(name, value) {
                        let subject = self.scenario.partition_name(tp);
                        if let Some(happening) = Happening::about_partition(kind, tp) {
                            self.push_count(value, Check::Happened(happening), kind.describe(&subject));
                        }
                    }
                }
                Subject::Group => {
                    if self.group(name, value)
                        && let Some(happening) = Happening::about_group(kind, name.clone())
                    {
                        self.push_count(value, Check::Happened(happening), kind.describe(name));
                    }
                }
            }
        }
    }

    pub(super) fn happenings(&mut self, spec: &ExpectSpec) {
        if let Some(HappenedSpec { leader_change, unclean_election, rebalance, offsets_expired, group_deleted }) =
            &spec.happened
        {
            self.happened_kind(HappeningKind::LeaderChange, leader_change);
            self.happened_kind(HappeningKind::UncleanElection, unclean_election);
            self.happened_kind(HappeningKind::Rebalance, rebalance);
            self.happened_kind(HappeningKind::OffsetsExpired, offsets_expired);
            self.happened_kind(HappeningKind::GroupDeleted, group_deleted);
        }
        for (client, errors) in spec.saw.iter().flatten() {
            self.any = true;
            for (name, value) in errors {
                let Some(who) = self.client(client, value) else { break };
                let Some(error) = ClientError::parse(name) else {
                    self.unknown_error(name, value);
                    continue;
                };
                self.push_count(value, Check::Saw(who, error), format!("{client} saw {name}"));
            }
        }
    }

    fn unknown_error(&mut self, name: &str, at: &Spanned<Count>) {
        let known = ClientError::known_names();
        let help = match did_you_mean(name, known.iter().copied()) {
            Some(suggestion) => format!("did you mean `{suggestion}`?"),
            None => "name an error code a client can get, like `NOT_ENOUGH_REPLICAS`, or an exception its \
                     application can get, like `CommitFailedException` (the book's chapter on writing scenarios \
                     lists them all)"
                .to_string(),
        };
        self.r.error(at, format!("unknown error `{name}`"), Some(help));
    }

    pub(super) fn spread(&mut self, spec: &ExpectSpec) {
        for (producer, partitions) in spec.sent_to.iter().flatten() {
            self.any = true;
            for (name, value) in partitions {
                let Some(p) = self.producer(producer, value) else { break };
                for tp in self.partitions(name, value) {
                    let partition = self.scenario.partition_name(tp);
                    self.push_count(value, Check::SentTo(p, tp), format!("records {producer} sent to {partition}"));
                }
            }
        }
        for (producer, value) in spec.longest_run.iter().flatten() {
            self.any = true;
            if let Some(p) = self.producer(producer, value) {
                self.number(
                    value,
                    Check::LongestRun(p),
                    format!("longest run of {producer}'s records on one partition"),
                );
            }
        }
    }
}
