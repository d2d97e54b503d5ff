//! A record key as a producer writes it: a template, `null`, or a weighted
//! choice among templates.

use std::fmt;

use schemars::JsonSchema;
use serde::de::value::MapAccessDeserializer;
use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer};

/// A record key: a template like `key-{n}`, `null`, or a weighted choice.
#[derive(Debug, JsonSchema)]
#[serde(untagged)]
pub enum KeySpec {
    /// Text with `{n}` (the record number), `{n%K}` and `{producer}`.
    Template(String),
    /// Pick one of several keys at random, e.g. one hot key and two cold ones.
    OneOf(OneOfSpec),
    /// No key (null): the sticky partitioner spreads records.
    Null(()),
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OneOfSpec {
    /// Key templates to choose from.
    pub one_of: Vec<String>,
    /// Relative weights, one per key. Default: all equal.
    #[serde(default)]
    pub weights: Option<Vec<u32>>,
}

const SHAPES: &str = "write a template like `key-{n}`, `null` for no key, or `{ one_of: [a, b] }` to choose among keys";

impl<'de> Deserialize<'de> for KeySpec {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;

        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = KeySpec;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(SHAPES)
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<KeySpec, E> {
                Ok(KeySpec::Template(v.to_string()))
            }
            // A number is the key's text: `key: 5` is the key "5".
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<KeySpec, E> {
                Ok(KeySpec::Template(v.to_string()))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<KeySpec, E> {
                Ok(KeySpec::Template(v.to_string()))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<KeySpec, E> {
                Err(E::custom(format!(
                    "`{v}` is read as a number, and a key is text: put it in quotes, like `key: \"{v}\"`"
                )))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<KeySpec, E> {
                Err(E::custom(format!(
                    "`{v}` is read as true/false, and a key is text: put it in quotes, like `key: \"{v}\"`"
                )))
            }
            fn visit_unit<E: de::Error>(self) -> Result<KeySpec, E> {
                Ok(KeySpec::Null(()))
            }
            fn visit_seq<A: de::SeqAccess<'de>>(self, _: A) -> Result<KeySpec, A::Error> {
                Err(de::Error::custom(
                    "a key is one template, not a list; to choose among several keys write `key: { one_of: [a, b] }`",
                ))
            }
            fn visit_map<A: de::MapAccess<'de>>(self, map: A) -> Result<KeySpec, A::Error> {
                OneOfSpec::deserialize(MapAccessDeserializer::new(map)).map(KeySpec::OneOf)
            }
        }

        deserializer.deserialize_any(KeyVisitor)
    }
}
