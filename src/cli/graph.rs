//! `kafkasim graph SCENARIO`: the architecture a scenario describes, or with
//! `--app ID` a Kafka Streams application's topology.

use std::io::{self, Write};

use super::{GraphFormat, Output, output, source};
use crate::scenario::graph;

pub fn graph(scenario: &str, format: GraphFormat, app: Option<&str>, out: &mut Output) -> io::Result<u8> {
    let scenario = match source::load(scenario) {
        Ok(s) => s,
        Err(e) => {
            source::report(&e);
            return Ok(2);
        }
    };
    if let Some(id) = app {
        let app = match super::explain::topology::pick(&scenario, Some(id)) {
            Ok(app) => app,
            Err(message) => {
                output::eprint(&format!("{message}\n"));
                return Ok(2);
            }
        };
        use crate::streams::topology::graph as topology_graph;
        match format {
            GraphFormat::Text => write!(out, "{}", topology_graph::to_text(&app.application_id, &app.topology))?,
            GraphFormat::Dot => write!(out, "{}", topology_graph::to_dot(&app.application_id, &app.topology))?,
        }
        return Ok(0);
    }
    let picture = graph::architecture(&scenario);
    match format {
        GraphFormat::Text => write!(out, "{}", graph::to_text(&scenario, &picture))?,
        GraphFormat::Dot => write!(out, "{}", graph::to_dot(&scenario, &picture))?,
    }
    Ok(0)
}
