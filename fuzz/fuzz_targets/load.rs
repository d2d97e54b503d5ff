//! Any bytes through the scenario loader: a scenario, or an error that
//! names where the problem is and how to fix it — never a panic.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(error) = kafkasim::scenario::load_bytes("fuzzed.yaml", data) {
        assert!(!error.problems.is_empty(), "an error with no problem in it");
        for problem in &error.problems {
            assert!(problem.help.is_some(), "`{}` has no help", problem.message);
        }
        // Rendering must not panic either (spans inside the text, UTF-8 boundaries).
        let _ = error.render(false);
    }
});
