//! The record cache of one stream thread (Kafka's `ThreadCache`, one
//! `NamedCache` per task and store): it keeps the latest update of each key
//! and hands updates downstream only when the thread commits, or when the
//! cache outgrows its share of `statestore.cache.max.bytes`. So a key
//! counted five times between two commits reaches the output topic once,
//! with 5.
//!
//! Rules, as `ThreadCache` and `NamedCache` apply them:
//! - the share is `statestore.cache.max.bytes / num.stream.threads`; a
//!   share of 0 hands every update on at once (caching off);
//! - a put overwrites the key's entry and makes it the most recently used;
//! - past the share, the least recently used entries **of the store just
//!   written** are evicted (handed on) until the cache fits again;
//! - a commit flushes each task's stores in order, each store's entries
//!   least recently used first.
//!
//! Simplification: an entry's size is its key and value bytes plus a fixed
//! [`ENTRY_OVERHEAD_BYTES`]; Kafka also counts the entry's topic name and
//! headers and the JVM's object overhead.

use indexmap::IndexMap;

use crate::streams::runtime::store::StoreKey;
use crate::streams::runtime::task::TaskId;
use crate::streams::topology::{NodeIdx, StoreIdx};

/// Per entry: the offset, timestamp and partition Kafka's `LRUCacheEntry`
/// keeps beside the bytes (8 + 8 + 4), and its dirty flag.
pub const ENTRY_OVERHEAD_BYTES: usize = 21;

/// An update waiting in the cache.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CacheEntry {
    /// The processor that wrote it, whose successors get it.
    pub node: NodeIdx,
    pub value: Option<Vec<u8>>,
    pub timestamp_ms: i64,
}

/// Updates handed on together: one store of one task.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Flushed {
    pub task: TaskId,
    pub store: StoreIdx,
    pub entries: Vec<(StoreKey, CacheEntry)>,
    pub eviction: bool,
}

#[derive(Clone, Debug, Default)]
pub struct RecordCache {
    /// This thread's share in bytes; 0 is no caching.
    pub max_bytes: usize,
    pub bytes: usize,
    /// In least recently used first order.
    entries: IndexMap<(TaskId, StoreIdx, StoreKey), CacheEntry>,
}

fn entry_size(key: &StoreKey, entry: &CacheEntry) -> usize {
    key.key.len()
        + if key.window.is_some() { 16 } else { 0 }
        + entry.value.as_ref().map_or(0, Vec::len)
        + ENTRY_OVERHEAD_BYTES
}

impl RecordCache {
    pub fn new(max_bytes: usize) -> Self {
        RecordCache { max_bytes, ..Default::default() }
    }

    pub fn enabled(&self) -> bool {
        self.max_bytes > 0
    }

    /// Entries waiting.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Puts an update; returns what had to be evicted to make room.
    pub fn put(&mut self, task: TaskId, store: StoreIdx, key: StoreKey, entry: CacheEntry) -> Option<Flushed> {
        let size = entry_size(&key, &entry);
        if let Some(old) = self.entries.shift_remove(&(task, store, key.clone())) {
            self.bytes -= entry_size(&key, &old);
        }
        self.bytes += size;
        self.entries.insert((task, store, key), entry);
        if self.bytes <= self.max_bytes {
            return None;
        }
        let mut evicted = Vec::new();
        while self.bytes > self.max_bytes {
            let Some(i) = self.entries.keys().position(|(t, s, _)| *t == task && *s == store) else { break };
            let Some(((_, _, k), e)) = self.entries.shift_remove_index(i) else { break };
            self.bytes -= entry_size(&k, &e);
            evicted.push((k, e));
        }
        Some(Flushed { task, store, entries: evicted, eviction: true })
    }

    /// Every entry, as a commit flushes them: by task, then store, each
    /// store's entries least recently used first.
    pub fn flush(&mut self) -> Vec<Flushed> {
        let mut groups: Vec<Flushed> = Vec::new();
        let mut keys: Vec<(TaskId, StoreIdx)> = self.entries.keys().map(|(t, s, _)| (*t, *s)).collect();
        keys.sort();
        keys.dedup();
        for (task, store) in keys {
            let entries = self
                .entries
                .iter()
                .filter(|((t, s, _), _)| *t == task && *s == store)
                .map(|((_, _, k), e)| (k.clone(), e.clone()))
                .collect();
            groups.push(Flushed { task, store, entries, eviction: false });
        }
        self.entries.clear();
        self.bytes = 0;
        groups
    }

    /// A task's entries go with it (the task closed, or its thread died).
    pub fn drop_task(&mut self, task: TaskId) {
        self.entries.retain(|(t, _, _), _| *t != task);
        self.bytes = self.entries.iter().map(|((_, _, k), e)| entry_size(k, e)).sum();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(k: &str) -> StoreKey {
        StoreKey { key: k.into(), window: None }
    }

    fn entry(v: &str) -> CacheEntry {
        CacheEntry { node: 1, value: Some(v.as_bytes().to_vec()), timestamp_ms: 0 }
    }

    const T: TaskId = TaskId { subtopology: 0, partition: 0 };

    #[test]
    fn updates_of_one_key_coalesce_until_the_flush() {
        let mut cache = RecordCache::new(10_000);
        for n in 1..=5 {
            assert_eq!(cache.put(T, 0, key("berlin"), entry(&n.to_string())), None);
        }
        let flushed = cache.flush();
        assert_eq!(flushed.len(), 1);
        assert_eq!(flushed[0].entries, vec![(key("berlin"), entry("5"))], "one update, the latest");
        assert!(cache.is_empty());
    }

    #[test]
    fn a_full_cache_evicts_the_least_recently_used_entry_of_the_store_written() {
        // Room for two entries of this size (6 + 1 + 21 = 28 bytes each).
        let mut cache = RecordCache::new(60);
        let other = TaskId { subtopology: 0, partition: 1 };
        assert_eq!(cache.put(other, 0, key("aaaaaa"), entry("1")), None);
        assert_eq!(cache.put(T, 0, key("bbbbbb"), entry("1")), None);
        let evicted = cache.put(T, 0, key("cccccc"), entry("1")).expect("over the share");
        assert_eq!(evicted.entries, vec![(key("bbbbbb"), entry("1"))], "not the other task's older entry");
        assert_eq!(cache.len(), 2);
    }

    #[test]
    fn a_share_of_zero_hands_every_update_on() {
        let mut cache = RecordCache::new(0);
        let evicted = cache.put(T, 0, key("k"), entry("1")).expect("caching is off");
        assert_eq!(evicted.entries.len(), 1);
        assert!(cache.is_empty());
    }
}
