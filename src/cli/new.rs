//! `kafkasim new NAME`: write a commented starter scenario.

use std::path::PathBuf;

use crate::scenario::starter::starter;

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
    if let Err(e) = std::fs::write(&path, starter(stem)) {
        eprintln!("error: cannot write {}: {e}", path.display());
        return 2;
    }
    println!("wrote {} — run it with `kafkasim run {}`", path.display(), path.display());
    0
}
