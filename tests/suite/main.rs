//! kafkasim's integration tests, one binary:
//! - `scenarios`: every course scenario runs, passes its expectations, and its
//!   outcome report and trace digest match the reviewed pin beside it
//!   (`scenarios/NAME.snap`, as `kafkasim test` pins any scenario).
//! - `determinism`: the same scenario and seed give the same trace, twice.
//! - `book`: the book's excerpts are what the simulator prints today; its links resolve.
//! - `browser`: the built book opens in headless Chromium: every image loads, no errors.
//! - `broken`: broken scenario files give located, helpful errors (snapshots).
//! - `cli`: the binary's commands, exit codes and machine-readable output.
//! - `draw`: pictures drawn from runs (SVG) show what the run's outcome reports.
//! - `fuzz`: the fuzz targets' checks over their saved regressions, on stable.
//! - `properties`: random scenarios keep Kafka's guarantees and invariants (proptest).
//! - `expectations`: every kind of expectation passes when it holds and fails when it does not.
//! - `sandbox`: sessions saved from the terminal UI's sandbox load and run (proptest).
//! - `explain`: `kafkasim explain` against results from Kafka's tests.
//! - `avro`: Avro and the Schema Registry in small running scenarios.
//! - `schema`: the committed JSON Schema matches the code.
//! - `streams`: Kafka Streams output equals a reference computation (proptest).
//! - `streams_failover`: moved tasks restore from changelogs; what at-least-once replays.
//! - `streams_standby`: standby tasks follow changelogs; a promoted one restores only the gap.
//! - `live`: live mode's gateway against a client speaking Kafka's wire protocol.
//! - `quiz`: questions answered by the run, `kafkasim quiz` and `kafkasim copy`.
//! - `topics`: topics created while the cluster runs (`create_topic`, CreateTopics).
//! - `transactions`: transactional producers, their coordinator and fencing, in running scenarios.
//! - `tui`: the terminal UI's screens (snapshots) and the binary in tmux.
//! - `web`: the WebAssembly build's digests, the book's players in headless Chromium.

mod avro;
mod book;
mod broken;
mod browser;
mod cli;
mod determinism;
mod draw;
mod expectations;
mod explain;
mod fuzz;
mod live;
mod properties;
mod quiz;
mod sandbox;
mod scenarios;
mod schema;
mod streams;
mod streams_failover;
mod streams_standby;
mod support;
mod topics;
mod transactions;
mod tui;
mod web;
