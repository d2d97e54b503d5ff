//! The KRaft controller: keeps the cluster metadata and decides leaders and ISRs.

use crate::actor::Ctx;
use crate::ids::{BrokerId, NodeId};
use crate::protocol::Message;

use super::metadata::MetadataImage;

/// Timers the controller sets for itself.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ControllerTimer {}

#[derive(Clone, Debug)]
pub struct Controller {
    pub broker: BrokerId,
    pub image: MetadataImage,
}

impl Controller {
    pub fn new(broker: BrokerId, image: MetadataImage) -> Self {
        Controller { broker, image }
    }

    pub fn on_message(&mut self, _ctx: &mut Ctx<'_>, _from: NodeId, _message: Message) {}

    pub fn on_timer(&mut self, _ctx: &mut Ctx<'_>, timer: ControllerTimer) {
        match timer {}
    }
}
