//! Phase 1 of the builder: each DSL operator as Kafka's `KStreamImpl`,
//! `KGroupedStreamImpl`, `TimeWindowedKStreamImpl`, `KTableImpl` and
//! `BranchedKStreamImpl` implement it — which names it takes from the
//! counter, in which order, and which graph nodes it adds.

use std::collections::BTreeSet;

use super::{BuildError, Builder, Current, Getter, GlobalKTable, GraphKind, Grouped, KStream, KTable};
use crate::streams::expr::Expr;
use crate::streams::topology::dsl::{Branch, Join, JoinWith, Loc, Pipeline, Start, Step};
use crate::streams::topology::{Aggregation, Op, StoreKind};
use crate::streams::windows::Windows;

fn err(loc: &Loc, message: impl Into<String>, help: impl Into<String>) -> BuildError {
    BuildError { loc: loc.clone(), message: message.into(), help: help.into() }
}

/// What a value is, in a student's words and Kafka's type name.
fn kind_of(cur: &Current) -> &'static str {
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
fn is_generated(prefix: &str) -> bool {
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

    fn register(&mut self, loc: &Loc, name: &str, value: Current) -> Result<(), BuildError> {
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

    fn steps(&mut self, base: &Loc, mut cur: Current, steps: &[Step]) -> Result<Current, BuildError> {
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

    fn wrong_kind(&self, loc: &Loc, step: &Step, cur: &Current) -> BuildError {
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

    fn push_stream(&mut self, stream: KStream) -> Current {
        self.streams.push(stream);
        Current::Stream(self.streams.len() - 1)
    }

    fn lookup_stream(&self, loc: &Loc, name: &str) -> Result<usize, BuildError> {
        match self.names.get(name) {
            Some(Current::Stream(s)) => Ok(*s),
            Some(other) => Err(err(loc, format!("`{name}` is {}, not a stream", kind_of(other)), "name a stream here")),
            None => Err(self.unknown(loc, name)),
        }
    }

    fn lookup_table(&self, loc: &Loc, name: &str) -> Result<usize, BuildError> {
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

    fn unknown(&self, loc: &Loc, name: &str) -> BuildError {
        let known: Vec<&str> = self.names.keys().map(String::as_str).collect();
        err(loc, format!("no stream or table is named `{name}`"), known_names(&known))
    }

    /// `BranchedKStreamImpl`: the splitter, then one pass-through child per
    /// branch, each built (with its own operators) before the next.
    fn split(&mut self, loc: &Loc, s: usize, name: Option<&str>, branches: &[Branch]) -> Result<Current, BuildError> {
        let splitter = match name {
            Some(n) => n.to_string(),
            None => self.new_processor_name("KSTREAM-BRANCH-"),
        };
        let parent = self.streams[s].node;
        let split_node = self.add_graph_node(
            &[parent],
            GraphKind::Processor {
                name: splitter.clone(),
                op: Op::Branch { predicates: Vec::new() },
                adds: vec![],
                connects: vec![],
            },
        );
        let mut numbered = 0;
        for (b, branch) in branches.iter().enumerate() {
            let mut bloc = loc.clone();
            bloc.steps.push(b);
            let index = if branch.predicate.is_some() {
                numbered += 1;
                numbered
            } else {
                0
            };
            let child = match &branch.branch_name {
                Some(n) => format!("{splitter}{n}"),
                None => format!("{splitter}{index}"),
            };
            self.index += 1; // newProcessorName(branchChildName), whose result is unused
            let node = self.add_graph_node(
                &[split_node],
                GraphKind::Processor { name: child.clone(), op: Op::PassThrough, adds: vec![], connects: vec![] },
            );
            if let GraphKind::Processor { op: Op::Branch { predicates }, .. } = &mut self.graph[split_node].kind {
                predicates.push((branch.predicate.clone(), child));
            }
            let st = &self.streams[s];
            let stream = KStream {
                node,
                repartition_required: st.repartition_required,
                sources: st.sources.clone(),
                join_repartition: None,
            };
            let start = self.push_stream(stream);
            let end = self.steps(&bloc, start, &branch.steps)?;
            if let Some(n) = &branch.name {
                self.register(&bloc, n, end)?;
            }
        }
        Ok(Current::Done)
    }

    fn merge(&mut self, loc: &Loc, s: usize, with: &str) -> Result<Current, BuildError> {
        let other = self.lookup_stream(loc, with)?;
        let name = self.new_processor_name("KSTREAM-MERGE-");
        let parents = [self.streams[s].node, self.streams[other].node];
        let node = self.add_graph_node(
            &parents,
            GraphKind::Processor { name, op: Op::PassThrough, adds: vec![], connects: vec![] },
        );
        let (a, b) = (&self.streams[s], &self.streams[other]);
        let stream = KStream {
            node,
            repartition_required: a.repartition_required || b.repartition_required,
            sources: a.sources.union(&b.sources).cloned().collect(),
            join_repartition: None,
        };
        Ok(self.push_stream(stream))
    }

    /// `createRepartitionedSource`: three numbers burnt; generated names
    /// when the prefix is generated, else `<topic>-sink|filter|source`.
    fn repartition(&mut self, parent: usize, prefix: &str) -> (usize, String) {
        let topic = if prefix.ends_with("-repartition") { prefix.to_string() } else { format!("{prefix}-repartition") };
        let gen_sink = self.new_processor_name("KSTREAM-SINK-");
        let gen_filter = self.new_processor_name("KSTREAM-FILTER-");
        let gen_source = self.new_processor_name("KSTREAM-SOURCE-");
        let (sink, filter, source) = if is_generated(prefix) {
            (gen_sink, gen_filter, gen_source)
        } else {
            (format!("{topic}-sink"), format!("{topic}-filter"), format!("{topic}-source"))
        };
        let node =
            self.add_graph_node(&[parent], GraphKind::Repartition { filter, sink, source: source.clone(), topic });
        (node, source)
    }

    /// `repartitionForJoin(this.name)`: a stream repartitioned before a join
    /// keeps its repartition for the next join (the numbers are burnt anyway).
    fn repartition_for_join(&mut self, s: usize) -> usize {
        let name = self.graph[self.streams[s].node].kind.node_name().to_string();
        let (node, source) = match self.streams[s].join_repartition.clone() {
            Some(existing) => {
                self.index += 3;
                existing
            }
            None => {
                let made = self.repartition(self.streams[s].node, &name);
                self.streams[s].join_repartition = Some(made.clone());
                made
            }
        };
        let stream =
            KStream { node, repartition_required: false, sources: BTreeSet::from([source]), join_repartition: None };
        self.streams.push(stream);
        self.streams.len() - 1
    }

    /// `GroupedStreamAggregateBuilder.build` behind count, reduce and aggregate.
    fn aggregate(&mut self, g: Grouped, kind: Aggregation, store: &Option<String>) -> Current {
        let prefix = if matches!(kind, Aggregation::Reduce(_)) { "KSTREAM-REDUCE-" } else { "KSTREAM-AGGREGATE-" };
        let store_name = match store {
            Some(s) => s.clone(),
            None => self.new_store_name(prefix),
        };
        let name = self.new_processor_name(prefix);
        let (mut parent, mut sources) = (g.node, g.sources.clone());
        if g.repartition_required {
            let topic_prefix = g.name.clone().unwrap_or_else(|| store_name.clone());
            let (node, source) = self.repartition(parent, &topic_prefix);
            parent = node;
            sources = BTreeSet::from([source]);
        }
        let store_kind = match g.windows {
            None => StoreKind::KeyValue,
            Some(Windows::Session { .. }) => StoreKind::Session,
            Some(_) => StoreKind::Window,
        };
        let store = self.add_store(store_name, store_kind, true);
        let op = Op::Aggregate { kind, store, windows: g.windows };
        let node =
            self.add_graph_node(&[parent], GraphKind::Processor { name, op, adds: vec![store], connects: vec![] });
        self.tables.push(KTable { node, sources, getter: vec![Getter::Store(store)], windows: g.windows });
        Current::Table(self.tables.len() - 1)
    }

    fn table_step(&mut self, loc: &Loc, t: usize, step: &Step, cur: &Current) -> Result<Current, BuildError> {
        let parent = self.tables[t].node;
        let (op, prefix) = match step {
            Step::Filter { predicate, negate } => {
                (Op::KTableFilter { predicate: predicate.clone(), negate: *negate }, "KTABLE-FILTER-")
            }
            Step::MapValues(e) => (Op::KTableMapValues(e.clone()), "KTABLE-MAPVALUES-"),
            Step::ToStream => {
                let name = self.new_processor_name("KTABLE-TOSTREAM-");
                let node = self.add_graph_node(
                    &[parent],
                    GraphKind::Processor { name, op: Op::ToStream, adds: vec![], connects: vec![] },
                );
                let stream = KStream {
                    node,
                    repartition_required: false,
                    sources: self.tables[t].sources.clone(),
                    join_repartition: None,
                };
                return Ok(self.push_stream(stream));
            }
            Step::Suppress { name } => return self.suppress(loc, t, name.as_deref()),
            Step::Join(join) => return self.table_join(loc, t, join),
            _ => return Err(self.wrong_kind(loc, step, cur)),
        };
        let name = self.new_processor_name(prefix);
        let node = self.add_graph_node(&[parent], GraphKind::Processor { name, op, adds: vec![], connects: vec![] });
        let table = KTable { node, ..self.tables[t].clone() };
        self.tables.push(table);
        Ok(Current::Table(self.tables.len() - 1))
    }

    /// `KTableImpl.suppress(untilWindowCloses(unbounded()))`.
    fn suppress(&mut self, loc: &Loc, t: usize, given: Option<&str>) -> Result<Current, BuildError> {
        let Some(windows) = self.tables[t].windows else {
            return Err(err(
                loc,
                "suppress `until_window_closes` needs a windowed table",
                "Suppressed.untilWindowCloses takes the Windowed keys of a windowed aggregation: add `windowed_by` before the aggregation",
            ));
        };
        let name = match given {
            Some(n) => n.to_string(),
            None => self.new_processor_name("KTABLE-SUPPRESS-"),
        };
        let store_name = match given {
            Some(n) => format!("{n}-store"),
            None => self.new_store_name("KTABLE-SUPPRESS-"),
        };
        let store = self.add_store(store_name, StoreKind::SuppressBuffer, true);
        let parent = self.tables[t].node;
        let node = self.add_graph_node(
            &[parent],
            GraphKind::Processor { name, op: Op::Suppress { store, windows }, adds: vec![store], connects: vec![] },
        );
        let table = KTable { node, ..self.tables[t].clone() };
        self.tables.push(table);
        Ok(Current::Table(self.tables.len() - 1))
    }

    fn stream_join(&mut self, loc: &Loc, s: usize, join: &Join) -> Result<Current, BuildError> {
        match &join.with {
            JoinWith::Stream { name, before_ms, after_ms, .. } => {
                if join.left {
                    return Err(err(
                        loc,
                        "`left_join` of two streams is not modelled",
                        "use `join` (an inner join) between streams",
                    ));
                }
                let other = self.lookup_stream(loc, name)?;
                self.stream_stream_join(s, other, &join.joiner, *before_ms, *after_ms)
            }
            JoinWith::Table { name } => {
                let t = self.lookup_table(loc, name)?;
                self.stream_table_join(loc, s, t, join)
            }
            JoinWith::GlobalTable { name, key } => {
                let g = match self.names.get(name) {
                    Some(Current::GlobalTable(g)) => *g,
                    Some(other) => {
                        return Err(err(
                            loc,
                            format!("`{name}` is {}, not a global table", kind_of(other)),
                            "read it with `global_table:`",
                        ));
                    }
                    None => return Err(self.unknown(loc, name)),
                };
                // Kafka names this processor KSTREAM-LEFTJOIN- for inner joins too.
                let pname = self.new_processor_name("KSTREAM-LEFTJOIN-");
                let op = Op::StreamGlobalTableJoin {
                    global_store: self.globals[g].store,
                    key: key.clone(),
                    joiner: join.joiner.clone(),
                    left: join.left,
                };
                let parent = self.streams[s].node;
                let node = self.add_graph_node(
                    &[parent],
                    GraphKind::Processor { name: pname, op, adds: vec![], connects: vec![] },
                );
                let stream = KStream { node, join_repartition: None, ..self.streams[s].clone() };
                Ok(self.push_stream(stream))
            }
        }
    }

    /// `KStreamImpl.doJoin` and `KStreamImplJoin.join`.
    fn stream_stream_join(
        &mut self,
        s: usize,
        other: usize,
        joiner: &Expr,
        before_ms: i64,
        after_ms: i64,
    ) -> Result<Current, BuildError> {
        let this = if self.streams[s].repartition_required { self.repartition_for_join(s) } else { s };
        let other = if self.streams[other].repartition_required { self.repartition_for_join(other) } else { other };
        let sources: BTreeSet<String> =
            self.streams[this].sources.union(&self.streams[other].sources).cloned().collect();
        self.copartition.push(sources.clone());
        let this_windowed = self.new_processor_name("KSTREAM-WINDOWED-");
        let other_windowed = self.new_processor_name("KSTREAM-WINDOWED-");
        let this_join = self.new_processor_name("KSTREAM-JOINTHIS-");
        let other_join = self.new_processor_name("KSTREAM-JOINOTHER-");
        let merge = self.new_processor_name("KSTREAM-MERGE-");
        let this_store = self.add_store(format!("{this_join}-store"), StoreKind::JoinWindow, true);
        let other_store = self.add_store(format!("{other_join}-store"), StoreKind::JoinWindow, true);
        let (this_node, other_node) = (self.streams[this].node, self.streams[other].node);
        self.add_graph_node(
            &[this_node],
            GraphKind::Processor {
                name: this_windowed.clone(),
                op: Op::JoinWindow { store: this_store },
                adds: vec![],
                connects: vec![],
            },
        );
        self.add_graph_node(
            &[other_node],
            GraphKind::Processor {
                name: other_windowed.clone(),
                op: Op::JoinWindow { store: other_store },
                adds: vec![],
                connects: vec![],
            },
        );
        let this_op =
            Op::StreamStreamJoin { other_store, joiner: joiner.clone(), this_side: true, before_ms, after_ms };
        let other_op = Op::StreamStreamJoin {
            other_store: this_store,
            joiner: joiner.clone(),
            this_side: false,
            before_ms,
            after_ms,
        };
        let node = self.add_graph_node(
            &[this_node, other_node],
            GraphKind::StreamStreamJoin {
                this_windowed,
                other_windowed,
                this_join: (this_join, this_op),
                other_join: (other_join, other_op),
                merge,
                this_store,
                other_store,
            },
        );
        Ok(self.push_stream(KStream { node, repartition_required: false, sources, join_repartition: None }))
    }

    /// `KStreamImpl.join(KTable)` / `leftJoin(KTable)`.
    fn stream_table_join(&mut self, loc: &Loc, s: usize, t: usize, join: &Join) -> Result<Current, BuildError> {
        if self.tables[t].getter.len() > 1 {
            return Err(err(
                loc,
                "joining a stream with a table that is itself a join is not modelled",
                "join with a table read from a topic or returned by an aggregation",
            ));
        }
        let this = if self.streams[s].repartition_required { self.repartition_for_join(s) } else { s };
        let sources: BTreeSet<String> = self.streams[this].sources.union(&self.tables[t].sources).cloned().collect();
        self.copartition.push(sources.clone());
        let name = self.new_processor_name(if join.left { "KSTREAM-LEFTJOIN-" } else { "KSTREAM-JOIN-" });
        let stores = self.getter_stores(t);
        let op = Op::StreamTableJoin { table_store: stores[0], joiner: join.joiner.clone(), left: join.left };
        let parent = self.streams[this].node;
        let node = self.add_graph_node(&[parent], GraphKind::Processor { name, op, adds: vec![], connects: stores });
        Ok(self.push_stream(KStream { node, repartition_required: false, sources, join_repartition: None }))
    }

    /// `KTableImpl.doJoin` (inner).
    fn table_join(&mut self, loc: &Loc, t: usize, join: &Join) -> Result<Current, BuildError> {
        let JoinWith::Table { name: other_name } = &join.with else {
            return Err(err(loc, "a table joins only another table", "join a table with `join: { table: NAME }`"));
        };
        if join.left {
            return Err(err(
                loc,
                "`left_join` of two tables is not modelled",
                "use `join` (an inner join) between tables",
            ));
        }
        let other = self.lookup_table(loc, other_name)?;
        let merge = self.new_processor_name("KTABLE-MERGE-");
        let sources: BTreeSet<String> = self.tables[t].sources.union(&self.tables[other].sources).cloned().collect();
        self.copartition.push(sources.clone());
        let this_name = self.new_processor_name("KTABLE-JOINTHIS-");
        let other_proc = self.new_processor_name("KTABLE-JOINOTHER-");
        let this_getter = self.getter_stores(t);
        let other_getter = self.getter_stores(other);
        let this_op = Op::TableTableJoin { other_store: other_getter[0], joiner: join.joiner.clone(), this_side: true };
        let other_op =
            Op::TableTableJoin { other_store: this_getter[0], joiner: join.joiner.clone(), this_side: false };
        let (this_node, other_node) = (self.tables[t].node, self.tables[other].node);
        let this_parent = self.graph[this_node].kind.node_name().to_string();
        let other_parent = self.graph[other_node].kind.node_name().to_string();
        let node = self.add_graph_node(
            &[this_node, other_node],
            GraphKind::TableTableJoin {
                this_parent,
                other_parent,
                this_join: (this_name, this_op, other_getter),
                other_join: (other_proc, other_op, this_getter),
                merge,
            },
        );
        let mut getter = self.tables[t].getter.clone();
        getter.extend(self.tables[other].getter.clone());
        self.tables.push(KTable { node, sources, getter, windows: None });
        Ok(Current::Table(self.tables.len() - 1))
    }
}

fn known_names(known: &[&str]) -> String {
    if known.is_empty() {
        "start the pipeline with `stream:`, `table:` or `global_table:`".to_string()
    } else {
        format!("known names: {} (a source is named by its topic; name a result with `as:`)", known.join(", "))
    }
}
