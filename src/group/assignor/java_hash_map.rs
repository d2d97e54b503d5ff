//! Java collection behaviour that leaks into Kafka's assignment results.
//!
//! Kafka's sticky assignor walks `java.util.HashMap`s keyed by member id, and the range
//! assignor walks a `HashMap` keyed by topic name, so *which* member keeps an extra
//! partition, or in which order a member's topics are listed, follows Java's hash-table
//! iteration order. This module reproduces that order so kafkasim can give the same answer
//! as a real Java consumer group leader.
//!
//! What is emulated:
//! - `String.hashCode()`: `h = 31*h + c` over UTF-16 code units, wrapping 32-bit.
//! - `TopicPartition.hashCode()`: `31*(31 + partition) + topic.hashCode()`, wrapping.
//! - `HashMap.hash()`: the hash is spread as `h ^ (h >>> 16)` before picking a bucket
//!   `hash & (capacity - 1)`.
//! - Capacity rules of a map built with `new HashMap<>()` / `new HashSet<>()`: 16 buckets on
//!   the first insert, doubling whenever the size passes 0.75 × capacity, and the extra
//!   doubling Java does when a ninth entry lands in one bucket of a table smaller than 64.
//!   Tables never shrink on removal.
//! - Iteration order: by bucket index, and within a bucket by the bucket's list order. `put`
//!   appends to that list, `computeIfAbsent` prepends to it (and grows the table lazily,
//!   before inserting, instead of after), and a resize splits each list without reordering.
//! - `String.compareTo`: lexicographic over UTF-16 code units, which differs from Rust's
//!   byte order only for characters outside the Basic Multilingual Plane.
//!
//! Simplification: once a bucket holds nine or more entries in a table of 64+ buckets, Java
//! turns it into a red-black tree and later inserts into that bucket are no longer appended
//! at its end. That needs nine member ids (or topic names) with colliding hashes; we keep
//! appending, so the order can differ from Java in that adversarial case only.

use std::cmp::Ordering;

use super::TopicPartition;

/// Buckets of a fresh `HashMap` after its first insert.
const INITIAL_CAPACITY: usize = 16;
/// A bucket holding this many entries is converted to a tree (or the table is grown).
const TREEIFY_THRESHOLD: usize = 8;
/// Below this many buckets Java grows the table instead of building a tree bucket.
const MIN_TREEIFY_CAPACITY: usize = 64;

/// A value with Java's `hashCode()`.
pub trait JavaHash {
    fn java_hash(&self) -> i32;
}

impl JavaHash for str {
    fn java_hash(&self) -> i32 {
        string_hash(self)
    }
}

impl JavaHash for String {
    fn java_hash(&self) -> i32 {
        string_hash(self)
    }
}

impl JavaHash for TopicPartition {
    fn java_hash(&self) -> i32 {
        topic_partition_hash(self)
    }
}

/// Java's `String.hashCode()`.
pub fn string_hash(s: &str) -> i32 {
    s.encode_utf16().fold(0i32, |h, unit| h.wrapping_mul(31).wrapping_add(i32::from(unit)))
}

/// Kafka's `TopicPartition.hashCode()`.
pub fn topic_partition_hash(tp: &TopicPartition) -> i32 {
    // Kafka stores the partition as a Java int; ids above i32::MAX cannot exist there.
    let partition = tp.partition as i32;
    31i32.wrapping_mul(31i32.wrapping_add(partition)).wrapping_add(string_hash(&tp.topic))
}

/// Java's `String.compareTo`: UTF-16 code-unit order.
pub fn java_cmp(a: &str, b: &str) -> Ordering {
    a.encode_utf16().cmp(b.encode_utf16())
}

/// Sorts strings the way `Collections.sort` sorts Java strings.
pub fn sort_java_strings(items: &mut [String]) {
    items.sort_by(|a, b| java_cmp(a, b));
}

/// `HashMap.hash()`: folds the high half of the hash into the low half.
fn spread(hash: i32) -> u32 {
    let h = hash as u32;
    h ^ (h >> 16)
}

struct Slot<K> {
    key: K,
    spread_hash: u32,
    /// Place in its bucket's list: appended entries count up, prepended ones down, so
    /// sorting by it reproduces the list order inside every bucket.
    place: i64,
}

/// The iteration order of one Java `HashMap` (or `HashSet`) over its keys.
///
/// Only keys are tracked: values never influence where Java keeps an entry.
pub struct JavaHashOrder<K> {
    capacity: usize,
    next_place: i64,
    slots: Vec<Slot<K>>,
}

impl<K: JavaHash + PartialEq> Default for JavaHashOrder<K> {
    fn default() -> Self {
        Self::new()
    }
}

impl<K: JavaHash + PartialEq> JavaHashOrder<K> {
    /// A map created with `new HashMap<>()`.
    pub fn new() -> Self {
        Self { capacity: INITIAL_CAPACITY, next_place: 1, slots: Vec::new() }
    }

    /// A map filled by `put` calls in this order.
    pub fn from_keys(keys: impl IntoIterator<Item = K>) -> Self {
        let mut map = Self::new();
        for key in keys {
            map.insert(key);
        }
        map
    }

    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    pub fn contains(&self, key: &K) -> bool {
        self.slots.iter().any(|slot| slot.key == *key)
    }

    /// `put`/`add`. Re-inserting a present key keeps its place, as in Java.
    /// Returns whether the key was new.
    pub fn insert(&mut self, key: K) -> bool {
        if self.contains(&key) {
            return false;
        }
        let (spread_hash, already_in_bucket) = self.bucket_load(&key);
        let place = self.take_place(1);
        self.slots.push(Slot { key, spread_hash, place });
        // Java grows a small table instead of turning a crowded bucket into a tree.
        if already_in_bucket >= TREEIFY_THRESHOLD && self.capacity < MIN_TREEIFY_CAPACITY {
            self.capacity *= 2;
        }
        if self.slots.len() > self.threshold() {
            self.capacity *= 2;
        }
        true
    }

    /// `computeIfAbsent`: grows the table first if it is already over its threshold, then
    /// puts a new key at the *head* of its bucket. Returns whether the key was new.
    pub fn insert_if_absent(&mut self, key: K) -> bool {
        if self.contains(&key) {
            return false;
        }
        if self.slots.len() > self.threshold() {
            self.capacity *= 2;
        }
        let (spread_hash, already_in_bucket) = self.bucket_load(&key);
        let place = self.take_place(-1);
        self.slots.push(Slot { key, spread_hash, place });
        if already_in_bucket + 1 >= TREEIFY_THRESHOLD && self.capacity < MIN_TREEIFY_CAPACITY {
            self.capacity *= 2;
        }
        true
    }

    /// `remove`. The table keeps its size, as in Java.
    pub fn remove(&mut self, key: &K) -> bool {
        let before = self.slots.len();
        self.slots.retain(|slot| slot.key != *key);
        self.slots.len() != before
    }

    /// Keys in the order Java's iterator returns them.
    pub fn iter(&self) -> impl Iterator<Item = &K> {
        let mut order: Vec<&Slot<K>> = self.slots.iter().collect();
        order.sort_by_key(|slot| (self.bucket_of(slot.spread_hash), slot.place));
        order.into_iter().map(|slot| &slot.key)
    }

    /// What `iterator().next()` returns.
    pub fn first(&self) -> Option<&K> {
        self.slots.iter().min_by_key(|slot| (self.bucket_of(slot.spread_hash), slot.place)).map(|slot| &slot.key)
    }

    fn bucket_of(&self, spread_hash: u32) -> usize {
        spread_hash as usize & (self.capacity - 1)
    }

    /// `(int)(capacity * 0.75)`.
    fn threshold(&self) -> usize {
        self.capacity / 4 * 3
    }

    /// The key's spread hash and how many entries its bucket already holds.
    fn bucket_load(&self, key: &K) -> (u32, usize) {
        let spread_hash = spread(key.java_hash());
        let bucket = self.bucket_of(spread_hash);
        let count = self.slots.iter().filter(|slot| self.bucket_of(slot.spread_hash) == bucket).count();
        (spread_hash, count)
    }

    fn take_place(&mut self, direction: i64) -> i64 {
        let place = self.next_place * direction;
        self.next_place += 1;
        place
    }
}

/// The order in which a fresh `HashMap` filled with `keys` (in this order) iterates them.
pub fn java_hash_order<K: JavaHash + PartialEq + Clone>(keys: &[K]) -> Vec<K> {
    JavaHashOrder::from_keys(keys.iter().cloned()).iter().cloned().collect()
}

#[cfg(test)]
mod tests;
