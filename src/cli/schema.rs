//! `kafkasim schema`: the JSON Schema of scenario files (draft-07, which the
//! YAML language server behind VS Code and other editors understands).

use std::io::{self, Write};

use super::Output;
use crate::scenario::file::ScenarioFile;

/// The schema as pretty JSON.
pub fn schema_json() -> String {
    let generator = schemars::generate::SchemaSettings::draft07().into_generator();
    let schema = generator.into_root_schema_for::<ScenarioFile>();
    serde_json::to_string_pretty(&schema).expect("a schema serialises")
}

pub fn schema(out: &mut Output) -> io::Result<u8> {
    writeln!(out, "{}", schema_json())?;
    Ok(0)
}
