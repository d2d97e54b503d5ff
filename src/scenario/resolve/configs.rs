//! Checking a `config:` map against Kafka's config tables and applying it.

use super::Resolver;
use crate::config::{Configurable, Scope};
use crate::scenario::config_map::ConfigMap;
use crate::scenario::suggest::did_you_mean;

/// Configs people put in the wrong place, and where they belong.
fn misplaced(name: &str, scope: Scope) -> Option<String> {
    match (name, scope) {
        ("bootstrap.servers", _) => Some("clients connect to every broker of the scenario; leave it out".to_string()),
        _ => [Scope::Topic, Scope::Broker, Scope::Producer, Scope::Consumer, Scope::Streams]
            .into_iter()
            .filter(|&other| other != scope)
            .find(|other| other.def(name).is_some_and(|d| d.modelled))
            .map(|other| {
                let home = if other == Scope::Broker {
                    "`broker_config:`".to_string()
                } else {
                    format!("the {other}'s `config:`")
                };
                format!("`{name}` is a {other} config, not a {scope} config; move it to {home}")
            }),
    }
}

/// Validates every entry of `map` and applies it to `target`.
pub(crate) fn apply<S, T: Configurable>(r: &mut Resolver<'_>, map: &ConfigMap<S>, target: &mut T) {
    let scope = T::SCOPE;
    let mut seen: Vec<&str> = Vec::new();
    for (key, value) in &map.entries {
        let name = key.value.as_str();
        if seen.contains(&name) {
            r.error(key, format!("`{name}` is set twice"), Some("keep one of them".to_string()));
            continue;
        }
        seen.push(name);
        let Some(def) = scope.def(name) else {
            let help = misplaced(name, scope).or_else(|| {
                did_you_mean(name, scope.all_defs().filter(|d| d.modelled).map(|d| d.name))
                    .map(|s| format!("did you mean `{s}`?"))
            });
            let help = help.unwrap_or_else(|| {
                format!("`kafkasim schema` lists the {scope} configs kafkasim models; the book's configuration chapter explains each")
            });
            r.error(key, format!("unknown {scope} config `{name}`"), Some(help));
            continue;
        };
        if !def.modelled {
            r.error(
                key,
                format!("Kafka's {scope} config `{name}` is not modelled by kafkasim yet"),
                Some(format!(
                    "remove it: the simulator would ignore it, and a lesson that relies on it would be wrong ({})",
                    def.doc
                )),
            );
            continue;
        }
        if let Some(why) = def.ignored {
            r.notes.push(format!("{scope} config `{name}` has no effect: {why}"));
        }
        match def.parse(&value.value) {
            Ok(parsed) => {
                if let Err(e) = target.set(name, &parsed) {
                    r.error(value, e, Some(format!("{} (default {})", def.doc, def.default)));
                }
            }
            Err(e) => r.error(
                value,
                format!("invalid value for `{name}`: {e}"),
                Some(format!("{} (default {})", def.doc, def.default)),
            ),
        }
    }
}
