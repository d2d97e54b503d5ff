//! The command line: argument definitions (clap) and one small module per
//! subcommand. Each subcommand returns its exit code; nothing here knows how
//! the simulation works beyond the library's public API.

mod check;
mod configs;
mod copy;
mod draw;
mod explain;
mod graph;
mod list;
mod new;
mod output;
mod play;
mod progress;
mod quiz;
mod run;
mod schema;
mod serve;
mod source;
mod stats;
pub mod test;

use std::io::{self, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};

pub use output::Output;
pub use schema::{outcome_schema_json, schema_json};

/// Simulate Kafka in virtual time: brokers, replication, producers and
/// consumers, deterministically from a seed.
#[derive(Debug, Parser)]
#[command(name = "kafkasim", version, about, long_about = None, after_help = AFTER_HELP)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

const AFTER_HELP: &str = "Start with `kafkasim play producer-consumer` (in a terminal), or `kafkasim run producer-consumer`.\nWith no arguments in a terminal, kafkasim opens a list of the built-in lessons.";

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Open a scenario in the terminal UI: step forward and back, play, and
    /// change its future in the sandbox (press ? inside for the keys).
    Play {
        /// A scenario file, or the name of a built-in scenario (see `kafkasim list`).
        scenario: String,
        /// Use this seed instead of the scenario's.
        #[arg(long)]
        seed: Option<u64>,
    },
    /// Run a scenario and narrate it in virtual time, then print the outcome.
    Run(RunArgs),
    /// Check scenario files for errors without running them.
    Check {
        /// Scenario files (or built-in scenario names).
        #[arg(required = true)]
        files: Vec<String>,
    },
    /// List the built-in course scenarios.
    List {
        #[arg(long, value_enum, default_value_t = ListFormat::Text)]
        format: ListFormat,
    },
    /// Explain a Kafka algorithm on your own input.
    #[command(subcommand)]
    Explain(ExplainCommand),
    /// Draw the architecture a scenario describes: producers, topics, groups.
    Graph {
        /// A scenario file, or the name of a built-in scenario.
        scenario: String,
        /// Text for the terminal, or Graphviz DOT (`| dot -Tsvg > arch.svg`).
        #[arg(long, value_enum, default_value_t = GraphFormat::Text)]
        format: GraphFormat,
        /// Draw this Kafka Streams application's topology instead.
        #[arg(long)]
        app: Option<String>,
    },
    /// Draw a picture of a run as SVG: partitions over time, consumer groups,
    /// a partition's log, or who writes and reads what.
    Draw(draw::DrawArgs),
    /// Every Kafka config kafkasim knows: default (Kafka 4.0) and meaning.
    Configs {
        /// Only this scope: topic, broker, producer, consumer or streams.
        #[arg(long)]
        scope: Option<String>,
        /// Show this client library's defaults for producers and consumers.
        #[arg(long, value_enum, default_value_t = explain::partition::ClientArg::Java)]
        client: explain::partition::ClientArg,
        #[arg(long, value_enum, default_value_t = ConfigsFormat::Text)]
        format: ConfigsFormat,
    },
    /// Run scenarios and compare each outcome with the pin beside it
    /// (NAME.snap); show what changed; exit 1 on a difference.
    Test {
        /// Scenario files, or folders of them (searched with their
        /// subfolders). Default: the current folder.
        paths: Vec<PathBuf>,
        /// Pin the new outcomes (write NAME.snap) where they differ or are new.
        #[arg(long)]
        accept: bool,
        /// Ask about each new outcome in turn, at the terminal.
        #[arg(long, conflicts_with = "accept")]
        review: bool,
    },
    /// Serve the scenario's cluster to real Kafka clients: each broker on
    /// its own loopback port (9092, 9093, ...), virtual time paced to the
    /// wall clock.
    ///
    /// Clients may create topics while it runs (CreateTopics, as
    /// `kafka-topics --create` and admin clients send it), and a client
    /// that asks for a topic that does not exist creates it, as Kafka 4.0
    /// does by default: `auto.create.topics.enable=true`, with
    /// `num.partitions=1` and `default.replication.factor=1` (set them in the
    /// scenario's `broker_config`). Deleting topics is refused
    /// (TOPIC_DELETION_DISABLED).
    Serve(serve::ServeArgs),
    /// Print the JSON Schema of the scenario format, for editor completion.
    Schema {
        /// The schema of the outcome `run --format json` prints instead.
        #[arg(long)]
        outcome: bool,
    },
    /// Predict, then check: questions drawn from the built-in scenarios,
    /// answered by their runs, scored and explained.
    Quiz(quiz::QuizArgs),
    /// Write a built-in scenario to a file to change (NAME.yaml unless FILE is given).
    Copy {
        /// The built-in scenario (see `kafkasim list`).
        name: String,
        /// Where to write it.
        file: Option<String>,
        /// Overwrite the file if it exists.
        #[arg(long)]
        force: bool,
    },
    /// Write a commented starter scenario to NAME.yaml.
    New {
        /// The scenario's name (also the file name, without `.yaml`).
        name: String,
        /// Overwrite the file if it exists.
        #[arg(long)]
        force: bool,
    },
}

#[derive(Debug, Args)]
pub struct RunArgs {
    /// A scenario file, or the name of a built-in scenario (see `kafkasim list`).
    pub scenario: String,
    /// Use this seed instead of the scenario's.
    #[arg(long)]
    pub seed: Option<u64>,
    /// Output: narrated text, the outcome as JSON, or the trace as JSON lines.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// More narration: -v adds protocol detail, -vv every network message.
    #[arg(short, long, action = clap::ArgAction::Count)]
    pub verbose: u8,
    /// Print only the outcome report: no header, no narration.
    #[arg(short, long, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Check Kafka's invariants after every event (always on in debug builds).
    #[arg(long)]
    pub check: bool,
    /// Print what the run cost to stderr: events, records, virtual and wall
    /// time, events/s, records/s and peak memory.
    #[arg(long)]
    pub stats: bool,
    /// Add each Kafka Streams state store's contents at the end to the
    /// outcome: per store, each active task's keys and values.
    #[arg(long)]
    pub stores: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
    Jsonl,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum GraphFormat {
    Text,
    Dot,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ConfigsFormat {
    Text,
    Markdown,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
    Text,
    Json,
}

#[derive(Debug, Subcommand)]
pub enum ExplainCommand {
    /// Which partition Kafka's default partitioner picks for a key, step by step.
    Partition(explain::partition::PartitionArgs),
    /// What an assignor (range, roundrobin, sticky, cooperative-sticky) gives each member, and why.
    Assign(explain::assign::AssignArgs),
    /// Which __consumer_offsets partition (and broker) coordinates a consumer group.
    Coordinator(explain::coordinator::CoordinatorArgs),
    /// How a value becomes Avro bytes, step by step, and the record value Confluent's serializer writes.
    Avro(explain::avro::AvroArgs),
    /// Whether the Schema Registry would accept a new schema after an old one, and why.
    Compat(explain::compat::CompatArgs),
    /// A Kafka Streams topology as `Topology#describe()` prints it, with its
    /// internal topics, tasks and co-partitioning.
    Topology(explain::topology::TopologyArgs),
}

/// Runs the parsed command line; returns the process exit code
/// (0 success, 1 an expectation failed, 2 bad input or a failed run).
pub fn run(cli: Cli) -> ExitCode {
    let mut out = Output::stdout();
    let result = execute(cli, &mut out);
    ExitCode::from(output::finish(result, out))
}

/// Runs a command, writing its output to `out`; returns its exit code, or the
/// error that stopped its output. Errors about the input go to stderr.
pub fn execute(cli: Cli, out: &mut Output) -> io::Result<u8> {
    match cli.command {
        None if play::interactive() => Ok(play::pick()),
        None => {
            use clap::CommandFactory;
            write!(out, "{}", Cli::command().render_help())?;
            Ok(0)
        }
        Some(Command::Play { scenario, seed }) => Ok(play::play(&scenario, seed)),
        Some(Command::Run(args)) => run::run(&args, out),
        Some(Command::Check { files }) => check::check(&files, out),
        Some(Command::List { format }) => list::list(format, out),
        Some(Command::Explain(ExplainCommand::Partition(args))) => explain::partition::partition(&args, out),
        Some(Command::Explain(ExplainCommand::Assign(args))) => explain::assign::assign(&args, out),
        Some(Command::Explain(ExplainCommand::Coordinator(args))) => explain::coordinator::coordinator(&args, out),
        Some(Command::Explain(ExplainCommand::Avro(args))) => explain::avro::avro(&args, out),
        Some(Command::Explain(ExplainCommand::Compat(args))) => explain::compat::compat(&args, out),
        Some(Command::Explain(ExplainCommand::Topology(args))) => explain::topology::topology(&args, out),
        Some(Command::Graph { scenario, format, app }) => graph::graph(&scenario, format, app.as_deref(), out),
        Some(Command::Draw(args)) => draw::draw(&args, out),
        Some(Command::Configs { scope, client, format }) => configs::configs(scope, client.into(), format, out),
        Some(Command::Test { paths, accept, review }) => test::test(&paths, accept, review, out),
        Some(Command::Serve(args)) => serve::serve(&args, out),
        Some(Command::Schema { outcome }) => schema::schema(outcome, out),
        Some(Command::New { name, force }) => new::new(&name, force, out),
        Some(Command::Copy { name, file, force }) => copy::copy(&name, file.as_deref(), force, out),
        Some(Command::Quiz(args)) => quiz::quiz(&args, &mut io::stdin().lock(), out),
    }
}

/// Where a scenario argument points.
pub(crate) fn scenario_path(arg: &str) -> PathBuf {
    PathBuf::from(arg)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_command_line_definition_is_consistent() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
