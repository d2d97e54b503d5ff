//! `kafkasim graph SCENARIO`: the architecture a scenario describes.

use std::io::{self, Write};

use super::{GraphFormat, Output, source};
use crate::scenario::graph;

pub fn graph(scenario: &str, format: GraphFormat, out: &mut Output) -> io::Result<u8> {
    let scenario = match source::load(scenario) {
        Ok(s) => s,
        Err(e) => {
            source::report(&e);
            return Ok(2);
        }
    };
    let picture = graph::architecture(&scenario);
    match format {
        GraphFormat::Text => write!(out, "{}", graph::to_text(&scenario, &picture))?,
        GraphFormat::Dot => write!(out, "{}", graph::to_dot(&scenario, &picture))?,
    }
    Ok(0)
}
