//! `kafkasim new NAME`: write a commented starter scenario, and the JSON
//! Schema its first line points editors at, beside it.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use super::{Output, output};
use crate::scenario::save::{Existing, write_scenario};
use crate::scenario::starter::starter;

/// The schema file the starter's first line names, relative to the scenario.
pub const SCHEMA_FILE: &str = "scenario.schema.json";

/// Writes `scenario.schema.json` into `dir` unless it is there and current
/// (through a temporary file and a rename, as the scenario).
fn write_schema(dir: &Path) -> io::Result<bool> {
    let path = dir.join(SCHEMA_FILE);
    let schema = super::schema_json() + "\n";
    if std::fs::read_to_string(&path).is_ok_and(|old| old == schema) {
        return Ok(false);
    }
    write_scenario(&path, &schema, Existing::Replace)?;
    Ok(true)
}

pub fn new(name: &str, force: bool, out: &mut Output) -> io::Result<u8> {
    let stem = name.strip_suffix(".yaml").unwrap_or(name);
    if stem.is_empty() || stem.contains(['/', '\\']) || stem.starts_with('.') || stem.chars().any(char::is_control) {
        output::eprint(&format!(
            "error: `{}` is not a plain scenario name; use something like `my-lesson`\n",
            name.escape_debug()
        ));
        return Ok(2);
    }
    let path = PathBuf::from(format!("{stem}.yaml"));
    // In the repository's `scenarios/`, the committed schema is one folder up.
    let repository_schema = Path::new("../schema").join(SCHEMA_FILE);
    let in_repository = repository_schema.exists();
    let mut text = starter(stem);
    if in_repository {
        text = text.replacen(SCHEMA_FILE, &format!("../schema/{SCHEMA_FILE}"), 1);
    }
    let existing = if force { Existing::Replace } else { Existing::Keep };
    if let Err(e) = write_scenario(&path, &text, existing) {
        let help = match e.kind() {
            io::ErrorKind::AlreadyExists if !force => "\nhelp: pass --force to overwrite it, or choose another name",
            io::ErrorKind::AlreadyExists | io::ErrorKind::InvalidInput => {
                "\nhelp: remove it first, or choose another name"
            }
            _ => "",
        };
        output::eprint(&format!("error: cannot write {}: {e}{help}\n", path.display()));
        return Ok(2);
    }
    let schema = match if in_repository { Ok(false) } else { write_schema(Path::new(".")) } {
        Ok(true) => format!(", and {SCHEMA_FILE} beside it for editor completion"),
        Ok(false) => String::new(),
        Err(e) => format!(" (but not {SCHEMA_FILE}: {e}; `kafkasim schema > {SCHEMA_FILE}` writes it)"),
    };
    let file = path.display();
    writeln!(out, "wrote {file}{schema}. Next:")?;
    writeln!(out, "  kafkasim run {file}              narrate the run and print its outcome")?;
    writeln!(out, "  kafkasim play {file}             step through it in the terminal UI")?;
    writeln!(out, "  kafkasim test {file} --accept    pin its outcome as {stem}.snap; `kafkasim test` then checks it")?;
    Ok(0)
}
