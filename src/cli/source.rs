//! Finding a scenario by path or by built-in name.

use std::io::IsTerminal;

use super::output;
use crate::scenario::{self, Problem, Scenario, ScenarioError, Source, builtin, suggest::did_you_mean};

/// Loads `arg`: a file if one exists there, else a built-in scenario. A
/// directory is never a scenario, so one named like a built-in (a folder
/// `producer-consumer` for a lesson's notes) does not hide it; a file named
/// like one does, and says so.
pub fn load(arg: &str) -> Result<Scenario, ScenarioError> {
    let path = super::scenario_path(arg);
    let builtin = builtin::find(arg);
    match std::fs::metadata(&path) {
        Ok(meta) if meta.is_dir() && builtin.is_some() => {}
        Ok(_) => {
            if builtin.is_some() {
                output::eprint(&format!(
                    "note: reading the file `{arg}` here, not the built-in scenario of the same name\n"
                ));
            }
            return scenario::load_file(&path);
        }
        Err(_) => {}
    }
    if let Some(text) = builtin {
        return scenario::load_str(&format!("{arg} (built-in)"), text);
    }
    let names: Vec<&str> = builtin::names().collect();
    let help = match did_you_mean(arg, names.iter().copied()) {
        Some(s) => format!("did you mean the built-in scenario `{s}`?"),
        None => "give a path to a YAML file, or one of the names `kafkasim list` prints".to_string(),
    };
    Err(ScenarioError::new(
        Source::new(arg, ""),
        vec![Problem::whole_file(format!("no file `{arg}` and no built-in scenario of that name")).help(help)],
    ))
}

/// Loads `arg` to run it. A Kafka Streams application whose topology
/// uses an operator the runtime does not run yet (joins, sliding and
/// session windows, global tables) is refused here rather than run
/// without it; `explain topology` and `graph --app` still describe it.
pub fn load_runnable(arg: &str) -> Result<Scenario, ScenarioError> {
    let scenario = load(arg)?;
    for app in &scenario.streams {
        let Some(reason) = crate::streams::runtime::unsupported(&app.topology) else { continue };
        return Err(ScenarioError::new(
            scenario.source.clone(),
            vec![
                Problem::whole_file(format!(
                    "the Kafka Streams application `{}` cannot run: {reason}",
                    app.application_id
                ))
                .help(format!(
                    "`kafkasim explain topology {arg}` prints its topology; `kafkasim graph {arg} --app {}` draws it",
                    app.application_id
                )),
            ],
        ));
    }
    Ok(scenario)
}

/// Prints a scenario error to stderr, in colour on a terminal.
pub fn report(error: &ScenarioError) {
    let color = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    output::eprint(&error.render(color));
}
