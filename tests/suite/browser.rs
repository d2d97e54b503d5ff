//! The book as a student sees it: mdBook builds the HTML, headless
//! Chromium opens every chapter, and a small script put in each page before
//! anything else reports whether every image loaded and whether anything
//! logged an error (a failed load, an uncaught exception, `console.error`).
//! Screenshots of two chapters are left in `target/book-screenshots/`.
//!
//! Needs `mdbook` and Debian's `chromium` (`.ci/run` installs both). Where
//! either is missing the test says so loudly and passes, except with
//! `CI=true`, where it fails.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use super::support::repo_root;

/// Chapters whose screenshots are kept.
const SCREENSHOTS: [&str; 2] = ["consumer-groups", "retention-and-compaction"];
/// Longest a browser may take on one page before the test gives up on it.
const PAGE_TIMEOUT: Duration = Duration::from_secs(60);
/// Pages opened at once.
const PARALLEL: usize = 3;

/// Put first in each page's `<head>`, so it sees every error after it.
const PROBE: &str = r#"<script>
(function () {
  var errors = [];
  window.addEventListener('error', function (e) {
    var t = e.target;
    if (t && t !== window && (t.src || t.href)) { errors.push('failed to load ' + (t.src || t.href)); }
    else { errors.push('uncaught: ' + e.message); }
  }, true);
  window.addEventListener('unhandledrejection', function (e) { errors.push('unhandled rejection: ' + e.reason); });
  var original = console.error;
  console.error = function () { errors.push('console.error: ' + Array.prototype.join.call(arguments, ' ')); return original.apply(console, arguments); };
  window.addEventListener('load', function () {
    var images = document.images, broken = [];
    for (var i = 0; i < images.length; i++) {
      if (!images[i].complete || images[i].naturalWidth === 0) { broken.push(images[i].getAttribute('src')); }
    }
    var report = document.createElement('pre');
    // Split, so the script's own text in the page never reads as a report.
    report.textContent = 'PRO' + 'BE[' + JSON.stringify({ images: images.length, broken: broken, errors: errors }) + ']PRO' + 'BE';
    document.body.appendChild(report);
  });
})();
</script>"#;

fn ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0")
}

fn found(program: &str, arg: &str) -> bool {
    Command::new(program).arg(arg).stdout(Stdio::null()).stderr(Stdio::null()).status().is_ok_and(|s| s.success())
}

/// Runs the browser on one page with Debian's flags for a machine without
/// network; kills it if it hangs.
pub(crate) fn chromium(profile: &Path, args: &[String], timeout: Duration) -> std::process::Output {
    let child = Command::new("chromium")
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--no-first-run",
            "--allow-file-access-from-files",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("chromium starts");
    // Its output is read while it runs (a page's DOM fills a pipe), in a
    // thread, so a browser that hangs can be stopped here.
    let pid = child.id();
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::spawn(move || sender.send(child.wait_with_output()).ok());
    match receiver.recv_timeout(timeout) {
        Ok(output) => output.expect("its output"),
        Err(_) => {
            Command::new("kill").args(["-9", &pid.to_string()]).status().ok();
            panic!("chromium took more than {timeout:?} on {args:?}");
        }
    }
}

/// The chapters' pages, from the book's sources.
fn pages(html: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(repo_root().join("book/src"))
        .expect("book/src")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "md") && p.file_stem().is_some_and(|s| s != "SUMMARY"))
        .map(|p| html.join(p.with_extension("html").file_name().expect("a name")))
        .collect();
    out.sort();
    out
}

/// What the probe found on one page (images, problems), or why it found nothing.
type Probed = Result<(usize, Vec<String>), String>;

fn probe(page: &Path, profile: &Path) -> Probed {
    let url = format!("file://{}", page.display());
    let out =
        chromium(profile, &["--virtual-time-budget=5000".to_string(), "--dump-dom".to_string(), url], PAGE_TIMEOUT);
    let dom = String::from_utf8_lossy(&out.stdout);
    let Some(report) = dom.split("PROBE[").nth(1).and_then(|r| r.split("]PROBE").next()) else {
        return Err(format!("no report from the page; chromium said:\n{}", String::from_utf8_lossy(&out.stderr)));
    };
    let report = report.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">");
    let json: serde_json::Value = serde_json::from_str(&report).map_err(|e| format!("{e}: {report}"))?;
    let mut problems = Vec::new();
    for src in json["broken"].as_array().into_iter().flatten() {
        problems.push(format!("the image {src} did not load"));
    }
    for error in json["errors"].as_array().into_iter().flatten() {
        problems.push(error.as_str().unwrap_or_default().to_string());
    }
    Ok((json["images"].as_u64().unwrap_or(0) as usize, problems))
}

#[test]
fn every_chapter_loads_in_a_browser_with_its_pictures_and_no_errors() {
    let missing: Vec<&str> = [("mdbook", "--version"), ("chromium", "--version")]
        .into_iter()
        .filter(|(program, arg)| !found(program, arg))
        .map(|(program, _)| program)
        .collect();
    if !missing.is_empty() {
        let message = format!(
            "\n*** THE BROWSER TEST OF THE BOOK DID NOT RUN: {} not installed ***\n\
             install them (`apt-get install chromium`, `cargo install mdbook --version 0.5.4`) to run it\n",
            missing.join(" and ")
        );
        assert!(!ci(), "{message}with CI=true this is a failure");
        eprintln!("{message}");
        return;
    }
    let work = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("book-browser");
    let html = work.join("html");
    std::fs::remove_dir_all(&work).ok();
    let built = Command::new("mdbook")
        .args(["build", "book", "--dest-dir"])
        .arg(&html)
        .current_dir(repo_root())
        .output()
        .expect("mdbook runs");
    assert!(built.status.success(), "mdbook build failed:\n{}", String::from_utf8_lossy(&built.stderr));
    let pages = pages(&html);
    assert!(pages.len() >= 12, "the book has its chapters ({} pages)", pages.len());
    for page in &pages {
        let text = std::fs::read_to_string(page).unwrap_or_else(|_| panic!("{} was built", page.display()));
        let probed = text.replacen("<head>", &format!("<head>\n{PROBE}"), 1);
        assert_ne!(probed, text, "{}: has a <head>", page.display());
        std::fs::write(page, probed).expect("writable");
    }
    let results: Vec<(PathBuf, Probed)> = pages
        .chunks(PARALLEL)
        .enumerate()
        .flat_map(|(chunk, pages)| {
            std::thread::scope(|scope| {
                let handles: Vec<_> = pages
                    .iter()
                    .enumerate()
                    .map(|(i, page)| {
                        let profile = work.join(format!("profile-{chunk}-{i}"));
                        scope.spawn(move || (page.clone(), probe(page, &profile)))
                    })
                    .collect();
                handles.into_iter().map(|h| h.join().expect("a probe thread")).collect::<Vec<_>>()
            })
        })
        .collect();
    let mut failures = Vec::new();
    let mut images = 0;
    for (page, result) in results {
        let name = page.file_name().expect("a name").to_string_lossy().into_owned();
        match result {
            Ok((count, problems)) => {
                images += count;
                failures.extend(problems.into_iter().map(|p| format!("{name}: {p}")));
            }
            Err(why) => failures.push(format!("{name}: {why}")),
        }
    }
    assert!(failures.is_empty(), "in the browser:\n{}", failures.join("\n"));
    assert!(images >= 9, "the chapters show their pictures ({images} images loaded)");
    let screenshots = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).parent().expect("target/").join("book-screenshots");
    std::fs::create_dir_all(&screenshots).expect("target/book-screenshots");
    for chapter in SCREENSHOTS {
        let file = screenshots.join(format!("{chapter}.png"));
        let url = format!("file://{}", html.join(format!("{chapter}.html")).display());
        let args = [
            format!("--screenshot={}", file.display()),
            "--window-size=1280,2400".to_string(),
            "--hide-scrollbars".to_string(),
            url,
        ];
        chromium(&work.join(format!("profile-shot-{chapter}")), &args, PAGE_TIMEOUT);
        let size = std::fs::metadata(&file).map_or(0, |m| m.len());
        assert!(size > 10_000, "a screenshot of {chapter} was saved at {} ({size} bytes)", file.display());
    }
}
