//! Reading an `.avsc` file for the `explain` commands, with errors that
//! point at file:line:column.

use crate::avro::AvroSchema;
use crate::cli::output;
use crate::scenario::{Problem, ScenarioError, Source};

/// Lower-case hex, bytes separated by `sep`.
pub fn hex(bytes: &[u8], sep: &str) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect::<Vec<_>>().join(sep)
}

/// Reads and parses a schema file; on failure prints the error (with the
/// line and a fix) and returns `None`.
pub fn read_schema(path: &str) -> Option<(AvroSchema, String)> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) => {
            output::eprint(&format!("error: cannot read {path}: {e}\n"));
            output::eprint("help: give the path of an Avro schema file (JSON, usually ending in .avsc)\n");
            return None;
        }
    };
    match AvroSchema::parse(&text) {
        Ok(schema) => Some((schema, text)),
        Err(e) => {
            let problem = match e.span {
                Some((offset, len)) => Problem::at(miette::SourceSpan::new(offset.into(), len), e.message),
                None => Problem::whole_file(e.message),
            };
            let error = ScenarioError::new(Source::new(path, text), vec![problem.help(e.help)]);
            crate::cli::source::report(&error);
            None
        }
    }
}
