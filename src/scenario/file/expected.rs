//! An expected number in an expectation: `12`, a comparison such as
//! `">= 10"`, or `none`.

use std::fmt;

use schemars::JsonSchema;
use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer};

/// An expected number: `12`, or a comparison such as `">= 10"`.
#[derive(Clone, Debug, JsonSchema)]
#[serde(untagged)]
pub enum Expected {
    Exactly(i64),
    Compare(String),
}

const SHAPES: &str = "write a whole number like `12`, a comparison like `\">= 10\"`, or `none`";

impl<'de> Deserialize<'de> for Expected {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ExpectedVisitor;

        impl<'de> Visitor<'de> for ExpectedVisitor {
            type Value = Expected;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(SHAPES)
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Expected, E> {
                Ok(Expected::Exactly(v))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Expected, E> {
                i64::try_from(v).map(Expected::Exactly).map_err(|_| {
                    E::custom(format!("`{v}` is too large: counts and offsets stop at 9223372036854775807"))
                })
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Expected, E> {
                Err(E::custom(format!("`{v}` is not a whole number: {SHAPES}")))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Expected, E> {
                Ok(Expected::Compare(v.to_string()))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Expected, E> {
                Err(E::custom(format!("`{v}` is not a number: {SHAPES}")))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Expected, E> {
                Err(E::custom(format!("the expected value is missing: {SHAPES}")))
            }
            fn visit_seq<A: de::SeqAccess<'de>>(self, _: A) -> Result<Expected, A::Error> {
                Err(de::Error::custom(format!("expected one number here, not a list: {SHAPES}")))
            }
            fn visit_map<A: de::MapAccess<'de>>(self, _: A) -> Result<Expected, A::Error> {
                Err(de::Error::custom(format!("expected one number here, not a map: {SHAPES}")))
            }
        }

        deserializer.deserialize_any(ExpectedVisitor)
    }
}
