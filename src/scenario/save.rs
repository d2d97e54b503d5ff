//! Writing a scenario file (`kafkasim new`, the TUI's `w`) so that a failure
//! leaves nothing behind: the text goes to a temporary file in the same
//! directory, which is renamed into place only once it is complete. A
//! full disk therefore never leaves an empty or half-written file that
//! would block the next try, and a symbolic link is never written through
//! (a dangling one could point anywhere, outside the directory too).

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// Whether an existing file may be replaced.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Existing {
    Keep,
    Replace,
}

/// Whether something — a file, a directory, a link, even a dangling one —
/// is at `path` already.
pub fn is_taken(path: &Path) -> bool {
    fs::symlink_metadata(path).is_ok()
}

/// Writes `text` to `path` whole, or not at all.
pub fn write_scenario(path: &Path, text: &str, existing: Existing) -> io::Result<()> {
    write_with(path, existing, |file| file.write_all(text.as_bytes()))
}

fn write_with(path: &Path, existing: Existing, fill: impl FnOnce(&mut fs::File) -> io::Result<()>) -> io::Result<()> {
    match fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_symlink() => {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("{} is a symbolic link; kafkasim does not write through links", path.display()),
            ));
        }
        Ok(meta) if meta.is_dir() => {
            return Err(io::Error::new(io::ErrorKind::InvalidInput, format!("{} is a directory", path.display())));
        }
        Ok(_) if existing == Existing::Keep => {
            return Err(io::Error::new(io::ErrorKind::AlreadyExists, format!("{} already exists", path.display())));
        }
        Ok(_) => {}
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        Err(e) => return Err(e),
    }
    let temporary = temporary_path(path);
    // `create_new` fails on anything already there, a link included.
    let written = fs::OpenOptions::new().write(true).create_new(true).open(&temporary).and_then(|mut file| {
        fill(&mut file)?;
        file.sync_all()
    });
    let placed = written.and_then(|()| match existing {
        // A hard link is created only where nothing is: no race with another writer.
        Existing::Keep => fs::hard_link(&temporary, path).or_else(|e| {
            if e.kind() == io::ErrorKind::AlreadyExists || is_taken(path) {
                Err(io::Error::new(io::ErrorKind::AlreadyExists, format!("{} already exists", path.display())))
            } else {
                // A file system without hard links: the check above has to do.
                fs::rename(&temporary, path)
            }
        }),
        Existing::Replace => fs::rename(&temporary, path),
    });
    let _ = fs::remove_file(&temporary);
    placed
}

/// `.NAME.PID.tmp` beside `path`: the same directory, so the rename stays on
/// one file system; hidden, and named by process so two runs cannot collide.
fn temporary_path(path: &Path) -> PathBuf {
    let name = path.file_name().map_or_else(|| "scenario".into(), |n| n.to_string_lossy().into_owned());
    path.with_file_name(format!(".{name}.{}.tmp", std::process::id()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(test: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("kafkasim-save-{test}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).expect("a scratch directory");
        dir
    }

    fn entries(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .expect("listable")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn a_failed_write_leaves_nothing_behind() {
        let dir = scratch("fail");
        let path = dir.join("lesson.yaml");
        let full = || Err(io::Error::new(io::ErrorKind::StorageFull, "no space left on device"));
        assert!(write_with(&path, Existing::Keep, |_| full()).is_err());
        assert!(entries(&dir).is_empty(), "no empty or temporary file: {:?}", entries(&dir));
        // So a second try works.
        write_scenario(&path, "name: x\n", Existing::Keep).expect("written");
        assert_eq!(fs::read_to_string(&path).expect("readable"), "name: x\n");
    }

    #[test]
    fn an_existing_file_is_kept_unless_replacing_is_asked_for() {
        let dir = scratch("existing");
        let path = dir.join("lesson.yaml");
        fs::write(&path, "old").expect("written");
        let refused = write_scenario(&path, "new", Existing::Keep).expect_err("kept");
        assert_eq!(refused.kind(), io::ErrorKind::AlreadyExists);
        assert_eq!(fs::read_to_string(&path).expect("readable"), "old");
        write_scenario(&path, "new", Existing::Replace).expect("replaced");
        assert_eq!(fs::read_to_string(&path).expect("readable"), "new");
        assert_eq!(entries(&dir), vec!["lesson.yaml"]);
    }

    #[cfg(unix)]
    #[test]
    fn a_symbolic_link_is_never_written_through() {
        let dir = scratch("link");
        let outside = scratch("link-target");
        let target = outside.join("elsewhere.yaml");
        let link = dir.join("lesson.yaml");
        std::os::unix::fs::symlink(&target, &link).expect("a dangling link");
        assert!(is_taken(&link), "a dangling link counts as taken");
        for existing in [Existing::Keep, Existing::Replace] {
            let refused = write_scenario(&link, "name: x\n", existing).expect_err("refused");
            assert!(refused.to_string().contains("symbolic link"), "{refused}");
        }
        assert!(!target.exists(), "nothing was written where the link points");
        assert_eq!(entries(&dir), vec!["lesson.yaml"]);
    }
}
