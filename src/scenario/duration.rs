//! Durations in scenario files: human text like `250ms`, `30s`, `1h 30m`, `7d`,
//! parsed by the `humantime` crate.

use std::fmt;

use schemars::JsonSchema;
use serde::Deserialize;
use serde::de::{self, Visitor};

use crate::engine::SimDuration;

/// A duration as written in a scenario (`1s`, `250ms`, `7d`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DurationText(pub SimDuration);

/// Parses a non-negative human duration.
pub fn parse(text: &str) -> Result<SimDuration, String> {
    let trimmed = text.trim();
    if trimmed.starts_with('-') {
        return Err(format!("`{trimmed}` is negative: durations must be zero or more"));
    }
    if trimmed.chars().all(|c| c.is_ascii_digit()) && !trimmed.is_empty() {
        return Err(format!("`{trimmed}` has no unit: write `{trimmed}ms` or `{trimmed}s`"));
    }
    let duration = humantime::parse_duration(trimmed)
        .map_err(|_| format!("`{trimmed}` is not a duration; write e.g. `250ms`, `30s`, `5m`, `1d`"))?;
    // Checked before converting, so absurd values cannot overflow.
    if duration.as_micros() > u128::from(super::MAX_RUN.as_micros()) {
        return Err(format!("`{trimmed}` is longer than kafkasim simulates (366 days at most)"));
    }
    // The clock counts microseconds: `999ns` must not silently become `0s`.
    if duration.subsec_nanos() % 1_000 != 0 {
        let why =
            if duration.as_micros() == 0 { "shorter than a microsecond" } else { "not a whole number of microseconds" };
        return Err(format!("`{trimmed}` is {why}, the smallest step of kafkasim's clock"));
    }
    Ok(SimDuration::from(duration))
}

impl<'de> Deserialize<'de> for DurationText {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct DurationVisitor;
        impl Visitor<'_> for DurationVisitor {
            type Value = DurationText;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a duration such as `250ms`, `30s` or `1d`")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<DurationText, E> {
                parse(v).map(DurationText).map_err(E::custom)
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<DurationText, E> {
                Err(E::custom(format!(
                    "`{v}` has no unit: write a duration such as `{}s` or `{}ms`",
                    v.unsigned_abs(),
                    v.unsigned_abs()
                )))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<DurationText, E> {
                Err(E::custom(format!("`{v}` has no unit: write a duration such as `{v}s` or `{v}ms`")))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<DurationText, E> {
                Err(E::custom(format!("`{v}` has no unit: write a duration such as `{v}s`")))
            }
        }
        deserializer.deserialize_any(DurationVisitor)
    }
}

impl JsonSchema for DurationText {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Duration".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "description": "A duration with a unit: `250ms`, `30s`, `5m`, `2h`, `1d`, or combined like `1h 30m`.",
            "pattern": "^\\s*[0-9]+(\\.[0-9]+)?\\s*[a-zA-Zµ]+(\\s*[0-9]+(\\.[0-9]+)?\\s*[a-zA-Zµ]+)*\\s*$"
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_human_durations() {
        assert_eq!(parse("250ms"), Ok(SimDuration::from_millis(250)));
        assert_eq!(parse("1h 30m"), Ok(SimDuration::from_secs(5400)));
        assert_eq!(parse("7d"), Ok(SimDuration::from_secs(7 * 86_400)));
    }

    #[test]
    fn rejects_negative_unitless_and_garbage() {
        assert!(parse("-3s").unwrap_err().contains("negative"));
        assert!(parse("30").unwrap_err().contains("no unit"));
        assert!(parse("soon").unwrap_err().contains("not a duration"));
    }

    #[test]
    fn rejects_durations_beyond_what_is_simulated() {
        assert_eq!(parse("366d"), Ok(SimDuration::from_secs(366 * 86_400)));
        assert!(parse("367d").unwrap_err().contains("366 days at most"));
        assert!(parse("99999999999999d").unwrap_err().contains("366 days at most"));
    }

    #[test]
    fn rejects_durations_the_clock_cannot_hold() {
        assert!(parse("999ns").unwrap_err().contains("shorter than a microsecond"));
        assert!(parse("1500ns").unwrap_err().contains("whole number of microseconds"));
        assert_eq!(parse("2000ns"), Ok(SimDuration::from_micros(2)));
    }
}
