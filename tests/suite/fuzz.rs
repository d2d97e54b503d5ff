//! The fuzz targets' checks (`kafkasim::fuzz`) on stable, as ordinary tests:
//! every input in `fuzz/regressions/<target>/` — inputs that once made
//! kafkasim panic, hang, loop at one instant or save a session `run` refused
//! — goes through its target, and every course and broken scenario through
//! the loader's. `cargo fuzz` runs the same functions on new inputs.

use std::path::Path;

use super::support;

/// Each regression input of `target`, by file name.
fn regressions(target: &str) -> Vec<(String, Vec<u8>)> {
    let dir = support::repo_root().join("fuzz/regressions").join(target);
    let mut inputs: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| {
            let path = entry.expect("a directory entry").path();
            let name = path.file_name().expect("a file").to_string_lossy().into_owned();
            (name, std::fs::read(&path).expect("readable"))
        })
        .collect();
    inputs.sort();
    assert!(!inputs.is_empty(), "no regressions for {target}");
    inputs
}

fn each(target: &str, check: fn(&[u8])) {
    for (name, data) in regressions(target) {
        let outcome = std::panic::catch_unwind(|| check(&data));
        assert!(outcome.is_ok(), "fuzz/regressions/{target}/{name} fails its target");
    }
}

#[test]
fn loader_regressions() {
    each("load", kafkasim::fuzz::load);
}

#[test]
fn the_loader_target_passes_every_course_and_broken_scenario() {
    for dir in ["scenarios", "tests/broken"] {
        for entry in std::fs::read_dir(support::repo_root().join(dir)).expect("a folder") {
            let path = entry.expect("an entry").path();
            if path.extension().is_some_and(|x| x == "yaml") {
                kafkasim::fuzz::load(&std::fs::read(Path::new(&path)).expect("readable"));
            }
        }
    }
}

#[test]
fn run_regressions() {
    each("run", kafkasim::fuzz::run);
}

#[test]
fn command_line_regressions() {
    each("command_line", kafkasim::fuzz::command_line);
}

#[test]
fn sandbox_save_regressions() {
    each("sandbox_save", kafkasim::fuzz::sandbox_session);
}
