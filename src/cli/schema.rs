//! `kafkasim schema`: the JSON Schema of scenario files (draft-07, which the
//! YAML language server behind VS Code and other editors understands), and
//! with `--outcome` the schema of the outcome `kafkasim run --format json`
//! prints, for programs that read it.

use crate::scenario::file::ScenarioFile;
use crate::trace::report::Outcome;

/// The scenario schema as pretty JSON.
pub fn schema_json() -> String {
    let generator = schemars::generate::SchemaSettings::draft07().into_generator();
    let schema = generator.into_root_schema_for::<ScenarioFile>();
    serde_json::to_string_pretty(&schema).expect("a schema serialises")
}

/// The schema of the JSON outcome, as pretty JSON.
pub fn outcome_schema_json() -> String {
    let generator = schemars::generate::SchemaSettings::draft07().into_generator();
    let schema = generator.into_root_schema_for::<Outcome>();
    serde_json::to_string_pretty(&schema).expect("a schema serialises")
}

pub fn schema(outcome: bool) -> u8 {
    println!("{}", if outcome { outcome_schema_json() } else { schema_json() });
    0
}
