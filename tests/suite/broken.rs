//! Bad input gets a clear error, never a panic: each file in `tests/broken/`
//! is snapshotted with the error a student would see (file:line:column, the
//! offending line, and a fix).

use kafkasim::scenario::load_bytes;

use super::support;

#[test]
fn broken_scenarios_explain_themselves() {
    support::snapshot_settings().bind(|| {
        insta::glob!("../broken", "*.yaml", |path| {
            let bytes = std::fs::read(path).expect("readable");
            let error = match load_bytes(&support::relative(path), &bytes) {
                Ok(_) => panic!("{} should not load", support::relative(path)),
                Err(e) => e,
            };
            for problem in &error.problems {
                assert!(problem.help.is_some(), "{}: `{}` has no help", support::relative(path), problem.message);
            }
            insta::assert_snapshot!(error.render(false));
        });
    });
}

#[test]
fn arbitrary_bytes_never_panic() {
    // A cheap sweep: every prefix of a real scenario, and some garbage.
    let text = std::fs::read(support::repo_root().join("scenarios/producer-consumer.yaml")).expect("scenario");
    for end in 0..text.len() {
        let _ = load_bytes("prefix.yaml", &text[..end]);
    }
    for garbage in [&b"\x00\x01\x02"[..], b"{{{{", b"- - - -", b"name: [", b"\xff\xfe"] {
        let _ = load_bytes("garbage.yaml", garbage);
    }
}

#[test]
fn a_huge_file_is_refused_with_the_limit() {
    let mut text = String::from("name: huge\ntopics: [{ name: demo, partitions: 1 }]\n");
    while text.len() < 3 * 1024 * 1024 {
        text.push_str("# padding to make the file enormous, as a generated file might be\n");
    }
    let error = load_bytes("huge.yaml", text.as_bytes()).expect_err("over the size limit");
    let rendered = error.render(false);
    assert!(rendered.contains("limited to 1048576 bytes"), "says the limit: {rendered}");
}

mod arbitrary_input {
    //! Whatever a student types, the loader answers with a scenario or a
    //! located error with a fix — never a panic.

    use kafkasim::scenario::load_bytes;
    use proptest::prelude::*;

    /// Words a scenario uses, so generated mappings look like scenarios.
    const KEYS: &str = "name seed brokers controllers topics partitions replication_factor replicas producers \
        consumers id topic every count key value start group like timeline at kill restart cut heal say expect run \
        config acks linger.ms broker_config min.insync.replicas outcome lost limits max_events within happened \
        leader_change rebalance saw NOT_ENOUGH_REPLICAS group_exists client_state replicas_identical in_isr \
        replica_log_end_offset sent_to longest_run";

    fn keys() -> Vec<&'static str> {
        KEYS.split_whitespace().collect()
    }

    fn scalar() -> impl Strategy<Value = serde_json::Value> {
        prop_oneof![
            Just(serde_json::Value::Null),
            any::<bool>().prop_map(serde_json::Value::from),
            any::<i64>().prop_map(serde_json::Value::from),
            any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(serde_json::Value::from),
            prop_oneof![
                Just("1s".to_string()),
                Just("-3s".to_string()),
                Just("all".to_string()),
                Just("demo".to_string()),
                "[a-z0-9{}%. -]{0,12}",
            ]
            .prop_map(serde_json::Value::from),
        ]
    }

    fn yaml_shaped() -> impl Strategy<Value = serde_json::Value> {
        scalar().prop_recursive(4, 48, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..5).prop_map(serde_json::Value::from),
                prop::collection::vec((prop::sample::select(keys()), inner), 0..6).prop_map(|entries| {
                    serde_json::Value::Object(entries.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
                }),
            ]
        })
    }

    fn check(bytes: &[u8]) {
        if let Err(error) = load_bytes("generated.yaml", bytes) {
            assert!(!error.problems.is_empty());
            for problem in &error.problems {
                assert!(problem.help.is_some(), "`{}` has no help", problem.message);
            }
            let _ = error.render(false);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig {
            cases: 256,
            failure_persistence: None,
            ..ProptestConfig::default()
        })]

        #[test]
        fn any_text_loads_or_explains_itself(text in ".{0,400}") {
            check(text.as_bytes());
        }

        #[test]
        fn any_bytes_load_or_explain_themselves(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
            check(&bytes);
        }

        #[test]
        fn any_yaml_shaped_value_loads_or_explains_itself(value in yaml_shaped()) {
            let text = serde_saphyr::to_string(&value).expect("serialisable");
            check(text.as_bytes());
        }

        #[test]
        fn any_scenario_shaped_value_loads_or_explains_itself(
            value in prop::collection::vec((prop::sample::select(keys()), yaml_shaped()), 0..10)
        ) {
            let map: serde_json::Map<String, serde_json::Value> =
                value.into_iter().map(|(k, v)| (k.to_string(), v)).collect();
            let text = serde_saphyr::to_string(&serde_json::Value::Object(map)).expect("serialisable");
            check(text.as_bytes());
        }
    }
}
