// Quick search as the clerk types: after a short pause, fetch the page's result fragment for
// the current query and put it in place. The form still works without this script (Enter
// submits it). Older answers arriving late never overwrite newer ones.
(function () {
  "use strict";

  var form = document.querySelector("[data-crm-quick-search]");
  if (!form) return;
  var input = form.querySelector("input[name=q]");
  var results = document.getElementById("crm-results");
  var live = document.getElementById("crm-live");
  var url = form.getAttribute("data-url");
  var timer = null;
  var sequence = 0;
  var shown = 0;

  function search() {
    var query = input.value;
    var mine = ++sequence;
    var params = new URLSearchParams({ q: query, partial: "1" });
    fetch(url + "?" + params.toString(), { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (html === null || mine < shown) return;
        shown = mine;
        results.innerHTML = html;
        // the fragment's status sentence, read out by the persistent live region
        var status = results.querySelector("[data-status]");
        live.textContent = status ? status.textContent : "";
        var address = new URL(window.location.href);
        if (query) address.searchParams.set("q", query); else address.searchParams.delete("q");
        window.history.replaceState(null, "", address.toString());
      })
      .catch(function () { /* a failed keystroke search is replaced by the next one */ });
  }

  input.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(search, 150);
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    window.clearTimeout(timer);
    search();
  });
})();
