//! `kafkasim new NAME`: write a commented starter scenario.

use std::io::{self, Write};
use std::path::PathBuf;

use super::{Output, output};
use crate::scenario::save::{Existing, write_scenario};
use crate::scenario::starter::starter;

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
    let existing = if force { Existing::Replace } else { Existing::Keep };
    if let Err(e) = write_scenario(&path, &starter(stem), existing) {
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
    writeln!(out, "wrote {} — run it with `kafkasim run {}`", path.display(), path.display())?;
    Ok(0)
}
