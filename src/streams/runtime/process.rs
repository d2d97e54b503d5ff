//! How a task runs one record through its processors, as Kafka's
//! processor classes do (`KStreamFilter`, `KStreamMapValues`,
//! `KStreamAggregate`, `KStreamWindowAggregate`, `KTableSuppressProcessor`,
//! `SinkNode`, ...): each processor forwards zero or more records to its
//! successors, depth first, in successor order.
//!
//! - Aggregations skip a record with a null key or value (Kafka counts it
//!   in `dropped-records`).
//! - A windowed aggregation first moves its observed stream time on to the
//!   record's time, then updates each window of the record that is still
//!   open (`end > observed − grace`); each closed one is a dropped record.
//! - `suppress(untilWindowCloses)` buffers the latest result per window and
//!   key, and emits it once its own stream time reaches `end + grace`.
//! - A store update goes through the thread's record cache ([`super::cache`])
//!   before it reaches the changelog and the successors.
//!
//! Simplification: windowed results carry the timestamp of the record
//! that updated them (Kafka takes the larger of that and the window's
//! previous result's); sinks partition windowed keys by their whole text
//! (Kafka's `WindowedStreamPartitioner` hashes the inner key).
//! Simplification: the suppression buffer writes its changelog at each
//! change rather than at commit.

use jaq_json::Val;

use crate::streams::StreamsApp;
use crate::streams::expr::{key_to_val, val_to_bytes, value_to_val};
use crate::streams::runtime::Output;
use crate::streams::runtime::cache::{CacheEntry, Flushed, RecordCache};
use crate::streams::runtime::store::StoreKey;
use crate::streams::runtime::task::{Suppressed, Task};
use crate::streams::topology::{Aggregation, NodeIdx, NodeKind, Op, StoreIdx};
use crate::streams::windows::{Window, Windows, time_windows_for};
use crate::trace::streams::StreamsHappening;

/// A record on its way through the processors.
#[derive(Clone, Debug)]
pub struct Rec {
    pub key: Val,
    pub value: Val,
    pub timestamp_ms: i64,
    /// The window of a windowed aggregation's result.
    pub window: Option<Window>,
}

/// What processing a record may touch beyond the task.
pub struct Env<'a> {
    pub app: &'a StreamsApp,
    pub cache: &'a mut RecordCache,
    pub outputs: &'a mut Vec<Output>,
    pub happenings: &'a mut Vec<StreamsHappening>,
}

/// A processor that failed, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failure {
    pub processor: String,
    pub error: String,
}

/// A key's text in a store and in narration: a string key as it is.
pub fn key_text(key: &Val) -> Option<String> {
    val_to_bytes(key).map(|b| String::from_utf8_lossy(&b).into_owned())
}

fn bytes_text(value: Option<&[u8]>) -> String {
    value.map_or("null".to_string(), |v| String::from_utf8_lossy(v).into_owned())
}

/// `{aggregate, value}`: what reducers and aggregators see.
fn combined(aggregate: &Val, value: &Val) -> Val {
    let text = format!("{{\"aggregate\":{aggregate},\"value\":{value}}}");
    value_to_val(Some(text.as_bytes()))
}

/// A `map` result `{key, value}` split into its parts.
fn key_value(out: &Val) -> Result<(Val, Val), String> {
    let json: serde_json::Value =
        serde_json::from_str(&out.to_string()).map_err(|e| format!("`map` must yield {{key, value}}: {e}"))?;
    let serde_json::Value::Object(map) = json else {
        return Err(format!("`map` must yield an object {{key, value}}, not {out}"));
    };
    let part = |name: &str| match map.get(name) {
        None | Some(serde_json::Value::Null) => Val::Null,
        Some(serde_json::Value::String(s)) => Val::from(s.clone()),
        Some(other) => value_to_val(Some(other.to_string().as_bytes())),
    };
    Ok((part("key"), part("value")))
}

impl Task {
    /// Runs `rec` through `node` and on through its successors.
    pub fn process_node(&mut self, env: &mut Env<'_>, node: NodeIdx, rec: Rec) -> Result<(), Failure> {
        let topology = &env.app.topology;
        let name = &topology.nodes[node].name;
        let fail = |error: String| Failure { processor: name.clone(), error };
        let key = [rec.key.clone()];
        match &topology.nodes[node].kind {
            NodeKind::Source { .. } => self.forward(env, node, rec),
            NodeKind::Sink { topic, repartition } => {
                let topic = if *repartition { env.app.internal_topic(topic) } else { topic.clone() };
                let key = match (rec.window, key_text(&rec.key)) {
                    (Some(window), Some(k)) => Some(StoreKey { key: k, window: Some(window) }.text().into_bytes()),
                    _ => val_to_bytes(&rec.key),
                };
                env.outputs.push(Output {
                    topic,
                    partition: None,
                    key,
                    value: val_to_bytes(&rec.value),
                    timestamp_ms: rec.timestamp_ms,
                });
                Ok(())
            }
            NodeKind::Processor(op) => match op {
                Op::Filter { predicate: None, .. } => {
                    // The filter Kafka puts before a repartition sink: null keys cannot be partitioned.
                    if matches!(rec.key, Val::Null) { Ok(()) } else { self.forward(env, node, rec) }
                }
                Op::Filter { predicate: Some(p), negate } | Op::KTableFilter { predicate: p, negate } => {
                    let table = matches!(op, Op::KTableFilter { .. });
                    if table && matches!(rec.value, Val::Null) {
                        return self.forward(env, node, rec);
                    }
                    let pass = p.test(rec.value.clone(), &key).map_err(fail)? != *negate;
                    match (pass, table) {
                        (true, _) => self.forward(env, node, rec),
                        // A table's filtered-out row is deleted downstream.
                        (false, true) => self.forward(env, node, Rec { value: Val::Null, ..rec }),
                        (false, false) => Ok(()),
                    }
                }
                Op::MapValues(e) | Op::KTableMapValues(e) => {
                    if matches!(op, Op::KTableMapValues(_)) && matches!(rec.value, Val::Null) {
                        return self.forward(env, node, rec);
                    }
                    let value = e.run_one(rec.value.clone(), &key).map_err(fail)?;
                    self.forward(env, node, Rec { value, ..rec })
                }
                Op::Map(e) => {
                    let out = e.run_one(rec.value.clone(), &key).map_err(fail)?;
                    let (k, value) = key_value(&out).map_err(fail)?;
                    self.forward(env, node, Rec { key: k, value, ..rec })
                }
                Op::SelectKey(e) => {
                    let k = e.run_one(rec.value.clone(), &key).map_err(fail)?;
                    self.forward(env, node, Rec { key: k, ..rec })
                }
                Op::FlatMapValues(e) => {
                    for value in e.run(rec.value.clone(), &key).map_err(fail)? {
                        self.forward(env, node, Rec { value, ..rec.clone() })?;
                    }
                    Ok(())
                }
                Op::Peek | Op::PassThrough | Op::ToStream => self.forward(env, node, rec),
                Op::Branch { predicates } => {
                    for (predicate, child) in predicates {
                        let taken = match predicate {
                            None => true,
                            Some(p) => p.test(rec.value.clone(), &key).map_err(fail)?,
                        };
                        if taken {
                            return match topology.node(child) {
                                Some(c) => self.process_node(env, c, rec),
                                None => Ok(()),
                            };
                        }
                    }
                    Ok(())
                }
                Op::TableSource { store: Some(store) } => {
                    let Some(k) = key_text(&rec.key) else { return Ok(()) };
                    let value = val_to_bytes(&rec.value);
                    self.update(env, node, *store, StoreKey { key: k, window: None }, value, rec.timestamp_ms)
                }
                Op::TableSource { store: None } => self.forward(env, node, rec),
                Op::Aggregate { kind, store, windows } => self.aggregate(env, node, kind, *store, *windows, rec),
                Op::Suppress { windows, .. } => self.suppress(env, node, *windows, rec),
                // `unsupported` keeps applications with these from running.
                Op::JoinWindow { .. }
                | Op::StreamStreamJoin { .. }
                | Op::StreamTableJoin { .. }
                | Op::StreamGlobalTableJoin { .. }
                | Op::TableTableJoin { .. }
                | Op::GlobalTableSource { .. } => Ok(()),
            },
        }
    }

    fn forward(&mut self, env: &mut Env<'_>, node: NodeIdx, rec: Rec) -> Result<(), Failure> {
        let successors = env.app.topology.nodes[node].successors.clone();
        for s in successors {
            self.process_node(env, s, rec.clone())?;
        }
        Ok(())
    }

    /// `KStreamAggregate` / `KStreamWindowAggregate`.
    fn aggregate(
        &mut self,
        env: &mut Env<'_>,
        node: NodeIdx,
        kind: &Aggregation,
        store: StoreIdx,
        windows: Option<Windows>,
        rec: Rec,
    ) -> Result<(), Failure> {
        let processor = env.app.topology.nodes[node].name.clone();
        let Some(k) = key_text(&rec.key).filter(|_| !matches!(rec.value, Val::Null)) else {
            self.dropped_records += 1;
            return Ok(());
        };
        let keys: Vec<StoreKey> = match windows {
            None => vec![StoreKey { key: k.clone(), window: None }],
            Some(w @ Windows::Time { size_ms, advance_ms, .. }) => {
                let observed = self.observed_ms.entry(node).or_insert(i64::MIN);
                *observed = (*observed).max(rec.timestamp_ms);
                let observed = *observed;
                let mut open = Vec::new();
                for window in time_windows_for(size_ms, advance_ms, rec.timestamp_ms) {
                    if w.is_closed(window, observed) {
                        self.dropped_records += 1;
                        env.happenings.push(StreamsHappening::RecordDropped {
                            task: self.id.to_string(),
                            processor: processor.clone(),
                            key: k.clone(),
                            timestamp_ms: rec.timestamp_ms,
                            window: format!("[{}, {})", window.start_ms, window.end_ms),
                            stream_time_ms: observed,
                        });
                    } else {
                        open.push(StoreKey { key: k.clone(), window: Some(window) });
                    }
                }
                open
            }
            // `unsupported` keeps applications with these from running.
            Some(Windows::Sliding { .. } | Windows::Session { .. }) => Vec::new(),
        };
        let key = [rec.key.clone()];
        for store_key in keys {
            let old = self.stores.get(&store).and_then(|s| s.get(&store_key)).map(|b| value_to_val(Some(b)));
            let fail = |error: String| Failure { processor: processor.clone(), error };
            let new = match (kind, old) {
                (Aggregation::Count, old) => {
                    let n = old.map_or(0, |v| v.to_string().parse::<i64>().unwrap_or(0));
                    Val::from(n as isize + 1)
                }
                (Aggregation::Reduce(_), None) => rec.value.clone(),
                (Aggregation::Reduce(reducer), Some(old)) => {
                    reducer.run_one(combined(&old, &rec.value), &key).map_err(fail)?
                }
                (Aggregation::Aggregate { initializer, aggregator }, old) => {
                    let aggregate = match old {
                        Some(v) => v,
                        None => initializer.run_one(Val::Null, &[]).map_err(fail)?,
                    };
                    aggregator.run_one(combined(&aggregate, &rec.value), &key).map_err(fail)?
                }
            };
            self.update(env, node, store, store_key, val_to_bytes(&new), rec.timestamp_ms)?;
        }
        Ok(())
    }

    /// A store update: into the store, then through the cache (or, with
    /// caching off, at once) to the changelog and the successors.
    fn update(
        &mut self,
        env: &mut Env<'_>,
        node: NodeIdx,
        store: StoreIdx,
        key: StoreKey,
        value: Option<Vec<u8>>,
        timestamp_ms: i64,
    ) -> Result<(), Failure> {
        self.stores.entry(store).or_default().put(key.clone(), value.clone());
        let entry = CacheEntry { node, value, timestamp_ms };
        if !env.cache.enabled() {
            return self.hand_on(env, Flushed { task: self.id, store, entries: vec![(key, entry)], eviction: false });
        }
        match env.cache.put(self.id, store, key, entry) {
            Some(evicted) => self.hand_on(env, evicted),
            None => Ok(()),
        }
    }

    /// Updates leaving the cache: each to the store's changelog, then to
    /// the successors of the processor that made it.
    pub fn hand_on(&mut self, env: &mut Env<'_>, flushed: Flushed) -> Result<(), Failure> {
        if flushed.entries.is_empty() {
            return Ok(());
        }
        let store = &env.app.topology.stores[flushed.store];
        if env.cache.enabled() {
            env.happenings.push(StreamsHappening::CacheFlushed {
                task: self.id.to_string(),
                store: store.name.clone(),
                records: flushed.entries.len(),
                eviction: flushed.eviction,
            });
        }
        let changelog = store.logged.then(|| env.app.internal_topic(&format!("{}-changelog", store.name)));
        for (key, entry) in flushed.entries {
            if let Some(topic) = &changelog {
                env.outputs.push(Output {
                    topic: topic.clone(),
                    partition: Some(self.id.partition),
                    key: Some(key.text().into_bytes()),
                    value: entry.value.clone(),
                    timestamp_ms: entry.timestamp_ms,
                });
            }
            let rec = Rec {
                key: key_to_val(Some(key.key.as_bytes())),
                value: value_to_val(entry.value.as_deref()),
                timestamp_ms: entry.timestamp_ms,
                window: key.window,
            };
            self.forward(env, entry.node, rec)?;
        }
        Ok(())
    }

    /// `KTableSuppressProcessor` with `untilWindowCloses`.
    fn suppress(&mut self, env: &mut Env<'_>, node: NodeIdx, windows: Windows, rec: Rec) -> Result<(), Failure> {
        let observed = self.observed_ms.entry(node).or_insert(i64::MIN);
        *observed = (*observed).max(rec.timestamp_ms);
        let observed = *observed;
        let grace_ms = windows.grace_ms();
        let store = match &env.app.topology.nodes[node].kind {
            NodeKind::Processor(Op::Suppress { store, .. }) => Some(*store),
            _ => None,
        };
        if let (Some(window), Some(k)) = (rec.window, key_text(&rec.key)) {
            let key = StoreKey { key: k, window: Some(window) };
            let value = val_to_bytes(&rec.value);
            self.log_suppressed(env, store, &key, value.clone(), rec.timestamp_ms);
            self.suppressed
                .entry(node)
                .or_default()
                .insert((window.end_ms, key), Suppressed { value, timestamp_ms: rec.timestamp_ms });
        }
        let buffer = self.suppressed.entry(node).or_default();
        let closed: Vec<(i64, StoreKey)> =
            buffer.keys().take_while(|(end, _)| end.saturating_add(grace_ms) <= observed).cloned().collect();
        for entry in closed {
            let Some(s) = self.suppressed.get_mut(&node).and_then(|b| b.remove(&entry)) else { continue };
            let (_, key) = entry;
            self.log_suppressed(env, store, &key, None, s.timestamp_ms);
            env.happenings.push(StreamsHappening::WindowEmitted {
                task: self.id.to_string(),
                key: key.key.clone(),
                window: key.window.map_or(String::new(), |w| format!("[{}, {})", w.start_ms, w.end_ms)),
                value: bytes_text(s.value.as_deref()),
            });
            let rec = Rec {
                key: key_to_val(Some(key.key.as_bytes())),
                value: value_to_val(s.value.as_deref()),
                timestamp_ms: s.timestamp_ms,
                window: key.window,
            };
            self.forward(env, node, rec)?;
        }
        Ok(())
    }

    /// The suppression buffer's changelog record (a tombstone once emitted).
    fn log_suppressed(
        &mut self,
        env: &mut Env<'_>,
        store: Option<StoreIdx>,
        key: &StoreKey,
        value: Option<Vec<u8>>,
        timestamp_ms: i64,
    ) {
        let Some(store) = store else { return };
        self.stores.entry(store).or_default().put(key.clone(), value.clone());
        let s = &env.app.topology.stores[store];
        if s.logged {
            env.outputs.push(Output {
                topic: env.app.internal_topic(&format!("{}-changelog", s.name)),
                partition: Some(self.id.partition),
                key: Some(key.text().into_bytes()),
                value,
                timestamp_ms,
            });
        }
    }
}
