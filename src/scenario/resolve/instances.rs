//! The instances of an application (a Kafka Streams application or a
//! consume-transform-produce pipeline): processes the timeline starts,
//! crashes and restarts by name, so each name must be new.

use miette::SourceSpan;
use serde_saphyr::Spanned;

use super::Resolver;
use crate::scenario::diagnostic::Problem;

/// The names `list` gives, or the application's `id` alone when it lists
/// none. A name is refused when `taken` says a client or an earlier
/// application has it, or when it comes twice; problems point at the list,
/// or at `owner` (where the application is named) when there is none, and
/// `kind` says what the instances are ("Streams instance"). `None` when the
/// list is empty; the flag is false when a name was refused.
pub(super) fn resolve_instances(
    r: &mut Resolver<'_>,
    list: Option<&Spanned<Vec<String>>>,
    id: &str,
    owner: SourceSpan,
    kind: &str,
    taken: impl Fn(&str) -> bool,
) -> Option<(Vec<String>, bool)> {
    let instances: Vec<String> = match list {
        Some(list) if list.value.is_empty() => {
            r.error(
                list,
                "an application needs at least one instance",
                Some("list instance names, e.g. `[app-1, app-2]`".into()),
            );
            return None;
        }
        Some(list) => list.value.clone(),
        None => vec![id.to_string()],
    };
    let mut ok = true;
    for (i, name) in instances.iter().enumerate() {
        if taken(name) || instances[..i].contains(name) {
            let at = list.map_or(owner, |l| r.span(l));
            r.problems.push(
                Problem::at(at, format!("the name `{name}` is already used"))
                    .help(format!("give each producer, consumer and {kind} its own name")),
            );
            ok = false;
        }
    }
    Some((instances, ok))
}
