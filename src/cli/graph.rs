//! `kafkasim graph SCENARIO`: the architecture a scenario describes, or with
//! `--app ID` a Kafka Streams application's topology.

use super::{GraphFormat, source};
use crate::scenario::graph;

pub fn graph(scenario: &str, format: GraphFormat, app: Option<&str>) -> u8 {
    let scenario = match source::load(scenario) {
        Ok(s) => s,
        Err(e) => {
            source::report(&e);
            return 2;
        }
    };
    if let Some(id) = app {
        let app = match super::explain::topology::pick(&scenario, Some(id)) {
            Ok(app) => app,
            Err(message) => {
                eprintln!("{message}");
                return 2;
            }
        };
        use crate::streams::topology::graph as topology_graph;
        match format {
            GraphFormat::Text => print!("{}", topology_graph::to_text(&app.application_id, &app.topology)),
            GraphFormat::Dot => print!("{}", topology_graph::to_dot(&app.application_id, &app.topology)),
        }
        return 0;
    }
    let picture = graph::architecture(&scenario);
    match format {
        GraphFormat::Text => print!("{}", graph::to_text(&scenario, &picture)),
        GraphFormat::Dot => print!("{}", graph::to_dot(&scenario, &picture)),
    }
    0
}
