//! States at an instant that are not a number: whether a group exists, a
//! client's state, and replica by replica, a log end offset, ISR membership
//! and whether the replicas agree below the high watermark.

use serde_saphyr::Spanned;

use super::Checks;
use crate::ids::{BrokerId, TopicPartition};
use crate::scenario::file::ExpectSpec;
use crate::scenario::{CONSUMER_STATES, Check, ClientRef, Expected, PRODUCER_STATES};

impl Checks<'_, '_> {
    /// A broker named as a map key (`1`), which must hold a replica of `tp`
    /// as far as the scenario says where replicas go.
    fn replica<T>(&mut self, tp: TopicPartition, key: &str, at: &Spanned<T>) -> Option<BrokerId> {
        let brokers = self.scenario.brokers;
        let Some(id) = key.trim().parse::<u32>().ok().filter(|id| (1..=brokers).contains(id)) else {
            self.r.error(
                at,
                format!("`{key}` is not a broker of this scenario"),
                Some(format!("name brokers by id, from 1 to {brokers}")),
            );
            return None;
        };
        let broker = BrokerId(id as i32);
        let topic = &self.scenario.topics[tp.topic.0 as usize];
        if let Some(replicas) = topic.replicas.as_ref().and_then(|r| r.get(tp.partition as usize))
            && !replicas.contains(&broker)
        {
            let list: Vec<String> = replicas.iter().map(|b| b.0.to_string()).collect();
            self.r.error(
                at,
                format!("broker {id} holds no replica of {}", self.scenario.partition_name(tp)),
                Some(format!("its replicas are on brokers {}", list.join(", "))),
            );
            return None;
        }
        Some(broker)
    }

    pub(super) fn states(&mut self, spec: &ExpectSpec) {
        for (group, exists) in spec.group_exists.iter().flatten() {
            self.any = true;
            if self.group(group, exists) {
                self.push(
                    Check::GroupExists(group.clone()),
                    Expected::Flag(exists.value),
                    format!("group {group} exists"),
                );
            }
        }
        for (client, state) in spec.client_state.iter().flatten() {
            self.any = true;
            let Some(who) = self.client(client, state) else { continue };
            let (kind, states) = match who {
                ClientRef::Producer(_) => ("a producer", PRODUCER_STATES),
                ClientRef::Consumer(_) => ("a consumer", CONSUMER_STATES),
            };
            let wanted = state.value.trim();
            match states.iter().find(|s| **s == wanted) {
                Some(s) => self.push(Check::ClientState(who), Expected::State(s), format!("state of {client}")),
                None => self.r.error(
                    state,
                    format!("`{wanted}` is not a state of {kind}"),
                    Some(format!("{client} is {kind}: its states are {}", states.join(", "))),
                ),
            }
        }
        for (name, brokers) in spec.replica_log_end_offset.iter().flatten() {
            self.any = true;
            for (key, value) in brokers {
                let Some(tp) = self.partition(name, value) else { break };
                if let Some(broker) = self.replica(tp, key, value) {
                    self.number(
                        value,
                        Check::ReplicaLogEndOffset(tp, broker),
                        format!("log end offset of {name} on broker {}", broker.0),
                    );
                }
            }
        }
        for (name, brokers) in spec.in_isr.iter().flatten() {
            self.any = true;
            for (key, value) in brokers {
                let Some(tp) = self.partition(name, value) else { break };
                if let Some(broker) = self.replica(tp, key, value) {
                    self.push(
                        Check::InIsr(tp, broker),
                        Expected::Flag(value.value),
                        format!("broker {} in the ISR of {name}", broker.0),
                    );
                }
            }
        }
        for (name, identical) in spec.replicas_identical.iter().flatten() {
            self.any = true;
            for tp in self.partitions(name, identical) {
                let partition = self.scenario.partition_name(tp);
                self.push(
                    Check::ReplicasIdentical(tp),
                    Expected::Flag(identical.value),
                    format!("replicas of {partition} identical below the high watermark"),
                );
            }
        }
    }
}
