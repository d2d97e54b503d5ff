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

/// A scenario with transactional producers has `__transaction_state`: the
/// explanation names the broker leading the id's partition.
#[test]
fn explain_coordinator_names_the_transaction_coordinator_of_a_scenario() {
    let v = json(&[
        "explain",
        "coordinator",
        "--transactional-id",
        "payments-app",
        "--scenario",
        "zombie-fencing",
        "--format",
        "json",
    ]);
    let replicas = v["replicas"].as_array().expect("replicas of __transaction_state-N");
    assert_eq!(replicas.len(), 3, "transaction.state.log.replication.factor 3");
    assert_eq!(v["coordinator"], replicas[0], "the preferred replica leads at the start");
    let out =
        kafkasim(&["explain", "coordinator", "--transactional-id", "payments-app", "--scenario", "zombie-fencing"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains(&format!("so broker {} is the id's transaction coordinator", replicas[0])), "{text}");
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

fn partition_json(args: &[&str]) -> serde_json::Value {
    let mut all = vec!["explain", "partition", "--format", "json"];
    all.extend_from_slice(args);
    json(&all)
}

/// The partition each of `keys` gets from one client's partitioner.
fn partitions_of(keys: &[&str], partitions: &str, client: &[&str]) -> Vec<u64> {
    keys.iter()
        .map(|key| {
            let mut args = vec!["--key", key, "--partitions", partitions];
            args.extend_from_slice(client);
            partition_json(&args)["partition"].as_u64().expect("a keyed record has a partition")
        })
        .collect()
}

#[test]
fn explain_partition_librdkafka_hashes_with_crc32() {
    // "123456789" is CRC-32's check input: 0xCBF43926 (zlib, rd_crc32).
    let v = partition_json(&["--key", "123456789", "--partitions", "7", "--client", "librdkafka"]);
    assert_eq!(v["client"], "librdkafka");
    assert_eq!(v["partitioner"], "consistent_random", "librdkafka's default");
    assert_eq!(v["crc32"], 0xCBF4_3926_u32);
    assert_eq!(v["partition"], 0xCBF4_3926_u32 % 7, "unsigned, no sign bit to clear");
    let text = stdout(&kafkasim(&[
        "explain",
        "partition",
        "--key",
        "123456789",
        "--partitions",
        "7",
        "--client",
        "librdkafka",
    ]));
    assert!(text.contains("crc32") && text.contains("--client java"), "{text}");
}

#[test]
fn explain_partition_the_same_keys_land_apart_with_java_and_librdkafka() {
    // kafka-reference §15 (librdkafka's 0048-partitioner and Kafka's
    // UtilsTest hash these keys): key1..key3 on 2 partitions.
    let keys = ["key1", "key2", "key3"];
    assert_eq!(partitions_of(&keys, "2", &[]), [0, 1, 1], "Java: murmur2");
    assert_eq!(partitions_of(&keys, "2", &["--client", "librdkafka"]), [0, 0, 0], "librdkafka: CRC-32");
    // The client-partitioners scenario's keys on 3 partitions.
    let keys = ["key-0", "key-1", "key-2"];
    let java = partitions_of(&keys, "3", &["--client", "java"]);
    assert_eq!(java, [1, 0, 2]);
    assert_eq!(partitions_of(&keys, "3", &["--client", "kafka-python"]), java, "kafka-python copies murmur2");
    assert_eq!(partitions_of(&keys, "3", &["--client", "librdkafka"]), [0, 2, 0]);
    let murmur = partitions_of(&keys, "3", &["--client", "librdkafka", "--partitioner", "murmur2_random"]);
    assert_eq!(murmur, java, "murmur2_random hashes as Java does");
}

#[test]
fn explain_partition_says_when_the_key_does_not_decide() {
    // librdkafka's random partitioner ignores keys; consistent_random sends
    // an empty key where a null one goes (rd_kafka_msg_partitioner_consistent_random).
    let random =
        partition_json(&["--key", "k", "--partitions", "3", "--client", "librdkafka", "--partitioner", "random"]);
    assert_eq!(random["partition"], serde_json::Value::Null);
    let empty = partition_json(&["--key", "", "--partitions", "3", "--client", "librdkafka"]);
    assert_eq!(empty["partition"], serde_json::Value::Null);
    let text = stdout(&kafkasim(&["explain", "partition", "--key", "", "--partitions", "3", "--client", "librdkafka"]));
    assert!(text.contains("no fixed partition") && text.contains("sticky.partitioning.linger.ms"), "{text}");
    // Java hashes an empty key like any other: only a null key is sticky.
    let java = partition_json(&["--key", "", "--partitions", "3"]);
    assert!(java["partition"].is_u64(), "{java}");
}

#[test]
fn explain_partition_refuses_a_librdkafka_partitioner_for_another_client() {
    let out = kafkasim(&[
        "explain",
        "partition",
        "--key",
        "k",
        "--partitions",
        "3",
        "--client",
        "java",
        "--partitioner",
        "murmur2",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--client librdkafka"), "{err}");
    let out = kafkasim(&["explain", "partition", "--key", "k", "--partitions", "3", "--client", "librdkafa"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("librdkafka"), "clap lists the clients: {err}");
}

/// A schema file in a temporary folder (removed when dropped).
struct TempSchema {
    dir: std::path::PathBuf,
}

impl TempSchema {
    fn new(name: &str, text: &str) -> (TempSchema, String) {
        let dir = std::env::temp_dir().join(format!("kafkasim-explain-{}-{name}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let path = dir.join(name);
        std::fs::write(&path, text).expect("write schema");
        (TempSchema { dir }, path.display().to_string())
    }
}

impl Drop for TempSchema {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn avro_json(schema: &str, value: &str, id: Option<&str>) -> serde_json::Value {
    let mut args = vec!["explain", "avro", "--schema", schema, "--format", "json"];
    let value_arg = format!("--value={value}");
    args.push(&value_arg);
    if let Some(id) = id {
        args.extend(["--schema-id", id]);
    }
    json(&args)
}

#[test]
fn explain_avro_writes_confluents_wire_format() {
    // orderid 42 → zig-zag 84 (0x54); "Item_1" → length 6 (0x0c) and its bytes; units 3 → 0x06.
    let v = avro_json("scenarios/schemas/order-v1.avsc", r#"{"orderid": 42, "item": "Item_1", "units": 3}"#, Some("1"));
    assert_eq!(v["body_hex"], "540c4974656d5f3106");
    assert_eq!(v["wire_hex"], "0000000001540c4974656d5f3106", "magic byte 0, ID 1 big-endian, the body");
    let no_id = avro_json("scenarios/schemas/order-v1.avsc", r#"{"orderid": 42, "item": "Item_1", "units": 3}"#, None);
    assert!(no_id.get("wire_hex").is_none(), "wire_hex only with --schema-id: {no_id}");
    let text = stdout(&kafkasim(&[
        "explain",
        "avro",
        "--schema",
        "scenarios/schemas/order-v1.avsc",
        "--value",
        r#"{"orderid": 42, "item": "Item_1", "units": 3}"#,
        "--schema-id",
        "1",
    ]));
    assert!(text.contains("zig-zag: 42 → 84"), "{text}");
    assert!(text.contains("length 6"), "{text}");
    assert!(text.contains("00 00 00 01  schema ID 1"), "{text}");
}

#[test]
fn explain_avro_reads_negative_numbers_unions_bytes_and_nulls() {
    let (_int_dir, int) = TempSchema::new("int.avsc", r#""int""#);
    assert_eq!(avro_json(&int, "-5", None)["body_hex"], "09", "zig-zag: -5 → 9");
    let (_u, union) = TempSchema::new("union.avsc", r#"["null", "string"]"#);
    assert_eq!(avro_json(&union, r#"{"string": "a"}"#, None)["body_hex"], "020261", "the specification's example");
    let nulls = avro_json(&union, "null", Some("3"));
    assert_eq!(nulls["body_hex"], "00");
    assert!(nulls["wire_hex"].is_null(), "a null value is a tombstone, no header: {nulls}");
    let (_b, bytes) = TempSchema::new("bytes.avsc", r#""bytes""#);
    let v = avro_json(&bytes, r#""\u0001\u00ff""#, Some("7"));
    assert_eq!(v["body_hex"], "0401ff", "Avro writes a length before bytes");
    assert_eq!(v["wire_hex"], "000000000701ff", "Confluent writes a top-level bytes value raw after the header");
}

#[test]
fn explain_avro_refuses_values_and_schemas_that_are_wrong() {
    let out = kafkasim(&[
        "explain",
        "avro",
        "--schema",
        "scenarios/schemas/order-v2.avsc",
        "--value",
        r#"{"orderid": 1, "item": "x", "units": 1, "email": "a@b.c"}"#,
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("email") && err.contains(r#"{"string": ...}"#), "{err}");
    let (_d, bad) = TempSchema::new(
        "bad.avsc",
        "{\"type\": \"record\", \"name\": \"R\", \"fields\": [\n  {\"name\": \"a\", \"type\": \"strng\"}\n]}",
    );
    let out = kafkasim(&["explain", "avro", "--schema", &bad, "--value", "{}"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("bad.avsc:2:25"), "file:line:column: {err}");
    assert!(err.contains("did you mean `string`?"), "{err}");
}

#[test]
fn explain_compat_answers_as_the_registry_would() {
    let compat = |level: &str| {
        json(&[
            "explain",
            "compat",
            "--old",
            "scenarios/schemas/order-v2.avsc",
            "--new",
            "scenarios/schemas/order-v3.avsc",
            "--level",
            level,
            "--format",
            "json",
        ])
    };
    // A field added without a default: new readers cannot read old data.
    let backward = compat("BACKWARD");
    assert_eq!(backward["compatible"], false);
    let first = backward["messages"][0].as_str().expect("a message");
    assert!(first.contains("READER_FIELD_MISSING_DEFAULT_VALUE") && first.contains("'currency'"), "{first}");
    assert!(first.contains("/fields/4"), "{first}");
    assert_eq!(compat("FORWARD")["compatible"], true, "old readers skip the new field");
    assert_eq!(compat("full")["compatible"], false);
    assert_eq!(compat("NONE"), serde_json::json!({"compatible": true, "messages": []}));
    let added_with_default = json(&[
        "explain",
        "compat",
        "--old",
        "scenarios/schemas/order-v1.avsc",
        "--new",
        "scenarios/schemas/order-v2.avsc",
        "--level",
        "FULL_TRANSITIVE",
        "--format",
        "json",
    ]);
    assert_eq!(added_with_default["compatible"], true);
    let text = stdout(&kafkasim(&[
        "explain",
        "compat",
        "--old",
        "scenarios/schemas/order-v2.avsc",
        "--new",
        "scenarios/schemas/order-v3.avsc",
    ]));
    assert!(text.contains("✗ currency"), "{text}");
    assert!(text.contains("409"), "{text}");
}

#[test]
fn explain_topology_prints_kafkas_describe_then_internal_topics_and_tasks() {
    let text = stdout(&kafkasim(&["explain", "topology", "tests/streams/ride-counts.yaml"]));
    assert!(
        text.starts_with("Topologies:\n   Sub-topology: 0\n    Source: KSTREAM-SOURCE-0000000000 (topics: [rides])\n"),
        "{text}"
    );
    assert!(text.contains("ride-counter-rides-per-city-repartition  (repartition, 4 partitions)"), "{text}");
    assert!(text.contains("Tasks: 0_0 0_1 0_2 0_3 1_0 1_1 1_2 1_3"), "{text}");
}

#[test]
fn explain_topology_shows_kafkas_co_partitioning_refusal() {
    let text = stdout(&kafkasim(&["explain", "topology", "tests/streams/orders-join.yaml"]));
    assert!(text.contains("Topics not co-partitioned: [{customers=2, orders=3}]"), "{text}");
    let out = kafkasim(&["explain", "topology", "tests/streams/orders-join.yaml", "--app", "nope"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("order-enricher"), "names the applications there are");
}

#[test]
fn graph_draws_a_topology_as_dot() {
    let dot =
        stdout(&kafkasim(&["graph", "tests/streams/ride-counts.yaml", "--app", "ride-counter", "--format", "dot"]));
    assert!(dot.starts_with("digraph \"ride-counter\" {"), "{dot}");
    assert!(dot.contains("subgraph cluster_1") && dot.contains("\"store:rides-per-city\" [shape=cylinder]"), "{dot}");
}

#[test]
fn a_streams_application_with_a_join_is_not_run_yet() {
    let out = kafkasim(&["run", "tests/streams/orders-join.yaml"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("is a join"), "says why: {stderr}");
    assert!(stderr.contains("explain topology"), "points at what works: {stderr}");
}

#[test]
fn a_streams_application_without_joins_runs() {
    let out = kafkasim(&["run", "-q", "tests/streams/ride-counts.yaml"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
}
