//! `kafkasim check FILE...`: validate scenarios without running them.

use super::source;

pub fn check(files: &[String]) -> u8 {
    let mut failed = 0;
    for file in files {
        match source::load(file) {
            Ok(scenario) => println!(
                "ok    {file}: \"{}\" — {} broker(s), {} topic(s), {} producer(s), {} consumer(s), {} expectation(s), runs {}",
                scenario.name,
                scenario.brokers,
                // `__consumer_offsets` is Kafka's, not one of the scenario's topics.
                scenario.topics.iter().filter(|t| t.name != crate::scenario::OFFSETS_TOPIC).count(),
                scenario.producers.len(),
                scenario.consumers.len(),
                scenario.expectations.len(),
                scenario.run_for
            ),
            Err(e) => {
                failed += 1;
                println!("error {file}: {} problem(s)", e.problems.len());
                source::report(&e);
            }
        }
    }
    if failed > 0 { 2 } else { 0 }
}
