//! A YAML map whose keys keep their place in the file, so an error about a
//! key (an unknown partition, consumer or group) underlines the key, and one
//! about a value underlines the value. Duplicate keys are refused by the
//! parser before this sees them.

use std::fmt;
use std::marker::PhantomData;

use serde::de::{MapAccess, Visitor};
use serde::{Deserialize, Deserializer};
use serde_saphyr::Spanned;

/// Entries in file order.
#[derive(Debug)]
pub struct Keyed<V> {
    pub entries: Vec<(Spanned<String>, V)>,
}

impl<V> Default for Keyed<V> {
    fn default() -> Self {
        Keyed { entries: Vec::new() }
    }
}

impl<V> Keyed<V> {
    pub fn iter(&self) -> impl Iterator<Item = (&Spanned<String>, &V)> {
        self.entries.iter().map(|(k, v)| (k, v))
    }
}

impl<'a, V> IntoIterator for &'a Keyed<V> {
    type Item = (&'a Spanned<String>, &'a V);
    type IntoIter =
        std::iter::Map<std::slice::Iter<'a, (Spanned<String>, V)>, fn(&'a (Spanned<String>, V)) -> Self::Item>;
    fn into_iter(self) -> Self::IntoIter {
        self.entries.iter().map(|(k, v)| (k, v))
    }
}

impl<'de, V: Deserialize<'de>> Deserialize<'de> for Keyed<V> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyedVisitor<V>(PhantomData<V>);

        impl<'de, V: Deserialize<'de>> Visitor<'de> for KeyedVisitor<V> {
            type Value = Keyed<V>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a map of names to values, like `{ demo_1-0: 10 }`")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Keyed<V>, A::Error> {
                let mut entries = Vec::new();
                while let Some(key) = map.next_key::<Spanned<String>>()? {
                    entries.push((key, map.next_value::<V>()?));
                }
                Ok(Keyed { entries })
            }
        }

        deserializer.deserialize_map(KeyedVisitor(PhantomData))
    }
}
