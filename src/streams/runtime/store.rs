//! A task's state store: the latest value per key (per key and window for
//! a windowed store), kept as the bytes the changelog carries.
//!
//! Simplification: every store is in memory (Kafka's default is RocksDB);
//! what a student sees — contents, changelog records — is the same.

use std::collections::BTreeMap;

use crate::streams::windows::Window;

/// A key in a store: the record key's text, and the window for windowed stores.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct StoreKey {
    pub key: String,
    pub window: Option<Window>,
}

impl StoreKey {
    /// How Kafka prints a key: `Windowed#toString` is `[key@start/end]`.
    pub fn text(&self) -> String {
        match self.window {
            Some(w) => format!("[{}@{}/{}]", self.key, w.start_ms, w.end_ms),
            None => self.key.clone(),
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Store {
    pub entries: BTreeMap<StoreKey, Vec<u8>>,
}

impl Store {
    pub fn get(&self, key: &StoreKey) -> Option<&[u8]> {
        self.entries.get(key).map(Vec::as_slice)
    }

    pub fn put(&mut self, key: StoreKey, value: Option<Vec<u8>>) {
        match value {
            Some(v) => {
                self.entries.insert(key, v);
            }
            None => {
                self.entries.remove(&key);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windowed_keys_print_as_kafka_prints_them() {
        let k = StoreKey { key: "berlin".into(), window: Some(Window::new(0, 60_000)) };
        assert_eq!(k.text(), "[berlin@0/60000]");
        assert_eq!(StoreKey { key: "berlin".into(), window: None }.text(), "berlin");
    }

    #[test]
    fn a_null_value_deletes() {
        let mut s = Store::default();
        let k = StoreKey { key: "a".into(), window: None };
        s.put(k.clone(), Some(b"1".to_vec()));
        assert_eq!(s.get(&k), Some(&b"1"[..]));
        s.put(k.clone(), None);
        assert_eq!(s.get(&k), None);
    }
}
