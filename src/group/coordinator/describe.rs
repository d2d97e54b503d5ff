//! What the admin clients ask a coordinator about its groups: ListGroups
//! (the groups it holds, with their state) and DescribeGroups (a group's
//! state, assignor and members with their subscriptions and assignments),
//! as `GroupCoordinatorService.listGroups` / `describeGroups` answer them
//! for classic groups.

use super::GroupCoordinator;
use crate::protocol::{DescribedGroup, DescribedMember, ErrorCode, ListedGroup};

impl GroupCoordinator {
    /// Every group this coordinator holds, by name.
    pub fn list_groups(&self) -> Vec<ListedGroup> {
        self.groups
            .values()
            .filter(|g| self.owns(&g.name))
            .map(|g| ListedGroup { group: g.name.clone(), state: g.state.name() })
            .collect()
    }

    /// One group; a group it does not know is `Dead` with no members, as
    /// Kafka describes it; one it does not coordinate, `NOT_COORDINATOR`.
    pub fn describe(&self, group: &str) -> DescribedGroup {
        let mut described = DescribedGroup {
            group: group.to_string(),
            error: ErrorCode::None,
            state: "Dead",
            protocol: None,
            members: Vec::new(),
        };
        if !self.owns(group) {
            described.error = ErrorCode::NotCoordinator;
            return described;
        }
        let Some(g) = self.groups.get(group) else { return described };
        described.state = g.state.name();
        described.protocol = g.protocol;
        described.members = g
            .members
            .values()
            .map(|m| DescribedMember {
                member_id: m.member_id.clone(),
                group_instance_id: m.group_instance_id.clone(),
                client_id: m.client_id.clone(),
                node: m.node,
                subscription: m.subscription.clone(),
                assignment: m.assignment.clone(),
            })
            .collect();
        described
    }
}
