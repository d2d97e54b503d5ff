use super::*;
use crate::actor::{Effects, Timer};
use crate::cluster::broker::BrokerTimer;
use crate::group::assignor::Strategy;
use crate::group::classic_group::Member;
use crate::group::coordinator::CoordinatorConfig;
use crate::ids::{BrokerId, ClientIdx, NodeId};
use crate::protocol::MemberSubscription;

const RETENTION_MS: u64 = 10_000;
const INTERVAL_MS: u64 = 1_000;

fn at(ms: u64) -> SimTime {
    SimTime::from_millis(ms)
}

fn member(id: &str, topics: Vec<TopicId>) -> Member {
    Member {
        member_id: id.to_string(),
        group_instance_id: None,
        client_id: "consumer-g-1".to_string(),
        node: NodeId::Consumer(ClientIdx(0)),
        session_timeout_ms: 45_000,
        rebalance_timeout_ms: 300_000,
        protocols: vec![Strategy::Range],
        subscription: MemberSubscription { topics, owned_partitions: vec![], generation: -1, streams: None },
        last_heartbeat: SimTime::ZERO,
        awaiting_join: None,
        awaiting_sync: None,
        assignment: vec![],
    }
}

fn coordinator() -> GroupCoordinator {
    GroupCoordinator::new(CoordinatorConfig {
        initial_rebalance_delay_ms: 3_000,
        offsets_partitions: 1,
        min_session_timeout_ms: 6_000,
        max_session_timeout_ms: 1_800_000,
        offsets_retention_ms: RETENTION_MS,
        offsets_retention_check_interval_ms: INTERVAL_MS,
    })
}

fn commit(c: &mut GroupCoordinator, group: &str, tp: TopicPartition, committed_at: SimTime) {
    c.offsets.insert((group.to_string(), tp), 42);
    c.committed_at.insert((group.to_string(), tp), committed_at);
}

/// Runs `f` on broker 1 at `now`; returns the cleanup timers it set.
fn act(c: &mut GroupCoordinator, now: SimTime, f: impl FnOnce(&mut GroupCoordinator, &mut Ctx<'_>)) -> Vec<SimTime> {
    let mut effects = Effects::default();
    f(c, &mut Ctx::new(now, NodeId::Broker(BrokerId(1)), &mut effects));
    effects
        .timers
        .iter()
        .filter_map(|(when, _, t)| match t {
            Timer::Broker(BrokerTimer::Group(GroupTimer::CleanupGroupMetadata { .. })) => Some(*when),
            _ => None,
        })
        .collect()
}

fn check(c: &mut GroupCoordinator, now: SimTime) -> Vec<SimTime> {
    let epoch = c.cleanup_epochs[&0];
    act(c, now, |c, ctx| c.cleanup_group_metadata(ctx, 0, epoch))
}

/// `ClassicGroupTest.testOffsetExpirationCondition`: an empty group's offsets
/// expire from the moment it became empty, a stable group's from their
/// commit, and a rebalancing group's not at all.
#[test]
fn the_expiration_condition_follows_the_group_state() {
    let (now, committed_at, retention) = (at(30_000), at(20_000), SimDuration::from_millis(RETENTION_MS));
    let mut group = ClassicGroup::new("g".to_string());
    group.transition_to(GroupState::Empty, at(5_000));
    let condition = group.offset_expiration_condition().expect("an empty group expires offsets");
    assert_eq!(condition.base(committed_at), at(5_000));
    assert!(condition.is_offset_expired(committed_at, at(15_000), retention), "exactly the retention after");
    assert!(!condition.is_offset_expired(committed_at, at(14_999), retention));

    group.add_member(member("m", vec![TopicId(0)]));
    group.transition_to(GroupState::PreparingRebalance, at(21_000));
    assert_eq!(group.offset_expiration_condition(), None, "nothing expires during a rebalance");
    group.transition_to(GroupState::CompletingRebalance, at(22_000));
    assert_eq!(group.offset_expiration_condition(), None);

    group.transition_to(GroupState::Stable, at(23_000));
    let condition = group.offset_expiration_condition().expect("a stable group expires offsets");
    assert_eq!(condition.base(committed_at), committed_at);
    assert!(condition.is_offset_expired(committed_at, now, retention));
}

/// `ClassicGroup.offsetExpirationCondition`: an empty group whose metadata
/// carries no state timestamp (Kafka's older metadata records) falls back to
/// each offset's commit.
#[test]
fn without_a_state_timestamp_the_commit_counts() {
    let group = ClassicGroup::new("g".to_string());
    let condition = group.offset_expiration_condition().expect("empty");
    assert_eq!(condition.base(at(20_000)), at(20_000));
}

/// `ClassicGroupTest.testIsSubscribedToTopic`: an empty group subscribes to
/// nothing; a member's subscription counts.
#[test]
fn a_group_subscribes_to_its_members_topics() {
    let mut group = ClassicGroup::new("g".to_string());
    assert!(!group.is_subscribed_to_topic(TopicId(0)));
    group.add_member(member("m", vec![TopicId(0)]));
    assert!(group.is_subscribed_to_topic(TopicId(0)));
    assert!(!group.is_subscribed_to_topic(TopicId(1)));
}

/// `GroupCoordinatorShard.cleanupGroupMetadata`: offsets expire counting from
/// the moment the group became empty, then `maybeDeleteGroup` deletes it.
#[test]
fn an_empty_group_loses_its_offsets_and_then_itself_once_the_retention_passed() {
    let mut c = coordinator();
    let tp = TopicPartition::new(TopicId(0), 0);
    assert_eq!(act(&mut c, at(0), |c, ctx| c.schedule_cleanup(ctx, 0)), vec![at(INTERVAL_MS)]);
    let mut group = ClassicGroup::new("g".to_string());
    group.transition_to(GroupState::Empty, at(2_500));
    c.groups.insert("g".to_string(), group);
    commit(&mut c, "g", tp, at(500));

    // 11.5 s: only 9 s since the group emptied, though 11 s since the commit.
    assert_eq!(check(&mut c, at(11_500)), vec![at(12_500)], "the next check an interval later");
    assert!(c.expired.is_empty());
    assert!(c.offsets.contains_key(&("g".to_string(), tp)));

    check(&mut c, at(12_500));
    assert_eq!(c.expired, vec![Expiry { group: "g".to_string(), partitions: vec![tp], group_deleted: true }]);
    assert!(c.offsets.is_empty() && c.committed_at.is_empty());
    assert!(!c.groups.contains_key("g"), "the empty group without offsets is deleted");
}

/// `OffsetMetadataManager.cleanupExpiredOffsets`: a topic the group subscribes
/// to keeps its offsets, and a group with offsets left is not deleted.
#[test]
fn a_stable_group_keeps_the_offsets_of_topics_it_reads() {
    let mut c = coordinator();
    act(&mut c, at(0), |c, ctx| c.schedule_cleanup(ctx, 0));
    let (read, dropped) = (TopicPartition::new(TopicId(0), 0), TopicPartition::new(TopicId(1), 0));
    let mut group = ClassicGroup::new("g".to_string());
    group.add_member(member("m", vec![TopicId(0)]));
    group.transition_to(GroupState::Stable, at(0));
    c.groups.insert("g".to_string(), group);
    commit(&mut c, "g", read, at(0));
    commit(&mut c, "g", dropped, at(0));

    check(&mut c, at(20_000));
    assert_eq!(c.expired, vec![Expiry { group: "g".to_string(), partitions: vec![dropped], group_deleted: false }]);
    assert!(c.offsets.contains_key(&("g".to_string(), read)), "a subscribed topic's offset stays");
    assert!(c.groups.contains_key("g"));
}

/// `ClassicGroupTest.testOffsetExpirationCondition`, case 1 (no protocol
/// type: a standalone consumer's commits) through a whole check.
#[test]
fn offsets_committed_without_a_group_expire_from_their_commit() {
    let mut c = coordinator();
    act(&mut c, at(0), |c, ctx| c.schedule_cleanup(ctx, 0));
    let tp = TopicPartition::new(TopicId(0), 0);
    commit(&mut c, "manual", tp, at(3_000));
    check(&mut c, at(12_999));
    assert!(c.expired.is_empty());
    check(&mut c, at(13_000));
    assert_eq!(c.expired, vec![Expiry { group: "manual".to_string(), partitions: vec![tp], group_deleted: true }]);
}

/// `cleanupExpiredOffsets` finds nothing to keep for a group without
/// offsets, so an empty one is deleted at once.
#[test]
fn an_empty_group_without_offsets_is_deleted_at_the_first_check() {
    let mut c = coordinator();
    act(&mut c, at(0), |c, ctx| c.schedule_cleanup(ctx, 0));
    let mut group = ClassicGroup::new("g".to_string());
    group.transition_to(GroupState::Empty, at(900));
    c.groups.insert("g".to_string(), group);
    check(&mut c, at(1_000));
    assert_eq!(c.expired, vec![Expiry { group: "g".to_string(), partitions: vec![], group_deleted: true }]);
}

/// A timer set before the partition was unloaded (its leadership moved) must
/// not touch what another load brings.
#[test]
fn a_check_of_an_unloaded_partition_does_nothing() {
    let mut c = coordinator();
    act(&mut c, at(0), |c, ctx| c.schedule_cleanup(ctx, 0));
    let epoch = c.cleanup_epochs[&0];
    commit(&mut c, "manual", TopicPartition::new(TopicId(0), 0), at(0));
    act(&mut c, at(500), |c, ctx| c.unload(ctx, 0));
    assert!(act(&mut c, at(20_000), |c, ctx| c.cleanup_group_metadata(ctx, 0, epoch)).is_empty());
    assert!(c.expired.is_empty());
}
