//! `kafkasim serve [SCENARIO]`: the scenario's cluster on loopback ports,
//! for real Kafka clients, narrated like `run`.

use std::io::{self, Write};
use std::net::IpAddr;

use super::output::{self, Output};
use super::source;
use crate::engine::SimTime;
use crate::live::{DEMO_CLUSTER, Gateway, ServeOptions};
use crate::scenario::{self, CEILING_MAX_EVENTS};
use crate::trace::sink::NarrationSink;
use crate::trace::{Level, header};
use crate::world::{BuildOptions, World};

/// How long a live cluster may run, in virtual time: a year.
const SERVE_FOR: SimTime = SimTime::from_micros(365 * 24 * 3600 * 1_000_000);

#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// A scenario file or built-in name; default: three brokers and the demo_1 topic.
    pub scenario: Option<String>,
    /// Broker 1 listens on this port, broker 2 on the next, and so on (0: any free ports).
    #[arg(long, default_value_t = 9092)]
    pub port: u16,
    /// The address to listen on. Only loopback unless you give another
    /// address here: the simulated cluster has no authentication.
    #[arg(long, default_value = "127.0.0.1")]
    pub bind: IpAddr,
    /// Virtual seconds per wall-clock second (0.5 runs at half speed).
    #[arg(long, default_value_t = 1.0)]
    pub speed: f64,
    /// More narration: -v adds protocol detail, -vv every network message.
    #[arg(short, long, action = clap::ArgAction::Count)]
    pub verbose: u8,
}

pub fn serve(args: &ServeArgs, out: &mut Output) -> io::Result<u8> {
    if !(args.speed.is_finite() && args.speed > 0.0 && args.speed <= 1000.0) {
        output::eprint(&format!(
            "error: --speed {} is not a speed: give a number above 0 and at most 1000\n",
            args.speed
        ));
        return Ok(2);
    }
    let loaded = match &args.scenario {
        Some(name) => source::load_runnable(name),
        None => scenario::load_str("serve (demo cluster)", DEMO_CLUSTER),
    };
    let mut scenario = match loaded {
        Ok(s) => s,
        Err(e) => {
            source::report(&e);
            return Ok(2);
        }
    };
    // A live cluster runs until it is stopped, not for the scenario's `run:`.
    scenario.run_for = SERVE_FOR;
    scenario.limits.max_events = CEILING_MAX_EVENTS;
    scenario::resolve::add_offsets_topic(&mut scenario);
    let source_name = scenario.source.name.clone();
    let world = World::new(scenario, BuildOptions::default());
    let options = ServeOptions { bind: args.bind, base_port: args.port, speed: args.speed, ..ServeOptions::default() };
    let mut gateway = match Gateway::bind(world, options) {
        Ok(g) => g,
        Err(e) => {
            output::eprint(&format!(
                "error: {e}\nIs another Kafka (or kafkasim) running there? Stop it, or choose other ports with --port.\n"
            ));
            return Ok(2);
        }
    };
    write!(out, "{}", header::text(gateway.world(), &source_name))?;
    let addresses: Vec<String> =
        gateway.advertised().ports.iter().map(|(b, port)| format!("broker {b} on {}:{port}", args.bind)).collect();
    writeln!(out, "Serving: {}", addresses.join(", "))?;
    let bootstrap: Vec<String> = gateway.advertised().ports.iter().map(|(_, p)| format!("{}:{p}", args.bind)).collect();
    writeln!(out, "Point your client at bootstrap_servers=\"{}\". Stop with Ctrl-C.\n", bootstrap.join(","))?;
    out.flush()?;
    let level = match args.verbose {
        0 => Level::Story,
        1 => Level::Detail,
        _ => Level::Debug,
    };
    let mut note = |line: String| output::eprint(&format!("[live] {line}\n"));
    let result = gateway.run(&mut NarrationSink::new(level, &mut *out), &mut note);
    match result {
        Ok(()) => Ok(0),
        Err(e) => {
            output::eprint(&format!("error: {e}\n"));
            Ok(2)
        }
    }
}
