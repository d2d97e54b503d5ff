//! Any bytes through the scenario loader: a scenario, or an error that
//! names where the problem is and how to fix it, renders short and prints
//! no control character — never a panic. (`kafkasim::fuzz::load`)

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| kafkasim::fuzz::load(data));
