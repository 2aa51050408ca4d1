// Progress of a background job (a bank statement being read, a client import): polls the job's
// JSON status and moves the <progress> bar of the `[data-job-progress]` section. The status is
// `{state, status_text, finished, percent}` (or `progress` for the percent), with `processed`
// and `total` when the job counts rows. The status text is a polite live region, rewritten only
// at milestones (a new phase, each quarter, the end) so a screen reader is not talking without
// pause. With `data-reload-when-finished` the page reloads once the job ends, to show what the
// server renders then. A separate file because the CSP forbids inline scripts.
(function () {
  "use strict";

  var section = document.querySelector("[data-job-progress]");
  if (!section) return;
  var url = section.getAttribute("data-url");
  var reload = section.hasAttribute("data-reload-when-finished");
  var bar = section.querySelector("progress");
  var status = section.querySelector("[data-status]");
  var link = section.querySelector("[data-finished-link]");
  var delay = 1000;
  var lastMilestone = null;

  function percentOf(data) {
    return data.percent !== undefined ? data.percent : data.progress;
  }

  function show(data) {
    var percent = percentOf(data);
    if (bar) {
      if (data.total !== undefined) {
        bar.max = Math.max(data.total, 1);
        bar.value = data.processed;
      } else {
        bar.value = percent;
      }
      bar.textContent = percent + "%";
    }
    var milestone = data.state + ":" + Math.floor(percent / 25) + ":" + data.status_text.split(":")[0];
    if (milestone !== lastMilestone || data.finished) {
      lastMilestone = milestone;
      status.textContent = data.status_text;
    }
    if (data.finished) {
      if (data.state === "failed") status.classList.add("help-block", "help-critical");
      else if (bar) bar.value = bar.max;
      if (link) link.hidden = false;
      if (reload) window.setTimeout(function () { window.location.reload(); }, 1500);
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
