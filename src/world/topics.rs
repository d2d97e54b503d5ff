//! Topics that appear while the cluster runs (CreateTopics, auto-creation):
//! the one place where everything the world sized at build time from the
//! scenario's topics grows with them.
//!
//! The controller's metadata image is the truth; the world follows it
//! before any trace event of the same step is told, so narration, the TUI,
//! pictures and the live gateway (which read `names` and `scenario.topics`)
//! know a topic from the moment the controller has created it. Topic ids
//! are the controller's, handed out in order after the scenario's own, so
//! they stay indices into `names.topics` and `scenario.topics`.

use std::sync::Arc;

use super::{HostStatus, World};
use crate::actor::Ctx;
use crate::ids::{Host, NodeId, TopicId};
use crate::protocol::{CreateTopicsRequest, Message, NewTopic};
use crate::scenario::TopicDef;
use crate::trace::TraceEvent;

impl World {
    /// Adds every topic the controller created since the last call.
    pub(super) fn follow_created_topics(&mut self) {
        while self.names.topics.len() < self.controller.image.topics.len() {
            let topic = TopicId(self.names.topics.len() as u32);
            let Some(image) = self.controller.image.topics.get(&topic) else {
                debug_assert!(false, "the controller hands out topic ids in order");
                return;
            };
            let def = TopicDef {
                name: image.name.clone(),
                partitions: image.partitions.len() as u32,
                replication_factor: image.partitions.first().map_or(0, |p| p.replicas.len() as u32),
                replicas: Some(image.partitions.iter().map(|p| p.replicas.clone()).collect()),
                config: image.config,
                internal: image.internal,
            };
            self.add_topic(def);
        }
    }

    fn add_topic(&mut self, def: TopicDef) {
        Arc::make_mut(&mut self.names).topics.push(def.name.clone());
        Arc::make_mut(&mut self.scenario).topics.push(def);
    }
}

impl World {
    /// The timeline's `create_topic`: the admin client sends CreateTopics to
    /// the first broker that is up, as `kafka-topics.sh --create
    /// --bootstrap-server` does; that broker forwards it to the controller.
    pub(super) fn send_create_topic(&mut self, topic: &NewTopic) {
        let count =
            |n: i32, default: u32| if n < 0 { format!("{default} (the broker's default)") } else { n.to_string() };
        let config = &self.scenario.broker_config;
        let (partitions, replication_factor) = (
            count(topic.num_partitions, config.num_partitions),
            count(topic.replication_factor, config.default_replication_factor),
        );
        let broker = self.brokers.iter().map(|b| b.id).find(|&b| self.is_alive(Host::Broker(b)));
        let Some(broker) = broker else {
            self.effects.trace.push(TraceEvent::Action {
                text: format!("the admin client cannot create topic {}: no broker is up", topic.name),
            });
            return;
        };
        self.effects.trace.push(TraceEvent::Action {
            text: format!(
                "kafka-topics --create --topic {} --partitions {partitions} --replication-factor {replication_factor}: \
                 the admin client sends CreateTopics to broker {broker}",
                topic.name
            ),
        });
        self.hosts.entry(Host::Admin).or_insert(HostStatus { alive: true, incarnation: 0 });
        let request =
            CreateTopicsRequest { correlation_id: self.steps, topics: vec![topic.clone()], validate_only: false };
        let mut ctx = Ctx::new(self.now, NodeId::Admin, &mut self.effects);
        ctx.send(NodeId::Broker(broker), Message::CreateTopicsRequest(request));
    }
}
