//! The outcome report printed at the end of every run: the partition table in
//! the shape of `kafka-topics --describe`, the consumers, the delivery checks
//! and each expectation with pass or fail. Also serialised as `--format json`.

use schemars::JsonSchema;
use serde::Serialize;

use super::table::Table;
use crate::check::outcome::{Delivery, RecordNote};

/// One row of the partition table.
#[derive(Clone, Debug, Serialize, JsonSchema, PartialEq, Eq)]
pub struct PartitionRow {
    pub topic: String,
    pub partition: u32,
    /// `None`: offline (Kafka prints -1).
    pub leader: Option<i32>,
    pub leader_epoch: i32,
    pub replicas: Vec<i32>,
    pub isr: Vec<i32>,
    pub log_start_offset: i64,
    pub high_watermark: i64,
    pub log_end_offset: i64,
    pub segments: usize,
    /// The last stable offset, shown when a producer is transactional.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_stable_offset: Option<i64>,
}

/// What one consumer did.
#[derive(Clone, Debug, Serialize, JsonSchema, PartialEq, Eq)]
pub struct ConsumerRow {
    pub consumer: String,
    pub group: Option<String>,
    pub state: String,
    /// Records handed to the application.
    pub received: u64,
    /// Of those, records its group (or it) had received before.
    pub redelivered: u64,
    /// Offsets jumped over when OFFSET_OUT_OF_RANGE sent it to
    /// `auto.offset.reset`: records it never read.
    pub skipped: u64,
    /// How long eager rebalances kept it from consuming (`3.012s`).
    pub stopped_by_rebalances: String,
    pub stopped_by_rebalances_us: u64,
    /// Partition and position (the next offset it will read).
    pub positions: Vec<(String, i64)>,
}

/// One segment of a partition's log.
#[derive(Clone, Debug, Serialize, JsonSchema, PartialEq, Eq)]
pub struct SegmentRow {
    pub base_offset: i64,
    /// The offset after its last batch.
    pub next_offset: i64,
    pub records: usize,
    pub bytes: u64,
    /// The newest record's timestamp (virtual time), what `retention.ms` compares.
    pub newest_record: String,
    pub active: bool,
}

/// The segments of one partition, for topics where they matter.
#[derive(Clone, Debug, Serialize, JsonSchema, PartialEq, Eq)]
pub struct SegmentTable {
    pub partition: String,
    /// The broker whose log is shown (the leader's).
    pub broker: Option<i32>,
    pub segments: Vec<SegmentRow>,
}

/// Most segments listed per partition in the text report.
const LISTED_SEGMENTS: usize = 12;

impl SegmentTable {
    pub fn render(&self) -> String {
        let on = self.broker.map_or(String::new(), |b| format!(" on broker {b}"));
        let mut out = format!("segments of {}{on}:\n", self.partition);
        let mut table = Table::new(&["BASE-OFFSET", "END-OFFSET", "RECORDS", "BYTES", "NEWEST-RECORD", ""]);
        for s in self.segments.iter().take(LISTED_SEGMENTS) {
            table.row(vec![
                s.base_offset.to_string(),
                s.next_offset.to_string(),
                s.records.to_string(),
                s.bytes.to_string(),
                s.newest_record.clone(),
                if s.active { "active".to_string() } else { String::new() },
            ]);
        }
        for line in table.render().lines() {
            out.push_str(&format!("  {}\n", line.trim_end()));
        }
        if self.segments.len() > LISTED_SEGMENTS {
            out.push_str(&format!("  … and {} more\n", self.segments.len() - LISTED_SEGMENTS));
        }
        out
    }
}

/// One row of `kafka-consumer-groups --describe`: a partition the group owns
/// or has committed, or a member without partitions. `None` prints as `-`.
#[derive(Clone, Debug, Serialize, JsonSchema, PartialEq, Eq)]
pub struct GroupRow {
    pub topic: Option<String>,
    pub partition: Option<u32>,
    /// The committed offset: the next one the group will read.
    pub current_offset: Option<i64>,
    /// What `ListOffsets(latest)` answers: the high watermark.
    pub log_end_offset: Option<i64>,
    pub lag: Option<i64>,
    pub consumer_id: Option<String>,
    pub host: Option<String>,
    pub client_id: Option<String>,
}

/// A consumer group at the end of the run.
#[derive(Clone, Debug, Serialize, JsonSchema, PartialEq, Eq)]
pub struct GroupReport {
    pub group: String,
    /// The `__consumer_offsets` partition holding the group.
    pub offsets_partition: u32,
    /// Its leader, the coordinator (none while offline).
    pub coordinator: Option<i32>,
    /// `Empty`, `PreparingRebalance`, `CompletingRebalance`, `Stable`, or
    /// `Dead` when no coordinator knows the group.
    pub state: String,
    pub generation: i32,
    /// The assignor the group chose.
    pub protocol: Option<String>,
    pub members: usize,
    pub rows: Vec<GroupRow>,
}

#[derive(Clone, Debug, Serialize, JsonSchema, PartialEq, Eq)]
pub struct ExpectationResult {
    pub description: String,
    /// `end` or a time like `30.000s`.
    pub at: String,
    pub expected: String,
    pub found: String,
    pub passed: bool,
}

/// One producer's delivery counts (the text report shows them when a
/// scenario has several producers).
#[derive(Clone, Debug, Serialize, JsonSchema, PartialEq, Eq)]
pub struct ProducerRow {
    pub producer: String,
    pub produced: u64,
    pub acknowledged: u64,
    pub failed: u64,
    pub lost: u64,
    pub duplicated: u64,
    pub reordered: u64,
}

/// Everything a run ends with.
#[derive(Clone, Debug, Serialize, JsonSchema, PartialEq, Eq)]
pub struct Outcome {
    pub scenario: String,
    pub seed: u64,
    pub virtual_time: String,
    pub virtual_time_us: u64,
    pub events: u64,
    pub partitions: Vec<PartitionRow>,
    /// Segment by segment, partitions of topics with retention or compaction
    /// set, when they have more than one segment.
    pub segments: Vec<SegmentTable>,
    /// `__consumer_offsets` partitions left out of `partitions`: they hold no commits.
    pub empty_offsets_partitions: usize,
    pub consumers: Vec<ConsumerRow>,
    pub groups: Vec<GroupReport>,
    pub delivery: Delivery,
    /// Per producer.
    pub producers: Vec<ProducerRow>,
    /// In the order they are checked: by time, those at the end last.
    pub expectations: Vec<ExpectationResult>,
    /// The scenario's questions (`ask:`) and the answers the run gave;
    /// left out of the JSON when there are none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub answers: Vec<super::answer::Answer>,
    pub passed: bool,
    /// The Schema Registry, when the scenario has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub registry: Option<super::registry::RegistryReport>,
    /// Each Kafka Streams state store at the end, when asked for
    /// (`run --stores`); left out of the JSON otherwise.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub stores: Vec<super::stores::StoreReport>,
}

fn list(ids: &[i32]) -> String {
    ids.iter().map(i32::to_string).collect::<Vec<_>>().join(",")
}

fn notes(out: &mut String, title: &str, total: u64, notes: &[RecordNote]) {
    if notes.is_empty() {
        return;
    }
    out.push_str(&format!("  {title}:\n"));
    for n in notes {
        out.push_str(&format!("    {} {}-{}: {}\n", n.id, n.topic, n.partition, n.detail));
    }
    if total > notes.len() as u64 {
        out.push_str(&format!("    … and {} more\n", total - notes.len() as u64));
    }
}

fn cell<T: ToString>(value: &Option<T>) -> String {
    value.as_ref().map_or_else(|| "-".to_string(), T::to_string)
}

impl GroupReport {
    /// A title line, then the table `kafka-consumer-groups --describe` prints.
    pub fn render(&self) -> String {
        let coordinator = self.coordinator.map_or("none (offline)".to_string(), |b| format!("broker {b}"));
        let mut out = format!(
            "group {} · coordinator {coordinator} (__consumer_offsets-{}) · {} · generation {}",
            self.group, self.offsets_partition, self.state, self.generation
        );
        if let Some(protocol) = &self.protocol {
            out.push_str(&format!(" · assignor {protocol}"));
        }
        out.push('\n');
        if self.members == 0 {
            out.push_str(&format!("Consumer group '{}' has no active members.\n", self.group));
        }
        let mut table = Table::new(&[
            "GROUP",
            "TOPIC",
            "PARTITION",
            "CURRENT-OFFSET",
            "LOG-END-OFFSET",
            "LAG",
            "CONSUMER-ID",
            "HOST",
            "CLIENT-ID",
        ]);
        for r in &self.rows {
            table.row(vec![
                self.group.clone(),
                cell(&r.topic),
                cell(&r.partition),
                cell(&r.current_offset),
                cell(&r.log_end_offset),
                cell(&r.lag),
                cell(&r.consumer_id),
                cell(&r.host),
                cell(&r.client_id),
            ]);
        }
        if !table.is_empty() {
            out.push_str(&table.render());
        }
        out
    }
}

impl Outcome {
    /// The report as text.
    pub fn render(&self) -> String {
        let mut out = String::new();
        out.push_str(&format!(
            "── outcome of \"{}\" (seed {}) after {} of virtual time, {} engine events ──\n\n",
            self.scenario, self.seed, self.virtual_time, self.events
        ));
        let with_lso = self.partitions.iter().any(|p| p.last_stable_offset.is_some());
        let mut headers =
            vec!["TOPIC", "PARTITION", "LEADER", "EPOCH", "REPLICAS", "ISR", "LOG-START", "HIGH-WATERMARK"];
        if with_lso {
            headers.push("LAST-STABLE");
        }
        headers.extend(["LOG-END", "SEGMENTS"]);
        let mut partitions = Table::new(&headers);
        for p in &self.partitions {
            let mut row = vec![
                p.topic.clone(),
                p.partition.to_string(),
                p.leader.map_or("none".to_string(), |l| l.to_string()),
                p.leader_epoch.to_string(),
                list(&p.replicas),
                list(&p.isr),
                p.log_start_offset.to_string(),
                p.high_watermark.to_string(),
            ];
            if with_lso {
                row.push(p.last_stable_offset.map_or("-".to_string(), |o| o.to_string()));
            }
            row.extend([p.log_end_offset.to_string(), p.segments.to_string()]);
            partitions.row(row);
        }
        out.push_str(&partitions.render());
        if self.empty_offsets_partitions > 0 {
            out.push_str(&format!(
                "(and {} partitions of __consumer_offsets that hold no commits)\n",
                self.empty_offsets_partitions
            ));
        }
        for table in &self.segments {
            out.push('\n');
            out.push_str(&table.render());
        }
        for group in &self.groups {
            out.push('\n');
            out.push_str(&group.render());
        }
        if !self.consumers.is_empty() {
            out.push('\n');
            // Rebalances only stop group members.
            let groups = self.consumers.iter().any(|c| c.group.is_some());
            let skips = self.consumers.iter().any(|c| c.skipped > 0);
            let mut headers = vec!["CONSUMER", "GROUP", "STATE", "RECEIVED", "REDELIVERED"];
            if skips {
                headers.push("SKIPPED");
            }
            if groups {
                headers.push("STOPPED-BY-REBALANCES");
            }
            headers.push("POSITIONS");
            let mut consumers = Table::new(&headers);
            for c in &self.consumers {
                let positions = c.positions.iter().map(|(p, o)| format!("{p}@{o}")).collect::<Vec<_>>().join(" ");
                let mut row = vec![
                    c.consumer.clone(),
                    c.group.clone().unwrap_or_else(|| "-".to_string()),
                    c.state.clone(),
                    c.received.to_string(),
                    c.redelivered.to_string(),
                ];
                if skips {
                    row.push(c.skipped.to_string());
                }
                if groups {
                    row.push(if c.group.is_some() { c.stopped_by_rebalances.clone() } else { "-".to_string() });
                }
                row.push(positions);
                consumers.row(row);
            }
            out.push_str(&consumers.render());
        }
        if let Some(registry) = &self.registry {
            out.push('\n');
            out.push_str(&registry.render());
        }
        for store in &self.stores {
            out.push('\n');
            out.push_str(&store.render());
        }
        let d = &self.delivery;
        out.push_str("\ndelivery checks:\n");
        let rows = [
            ("produced", d.produced, "send() was called"),
            ("acknowledged", d.acknowledged, "the producer was told it was written"),
            ("failed", d.failed, "the producer was told it failed"),
            ("unacknowledged", d.unacknowledged, "no answer by the end (in flight, or its producer crashed)"),
            ("delivered", d.delivered, "read by at least one consumer"),
            ("lost", d.lost, "acknowledged, yet not in the final log"),
            ("duplicated", d.duplicated, "in the final log more than once"),
            ("redelivered", d.redelivered, "read more than once by one group or consumer"),
            ("unprocessed", d.unprocessed, "read by a group, but never processed: it crashed first"),
            ("reordered", d.reordered, "after a record its producer sent later with the same key"),
            ("unobserved", d.unobserved, "acknowledged and kept, but read by nobody"),
            ("expired", d.expired, "acknowledged, then deleted by retention"),
            ("compacted", d.compacted, "acknowledged, then removed by compaction (a later record has its key)"),
        ];
        for (name, count, meaning) in rows {
            out.push_str(&format!("  {name:<15}{count:>9}  {meaning}\n"));
        }
        if let Some(t) = &d.transactions {
            out.push_str("\ntransaction checks:\n");
            let rows = [
                ("committed", t.committed, "transactions whose commitTransaction() returned"),
                ("aborted", t.aborted, "transactions aborted, or left open by a crash and aborted by the coordinator"),
                ("aborted records", t.aborted_records, "in the log, not lost: read_committed consumers skip them"),
                ("atomicity", t.atomicity_violations, "transactions not all-or-nothing across their partitions"),
            ];
            for (name, count, meaning) in rows {
                out.push_str(&format!("  {name:<15}{count:>9}  {meaning}\n"));
                if name == "aborted records" && t.aborted_records_cleaned > 0 {
                    let cleaned = t.aborted_records_cleaned;
                    out.push_str(&format!("  {:<15}{cleaned:>9}  of them removed since by the log cleaner\n", ""));
                }
            }
            for violation in &t.violations {
                out.push_str(&format!("    {violation}\n"));
            }
        }
        for check in &d.pipelines {
            out.push_str(&format!("\nend-to-end check of {} ({}):\n", check.pipeline, check.guarantee));
            let verdict = if check.holds() { "exactly once" } else { "NOT exactly once" };
            let rows = [
                ("processed", check.processed, "input records below the group's committed offsets"),
                ("with output", check.with_output, "input records with an output visible to read_committed readers"),
                ("duplicated", check.duplicated, "input records whose output read_committed readers see twice or more"),
                ("missing", check.missing, "processed input records with no visible output"),
            ];
            for (name, count, meaning) in rows {
                out.push_str(&format!("  {name:<15}{count:>9}  {meaning}\n"));
            }
            out.push_str(&format!("  {:<15}{verdict:>9}\n", "verdict"));
            for violation in &check.violations {
                out.push_str(&format!("    {violation}\n"));
            }
        }
        // One producer's counts are the delivery checks above.
        if self.producers.len() > 1 {
            let mut table =
                Table::new(&["PRODUCER", "PRODUCED", "ACKNOWLEDGED", "FAILED", "LOST", "DUPLICATED", "REORDERED"]);
            for p in &self.producers {
                table.row(vec![
                    p.producer.clone(),
                    p.produced.to_string(),
                    p.acknowledged.to_string(),
                    p.failed.to_string(),
                    p.lost.to_string(),
                    p.duplicated.to_string(),
                    p.reordered.to_string(),
                ]);
            }
            out.push('\n');
            for line in table.render().lines() {
                out.push_str(&format!("  {line}\n"));
            }
        }
        notes(&mut out, "lost records", d.lost, &d.lost_records);
        notes(&mut out, "duplicated records", d.duplicated, &d.duplicated_records);
        notes(&mut out, "reordered records", d.reordered, &d.reordered_records);
        if !self.expectations.is_empty() {
            out.push_str("\nexpectations:\n");
            for e in &self.expectations {
                let mark = if e.passed { "✓ pass" } else { "✗ FAIL" };
                out.push_str(&format!(
                    "  {mark}  at {}: {} = {} (found {})\n",
                    e.at, e.description, e.expected, e.found
                ));
            }
        }
        if !self.answers.is_empty() {
            out.push_str("\nquestions, answered by this run:\n");
            for a in &self.answers {
                out.push_str(&a.render());
            }
        }
        let failed = self.expectations.iter().filter(|e| !e.passed).count();
        out.push_str(&if failed == 0 {
            format!("\nresult: all {} expectations hold\n", self.expectations.len())
        } else {
            format!("\nresult: {failed} of {} expectations FAILED\n", self.expectations.len())
        });
        out
    }
}
