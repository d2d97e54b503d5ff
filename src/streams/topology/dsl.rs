//! The Streams DSL as a scenario declares it, after the loader checked its
//! shape and compiled its expressions: a list of pipelines, each starting
//! from a source (`stream`, `table`, `global_table`) or from a stream or
//! table an earlier pipeline named, followed by operators in order — the
//! chained calls of a Java `StreamsBuilder` program, one pipeline per
//! statement.
//!
//! Order matters as it does in Java: Kafka numbers processors and stores in
//! the order the program creates them, so the pipelines are built in the
//! order written.

use crate::streams::expr::Expr;
use crate::streams::windows::Windows;

/// Where an operator sits in the scenario, for error messages: pipeline
/// index, and the path of step indexes (a step inside a branch of a split
/// adds the branch and step index).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Loc {
    pub pipeline: usize,
    /// Step indexes, outermost first; empty: the pipeline's start.
    pub steps: Vec<usize>,
}

#[derive(Clone, Debug)]
pub struct Dsl {
    pub pipelines: Vec<Pipeline>,
}

#[derive(Clone, Debug)]
pub struct Pipeline {
    pub start: Start,
    pub steps: Vec<Step>,
    /// The name later pipelines use for the result (`as:`).
    pub name: Option<String>,
}

#[derive(Clone, Debug)]
pub enum Start {
    /// `builder.stream(topic)`; referable by the topic's name.
    Stream { topic: String },
    /// `builder.table(topic)`, materialized as `store` when given.
    Table { topic: String, store: Option<String> },
    /// `builder.globalTable(topic)`.
    GlobalTable { topic: String },
    /// A stream or table an earlier pipeline named.
    From { name: String },
}

#[derive(Clone, Debug)]
pub enum Step {
    Filter {
        predicate: Expr,
        negate: bool,
    },
    MapValues(Expr),
    Map(Expr),
    SelectKey(Expr),
    FlatMapValues(Expr),
    Peek,
    Split {
        name: Option<String>,
        branches: Vec<Branch>,
    },
    Merge {
        with: String,
    },
    To {
        topic: String,
    },
    ToStream,
    GroupByKey {
        grouped: Option<String>,
    },
    GroupBy {
        key: Expr,
        grouped: Option<String>,
    },
    WindowedBy(Windows),
    Count {
        store: Option<String>,
    },
    Reduce {
        reducer: Expr,
        store: Option<String>,
    },
    Aggregate {
        initializer: Expr,
        aggregator: Expr,
        store: Option<String>,
    },
    /// `suppress(untilWindowCloses(unbounded()))`, optionally `.withName(name)`.
    Suppress {
        name: Option<String>,
    },
    Join(Join),
}

/// One branch of a `split`: a predicate (none for the default branch, which
/// comes last), an optional `Branched.as` name, the operators applied to the
/// branch, and the name later pipelines use for it.
#[derive(Clone, Debug)]
pub struct Branch {
    pub predicate: Option<Expr>,
    pub branch_name: Option<String>,
    pub steps: Vec<Step>,
    pub name: Option<String>,
}

#[derive(Clone, Debug)]
pub struct Join {
    pub with: JoinWith,
    /// `{left, right}` → joined value.
    pub joiner: Expr,
    /// `leftJoin` rather than `join`.
    pub left: bool,
}

#[derive(Clone, Debug)]
pub enum JoinWith {
    /// A stream, within a join window: `JoinWindows.ofTimeDifferenceAndGrace`.
    Stream { name: String, before_ms: i64, after_ms: i64, grace_ms: i64 },
    /// A table (stream-table from a stream, table-table from a table).
    Table { name: String },
    /// A global table, looked up by the key `key` computes from each record.
    GlobalTable { name: String, key: Expr },
}
