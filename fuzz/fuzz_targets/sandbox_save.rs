//! Sandbox sessions in the terminal UI, one move or action per byte, saved
//! as `w` saves them: the saved scenario loads and runs.
//! (`kafkasim::fuzz::sandbox_session`)

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| kafkasim::fuzz::sandbox_session(data));
