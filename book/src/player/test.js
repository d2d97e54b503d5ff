// The book's browser tests, run in the page (tests/suite/web.rs opens it in
// headless Chromium), which write what the page showed into
// <pre id="kafkasim-test-result"> as JSON for the Rust test to judge:
// - `?kafkasim-test`: drives the acks-1-loss player through the page's own
//   key handler and text area; the Rust test compares it with
//   `kafkasim run --format json`;
// - `?kafkasim-smoke`: every player of the chapter, each through play, a
//   lesson point, a step forward and back, a sandbox kill saved with `w`,
//   its questions to their answers, a YAML mistake and the copy button.
const kafkasimSleep = (ms) => new Promise((r) => setTimeout(r, ms));

function kafkasimDriver(root) {
  const k = root.kafkasim;
  // The grid as the reader sees it: ratzilla draws one <pre> per row, one
  // span per cell.
  const shown = () => Array.from(k.screen.querySelectorAll("pre"), (row) => row.textContent).join("\n");
  async function idle() {
    for (let i = 0; i < 2000 && k.state.player && k.state.player.busy(); i++) await kafkasimSleep(20);
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
  return { k, shown, idle, press, goTo };
}

function kafkasimReport(out) {
  const result = document.createElement("pre");
  result.id = "kafkasim-test-result";
  // step() is a u64 on the Rust side, a BigInt here: JSON needs numbers.
  result.textContent = JSON.stringify(out, (_, v) => (typeof v === "bigint" ? Number(v) : v));
  document.body.append(result);
}

async function kafkasimSmoke(root) {
  const out = { scenario: root.dataset.scenario };
  const { k, shown, idle, press, goTo } = kafkasimDriver(root);
  try {
    await k.play();
    out.state = root.dataset.state;
    out.first_frame_has_panes = /Checks/.test(shown());
    await idle();
    const original = k.text.value;
    await press("n");
    out.lesson_step = Number(k.state.player.step());
    await press("ArrowRight");
    out.one_step = Number(k.state.player.step());
    await press("ArrowRight");
    const ahead = shown();
    out.forward_step = Number(k.state.player.step());
    await press("ArrowLeft");
    out.back_step = Number(k.state.player.step());
    await press("ArrowRight");
    out.again_restores_frame = shown() === ahead;
    // The sandbox: kill the selected broker, save the session (w).
    await press("k");
    out.killed_frame_differs = shown() !== ahead;
    await press("w");
    out.saved_differs = k.text.value !== original;
    out.saved_loads = k.state.module.check_yaml(out.scenario + ".yaml", k.text.value);
    // The questions, asked and answered as the clock passes them.
    for (let i = 0; i < 100 && !k.state.questions.length; i++) await kafkasimSleep(50);
    const boxes = () => Array.from(root.querySelectorAll(".kafkasim-question"));
    out.questions = boxes().length;
    k.text.value = original;
    await k.play();
    await idle();
    for (let i = 0; i < 100 && k.state.questions.length < out.questions; i++) await kafkasimSleep(50);
    // A reply to each: its first choice, or a number.
    for (const box of boxes()) {
      const input = box.querySelector(".kafkasim-number");
      if (input) input.value = "0";
      box.querySelector(".kafkasim-choice").click();
    }
    out.replied = boxes().filter((b) => /^You said/.test(b.querySelector(".kafkasim-said").textContent)).length;
    out.hidden_before = boxes().filter((b) => b.hidden).length;
    // On to the last answer's time (a lesson's whole run can be days).
    const last = Math.max(0, ...k.state.questions.map((e) => e.q.answer_at_us));
    if (last > 0) await goTo(Math.ceil(last / 1000) + "ms");
    out.shown_at_end = boxes().filter((b) => !b.hidden).length;
    out.answered_at_end = boxes().filter((b) => b.dataset.answered === "yes").length;
    out.answers = Array.from(root.querySelectorAll(".kafkasim-answer"), (a) => a.textContent);
    // A mistake in the YAML, located as the command line locates it.
    k.text.value = "no_such_key: 1\n" + original;
    await k.play();
    out.error_message = k.message.textContent;
    out.error_state = root.dataset.state;
    // Copy out (the clipboard, or a selection to copy by hand).
    root.querySelector(".kafkasim-copy").click();
    await kafkasimSleep(1500);
    out.copy_message = k.message.textContent;
  } catch (e) {
    out.error = String((e && e.stack) || e);
  }
  return out;
}

if (new URLSearchParams(location.search).has("kafkasim-smoke")) {
  (async function () {
    const players = [];
    for (const root of document.querySelectorAll(".kafkasim-player")) players.push(await kafkasimSmoke(root));
    kafkasimReport({ players });
  })();
} else (async function () {
  "use strict";
  const out = {};
  const root = document.querySelector('.kafkasim-player[data-scenario="acks-1-loss"]');
  const { k, shown, idle, press, goTo } = root ? kafkasimDriver(root) : {};
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
  kafkasimReport(out);
})();
