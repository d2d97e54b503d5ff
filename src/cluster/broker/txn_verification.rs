//! The partition leader's transaction verification (KIP-890), as Kafka 4.0
//! does it for a `transaction.version=2` producer: before appending a
//! transactional batch to a partition where that producer has no open
//! transaction, the leader sends AddPartitionsToTxn to the id's coordinator
//! (`AddPartitionsToTxnManager`, with `verifyOnly` off for a TV2 Produce),
//! which adds the partition to the transaction. Only then is the batch
//! appended. A write of a fenced or finished transaction is refused, so it
//! cannot open a transaction nobody will ever end ("hanging transaction").
//!
//! The coordinator's PRODUCER_FENCED is answered to the producer as
//! INVALID_PRODUCER_EPOCH: "Producers expect to handle INVALID_PRODUCER_EPOCH
//! in this scenario" (`AddPartitionsToTxnManager.AddPartitionsToTxnHandler`).

use std::collections::{BTreeMap, BTreeSet};

use crate::actor::Ctx;
use crate::ids::{NodeId, TopicPartition};
use crate::protocol::{AddPartitionsToTxnRequest, ErrorCode, Message, ProduceRequest, TxnMessage};
use crate::txn::coordinator::add_partitions::AddPartitionsOutcome;

use super::txn_api::{TxnReply, TxnWrite};
use super::{Broker, Outgoing};

/// A Produce request waiting for its transaction's coordinator.
#[derive(Clone, Debug)]
pub struct ParkedProduce {
    pub from: NodeId,
    pub request: ProduceRequest,
    pub partitions: Vec<TopicPartition>,
}

impl Broker {
    /// The transactional batches of `request` headed for partitions this
    /// broker leads where their producer has no transaction open yet.
    fn unverified_partitions(&self, request: &ProduceRequest) -> Vec<TopicPartition> {
        if request.transactional_id.is_none() {
            return Vec::new();
        }
        request
            .partitions
            .iter()
            .filter(|(tp, batch)| {
                batch.is_transactional()
                    && self.partitions.get(tp).is_some_and(|p| {
                        p.is_leader(self.id)
                            && !p.log.producer_state.has_ongoing_transaction(batch.producer.producer_id)
                    })
            })
            .map(|(tp, _)| *tp)
            .collect()
    }

    pub(super) fn needs_transaction_verification(&self, request: &ProduceRequest) -> bool {
        self.ready && !self.unverified_partitions(request).is_empty()
    }

    /// Parks `request` and asks the coordinator to add its partitions.
    pub(super) fn verify_transaction(&mut self, ctx: &mut Ctx<'_>, from: NodeId, request: ProduceRequest) {
        let partitions = self.unverified_partitions(&request);
        let transactional_id = request.transactional_id.clone().unwrap_or_default();
        let Some((_, batch)) = request.partitions.iter().find(|(tp, _)| partitions.contains(tp)) else { return };
        let (producer_id, producer_epoch) = (batch.producer.producer_id, batch.producer.producer_epoch);
        let coordinator = self
            .transaction_state_partition(&transactional_id)
            .and_then(|tp| self.metadata.partition(tp).and_then(|p| p.leader));
        let Some(coordinator) = coordinator else {
            let refused = partitions.iter().map(|&tp| (tp, ErrorCode::CoordinatorNotAvailable)).collect();
            self.append_produce(ctx, from, request, &refused);
            return;
        };
        let parked = self.next_delayed_id();
        let what = Outgoing::TxnVerify { coordinator, parked };
        let asked = partitions.clone();
        self.verifying.insert(parked, ParkedProduce { from, request, partitions });
        self.send_request(ctx, NodeId::Broker(coordinator), what, |correlation_id| {
            Message::Txn(TxnMessage::AddPartitionsToTxnRequest(AddPartitionsToTxnRequest {
                correlation_id,
                transactional_id,
                producer_id,
                producer_epoch,
                partitions: asked,
                verify_only: false,
            }))
        });
    }

    /// The coordinator answered (or the request failed with `error`): append
    /// what was verified, refuse the rest.
    pub(super) fn on_transaction_verified(&mut self, ctx: &mut Ctx<'_>, parked: u64, error: ErrorCode) {
        let Some(parked) = self.verifying.remove(&parked) else { return };
        let error = if error == ErrorCode::ProducerFenced { ErrorCode::InvalidProducerEpoch } else { error };
        let refused: BTreeMap<TopicPartition, ErrorCode> =
            if error.is_ok() { BTreeMap::new() } else { parked.partitions.iter().map(|&tp| (tp, error)).collect() };
        self.append_produce(ctx, parked.from, parked.request, &refused);
    }

    /// AddPartitionsToTxn at the coordinator.
    pub(super) fn handle_add_partitions_to_txn(
        &mut self,
        ctx: &mut Ctx<'_>,
        from: NodeId,
        request: AddPartitionsToTxnRequest,
    ) {
        let AddPartitionsToTxnRequest {
            correlation_id,
            transactional_id,
            producer_id,
            producer_epoch,
            partitions,
            verify_only,
        } = request;
        let producer = (producer_id, producer_epoch);
        let reply = |ctx: &mut Ctx<'_>, error| {
            ctx.send(from, Message::Txn(TxnMessage::AddPartitionsToTxnResponse { correlation_id, error }));
        };
        let Some(tp) = self.transaction_state_partition(&transactional_id) else {
            return reply(ctx, ErrorCode::CoordinatorNotAvailable);
        };
        if !self.ready || !self.txn_coordinator.owns(&transactional_id) {
            return reply(ctx, ErrorCode::NotCoordinator);
        }
        let partitions: BTreeSet<TopicPartition> = partitions.into_iter().collect();
        let now_ms = ctx.now.as_millis();
        match self.txn_coordinator.handle_add_partitions(&transactional_id, producer, &partitions, verify_only, now_ms)
        {
            AddPartitionsOutcome::Reply(error) => reply(ctx, error),
            AddPartitionsOutcome::Write(transit) => {
                let reply = TxnReply::AddPartitions { from, correlation_id };
                self.append_txn_write(ctx, tp, TxnWrite { transactional_id, transit, reply });
            }
        }
    }
}
