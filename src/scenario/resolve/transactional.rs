//! Kafka's checks of a transactional producer's settings, made when the
//! scenario is loaded: the producer's own ConfigException (a transactional.id
//! needs idempotence) and the coordinator's INVALID_TRANSACTION_TIMEOUT
//! (transaction.timeout.ms above the brokers' transaction.max.timeout.ms),
//! which Kafka returns to `initTransactions()` at run time.
//!
//! Transactional sends are not simulated yet, so a producer that passes these
//! checks is refused too, with what is and is not modelled.

use super::Resolver;
use crate::config::{BrokerConfig, ProducerConfig};
use crate::scenario::config_map::ConfigMap;
use crate::scenario::diagnostic::Problem;

/// Checks `config` (read from `map`) as Kafka would for a transactional
/// producer; does nothing for a producer without `transactional.id`.
pub(crate) fn check<S>(r: &mut Resolver<'_>, map: &ConfigMap<S>, config: &ProducerConfig, brokers: &BrokerConfig) {
    let Some(id) = &config.transactional_id else { return };
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
        return;
    }
    r.problems.push(
        Problem::at(id_span, format!("transactional.id `{id}`: transactional producers are not simulated yet")).help(
            format!(
                "remove transactional.id. The settings pass Kafka's checks; `kafkasim explain coordinator \
                 --transactional-id {id}` shows which __transaction_state partition would coordinate it, and \
                 consumers may already set isolation.level"
            ),
        ),
    );
}
