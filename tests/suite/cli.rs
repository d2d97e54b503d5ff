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
    assert!(text.contains("TOPIC   PARTITION  LEADER"), "partition table");
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
