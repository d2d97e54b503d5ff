//! How a scenario writes link conditions (`link:` in the timeline): packet
//! loss as a fraction or a percentage, bandwidth with a unit.

use std::fmt;

use schemars::JsonSchema;
use serde::de::{self, Deserialize, Visitor};

/// The fraction of messages lost (and resent by TCP): `0.05` or `"5%"`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LossText(pub f64);

/// Bytes per second: `125000`, `"1MB/s"`, `"512KiB/s"`, `"10Mbit/s"`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BandwidthText(pub u64);

/// Parses a loss: a fraction in `[0, 1)` or a percentage below 100%.
pub fn parse_loss(text: &str) -> Result<f64, String> {
    let trimmed = text.trim();
    let (number, scale) = match trimmed.strip_suffix('%') {
        Some(n) => (n.trim(), 100.0),
        None => (trimmed, 1.0),
    };
    let value: f64 =
        number.parse().map_err(|_| format!("`{trimmed}` is not a loss; write a fraction like `0.01` or `1%`"))?;
    check_loss(value / scale, trimmed)
}

fn check_loss(fraction: f64, text: &str) -> Result<f64, String> {
    if !(0.0..1.0).contains(&fraction) {
        return Err(format!(
            "loss `{text}` is out of range: write a fraction from 0 up to (not including) 1, or a percentage below 100%"
        ));
    }
    Ok(fraction)
}

/// Parses a bandwidth with its unit, in bytes per second.
pub fn parse_bandwidth(text: &str) -> Result<u64, String> {
    let trimmed = text.trim();
    let split = trimmed.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(trimmed.len());
    let (number, unit) = (trimmed[..split].trim(), trimmed[split..].trim());
    let hint = || format!("`{trimmed}` is not a bandwidth; write e.g. `1MB/s`, `512KiB/s` or `10Mbit/s`");
    let value: f64 = number.parse().map_err(|_| hint())?;
    let per_second = match unit {
        "" | "B/s" => 1.0,
        "KB/s" | "kB/s" => 1e3,
        "MB/s" => 1e6,
        "GB/s" => 1e9,
        "KiB/s" => 1024.0,
        "MiB/s" => 1024.0 * 1024.0,
        "GiB/s" => 1024.0 * 1024.0 * 1024.0,
        "kbit/s" | "Kbit/s" => 1e3 / 8.0,
        "Mbit/s" => 1e6 / 8.0,
        "Gbit/s" => 1e9 / 8.0,
        _ => return Err(hint()),
    };
    let bytes = value * per_second;
    if !(1.0..=1e15).contains(&bytes) {
        return Err(format!("bandwidth `{trimmed}` is out of range: at least 1 B/s, at most 1 PB/s"));
    }
    Ok(bytes as u64)
}

impl<'de> Deserialize<'de> for LossText {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct LossVisitor;
        impl Visitor<'_> for LossVisitor {
            type Value = LossText;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a loss such as `0.01` or `1%`")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<LossText, E> {
                parse_loss(v).map(LossText).map_err(E::custom)
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<LossText, E> {
                check_loss(v, &v.to_string()).map(LossText).map_err(E::custom)
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<LossText, E> {
                check_loss(v as f64, &v.to_string()).map(LossText).map_err(E::custom)
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<LossText, E> {
                check_loss(v as f64, &v.to_string()).map(LossText).map_err(E::custom)
            }
        }
        deserializer.deserialize_any(LossVisitor)
    }
}

impl<'de> Deserialize<'de> for BandwidthText {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct BandwidthVisitor;
        impl Visitor<'_> for BandwidthVisitor {
            type Value = BandwidthText;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a bandwidth such as `1MB/s` or a number of bytes per second")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<BandwidthText, E> {
                parse_bandwidth(v).map(BandwidthText).map_err(E::custom)
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<BandwidthText, E> {
                parse_bandwidth(&v.to_string()).map(BandwidthText).map_err(E::custom)
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<BandwidthText, E> {
                parse_bandwidth(&v.to_string()).map(BandwidthText).map_err(E::custom)
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<BandwidthText, E> {
                parse_bandwidth(&v.to_string()).map(BandwidthText).map_err(E::custom)
            }
        }
        deserializer.deserialize_any(BandwidthVisitor)
    }
}

impl JsonSchema for LossText {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Loss".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "The fraction of messages lost and resent by TCP: a number from 0 up to 1 (`0.01`) or a percentage (`1%`).",
            "anyOf": [
                { "type": "number", "minimum": 0, "exclusiveMaximum": 1 },
                { "type": "string", "pattern": "^\\s*[0-9]+(\\.[0-9]+)?\\s*%\\s*$" }
            ]
        })
    }
}

impl JsonSchema for BandwidthText {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Bandwidth".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "Bytes per second each way: a number, or with a unit: `B/s`, `KB/s`, `MB/s`, `GB/s`, `KiB/s`, `MiB/s`, `GiB/s`, `kbit/s`, `Mbit/s`, `Gbit/s`.",
            "anyOf": [
                { "type": "integer", "minimum": 1 },
                { "type": "string", "pattern": "^\\s*[0-9]+(\\.[0-9]+)?\\s*([KMG]i?B|B|[kKMG]bit)/s\\s*$" }
            ]
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn losses_are_fractions_or_percentages() {
        assert_eq!(parse_loss("0.05"), Ok(0.05));
        assert_eq!(parse_loss("5%"), Ok(0.05));
        assert!(parse_loss("100%").unwrap_err().contains("out of range"));
        assert!(parse_loss("1.5").unwrap_err().contains("out of range"));
        assert!(parse_loss("lots").unwrap_err().contains("not a loss"));
    }

    #[test]
    fn bandwidths_take_decimal_binary_and_bit_units() {
        assert_eq!(parse_bandwidth("125000"), Ok(125_000));
        assert_eq!(parse_bandwidth("1MB/s"), Ok(1_000_000));
        assert_eq!(parse_bandwidth("1 MiB/s"), Ok(1_048_576));
        assert_eq!(parse_bandwidth("10Mbit/s"), Ok(1_250_000));
        assert!(parse_bandwidth("1MB").unwrap_err().contains("not a bandwidth"));
        assert!(parse_bandwidth("0B/s").unwrap_err().contains("out of range"));
    }
}
