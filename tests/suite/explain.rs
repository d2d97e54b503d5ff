//! `kafkasim explain`: Kafka's algorithms on given input, checked against
//! results from Kafka's own tests and code.

use super::support::{kafkasim, stdout};

fn json(args: &[&str]) -> serde_json::Value {
    let out = kafkasim(args);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("JSON")
}

/// `[["t1", 0], ...]` as `["t1-0", ...]`.
fn partitions(v: &serde_json::Value) -> Vec<String> {
    v.as_array()
        .expect("a list")
        .iter()
        .map(|p| format!("{}-{}", p[0].as_str().expect("topic"), p[1].as_u64().expect("partition")))
        .collect()
}

fn assign(args: &[&str]) -> serde_json::Value {
    let mut all = vec!["explain", "assign", "--format", "json"];
    all.extend_from_slice(args);
    json(&all)["assignment"].clone()
}

#[test]
fn explain_partition_matches_kafkas_murmur2() {
    let out = kafkasim(&["explain", "partition", "--key", "foobar", "--partitions", "6", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(v["murmur2"], -790_332_482, "UtilsTest vector");
    assert_eq!(v["key_hex"], "666f6f626172");
    // (-790332482 & 0x7fffffff) % 6 = 1357151166 % 6
    assert_eq!(v["partition"], 1_357_151_166 % 6);
    let hex = kafkasim(&["explain", "partition", "--key-hex", "666f6f626172", "--partitions", "6", "--format", "json"]);
    assert_eq!(out.stdout, hex.stdout, "--key-hex reads the same bytes");
    let text = stdout(&kafkasim(&["explain", "partition", "--key", "user-42", "--partitions", "6"]));
    assert!(text.contains("& 0x7fffffff") && text.contains("→ partition"));
}

#[test]
fn explain_assign_range_splits_each_topic_on_its_own() {
    // RangeAssignorTest.testTwoConsumersTwoTopicsSixPartitions.
    let a = assign(&["--topic", "t1:3", "--topic", "t2:3", "--member", "C0", "--member", "C1"]);
    assert_eq!(partitions(&a["C0"]), ["t1-0", "t1-1", "t2-0", "t2-1"]);
    assert_eq!(partitions(&a["C1"]), ["t1-2", "t2-2"]);
}

#[test]
fn explain_assign_roundrobin_deals_partitions_in_turn() {
    // RoundRobinAssignorTest.testTwoConsumersTwoTopicsSixPartitions.
    let a =
        assign(&["--strategy", "roundrobin", "--topic", "t1:3", "--topic", "t2:3", "--member", "C0", "--member", "C1"]);
    assert_eq!(partitions(&a["C0"]), ["t1-0", "t1-2", "t2-1"]);
    assert_eq!(partitions(&a["C1"]), ["t1-1", "t2-0", "t2-2"]);
}

#[test]
fn explain_assign_lists_idle_members_and_ignores_missing_topics() {
    // RangeAssignorTest.testOneConsumerNonexistentTopic, with a second member.
    let a = assign(&["--topic", "t1:1", "--member", "C0=t1,missing", "--member", "C1=missing"]);
    assert_eq!(partitions(&a["C0"]), ["t1-0"]);
    assert_eq!(partitions(&a["C1"]), Vec::<String>::new(), "present, with nothing");
}

#[test]
fn explain_assign_puts_static_members_first() {
    // MemberInfo order: static members by group.instance.id, before dynamic ones by id.
    let a = assign(&["--topic", "t:3", "--member", "zz", "--member", "aa", "--instance-id", "zz=a"]);
    assert_eq!(partitions(&a["zz"]), ["t-0", "t-1"]);
    assert_eq!(partitions(&a["aa"]), ["t-2"]);
}

#[test]
fn explain_assign_cooperative_sticky_withholds_what_moves() {
    let args = [
        "--strategy",
        "cooperative-sticky",
        "--topic",
        "t:4",
        "--member",
        "c1",
        "--member",
        "c2",
        "--member",
        "c3",
        "--owned",
        "c1=t-0,t-1",
        "--owned",
        "c2=t-2,t-3",
        "--generation",
        "c1=1",
        "--generation",
        "c2=1",
    ];
    let a = assign(&args);
    assert_eq!(partitions(&a["c1"]), ["t-0", "t-1"], "keeps what it owns");
    assert_eq!(partitions(&a["c2"]), ["t-2"], "revokes t-3 first");
    assert_eq!(partitions(&a["c3"]), Vec::<String>::new(), "gets t-3 only in the follow-up rebalance");
    let mut text_args = vec!["explain", "assign"];
    text_args.extend_from_slice(&args);
    let text = stdout(&kafkasim(&text_args));
    assert!(text.contains("t-3 → c3"), "{text}");
    assert!(text.contains("c2 kept [t-2]"), "{text}");
}

#[test]
fn explain_assign_rejects_bad_input_with_a_fix() {
    for (args, says) in [
        (vec!["--topic", "t", "--member", "a"], "NAME:PARTITIONS"),
        (vec!["--topic", "t:2", "--member", "a", "--owned", "b=t-0"], "not a --member"),
        (vec!["--topic", "t:2", "--member", "a", "--member", "a"], "given twice"),
        (vec!["--topic", "t:2", "--member", "a", "--strategy", "fair"], "unknown assignor"),
        (vec!["--topic", "t:2", "--member", "a", "--generation", "a=-3"], "negative"),
    ] {
        let mut all = vec!["explain", "assign"];
        all.extend_from_slice(&args);
        let out = kafkasim(&all);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(says), "{args:?}: {err}");
    }
}

#[test]
fn explain_coordinator_hashes_like_java() {
    let v = json(&["explain", "coordinator", "--group", "my-group", "--format", "json"]);
    assert_eq!(v["hash"], -1_906_497_762, "\"my-group\".hashCode()");
    assert_eq!(v["partition"], 12);
    let v = json(&["explain", "coordinator", "--group", "g1", "--partitions", "10", "--format", "json"]);
    assert_eq!(v["partition"], 3242 % 10);
}

/// A transactional id hashes to `__transaction_state` as a group id does to
/// `__consumer_offsets` (TransactionStateManager.partitionFor).
#[test]
fn explain_coordinator_of_a_transactional_id() {
    let v = json(&["explain", "coordinator", "--transactional-id", "my-txn", "--format", "json"]);
    assert_eq!(v["hash"], -1_061_187_895, "\"my-txn\".hashCode()");
    assert_eq!(v["partition"], 45);
    let v =
        json(&["explain", "coordinator", "--transactional-id", "my-group", "--partitions", "10", "--format", "json"]);
    assert_eq!(v["partition"], 1_906_497_762 % 10);
    let out = kafkasim(&["explain", "coordinator", "--transactional-id", "my-txn"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("__transaction_state-45"), "{text}");
    assert!(text.contains("transaction.state.log.num.partitions"), "{text}");
    let out = kafkasim(&["explain", "coordinator"]);
    assert_eq!(out.status.code(), Some(2), "a group or a transactional id is required");
}

/// With a scenario, the partition count is the scenario's
/// `transaction.state.log.num.partitions`.
#[test]
fn explain_coordinator_of_a_transactional_id_reads_the_scenario_partition_count() {
    let dir = std::env::temp_dir().join(format!("kafkasim-txn-partitions-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let file = dir.join("ten.yaml");
    std::fs::write(
        &file,
        "name: ten\nbroker_config:\n  transaction.state.log.num.partitions: 10\n\
         topics: [{ name: demo, partitions: 1 }]\nproducers: [{ id: p, topic: demo, count: 1 }]\n",
    )
    .expect("write scenario");
    let path = file.to_str().expect("utf-8 path");
    let v = json(&["explain", "coordinator", "--transactional-id", "my-txn", "--scenario", path, "--format", "json"]);
    assert_eq!(v["partition"], 1_061_187_895 % 10, "abs(hash) % 10, not % 50");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn explain_coordinator_names_the_broker_of_a_scenario() {
    let v = json(&["explain", "coordinator", "--group", "g1", "--scenario", "consumer-resumes", "--format", "json"]);
    assert_eq!(v["partition"], 42);
    let replicas = v["replicas"].as_array().expect("replicas");
    assert_eq!(v["coordinator"], replicas[0], "the preferred replica leads at the start");
    let out = kafkasim(&["explain", "coordinator", "--group", "g1", "--scenario", "broker-death"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no consumer groups"));
}
