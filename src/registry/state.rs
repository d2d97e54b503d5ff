//! What a registry knows: subjects with their versions, schemas by ID, and
//! per-subject compatibility levels — the in-memory copy of `_schemas` that
//! Confluent's `InMemoryCache` keeps, rebuilt record by record when the
//! registry reads the topic.
//!
//! Rules kept (Confluent's `KafkaSchemaRegistry`): schema IDs are
//! registry-wide and assigned as the highest ID seen plus one; the same
//! schema under another subject reuses its ID; versions count from 1 per
//! subject; the same schema twice under one subject is the same version.

use std::collections::BTreeMap;

use super::compatibility::CompatibilityLevel;
use super::records::{SchemaValue, StoreRecord};
use crate::avro::AvroSchema;

/// One version of a subject.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Version {
    pub version: u32,
    pub id: u32,
    pub schema: AvroSchema,
}

#[derive(Clone, Debug, Default)]
pub struct RegistryState {
    subjects: BTreeMap<String, Vec<Version>>,
    by_id: BTreeMap<u32, AvroSchema>,
    levels: BTreeMap<String, CompatibilityLevel>,
    max_id: u32,
    /// Records read from `_schemas` (for narration).
    pub records_read: u64,
}

impl RegistryState {
    /// Applies one record read from `_schemas`.
    pub fn apply(&mut self, record: StoreRecord) {
        self.records_read += 1;
        match record {
            StoreRecord::Schema(value) => self.apply_schema(value),
            StoreRecord::Config { subject, level } => {
                self.levels.insert(subject, level);
            }
            StoreRecord::Noop | StoreRecord::Other => {}
        }
    }

    fn apply_schema(&mut self, value: SchemaValue) {
        // A schema the registry once accepted parses again; if not, it is skipped.
        let Ok(schema) = AvroSchema::parse(&value.schema) else { return };
        self.max_id = self.max_id.max(value.id);
        self.by_id.entry(value.id).or_insert_with(|| schema.clone());
        let versions = self.subjects.entry(value.subject).or_default();
        versions.retain(|v| v.version != value.version);
        if !value.deleted {
            versions.push(Version { version: value.version, id: value.id, schema });
            versions.sort_by_key(|v| v.version);
        }
    }

    /// The version of `schema` under `subject`, if registered there.
    pub fn version_of(&self, subject: &str, schema: &AvroSchema) -> Option<&Version> {
        self.subjects.get(subject)?.iter().find(|v| &v.schema == schema)
    }

    /// The ID `schema` has anywhere in the registry.
    pub fn id_of(&self, schema: &AvroSchema) -> Option<u32> {
        self.by_id.iter().find(|(_, s)| *s == schema).map(|(&id, _)| id)
    }

    pub fn schema(&self, id: u32) -> Option<&AvroSchema> {
        self.by_id.get(&id)
    }

    pub fn versions(&self, subject: &str) -> &[Version] {
        self.subjects.get(subject).map_or(&[], Vec::as_slice)
    }

    pub fn latest(&self, subject: &str) -> Option<&Version> {
        self.versions(subject).last()
    }

    /// The ID a new schema gets.
    pub fn next_id(&self) -> u32 {
        self.max_id + 1
    }

    /// The subject's level, else the registry's.
    pub fn level(&self, subject: &str, global: CompatibilityLevel) -> CompatibilityLevel {
        self.levels.get(subject).copied().unwrap_or(global)
    }

    pub fn has_level(&self, subject: &str) -> bool {
        self.levels.contains_key(subject)
    }

    /// Subjects with their versions, in name order.
    pub fn subjects(&self) -> impl Iterator<Item = (&str, &[Version])> {
        self.subjects.iter().filter(|(_, v)| !v.is_empty()).map(|(s, v)| (s.as_str(), v.as_slice()))
    }

    pub fn schema_count(&self) -> usize {
        self.by_id.len()
    }

    /// The subject and version that first registered `id` (for display).
    pub fn first_use_of(&self, id: u32) -> Option<(&str, u32)> {
        self.subjects.iter().find_map(|(s, vs)| vs.iter().find(|v| v.id == id).map(|v| (s.as_str(), v.version)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(subject: &str, version: u32, id: u32, schema: &str) -> StoreRecord {
        StoreRecord::Schema(SchemaValue { subject: subject.into(), version, id, schema: schema.into(), deleted: false })
    }

    #[test]
    fn ids_are_registry_wide_and_versions_per_subject() {
        let mut state = RegistryState::default();
        state.apply(record("a-value", 1, 1, r#""string""#));
        state.apply(record("b-value", 1, 1, r#""string""#));
        state.apply(record("a-value", 2, 2, r#""long""#));
        assert_eq!(state.next_id(), 3);
        let string = AvroSchema::parse(r#""string""#).unwrap();
        assert_eq!(state.id_of(&string), Some(1), "the same schema has one ID everywhere");
        assert_eq!(state.version_of("b-value", &string).map(|v| v.version), Some(1));
        assert_eq!(state.latest("a-value").map(|v| (v.version, v.id)), Some((2, 2)));
        assert_eq!(state.first_use_of(1), Some(("a-value", 1)));
        assert_eq!(state.subjects().count(), 2);
    }

    #[test]
    fn configs_set_a_subjects_level() {
        let mut state = RegistryState::default();
        assert_eq!(state.level("s", CompatibilityLevel::Backward), CompatibilityLevel::Backward);
        state.apply(StoreRecord::Config { subject: "s".into(), level: CompatibilityLevel::None });
        assert_eq!(state.level("s", CompatibilityLevel::Backward), CompatibilityLevel::None);
        assert!(state.has_level("s"));
    }

    #[test]
    fn reading_the_same_record_again_changes_nothing() {
        let mut state = RegistryState::default();
        state.apply(record("a", 1, 1, r#""int""#));
        state.apply(record("a", 1, 1, r#""int""#));
        assert_eq!(state.versions("a").len(), 1);
    }
}
