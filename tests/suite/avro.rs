//! Avro and the Schema Registry in running scenarios, beyond the course's
//! four: Avro keys, serializer settings, values that do not conform, a
//! registry cut off the network. Each runs a small scenario and checks what
//! Confluent's clients would do.

use kafkasim::scenario::load_str;

use super::support;

/// Runs scenario text and returns the outcome report, failing on any failed expectation.
fn run(name: &str, text: &str) -> String {
    let scenario = load_str(name, text).unwrap_or_else(|e| panic!("{name} does not load:\n{e}"));
    let (outcome, _, _) = support::run(scenario, None);
    let report = outcome.render();
    assert!(outcome.passed, "{name}: expectations fail:\n{report}");
    report
}

#[test]
fn keys_can_be_avro_too() {
    // The key is a string in Avro's JSON encoding; its subject is `<topic>-key`.
    run(
        "avro-keys",
        r#"
name: avro keys
schema_registry: {}
topics: [{ name: users, partitions: 3 }]
producers:
  - id: app
    topic: users
    key: '"user-{n%3}"'
    key_schema: { type: string }
    value: "plain {n}"
    count: 12
consumers:
  - id: reader
    topics: [users]
    key_format: avro
    config: { auto.offset.reset: earliest }
expect:
  - subject_versions: { users-key: 1 }
    registry_calls: { app: 1, reader: 1 }
    received: { reader: 12 }
    deserialization_failures: { reader: 0 }
    outcome: { acknowledged: 12, reordered: 0 }
run: 20s
"#,
    );
}

#[test]
fn a_value_that_does_not_conform_is_not_sent() {
    // Every third value lacks `units`: send() throws, the record is never sent.
    let report = run(
        "not-conforming",
        r#"
name: not conforming
schema_registry: {}
topics: [{ name: orders, partitions: 1 }]
producers:
  - id: app
    topic: orders
    value_schema: schemas/order-v1.avsc
    value: '{"orderid": {n}, "item": "Item_{n%3}", "units": {n}}'
    count: 5
  - id: sloppy
    topic: orders
    value_schema: schemas/order-v1.avsc
    value: '{"orderid": {n}, "item": "Item_{n%3}"}'
    count: 5
expect:
  - outcome_of: { app: { acknowledged: 5 }, sloppy: { produced: 5, failed: 5, acknowledged: 0 } }
    registry_calls: { sloppy: 0 }
run: 20s
"#,
    );
    assert!(report.contains("sloppy"), "{report}");
}

#[test]
fn without_auto_registration_an_unknown_schema_fails_the_lookup() {
    // auto.register.schemas=false looks the schema up (POST /subjects/orders-value): 40401.
    run(
        "lookup",
        r#"
name: lookup only
schema_registry: {}
topics: [{ name: orders, partitions: 1 }]
producers:
  - id: app
    topic: orders
    value_schema: schemas/order-v1.avsc
    value: '{"orderid": {n}, "item": "x", "units": 1}'
    count: 3
    config: { auto.register.schemas: false }
  - id: registrar
    topic: orders
    start: 10s
    value_schema: schemas/order-v1.avsc
    value: '{"orderid": {n}, "item": "x", "units": 1}'
    count: 1
  - id: late
    topic: orders
    start: 15s
    value_schema: schemas/order-v1.avsc
    value: '{"orderid": {n}, "item": "x", "units": 1}'
    count: 2
    config: { auto.register.schemas: false }
expect:
  - outcome_of: { app: { failed: 3 }, registrar: { acknowledged: 1 }, late: { acknowledged: 2 } }
    registry_calls: { app: 3, late: 1 }
    subject_versions: { orders-value: 1 }
run: 25s
"#,
    );
}

#[test]
fn use_latest_version_writes_with_the_subjects_latest_schema() {
    // The registrar registers v2; `app` writes v1 objects with the latest
    // (v2) schema: v2 can read v1 (email defaults to null), so it may.
    run(
        "use-latest",
        r#"
name: use latest
schema_registry: {}
topics: [{ name: orders, partitions: 1 }]
producers:
  - id: registrar
    topic: orders
    value_schema: schemas/order-v2.avsc
    value: '{"orderid": {n}, "item": "x", "units": 1, "email": null}'
    count: 1
  - id: app
    topic: orders
    start: 2s
    value_schema: schemas/order-v1.avsc
    value: '{"orderid": {n}, "item": "x", "units": 1}'
    count: 3
    config: { auto.register.schemas: false, use.latest.version: true }
consumers:
  - id: reader
    topics: [orders]
    value_format: avro
    config: { auto.offset.reset: earliest }
expect:
  - outcome_of: { app: { acknowledged: 3 } }
    subject_versions: { orders-value: 1 }
    registry_calls: { app: 1, reader: 1 }
    received: { reader: 4 }
run: 20s
"#,
    );
}

#[test]
fn a_registry_cut_off_times_out_instead_of_refusing() {
    // Cut off, the registry does not refuse connections: each attempt waits
    // http.read.timeout.ms (60 s). A cached producer carries on.
    let text = r#"
name: cut off
schema_registry: {}
topics: [{ name: orders, partitions: 1 }]
producers:
  - id: app
    topic: orders
    value_schema: schemas/order-v1.avsc
    value: '{"orderid": {n}, "item": "x", "units": 1}'
    every: 1s
    count: 100
  - id: newcomer
    topic: orders
    start: 10s
    value_schema: schemas/order-v2.avsc
    value: '{"orderid": {n}, "item": "y", "units": 2, "email": null}'
    count: 1
timeline:
  - at: 5s
    cut: [[schema-registry], [1, app, newcomer]]
expect:
  - at: 69s
    outcome_of: { newcomer: { failed: 0, acknowledged: 0 }, app: { failed: 0 } }
  - at: 95s
    outcome_of: { app: { acknowledged: ">= 90" } }
    registry_calls: { newcomer: 1 }
run: 100s
"#;
    run("cut-off", text);
}
