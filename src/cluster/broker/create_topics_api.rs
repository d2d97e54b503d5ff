//! CreateTopics at a broker: KRaft brokers do not create topics themselves;
//! they forward the request to the active controller and hand its answer
//! back to the client (KIP-590's `ForwardingManager`). Auto-creation
//! (`auto.create.topics.enable`) takes the same road: a Metadata request
//! naming an unknown topic makes the broker ask the controller for it with
//! `num.partitions` and `default.replication.factor`
//! (`AutoTopicCreationManager`), and the client hears LEADER_NOT_AVAILABLE
//! until the topic has a leader.
//!
//! Simplification: a forwarded request the controller refuses with
//! NOT_CONTROLLER, or that gets no answer, is answered to the client with
//! that error (NOT_CONTROLLER, REQUEST_TIMED_OUT) rather than retried by
//! the broker; admin clients retry both.

use crate::actor::Ctx;
use crate::cluster::topic_name;
use crate::ids::NodeId;
use crate::protocol::{
    ControllerMessage, CorrelationId, CreateTopicsRequest, CreateTopicsResponse, CreatedTopic, ErrorCode, Message,
    NewTopic,
};

use super::{Broker, Outgoing};

impl Broker {
    pub(super) fn handle_create_topics(&mut self, ctx: &mut Ctx<'_>, from: NodeId, request: CreateTopicsRequest) {
        let client = Some((from, request.correlation_id));
        let names: Vec<String> = request.topics.iter().map(|t| t.name.clone()).collect();
        self.forward_create_topics(ctx, client, names, request);
    }

    /// The names among `names` this broker asks the controller to create
    /// (none when auto-creation is off), and what a Metadata answer says of each.
    pub(super) fn auto_create_topics(&mut self, ctx: &mut Ctx<'_>, names: &[String]) -> Vec<(String, ErrorCode)> {
        let mut answers = Vec::new();
        let mut create = Vec::new();
        for name in names {
            let exists = self.metadata.topics.values().any(|t| &t.name == name);
            let error = if topic_name::validate(name).is_err() {
                ErrorCode::InvalidTopicException
            } else if exists {
                ErrorCode::LeaderNotAvailable
            } else if !self.config.auto_create_topics_enable {
                ErrorCode::UnknownTopicOrPartition
            } else {
                if !create.contains(name) {
                    create.push(name.clone());
                }
                ErrorCode::LeaderNotAvailable
            };
            answers.push((name.clone(), error));
        }
        if !create.is_empty() {
            let topics = create.iter().map(|n| NewTopic::with_defaults(n)).collect();
            let request = CreateTopicsRequest { correlation_id: 0, topics, validate_only: false };
            self.forward_create_topics(ctx, None, create, request);
        }
        answers
    }

    fn forward_create_topics(
        &mut self,
        ctx: &mut Ctx<'_>,
        client: Option<(NodeId, CorrelationId)>,
        names: Vec<String>,
        request: CreateTopicsRequest,
    ) {
        let Some(node) = self.controller_ready(ctx) else {
            self.answer_create_topics(ctx, client, &names, ErrorCode::NotController);
            return;
        };
        let what = Outgoing::CreateTopics { client, names };
        self.send_request(ctx, node, what, |correlation_id| {
            Message::Controller(ControllerMessage::CreateTopicsRequest { correlation_id, request })
        });
    }

    /// Answers a client whose forwarded request failed: `error` for every topic.
    pub(super) fn answer_create_topics(
        &mut self,
        ctx: &mut Ctx<'_>,
        client: Option<(NodeId, CorrelationId)>,
        names: &[String],
        error: ErrorCode,
    ) {
        let Some((to, correlation_id)) = client else {
            return;
        };
        let message = match error {
            ErrorCode::NotController => "The active controller could not be reached; try again.",
            _ => "The controller did not answer in time.",
        };
        let topics = names.iter().map(|n| CreatedTopic::refused(n, error, message)).collect();
        ctx.send(to, Message::CreateTopicsResponse(CreateTopicsResponse { correlation_id, topics }));
    }

    /// The controller's answer goes back to the client that asked.
    pub(super) fn on_create_topics_response(
        &mut self,
        ctx: &mut Ctx<'_>,
        client: Option<(NodeId, CorrelationId)>,
        names: &[String],
        error: ErrorCode,
        topics: Vec<CreatedTopic>,
    ) {
        if !error.is_ok() {
            self.answer_create_topics(ctx, client, names, error);
            return;
        }
        if let Some((to, correlation_id)) = client {
            ctx.send(to, Message::CreateTopicsResponse(CreateTopicsResponse { correlation_id, topics }));
        }
    }
}
