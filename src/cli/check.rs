//! `kafkasim check FILE...`: validate scenarios without running them.

use std::io::{self, Write};

use super::{Output, source};

pub fn check(files: &[String], out: &mut Output) -> io::Result<u8> {
    let mut failed = 0;
    for file in files {
        match source::load(file) {
            Ok(scenario) => {
                writeln!(
                    out,
                    "ok    {file}: \"{}\" — {} broker(s), {} topic(s), {} producer(s), {} consumer(s), {} expectation(s), runs {}",
                    scenario.name,
                    scenario.brokers,
                    // `__consumer_offsets` is Kafka's, not one of the scenario's topics.
                    scenario.topics.iter().filter(|t| t.name != crate::scenario::OFFSETS_TOPIC).count(),
                    scenario.producers.len(),
                    scenario.consumers.len(),
                    scenario.expectations.len(),
                    scenario.run_for
                )?;
                for note in &scenario.notes {
                    writeln!(out, "      note: {note}")?;
                }
            }
            Err(e) => {
                failed += 1;
                writeln!(out, "error {file}: {} problem(s)", e.problems.len())?;
                // The report goes to stderr: the summary line first, in order.
                out.flush()?;
                source::report(&e);
            }
        }
    }
    Ok(if failed > 0 { 2 } else { 0 })
}
