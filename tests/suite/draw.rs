//! Pictures drawn from runs (`kafkasim draw`): every picture kind draws for
//! every built-in scenario as SVG that parses, its text says what the run's
//! outcome reports (leaders, high watermarks, log ends, groups, producers),
//! the same inputs give the same bytes, and bad arguments get plain errors.

use std::collections::BTreeSet;

use kafkasim::draw::{self, Picture, Request};
use kafkasim::engine::SimTime;
use kafkasim::scenario::{Scenario, builtin, load_str};

use super::support::{kafkasim, repo_root, stdout};

fn builtin_scenario(name: &str) -> Scenario {
    load_str(&format!("{name} (built-in)"), builtin::find(name).expect("built-in")).expect("loads")
}

/// The text nodes of an SVG document (its labels, title and description),
/// after checking that it parses from start to end.
fn svg_texts(svg: &str, what: &str) -> Vec<String> {
    use svg::parser::Event;
    let mut texts = Vec::new();
    let mut depth = 0i64;
    for event in svg::read(svg).unwrap_or_else(|e| panic!("{what}: does not parse: {e}")) {
        match event {
            Event::Error(e) => panic!("{what}: does not parse: {e}"),
            Event::Tag(_, svg::node::element::tag::Type::Start, _) => depth += 1,
            Event::Tag(_, svg::node::element::tag::Type::End, _) => depth -= 1,
            Event::Text(text) => texts.push(text.to_string()),
            _ => {}
        }
    }
    assert_eq!(depth, 0, "{what}: every element is closed");
    texts
}

fn has(texts: &[String], needle: &str) -> bool {
    texts.iter().any(|t| t.contains(needle))
}

/// Every picture kind of every built-in scenario, drawn from one run to its
/// end: each parses, and its labels carry the outcome's numbers — each
/// partition's leader, high watermark and log end (timeline and log), each
/// group's name (group), each producer and partition (flow).
#[test]
fn every_picture_of_every_builtin_scenario_shows_the_outcome() {
    let mut drawn = 0;
    for name in builtin::names() {
        let scenario = builtin_scenario(name);
        let end = scenario.run_for;
        let recording = draw::record(scenario, None, SimTime::ZERO, end).unwrap_or_else(|e| panic!("{name}: {e}"));
        let outcome = recording.world.outcome();
        let internal = ["__consumer_offsets", "__transaction_state", "_schemas"];
        let rows: Vec<_> = outcome.partitions.iter().filter(|p| !internal.contains(&p.topic.as_str())).collect();
        for picture in Picture::ALL {
            let svg = draw::draw(&recording, picture, &Request::default()).unwrap_or_else(|e| panic!("{name}: {e}"));
            let texts = svg_texts(&svg, &format!("{name} {}", picture.name()));
            assert!(has(&texts, &recording.scenario.name), "{name} {}: the title names the scenario", picture.name());
            drawn += 1;
        }
        let timeline = svg_texts(&draw::draw(&recording, Picture::Timeline, &Request::default()).unwrap(), name);
        for row in rows.iter().take(12) {
            let partition = format!("{}-{}", row.topic, row.partition);
            assert!(has(&timeline, &partition), "{name} timeline: a lane for {partition}");
            let end_values = format!("HW {} · LEO {}", row.high_watermark, row.log_end_offset);
            assert!(has(&timeline, &end_values), "{name} timeline: {partition} ends with {end_values}");
            let leader = match row.leader {
                Some(b) => format!("leader broker {b} in epoch {}", row.leader_epoch),
                None => "no leader".to_string(),
            };
            assert!(
                has(&timeline, &format!("{partition} ends with {leader}")),
                "{name} timeline: {partition}: {leader}"
            );
            let request = Request { partition: Some(partition.clone()), ..Request::default() };
            let log = svg_texts(&draw::draw(&recording, Picture::Log, &request).unwrap(), name);
            for label in [
                format!("HW {}", row.high_watermark),
                format!("LEO {}", row.log_end_offset),
                format!("log start {}", row.log_start_offset),
            ] {
                assert!(log.contains(&label), "{name} log of {partition}: a mark {label}");
            }
        }
        let group = svg_texts(&draw::draw(&recording, Picture::Group, &Request::default()).unwrap(), name);
        for g in &outcome.groups {
            let joined = recording.members.contains_key(&g.group);
            assert!(!joined || has(&group, &format!("group {}", g.group)), "{name} group picture: group {}", g.group);
        }
        let flow = svg_texts(&draw::draw(&recording, Picture::Flow, &Request::default()).unwrap(), name);
        for p in &outcome.producers {
            assert!(flow.contains(&p.producer), "{name} flow: producer {}", p.producer);
            let written: u64 = recording
                .acknowledged
                .iter()
                .filter(|((idx, _), _)| recording.names.producer(*idx) == p.producer)
                .map(|(_, n)| n)
                .sum();
            assert_eq!(written, p.acknowledged, "{name} flow: {} acknowledged as the outcome says", p.producer);
        }
        for row in &rows {
            let label = format!("{}-{} · HW {}", row.topic, row.partition, row.high_watermark);
            assert!(flow.contains(&label), "{name} flow: {label}");
        }
    }
    assert!(drawn >= 4 * 30, "every built-in scenario was drawn ({drawn} pictures)");
}

/// The same scenario, seed and arguments give byte-identical pictures, run
/// after run; another seed gives another run and so another picture.
#[test]
fn the_same_run_draws_the_same_bytes() {
    for picture in Picture::ALL {
        let draw_once = |seed: Option<u64>| {
            let request = Request { seed, ..Request::default() };
            draw::draw_scenario(builtin_scenario("rebalance-eager-vs-cooperative"), picture, &request).expect("draws")
        };
        assert_eq!(draw_once(None), draw_once(None), "{}: identical bytes", picture.name());
    }
    let timeline = |seed| {
        let request = Request { seed: Some(seed), ..Request::default() };
        draw::draw_scenario(builtin_scenario("acks-1-loss"), Picture::Timeline, &request).expect("draws")
    };
    assert_eq!(timeline(5), timeline(5));
}

/// The group picture shows an eager rebalance's stop-the-world gap and
/// cooperative's none: in the side-by-side lesson, every eager member holds
/// nothing for a while after it first got partitions, and the cooperative
/// members that own partitions before the third joins never do.
#[test]
fn the_group_picture_shows_eager_stopping_and_cooperative_not() {
    let scenario = builtin_scenario("rebalance-eager-vs-cooperative");
    let end = scenario.run_for;
    let recording = draw::record(scenario, None, SimTime::from_micros(20_000_000), end).expect("runs");
    let svg = draw::draw(&recording, Picture::Group, &Request::default()).expect("draws");
    let texts = svg_texts(&svg, "group");
    let held_nothing = |member: &str| -> String {
        let at = texts.iter().position(|t| t == member).unwrap_or_else(|| panic!("a lane for {member}"));
        texts[at + 1].clone()
    };
    for member in ["e1", "e2"] {
        assert_ne!(held_nothing(member), "held nothing 0s", "{member} (eager) stops for each rebalance");
    }
    for member in ["k1", "k2"] {
        assert_eq!(held_nothing(member), "held nothing 0s", "{member} (cooperative) keeps consuming");
    }
    assert!(
        has(&texts, "group eager · assignor range") && has(&texts, "group cooperative · assignor cooperative-sticky")
    );
}

/// `kafkasim draw` writes the file it is asked for, or the picture to
/// standard output with `-o -`.
#[test]
fn the_command_writes_the_picture() {
    let dir = std::env::temp_dir().join(format!("kafkasim-draw-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temporary folder");
    let file = dir.join("flow.svg");
    let out = kafkasim(&["draw", "producer-consumer", "--what", "flow", "-o", file.to_str().expect("utf-8")]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let written = std::fs::read_to_string(&file).expect("the picture was written");
    let piped = kafkasim(&["draw", "producer-consumer", "--what", "flow", "-o", "-"]);
    assert_eq!(stdout(&piped), written, "the file and standard output hold the same picture");
    assert!(written.starts_with("<svg"));
    std::fs::remove_dir_all(&dir).ok();
}

/// Bad arguments get one plain sentence that says what to do, and exit 2:
/// a time after the run, an empty window, a window for a picture of one
/// moment, a partition the scenario lacks; a broken scenario is reported at
/// its file:line:column.
#[test]
fn bad_arguments_are_explained() {
    let cases: [(&[&str], &str); 5] = [
        (
            &["draw", "acks-1-loss", "--what", "log", "--at", "10m", "-o", "-"],
            "is after the run ends (at t=60.000s); choose a time from 0s to 1m",
        ),
        (
            &["draw", "acks-1-loss", "--what", "timeline", "--from", "30s", "--to", "10s", "-o", "-"],
            "is not before --to",
        ),
        (
            &["draw", "acks-1-loss", "--what", "log", "--from", "1s", "-o", "-"],
            "shows one moment: give it with --at TIME",
        ),
        (
            &["draw", "acks-1-loss", "--what", "log", "--partition", "payments-7", "-o", "-"],
            "no partition `payments-7`; write TOPIC-NUMBER, one of: payments-0",
        ),
        (&["draw", "acks-1-loss", "--what", "group", "--partition", "payments-0", "-o", "-"], "leave out --partition"),
    ];
    for (args, expected) in cases {
        let out = kafkasim(args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
        assert!(out.stdout.is_empty(), "{args:?}: no picture");
    }
    let broken = repo_root().join("tests/broken/negative-duration.yaml");
    let out = kafkasim(&["draw", broken.to_str().expect("utf-8"), "--what", "flow", "-o", "-"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr.contains("negative-duration.yaml:"), "located: {stderr}");
    let names: BTreeSet<&str> = builtin::names().collect();
    assert!(names.contains("acks-1-loss"));
}
