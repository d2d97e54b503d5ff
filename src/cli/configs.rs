//! `kafkasim configs`: every Kafka config the simulator knows, with Kafka
//! 4.0's default and what it means — the same tables scenarios are checked
//! against, so this reference cannot drift from the code.

use std::io::{self, Write};

use super::{ConfigsFormat, Output, output};
use crate::config::{ClientKind, ConfigDef, Scope};
use crate::trace::table::Table;

const SCOPES: [Scope; 5] = [Scope::Topic, Scope::Broker, Scope::Producer, Scope::Consumer, Scope::Streams];

pub fn configs(scope: Option<String>, client: ClientKind, format: ConfigsFormat, out: &mut Output) -> io::Result<u8> {
    let scopes: Vec<Scope> = match scope.as_deref() {
        None => SCOPES.to_vec(),
        Some(name) => match SCOPES.iter().find(|s| s.label() == name) {
            Some(&s) => vec![s],
            None => {
                output::eprint(&format!(
                    "error: no config scope `{name}`\nhelp: use one of topic, broker, producer, consumer, streams\n"
                ));
                return Ok(2);
            }
        },
    };
    match format {
        ConfigsFormat::Text => write!(out, "{}", text(&scopes, client))?,
        ConfigsFormat::Markdown => write!(out, "{}", markdown(&scopes))?,
    }
    Ok(0)
}

/// The default `client` has for `def`: its own where it differs from the
/// Java client's, marked with `*`.
fn default_for(client: ClientKind, scope: Scope, def: &ConfigDef) -> String {
    match client.default_overrides(scope).iter().find(|(name, _)| *name == def.name) {
        Some((_, value)) => format!("{value} *"),
        None => def.default.to_string(),
    }
}

fn text(scopes: &[Scope], client: ClientKind) -> String {
    let mut out = String::new();
    for &scope in scopes {
        match scope {
            Scope::Producer | Scope::Consumer if client != ClientKind::Java => out.push_str(&format!(
                "{} configs, defaults of {} (* where they differ from the Java client's)\n",
                scope.label(),
                client.label()
            )),
            _ => out.push_str(&format!("{} configs\n", scope.label())),
        }
        let mut table = Table::new(&["NAME", "DEFAULT", "MODELLED", "MEANING"]);
        for def in scope.all_defs() {
            let modelled = match (def.modelled, def.ignored) {
                (true, Some(_)) => "ignored",
                (true, None) => "yes",
                (false, _) => "no",
            };
            table.row(vec![
                def.name.to_string(),
                default_for(client, scope, def),
                modelled.to_string(),
                def.doc.to_string(),
            ]);
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
        for def in scope.all_defs().filter(|d| d.modelled) {
            out.push_str(&format!("| `{}` | `{}` | {} |\n", def.name, cell(def.default), cell(def.doc)));
        }
        let unmodelled: Vec<String> =
            scope.all_defs().filter(|d| !d.modelled).map(|d| format!("`{}`", d.name)).collect();
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
