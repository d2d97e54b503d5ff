//! `kafkasim copy NAME [FILE]`: a built-in scenario written to a file to
//! change (an exercise starts from one). The copy keeps its expectations and
//! questions; a comment on top says that changing the scenario may make
//! expectations written for the original fail on purpose.

use std::io::{self, Write};
use std::path::PathBuf;

use super::{Output, output};
use crate::scenario::builtin;
use crate::scenario::save::{Existing, write_scenario};

pub fn copy(name: &str, file: Option<&str>, force: bool, out: &mut Output) -> io::Result<u8> {
    let stem = name.strip_suffix(".yaml").unwrap_or(name);
    let Some(text) = builtin::find(stem) else {
        output::eprint(&format!(
            "error: no built-in scenario is called `{}`\nhelp: `kafkasim list` shows them\n",
            name.escape_debug()
        ));
        return Ok(2);
    };
    let path = PathBuf::from(file.map_or_else(|| format!("{stem}.yaml"), str::to_string));
    let copied = builtin::copy_text(stem).unwrap_or_else(|| text.to_string());
    let existing = if force { Existing::Replace } else { Existing::Keep };
    if let Err(e) = write_scenario(&path, &copied, existing) {
        let help = if e.kind() == io::ErrorKind::AlreadyExists && !force {
            "\nhelp: pass --force to overwrite it, or name another file"
        } else {
            ""
        };
        output::eprint(&format!("error: cannot write {}: {e}{help}\n", path.display()));
        return Ok(2);
    }
    writeln!(
        out,
        "wrote {}: the built-in `{stem}` to change; `kafkasim run {}` runs it, `kafkasim play {}` opens it",
        path.display(),
        path.display(),
        path.display()
    )?;
    Ok(0)
}
