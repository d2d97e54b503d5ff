// The book's browser test, run in the page when it is opened with
// `?kafkasim-test` (tests/suite/browser.rs does, in headless Chromium). It
// drives the acks-1-loss player through the page's own key handler and text
// area, and writes what the page showed into <pre id="kafkasim-test-result">
// as JSON; the Rust test compares it with `kafkasim run --format json`.
(async function () {
  "use strict";
  const out = {};
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
  const root = document.querySelector('.kafkasim-player[data-scenario="acks-1-loss"]');
  const k = root && root.kafkasim;
  // The grid as the reader sees it: ratzilla draws one <pre> per row, one
  // span per cell.
  const shown = () => Array.from(k.screen.querySelectorAll("pre"), (row) => row.textContent).join("\n");
  async function idle() {
    for (let i = 0; i < 2000 && k.state.player && k.state.player.busy(); i++) await sleep(20);
  }
  async function press(key, opts) {
    k.screen.dispatchEvent(new KeyboardEvent("keydown", Object.assign({ key, bubbles: true, cancelable: true }, opts || {})));
    await idle();
  }
  async function goTo(time) {
    await press("g");
    for (const c of time) await press(c);
    await press("Enter");
  }
  const number = (re, text) => {
    const m = re.exec(text);
    return m ? Number(m[1]) : null;
  };
  const lostIn = (text) => number(/✗ (\d+) acknowledged lost/, text);
  try {
    if (!k) throw new Error("no acks-1-loss player on this page");
    const t0 = performance.now();
    await k.play();
    out.first_frame_ms = Math.round(performance.now() - t0);
    out.first_frame_has_panes = /Checks/.test(shown());
    await idle();

    // Lesson points (n) until the one where an acknowledged record is lost.
    for (let i = 0; i < 40 && lostIn(shown()) === null; i++) await press("n");
    out.lesson_lost = lostIn(shown());
    out.lesson_step = Number(k.state.player.step());
    const lesson = shown();

    // One event forward, one back: the same frame, exactly.
    await press("ArrowRight");
    out.forward_step = Number(k.state.player.step());
    await press("ArrowLeft");
    out.back_step = Number(k.state.player.step());
    out.back_restores_frame = shown() === lesson;

    // The end of the run: the producer's counts.
    await goTo("60s");
    const end = shown();
    out.end_sent = number(/sent (\d+) · acked/, end);
    out.end_acked = number(/sent \d+ · acked (\d+)/, end);
    out.end_lost = lostIn(end);

    // acks=all: edit the YAML, run again; no acknowledged record is lost.
    k.text.value = k.text.value.replace(/acks: 1\b/, "acks: all");
    out.edited = /acks: all/.test(k.text.value);
    await k.play();
    await idle();
    await goTo("60s");
    const fixed = shown();
    out.fixed_sent = number(/sent (\d+) · acked/, fixed);
    out.fixed_acked = number(/sent \d+ · acked (\d+)/, fixed);
    out.fixed_lost = lostIn(fixed);

    // A mistake in the YAML: the command line's located message.
    k.text.value = k.text.value.replace("brokers: 3", "brokers: three");
    await k.play();
    out.error_message = k.message.textContent;
    out.error_state = root.dataset.state;
  } catch (e) {
    out.error = String((e && e.stack) || e);
  }
  const result = document.createElement("pre");
  result.id = "kafkasim-test-result";
  // step() is a u64 on the Rust side, a BigInt here: JSON needs numbers.
  result.textContent = JSON.stringify(out, (_, v) => (typeof v === "bigint" ? Number(v) : v));
  document.body.append(result);
})();
