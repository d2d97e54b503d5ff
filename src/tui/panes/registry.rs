//! The Schema Registry on screen: its line in the cluster pane (alive or
//! dead, its subjects and versions) and, in the partition inspector, what an
//! Avro record is — schema ID, subject and version, the decoded value and
//! the wire bytes.

use ratatui::text::{Line, Span};

use crate::avro::wire;
use crate::ids::TopicPartition;
use crate::registry::RegistryPhase;
use crate::registry::state::RegistryState;
use crate::tui::theme::Theme;
use crate::tui::view::fit;
use crate::world::World;

/// `registry ● serving · orders-value v1,v2`, when the scenario has one.
pub fn status_line(world: &World, theme: Theme, width: usize) -> Option<Line<'static>> {
    let registry = world.registry.as_ref()?;
    let (mark, status, style) = match registry.phase {
        RegistryPhase::Serving => ("●", "serving", theme.good()),
        RegistryPhase::Starting => ("◌", "starting: reading _schemas", theme.warn()),
        RegistryPhase::Down => ("✗", "dead", theme.bad()),
    };
    // What the registry would serve: `_schemas` as it stands.
    let stored = world.schemas_in_topic();
    let subjects: Vec<String> = stored
        .subjects()
        .map(|(subject, versions)| {
            let list = versions.iter().map(|v| format!("v{}", v.version)).collect::<Vec<_>>().join(",");
            format!("{subject} {list}")
        })
        .collect();
    let rest = if subjects.is_empty() { "no subjects".to_string() } else { subjects.join(" · ") };
    let head = format!("{mark} schema-registry ");
    let tail = fit(&format!("{status} · {rest}"), width.saturating_sub(head.chars().count()));
    Some(Line::from(vec![Span::styled(head, theme.bold()), Span::styled(tail, style)]))
}

/// For a record value in Confluent's wire format: its schema and decoded
/// value, and the bytes taken apart.
pub fn record_lines(world: &World, stored: &RegistryState, tp: TopicPartition, value: Option<&[u8]>) -> Vec<String> {
    let Some(Ok((id, body))) = value.map(wire::unframe) else { return Vec::new() };
    let topic_subject = format!("{}-value", world.names.topic(tp.topic));
    let registered = stored
        .versions(&topic_subject)
        .iter()
        .find(|v| v.id == id)
        .map(|v| (topic_subject.as_str(), v.version))
        .or_else(|| stored.first_use_of(id));
    let mut lines = Vec::new();
    let mut shown = value.map(|v| hex(&v[..1])).unwrap_or_default();
    shown.push_str(" | ");
    shown.push_str(&value.map(|v| hex(&v[1..wire::HEADER_BYTES])).unwrap_or_default());
    shown.push_str(" | ");
    shown.push_str(&hex(&body[..body.len().min(24)]));
    if body.len() > 24 {
        shown.push('…');
    }
    match (stored.schema(id), registered) {
        (Some(schema), Some((subject, version))) => {
            lines.push(format!("           schema ID {id} = {subject} v{version} ({})", schema.type_name()));
            let decoded = wire::read_body(schema, body, None)
                .map(|v| schema.datum_to_json(&v).to_string())
                .unwrap_or_else(|e| format!("(cannot decode: {e})"));
            lines.push(format!("           value {}", fit(&decoded, 80)));
        }
        _ => lines.push(format!("           schema ID {id}: not in _schemas")),
    }
    lines.push(format!("           wire  {shown}  (magic byte | schema ID | Avro body)"));
    lines
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect::<Vec<_>>().join(" ")
}
