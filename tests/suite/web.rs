//! kafkasim in the browser (web/, built by `web/build.sh` into `web/pkg` and
//! `book/src/player/pkg`; the book by `mdbook build book`):
//! - the WebAssembly build runs every built-in scenario to the same trace
//!   digest as the native build (under Node);
//! - the built book's acks-1-loss player, driven in headless Chromium by the
//!   page's own test script (`book/src/player/test.js`), shows what
//!   `kafkasim run acks-1-loss --format json` reports, steps back exactly,
//!   and loses nothing once the YAML in the page says `acks: all`;
//! - every chapter's player, driven in headless Chromium, plays, steps
//!   forward and back to the same frame, kills a broker from the sandbox and
//!   saves the session as YAML that loads, asks the scenario's questions and
//!   shows the answers `kafkasim run` gives, locates a YAML mistake at
//!   `file:line:column`, and copies the YAML out;
//! - every chapter with a scenario embeds a player for one of its scenarios.
//!
//! The first three need the built module, Node and Chromium; without them they
//! say so and pass, unless `KAFKASIM_REQUIRE_WEB` is set (`.ci/run` sets it).

use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;

use kafkasim::scenario::{builtin, lessons};

use crate::support;

/// The built module, or why there is none (a skip, or a failure in CI).
fn built(path: &Path, what: &str) -> Option<PathBuf> {
    let full = support::repo_root().join(path);
    if full.exists() {
        return Some(full);
    }
    let why = format!("{} is missing: run web/build.sh (and mdbook build book) for {what}", path.display());
    assert!(std::env::var_os("KAFKASIM_REQUIRE_WEB").is_none(), "{why}");
    eprintln!("skipped: {why}");
    None
}

fn tool(name: &str) -> bool {
    let found = Command::new(name).arg("--version").output().is_ok_and(|o| o.status.success());
    if !found {
        assert!(std::env::var_os("KAFKASIM_REQUIRE_WEB").is_none(), "{name} is not installed");
        eprintln!("skipped: {name} is not installed");
    }
    found
}

#[test]
fn the_webassembly_build_gives_every_scenario_the_native_trace_digest() {
    let Some(pkg) = built(Path::new("web/pkg/kafkasim_web.js"), "the cross-target digests") else { return };
    if !tool("node") {
        return;
    }
    let script = support::repo_root().join("web/digests.mjs");
    let output = Command::new("node").arg(&script).arg(&pkg).output().expect("node runs");
    assert!(output.status.success(), "node failed: {}", String::from_utf8_lossy(&output.stderr));
    let wasm = String::from_utf8(output.stdout).expect("utf-8");
    let mut compared = 0;
    for (name, text) in builtin::BUILTIN {
        let scenario = kafkasim::scenario::load_str(&format!("{name} (built-in)"), text).expect("loads");
        let (_, digest, events) = support::run(scenario, None);
        let native = format!("{name} {digest} {events}");
        let line = wasm.lines().find(|l| l.split(' ').next() == Some(*name));
        assert_eq!(line, Some(native.as_str()), "{name}: the WebAssembly run differs from the native one");
        compared += 1;
    }
    assert_eq!(compared, builtin::BUILTIN.len());
    assert!(compared > 20, "only {compared} built-in scenarios");
}

/// Serves `root` over HTTP on a free local port until the test ends
/// (module scripts do not load from file:// pages).
fn serve(root: PathBuf) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("a local port");
    let port = listener.local_addr().expect("an address").port();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut request = [0u8; 8192];
            let n = stream.read(&mut request).unwrap_or(0);
            let request = String::from_utf8_lossy(&request[..n]);
            let path = request.split_whitespace().nth(1).unwrap_or("/");
            let path = path.split(['?', '#']).next().unwrap_or("/").trim_start_matches('/');
            let mut file = root.join(path);
            if file.is_dir() {
                file = file.join("index.html");
            }
            let kind = match file.extension().and_then(|e| e.to_str()) {
                Some("html") => "text/html; charset=utf-8",
                Some("js" | "mjs") => "text/javascript",
                Some("css") => "text/css",
                Some("wasm") => "application/wasm",
                Some("svg") => "image/svg+xml",
                _ => "application/octet-stream",
            };
            let response = match (path.contains(".."), std::fs::read(&file)) {
                (false, Ok(body)) => {
                    let head = format!(
                        "HTTP/1.1 200 OK\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                        body.len()
                    );
                    [head.into_bytes(), body].concat()
                }
                _ => b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".to_vec(),
            };
            let _ = stream.write_all(&response);
        }
    });
    port
}

/// Headless Chromium with the flags a machine without network needs (the
/// book's browser test's, which also stops a browser that hangs: here after
/// five minutes, as a page plays whole scenarios in WebAssembly).
fn chromium(args: &[&str]) -> std::process::Output {
    // A profile of its own: a second browser on the same profile would hand
    // its page to the first and exit without output.
    static STARTED: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = STARTED.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let profile = std::env::temp_dir().join(format!("kafkasim-chromium-{}-{n}", std::process::id()));
    let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    let output = super::browser::chromium(&profile, &args, std::time::Duration::from_secs(300));
    let _ = std::fs::remove_dir_all(profile);
    output
}

/// Opens `url` in headless Chromium and reads the JSON the page's test
/// script (`book/src/player/test.js`) wrote into the page.
fn page_test(url: &str) -> serde_json::Value {
    page_test_within(url, 120_000)
}

/// [`page_test`] with its own budget of the page's virtual time
/// (milliseconds): the browser's clock jumps ahead while the page waits, so a
/// budget costs real time only while the page has work to do.
fn page_test_within(url: &str, budget_ms: u64) -> serde_json::Value {
    let budget = format!("--virtual-time-budget={budget_ms}");
    let dom = chromium(&[&budget, "--dump-dom", url]);
    let dom = String::from_utf8_lossy(&dom.stdout);
    let needle = "<pre id=\"kafkasim-test-result\">";
    let start = dom.find(needle).unwrap_or_else(|| panic!("the page's test finished on {url}")) + needle.len();
    let end = start + dom[start..].find("</pre>").expect("its end");
    let text = dom[start..end].replace("&quot;", "\"").replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&");
    serde_json::from_str(&text).expect("JSON from the page")
}

/// The chapters' players: (chapter's page, scenario names), from the book's sources.
fn chapter_players() -> Vec<(String, Vec<String>)> {
    let mut out = Vec::new();
    for chapter in lessons::CHAPTERS {
        let text =
            std::fs::read_to_string(support::repo_root().join("book/src").join(chapter.file)).expect("the chapter");
        let players: Vec<String> = text
            .split("<div class=\"kafkasim-player\" data-scenario=\"")
            .skip(1)
            .filter_map(|rest| rest.split('"').next())
            .map(str::to_string)
            .collect();
        if !players.is_empty() {
            out.push((chapter.file.replace(".md", ".html"), players));
        }
    }
    out
}

#[test]
fn every_chapters_player_plays_steps_changes_asks_and_edits() {
    let Some(book) = built(Path::new("book/book/player/pkg/kafkasim_web_bg.wasm"), "the players' browser test") else {
        return;
    };
    if !tool("chromium") {
        return;
    }
    let port = serve(book.ancestors().nth(3).expect("book/book").to_path_buf());
    let chapters = chapter_players();
    assert!(chapters.len() >= 10, "only {} chapters have players", chapters.len());
    for (page, names) in chapters {
        // retention-delete answers its question after 32 hours of virtual
        // time (its run lasts three days, 3.5 million events): the page
        // simulates that in chunks, one per animation frame, so its test
        // needs an hour of the browser's virtual time (under a minute of
        // real time here) where the others need two minutes.
        let budget_ms = if names.iter().any(|n| n == "retention-delete") { 3_600_000 } else { 120_000 };
        let result = page_test_within(&format!("http://127.0.0.1:{port}/{page}?kafkasim-smoke"), budget_ms);
        let players = result["players"].as_array().unwrap_or_else(|| panic!("{page}: no players in {result}"));
        assert_eq!(players.len(), names.len(), "{page}: {result}");
        for (player, name) in players.iter().zip(&names) {
            let context = format!("{page} {name}: {player}");
            assert!(player.get("error").is_none(), "the page's test failed: {context}");
            assert_eq!(player["state"], "playing", "{context}");
            assert_eq!(player["first_frame_has_panes"], true, "{context}");
            assert!(json_number(player, "lesson_step") > 0, "{context}");
            assert!(json_number(player, "one_step") > json_number(player, "lesson_step"), "{context}");
            assert!(json_number(player, "forward_step") > json_number(player, "one_step"), "{context}");
            assert_eq!(json_number(player, "back_step"), json_number(player, "one_step"), "{context}");
            assert_eq!(player["again_restores_frame"], true, "a step forward after a step back differs: {context}");
            assert_eq!(player["killed_frame_differs"], true, "k changed nothing: {context}");
            assert_eq!(player["saved_differs"], true, "w saved the scenario unchanged: {context}");
            assert_eq!(player["saved_loads"], "", "the saved session does not load: {context}");

            // The questions: as many as the scenario asks, each shown and
            // answered by the end, with the answers the native run gives.
            let text = builtin::find(name).unwrap_or_else(|| panic!("no built-in {name}"));
            let scenario = kafkasim::scenario::load_str(&format!("{name}.yaml"), text).expect("loads");
            let asked = scenario.questions.len() as i64;
            let scenario_questions_after_start =
                scenario.questions.iter().filter(|q| q.asked_at.as_micros() > 0).count() as i64;
            let mut world = kafkasim::world::World::new(
                scenario,
                kafkasim::world::BuildOptions { seed: None, check_invariants: false },
            );
            let script = kafkasim::quiz::run_answering(&mut world, &mut kafkasim::trace::sink::NullSink).expect("runs");
            assert_eq!(json_number(player, "questions"), asked, "{context}");
            assert_eq!(json_number(player, "shown_at_end"), asked, "{context}");
            assert_eq!(json_number(player, "answered_at_end"), script.answers.len() as i64, "{context}");
            // At the start, only the questions asked at 0s are shown.
            let later = scenario_questions_after_start;
            assert_eq!(json_number(player, "hidden_before"), later, "questions shown before their time: {context}");
            let shown: Vec<&str> =
                player["answers"].as_array().expect("answers").iter().filter_map(|a| a.as_str()).collect();
            let native: Vec<String> =
                script.answers.iter().map(|a| format!("The run says: {} ({})", a.right, a.why)).collect();
            let mut native_by_index = script.answers.iter().map(|a| a.index).zip(native).collect::<Vec<_>>();
            native_by_index.sort();
            let native: Vec<&str> = native_by_index.iter().map(|(_, text)| text.as_str()).collect();
            assert_eq!(shown, native, "{page} {name}: the page's answers differ from the run's");
            assert_eq!(json_number(player, "replied"), asked, "a reply was refused: {context}");

            let message = player["error_message"].as_str().unwrap_or_default();
            assert!(message.contains(&format!("{name}.yaml:1:1")), "{context}");
            assert!(message.contains("no_such_key"), "{context}");
            assert_eq!(player["error_state"], "error", "{context}");
            let copied = player["copy_message"].as_str().unwrap_or_default();
            assert!(copied.starts_with("Copied") || copied.starts_with("Select all"), "{context}");
        }
    }
}

fn json_number(value: &serde_json::Value, key: &str) -> i64 {
    value[key].as_i64().unwrap_or_else(|| panic!("no number {key} in {value}"))
}

#[test]
fn the_books_acks_player_shows_what_the_command_line_reports() {
    let Some(book) = built(Path::new("book/book/player/pkg/kafkasim_web_bg.wasm"), "the browser test") else {
        return;
    };
    if !tool("chromium") {
        return;
    }
    let root = book.ancestors().nth(3).expect("book/book").to_path_buf();
    let port = serve(root);
    let page = format!("http://127.0.0.1:{port}/acks-and-durability.html");
    let page = page_test(&format!("{page}?kafkasim-test"));
    assert!(page.get("error").is_none(), "the page's test failed: {}", page["error"]);

    let native = support::kafkasim(&["run", "acks-1-loss", "--format", "json"]);
    let native: serde_json::Value = serde_json::from_str(&support::stdout(&native)).expect("JSON outcome");
    let counts = &native["delivery"];
    let lost = json_number(counts, "lost");
    assert!(lost > 0, "acks=1 loses records: {native}");

    assert_eq!(page["first_frame_has_panes"], true, "{page}");
    assert!(json_number(&page, "first_frame_ms") < 5_000, "{page}");
    // The lesson point where records are lost shows how many, as the run reports.
    assert_eq!(json_number(&page, "lesson_lost"), lost, "{page}");
    assert!(json_number(&page, "forward_step") > json_number(&page, "lesson_step"), "{page}");
    assert_eq!(page["back_step"], page["lesson_step"], "{page}");
    assert_eq!(page["back_restores_frame"], true, "stepping back changed the frame: {page}");
    assert_eq!(json_number(&page, "end_sent"), json_number(counts, "produced"), "{page}");
    assert_eq!(json_number(&page, "end_acked"), json_number(counts, "acknowledged"), "{page}");
    assert_eq!(json_number(&page, "end_lost"), lost, "{page}");
    // acks=all: everything acknowledged is kept.
    assert_eq!(page["edited"], true, "{page}");
    assert_eq!(json_number(&page, "fixed_acked"), json_number(counts, "produced"), "{page}");
    assert!(page["fixed_lost"].is_null(), "acks=all still lost records: {page}");
    // A mistake in the page's YAML is located as the command line locates it.
    let message = page["error_message"].as_str().unwrap_or_default();
    assert!(message.contains("acks-1-loss.yaml:7:"), "{message}");
    assert_eq!(page["error_state"], "error");

    // Two chapters' players, as a reader sees them: kept for people to look at.
    let shots = support::repo_root().join("target/browser");
    std::fs::create_dir_all(&shots).expect("target/browser");
    for chapter in ["acks-and-durability", "consumer-groups"] {
        let file = shots.join(format!("{chapter}.png"));
        let _ = std::fs::remove_file(&file);
        chromium(&[
            "--virtual-time-budget=20000",
            "--window-size=1280,1600",
            &format!("--screenshot={}", file.display()),
            &format!("http://127.0.0.1:{port}/{chapter}.html?kafkasim-play"),
        ]);
        assert!(std::fs::metadata(&file).is_ok_and(|m| m.len() > 10_000), "no screenshot of {chapter}");
    }
}

#[test]
fn every_chapter_with_a_scenario_embeds_a_player_for_one_of_them() {
    let book = support::repo_root().join("book/src");
    let mut checked = 0;
    for chapter in lessons::CHAPTERS {
        let scenarios: Vec<&str> = builtin::BUILTIN
            .iter()
            .filter(|(_, text)| text.lines().any(|l| l.trim() == format!("lesson: {}", chapter.lesson)))
            .map(|(name, _)| *name)
            .collect();
        if scenarios.is_empty() {
            continue;
        }
        let text = std::fs::read_to_string(book.join(chapter.file)).expect("the chapter");
        let players: Vec<&str> = text
            .split("<div class=\"kafkasim-player\" data-scenario=\"")
            .skip(1)
            .filter_map(|rest| rest.split('"').next())
            .collect();
        assert!(!players.is_empty(), "{} has scenarios ({scenarios:?}) but no player", chapter.file);
        for name in players {
            assert!(builtin::find(name).is_some(), "{}: no built-in scenario {name}", chapter.file);
        }
        checked += 1;
    }
    assert!(checked >= 8, "only {checked} chapters checked");
}
