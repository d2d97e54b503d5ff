//! Config values as written in a scenario, and their checks.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::Kind;

/// A config value as YAML gives it: a number, a word, a boolean or a list.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(untagged)]
pub enum ConfigValue {
    Bool(bool),
    Int(i64),
    Float(f64),
    Text(String),
    List(Vec<String>),
}

impl fmt::Display for ConfigValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigValue::Bool(b) => write!(f, "{b}"),
            ConfigValue::Int(i) => write!(f, "{i}"),
            ConfigValue::Float(x) => write!(f, "{x}"),
            ConfigValue::Text(s) => f.write_str(s),
            ConfigValue::List(items) => f.write_str(&items.join(",")),
        }
    }
}

impl ConfigValue {
    pub fn as_i64(&self) -> i64 {
        match self {
            ConfigValue::Int(i) => *i,
            ConfigValue::Float(x) => *x as i64,
            ConfigValue::Bool(b) => i64::from(*b),
            _ => 0,
        }
    }
    pub fn as_f64(&self) -> f64 {
        match self {
            ConfigValue::Int(i) => *i as f64,
            ConfigValue::Float(x) => *x,
            _ => 0.0,
        }
    }
    pub fn as_bool(&self) -> bool {
        matches!(self, ConfigValue::Bool(true))
    }
    pub fn as_text(&self) -> String {
        self.to_string()
    }
    pub fn as_list(&self) -> Vec<String> {
        match self {
            ConfigValue::List(items) => items.clone(),
            other => vec![other.to_string()],
        }
    }
}

/// A whole number too large to be one of Kafka's (YAML reads it as a float).
fn too_large(value: &ConfigValue) -> Option<String> {
    match value {
        ConfigValue::Float(x) if x.fract() == 0.0 && x.abs() >= 9.0e15 => {
            Some(format!("`{x:.0}` is too large: Kafka's numbers stop at 9223372036854775807 (a long)"))
        }
        _ => None,
    }
}

fn int_of(value: &ConfigValue) -> Option<i64> {
    match value {
        ConfigValue::Int(i) => Some(*i),
        ConfigValue::Float(x) if x.fract() == 0.0 && x.abs() < 9.0e15 => Some(*x as i64),
        ConfigValue::Text(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// Parses `1d`, `250ms`, `1h 30m` into milliseconds.
pub fn parse_duration_ms(text: &str) -> Result<i64, String> {
    let trimmed = text.trim();
    if trimmed.starts_with('-') {
        return Err(format!(
            "`{trimmed}` is negative; durations must be zero or more (use -1 only where it means unlimited)"
        ));
    }
    let duration = humantime::parse_duration(trimmed)
        .map_err(|_| format!("`{trimmed}` is not a duration; write e.g. `250ms`, `30s`, `1d`"))?;
    // A `.ms` config counts whole milliseconds: `999us` must not become 0.
    if duration.subsec_nanos() % 1_000_000 != 0 {
        return Err(format!("`{trimmed}` is not a whole number of milliseconds, which this config counts"));
    }
    i64::try_from(duration.as_millis()).map_err(|_| format!("`{trimmed}` is too long"))
}

pub(super) fn parse_for_kind(kind: Kind, value: &ConfigValue) -> Result<ConfigValue, String> {
    match kind {
        Kind::Int { min, max } => {
            let n = int_of(value).ok_or_else(|| {
                too_large(value).unwrap_or_else(|| format!("expected a whole number, found `{value}`"))
            })?;
            if n < min || n > max {
                return Err(format!("{n} is out of range: it must be between {min} and {max}"));
            }
            Ok(ConfigValue::Int(n))
        }
        Kind::Millis { min, allow_unlimited } => {
            let n = match value {
                ConfigValue::Text(s) if s.trim().parse::<i64>().is_err() => parse_duration_ms(s)?,
                other => int_of(other).ok_or_else(|| {
                    too_large(other)
                        .unwrap_or_else(|| format!("expected milliseconds or a duration like `30s`, found `{other}`"))
                })?,
            };
            if n == -1 && allow_unlimited {
                return Ok(ConfigValue::Int(-1));
            }
            if n < min {
                let hint = if allow_unlimited { " (or -1 for unlimited)" } else { "" };
                return Err(format!("{n} ms is out of range: it must be at least {min}{hint}"));
            }
            Ok(ConfigValue::Int(n))
        }
        Kind::Bool => match value {
            ConfigValue::Bool(b) => Ok(ConfigValue::Bool(*b)),
            ConfigValue::Text(s) if s == "true" || s == "false" => Ok(ConfigValue::Bool(s == "true")),
            other => Err(format!("expected true or false, found `{other}`")),
        },
        Kind::Ratio => {
            let x = match value {
                ConfigValue::Int(i) => *i as f64,
                ConfigValue::Float(x) => *x,
                ConfigValue::Text(s) => {
                    s.trim().parse().map_err(|_| format!("expected a number between 0 and 1, found `{s}`"))?
                }
                other => return Err(format!("expected a number between 0 and 1, found `{other}`")),
            };
            if !(0.0..=1.0).contains(&x) {
                return Err(format!("{x} is out of range: it must be between 0 and 1"));
            }
            Ok(ConfigValue::Float(x))
        }
        Kind::Enum(options) => {
            let word = match value {
                ConfigValue::List(_) | ConfigValue::Float(_) => None,
                other => Some(other.to_string()),
            };
            match word {
                Some(w) if options.contains(&w.as_str()) => Ok(ConfigValue::Text(w)),
                _ => Err(format!("`{value}` is not one of: {}", options.join(", "))),
            }
        }
        Kind::List(options) => {
            let items: Vec<String> = match value {
                ConfigValue::List(items) => items.iter().map(|s| s.trim().to_string()).collect(),
                ConfigValue::Text(s) => s.split(',').map(|s| s.trim().to_string()).collect(),
                other => return Err(format!("expected a list, found `{other}`")),
            };
            if let Some(bad) = items.iter().find(|i| !options.contains(&i.as_str())) {
                return Err(format!("`{bad}` is not one of: {}", options.join(", ")));
            }
            if items.is_empty() {
                return Err("the list is empty".to_string());
            }
            Ok(ConfigValue::List(items))
        }
        Kind::Text => Ok(ConfigValue::Text(value.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_accept_numbers_and_words() {
        let kind = Kind::Millis { min: 0, allow_unlimited: true };
        assert_eq!(parse_for_kind(kind, &ConfigValue::Int(5)), Ok(ConfigValue::Int(5)));
        assert_eq!(parse_for_kind(kind, &ConfigValue::Text("1d".into())), Ok(ConfigValue::Int(86_400_000)));
        assert_eq!(parse_for_kind(kind, &ConfigValue::Int(-1)), Ok(ConfigValue::Int(-1)));
        assert!(parse_for_kind(kind, &ConfigValue::Text("-3s".into())).unwrap_err().contains("negative"));
        assert!(parse_for_kind(kind, &ConfigValue::Int(-5)).is_err());
    }

    #[test]
    fn enums_and_lists_name_the_allowed_words() {
        let err = parse_for_kind(Kind::Enum(&["0", "1", "all", "-1"]), &ConfigValue::Text("al".into())).unwrap_err();
        assert!(err.contains("0, 1, all, -1"));
        assert_eq!(
            parse_for_kind(Kind::Enum(&["0", "1", "all", "-1"]), &ConfigValue::Int(1)),
            Ok(ConfigValue::Text("1".into()))
        );
        assert_eq!(
            parse_for_kind(Kind::List(&["compact", "delete"]), &ConfigValue::Text("compact, delete".into())),
            Ok(ConfigValue::List(vec!["compact".into(), "delete".into()]))
        );
    }
}
