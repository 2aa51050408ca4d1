// Progress of a bank statement being read: polls the statement's small JSON endpoint and moves
// the <progress> bar. The status text is a polite live region, so it is only rewritten at
// milestones (a new phase, each quarter, the end) rather than on every percent, which would
// make a screen reader talk without pause. A separate file because the CSP forbids inline scripts.
(function () {
  "use strict";

  var section = document.querySelector("[data-statement-progress]");
  if (!section) return;
  var url = section.getAttribute("data-url");
  var bar = section.querySelector("progress");
  var status = section.querySelector("[data-status]");
  var link = section.querySelector("[data-finished-link]");
  var delay = 1000;
  var lastMilestone = null;

  function milestone(data) {
    return data.state + ":" + Math.floor(data.progress / 25) + ":" + data.status_text.split(":")[0];
  }

  function show(data) {
    if (bar) {
      bar.value = data.progress;
      bar.textContent = data.progress + "%";
    }
    var current = milestone(data);
    if (current !== lastMilestone || data.finished) {
      lastMilestone = current;
      status.textContent = data.status_text;
    }
    if (data.finished) {
      if (data.state === "failed") status.classList.add("help-block", "help-critical");
      if (bar) bar.value = data.state === "failed" ? bar.value : 100;
      if (link) link.hidden = false;
    }
  }

  function poll() {
    fetch(url, {
      headers: { Accept: "application/json", "X-Requested-With": "XMLHttpRequest" },
      credentials: "same-origin",
      cache: "no-store",
    })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      })
      .then(function (data) {
        delay = 1000;
        show(data);
        if (!data.finished) window.setTimeout(poll, delay);
      })
      .catch(function () {
        // the server restarting or the network away: keep trying, more slowly
        delay = Math.min(delay * 2, 15000);
        window.setTimeout(poll, delay);
      });
  }

  window.setTimeout(poll, 500);
})();
