//! Compatibility levels: which earlier versions of a subject a new schema
//! is checked against, and in which direction, as Confluent's
//! `CompatibilityChecker` does it.
//!
//! - BACKWARD: the new schema, as reader, reads data written with the latest
//!   version (upgrade consumers first);
//! - FORWARD: the latest version, as reader, reads data written with the new
//!   schema (upgrade producers first);
//! - FULL: both;
//! - the `_TRANSITIVE` levels check every earlier version, not only the latest;
//! - NONE: no check.
//!
//! Each direction is Avro's reader/writer resolution (`avro::resolution`),
//! and a refusal lists the reasons the way the registry's 409 answer does:
//! `{errorType:'READER_FIELD_MISSING_DEFAULT_VALUE', description:'The field
//! 'email' at path '/fields/2' in the new schema has no default value and is
//! missing in the old schema', additionalInfo:'email'}` (Confluent's
//! `Difference.java`), FULL listing the forward problems first.

use std::fmt;
use std::str::FromStr;

use crate::avro::AvroSchema;
use crate::avro::resolution::{Incompatibility, IncompatibilityType, resolve};

/// A subject's (or the registry's) compatibility level. Default BACKWARD.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub enum CompatibilityLevel {
    None,
    #[default]
    Backward,
    BackwardTransitive,
    Forward,
    ForwardTransitive,
    Full,
    FullTransitive,
}

impl CompatibilityLevel {
    pub const ALL: [CompatibilityLevel; 7] = [
        CompatibilityLevel::Backward,
        CompatibilityLevel::BackwardTransitive,
        CompatibilityLevel::Forward,
        CompatibilityLevel::ForwardTransitive,
        CompatibilityLevel::Full,
        CompatibilityLevel::FullTransitive,
        CompatibilityLevel::None,
    ];

    pub fn name(self) -> &'static str {
        match self {
            CompatibilityLevel::None => "NONE",
            CompatibilityLevel::Backward => "BACKWARD",
            CompatibilityLevel::BackwardTransitive => "BACKWARD_TRANSITIVE",
            CompatibilityLevel::Forward => "FORWARD",
            CompatibilityLevel::ForwardTransitive => "FORWARD_TRANSITIVE",
            CompatibilityLevel::Full => "FULL",
            CompatibilityLevel::FullTransitive => "FULL_TRANSITIVE",
        }
    }

    fn transitive(self) -> bool {
        matches!(
            self,
            CompatibilityLevel::BackwardTransitive
                | CompatibilityLevel::ForwardTransitive
                | CompatibilityLevel::FullTransitive
        )
    }

    /// New reads old (consumers on the new schema read what was written).
    fn backward(self) -> bool {
        matches!(
            self,
            CompatibilityLevel::Backward
                | CompatibilityLevel::BackwardTransitive
                | CompatibilityLevel::Full
                | CompatibilityLevel::FullTransitive
        )
    }

    /// Old reads new (consumers still on the old schema read new data).
    fn forward(self) -> bool {
        matches!(
            self,
            CompatibilityLevel::Forward
                | CompatibilityLevel::ForwardTransitive
                | CompatibilityLevel::Full
                | CompatibilityLevel::FullTransitive
        )
    }

    /// Which side to upgrade first, as Confluent's documentation puts it.
    pub fn upgrade_first(self) -> &'static str {
        match (self.backward(), self.forward()) {
            (true, true) => "either order",
            (true, false) => "consumers first",
            (false, true) => "producers first",
            (false, false) => "nothing is checked: any order may break readers",
        }
    }
}

impl fmt::Display for CompatibilityLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for CompatibilityLevel {
    type Err = String;

    /// Case-insensitive, as the registry's REST API reads it.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let upper = s.trim().to_ascii_uppercase();
        CompatibilityLevel::ALL.into_iter().find(|l| l.name() == upper).ok_or_else(|| {
            let names: Vec<&str> = CompatibilityLevel::ALL.iter().map(|l| l.name()).collect();
            format!("unknown compatibility level `{s}` (one of {})", names.join(", "))
        })
    }
}

/// Whether a new schema may follow the earlier versions, and why not.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verdict {
    pub compatible: bool,
    /// The registry's messages: one per incompatibility, then which version
    /// it was checked against and the level.
    pub messages: Vec<String>,
    /// The reasons, for narration.
    pub incompatibilities: Vec<Incompatibility>,
}

/// Checks `new` against `previous` (oldest first, the latest last; each with
/// its version) under `level`.
pub fn check(level: CompatibilityLevel, new: &AvroSchema, previous: &[(u32, &AvroSchema)]) -> Verdict {
    let against: &[(u32, &AvroSchema)] = match (level, previous.split_last()) {
        (CompatibilityLevel::None, _) | (_, None) => &[],
        (l, Some((latest, _))) if !l.transitive() => std::slice::from_ref(latest),
        _ => previous,
    };
    // Confluent checks the newest first and stops at the first version that fails.
    for &(version, old) in against.iter().rev() {
        let mut messages = Vec::new();
        let mut incompatibilities = Vec::new();
        if level.forward() {
            let r = resolve(new, old);
            if !r.compatible {
                messages.extend(r.incompatibilities.iter().map(|i| difference(i, "old", "new")));
                incompatibilities.extend(r.incompatibilities);
            }
        }
        if level.backward() {
            let r = resolve(old, new);
            if !r.compatible {
                messages.extend(r.incompatibilities.iter().map(|i| difference(i, "new", "old")));
                incompatibilities.extend(r.incompatibilities);
            }
        }
        if !messages.is_empty() {
            messages.push(format!("{{oldSchemaVersion: {version}}}"));
            messages.push(format!("{{oldSchema: '{}'}}", old.canonical()));
            messages.push(format!("{{validateFields: 'false', compatibility: '{}'}}", level.name()));
            return Verdict { compatible: false, messages, incompatibilities };
        }
    }
    Verdict { compatible: true, messages: Vec::new(), incompatibilities: Vec::new() }
}

/// One incompatibility as Confluent's `Difference` writes it; `reader` and
/// `writer` say which of the two schemas ("new", "old") played each part.
pub fn difference(i: &Incompatibility, reader: &str, writer: &str) -> String {
    let path = &i.location;
    let description = match i.kind {
        IncompatibilityType::FixedSizeMismatch => {
            format!(
                "The size of FIXED type field at path '{path}' in the {reader} schema does not match with the {writer} schema"
            )
        }
        IncompatibilityType::TypeMismatch => {
            format!(
                "The type (path '{path}') of a field in the {reader} schema does not match with the {writer} schema"
            )
        }
        IncompatibilityType::NameMismatch => format!("The name of the schema has changed (path '{path}')"),
        IncompatibilityType::MissingEnumSymbols => format!(
            "The {reader} schema is missing enum symbols '{}' at path '{path}' in the {writer} schema",
            i.message
        ),
        IncompatibilityType::MissingUnionBranch => {
            format!(
                "The {reader} schema is missing a type inside a union field at path '{path}' in the {writer} schema"
            )
        }
        IncompatibilityType::ReaderFieldMissingDefaultValue => format!(
            "The field '{}' at path '{path}' in the {reader} schema has no default value and is missing in the {writer} schema",
            i.message
        ),
    };
    format!("{{errorType:'{}', description:'{description}', additionalInfo:'{}'}}", i.kind.as_str(), i.message)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(text: &str) -> AvroSchema {
        AvroSchema::parse(text).expect("schema")
    }

    fn record(fields: &str) -> AvroSchema {
        s(&format!(r#"{{"type":"record","name":"myrecord","fields":[{fields}]}}"#))
    }

    /// The schemas of Confluent's AvroCompatibilityTest
    /// (core/src/test/java/io/confluent/kafka/schemaregistry/avro/AvroCompatibilityTest.java).
    struct Schemas {
        s1: AvroSchema,
        s2: AvroSchema,
        s3: AvroSchema,
        s4: AvroSchema,
        s6: AvroSchema,
        s7: AvroSchema,
        s8: AvroSchema,
    }

    fn schemas() -> Schemas {
        Schemas {
            s1: record(r#"{"type":"string","name":"f1"}"#),
            s2: record(r#"{"type":"string","name":"f1"},{"type":"string","name":"f2","default":"foo"}"#),
            s3: record(r#"{"type":"string","name":"f1"},{"type":"string","name":"f2"}"#),
            s4: record(r#"{"type":"string","name":"f1_new","aliases":["f1"]}"#),
            s6: record(r#"{"type":["null","string"],"name":"f1","doc":"doc of f1"}"#),
            s7: record(r#"{"type":["null","string","int"],"name":"f1","doc":"doc of f1"}"#),
            s8: record(
                r#"{"type":"string","name":"f1"},{"type":"string","name":"f2","default":"foo"},
                   {"type":"string","name":"f3","default":"bar"}"#,
            ),
        }
    }

    fn ok(level: CompatibilityLevel, new: &AvroSchema, previous: &[&AvroSchema]) -> bool {
        let numbered: Vec<(u32, &AvroSchema)> = previous.iter().enumerate().map(|(i, s)| (i as u32 + 1, *s)).collect();
        check(level, new, &numbered).compatible
    }

    #[test]
    fn confluents_backward_cases() {
        // AvroCompatibilityTest.testBasicBackwardsCompatibility
        let Schemas { s1, s2, s3, s4, s6, s7, .. } = schemas();
        let b = CompatibilityLevel::Backward;
        assert!(ok(b, &s2, &[&s1]), "adding a field with default is a backward compatible change");
        assert!(!ok(b, &s3, &[&s1]), "adding a field w/o default is not a backward compatible change");
        assert!(ok(b, &s4, &[&s1]), "changing field name with alias is a backward compatible change");
        assert!(ok(b, &s6, &[&s1]), "evolving a field type to a union is a backward compatible change");
        assert!(!ok(b, &s1, &[&s6]), "removing a type from a union is not a backward compatible change");
        assert!(ok(b, &s7, &[&s6]), "adding a new type in union is a backward compatible change");
        assert!(!ok(b, &s6, &[&s7]), "removing a type from a union is not a backward compatible change");
        assert!(ok(b, &s3, &[&s1, &s2]), "only the latest (schema 2) is checked");
    }

    #[test]
    fn confluents_backward_transitive_cases() {
        // AvroCompatibilityTest.testBasicBackwardsTransitiveCompatibility
        let Schemas { s1, s2, s3, s8, .. } = schemas();
        let bt = CompatibilityLevel::BackwardTransitive;
        assert!(ok(bt, &s8, &[&s1, &s2]), "iteratively adding fields with defaults is a compatible change");
        assert!(ok(bt, &s2, &[&s1]));
        assert!(ok(bt, &s3, &[&s2]), "removing a default is a compatible change, but not transitively");
        assert!(!ok(bt, &s3, &[&s2, &s1]), "removing a default is not a transitively compatible change");
    }

    #[test]
    fn confluents_forward_cases() {
        // AvroCompatibilityTest.testBasicForwardsCompatibility and ...Transitive...
        let Schemas { s1, s2, s3, s8, .. } = schemas();
        let f = CompatibilityLevel::Forward;
        assert!(ok(f, &s2, &[&s1]), "adding a field is a forward compatible change");
        assert!(ok(f, &s3, &[&s1]));
        assert!(ok(f, &s3, &[&s2]));
        assert!(ok(f, &s2, &[&s3]));
        assert!(ok(f, &s1, &[&s3, &s2]), "only the latest (schema 2) is checked");
        let ft = CompatibilityLevel::ForwardTransitive;
        assert!(ok(ft, &s1, &[&s8, &s2]), "iteratively removing fields with defaults is a compatible change");
        assert!(ok(ft, &s2, &[&s3]), "adding default to a field is a compatible change");
        assert!(ok(ft, &s1, &[&s2]), "removing a field with a default is a compatible change");
        assert!(!ok(ft, &s1, &[&s2, &s3]), "removing a default is not a transitively compatible change");
    }

    #[test]
    fn confluents_full_cases() {
        // AvroCompatibilityTest.testBasicFullCompatibility and ...FullTransitive...
        let Schemas { s1, s2, s3, s8, .. } = schemas();
        let full = CompatibilityLevel::Full;
        assert!(ok(full, &s2, &[&s1]), "adding a field with default is a backward and a forward compatible change");
        assert!(ok(full, &s3, &[&s1, &s2]), "only schema 2 is checked");
        assert!(ok(full, &s1, &[&s3, &s2]), "only schema 2 is checked");
        let ft = CompatibilityLevel::FullTransitive;
        assert!(ok(ft, &s8, &[&s1, &s2]));
        assert!(ok(ft, &s1, &[&s8, &s2]));
        assert!(ok(ft, &s2, &[&s3]));
        assert!(ok(ft, &s1, &[&s2]));
        assert!(ok(ft, &s2, &[&s1]));
        assert!(ok(ft, &s3, &[&s2]));
        assert!(!ok(ft, &s3, &[&s2, &s1]), "transitively adding a field without a default is not a compatible change");
        assert!(!ok(ft, &s1, &[&s2, &s3]), "transitively removing a field without a default is not compatible");
    }

    #[test]
    fn none_accepts_anything_and_the_first_version_needs_no_check() {
        let Schemas { s1, .. } = schemas();
        assert!(ok(CompatibilityLevel::None, &s(r#""int""#), &[&s1]));
        assert!(ok(CompatibilityLevel::Full, &s1, &[]));
    }

    #[test]
    fn a_refusal_reads_like_the_registrys_409() {
        let Schemas { s1, s3, .. } = schemas();
        let v = check(CompatibilityLevel::Backward, &s3, &[(1, &s1)]);
        assert!(!v.compatible);
        assert_eq!(
            v.messages[0],
            "{errorType:'READER_FIELD_MISSING_DEFAULT_VALUE', description:'The field 'f2' at path '/fields/1' in the \
             new schema has no default value and is missing in the old schema', additionalInfo:'f2'}"
        );
        assert_eq!(v.messages[1], "{oldSchemaVersion: 1}");
        assert!(v.messages[2].starts_with("{oldSchema: '{\"type\":\"record\""), "{}", v.messages[2]);
        assert_eq!(v.messages[3], "{validateFields: 'false', compatibility: 'BACKWARD'}");
        let forward = check(CompatibilityLevel::Forward, &s1, &[(1, &s3)]);
        assert!(
            forward.messages[0].contains("in the old schema has no default value and is missing in the new schema")
        );
    }

    #[test]
    fn full_lists_forward_problems_first() {
        let int = record(r#"{"type":"int","name":"a"}"#);
        let string = record(r#"{"type":"string","name":"a"}"#);
        let v = check(CompatibilityLevel::Full, &string, &[(1, &int)]);
        assert!(v.messages[0].contains("in the old schema does not match with the new schema"), "{:?}", v.messages);
        assert!(v.messages[1].contains("in the new schema does not match with the old schema"), "{:?}", v.messages);
        assert_eq!(v.messages[2], "{oldSchemaVersion: 1}");
    }

    #[test]
    fn levels_read_case_insensitively_and_say_what_to_upgrade_first() {
        assert_eq!("full_transitive".parse(), Ok(CompatibilityLevel::FullTransitive));
        assert!("sideways".parse::<CompatibilityLevel>().unwrap_err().contains("BACKWARD"));
        assert_eq!(CompatibilityLevel::Backward.upgrade_first(), "consumers first");
        assert_eq!(CompatibilityLevel::Forward.upgrade_first(), "producers first");
        assert_eq!(CompatibilityLevel::default(), CompatibilityLevel::Backward);
    }
}
