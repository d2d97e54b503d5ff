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
    assignor: &'static str,
    earliest: bool,
    members: Vec<Member>,
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
        acks,
        prop_oneof![Just(None), Just(Some(true)), Just(Some(false))],
        prop_oneof![Just(0u64), Just(5), 0u64..50],
        1u32..=5,
        0u64..10_000,
        prop_oneof![10u64..200, Just(50)],
        20u64..200,
        prop_oneof![Just(None), (1u64..12).prop_map(Some)],
    )
        .prop_map(|(topic, acks, idempotence, linger_ms, max_in_flight, start_ms, every_ms, count, keys)| {
            // Kafka refuses enable.idempotence=true without acks=all.
            let idempotence = if acks != "all" && idempotence == Some(true) { None } else { idempotence };
            Producer { topic, acks, idempotence, linger_ms, max_in_flight, start_ms, every_ms, count, keys }
        })
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
        prop_oneof![Just("range"), Just("roundrobin"), Just("sticky"), Just("cooperative-sticky")],
        any::<bool>(),
        prop::collection::vec(member(), 1..=3),
    )
        .prop_map(|(topic, assignor, earliest, members)| Group { topic, assignor, earliest, members })
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
                prop::collection::vec(fault(brokers), 0..=4),
            )
                .prop_map(move |(topics, producers, groups, faults)| {
                    let faults = if mode == Mode::Durable { sequential(faults) } else { faults };
                    Generated { seed, brokers, topics, producers, groups, faults }
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
                "  - id: p{i}\n    topic: t{}\n    start: {}ms\n    every: {}ms\n    count: {}",
                p.topic, p.start_ms, p.every_ms, p.count
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
        if self.groups.iter().any(|g| !g.members.is_empty()) {
            y.push_str("consumers:\n");
        }
        for (g, group) in self.groups.iter().enumerate() {
            for (m, member) in group.members.iter().enumerate() {
                let id = format!("g{g}c{m}");
                let reset = if group.earliest { "earliest" } else { "latest" };
                let _ = writeln!(
                    y,
                    "  - id: {id}\n    group: g{g}\n    topics: [t{}]\n    start: {}ms\n    config:\n      partition.assignment.strategy: {}\n      auto.offset.reset: {reset}",
                    group.topic, member.start_ms, group.assignor
                );
                if let Some((at, crash, back)) = member.leaves {
                    timeline.push((at, format!("{}: {id}", if crash { "crash" } else { "stop" })));
                    if let Some(after) = back {
                        timeline.push((at + after, format!("start: {id}")));
                    }
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
            let idempotent = p.idempotence.unwrap_or(p.acks == "all");
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
