//! Serving the Metadata API from the broker's cached metadata image.

use crate::actor::Ctx;
use crate::ids::NodeId;
use crate::protocol::{ErrorCode, Message, MetadataRequest, MetadataResponse, PartitionMetadata, TopicMetadata};

use super::Broker;

impl Broker {
    pub(super) fn handle_metadata(&mut self, ctx: &mut Ctx<'_>, from: NodeId, request: MetadataRequest) {
        // Topics the client named without knowing them: this broker may ask
        // the controller to create them (the client asks again by id).
        let unknown = if request.auto_create.is_empty() {
            Vec::new()
        } else {
            self.auto_create_topics(ctx, &request.auto_create)
        };
        let image = &self.metadata;
        let topics = request
            .topics
            .iter()
            .map(|&topic| match image.topics.get(&topic) {
                None => TopicMetadata { topic, error: ErrorCode::UnknownTopicOrPartition, partitions: Vec::new() },
                Some(t) => TopicMetadata {
                    topic,
                    error: ErrorCode::None,
                    partitions: t
                        .partitions
                        .iter()
                        .enumerate()
                        .map(|(p, state)| PartitionMetadata {
                            partition: p as u32,
                            error: if state.leader.is_some() { ErrorCode::None } else { ErrorCode::LeaderNotAvailable },
                            leader: state.leader,
                            leader_epoch: state.leader_epoch,
                            replicas: state.replicas.clone(),
                            isr: state.isr.clone(),
                        })
                        .collect(),
                },
            })
            .collect();
        let brokers = image.brokers.iter().filter(|(_, r)| !r.fenced).map(|(&b, _)| b).collect();
        ctx.send(
            from,
            Message::MetadataResponse(MetadataResponse {
                correlation_id: request.correlation_id,
                brokers,
                controller: image.controller,
                topics,
                unknown,
            }),
        );
    }
}
