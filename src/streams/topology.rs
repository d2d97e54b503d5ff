//! A Kafka Streams topology: processor nodes, the state stores they use, and
//! the sub-topologies the graph falls into — what Kafka's
//! `InternalTopologyBuilder` holds after `StreamsBuilder#build()`.
//!
//! The scenario declares the application in the Streams DSL ([`dsl`]); the
//! [`builder`] turns it into nodes with the names Kafka gives them
//! (`KSTREAM-SOURCE-0000000000`, one counter shared by processors and stores,
//! the same operators burning the same numbers), [`describe`] prints it as
//! `Topology#describe()` does, and [`copartition`] checks the inputs of joins
//! the way the group leader does during a rebalance.
//!
//! Sub-topologies: nodes connected through a predecessor, or through a state
//! store two processors share, belong to one sub-topology; a repartition
//! topic (a sink in one, a source in another) separates them. They are
//! numbered in the order their first node was added. Task `s_p` of
//! sub-topology `s` owns partition `p` of each of its source topics.
//!
//! Simplification: topology optimisation (`topology.optimization`) is off,
//! as by default, so table sources get their own changelog and repartition
//! topics are not merged.

pub mod builder;
pub mod copartition;
pub mod describe;
pub mod dsl;
pub mod graph;

#[cfg(test)]
mod tests;

use std::collections::BTreeSet;

use crate::streams::expr::Expr;
use crate::streams::windows::Windows;

pub use builder::{BuildError, build};

/// A node's index in [`Topology::nodes`].
pub type NodeIdx = usize;
/// A store's index in [`Topology::stores`].
pub type StoreIdx = usize;

/// The processor graph of one application.
#[derive(Clone, Debug)]
pub struct Topology {
    /// In the order Kafka adds them (its `nodeFactories`).
    pub nodes: Vec<Node>,
    pub stores: Vec<Store>,
    /// Sub-topologies with tasks, by id.
    pub subtopologies: Vec<Subtopology>,
    /// Global stores (a `global_table`), each a sub-topology id of its own
    /// that generates no tasks.
    pub global_stores: Vec<GlobalStore>,
    /// Repartition topics, without the `<application.id>-` prefix, in the
    /// order they were added.
    pub repartition_topics: Vec<String>,
    /// Source topics that must be co-partitioned (the inputs of each join),
    /// in the order the joins were declared.
    pub copartition_groups: Vec<BTreeSet<String>>,
}

#[derive(Clone, Debug)]
pub struct Node {
    pub name: String,
    pub kind: NodeKind,
    pub predecessors: Vec<NodeIdx>,
    pub successors: Vec<NodeIdx>,
    /// Stores this node reads or writes, in the order they were connected.
    pub stores: Vec<StoreIdx>,
    /// The sub-topology (or global store group) id.
    pub subtopology: u32,
}

#[derive(Clone, Debug)]
pub enum NodeKind {
    Source { topic: String, repartition: bool },
    Processor(Op),
    Sink { topic: String, repartition: bool },
}

/// What a processor does to each record. Names follow Kafka's processor
/// classes (`KStreamFilter`, `KStreamAggregate`, ...).
#[derive(Clone, Debug)]
pub enum Op {
    /// `filter` / `filterNot` (also the null-key filter before a repartition sink).
    Filter {
        predicate: Option<Expr>,
        negate: bool,
    },
    MapValues(Expr),
    /// `map`: the expression yields `{key, value}`.
    Map(Expr),
    SelectKey(Expr),
    FlatMapValues(Expr),
    Peek,
    /// `split()`: sends each record to the first branch whose predicate holds
    /// (the default branch has none), by successor name.
    Branch {
        predicates: Vec<(Option<Expr>, String)>,
    },
    /// A branch child or a merge: passes records on.
    PassThrough,
    /// `KTableSource`: the table's latest value per key (its store, when materialized).
    TableSource {
        store: Option<StoreIdx>,
    },
    /// A global table's source processor.
    GlobalTableSource {
        store: StoreIdx,
    },
    KTableFilter {
        predicate: Expr,
        negate: bool,
    },
    KTableMapValues(Expr),
    ToStream,
    Aggregate {
        kind: Aggregation,
        store: StoreIdx,
        windows: Option<Windows>,
    },
    Suppress {
        store: StoreIdx,
        windows: Windows,
    },
    /// Stream-stream join: one side's window store.
    JoinWindow {
        store: StoreIdx,
    },
    /// Stream-stream join: a side's records look up the other side's window.
    StreamStreamJoin {
        other_store: StoreIdx,
        joiner: Expr,
        this_side: bool,
        before_ms: i64,
        after_ms: i64,
    },
    /// Stream-table join (`KStreamKTableJoin`): looks up the table's store.
    StreamTableJoin {
        table_store: StoreIdx,
        joiner: Expr,
        left: bool,
    },
    /// Stream-global-table join (`KStreamGlobalKTableJoin`).
    StreamGlobalTableJoin {
        global_store: StoreIdx,
        key: Expr,
        joiner: Expr,
        left: bool,
    },
    /// Table-table join: an update on one side looks up the other side.
    TableTableJoin {
        other_store: StoreIdx,
        joiner: Expr,
        this_side: bool,
    },
}

#[derive(Clone, Debug)]
pub enum Aggregation {
    Count,
    Reduce(Expr),
    Aggregate { initializer: Expr, aggregator: Expr },
}

#[derive(Clone, Debug)]
pub struct Store {
    pub name: String,
    pub kind: StoreKind,
    /// Backed by a changelog topic `<application.id>-<name>-changelog`.
    pub logged: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StoreKind {
    KeyValue,
    Window,
    Session,
    /// The suppression buffer (`InMemoryTimeOrderedKeyValueBuffer`).
    SuppressBuffer,
    /// One side of a stream-stream join (a window store keeping duplicates).
    JoinWindow,
}

impl StoreKind {
    /// The changelog's `cleanup.policy`: windowed stores also expire.
    pub fn changelog_cleanup_policy(self) -> &'static str {
        match self {
            StoreKind::KeyValue | StoreKind::SuppressBuffer => "compact",
            StoreKind::Window | StoreKind::Session | StoreKind::JoinWindow => "compact,delete",
        }
    }
}

#[derive(Clone, Debug)]
pub struct Subtopology {
    pub id: u32,
    pub nodes: Vec<NodeIdx>,
    /// Topics its sources read (user topics and repartition topics), in node order.
    pub source_topics: Vec<String>,
    /// Its stores, in the order they were added.
    pub stores: Vec<StoreIdx>,
}

#[derive(Clone, Debug)]
pub struct GlobalStore {
    pub id: u32,
    pub source: NodeIdx,
    pub processor: NodeIdx,
    pub store: StoreIdx,
    pub topic: String,
}

impl Topology {
    pub fn node(&self, name: &str) -> Option<NodeIdx> {
        self.nodes.iter().position(|n| n.name == name)
    }

    /// The full name of an internal topic: `<application.id>-<name>`.
    pub fn internal_topic(application_id: &str, name: &str) -> String {
        format!("{application_id}-{name}")
    }

    /// `<application.id>-<store>-changelog` for every logged store, in store order.
    pub fn changelog_topics(&self, application_id: &str) -> Vec<(StoreIdx, String)> {
        self.stores
            .iter()
            .enumerate()
            .filter(|(_, s)| s.logged)
            .map(|(i, s)| (i, format!("{application_id}-{}-changelog", s.name)))
            .collect()
    }

    /// User topics the application reads (not repartition topics), sorted.
    pub fn input_topics(&self) -> BTreeSet<String> {
        self.nodes
            .iter()
            .filter_map(|n| match &n.kind {
                NodeKind::Source { topic, repartition: false } => Some(topic.clone()),
                _ => None,
            })
            .collect()
    }

    /// User topics the application writes, sorted.
    pub fn output_topics(&self) -> BTreeSet<String> {
        self.nodes
            .iter()
            .filter_map(|n| match &n.kind {
                NodeKind::Sink { topic, repartition: false } => Some(topic.clone()),
                _ => None,
            })
            .collect()
    }

    /// Whether a topic is one of this topology's repartition topics.
    pub fn is_repartition_topic(&self, topic: &str) -> bool {
        self.repartition_topics.iter().any(|t| t == topic)
    }
}
