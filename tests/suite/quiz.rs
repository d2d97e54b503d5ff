//! Predict, then check: questions (`ask:`) answered by the run in `kafkasim
//! run`, its JSON, `kafkasim quiz` with answers piped in, and answers that
//! follow the seed; `kafkasim copy` and the note a changed copy's failure gets.

use std::io::Write;
use std::process::{Command, Stdio};

use kafkasim::quiz::{Right, run_answering};
use kafkasim::trace::sink::NullSink;
use kafkasim::world::{BuildOptions, World};

use super::support::{self, kafkasim, stdout};

/// Runs `kafkasim ARGS` with `input` on its stdin.
fn with_input(args: &[&str], input: &str) -> String {
    let mut child = Command::new(env!("CARGO_BIN_EXE_kafkasim"))
        .args(args)
        .current_dir(support::repo_root())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    child.stdin.take().expect("stdin").write_all(input.as_bytes()).expect("input written");
    let out = child.wait_with_output().expect("the binary ends");
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    stdout(&out)
}

/// The answer of the question of `who-sits-idle` about `group`, with `seed`.
fn idle_answer(seed: u64, question: usize) -> Right {
    let scenario = support::load(&support::repo_root().join("scenarios/who-sits-idle.yaml"));
    let mut world = World::new(scenario, BuildOptions { seed: Some(seed), check_invariants: false });
    let script = run_answering(&mut world, &mut NullSink).expect("the run ends");
    script.answer_of(question).expect("answered").right.clone()
}

#[test]
fn run_prints_each_question_before_its_answer() {
    let text = stdout(&kafkasim(&["run", "who-sits-idle"]));
    let asked = text.find("? Which consumer of helpdesk will own no partition at 8.000s?").expect("asked");
    let choices = text.find("a) first   b) second   c) third   d) nobody").expect("choices shown");
    let answered =
        text.find("= Which consumer of helpdesk will own no partition at 8.000s? → first").expect("answered");
    let assigned = text.find("first is assigned nothing").expect("the assignment is narrated");
    assert!(asked < choices && choices < assigned && assigned < answered, "{text}");
    assert!(
        text.contains("because at 8.000s, helpdesk: first owns nothing; second owns tickets-1; third owns tickets-0")
    );
    assert!(text.contains("questions, answered by this run:"), "the outcome lists them");
}

#[test]
fn json_carries_questions_and_answers() {
    let out = kafkasim(&["run", "who-sits-idle", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(v["answers"][0]["right"]["choices"][0], "first");
    assert_eq!(v["answers"][1]["right"]["choices"][0], "charlie");
    assert_eq!(v["answers"][2]["right"]["choices"][0], "red");
    let lines = stdout(&kafkasim(&["run", "who-sits-idle", "--format", "jsonl"]));
    let events: Vec<serde_json::Value> = lines.lines().map(|l| serde_json::from_str(l).expect("a JSON line")).collect();
    let question = events.iter().position(|e| e["event"] == "question").expect("a question line");
    let answer = events.iter().position(|e| e["event"] == "answer").expect("an answer line");
    assert!(question < answer);
    assert_eq!(events[question]["choices"], serde_json::json!(["first", "second", "third", "nobody"]));
}

/// Member ids take a random UUID from the seed: who sits idle in a group of
/// default client.ids changes with it, while a group ordered by client.id
/// does not.
#[test]
fn answers_follow_the_seed_where_the_model_decides() {
    let helpdesk: Vec<Right> = (1..=6).map(|seed| idle_answer(seed, 0)).collect();
    assert!(helpdesk.iter().any(|r| *r != helpdesk[0]), "the idle helpdesk member varies: {helpdesk:?}");
    for seed in 1..=6 {
        assert_eq!(idle_answer(seed, 1), Right::Choices(vec!["charlie".to_string()]), "billing sorts by client.id");
    }
}

#[test]
fn the_quiz_scores_replies_against_the_runs_answers() {
    let args = ["quiz", "consumer-groups", "--seed", "11", "--questions", "3"];
    let first = with_input(&args, "a\na\na\n");
    assert!(first.starts_with("quiz seed 11: 3 question(s)"), "{first}");
    // The right answers, as the quiz explained them.
    let rights: Vec<String> = first
        .lines()
        .filter_map(|l| l.split_once("; the run says ").map(|(_, r)| r.split(" or ").next().unwrap_or(r).to_string()))
        .collect();
    assert_eq!(rights.len(), 3, "{first}");
    let second = with_input(&args, &(rights.join("\n") + "\n"));
    assert!(second.contains("score: 3 of 3"), "{second}");
    assert_eq!(second.matches("✓ right").count(), 3, "{second}");
    // Nonsense is asked again; the end of the input stops the quiz.
    let stopped = with_input(&args, "zzz\n");
    assert!(stopped.contains("type "), "{stopped}");
    assert!(stopped.contains("score: 0 of 0"), "{stopped}");
}

#[test]
fn copy_writes_a_builtin_whose_changed_expectations_explain_their_failure() {
    let dir = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("quiz-copy");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a temporary folder");
    let file = dir.join("mine.yaml");
    let out = kafkasim(&["copy", "who-sits-idle", file.to_str().expect("utf-8 path")]);
    assert_eq!(out.status.code(), Some(0));
    let text = std::fs::read_to_string(&file).expect("written");
    assert!(text.starts_with("# yaml-language-server"), "the schema line stays first");
    assert!(text.contains("# A copy of the built-in scenario `who-sits-idle`"));
    assert_eq!(kafkasim(&["run", "-q", file.to_str().unwrap()]).status.code(), Some(0), "the copy runs as is");
    // An expectation the run no longer meets, as after a change to the scenario.
    std::fs::write(&file, text.replace("      first: []\n", "      first: [tickets-0]\n")).expect("changed");
    let failed = kafkasim(&["run", "-q", file.to_str().unwrap()]);
    assert_eq!(failed.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&failed.stderr);
    assert!(stderr.contains("copy of the built-in `who-sits-idle`") && stderr.contains("fail on purpose"), "{stderr}");
    let again = kafkasim(&["copy", "who-sits-idle", file.to_str().unwrap()]);
    assert_eq!(again.status.code(), Some(2), "an existing file is kept without --force");
}

/// The answers of a built-in scenario, changed by `edit` before it runs.
fn answers_of_changed(name: &str, edit: impl Fn(String) -> String) -> Vec<Right> {
    let path = support::repo_root().join(format!("scenarios/{name}.yaml"));
    let text = edit(std::fs::read_to_string(&path).expect("readable scenario"));
    let scenario = kafkasim::scenario::load_str(&support::relative(&path), &text).expect("the changed scenario loads");
    let mut world = World::new(scenario, BuildOptions { seed: None, check_invariants: false });
    let script = run_answering(&mut world, &mut NullSink).expect("the run ends");
    (0..world.scenario.questions.len()).map(|i| script.answer_of(i).expect("answered").right.clone()).collect()
}

fn choice(text: &str) -> Right {
    Right::Choices(vec![text.to_string()])
}

/// `active_controller` reads the quorum: the second kill leaves one of
/// three, and no controller leads; without it controller-2 still does.
#[test]
fn the_active_controller_is_read_from_the_quorum() {
    let unchanged = answers_of_changed("controller-failover", |t| t);
    assert_eq!(unchanged, vec![choice("controller-2"), choice("none (no quorum)")]);
    let spared = answers_of_changed("controller-failover", |t| t.replace("kill: controller-2", "kill: 3"));
    assert_eq!(spared, vec![choice("controller-2"), choice("controller-2")]);
}

/// `out_of_sync` reads the ISR: a slow link drops broker 3 from it, a
/// full-speed link keeps every replica in sync.
#[test]
fn the_replica_out_of_sync_is_read_from_the_isr() {
    assert_eq!(answers_of_changed("slow-follower-link", |t| t), vec![choice("3")]);
    let fast = answers_of_changed("slow-follower-link", |t| t.replace("bandwidth: 50KB/s", "bandwidth: 50MB/s"));
    assert_eq!(fast, vec![choice("none (all in sync)")]);
}

/// `registry_calls` counts a deserializer's calls: the first record's schema
/// id is fetched once, then every record is decoded from the cache.
#[test]
fn registry_calls_count_the_schemas_a_client_fetched() {
    let calls = |name: &str| {
        let scenario = support::load(&support::repo_root().join(format!("scenarios/{name}.yaml")));
        let mut world = World::new(scenario, BuildOptions { seed: None, check_invariants: false });
        let script = run_answering(&mut world, &mut NullSink).expect("the run ends");
        script.answer_of(0).expect("answered").right.clone()
    };
    assert_eq!(calls("avro-orders"), Right::Number(1));
}
