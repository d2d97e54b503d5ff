//! Windows over the panes: the help (every key and every symbol), the
//! inspector (everything about the selected broker, partition, consumer,
//! producer or event), the go-to-time prompt, and a question the run stopped at.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders, Clear, Paragraph, Wrap};

use crate::client::consumer::{MemberState, Position};
use crate::client::producer::ProducerPhase;
use crate::config::consumer::OffsetReset;
use crate::ids::Host;
use crate::tui::app::{App, Overlay, Pane};
use crate::tui::keys::HELP;
use crate::tui::panes::logs;
use crate::tui::view::centered;
use crate::world::World;

/// The symbols the panes use, for the help window.
const LEGEND: &[(&str, &str)] = &[
    ("● ◐ ◌ ✗ ○ –", "alive / fenced or rebalancing / starting or stuck / dead or crashed / not started / stopped"),
    ("★  ≠ preferred", "the partition's leader; a leader that is not the first (preferred) replica"),
    ("■ □ in a log", "a record below / above the high watermark (committed / not yet)"),
    ("× ·", "a tombstone (value null) / an offset compacted away"),
    ("✗ in a log", "an acknowledged record that is not there any more: lost"),
    ("S H E ⇥", "log start / high watermark / log end / high watermark at the log end"),
    ("C P", "a group's committed offset / a consumer's position"),
    ("① ② …", "each group's committed offset, when several groups read a partition"),
    ("✓ ✗ …", "an expectation held / failed / not checked yet"),
    ("» !", "the lesson's narration / an action: the scenario's, or yours in the sandbox"),
    ("✗ in events", "a loss or a failure; problems stand out in colour"),
];

pub fn render(app: &App, frame: &mut Frame, area: Rect) {
    let t = app.theme;
    let (title, lines, width, height): (String, Vec<Line>, u16, u16) = match &app.overlay {
        Overlay::None => return,
        Overlay::Help => {
            let mut lines = vec![Line::styled("Keys", t.bold())];
            for (keys, what) in HELP {
                lines.push(Line::from(vec![Span::styled(format!("{keys:>24}  "), t.title()), Span::raw(*what)]));
            }
            lines.push(Line::raw(""));
            lines.push(Line::styled("Symbols", t.bold()));
            for (symbols, what) in LEGEND {
                lines.push(Line::from(vec![Span::styled(format!("{symbols:>24}  "), t.title()), Span::raw(*what)]));
            }
            lines.push(Line::raw(""));
            lines.push(Line::styled("Esc or ? closes this window.", t.dim()));
            ("Help".to_string(), lines, 110, 40)
        }
        Overlay::Inspect => {
            let (title, text) = inspect(app);
            let lines = text.into_iter().map(Line::raw).collect();
            (title, lines, 100, 40)
        }
        Overlay::GoTo(text) => {
            let lines = vec![
                Line::raw("Go to which virtual time? (like 45s, 2m, 1h30m)"),
                Line::from(vec![Span::styled(format!("> {text}"), t.bold()), Span::styled("█", t.dim())]),
                Line::styled("Enter jumps, Esc cancels.", t.dim()),
            ];
            ("Go to a time".to_string(), lines, 60, 5)
        }
        Overlay::Ask { index, typed, error } => {
            let question = &app.world().scenario.questions[*index];
            let text = crate::tui::questions::window_lines(question, typed, error.as_deref());
            let height = text.len() as u16 + 4;
            let lines = text.into_iter().map(Line::raw).collect();
            ("Predict".to_string(), lines, 84, height)
        }
    };
    let rect = centered(area, width, height);
    frame.render_widget(Clear, rect);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_type(BorderType::Double)
        .border_style(t.focused_border())
        .title(Line::styled(format!(" {title} "), t.focused_border()));
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }).block(block), rect);
}

/// The inspector's title and lines for the selected item of the focused pane.
pub fn inspect(app: &App) -> (String, Vec<String>) {
    let world = app.world();
    let selected = app.selected[app.focus as usize];
    match app.focus {
        Pane::Cluster => match world.brokers.get(selected) {
            Some(_) => broker(world, selected),
            None => ("Nothing selected".into(), vec![]),
        },
        Pane::Logs => match logs::partitions(world).get(selected) {
            Some(&tp) => partition(world, tp),
            None => ("Nothing selected".into(), vec![]),
        },
        Pane::Groups => match world.consumers.get(selected) {
            Some(_) => consumer(world, selected),
            None => ("No consumers".into(), vec![]),
        },
        Pane::Producers => match world.producers.get(selected) {
            Some(_) => producer(world, selected),
            None => ("No producers".into(), vec![]),
        },
        Pane::Events => {
            let index = app.event_scroll.or(app.timeline.current_event());
            match index.and_then(|i| app.timeline.events().get(i)) {
                Some(event) => {
                    let mut lines = vec![format!("event {} at {}", event.step, event.time), String::new()];
                    lines.extend(event.lines.iter().cloned());
                    ("Event".into(), lines)
                }
                None => ("No event yet".into(), vec!["Press → to step to the first event.".into()]),
            }
        }
    }
}

fn broker(world: &World, index: usize) -> (String, Vec<String>) {
    let broker = &world.brokers[index];
    let image = world.cluster_metadata();
    let registration = image.brokers.get(&broker.id);
    let mut lines = vec![
        format!("alive: {}", yes(broker.alive)),
        format!("caught up with the metadata log: {}", yes(broker.ready)),
        format!("fenced by the controller: {}", yes(registration.is_none_or(|r| r.fenced))),
        format!("broker epoch: {}", broker.broker_epoch),
        format!("reachable: {}", yes(world.hosts.get(&Host::Broker(broker.id)).is_some_and(|h| h.alive))),
        String::new(),
        "replicas (partition · role · log start / high watermark / log end · leader epoch):".into(),
    ];
    for (tp, partition) in &broker.partitions {
        let state = image.partition(*tp);
        let role = match state {
            Some(s) if s.leader == Some(broker.id) => "leader",
            Some(s) if s.isr.contains(&broker.id) => "follower in the ISR",
            Some(_) => "follower OUT of the ISR",
            None => "unknown partition",
        };
        let log = &partition.log;
        lines.push(format!(
            "  {:<22} {role:<24} {} / {} / {} · epoch {}",
            world.names.partition(*tp),
            log.log_start_offset(),
            log.high_watermark(),
            log.log_end_offset(),
            partition.state.leader_epoch
        ));
    }
    let groups: Vec<&String> = broker.coordinator.groups.keys().collect();
    if !groups.is_empty() {
        lines.push(String::new());
        lines.push(format!("coordinates groups: {}", groups.iter().map(|g| g.as_str()).collect::<Vec<_>>().join(", ")));
    }
    (format!("Broker {}", broker.id), lines)
}

fn partition(world: &World, tp: crate::ids::TopicPartition) -> (String, Vec<String>) {
    let name = world.names.partition(tp);
    let Some(view) = world.partition_view(tp) else { return (name, vec!["unknown partition".into()]) };
    let state = view.state;
    let list = |brokers: &[crate::ids::BrokerId]| brokers.iter().map(|b| b.0.to_string()).collect::<Vec<_>>().join(",");
    let mut lines = vec![
        format!(
            "leader: {}  (preferred: {})",
            state.leader.map_or("none: offline".into(), |b| b.0.to_string()),
            state.preferred_leader().map_or("-".into(), |b| b.0.to_string())
        ),
        format!("leader epoch: {}", state.leader_epoch),
        format!("replicas: {}   in-sync replicas (ISR): {}", list(&state.replicas), list(&state.isr)),
    ];
    let Some(log) = view.log else {
        lines.push("no replica holds a log".into());
        return (name, lines);
    };
    lines.push(format!(
        "log start {} · high watermark {} · log end {} · {} record(s) in {} segment(s), {} bytes",
        log.log_start_offset(),
        log.high_watermark(),
        log.log_end_offset(),
        log.record_count(),
        log.segments().len(),
        log.size_bytes()
    ));
    lines.push(String::new());
    lines.push("last records (offset · leader epoch · producer · key · value):".into());
    const SHOWN: i64 = 24;
    let from = (log.log_end_offset() - SHOWN).max(log.log_start_offset());
    // Avro records are shown with their schema, from what `_schemas` holds.
    let schemas = world.registry.is_some().then(|| world.schemas_in_topic());
    for batch in log.batches_from(from) {
        for (offset, record) in batch.records() {
            if offset < from {
                continue;
            }
            let committed = if offset < log.high_watermark() { " " } else { "*" };
            lines.push(format!(
                "{committed}{offset:>8} · e{} · {} · {} · {}",
                batch.partition_leader_epoch,
                world.names.producer(record.id().producer),
                bytes(record.key()),
                bytes(record.value()),
            ));
            if let Some(stored) = &schemas {
                lines.extend(crate::tui::panes::registry::record_lines(world, stored, tp, record.value()));
            }
        }
    }
    lines.push("(* above the high watermark: not committed yet, consumers cannot read it)".into());
    (format!("Partition {name}"), lines)
}

fn consumer(world: &World, index: usize) -> (String, Vec<String>) {
    let consumer = &world.consumers[index];
    let mut lines = vec![
        format!("state: {}", crate::tui::panes::groups::consumer_state(app_theme(), consumer).1),
        format!("group: {}", consumer.group_id.as_deref().unwrap_or("none (assigns partitions itself)")),
    ];
    if let Some(m) = &consumer.membership {
        lines.push(format!(
            "member id: {} · generation {} · {}{}",
            if m.member_id.is_empty() { "(none yet)" } else { &m.member_id },
            m.generation,
            member_state(m.state),
            if m.leader { " · group leader" } else { "" }
        ));
        lines.push(format!("client.id: {}", m.client_id));
        if let Some((place, of)) = crate::tui::panes::groups::place_by_member_id(world, consumer) {
            lines.push(format!(
                "#{place} of {of} members by member id: the assignors hand out partitions in this order (static members by group.instance.id first)"
            ));
        }
        lines.push(format!("coordinator: {}", m.coordinator.map_or("unknown".into(), |b| format!("broker {b}"))));
        if let Some(id) = &m.instance_id {
            lines.push(format!("group.instance.id: {id} (static member)"));
        }
        let strategies: Vec<&str> = m.strategies.iter().map(|s| s.name()).collect();
        lines.push(format!("partition.assignment.strategy: {}", strategies.join(", ")));
    }
    let c = &consumer.config;
    lines.push(format!(
        "session.timeout.ms {} · heartbeat.interval.ms {} · max.poll.interval.ms {} · auto.offset.reset {}",
        c.session_timeout_ms,
        c.heartbeat_interval_ms,
        c.max_poll_interval_ms,
        offset_reset(c.auto_offset_reset)
    ));
    lines.push(format!("records read: {} · offsets skipped: {}", consumer.delivered, consumer.skipped_offsets));
    lines.push(String::new());
    lines.push("partition · position (next offset to read) · committed:".into());
    for tp in &consumer.assignment {
        let position = match consumer.positions.get(tp) {
            Some(Position::At(o)) => o.to_string(),
            Some(_) => "(being looked up)".into(),
            None => "-".into(),
        };
        let committed = consumer.committed.get(tp).map_or("-".into(), |o| o.to_string());
        lines.push(format!("  {:<22} {position:>10} {committed:>10}", world.names.partition(*tp)));
    }
    if consumer.assignment.is_empty() {
        lines.push("  (no partition assigned)".into());
    }
    if let Some(thread) = world.stream_threads.iter().find(|t| t.consumer.0 as usize == index) {
        lines.extend(stream_thread(thread));
    }
    (format!("Consumer {}", consumer.name), lines)
}

/// A Kafka Streams thread's tasks: stream time, dropped records, each
/// store's contents and the windows `suppress` still holds back.
fn stream_thread(thread: &crate::streams::runtime::StreamThread) -> Vec<String> {
    /// Store entries shown per store: the window is a summary, not a dump.
    const SHOWN: usize = 12;
    let app = &thread.app;
    let mut lines = vec![
        String::new(),
        format!(
            "Kafka Streams: {} of application {} · record cache {} of {} bytes ({} entries waiting for the commit)",
            thread.name,
            app.application_id,
            thread.cache.bytes,
            thread.cache.max_bytes,
            thread.cache.len()
        ),
    ];
    if thread.tasks.is_empty() {
        lines.push("  (no active task)".into());
    }
    for (id, task) in &thread.tasks {
        let time = task.stream_time_ms.map_or("none yet".into(), |t| format!("{t} ms"));
        lines.push(format!(
            "  task {id} · stream time {time} · {} records processed · dropped-records {}",
            task.processed, task.dropped_records
        ));
        for (store, contents) in &task.stores {
            let name = &app.topology.stores[*store].name;
            lines.push(format!("    store {name} ({} keys)", contents.entries.len()));
            for (key, value) in contents.entries.iter().take(SHOWN) {
                lines.push(format!("      {} = {}", key.text(), String::from_utf8_lossy(value)));
            }
            if contents.entries.len() > SHOWN {
                lines.push(format!("      … {} more", contents.entries.len() - SHOWN));
            }
        }
        for waiting in task.suppressed.values().filter(|b| !b.is_empty()) {
            let windows: Vec<String> = waiting.keys().map(|(_, k)| k.text()).collect();
            lines.push(format!("    suppressed until their windows close: {}", windows.join(" ")));
        }
    }
    lines
}

fn producer(world: &World, index: usize) -> (String, Vec<String>) {
    let p = &world.producers[index];
    let c = &p.config;
    let mut lines = vec![
        format!("state: {} · topic {}", producer_state(p.phase), p.topic_name),
        format!(
            "acks={} · idempotent: {} · producer id: {}",
            c.acks.as_config(),
            yes(p.idempotent),
            p.producer_id.map_or("-".into(), |(id, epoch)| format!("{id} (epoch {epoch})"))
        ),
        format!(
            "linger.ms {} · batch.size {} · max.in.flight.requests.per.connection {} · retries {} · delivery.timeout.ms {}",
            c.linger_ms, c.batch_size, c.max_in_flight_requests_per_connection, c.retries, c.delivery_timeout_ms
        ),
        format!("sent {} · acknowledged {} · failed {}", p.sent, p.acknowledged, p.failed),
        format!(
            "buffered {} record(s) · {} request(s) in flight",
            p.accumulator.pending_records(),
            p.in_flight_requests()
        ),
    ];
    let queued: Vec<String> =
        p.accumulator.queued_batches().map(|(tp, n)| format!("{} {n}", world.names.partition(tp))).collect();
    if !queued.is_empty() {
        lines.push(format!("batches waiting per partition: {}", queued.join(" · ")));
    }
    (format!("Producer {}", p.name), lines)
}

/// The member states of Kafka's consumer (`AbstractCoordinator.MemberState`).
fn member_state(state: MemberState) -> &'static str {
    match state {
        MemberState::Unjoined => "UNJOINED",
        MemberState::Joining => "PREPARING_REBALANCE",
        MemberState::Syncing => "COMPLETING_REBALANCE",
        MemberState::Stable => "STABLE",
    }
}

/// `auto.offset.reset` as the config is written.
fn offset_reset(reset: OffsetReset) -> &'static str {
    match reset {
        OffsetReset::Earliest => "earliest",
        OffsetReset::Latest => "latest",
        OffsetReset::None => "none",
    }
}

fn producer_state(phase: ProducerPhase) -> &'static str {
    match phase {
        ProducerPhase::NotStarted => "not started",
        ProducerPhase::Running => "running",
        ProducerPhase::Closing => "closing: flushing what it buffered",
        ProducerPhase::Closed => "closed",
        ProducerPhase::Crashed => "crashed",
    }
}

/// Words only: the inspector draws no colours.
fn app_theme() -> crate::tui::theme::Theme {
    crate::tui::theme::Theme { color: false }
}

fn yes(b: bool) -> &'static str {
    if b { "yes" } else { "no" }
}

/// Bytes as text when they are text, else their length.
fn bytes(b: Option<&[u8]>) -> String {
    if let Some(Ok((id, body))) = b.map(crate::avro::wire::unframe) {
        return format!("Avro, schema ID {id}, {} bytes", body.len() + crate::avro::wire::HEADER_BYTES);
    }
    match b {
        None => "null".into(),
        Some(b) => match std::str::from_utf8(b) {
            Ok(s) if s.chars().count() <= 40 => s.to_string(),
            Ok(s) => format!("{}…", s.chars().take(39).collect::<String>()),
            Err(_) => format!("<{} bytes>", b.len()),
        },
    }
}
