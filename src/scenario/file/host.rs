//! A host on the network as a timeline names it: a broker by its number, a
//! controller as `controller-N`, a client by its id.

use std::fmt;

use schemars::JsonSchema;
use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer};

/// A broker id (`1`), a controller (`controller-1`) or a client id (`c1`).
#[derive(Clone, Debug, PartialEq, JsonSchema)]
#[serde(untagged)]
pub enum HostRef {
    Broker(u32),
    Client(String),
}

const WHAT: &str = "name a broker by its number (`2`), a controller as `controller-1`, or a client by its id";

impl<'de> Deserialize<'de> for HostRef {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct HostVisitor;

        impl<'de> Visitor<'de> for HostVisitor {
            type Value = HostRef;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a host: a broker id such as `2`, `controller-1`, or a client id")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<HostRef, E> {
                match u32::try_from(v) {
                    Ok(0) => Err(E::custom("`0` is not a broker: brokers are numbered from 1")),
                    Ok(id) => Ok(HostRef::Broker(id)),
                    Err(_) => Err(E::custom(format!("`{v}` is not a broker: brokers are numbered 1, 2, 3, …"))),
                }
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<HostRef, E> {
                match u64::try_from(v) {
                    Ok(v) => self.visit_u64(v),
                    Err(_) => Err(E::custom(format!("`{v}` is not a broker: brokers are numbered 1, 2, 3, …"))),
                }
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<HostRef, E> {
                Err(E::custom(format!("`{v}` is not a host: {WHAT}")))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<HostRef, E> {
                Err(E::custom(format!("`{v}` is not a host: {WHAT}")))
            }
            fn visit_unit<E: de::Error>(self) -> Result<HostRef, E> {
                Err(E::custom(format!("a host is missing here: {WHAT}")))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<HostRef, E> {
                // Client ids are never all digits, so `"2"` can only mean broker 2.
                match v.trim().parse::<u64>() {
                    Ok(id) => self.visit_u64(id),
                    Err(_) => Ok(HostRef::Client(v.to_string())),
                }
            }
            fn visit_seq<A: de::SeqAccess<'de>>(self, _: A) -> Result<HostRef, A::Error> {
                Err(de::Error::custom(format!("expected one host here, not a list: {WHAT}")))
            }
            fn visit_map<A: de::MapAccess<'de>>(self, _: A) -> Result<HostRef, A::Error> {
                Err(de::Error::custom(format!("expected one host here, not a map: {WHAT}")))
            }
        }

        deserializer.deserialize_any(HostVisitor)
    }
}
