//! Topics: names, partition counts, replication factors and configs.

use super::Resolver;
use super::configs;
// Kafka's `Topic.hasCollision`: the controller's own rule (`a.b` and `a_b`
// would share their metric names).
use crate::cluster::topic_name::collides;
use crate::config::BrokerConfig;
use crate::ids::BrokerId;
use crate::scenario::file::TopicSpec;
use crate::scenario::{MAX_PARTITIONS, TopicDef};

/// Kafka's topic name rule: letters, digits, `.`, `_`, `-`; at most 249 characters.
fn topic_name_problem(name: &str) -> Option<String> {
    if name.is_empty() {
        Some("a topic name cannot be empty".to_string())
    } else if name == "." || name == ".." {
        Some("`.` and `..` are not allowed as topic names".to_string())
    } else if name.len() > 249 {
        Some(format!("the name is {} characters; Kafka allows at most 249", name.len()))
    } else if let Some(c) = name.chars().find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))) {
        Some(format!("`{c}` is not allowed in a topic name: use letters, digits, `.`, `_` and `-`"))
    } else if name.starts_with("__") {
        Some("names starting with `__` are reserved for Kafka's internal topics".to_string())
    } else {
        None
    }
}

pub(crate) fn resolve_topics(
    r: &mut Resolver<'_>,
    specs: &[TopicSpec],
    brokers: u32,
    broker_config: &BrokerConfig,
) -> Vec<TopicDef> {
    let mut topics: Vec<TopicDef> = Vec::new();
    for spec in specs {
        let name = spec.name.value.clone();
        if let Some(problem) = topic_name_problem(&name) {
            r.error(&spec.name, problem, Some("rename the topic, e.g. `orders` or `demo_1`".to_string()));
        }
        if topics.iter().any(|t| t.name == name) {
            r.error(
                &spec.name,
                format!("topic `{name}` is defined twice"),
                Some("topic names must be unique".to_string()),
            );
        } else if let Some(other) = topics.iter().find(|t| collides(&t.name, &name)) {
            r.error(
                &spec.name,
                format!("INVALID_TOPIC_EXCEPTION: Topic '{name}' collides with existing topic: {}", other.name),
                Some(
                    "Kafka's metric names turn `.` into `_`, so it refuses two topics that differ only there; rename one"
                        .to_string(),
                ),
            );
        }
        let partitions = spec.partitions.value;
        if partitions == 0 || partitions > MAX_PARTITIONS {
            r.error(
                &spec.partitions,
                format!("{partitions} partitions is out of range"),
                Some(format!("a topic has between 1 and {MAX_PARTITIONS} partitions")),
            );
        }
        let replicas = spec.replicas.as_ref().map(|lists| {
            let mut resolved = Vec::new();
            for (partition, list) in lists.value.iter().enumerate() {
                if list.value.is_empty() {
                    r.error(
                        list,
                        format!("partition {partition} has no replicas"),
                        Some("list at least one broker for every partition, like `[1, 2]`".to_string()),
                    );
                }
                let mut ids: Vec<BrokerId> = Vec::new();
                for b in &list.value {
                    if b.value == 0 || b.value > brokers {
                        r.error(
                            b,
                            format!("broker {} does not exist", b.value),
                            Some(format!("this scenario has brokers 1 to {brokers}")),
                        );
                    } else if ids.contains(&BrokerId(b.value as i32)) {
                        r.error(
                            b,
                            format!("partition {partition}'s replica list names broker {} twice", b.value),
                            Some("each replica must be on a different broker".to_string()),
                        );
                    }
                    ids.push(BrokerId(b.value.min(i32::MAX as u32) as i32));
                }
                resolved.push(ids);
            }
            if resolved.len() != partitions as usize {
                r.error(
                    lists,
                    format!("{} replica lists for {partitions} partitions", resolved.len()),
                    Some("give exactly one replica list per partition".to_string()),
                );
            }
            if resolved.windows(2).any(|w| w[0].len() != w[1].len()) {
                r.error(
                    lists,
                    "replica lists of different lengths",
                    Some("every partition of a topic has the same replication factor".to_string()),
                );
            }
            resolved
        });
        let replication_factor = match (&spec.replication_factor, &replicas) {
            (Some(rf), _) => rf.value,
            (None, Some(lists)) => lists.first().map_or(1, |l| l.len() as u32),
            (None, None) => 1,
        };
        if let Some(rf) = &spec.replication_factor {
            if rf.value == 0 {
                r.error(rf, "replication factor 0", Some("every partition needs at least one replica".to_string()));
            } else if rf.value > brokers {
                r.error(
                    rf,
                    format!("replication factor {} is larger than the number of brokers ({brokers})", rf.value),
                    Some(format!(
                        "Kafka puts each replica on a different broker: use at most {brokers}, or add brokers with `brokers: {}`",
                        rf.value
                    )),
                );
            }
            if let Some(lists) = &replicas
                && lists.first().is_some_and(|l| l.len() as u32 != rf.value)
            {
                r.error(
                    rf,
                    "replication_factor disagrees with the replica lists",
                    Some("leave replication_factor out when giving replicas".to_string()),
                );
            }
        }
        let mut config = broker_config.topic_defaults;
        if let Some(map) = &spec.config {
            configs::apply(r, map, &mut config);
        }
        topics.push(TopicDef {
            name,
            partitions: partitions.clamp(1, MAX_PARTITIONS),
            replication_factor: replication_factor.clamp(1, brokers.max(1)),
            replicas,
            config,
            internal: false,
        });
    }
    topics
}

/// `__consumer_offsets`, as Kafka creates it on first use by a group:
/// `offsets.topic.num.partitions` partitions, replication factor
/// `offsets.topic.replication.factor` (capped at the broker count), 100 MiB segments.
pub(crate) fn offsets_topic(brokers: u32, broker_config: &BrokerConfig) -> TopicDef {
    // Kafka creates it compacted, whatever the topic defaults say.
    let mut config = broker_config.topic_defaults;
    config.segment_bytes = broker_config.offsets_topic_segment_bytes;
    config.cleanup_policy = crate::config::topic::CleanupPolicy { delete: false, compact: true };
    TopicDef {
        name: crate::scenario::OFFSETS_TOPIC.to_string(),
        partitions: broker_config.offsets_topic_num_partitions,
        replication_factor: broker_config.offsets_topic_replication_factor.min(brokers).max(1),
        replicas: None,
        config,
        internal: true,
    }
}

/// `__transaction_state`, as the first transaction coordinator creates it
/// (`TransactionStateManager.transactionTopicConfigs`):
/// `transaction.state.log.num.partitions` partitions, replication factor
/// `transaction.state.log.replication.factor` (capped at the broker count),
/// `min.insync.replicas` `transaction.state.log.min.isr` (capped at the
/// replication factor, so a one-broker lesson can still commit), compacted,
/// `transaction.state.log.segment.bytes` segments, unclean election off.
///
/// Simplification: with fewer brokers than
/// `transaction.state.log.replication.factor` Kafka refuses to create
/// `__transaction_state` (and every transaction fails with
/// COORDINATOR_NOT_AVAILABLE); kafkasim caps the replication factor and
/// `min.insync.replicas` at the broker count instead, so a one-broker
/// lesson can run transactions.
pub(crate) fn transaction_state_topic(brokers: u32, broker_config: &BrokerConfig) -> TopicDef {
    let replication_factor = broker_config.transaction_state_log_replication_factor.min(brokers).max(1);
    let mut config = broker_config.topic_defaults;
    config.segment_bytes = broker_config.transaction_state_log_segment_bytes;
    config.cleanup_policy = crate::config::topic::CleanupPolicy { delete: false, compact: true };
    config.min_insync_replicas = broker_config.transaction_state_log_min_isr.min(replication_factor);
    config.unclean_leader_election_enable = false;
    TopicDef {
        name: crate::txn::coordinator_partition::TRANSACTION_STATE_TOPIC.to_string(),
        partitions: broker_config.transaction_state_log_num_partitions,
        replication_factor,
        replicas: None,
        config,
        internal: true,
    }
}

#[cfg(test)]
mod tests {
    use super::collides;

    /// `__transaction_state` takes Kafka's defaults (TransactionLogConfig:
    /// 50 partitions, RF 3, min ISR 2) from the broker config, and a small
    /// cluster caps the replication factor and min ISR.
    #[test]
    fn the_transaction_state_topic_follows_the_broker_config() {
        let config = crate::config::BrokerConfig::default();
        let topic = super::transaction_state_topic(3, &config);
        assert_eq!(topic.name, "__transaction_state");
        assert_eq!((topic.partitions, topic.replication_factor, topic.config.min_insync_replicas), (50, 3, 2));
        assert!(topic.config.cleanup_policy.compact && !topic.config.cleanup_policy.delete);
        assert!(topic.internal);
        let small = super::transaction_state_topic(1, &config);
        assert_eq!((small.replication_factor, small.config.min_insync_replicas), (1, 1));
        let custom = crate::config::BrokerConfig { transaction_state_log_num_partitions: 5, ..config };
        assert_eq!(super::transaction_state_topic(3, &custom).partitions, 5);
    }

    #[test]
    fn names_that_differ_only_in_dot_and_underscore_collide() {
        // ReplicationControlManagerTest.testTopicNameCollision
        assert!(collides("foo_bar", "foo.bar"));
        assert!(collides("woo.bar.foo", "woo.bar_foo"));
        assert!(!collides("foo", "bar"));
        assert!(!collides("foo-bar", "foo_bar"), "only `.` and `_` are unified");
    }
}
