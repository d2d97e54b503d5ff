//! Phase 1 of the builder: each DSL operator as Kafka's `KStreamImpl`,
//! `KGroupedStreamImpl`, `TimeWindowedKStreamImpl`, `KTableImpl` and
//! `BranchedKStreamImpl` implement it — which names it takes from the
//! counter, in which order, and which graph nodes it adds.

use std::collections::BTreeSet;

use super::{BuildError, Builder, Current, Getter, GlobalKTable, GraphKind, Grouped, KStream, KTable};
use crate::streams::topology::dsl::{Loc, Pipeline, Start, Step};
use crate::streams::topology::{Aggregation, Op, StoreKind};

pub(super) fn err(loc: &Loc, message: impl Into<String>, help: impl Into<String>) -> BuildError {
    BuildError { loc: loc.clone(), message: message.into(), help: help.into() }
}

/// What a value is, in a student's words and Kafka's type name.
pub(super) fn kind_of(cur: &Current) -> &'static str {
    match cur {
        Current::Stream(_) => "a stream (KStream)",
        Current::Grouped(g) if g.windows.is_some() => "a windowed grouped stream (TimeWindowedKStream)",
        Current::Grouped(_) => "a grouped stream (KGroupedStream)",
        Current::Table(_) => "a table (KTable)",
        Current::GlobalTable(_) => "a global table (GlobalKTable)",
        Current::Done => "nothing: `to` ends a pipeline",
    }
}

fn step_name(step: &Step) -> &'static str {
    match step {
        Step::Filter { negate: false, .. } => "filter",
        Step::Filter { negate: true, .. } => "filter_not",
        Step::MapValues(_) => "map_values",
        Step::Map(_) => "map",
        Step::SelectKey(_) => "select_key",
        Step::FlatMapValues(_) => "flat_map_values",
        Step::Peek => "peek",
        Step::Split { .. } => "split",
        Step::Merge { .. } => "merge",
        Step::To { .. } => "to",
        Step::ToStream => "to_stream",
        Step::GroupByKey { .. } => "group_by_key",
        Step::GroupBy { .. } => "group_by",
        Step::WindowedBy(_) => "windowed_by",
        Step::Count { .. } => "count",
        Step::Reduce { .. } => "reduce",
        Step::Aggregate { .. } => "aggregate",
        Step::Suppress { .. } => "suppress",
        Step::Join(j) if j.left => "left_join",
        Step::Join(_) => "join",
    }
}

/// Kafka's `repartitionTopicNamePrefix.matches("KSTREAM.*-[0-9]{10}")`:
/// a generated name, whose repartition nodes keep generated names.
pub(super) fn is_generated(prefix: &str) -> bool {
    let bytes = prefix.as_bytes();
    prefix.starts_with("KSTREAM")
        && bytes.len() >= 18
        && bytes[bytes.len() - 11] == b'-'
        && bytes[bytes.len() - 10..].iter().all(u8::is_ascii_digit)
}

impl Builder {
    pub(in crate::streams::topology) fn pipeline(&mut self, i: usize, p: &Pipeline) -> Result<(), BuildError> {
        let loc = Loc { pipeline: i, steps: Vec::new() };
        let start = self.start(&loc, &p.start)?;
        let end = self.steps(&loc, start, &p.steps)?;
        if let Some(name) = &p.name {
            self.register(&loc, name, end)?;
        }
        Ok(())
    }

    pub(super) fn register(&mut self, loc: &Loc, name: &str, value: Current) -> Result<(), BuildError> {
        if matches!(value, Current::Done) {
            return Err(err(
                loc,
                format!("`as: {name}` names nothing"),
                "a pipeline that ends with `to` has no result to name; remove `as`",
            ));
        }
        if self.names.contains_key(name) {
            return Err(err(
                loc,
                format!("the name `{name}` is already used"),
                "give each stream, table and source topic its own name",
            ));
        }
        self.names.insert(name.to_string(), value);
        Ok(())
    }

    fn start(&mut self, loc: &Loc, start: &Start) -> Result<Current, BuildError> {
        let (topic, cur) = match start {
            Start::Stream { topic } => {
                self.check_new_source(loc, topic)?;
                let name = self.new_processor_name("KSTREAM-SOURCE-");
                let node =
                    self.add_graph_node(&[0], GraphKind::StreamSource { name: name.clone(), topic: topic.clone() });
                self.streams.push(KStream {
                    node,
                    repartition_required: false,
                    sources: BTreeSet::from([name]),
                    join_repartition: None,
                });
                (topic, Current::Stream(self.streams.len() - 1))
            }
            Start::Table { topic, store } => {
                self.check_new_source(loc, topic)?;
                // StreamsBuilder.table names the store (MaterializedInternal) first.
                let store_name = match store {
                    Some(s) => s.clone(),
                    None => self.new_store_name(&format!("{topic}-")),
                };
                let source = self.new_processor_name("KSTREAM-SOURCE-");
                let name = self.new_processor_name("KTABLE-SOURCE-");
                let materialized =
                    store.as_ref().map(|_| self.add_store(store_name.clone(), StoreKind::KeyValue, true));
                let node = self.add_graph_node(
                    &[0],
                    GraphKind::TableSource { source: source.clone(), name, topic: topic.clone(), store: materialized },
                );
                let getter = match materialized {
                    Some(s) => Getter::Store(s),
                    None => {
                        self.pending_store_names.insert(node, store_name);
                        Getter::TableSource(node)
                    }
                };
                self.tables.push(KTable {
                    node,
                    sources: BTreeSet::from([source]),
                    getter: vec![getter],
                    windows: None,
                });
                (topic, Current::Table(self.tables.len() - 1))
            }
            Start::GlobalTable { topic } => {
                self.check_new_source(loc, topic)?;
                let store_name = self.new_store_name(&format!("{topic}-"));
                let source = self.new_processor_name("KSTREAM-SOURCE-");
                let name = self.new_processor_name("KTABLE-SOURCE-");
                // Global stores are restored from their source topic: no changelog.
                let store = self.add_store(store_name, StoreKind::KeyValue, false);
                self.add_graph_node(&[0], GraphKind::GlobalTableSource { source, name, topic: topic.clone(), store });
                self.globals.push(GlobalKTable { store });
                (topic, Current::GlobalTable(self.globals.len() - 1))
            }
            Start::From { name } => {
                return self.names.get(name).cloned().ok_or_else(|| {
                    let known: Vec<&str> = self.names.keys().map(String::as_str).collect();
                    err(loc, format!("no stream or table is named `{name}`"), known_names(&known))
                });
            }
        };
        self.names.insert(topic.clone(), cur.clone());
        Ok(cur)
    }

    /// Kafka: "Topic X has already been registered by another source."
    fn check_new_source(&self, loc: &Loc, topic: &str) -> Result<(), BuildError> {
        if self.names.contains_key(topic) {
            return Err(err(
                loc,
                format!("Invalid topology: Topic {topic} has already been registered by another source."),
                format!("read `{topic}` once and continue from it with `from: {topic}`"),
            ));
        }
        Ok(())
    }

    pub(super) fn steps(&mut self, base: &Loc, mut cur: Current, steps: &[Step]) -> Result<Current, BuildError> {
        for (j, step) in steps.iter().enumerate() {
            let mut loc = base.clone();
            loc.steps.push(j);
            cur = self.step(&loc, cur, step)?;
        }
        Ok(cur)
    }

    fn step(&mut self, loc: &Loc, cur: Current, step: &Step) -> Result<Current, BuildError> {
        match (cur.clone(), step) {
            (Current::Stream(s), _) => self.stream_step(loc, s, step, &cur),
            (Current::Grouped(g), Step::WindowedBy(w)) if g.windows.is_none() => {
                Ok(Current::Grouped(Grouped { windows: Some(*w), ..g }))
            }
            (Current::Grouped(g), Step::Count { store }) => Ok(self.aggregate(g, Aggregation::Count, store)),
            (Current::Grouped(g), Step::Reduce { reducer, store }) => {
                Ok(self.aggregate(g, Aggregation::Reduce(reducer.clone()), store))
            }
            (Current::Grouped(g), Step::Aggregate { initializer, aggregator, store }) => {
                let kind = Aggregation::Aggregate { initializer: initializer.clone(), aggregator: aggregator.clone() };
                Ok(self.aggregate(g, kind, store))
            }
            (Current::Table(t), _) => self.table_step(loc, t, step, &cur),
            _ => Err(self.wrong_kind(loc, step, &cur)),
        }
    }

    pub(super) fn wrong_kind(&self, loc: &Loc, step: &Step, cur: &Current) -> BuildError {
        let name = step_name(step);
        let help = match step {
            Step::Count { .. } | Step::Reduce { .. } | Step::Aggregate { .. } | Step::WindowedBy(_) => {
                "add `group_by_key` (or `group_by`) before it: aggregations work on a grouped stream"
            }
            Step::Suppress { .. } => "suppress works on the table a windowed aggregation returns",
            Step::To { .. } => "a table is written with `to_stream` then `to`",
            Step::GroupByKey { .. } | Step::GroupBy { .. } => "group a stream; a table is grouped by its key already",
            _ => "see the Kafka Streams chapter for which operators apply to streams and tables",
        };
        err(loc, format!("`{name}` does not apply to {}", kind_of(cur)), help)
    }

    fn stream_step(&mut self, loc: &Loc, s: usize, step: &Step, cur: &Current) -> Result<Current, BuildError> {
        let simple = |op: Op, prefix: &'static str, key_changing: bool| (op, prefix, key_changing);
        let (op, prefix, key_changing) = match step {
            Step::Filter { predicate, negate } => {
                simple(Op::Filter { predicate: Some(predicate.clone()), negate: *negate }, "KSTREAM-FILTER-", false)
            }
            Step::MapValues(e) => simple(Op::MapValues(e.clone()), "KSTREAM-MAPVALUES-", false),
            Step::Map(e) => simple(Op::Map(e.clone()), "KSTREAM-MAP-", true),
            Step::SelectKey(e) => simple(Op::SelectKey(e.clone()), "KSTREAM-KEY-SELECT-", true),
            Step::FlatMapValues(e) => simple(Op::FlatMapValues(e.clone()), "KSTREAM-FLATMAPVALUES-", false),
            Step::Peek => simple(Op::Peek, "KSTREAM-PEEK-", false),
            Step::Split { name, branches } => return self.split(loc, s, name.as_deref(), branches),
            Step::Merge { with } => return self.merge(loc, s, with),
            Step::To { topic } => {
                let name = self.new_processor_name("KSTREAM-SINK-");
                let parent = self.streams[s].node;
                self.add_graph_node(&[parent], GraphKind::Sink { name, topic: topic.clone() });
                return Ok(Current::Done);
            }
            Step::GroupByKey { grouped } => {
                let st = &self.streams[s];
                return Ok(Current::Grouped(Grouped {
                    node: st.node,
                    repartition_required: st.repartition_required,
                    sources: st.sources.clone(),
                    name: grouped.clone(),
                    windows: None,
                }));
            }
            Step::GroupBy { key, grouped } => {
                // groupBy names its key selector with the Grouped name, when given.
                let name = match grouped {
                    Some(g) => g.clone(),
                    None => self.new_processor_name("KSTREAM-KEY-SELECT-"),
                };
                let parent = self.streams[s].node;
                let node = self.add_graph_node(
                    &[parent],
                    GraphKind::Processor { name, op: Op::SelectKey(key.clone()), adds: vec![], connects: vec![] },
                );
                return Ok(Current::Grouped(Grouped {
                    node,
                    repartition_required: true,
                    sources: self.streams[s].sources.clone(),
                    name: grouped.clone(),
                    windows: None,
                }));
            }
            Step::Join(join) => return self.stream_join(loc, s, join),
            _ => return Err(self.wrong_kind(loc, step, cur)),
        };
        let name = self.new_processor_name(prefix);
        let parent = self.streams[s].node;
        let node = self.add_graph_node(&[parent], GraphKind::Processor { name, op, adds: vec![], connects: vec![] });
        let st = &self.streams[s];
        let stream = KStream {
            node,
            repartition_required: st.repartition_required || key_changing,
            sources: st.sources.clone(),
            join_repartition: None,
        };
        Ok(self.push_stream(stream))
    }

    pub(super) fn push_stream(&mut self, stream: KStream) -> Current {
        self.streams.push(stream);
        Current::Stream(self.streams.len() - 1)
    }

    pub(super) fn lookup_stream(&self, loc: &Loc, name: &str) -> Result<usize, BuildError> {
        match self.names.get(name) {
            Some(Current::Stream(s)) => Ok(*s),
            Some(other) => Err(err(loc, format!("`{name}` is {}, not a stream", kind_of(other)), "name a stream here")),
            None => Err(self.unknown(loc, name)),
        }
    }

    pub(super) fn lookup_table(&self, loc: &Loc, name: &str) -> Result<usize, BuildError> {
        match self.names.get(name) {
            Some(Current::Table(t)) => Ok(*t),
            Some(other) => Err(err(
                loc,
                format!("`{name}` is {}, not a table", kind_of(other)),
                "read it with `table:` (or name the table an aggregation returns with `as:`)",
            )),
            None => Err(self.unknown(loc, name)),
        }
    }

    pub(super) fn unknown(&self, loc: &Loc, name: &str) -> BuildError {
        let known: Vec<&str> = self.names.keys().map(String::as_str).collect();
        err(loc, format!("no stream or table is named `{name}`"), known_names(&known))
    }
}

fn known_names(known: &[&str]) -> String {
    if known.is_empty() {
        "start the pipeline with `stream:`, `table:` or `global_table:`".to_string()
    } else {
        format!("known names: {} (a source is named by its topic; name a result with `as:`)", known.join(", "))
    }
}
