//! `kafkasim graph SCENARIO`: the architecture a scenario describes.

use super::{GraphFormat, source};
use crate::scenario::graph;

pub fn graph(scenario: &str, format: GraphFormat) -> u8 {
    let scenario = match source::load(scenario) {
        Ok(s) => s,
        Err(e) => {
            source::report(&e);
            return 2;
        }
    };
    let picture = graph::architecture(&scenario);
    match format {
        GraphFormat::Text => print!("{}", graph::to_text(&scenario, &picture)),
        GraphFormat::Dot => print!("{}", graph::to_dot(&scenario, &picture)),
    }
    0
}
