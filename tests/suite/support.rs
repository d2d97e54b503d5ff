//! Shared helpers: running scenarios and where snapshots live.

pub mod json_schema;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use kafkasim::scenario::{Scenario, load_bytes};
use kafkasim::trace::digest::DigestSink;
use kafkasim::trace::report::Outcome;
use kafkasim::world::{BuildOptions, World};

pub fn repo_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Runs the `kafkasim` binary in the repository root.
pub fn kafkasim(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kafkasim")).args(args).current_dir(repo_root()).output().expect("the binary runs")
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// A path relative to the repository, as snapshots should show it.
pub fn relative(path: &Path) -> String {
    path.strip_prefix(repo_root()).unwrap_or(path).display().to_string()
}

pub fn load(path: &Path) -> Scenario {
    let bytes = std::fs::read(path).expect("readable scenario");
    load_bytes(&relative(path), &bytes).unwrap_or_else(|e| panic!("{} does not load:\n{e}", relative(path)))
}

/// Runs a scenario with invariant checks on; returns its outcome and trace digest.
pub fn run(scenario: Scenario, seed: Option<u64>) -> (Outcome, String, u64) {
    let mut world = World::new(scenario, BuildOptions { seed, check_invariants: true });
    let mut digest = DigestSink::default();
    world.run(&mut digest).unwrap_or_else(|e| panic!("run failed: {e}"));
    (world.outcome(), digest.hex(), digest.events)
}

/// insta settings that write to the top-level `snapshots/` folder.
pub fn snapshot_settings() -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(repo_root().join("snapshots"));
    settings.set_prepend_module_to_snapshot(false);
    settings
}

pub fn scenario_files() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(repo_root().join("scenarios"))
        .expect("scenarios folder")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .collect();
    files.sort();
    files
}
