//! kafkasim: a deterministic Kafka teaching simulator.
//!
//! A seeded discrete-event engine (`engine`) drives a model of Kafka — brokers,
//! replicas and logs (`cluster`), producers and consumers (`client`), consumer
//! groups (`group`) — over a simulated network (`net`). Scenarios (`scenario`)
//! describe lessons; the world (`world`) runs them and emits a trace (`trace`)
//! that narration, JSON output, the outcome report and the checkers (`check`)
//! all read. Transactions (`txn`) hold the transaction coordinator's state
//! machine. The CLI (`cli`) is a thin layer over these; `fuzz` holds what the
//! fuzz targets check, for `cargo fuzz` and `cargo test` alike; live mode
//! (`live`) puts the simulated cluster on sockets. These three need the
//! `native` feature (the default); without it the crate is the simulator and
//! the terminal UI's panes alone, which the browser player builds on.

// Everything the library prints goes through `cli::Output`, which ends quietly
// on a closed pipe and reports a full disk; a stray `println!` would panic
// there instead, so the print macros are refused everywhere.
#![deny(clippy::print_stdout, clippy::print_stderr, clippy::dbg_macro)]

pub mod actor;
pub mod avro;
pub mod check;
#[cfg(feature = "native")]
pub mod cli;
pub mod client;
pub mod cluster;
pub mod config;
pub mod draw;
pub mod engine;
#[cfg(feature = "native")]
pub mod fuzz;
pub mod group;
pub mod ids;
#[cfg(feature = "native")]
pub mod live;
pub mod net;
pub mod protocol;
pub mod quiz;
pub mod registry;
pub mod scenario;
pub mod streams;
pub mod trace;
pub mod tui;
pub mod txn;
pub mod world;
