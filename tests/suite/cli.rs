//! The `kafkasim` binary end to end: output formats, exit codes, errors.

use std::process::Command;

use super::support::{self, kafkasim, stdout};

#[test]
fn run_narrates_and_ends_with_the_outcome() {
    let out = kafkasim(&["run", "producer-consumer"]);
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    assert!(text.contains("producer → demo_1-"), "narrates writes");
    assert!(text.contains("c1 ← demo_1-"), "narrates reads");
    assert!(text.lines().any(|l| l.starts_with("TOPIC ") && l.contains("PARTITION  LEADER  EPOCH")), "partition table");
    assert!(text.contains("result: all"), "expectation summary");
}

#[test]
fn run_json_is_the_outcome_with_stable_fields() {
    let out = kafkasim(&["run", "scenarios/producer-consumer.yaml", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(v["delivery"]["acknowledged"], 1000);
    assert_eq!(v["delivery"]["lost"], 0);
    assert_eq!(v["partitions"][0]["topic"], "demo_1");
    assert_eq!(v["passed"], true);
}

#[test]
fn run_jsonl_is_one_event_per_line_after_a_header() {
    let out = kafkasim(&["run", "datagen-orders", "--format", "jsonl"]);
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    let mut lines = text.lines();
    let header: serde_json::Value = serde_json::from_str(lines.next().expect("header")).expect("JSON");
    assert_eq!(header["event"], "header");
    assert_eq!(header["seed"], 1);
    let events: Vec<serde_json::Value> = lines.map(|l| serde_json::from_str(l).expect("JSON line")).collect();
    assert!(events.iter().any(|e| e["event"] == "append"));
    assert!(events.windows(2).all(|w| w[0]["t_us"].as_u64() <= w[1]["t_us"].as_u64()), "time never goes back");
}

#[test]
fn a_failed_expectation_exits_1() {
    let dir = std::env::temp_dir().join(format!("kafkasim-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let file = dir.join("fails.yaml");
    std::fs::write(
        &file,
        "name: fails\ntopics: [{ name: t, partitions: 1 }]\nproducers: [{ id: p, topic: t, count: 3 }]\nexpect:\n  - outcome: { acknowledged: 4 }\n",
    )
    .expect("write");
    let out = kafkasim(&["run", file.to_str().expect("utf-8 path"), "--quiet"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).contains("✗ FAIL"));
}

#[test]
fn bad_input_exits_2_with_a_located_error() {
    let out = kafkasim(&["check", "tests/broken/unknown-key.yaml"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("tests/broken/unknown-key.yaml:"), "names the file: {err}");
    let out = kafkasim(&["run", "producer-consumr"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("did you mean the built-in scenario `producer-consumer`"));
}

#[test]
fn check_accepts_every_course_scenario() {
    let files: Vec<String> = support::scenario_files().iter().map(|p| support::relative(p)).collect();
    let mut args = vec!["check"];
    args.extend(files.iter().map(String::as_str));
    let out = kafkasim(&args);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn list_names_every_built_in_scenario() {
    let out = kafkasim(&["list", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let names: Vec<&str> = v.as_array().expect("array").iter().filter_map(|s| s["name"].as_str()).collect();
    for file in support::scenario_files() {
        let stem = file.file_stem().and_then(|s| s.to_str()).expect("name");
        assert!(names.contains(&stem), "{stem} is not built in");
    }
}

#[test]
fn new_writes_a_scenario_that_checks_and_passes() {
    let dir = std::env::temp_dir().join(format!("kafkasim-new-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let status =
        Command::new(env!("CARGO_BIN_EXE_kafkasim")).args(["new", "lesson"]).current_dir(&dir).status().expect("runs");
    assert!(status.success());
    let run = Command::new(env!("CARGO_BIN_EXE_kafkasim"))
        .args(["run", "lesson.yaml", "--quiet"])
        .current_dir(&dir)
        .output()
        .expect("runs");
    assert_eq!(run.status.code(), Some(0), "{}", String::from_utf8_lossy(&run.stdout));
    let again =
        Command::new(env!("CARGO_BIN_EXE_kafkasim")).args(["new", "lesson"]).current_dir(&dir).output().expect("runs");
    assert_eq!(again.status.code(), Some(2), "refuses to overwrite without --force");
}

#[test]
fn schema_prints_json_schema() {
    let v: serde_json::Value = serde_json::from_slice(&kafkasim(&["schema"]).stdout).expect("JSON");
    assert!(v["properties"]["topics"].is_object());
}

#[test]
fn graph_draws_producers_topics_and_readers() {
    let out = kafkasim(&["graph", "third-consumer-idle"]);
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    assert!(text.contains("producer producer"), "{text}");
    assert!(text.contains("topic demo_1 (2 partition(s), replication factor 1)"), "{text}");
    assert!(text.contains("group consumer.group.id.demo.2: c1, c2, c3"), "{text}");
    let dot = stdout(&kafkasim(&["graph", "third-consumer-idle", "--format", "dot"]));
    assert!(dot.starts_with("digraph kafkasim {"), "{dot}");
    assert_eq!(dot.matches(" -> ").count(), 2, "{dot}");
    assert_eq!(kafkasim(&["graph", "no-such-scenario"]).status.code(), Some(2));
}

#[test]
fn configs_lists_every_modelled_config_with_its_default() {
    let out = kafkasim(&["configs", "--scope", "producer"]);
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    let acks = text.lines().find(|l| l.starts_with("acks ")).expect("acks is listed");
    assert!(acks.contains(" all "), "{acks}");
    assert!(!text.contains("consumer configs"), "only the producer scope");
    let markdown = stdout(&kafkasim(&["configs", "--format", "markdown"]));
    assert!(markdown.contains("| `linger.ms` | `5` |"), "{markdown}");
    assert!(markdown.contains("### consumer configs"));
    let bad = kafkasim(&["configs", "--scope", "zookeeper"]);
    assert_eq!(bad.status.code(), Some(2));
}

#[test]
fn configs_shows_each_clients_own_defaults() {
    let row = |text: &str, name: &str| -> String {
        text.lines()
            .find(|l| l.starts_with(&format!("{name} ")))
            .unwrap_or_else(|| panic!("{name}: {text}"))
            .to_string()
    };
    let java = stdout(&kafkasim(&["configs", "--scope", "producer"]));
    assert!(row(&java, "acks").contains(" all "), "Kafka 4.0's default");
    // kafka-python 2.0.2's KafkaProducer.DEFAULT_CONFIG: acks=1, linger_ms=0.
    let python = stdout(&kafkasim(&["configs", "--scope", "producer", "--client", "kafka-python"]));
    assert!(python.contains("defaults of kafka-python"), "{python}");
    assert!(row(&python, "acks").contains(" 1 *"), "{python}");
    assert!(row(&python, "linger.ms").contains(" 0 *"), "{python}");
    assert!(!row(&python, "batch.size").contains('*'), "16384 in both clients");
    // librdkafka's CONFIGURATION.md: batch.size 1000000, client.id rdkafka.
    let rdkafka = stdout(&kafkasim(&["configs", "--client", "librdkafka"]));
    assert!(row(&rdkafka, "batch.size").contains(" 1000000 *"), "{rdkafka}");
    assert!(row(&rdkafka, "client.id").contains("rdkafka *"), "{rdkafka}");
    assert!(rdkafka.contains("topic configs\n"), "topic configs do not depend on the client");
    let python_consumer = stdout(&kafkasim(&["configs", "--scope", "consumer", "--client", "kafka-python"]));
    assert!(row(&python_consumer, "session.timeout.ms").contains(" 10000 *"), "{python_consumer}");
    assert_eq!(kafkasim(&["configs", "--client", "sarama"]).status.code(), Some(2));
}

#[test]
fn play_without_a_terminal_points_at_run() {
    let out = kafkasim(&["play", "producer-consumer"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("kafkasim run producer-consumer"));
}

#[test]
fn no_arguments_without_a_terminal_prints_help() {
    let out = kafkasim(&[]);
    assert_eq!(out.status.code(), Some(0));
    assert!(stdout(&out).contains("Usage: kafkasim"));
}

#[test]
fn stats_go_to_stderr_and_leave_the_output_alone() {
    let plain = kafkasim(&["run", "producer-consumer", "--format", "json"]);
    let with_stats = kafkasim(&["run", "producer-consumer", "--format", "json", "--stats"]);
    assert_eq!(with_stats.status.code(), Some(0));
    assert_eq!(plain.stdout, with_stats.stdout, "stdout is the same JSON");
    let stderr = String::from_utf8_lossy(&with_stats.stderr);
    for field in ["events", "records", "virtual time", "wall time", "events/s", "records/s", "peak memory"] {
        assert!(stderr.contains(field), "{field} in:\n{stderr}");
    }
    assert!(stderr.contains("records         1000"), "{stderr}");
}

/// Every command that prints, with arguments that make it print.
const PRINTING_COMMANDS: &[&[&str]] = &[
    &["run", "producer-consumer"],
    &["run", "producer-consumer", "--format", "json"],
    &["run", "producer-consumer", "--format", "jsonl"],
    &["check", "producer-consumer"],
    &["list"],
    &["list", "--format", "json"],
    &["schema"],
    &["schema", "--outcome"],
    &["configs"],
    &["test", "scenarios/producer-consumer.yaml"],
    &["graph", "third-consumer-idle"],
    &["draw", "producer-consumer", "--what", "flow", "-o", "-"],
    &["explain", "partition", "--key", "k", "--partitions", "3"],
    &["explain", "assign", "--topic", "t:3", "--member", "a", "--member", "b"],
    &["explain", "coordinator", "--group", "g"],
    &[],
];

fn panicked(stderr: &[u8]) -> bool {
    String::from_utf8_lossy(stderr).contains("panicked")
}

#[test]
fn a_full_disk_is_an_error_in_every_command_never_silent_or_a_panic() {
    // `/dev/full` fails every write with ENOSPC, like a disk with no room left.
    let Ok(full) = std::fs::OpenOptions::new().write(true).open("/dev/full") else { return };
    for args in PRINTING_COMMANDS {
        let out = Command::new(env!("CARGO_BIN_EXE_kafkasim"))
            .args(*args)
            .current_dir(support::repo_root())
            .stdout(full.try_clone().expect("a second handle"))
            .output()
            .expect("runs");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!panicked(&out.stderr), "{args:?} panicked:\n{stderr}");
        assert_eq!(out.status.code(), Some(2), "{args:?} must fail:\n{stderr}");
        assert!(stderr.contains("the output could not be written"), "{args:?} says why:\n{stderr}");
    }
}

#[test]
fn a_closed_pipe_ends_every_command_quietly() {
    for args in PRINTING_COMMANDS {
        // The reading end is closed before the command starts: its first
        // write meets a broken pipe, whatever the timing.
        let (reader, writer) = std::io::pipe().expect("a pipe");
        drop(reader);
        let out = Command::new(env!("CARGO_BIN_EXE_kafkasim"))
            .args(*args)
            .current_dir(support::repo_root())
            .stdout(writer)
            .output()
            .expect("runs");
        assert!(!panicked(&out.stderr), "{args:?} panicked:\n{}", String::from_utf8_lossy(&out.stderr));
        assert_eq!(out.status.code(), Some(0), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        assert!(out.stderr.is_empty(), "{args:?} is quiet: {}", String::from_utf8_lossy(&out.stderr));
    }
}

#[test]
fn a_long_run_into_a_closed_pipe_stops_at_once() {
    // Three simulated days; a reader that has gone does not wait for them.
    let (reader, writer) = std::io::pipe().expect("a pipe");
    drop(reader);
    let out = Command::new(env!("CARGO_BIN_EXE_kafkasim"))
        .args(["run", "retention-delete", "--format", "jsonl", "--stats"])
        .current_dir(support::repo_root())
        .stdout(writer)
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0));
    assert!(out.stderr.is_empty(), "no stats for a run nobody reads: {}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn a_jsonl_trace_ends_with_a_line_saying_it_is_complete() {
    let text = stdout(&kafkasim(&["run", "producer-consumer", "--format", "jsonl"]));
    let last: serde_json::Value = serde_json::from_str(text.lines().last().expect("lines")).expect("JSON");
    assert_eq!(last["event"], "end");
    assert_eq!(last["complete"], true);
    // producer-consumer runs 1010 s: the end line is written at its end.
    assert_eq!(last["t_us"], 1_010_000_000u64, "{last}");
    assert!(last["engine_events"].as_u64().is_some_and(|n| n > 0), "{last}");
}

/// A directory of its own, for commands that read or write files there.
fn scratch_dir(test: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("kafkasim-cli-{test}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

#[cfg(unix)]
#[test]
fn devices_fifos_and_directories_are_refused_without_reading_them() {
    let dir = scratch_dir("special");
    let fifo = dir.join("fifo.yaml");
    assert!(Command::new("mkfifo").arg(&fifo).status().is_ok_and(|s| s.success()), "mkfifo");
    for path in [std::path::Path::new("/dev/zero"), &fifo, &dir] {
        // Would hang (FIFO) or grow without end (/dev/zero) if read.
        let out = kafkasim(&["check", path.to_str().expect("utf-8")]);
        assert_eq!(out.status.code(), Some(2));
        // Words joined again where the report wraps a long path.
        let stderr = String::from_utf8_lossy(&out.stderr);
        let words: Vec<&str> = stderr.split_whitespace().filter(|w| *w != "│").collect();
        assert!(words.join(" ").contains("not a scenario file"), "{stderr}");
    }
}

#[test]
fn a_directory_named_like_a_built_in_does_not_hide_it() {
    let dir = scratch_dir("shadow");
    std::fs::create_dir_all(dir.join("producer-consumer")).expect("a folder of notes");
    let out = Command::new(env!("CARGO_BIN_EXE_kafkasim"))
        .args(["check", "producer-consumer"])
        .current_dir(&dir)
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout(&out).contains("\"Producer and consumer\""));
}

#[cfg(unix)]
#[test]
fn new_never_writes_through_a_symbolic_link() {
    let dir = scratch_dir("new-link");
    let target = dir.join("elsewhere").join("lesson.yaml");
    std::os::unix::fs::symlink(&target, dir.join("lesson.yaml")).expect("a dangling link");
    for args in [&["new", "lesson"][..], &["new", "lesson", "--force"]] {
        let out = Command::new(env!("CARGO_BIN_EXE_kafkasim")).args(args).current_dir(&dir).output().expect("runs");
        assert_eq!(out.status.code(), Some(2));
        assert!(String::from_utf8_lossy(&out.stderr).contains("symbolic link"));
    }
    assert!(!target.exists() && !dir.join("elsewhere").exists());
}

#[test]
fn a_run_whose_clock_stops_is_stopped_with_the_busy_actors_named() {
    // A group consumer fetching with no wait over a network without latency:
    // each empty answer comes back at the same instant and is asked again.
    let out = kafkasim(&["run", "fuzz/regressions/run/group-fetch-without-wait-or-latency.yaml", "-q"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("virtual time stopped advancing at t="), "{stderr}");
    assert!(stderr.contains("c → broker 1: Fetch") || stderr.contains("broker 1 → c: Fetch"), "{stderr}");
}

#[test]
fn a_run_too_long_for_its_event_limit_is_refused_before_it_starts() {
    let dir = scratch_dir("too-long");
    let file = dir.join("year.yaml");
    std::fs::write(&file, "name: a year of three brokers\nbrokers: 3\nrun: 366d\n").expect("written");
    let out = kafkasim(&["run", file.to_str().expect("utf-8"), "-q"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("needs at least") && stderr.contains("year.yaml:3:6"), "{stderr}");
}

#[test]
fn explain_assign_refuses_more_than_it_can_explain_at_once() {
    let mut args: Vec<String> =
        ["explain", "assign", "--strategy", "sticky", "--topic", "t:10000"].map(String::from).to_vec();
    for i in 0..101 {
        args.extend(["--member".to_string(), format!("m{i}")]);
    }
    let out = kafkasim(&args.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("more than this tool explains"));
}

#[test]
fn the_header_shows_what_the_seed_decided() {
    let header = |seed: &str| {
        let text = stdout(&kafkasim(&["run", "producer-consumer", "--seed", seed, "--format", "jsonl"]));
        let first: serde_json::Value = serde_json::from_str(text.lines().next().expect("header")).expect("JSON");
        first["streams"].clone()
    };
    assert_ne!(header("1"), header("2"), "another seed, other random streams");
    assert_eq!(header("1"), header("1"));
}

/// A fresh folder under the system's temporary one.
fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("kafkasim-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

fn kafkasim_in(dir: &std::path::Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_kafkasim")).args(args).current_dir(dir).output().expect("the binary runs")
}

const LESSON: &str = "name: pinned\ntopics: [{ name: t, partitions: 2 }]\nproducers: [{ id: p, topic: t, count: 20, key: \"k-{n}\" }]\nconsumers: [{ id: c, topics: [t], config: { auto.offset.reset: earliest } }]\nexpect:\n  - outcome: { acknowledged: 20 }\nrun: 30s\n";

/// The teacher's workflow with the binary alone: a new scenario has no pin
/// (exit 1, `NAME.snap.new` written); `--accept` pins it in insta's format;
/// the same outcome then passes; a changed scenario fails with the changed
/// report lines and the first changed trace event, both versions.
#[test]
fn test_pins_outcomes_and_shows_what_changed() {
    let dir = temp_dir("test");
    std::fs::create_dir_all(dir.join("lessons")).expect("folder");
    std::fs::write(dir.join("lessons/pinned.yaml"), LESSON).expect("write");

    let first = kafkasim_in(&dir, &["test", "lessons"]);
    assert_eq!(first.status.code(), Some(1), "no pin yet: {}", stdout(&first));
    assert!(stdout(&first).contains("NEW      lessons/pinned.yaml"), "{}", stdout(&first));
    assert!(dir.join("lessons/pinned.snap.new").exists(), "the new outcome waits for review");

    let accepted = kafkasim_in(&dir, &["test", "lessons", "--accept"]);
    assert_eq!(accepted.status.code(), Some(0), "{}", stdout(&accepted));
    let pin = std::fs::read_to_string(dir.join("lessons/pinned.snap")).expect("the pin");
    assert!(pin.starts_with("---\nsource: kafkasim test\n"), "insta's header: {pin}");
    assert!(pin.contains("input_file: pinned.yaml\n---\n── outcome of \"pinned\""), "{pin}");
    assert!(!dir.join("lessons/pinned.snap.new").exists());
    assert!(dir.join("lessons/.kafkasim/.gitignore").exists(), "kept traces stay out of git");

    let again = kafkasim_in(&dir, &["test"]);
    assert_eq!(again.status.code(), Some(0), "{}", stdout(&again));
    assert!(stdout(&again).contains("ok       lessons/pinned.yaml"), "{}", stdout(&again));

    std::fs::write(dir.join("lessons/pinned.yaml"), LESSON.replace("20", "21")).expect("write");
    let changed = kafkasim_in(&dir, &["test", "lessons/pinned.yaml"]);
    let text = stdout(&changed);
    assert_eq!(changed.status.code(), Some(1), "{text}");
    assert!(text.contains("CHANGED  lessons/pinned.yaml"), "{text}");
    assert!(text.contains("-   produced              20") && text.contains("+   produced              21"), "{text}");
    assert!(text.contains("the trace changed at trace event"), "{text}");
    assert!(text.contains("  was: {") && text.contains("  now: {"), "both versions of the event: {text}");
    assert!(text.contains("--accept"), "says how to pin: {text}");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn test_refuses_missing_paths_and_failing_expectations() {
    let dir = temp_dir("test-bad");
    let missing = kafkasim_in(&dir, &["test", "nowhere"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("no file or folder `nowhere`"));
    std::fs::write(dir.join("fails.yaml"), LESSON.replace("acknowledged: 20", "acknowledged: 3")).expect("write");
    let out = kafkasim_in(&dir, &["test", "--accept"]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert!(stdout(&out).contains("FAILED   fails.yaml"), "{}", stdout(&out));
    assert!(!dir.join("fails.snap").exists(), "a failing outcome is not pinned");
    let _ = std::fs::remove_dir_all(dir);
}

/// Every built-in's JSON outcome follows the published schema of the outcome.
#[test]
fn every_json_outcome_follows_the_outcome_schema() {
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(support::repo_root().join("schema/outcome.schema.json")).expect("published"),
    )
    .expect("JSON");
    for file in support::scenario_files() {
        let name = file.file_stem().and_then(|s| s.to_str()).expect("name");
        let out = kafkasim(&["run", name, "--format", "json"]);
        let outcome: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
        let problems = support::json_schema::validate(&schema, &outcome);
        assert!(problems.is_empty(), "{name}: the JSON outcome breaks its schema: {problems:#?}");
    }
}

#[test]
fn the_json_outcome_lists_a_single_producer() {
    let out = kafkasim(&["run", "producer-consumer", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let producers = v["producers"].as_array().expect("an array");
    assert_eq!(producers.len(), 1, "{producers:?}");
    assert_eq!(producers[0]["producer"], "producer");
    assert_eq!(producers[0]["acknowledged"], v["delivery"]["acknowledged"]);
}

/// `-q` prints the outcome and nothing else, and expectations come in the
/// order they are checked, whatever the order of the file.
#[test]
fn quiet_prints_only_the_outcome_with_expectations_in_time_order() {
    let dir = temp_dir("quiet");
    let file = dir.join("order.yaml");
    std::fs::write(
        &file,
        "name: order\ntopics: [{ name: t, partitions: 1 }]\nproducers: [{ id: p, topic: t, count: 5 }]\nexpect:\n  - outcome: { acknowledged: 5 }\n  - at: 9s\n    high_watermark: { t-0: 5 }\n  - at: 2s\n    high_watermark: { t-0: \">= 1\" }\nrun: 10s\n",
    )
    .expect("write");
    let out = kafkasim(&["run", file.to_str().expect("utf-8"), "-q"]);
    let text = stdout(&out);
    assert!(text.starts_with("── outcome of \"order\""), "nothing before the outcome: {text}");
    let at = |needle: &str| text.find(needle).unwrap_or_else(|| panic!("{needle} in {text}"));
    assert!(at("at 2.000s:") < at("at 9.000s:") && at("at 9.000s:") < at("at end:"), "{text}");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn check_counts_the_scenarios_own_topics() {
    let out = kafkasim(&["check", "third-consumer-idle"]);
    assert!(stdout(&out).contains("1 topic(s)"), "__consumer_offsets is Kafka's: {}", stdout(&out));
}

#[test]
fn a_consumer_may_name_its_group_with_group_id() {
    let dir = temp_dir("group-id");
    let file = dir.join("g.yaml");
    let text = "name: g\ntopics: [{ name: t, partitions: 2 }]\nproducers: [{ id: p, topic: t, count: 4, key: \"k-{n}\" }]\nconsumers:\n  - { id: c1, topics: [t], config: { group.id: readers, auto.offset.reset: earliest } }\n  - { id: c2, like: c1 }\nexpect:\n  - generation: { readers: \">= 1\" }\n  - lag: { readers: 0 }\nrun: 30s\n";
    std::fs::write(&file, text).expect("write");
    let out = kafkasim(&["run", file.to_str().expect("utf-8"), "-q"]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert!(stdout(&out).contains("group readers"), "{}", stdout(&out));
    std::fs::write(&file, text.replace("config: { group.id", "group: others, config: { group.id")).expect("write");
    let both = kafkasim(&["check", file.to_str().expect("utf-8")]);
    assert_eq!(both.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&both.stderr).contains("name two different groups"));
    let configs = stdout(&kafkasim(&["configs", "--scope", "consumer"]));
    assert!(configs.lines().any(|l| l.starts_with("group.id ")), "{configs}");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn new_points_editors_at_a_schema_beside_the_file() {
    let dir = temp_dir("new-schema");
    let out = kafkasim_in(&dir, &["new", "mine"]);
    assert_eq!(out.status.code(), Some(0));
    let text = std::fs::read_to_string(dir.join("mine.yaml")).expect("written");
    let first = text.lines().next().expect("a first line");
    let schema = first.strip_prefix("# yaml-language-server: $schema=").expect("points editors at a schema");
    let written = std::fs::read_to_string(dir.join(schema)).expect("the schema it names exists");
    assert_eq!(written, kafkasim::cli::schema_json() + "\n");
    assert!(stdout(&out).contains("kafkasim test mine.yaml --accept"), "says how to pin: {}", stdout(&out));
    let _ = std::fs::remove_dir_all(dir);
}

/// `kafkasim list` and the picker follow the book: chapter by chapter, the
/// course's first lesson first.
#[test]
fn list_follows_the_books_chapters() {
    let out = kafkasim(&["list", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let items = v.as_array().expect("array");
    assert_eq!(items[0]["name"], "producer-consumer");
    let chapters: Vec<u64> = items.iter().map(|i| i["chapter"].as_u64().unwrap_or(u64::MAX)).collect();
    assert!(chapters.windows(2).all(|w| w[0] <= w[1]), "{chapters:?}");
    let text = stdout(&kafkasim(&["list"]));
    assert!(text.starts_with("Chapter 2 · Records, topics and logs\n  producer-consumer "), "{text}");
}
