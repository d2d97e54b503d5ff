//! Kafka's checks of a transactional producer's settings, made when the
//! scenario is loaded: the producer's own ConfigException (a transactional.id
//! needs idempotence) and the coordinator's INVALID_TRANSACTION_TIMEOUT
//! (transaction.timeout.ms above the brokers' transaction.max.timeout.ms),
//! which Kafka returns to `initTransactions()` at run time.
//!
//! It also reads a transactional producer's plan of transactions
//! (`transactions:`), which needs a `transactional.id`; a transaction may
//! name the topics it writes to (`topics:`).

use super::Resolver;
use crate::client::transaction_plan::{PlannedTransaction, TransactionEnd, TransactionPlan};
use crate::config::{BrokerConfig, ProducerConfig};
use crate::scenario::config_map::ConfigMap;
use crate::scenario::diagnostic::Problem;
use crate::scenario::file::{ProducerSpec, TransactionEndSpec};

/// The transactions a producer runs: its `transactions:` list, or one
/// committed transaction per tick for a `transactional.id` without one;
/// `None` for a producer that is not transactional.
pub(crate) fn plan(
    r: &mut Resolver<'_>,
    spec: &ProducerSpec,
    config: &ProducerConfig,
    per_tick: u32,
    names: &[String],
) -> Option<TransactionPlan> {
    let Some(list) = &spec.transactions else {
        return config.transactional_id.as_ref().map(|_| TransactionPlan::per_tick(per_tick));
    };
    if config.transactional_id.is_none() {
        r.error(
            list,
            format!("producer `{}` lists transactions but has no transactional.id", spec.id.value),
            Some(format!(
                "a producer writes transactions only with a transactional.id: add `config: {{ transactional.id: {}-txn }}`",
                spec.id.value
            )),
        );
        return None;
    }
    if list.value.is_empty() {
        r.error(
            list,
            "`transactions` is empty",
            Some("list at least one, like `[{ send: 3, end: commit }]`".to_string()),
        );
        return None;
    }
    let mut transactions = Vec::new();
    for t in &list.value {
        if t.send.value == 0 {
            r.error(
                &t.send,
                "a transaction of 0 records",
                Some("send at least 1 record: Kafka opens a transaction at its first send()".to_string()),
            );
        }
        let end = match t.end.as_ref().map(|e| e.value) {
            None | Some(TransactionEndSpec::Commit) => TransactionEnd::Commit,
            Some(TransactionEndSpec::Abort) => TransactionEnd::Abort,
            Some(TransactionEndSpec::Crash) => TransactionEnd::Crash,
        };
        let mut topics = Vec::new();
        if let Some(list) = &t.topics {
            if list.value.is_empty() {
                r.error(
                    list,
                    "`topics` is empty",
                    Some(format!("name at least one topic, or leave `topics` out to write to `{}`", spec.topic.value)),
                );
            }
            for name in &list.value {
                if let Some(topic) = super::clients::topic_id(r, name, &name.value, names)
                    && !topics.contains(&topic)
                {
                    topics.push(topic);
                }
            }
        }
        transactions.push(PlannedTransaction { records: t.send.value.max(1), end, topics });
    }
    Some(TransactionPlan { transactions })
}

/// Checks `config` (read from `map`) as Kafka would for a transactional
/// producer; does nothing for a producer without `transactional.id`.
pub(crate) fn check<S>(r: &mut Resolver<'_>, map: &ConfigMap<S>, config: &ProducerConfig, brokers: &BrokerConfig) {
    if config.transactional_id.is_none() {
        return;
    }
    let Some((id_key, _)) = map.entries.iter().find(|(k, _)| k.value == "transactional.id") else { return };
    let id_span = r.span(id_key);
    if let Err(e) = config.check_transactional() {
        let help = if config.enable_idempotence == Some(false) {
            "a transactional producer numbers its batches like an idempotent one: remove enable.idempotence=false"
        } else {
            "a transactional producer numbers its batches like an idempotent one, and acks other than all, retries=0 \
             or more than 5 requests in flight turn idempotence off: keep acks=all (the default)"
        };
        r.problems.push(Problem::at(id_span, format!("ConfigException: {e}")).help(help));
        return;
    }
    // TransactionCoordinator.validateTransactionTimeoutMs: 0 < timeout <= transaction.max.timeout.ms.
    let timeout = config.transaction_timeout_ms;
    if timeout == 0 || timeout > brokers.transaction_max_timeout_ms {
        let at = map.entries.iter().find(|(k, _)| k.value == "transaction.timeout.ms").map(|(k, _)| r.span(k));
        r.problems.push(
            Problem::at(
                at.unwrap_or(id_span),
                format!(
                    "InvalidTxnTimeoutException (INVALID_TRANSACTION_TIMEOUT): transaction.timeout.ms={timeout} but the \
                     brokers allow 1..={}: the transaction timeout is larger than the maximum value allowed by the \
                     broker (as configured by transaction.max.timeout.ms)",
                    brokers.transaction_max_timeout_ms
                ),
            )
            .help("lower transaction.timeout.ms, or raise transaction.max.timeout.ms in `broker_config:`"),
        );
    }
}
