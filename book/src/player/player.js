// kafkasim's player for the book: every `<div class="kafkasim-player"
// data-scenario="NAME">` in a chapter becomes the terminal UI in the page —
// the same panes and keys, drawn by the simulator compiled to WebAssembly
// (web/ in the repository; `web/build.sh` builds it into ./pkg/).
//
// This script only wires the page: it forwards keys and passing time to the
// player, and holds the scenario's YAML in a text area to edit, run again
// and copy out. Everything the player shows comes from the simulator.
(function () {
  "use strict";
  // mdBook copies book/src/player/ (with the module in pkg/) to player/ at
  // the book's root; `path_to_root` is mdBook's, from this page to there.
  const root = typeof path_to_root === "string" ? path_to_root : "";
  const base = new URL(root + "player/", location.href);
  let loading = null;

  // The module is fetched once per page, when a player first starts.
  function simulator() {
    if (!loading) {
      loading = import(new URL("pkg/kafkasim_web.js", base).href).then(async (m) => {
        await m.default({ module_or_path: new URL("pkg/kafkasim_web_bg.wasm", base) });
        return m;
      });
    }
    return loading;
  }

  function element(tag, className, text) {
    const e = document.createElement(tag);
    if (className) e.className = className;
    if (text) e.textContent = text;
    return e;
  }

  function setup(root, index) {
    const name = root.dataset.scenario;
    const bar = element("div", "kafkasim-bar");
    const start = element("button", "kafkasim-start", "▶ Play " + name);
    const hint = element("span", "kafkasim-hint",
      "click the screen, then: space play/pause · → ← one event · n p lesson points · ? all keys");
    bar.append(start, hint);
    const screen = element("div", "kafkasim-screen");
    screen.id = "kafkasim-screen-" + index;
    screen.tabIndex = 0;
    const asked = element("div", "kafkasim-questions");
    const edit = element("details", "kafkasim-edit");
    const summary = element("summary", null, "Edit this scenario (YAML), run it again, copy it out");
    const text = element("textarea", "kafkasim-yaml");
    text.spellcheck = false;
    text.rows = 18;
    const buttons = element("div", "kafkasim-buttons");
    const run = element("button", "kafkasim-run", "Run again");
    const copy = element("button", "kafkasim-copy", "Copy");
    const reset = element("button", "kafkasim-reset", "Reset");
    buttons.append(run, copy, reset);
    const message = element("pre", "kafkasim-message");
    edit.append(summary, text, buttons, message);
    root.replaceChildren(bar, screen, asked, edit);

    const state = { player: null, module: null, running: false, last: 0, questions: [] };

    function show(msg) {
      message.textContent = msg;
    }

    function frame(now) {
      const p = state.player;
      if (!p || !p.busy()) {
        state.running = false;
        return;
      }
      p.tick(now - state.last);
      state.last = now;
      p.draw();
      refresh();
      requestAnimationFrame(frame);
    }

    function kick() {
      if (!state.running && state.player && state.player.busy()) {
        state.running = true;
        state.last = performance.now();
        requestAnimationFrame(frame);
      }
    }

    // Predict, then check: each question appears when the player's clock
    // reaches its time, takes a reply, and shows the run's answer (from the
    // simulator) only once the clock reaches the answer's time.
    function askAll(p) {
      state.questions = [];
      asked.replaceChildren();
      let list;
      try {
        list = JSON.parse(p.questions());
      } catch (e) {
        asked.textContent = "The questions could not be answered: " + String(e.message || e);
        return;
      }
      for (const q of list) {
        const box = element("div", "kafkasim-question");
        box.dataset.index = q.index;
        box.append(element("p", "kafkasim-question-text", "? " + q.text));
        const reply = element("div", "kafkasim-reply");
        const said = element("p", "kafkasim-said");
        const answer = element("p", "kafkasim-answer");
        const send = (text) => {
          const judged = JSON.parse(p.judge(q.index, text));
          if (judged.error) {
            said.textContent = judged.error;
            return;
          }
          entry.reply = judged;
          refresh();
        };
        if (q.choices.length) {
          q.choices.forEach((choice, i) => {
            const b = element("button", "kafkasim-choice", String.fromCharCode(97 + i) + ") " + choice);
            b.addEventListener("click", () => send(choice));
            reply.append(b);
          });
        } else {
          const input = element("input", "kafkasim-number");
          input.type = "text";
          input.placeholder = "a number";
          const b = element("button", "kafkasim-choice", "Answer");
          b.addEventListener("click", () => send(input.value));
          input.addEventListener("keydown", (e) => {
            if (e.key === "Enter") send(input.value);
          });
          reply.append(input, b);
        }
        box.append(reply, said, answer);
        box.hidden = true;
        asked.append(box);
        const entry = { q, box, said, answer, reply: null };
        state.questions.push(entry);
      }
      refresh();
    }

    function refresh() {
      const p = state.player;
      if (!p || !state.questions.length) return;
      const now = p.clock_us();
      for (const e of state.questions) {
        e.box.hidden = now < e.q.asked_at_us;
        const known = now >= e.q.answer_at_us;
        if (e.reply) {
          e.said.textContent = "You said: " + e.reply.reply +
            (known ? (e.reply.holds ? " — right." : " — not what the run did.") : " — play on to " + e.q.answer_at + " to check.");
        }
        e.answer.textContent = known ? "The run says: " + e.q.right + " (" + e.q.why + ")" : "";
        e.box.dataset.answered = known ? "yes" : "no";
      }
    }

    async function play() {
      let m;
      try {
        m = await simulator();
      } catch (e) {
        loading = null;
        screen.textContent = "The player is not built into this copy of the book: run web/build.sh, then build the book again.";
        root.dataset.state = "missing";
        return;
      }
      state.module = m;
      if (!text.value) text.value = m.builtin_scenario(name) || "";
      if (state.player) {
        state.player.free();
        state.player = null;
      }
      screen.replaceChildren();
      state.questions = [];
      asked.replaceChildren();
      try {
        state.player = new m.Player(screen.id, name + ".yaml", text.value);
        show("");
        root.dataset.state = "playing";
      } catch (e) {
        // The command line's message: file:line:column, what and how to fix it.
        show(String(e.message || e));
        edit.open = true;
        root.dataset.state = "error";
        return;
      }
      start.textContent = "↻ Restart " + name;
      screen.focus({ preventScroll: true });
      kick();
      // After the first frame: answering runs the scenario to its end once more.
      const player = state.player;
      setTimeout(() => {
        if (state.player === player) askAll(player);
      }, 0);
    }

    screen.addEventListener("keydown", (e) => {
      const p = state.player;
      if (!p || e.altKey || e.metaKey) return;
      const what = p.key(e.key, e.ctrlKey, e.shiftKey);
      if (what === "ignored") return;
      // Not the book's keys (← → turn pages, s searches) while the player has focus.
      e.preventDefault();
      e.stopPropagation();
      if (what === "save") {
        text.value = p.session_yaml();
        edit.open = true;
        show("The session, with your changes, as a scenario: copy it out, or run it again.");
      }
      p.draw();
      refresh();
      kick();
    });
    screen.addEventListener("click", () => screen.focus());
    start.addEventListener("click", () => play());
    run.addEventListener("click", () => play());
    reset.addEventListener("click", async () => {
      const m = await simulator();
      text.value = m.builtin_scenario(name) || "";
      show("The chapter's scenario again.");
    });
    copy.addEventListener("click", async () => {
      // Selected first, so Ctrl-C works where the clipboard is refused; a
      // browser that neither allows nor refuses is given a second.
      text.select();
      const refused = new Promise((_, no) => setTimeout(() => no(new Error("no answer")), 1000));
      try {
        await Promise.race([navigator.clipboard.writeText(text.value), refused]);
        show("Copied: save it as " + name + ".yaml and run `kafkasim play " + name + ".yaml`.");
      } catch (_) {
        show("Select all and copy (Ctrl-C): the browser did not allow copying from here.");
      }
    });
    root.kafkasim = { play, state, screen, text, message };
  }

  function init() {
    const players = document.querySelectorAll(".kafkasim-player");
    players.forEach(setup);
    const query = new URLSearchParams(location.search);
    // `?kafkasim-play` starts the chapter's first player (for screenshots).
    if (players.length && query.has("kafkasim-play")) players[0].kafkasim.play();
    // The book's browser tests drive the players from the page itself.
    if (players.length && (query.has("kafkasim-test") || query.has("kafkasim-smoke"))) {
      const s = document.createElement("script");
      s.src = new URL("test.js", base).href;
      document.body.append(s);
    }
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
