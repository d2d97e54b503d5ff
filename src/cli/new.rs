//! `kafkasim new NAME`: write a commented starter scenario, and the JSON
//! Schema its first line points editors at, beside it.

use std::path::{Path, PathBuf};

use crate::scenario::starter::starter;

/// The schema file the starter's first line names, relative to the scenario.
pub const SCHEMA_FILE: &str = "scenario.schema.json";

/// Writes `scenario.schema.json` into `dir` unless it is there and current.
fn write_schema(dir: &Path) -> std::io::Result<bool> {
    let path = dir.join(SCHEMA_FILE);
    let schema = super::schema_json() + "\n";
    if std::fs::read_to_string(&path).is_ok_and(|old| old == schema) {
        return Ok(false);
    }
    std::fs::write(path, schema)?;
    Ok(true)
}

pub fn new(name: &str, force: bool) -> u8 {
    let stem = name.strip_suffix(".yaml").unwrap_or(name);
    if stem.is_empty() || stem.contains(['/', '\\']) {
        eprintln!("error: `{name}` is not a plain scenario name; use something like `my-lesson`");
        return 2;
    }
    let path = PathBuf::from(format!("{stem}.yaml"));
    if path.exists() && !force {
        eprintln!("error: {} already exists; pass --force to overwrite it", path.display());
        return 2;
    }
    // In the repository's `scenarios/`, the committed schema is one folder up.
    let repository_schema = Path::new("../schema").join(SCHEMA_FILE);
    let in_repository = repository_schema.exists();
    let mut text = starter(stem);
    if in_repository {
        text = text.replacen(SCHEMA_FILE, &format!("../schema/{SCHEMA_FILE}"), 1);
    }
    if let Err(e) = std::fs::write(&path, text) {
        eprintln!("error: cannot write {}: {e}", path.display());
        return 2;
    }
    let schema = match if in_repository { Ok(false) } else { write_schema(Path::new(".")) } {
        Ok(true) => format!(", and {SCHEMA_FILE} beside it for editor completion"),
        Ok(false) => String::new(),
        Err(e) => format!(" (but not {SCHEMA_FILE}: {e}; `kafkasim schema > {SCHEMA_FILE}` writes it)"),
    };
    let file = path.display();
    println!("wrote {file}{schema}. Next:");
    println!("  kafkasim run {file}              narrate the run and print its outcome");
    println!("  kafkasim play {file}             step through it in the terminal UI");
    println!("  kafkasim test {file} --accept    pin its outcome as {stem}.snap; `kafkasim test` then checks it");
    0
}
