// The dashboard's own script: the live journal (server-sent events), pause, the ticking clock,
// copy buttons, error toasts and the guided flows' streamed steps. Everything else is htmx.
(function () {
  "use strict";
  const ui = document.body.dataset.ui;
  const toast = document.getElementById("toast");

  function say(text) {
    toast.textContent = text;
    toast.hidden = false;
    clearTimeout(say.timer);
    say.timer = setTimeout(() => { toast.hidden = true; }, 8000);
  }

  // A refused change answers JSON {"detail": ...}: show it rather than swap it in.
  document.body.addEventListener("htmx:responseError", (event) => {
    const xhr = event.detail.xhr;
    let detail = xhr.responseText;
    try { detail = JSON.parse(detail).detail; } catch (e) { /* not JSON */ }
    if (typeof detail !== "string") detail = JSON.stringify(detail);
    say(`${xhr.status}: ${detail}`);
  });

  // -- the sandbox clock: ticks here between the server's answers, unless frozen -------------
  let clockBase = null;
  function readClock() {
    const time = document.getElementById("sandbox-now");
    if (!time) return;
    clockBase = { at: Date.parse(time.getAttribute("datetime")), read: Date.now(),
                  frozen: time.dataset.frozen === "true", el: time };
  }
  function tick() {
    if (!clockBase || clockBase.frozen || !document.body.contains(clockBase.el)) return;
    const now = new Date(clockBase.at + (Date.now() - clockBase.read));
    clockBase.el.textContent = now.toISOString().slice(0, 19).replace("T", " ") + " UTC";
  }
  readClock();
  setInterval(tick, 1000);
  document.body.addEventListener("htmx:afterSwap", (event) => {
    if (event.target.id === "clock") readClock();
  });

  // -- copy buttons ----------------------------------------------------------------------------
  document.body.addEventListener("click", (event) => {
    const button = event.target.closest("[data-copy]");
    if (!button) return;
    const text = document.querySelector(button.dataset.copy).textContent;
    navigator.clipboard.writeText(text).then(
      () => { button.textContent = "Copied"; },
      () => { say("the browser refused the clipboard: select the command and copy it"); });
  });

  // -- the live journal ------------------------------------------------------------------------
  const rows = document.getElementById("journal-rows");
  if (rows) {
    const form = document.getElementById("filters");
    const pause = document.getElementById("pause");
    const heldLabel = document.getElementById("held");
    const live = document.getElementById("live");
    let source = null;
    let held = [];
    const MAX_ROWS = 500;

    const lastSeq = () => {
      const newest = rows.querySelector("tr[data-seq]");
      return newest ? newest.dataset.seq : "0";
    };
    const show = (html) => {
      rows.insertAdjacentHTML("afterbegin", html);
      htmx.process(rows);
      while (rows.children.length > MAX_ROWS) rows.lastElementChild.remove();
    };
    const showHeld = () => {
      heldLabel.textContent = held.length ? `${held.length} new while paused` : "";
    };
    function connect() {
      if (source) source.close();
      const params = new URLSearchParams(new FormData(form));
      params.set("after_seq", lastSeq());
      source = new EventSource(`${ui}/events?${params}`);
      source.onopen = () => { live.textContent = "live"; live.className = "badge accepted"; };
      source.onerror = () => { live.textContent = "reconnecting"; live.className = "badge rejected"; };
      source.addEventListener("rows", (event) => {
        if (pause.getAttribute("aria-pressed") === "true") {
          held.unshift(event.data);
          showHeld();
        } else {
          show(event.data);
        }
      });
      source.addEventListener("reset", () => {
        rows.innerHTML = "";
        held = [];
        showHeld();
      });
    }
    pause.addEventListener("click", () => {
      const paused = pause.getAttribute("aria-pressed") !== "true";
      pause.setAttribute("aria-pressed", String(paused));
      pause.textContent = paused ? "Resume" : "Pause";
      if (!paused) {
        held.reverse().forEach(show);
        held = [];
        showHeld();
      }
    });
    // New filters: htmx reloads the table, then the stream follows from its newest row.
    rows.addEventListener("htmx:afterSwap", (event) => {
      if (event.target === rows) { held = []; showHeld(); connect(); }
    });
    connect();
  }

  // -- guided flows: the steps stream in, each one shown as soon as it is done ---------------
  document.body.addEventListener("click", async (event) => {
    const button = event.target.closest("button[data-flow]");
    if (!button) return;
    const out = document.getElementById("flow-steps");
    out.innerHTML = "";
    out.dataset.state = "running";
    document.querySelectorAll("button[data-flow]").forEach((b) => { b.disabled = true; });
    try {
      const response = await fetch(`${ui}/flows/${button.dataset.flow}`, {
        method: "POST", headers: { "Content-Type": "application/json" }, body: "{}",
      });
      if (!response.ok) throw new Error(`${response.status}: ${await response.text()}`);
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = "";
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value;
        const parts = buffer.split("<!--step-->");
        buffer = parts.pop();
        parts.forEach((part) => out.insertAdjacentHTML("beforeend", part));
      }
      if (buffer.trim()) out.insertAdjacentHTML("beforeend", buffer);
      out.dataset.state = "done";
    } catch (error) {
      out.dataset.state = "failed";
      say(String(error));
    } finally {
      document.querySelectorAll("button[data-flow]").forEach((b) => { b.disabled = false; });
    }
  });
})();
