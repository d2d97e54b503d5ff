//! The course demo with real Python clients: `kafkasim serve` on free ports,
//! and the project's scripts in `tests/live/` (kafka-python and
//! confluent-kafka) producing and consuming through it. The clients come
//! from a virtual environment `.ci/run` creates (`target/live-venv`, or
//! `KAFKASIM_LIVE_PYTHON` naming a python that has them); without one these
//! tests say so and pass, except under `CI=true`, where they fail.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use kafkasim::check::outcome::Delivery;
use serde_json::Value;

fn ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0")
}

fn project() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The python that has both clients, or `None` (and why) when there is none.
fn python() -> Option<PathBuf> {
    let python = std::env::var_os("KAFKASIM_LIVE_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| project().join("target/live-venv/bin/python"));
    let works = Command::new(&python)
        .args(["-c", "import kafka, confluent_kafka"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if works {
        return Some(python);
    }
    let message = format!(
        "\n*** THE PYTHON CLIENT TESTS OF LIVE MODE DID NOT RUN: no kafka-python and confluent-kafka at {} ***\n\
         create it as .ci/run does: python3 -m venv target/live-venv && \
         target/live-venv/bin/pip install kafka-python==3.0.12 confluent-kafka==2.16.2\n",
        python.display()
    );
    assert!(!ci(), "{message}with CI=true this is a failure");
    eprintln!("{message}");
    None
}

/// `kafkasim serve` on free ports, stopped when dropped.
struct Served {
    child: Child,
    bootstrap: String,
}

impl Served {
    fn start(scenario: Option<&str>) -> Served {
        let mut command = Command::new(env!("CARGO_BIN_EXE_kafkasim"));
        command.args(["serve", "--port", "0"]);
        command.args(scenario);
        let mut child = command.stdout(Stdio::piped()).stderr(Stdio::null()).spawn().expect("kafkasim serve starts");
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel();
        // Reads the narration to its end, so the server never blocks on a full pipe.
        thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(rest) = line.strip_prefix("Point your client at bootstrap_servers=\"") {
                    let _ = tx.send(rest.split('"').next().unwrap_or_default().to_string());
                }
            }
        });
        let bootstrap = rx.recv_timeout(Duration::from_secs(30)).expect("kafkasim serve says where it listens");
        Served { child, bootstrap }
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs one script of `tests/live/` to its end; its JSON lines.
fn run(python: &Path, script: &str, args: &[&str]) -> Vec<Value> {
    let output = Command::new(python)
        .arg(project().join("tests/live").join(script))
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{script} runs: {e}"));
    assert!(output.status.success(), "{script} {args:?} failed:\n{}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{script} printed {l:?}: {e}")))
        .collect()
}

/// A record a consumer read: (partition, offset, message number).
type Read = (i64, i64, i64);

fn records(lines: &[Value]) -> Vec<Read> {
    lines
        .iter()
        .filter(|l| l.get("offset").is_some())
        .map(|l| (l["partition"].as_i64().unwrap(), l["offset"].as_i64().unwrap(), l["n"].as_i64().unwrap()))
        .collect()
}

/// Message number → (partition, offset) of every acknowledged message.
fn acked(lines: &[Value]) -> BTreeMap<i64, (i64, i64)> {
    let failed: Vec<&Value> = lines.iter().filter(|l| l.get("failed").is_some()).collect();
    assert!(failed.is_empty(), "unacknowledged messages: {failed:?}");
    lines
        .iter()
        .filter_map(|l| Some((l.get("acked")?.as_i64()?, (l["partition"].as_i64()?, l["offset"].as_i64()?))))
        .collect()
}

/// Each partition read in offset order, and within it in the order sent
/// (one producer: a partition's messages keep their send order).
fn assert_in_partition_order(read: &[Read]) {
    let mut last: BTreeMap<i64, (i64, i64)> = BTreeMap::new();
    for &(partition, offset, n) in read {
        if let Some(&(o, m)) = last.get(&partition) {
            assert!(offset > o && n > m, "partition {partition}: offset {offset} (n={n}) read after {o} (n={m})");
        }
        last.insert(partition, (offset, n));
    }
}

/// Every acknowledged message read exactly once, where the producer was told it was written.
fn assert_reads_exactly(read: &[Read], acked: &BTreeMap<i64, (i64, i64)>) {
    let mut seen = BTreeSet::new();
    for &(partition, offset, n) in read {
        assert!(seen.insert(n), "message {n} read twice");
        assert_eq!(acked.get(&n), Some(&(partition, offset)), "message {n} read at {partition}@{offset}");
    }
    assert_eq!(seen.len(), acked.len(), "every acknowledged message is read");
}

/// The course demo with kafka-python: 1,000 keyed messages, a consumer in
/// `consumer.group.id.demo.1` reading them in per-partition order; killed
/// after some 300 (no LeaveGroup) and restarted, it resumes from its last commit,
/// reading each message exactly once across both runs; a second group then
/// reads all 1,000 from the beginning.
#[test]
fn kafka_python_runs_the_course_demo() {
    let Some(python) = python() else { return };
    let served = Served::start(None);
    let b = served.bootstrap.as_str();
    let acked = acked(&run(&python, "producer.py", &["--bootstrap", b, "--count", "1000", "--acks", "all"]));
    assert_eq!(acked.len(), 1000);

    let group = "consumer.group.id.demo.1";
    let first = records(&run(&python, "consumer.py", &["--bootstrap", b, "--group", group, "--stop-after", "300"]));
    assert!(first.len() >= 300 && first.len() < 1000, "killed after reading {} of 1000", first.len());
    // The killed member stays in the group until its session (6 s) expires.
    let second = records(&run(&python, "consumer.py", &["--bootstrap", b, "--group", group, "--idle-ms", "12000"]));
    for partition in [0, 1] {
        let last = first.iter().filter(|r| r.0 == partition).map(|r| r.1).max();
        let resumed = second.iter().filter(|r| r.0 == partition).map(|r| r.1).min();
        if let (Some(last), Some(resumed)) = (last, resumed) {
            assert_eq!(resumed, last + 1, "partition {partition} resumes after its last commit");
        }
    }
    let both: Vec<Read> = first.iter().chain(&second).copied().collect();
    assert_in_partition_order(&both);
    assert_reads_exactly(&both, &acked);

    let again = records(&run(&python, "consumer.py", &["--bootstrap", b, "--group", "consumer.group.id.demo.2"]));
    assert_in_partition_order(&again);
    assert_reads_exactly(&again, &acked);
}

/// Three kafka-python consumers of one group on the two-partition demo_1:
/// while all three run, two hold a partition each and the third is idle,
/// and kafka-python's admin client (ListGroups, DescribeGroups) sees the
/// stable group with the same three assignments.
#[test]
fn a_third_kafka_python_consumer_is_idle() {
    let Some(python) = python() else { return };
    let served = Served::start(None);
    let b = served.bootstrap.clone();
    let consumers: Vec<_> = (0..3)
        .map(|_| {
            let (python, b) = (python.clone(), b.clone());
            thread::spawn(move || {
                let args = ["--bootstrap", &b, "--group", "consumer.group.id.demo.3", "--run-ms", "20000"];
                let lines = run(&python, "consumer.py", &[&args[..], &["--report-ms", "15000"]].concat());
                let held = lines.iter().find_map(|l| l.get("assignment_at_report").cloned());
                held.expect("a report").as_array().unwrap().iter().map(|p| p.as_i64().unwrap()).collect::<Vec<_>>()
            })
        })
        .collect();
    thread::sleep(Duration::from_secs(16));
    let admin = run(&python, "groups_admin.py", &["--bootstrap", &b, "--group", "consumer.group.id.demo.3"]);
    let mut held: Vec<Vec<i64>> = consumers.into_iter().map(|c| c.join().unwrap()).collect();
    held.sort();
    assert_eq!(held, vec![vec![], vec![0], vec![1]], "two partitions feed at most two consumers");

    assert_eq!(admin[0]["groups"], serde_json::json!([["consumer.group.id.demo.3", "Stable"]]));
    assert_eq!(admin[1]["state"], "Stable");
    let mut described: Vec<Vec<i64>> = admin[1]["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["partitions"].as_array().unwrap().iter().map(|p| p.as_i64().unwrap()).collect())
        .collect();
    described.sort();
    assert_eq!(described, held, "the admin client describes the assignment the consumers hold");
}

/// The same demo with confluent-kafka (librdkafka): an idempotent acks=all
/// producer's 1,000 messages, all read once in per-partition order by a group.
#[test]
fn confluent_kafka_runs_the_course_demo() {
    let Some(python) = python() else { return };
    let served = Served::start(None);
    let b = served.bootstrap.as_str();
    let acked = acked(&run(&python, "confluent_producer.py", &["--bootstrap", b, "--idempotent"]));
    assert_eq!(acked.len(), 1000);
    let read =
        records(&run(&python, "confluent_consumer.py", &["--bootstrap", b, "--group", "consumer.group.id.demo.1"]));
    assert_in_partition_order(&read);
    assert_reads_exactly(&read, &acked);
}

/// The demo cluster served in this process, with `timeline` appended; its
/// delivery checks read when stopped.
fn serve_in_process(timeline: &str) -> (String, kafkasim::live::StopHandle, thread::JoinHandle<Delivery>) {
    let yaml = format!("{}{timeline}", kafkasim::live::DEMO_CLUSTER);
    let (tx, rx) = mpsc::channel();
    let server = thread::spawn(move || {
        let mut scenario = kafkasim::scenario::load_str("demo cluster", &yaml).unwrap();
        kafkasim::scenario::resolve::add_offsets_topic(&mut scenario);
        let world = kafkasim::world::World::new(scenario, kafkasim::world::BuildOptions::default());
        let options = kafkasim::live::ServeOptions { base_port: 0, ..Default::default() };
        let mut gateway = kafkasim::live::Gateway::bind(world, options).expect("free ports");
        let bootstrap: Vec<String> = gateway.advertised().ports.iter().map(|(_, p)| format!("127.0.0.1:{p}")).collect();
        tx.send((bootstrap.join(","), gateway.stop_handle())).unwrap();
        gateway.run(&mut kafkasim::trace::sink::NullSink, &mut |_| {}).unwrap();
        gateway.world().delivery()
    });
    let (bootstrap, stop) = rx.recv().unwrap();
    (bootstrap, stop, server)
}

/// An acks=all idempotent confluent-kafka producer sends 1,000 messages,
/// ten milliseconds apart, while the leader of demo_1-0 (broker 1) is
/// killed at 3 s. Once the controller fences it (broker.session.timeout.ms)
/// a follower leads; the client finds the new leader and
/// retries; the simulator's own delivery checks, run on the live session,
/// count its 1,000 records acknowledged, none lost, none duplicated.
#[test]
fn a_leader_kill_under_an_idempotent_producer_loses_and_duplicates_nothing() {
    let Some(python) = python() else { return };
    let (bootstrap, stop, server) = serve_in_process("timeline:\n  - at: 3s\n    kill: 1\n");
    let args = ["--bootstrap", &bootstrap, "--idempotent", "--acks", "all", "--pace-ms", "10"];
    let acked = acked(&run(&python, "confluent_producer.py", &args));
    stop.stop();
    let delivery = server.join().unwrap();
    assert_eq!(acked.len(), 1000, "the client saw every message acknowledged");
    assert_eq!(
        (delivery.produced, delivery.acknowledged, delivery.lost, delivery.duplicated),
        (1000, 1000, 0, 0),
        "the simulator's checks agree: {delivery:?}"
    );
}

/// kafka-python's admin client creates a topic while the cluster runs
/// (CreateTopics, forwarded by the broker to the controller); asking again
/// is refused with TOPIC_ALREADY_EXISTS and an illegal name with
/// INVALID_TOPIC_EXCEPTION; the new topic's three partitions have leaders and
/// two replicas each; then the course's producer and consumer go through it.
#[test]
fn kafka_python_creates_a_topic_and_uses_it() {
    let Some(python) = python() else { return };
    let served = Served::start(None);
    let b = served.bootstrap.as_str();
    let lines = run(&python, "create_topics.py", &["--bootstrap", b, "--topic", "clicks"]);
    assert_eq!(lines[0]["error"], Value::Null, "created: {lines:?}");
    assert_eq!(lines[1]["error"], "TopicAlreadyExistsError", "{lines:?}");
    assert_eq!(lines[2]["error"], "InvalidTopicError", "{lines:?}");
    let described = &lines[3];
    assert_eq!(described["error"], 0, "{described}");
    let partitions = described["partitions"].as_array().expect("partitions");
    assert_eq!(partitions.len(), 3, "{described}");
    for p in partitions {
        assert!(p[1].as_i64().is_some_and(|leader| leader >= 1), "a leader: {p}");
        assert_eq!(p[2].as_array().map(Vec::len), Some(2), "two replicas: {p}");
    }
    let acked = acked(&run(&python, "producer.py", &["--bootstrap", b, "--topic", "clicks", "--count", "200"]));
    assert_eq!(acked.len(), 200);
    let read =
        records(&run(&python, "consumer.py", &["--bootstrap", b, "--topic", "clicks", "--group", "clicks.readers"]));
    assert_in_partition_order(&read);
    assert_reads_exactly(&read, &acked);
}

/// A kafka-python producer writes to a topic nobody created: its Metadata
/// request allows auto-creation, the broker asks the controller for it
/// (`auto.create.topics.enable`, `num.partitions=1`,
/// `default.replication.factor=1`), answers LEADER_NOT_AVAILABLE until the
/// topic has a leader, and every message is then acknowledged and read.
#[test]
fn kafka_python_auto_creates_a_topic_it_writes_to() {
    let Some(python) = python() else { return };
    let served = Served::start(None);
    let b = served.bootstrap.as_str();
    let acked = acked(&run(&python, "producer.py", &["--bootstrap", b, "--topic", "fresh", "--count", "100"]));
    assert_eq!(acked.len(), 100);
    assert!(acked.values().all(|&(partition, _)| partition == 0), "num.partitions=1: one partition");
    let read =
        records(&run(&python, "consumer.py", &["--bootstrap", b, "--topic", "fresh", "--group", "fresh.readers"]));
    assert_reads_exactly(&read, &acked);
}
