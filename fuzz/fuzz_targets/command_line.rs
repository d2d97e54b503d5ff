//! Arguments (separated by NUL bytes or newlines) through the command line:
//! clap parses or refuses them, and the commands that only read and print
//! run on them without a panic. (`kafkasim::fuzz::command_line`)

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| kafkasim::fuzz::command_line(data));
