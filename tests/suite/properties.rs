//! Properties over random scenarios (proptest): random clusters, topics,
//! producers, consumer groups and fault schedules, each run with Kafka's
//! invariants checked after every event. A failing case is shrunk and
//! written as a scenario file that `kafkasim run` replays, under
//! `target/kafkasim-proptest/`.
//!
//! The budget is small by default (CI runs it on every change); set
//! `KAFKASIM_PROPTEST_CASES=N` to run N cases per property instead.

use std::fmt::Write as _;
use std::path::PathBuf;

use kafkasim::scenario::load_str;
use kafkasim::trace::digest::DigestSink;
use kafkasim::trace::report::Outcome;
use kafkasim::world::{BuildOptions, World};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, FileFailurePersistence, TestCaseError, TestRunner};

use super::support::repo_root;

/// Cases per property unless `KAFKASIM_PROPTEST_CASES` says otherwise.
fn cases(default: u32) -> u32 {
    std::env::var("KAFKASIM_PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn config(default_cases: u32) -> Config {
    Config {
        cases: cases(default_cases),
        // Failures are kept as scenario files instead (see `reproduce`).
        failure_persistence: Some(Box::new(FileFailurePersistence::Off)),
        // The scenarios are the seed: a fixed runner seed keeps CI repeatable.
        rng_algorithm: proptest::test_runner::RngAlgorithm::ChaCha,
        ..Config::default()
    }
}

fn runner(default_cases: u32, name: &str) -> TestRunner {
    let seed: [u8; 32] = {
        let mut s = [7u8; 32];
        for (i, b) in name.bytes().enumerate() {
            s[i % 32] ^= b;
        }
        s
    };
    TestRunner::new_with_rng(
        config(default_cases),
        proptest::test_runner::TestRng::from_seed(proptest::test_runner::RngAlgorithm::ChaCha, &seed),
    )
}

#[derive(Clone, Debug)]
struct Topic {
    partitions: u32,
    replication_factor: u32,
    min_insync: u32,
    unclean: bool,
}

#[derive(Clone, Debug)]
struct Producer {
    topic: usize,
    /// The client library: `java`, `kafka-python` or `librdkafka`.
    client: &'static str,
    acks: &'static str,
    /// `None`: Kafka's default (on with acks=all, else off).
    idempotence: Option<bool>,
    linger_ms: u64,
    max_in_flight: u32,
    start_ms: u64,
    every_ms: u64,
    count: u64,
    /// Keys `k-{n%K}`; `None` for keyless records.
    keys: Option<u64>,
}

#[derive(Clone, Debug)]
struct Member {
    start_ms: u64,
    /// Leaves at this time: crashes (`true`) or stops cleanly; maybe comes back.
    leaves: Option<(u64, bool, Option<u64>)>,
}

#[derive(Clone, Debug)]
struct Group {
    topic: usize,
    /// The client library of its members.
    client: &'static str,
    assignor: &'static str,
    earliest: bool,
    members: Vec<Member>,
}

/// A consumer reading chosen partitions (Kafka's `assign()`), alone or
/// committing to a group of its own.
#[derive(Clone, Debug)]
struct Reader {
    topic: usize,
    /// Bit `i % 12` set: it reads partition `i` (partition 0 when none is).
    partitions: u32,
    group: bool,
    earliest: bool,
    member: Member,
}

impl Reader {
    fn partitions(&self, topic: &Topic) -> Vec<u32> {
        let chosen: Vec<u32> = (0..topic.partitions).filter(|i| self.partitions & (1 << (i % 12)) != 0).collect();
        if chosen.is_empty() { vec![0] } else { chosen }
    }
}

#[derive(Clone, Debug)]
enum FaultKind {
    /// The broker process dies and restarts with its disk.
    Kill,
    /// The broker is cut off from the other brokers and the controller.
    Cut,
    /// The broker and one other broker can no longer reach each other.
    CutFrom(u32),
    /// Every message to and from the broker takes this much longer.
    Slow(u64),
    /// The broker's machine dies: its process stops and its host leaves the
    /// network without resetting any connection.
    KillHost,
    /// The broker's links get worse: extra latency and jitter (ms), loss
    /// (per mille, resent by TCP) and bandwidth (KB/s, 0 = unlimited).
    Link { latency_ms: u64, jitter_ms: u64, loss_per_mille: u64, bandwidth_kb: u64 },
}

#[derive(Clone, Debug)]
struct Fault {
    broker: u32,
    at_ms: u64,
    for_ms: u64,
    kind: FaultKind,
}

#[derive(Clone, Debug)]
struct Generated {
    seed: u64,
    brokers: u32,
    topics: Vec<Topic>,
    producers: Vec<Producer>,
    groups: Vec<Group>,
    readers: Vec<Reader>,
    faults: Vec<Fault>,
}

/// What a generated scenario may do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    /// Anything: any acks, unclean election, overlapping faults.
    Any,
    /// Kafka's durable setup: acks=all, RF ≥ 3, min.insync.replicas ≥ 2,
    /// no unclean election, at most RF − min.insync.replicas brokers down
    /// at once.
    Durable,
}

const RUN_MS: u64 = 120_000;

fn topic(brokers: u32, mode: Mode) -> impl Strategy<Value = Topic> {
    let rf = match mode {
        Mode::Any => (1..=brokers).boxed(),
        Mode::Durable => (3..=brokers).boxed(),
    };
    (1u32..=12, rf, any::<bool>(), 0u32..3).prop_map(move |(partitions, rf, unclean, extra)| match mode {
        Mode::Any => Topic { partitions, replication_factor: rf, min_insync: 1 + extra.min(rf - 1), unclean },
        Mode::Durable => {
            Topic { partitions, replication_factor: rf, min_insync: 2 + extra.min(rf - 3), unclean: false }
        }
    })
}

fn producer(topics: usize, mode: Mode) -> impl Strategy<Value = Producer> {
    let acks = match mode {
        Mode::Any => prop_oneof![Just("0"), Just("1"), Just("all")].boxed(),
        Mode::Durable => Just("all").boxed(),
    };
    (
        0..topics,
        client(),
        acks,
        prop_oneof![Just(None), Just(Some(true)), Just(Some(false))],
        prop_oneof![Just(0u64), Just(5), 0u64..50],
        1u32..=5,
        0u64..10_000,
        prop_oneof![10u64..200, Just(50)],
        20u64..200,
        prop_oneof![Just(None), (1u64..12).prop_map(Some)],
    )
        .prop_map(
            |(topic, client, acks, idempotence, linger_ms, max_in_flight, start_ms, every_ms, count, keys)| {
                // Kafka refuses enable.idempotence=true without acks=all, and
                // kafka-python 2.0.2 has no idempotent producer.
                let refused = (acks != "all" || client == "kafka-python") && idempotence == Some(true);
                let idempotence = if refused { None } else { idempotence };
                Producer { topic, client, acks, idempotence, linger_ms, max_in_flight, start_ms, every_ms, count, keys }
            },
        )
}

fn client() -> impl Strategy<Value = &'static str> {
    prop_oneof![2 => Just("java"), 1 => Just("kafka-python"), 1 => Just("librdkafka")]
}

impl Producer {
    /// Whether the producer is idempotent: by default only the Java client
    /// is, and only with acks=all.
    fn idempotent(&self) -> bool {
        self.idempotence.unwrap_or(self.acks == "all" && self.client == "java")
    }
}

fn member() -> impl Strategy<Value = Member> {
    (
        0u64..30_000,
        prop_oneof![
            2 => Just(None),
            1 => (5_000u64..60_000, any::<bool>(), prop_oneof![Just(None), (1_000u64..20_000).prop_map(Some)])
                .prop_map(Some),
        ],
    )
        .prop_map(|(start_ms, leaves)| Member {
            start_ms,
            leaves: leaves.map(|(after, crash, back)| (start_ms + after, crash, back)),
        })
}

fn group(topics: usize) -> impl Strategy<Value = Group> {
    (
        0..topics,
        client(),
        prop_oneof![Just("range"), Just("roundrobin"), Just("sticky"), Just("cooperative-sticky")],
        any::<bool>(),
        prop::collection::vec(member(), 1..=3),
    )
        .prop_map(|(topic, client, assignor, earliest, members)| Group {
            topic,
            client,
            assignor,
            earliest,
            members,
        })
}

fn reader(topics: usize) -> impl Strategy<Value = Reader> {
    (0..topics, 1u32..4096, any::<bool>(), any::<bool>(), member())
        .prop_map(|(topic, partitions, group, earliest, member)| Reader { topic, partitions, group, earliest, member })
}

fn fault(brokers: u32) -> impl Strategy<Value = Fault> {
    (
        1..=brokers,
        5_000u64..80_000,
        2_000u64..40_000,
        prop_oneof![
            3 => Just(FaultKind::Kill),
            2 => Just(FaultKind::Cut),
            1 => (1..=brokers).prop_map(FaultKind::CutFrom),
            2 => (200u64..3_000).prop_map(FaultKind::Slow),
            2 => Just(FaultKind::KillHost),
            2 => (0u64..500, 0u64..100, prop_oneof![Just(0u64), 1u64..200], prop_oneof![Just(0u64), 20u64..2_000])
                .prop_map(|(latency_ms, jitter_ms, loss_per_mille, bandwidth_kb)| FaultKind::Link {
                    latency_ms,
                    jitter_ms,
                    loss_per_mille,
                    bandwidth_kb,
                }),
        ],
    )
        .prop_map(move |(broker, at_ms, for_ms, kind)| {
            // A broker cannot be cut from itself: cut it from the next one.
            let kind = match kind {
                FaultKind::CutFrom(o) if o == broker => FaultKind::CutFrom(o % brokers + 1),
                other => other,
            };
            Fault { broker, at_ms, for_ms, kind }
        })
}

/// Durable mode: faults one after another, each followed by time to
/// recover, so at most one broker is down at once (RF − min ISR ≥ 1).
fn sequential(mut faults: Vec<Fault>) -> Vec<Fault> {
    faults.sort_by_key(|f| f.at_ms);
    let mut free_at = 0;
    let mut kept = Vec::new();
    for mut f in faults {
        f.at_ms = f.at_ms.max(free_at);
        if f.at_ms + f.for_ms > RUN_MS - 20_000 {
            continue;
        }
        // Recovery: a restarted broker catches up and rejoins the ISR.
        free_at = f.at_ms + f.for_ms + 15_000;
        kept.push(f);
    }
    kept
}

fn scenario(mode: Mode) -> impl Strategy<Value = Generated> {
    let brokers = match mode {
        Mode::Any => (1u32..=5).boxed(),
        Mode::Durable => (3u32..=5).boxed(),
    };
    (any::<u64>(), brokers).prop_flat_map(move |(seed, brokers)| {
        prop::collection::vec(topic(brokers, mode), 1..=2).prop_flat_map(move |topics| {
            let n = topics.len();
            (
                Just(topics),
                prop::collection::vec(producer(n, mode), 1..=3),
                prop::collection::vec(group(n), 0..=2),
                prop::collection::vec(reader(n), 0..=2),
                prop::collection::vec(fault(brokers), 0..=4),
            )
                .prop_map(move |(topics, producers, groups, readers, faults)| {
                    let faults = if mode == Mode::Durable { sequential(faults) } else { faults };
                    Generated { seed, brokers, topics, producers, groups, readers, faults }
                })
        })
    })
}

impl Generated {
    /// The scenario as a file `kafkasim run` takes.
    fn yaml(&self) -> String {
        let mut y = String::new();
        let _ = writeln!(y, "name: generated\nseed: {}\nbrokers: {}\ntopics:", self.seed, self.brokers);
        for (i, t) in self.topics.iter().enumerate() {
            let _ = writeln!(
                y,
                "  - name: t{i}\n    partitions: {}\n    replication_factor: {}\n    config:\n      min.insync.replicas: {}\n      unclean.leader.election.enable: {}",
                t.partitions, t.replication_factor, t.min_insync, t.unclean
            );
        }
        y.push_str("producers:\n");
        for (i, p) in self.producers.iter().enumerate() {
            let _ = writeln!(
                y,
                "  - id: p{i}\n    client: {}\n    topic: t{}\n    start: {}ms\n    every: {}ms\n    count: {}",
                p.client, p.topic, p.start_ms, p.every_ms, p.count
            );
            if let Some(k) = p.keys {
                let _ = writeln!(y, "    key: \"k-{{n%{k}}}\"");
            }
            let _ = writeln!(
                y,
                "    config:\n      acks: \"{}\"\n      linger.ms: {}\n      max.in.flight.requests.per.connection: {}",
                p.acks, p.linger_ms, p.max_in_flight
            );
            if let Some(on) = p.idempotence {
                let _ = writeln!(y, "      enable.idempotence: {on}");
            }
        }
        let mut timeline = Vec::new();
        if self.groups.iter().any(|g| !g.members.is_empty()) || !self.readers.is_empty() {
            y.push_str("consumers:\n");
        }
        for (g, group) in self.groups.iter().enumerate() {
            for (m, member) in group.members.iter().enumerate() {
                let id = format!("g{g}c{m}");
                let reset = if group.earliest { "earliest" } else { "latest" };
                let _ = writeln!(
                    y,
                    "  - id: {id}\n    client: {}\n    group: g{g}\n    topics: [t{}]\n    start: {}ms\n    config:\n      partition.assignment.strategy: {}\n      auto.offset.reset: {reset}",
                    group.client, group.topic, member.start_ms, group.assignor
                );
                if let Some((at, crash, back)) = member.leaves {
                    timeline.push((at, format!("{}: {id}", if crash { "crash" } else { "stop" })));
                    if let Some(after) = back {
                        timeline.push((at + after, format!("start: {id}")));
                    }
                }
            }
        }
        for (r, reader) in self.readers.iter().enumerate() {
            let id = format!("r{r}");
            let partitions: Vec<String> = reader
                .partitions(&self.topics[reader.topic])
                .iter()
                .map(|p| format!("t{}-{p}", reader.topic))
                .collect();
            let reset = if reader.earliest { "earliest" } else { "latest" };
            let _ = writeln!(
                y,
                "  - id: {id}\n    assign: [{}]\n    start: {}ms\n    config:\n      auto.offset.reset: {reset}",
                partitions.join(", "),
                reader.member.start_ms
            );
            if reader.group {
                let _ = writeln!(y, "    group: manual{r}");
            }
            if let Some((at, crash, back)) = reader.member.leaves {
                timeline.push((at, format!("{}: {id}", if crash { "crash" } else { "stop" })));
                if let Some(after) = back {
                    timeline.push((at + after, format!("start: {id}")));
                }
            }
        }
        for f in &self.faults {
            let b = f.broker;
            let others: Vec<String> = (1..=self.brokers)
                .filter(|&o| o != b)
                .map(|o| o.to_string())
                .chain(std::iter::once("controller-1".to_string()))
                .collect();
            let (begin, end) = match f.kind {
                FaultKind::Kill => (format!("kill: {b}"), format!("restart: {b}")),
                FaultKind::Cut => (format!("cut: [[{b}], [{}]]", others.join(", ")), "heal: true".to_string()),
                FaultKind::CutFrom(o) if o != b => (format!("cut: [[{b}], [{o}]]"), "heal: true".to_string()),
                // A one-broker cluster has nobody to cut it from.
                FaultKind::CutFrom(_) => continue,
                FaultKind::Slow(ms) => {
                    (format!("slow: {{ host: {b}, latency: {ms}ms }}"), format!("slow: {{ host: {b}, latency: 0ms }}"))
                }
                FaultKind::KillHost => (format!("kill_host: {b}"), format!("restart: {b}")),
                FaultKind::Link { latency_ms, jitter_ms, loss_per_mille, bandwidth_kb } => {
                    let mut conditions = format!("between: [{b}], latency: {latency_ms}ms, jitter: {jitter_ms}ms");
                    if loss_per_mille > 0 {
                        let _ = write!(conditions, ", loss: {}", loss_per_mille as f64 / 1000.0);
                    }
                    if bandwidth_kb > 0 {
                        let _ = write!(conditions, ", bandwidth: {bandwidth_kb}KB/s");
                    }
                    (format!("link: {{ {conditions} }}"), format!("link: {{ between: [{b}] }}"))
                }
            };
            timeline.push((f.at_ms, begin));
            timeline.push((f.at_ms + f.for_ms, end));
        }
        timeline.retain(|(at, _)| *at < RUN_MS);
        timeline.sort_by_key(|(at, _)| *at);
        if !timeline.is_empty() {
            y.push_str("timeline:\n");
            for (at, what) in timeline {
                let _ = writeln!(y, "  - at: {at}ms\n    {what}");
            }
        }
        let _ = writeln!(y, "run: {RUN_MS}ms");
        y
    }
}

/// Loads and runs a generated scenario with invariants checked after every
/// event; returns its outcome and trace digest.
fn run(generated: &Generated) -> Result<(Outcome, String), String> {
    let yaml = generated.yaml();
    let scenario = load_str("generated.yaml", &yaml).map_err(|e| format!("does not load:\n{e}"))?;
    let mut world = World::new(scenario, BuildOptions { seed: None, check_invariants: true });
    let mut digest = DigestSink::default();
    world.run(&mut digest).map_err(|e| e.to_string())?;
    Ok((world.outcome(), digest.hex()))
}

/// Writes the failing scenario where a developer can run it, and says so.
fn reproduce(property: &str, generated: &Generated, why: &str) -> TestCaseError {
    let dir = repo_root().join("target").join("kafkasim-proptest");
    let _ = std::fs::create_dir_all(&dir);
    let path: PathBuf = dir.join(format!("{property}.yaml"));
    let _ = std::fs::write(&path, generated.yaml());
    TestCaseError::fail(format!("{why}\nreplay it: kafkasim run {}", path.display()))
}

fn check(property: &str, default_cases: u32, mode: Mode, test: impl Fn(&Generated) -> Result<(), String>) {
    let mut runner = runner(default_cases, property);
    let result = runner.run(&scenario(mode), |g| test(&g).map_err(|why| reproduce(property, &g, &why)));
    if let Err(e) = result {
        panic!("{property}: {e}");
    }
}

#[test]
fn the_same_scenario_and_seed_give_the_same_trace() {
    check("determinism", 24, Mode::Any, |g| {
        let (_, first) = run(g)?;
        let (_, second) = run(g)?;
        if first == second { Ok(()) } else { Err(format!("two runs differ: {first} vs {second}")) }
    });
}

#[test]
fn any_scenario_keeps_the_invariants_and_idempotence_holds() {
    check("invariants", 96, Mode::Any, |g| {
        let (outcome, _) = run(g)?;
        for (p, row) in g.producers.iter().zip(&outcome.producers) {
            let idempotent = p.idempotent();
            if idempotent && row.duplicated > 0 {
                return Err(format!("idempotent producer {} has {} duplicated records", row.producer, row.duplicated));
            }
            // Per-key order holds for an idempotent producer unless records were
            // lost (an unclean election may drop some and the producer resets).
            let unclean = g.topics[p.topic].unclean;
            if idempotent && !unclean && row.reordered > 0 {
                return Err(format!("idempotent producer {} has {} reordered records", row.producer, row.reordered));
            }
        }
        Ok(())
    });
}

#[test]
fn durable_settings_lose_no_acknowledged_record() {
    check("durability", 64, Mode::Durable, |g| {
        let (outcome, _) = run(g)?;
        if outcome.delivery.lost > 0 {
            return Err(format!("{} acknowledged records were lost", outcome.delivery.lost));
        }
        Ok(())
    });
}

/// Consumers reading chosen partitions with `assign()` read every record of
/// them: with no faults and a reader per topic that stays, nothing acknowledged
/// goes unread, and no reader holds a partition it was not given.
#[test]
fn manual_readers_read_their_partitions() {
    let mut runner = runner(24, "manual-readers");
    let strategy = scenario(Mode::Durable).prop_map(|mut g| {
        g.faults.clear();
        // One reader per topic that reads all of it from the start and stays.
        for topic in 0..g.topics.len() {
            let member = Member { start_ms: 0, leaves: None };
            g.readers.push(Reader { topic, partitions: 4095, group: topic % 2 == 0, earliest: true, member });
        }
        g
    });
    let result = runner.run(&strategy, |g| {
        let check = || -> Result<(), String> {
            let (outcome, _) = run(&g)?;
            if outcome.delivery.unobserved > 0 {
                return Err(format!("{} acknowledged records were read by nobody", outcome.delivery.unobserved));
            }
            let first_reader = outcome.consumers.len() - g.readers.len();
            for (reader, row) in g.readers.iter().zip(&outcome.consumers[first_reader..]) {
                let given: Vec<String> = reader
                    .partitions(&g.topics[reader.topic])
                    .iter()
                    .map(|p| format!("t{}-{p}", reader.topic))
                    .collect();
                if let Some((tp, _)) = row.positions.iter().find(|(tp, _)| !given.contains(tp)) {
                    return Err(format!("{} reads {tp}, which it was not given ({})", row.consumer, given.join(", ")));
                }
            }
            Ok(())
        };
        check().map_err(|why| reproduce("manual-readers", &g, &why))
    });
    if let Err(e) = result {
        panic!("manual-readers: {e}");
    }
}

/// The simulator must not be too safe: Kafka's known ways of losing
/// acknowledged records must show up in random scenarios too.
fn losses(mode_tweak: impl Fn(&mut Generated), default_cases: u32, name: &str) -> u32 {
    let mut runner = runner(default_cases, name);
    let strategy = scenario(Mode::Any);
    let mut found = 0;
    for _ in 0..cases(default_cases) {
        let mut g = strategy.new_tree(&mut runner).expect("a scenario").current();
        mode_tweak(&mut g);
        let (outcome, _) = run(&g).unwrap_or_else(|e| panic!("{name}: {e}\n{}", g.yaml()));
        if outcome.delivery.lost > 0 {
            found += 1;
        }
    }
    found
}

#[test]
fn random_faults_find_an_acks_1_loss() {
    let found = losses(
        |g| {
            for p in &mut g.producers {
                p.acks = "1";
                p.idempotence = None;
            }
            g.brokers = g.brokers.max(2);
            for t in &mut g.topics {
                t.unclean = false;
                t.replication_factor = t.replication_factor.clamp(2, g.brokers);
            }
            // Add the classic setup to the random faults: a follower gets slow,
            // then a broker dies (which ones, and when, is random).
            let slow = 1 + (g.seed % u64::from(g.brokers)) as u32;
            let killed = 1 + ((g.seed >> 8) % u64::from(g.brokers)) as u32;
            let kill_at = 8_000 + (g.seed >> 16) % 20_000;
            g.faults.push(Fault { broker: slow, at_ms: 3_000, for_ms: 40_000, kind: FaultKind::Slow(1_000) });
            g.faults.push(Fault { broker: killed, at_ms: kill_at, for_ms: 20_000, kind: FaultKind::Kill });
        },
        60,
        "acks-1-loss",
    );
    eprintln!("acks=1 losses found: {found}");
    assert!(found > 0, "no acks=1 loss in the budget: the simulator is too safe");
}

#[test]
fn random_faults_find_an_unclean_election_loss() {
    let found = losses(
        |g| {
            // Two brokers, the classic setup for it: they lose touch, each
            // partition's follower drops out of the ISR, then one broker dies
            // and the other is elected although it is behind. When, and which
            // broker dies, is the scenario's random choice.
            g.brokers = 2;
            for p in &mut g.producers {
                p.acks = "all";
                p.idempotence = None;
                p.start_ms %= 5_000;
                p.every_ms = p.every_ms.clamp(50, 150);
                p.count = 80_000 / p.every_ms;
            }
            for t in &mut g.topics {
                t.unclean = true;
                t.min_insync = 1;
                t.replication_factor = 2;
            }
            let killed = 1 + (g.seed % 2) as u32;
            let kill_at = 40_000 + g.seed % 15_000;
            g.faults = vec![
                Fault { broker: 1, at_ms: 5_000, for_ms: 70_000, kind: FaultKind::CutFrom(2) },
                Fault { broker: killed, at_ms: kill_at, for_ms: 30_000, kind: FaultKind::Kill },
            ];
        },
        60,
        "unclean-loss",
    );
    eprintln!("unclean losses found: {found}");
    assert!(found > 0, "no unclean-election loss in the budget: the simulator is too safe");
}

/// Transactions spanning two topics, under random plans and faults (a
/// broker killed, the producer cut off for a while, a crash mid-transaction):
/// every transaction is all-or-nothing across both topics (the atomicity
/// check finds no violation), and no record of an aborted, crashed or fenced
/// transaction reaches the read_committed reader of both topics.
#[test]
fn transactions_across_topics_stay_atomic_under_faults() {
    use kafkasim::ids::RecordId;
    use kafkasim::trace::sink::VecSink;
    use kafkasim::trace::{Level, TraceEvent};
    let mut runner = runner(12, "transactions-across-topics");
    let topics = prop_oneof![Just("[a]"), Just("[b]"), Just("[a, b]"), Just("[b, a]")];
    let end = prop_oneof![Just("commit"), Just("abort")];
    let plan = proptest::collection::vec((1u32..5, topics, end), 1..4);
    let fault = super::transactions::random_fault();
    let strategy = (plan, any::<bool>(), fault, 1u64..1000);
    let result = runner.run(&strategy, |(plan, crash, fault, seed)| {
        let mut transactions: Vec<String> =
            plan.iter().map(|(n, topics, end)| format!("{{ send: {n}, topics: {topics}, end: {end} }}")).collect();
        if crash {
            transactions.push("{ send: 2, topics: [a, b], end: crash }".to_string());
        }
        let sum: u32 = plan.iter().map(|(n, _, _)| n).sum();
        let count = if crash { sum + 2 } else { sum * 2 };
        let text = format!(
            "name: transactions across topics\nseed: {seed}\nbrokers: 3\n\
             topics: [{{ name: a, partitions: 2 }}, {{ name: b, partitions: 3 }}]\n\
             producers:\n\
            \x20 - id: app\n    topic: a\n    every: 700ms\n    count: {count}\n    key: \"k-{{n}}\"\n\
            \x20   config: {{ transactional.id: app-txn, transaction.timeout.ms: 20s }}\n\
            \x20   transactions: [{}]\n\
             consumers:\n\
            \x20 - {{ id: reader, group: g, topics: [a, b], config: {{ auto.offset.reset: earliest, isolation.level: read_committed }} }}\n\
             timeline:\n  - {{ at: 0s, say: start }}\n{fault}\
             run: 90s\n",
            transactions.join(", ")
        );
        let scenario = load_str("generated.yaml", &text).map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
        let mut world = World::new(scenario, BuildOptions { seed: None, check_invariants: true });
        let mut sink = VecSink::new(Level::Debug);
        world.run(&mut sink).map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
        let events: Vec<TraceEvent> = sink.events.into_iter().map(|e| e.event).collect();
        let checks = world.delivery().transactions.expect("transaction checks");
        prop_assert_eq!(checks.atomicity_violations, 0, "{:?}\n{}", checks.violations, text);
        let never: std::collections::BTreeSet<RecordId> = events
            .iter()
            .filter_map(|e| match e {
                TraceEvent::TransactionEnded { outcome, ids, .. } if *outcome != "commit" => Some(ids.clone()),
                _ => None,
            })
            .flatten()
            .collect();
        let leaked: Vec<RecordId> = events
            .iter()
            .filter_map(|e| match e {
                TraceEvent::Consumed { batch, from_offset, to_offset, .. } => Some(
                    batch
                        .records()
                        .filter(|(o, _)| o >= from_offset && o < to_offset)
                        .map(|(_, r)| r.id())
                        .filter(|id| never.contains(id))
                        .collect::<Vec<_>>(),
                ),
                _ => None,
            })
            .flatten()
            .collect();
        prop_assert!(leaked.is_empty(), "aborted records reached read_committed: {:?}\n{}", leaked, text);
        Ok(())
    });
    if let Err(e) = result {
        panic!("transactions-across-topics: {e}");
    }
}
