//! `kafkasim configs`: every Kafka config the simulator knows, with Kafka
//! 4.0's default and what it means — the same tables scenarios are checked
//! against, so this reference cannot drift from the code.

use super::ConfigsFormat;
use crate::config::Scope;
use crate::trace::table::Table;

const SCOPES: [Scope; 5] = [Scope::Topic, Scope::Broker, Scope::Producer, Scope::Consumer, Scope::Streams];

pub fn configs(scope: Option<String>, format: ConfigsFormat) -> u8 {
    let scopes: Vec<Scope> = match scope.as_deref() {
        None => SCOPES.to_vec(),
        Some(name) => match SCOPES.iter().find(|s| s.label() == name) {
            Some(&s) => vec![s],
            None => {
                eprintln!(
                    "error: no config scope `{name}`\nhelp: use one of topic, broker, producer, consumer, streams"
                );
                return 2;
            }
        },
    };
    match format {
        ConfigsFormat::Text => print!("{}", text(&scopes)),
        ConfigsFormat::Markdown => print!("{}", markdown(&scopes)),
    }
    0
}

fn text(scopes: &[Scope]) -> String {
    let mut out = String::new();
    for &scope in scopes {
        out.push_str(&format!("{} configs\n", scope.label()));
        let mut table = Table::new(&["NAME", "DEFAULT", "MODELLED", "MEANING"]);
        for def in scope.defs() {
            let modelled = if def.modelled { "yes" } else { "no" };
            table.row(vec![def.name.to_string(), def.default.to_string(), modelled.to_string(), def.doc.to_string()]);
        }
        out.push_str(&table.render());
        out.push('\n');
    }
    out
}

/// One table per scope for the modelled configs, then the ones Kafka has
/// and scenarios may not set yet.
pub fn markdown(scopes: &[Scope]) -> String {
    let cell = |text: &str| text.replace('|', "\\|");
    let mut out = String::new();
    for &scope in scopes {
        out.push_str(&format!("### {} configs\n\n| name | default | meaning |\n|---|---|---|\n", scope.label()));
        for def in scope.defs().iter().filter(|d| d.modelled) {
            out.push_str(&format!("| `{}` | `{}` | {} |\n", def.name, cell(def.default), cell(def.doc)));
        }
        let unmodelled: Vec<String> =
            scope.defs().iter().filter(|d| !d.modelled).map(|d| format!("`{}`", d.name)).collect();
        if !unmodelled.is_empty() {
            out.push_str(&format!(
                "\nKafka also has these {} configs; kafkasim does not model them yet and refuses a scenario that sets them: {}.\n",
                scope.label(),
                unmodelled.join(", ")
            ));
        }
        out.push('\n');
    }
    out
}
