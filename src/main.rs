//! The `kafkasim` command: parses arguments and hands over to the library.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = kafkasim::cli::Cli::parse();
    kafkasim::cli::run(cli)
}
