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

/// libFuzzer's kind of search, bounded, on stable and in every `cargo test`:
/// each target's seed inputs (its regressions; for the loader and the run
/// also the course scenarios) with a few random byte edits — flips,
/// insertions, deletions, a copied span — go through the target. Without
/// cargo-fuzz this is the fuzzing CI does; `KAFKASIM_PROPTEST_CASES` widens it.
mod mutations {
    use proptest::prelude::*;

    use super::regressions;

    #[derive(Clone, Debug)]
    enum Edit {
        Flip(u16, u8),
        Insert(u16, u8),
        Delete(u16, u8),
        /// A span copied to another place: YAML lines and arguments repeat.
        Copy(u16, u8, u16),
    }

    fn edit() -> impl Strategy<Value = Edit> {
        prop_oneof![
            (any::<u16>(), any::<u8>()).prop_map(|(at, byte)| Edit::Flip(at, byte)),
            (any::<u16>(), any::<u8>()).prop_map(|(at, byte)| Edit::Insert(at, byte)),
            (any::<u16>(), 1u8..16).prop_map(|(at, n)| Edit::Delete(at, n)),
            (any::<u16>(), 1u8..40, any::<u16>()).prop_map(|(from, n, to)| Edit::Copy(from, n, to)),
        ]
    }

    fn mutate(mut data: Vec<u8>, edits: &[Edit]) -> Vec<u8> {
        let at = |i: u16, len: usize| if len == 0 { 0 } else { usize::from(i) % (len + 1) };
        for e in edits {
            match *e {
                Edit::Flip(i, byte) if !data.is_empty() => {
                    let i = usize::from(i) % data.len();
                    data[i] ^= byte;
                }
                Edit::Flip(..) => {}
                Edit::Insert(i, byte) => data.insert(at(i, data.len()), byte),
                Edit::Delete(i, n) => {
                    let start = at(i, data.len());
                    let end = (start + usize::from(n)).min(data.len());
                    data.drain(start..end);
                }
                Edit::Copy(from, n, to) => {
                    let start = at(from, data.len());
                    let span: Vec<u8> = data[start..(start + usize::from(n)).min(data.len())].to_vec();
                    let to = at(to, data.len());
                    data.splice(to..to, span);
                }
            }
        }
        data
    }

    /// The seeds of a target: its regressions, and for `with_scenarios` the course scenarios.
    fn seeds(target: &str, with_scenarios: bool) -> Vec<Vec<u8>> {
        let mut seeds: Vec<Vec<u8>> = regressions(target).into_iter().map(|(_, data)| data).collect();
        if with_scenarios {
            seeds.extend(kafkasim::scenario::builtin::BUILTIN.iter().map(|(_, text)| text.as_bytes().to_vec()));
        }
        seeds
    }

    fn cases(default: u32) -> u32 {
        std::env::var("KAFKASIM_PROPTEST_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(default)
    }

    fn config(default: u32) -> ProptestConfig {
        ProptestConfig { cases: cases(default), failure_persistence: None, ..ProptestConfig::default() }
    }

    proptest! {
        #![proptest_config(config(200))]

        #[test]
        fn the_loader_target_on_mutated_inputs(seed in any::<prop::sample::Index>(), edits in prop::collection::vec(edit(), 1..8)) {
            let seeds = seeds("load", true);
            kafkasim::fuzz::load(&mutate(seeds[seed.index(seeds.len())].clone(), &edits));
        }

        #[test]
        fn the_command_line_target_on_mutated_inputs(seed in any::<prop::sample::Index>(), edits in prop::collection::vec(edit(), 1..6)) {
            let seeds = seeds("command_line", false);
            kafkasim::fuzz::command_line(&mutate(seeds[seed.index(seeds.len())].clone(), &edits));
        }
    }

    proptest! {
        // A run or a sandbox session takes longer than a load: fewer cases.
        #![proptest_config(config(12))]

        #[test]
        fn the_run_target_on_mutated_inputs(seed in any::<prop::sample::Index>(), edits in prop::collection::vec(edit(), 1..4)) {
            let seeds = seeds("run", true);
            kafkasim::fuzz::run(&mutate(seeds[seed.index(seeds.len())].clone(), &edits));
        }

        #[test]
        fn the_sandbox_save_target_on_mutated_inputs(seed in any::<prop::sample::Index>(), edits in prop::collection::vec(edit(), 1..6)) {
            let seeds = seeds("sandbox_save", false);
            kafkasim::fuzz::sandbox_session(&mutate(seeds[seed.index(seeds.len())].clone(), &edits));
        }
    }
}
