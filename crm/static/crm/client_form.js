// The client form: "add another" rows for emails, phones and addresses (Django formsets), and
// focus on the error summary or the duplicate warning when the page comes back with one. The
// form works without this script: every list has one empty row.
(function () {
  "use strict";

  var focus = document.querySelector("[data-crm-focus]");
  if (focus) focus.focus();

  document.querySelectorAll("[data-crm-rows]").forEach(function (fieldset) {
    var prefix = fieldset.getAttribute("data-crm-rows");
    var total = fieldset.querySelector("input[name='" + prefix + "-TOTAL_FORMS']");
    var max = fieldset.querySelector("input[name='" + prefix + "-MAX_NUM_FORMS']");
    var template = fieldset.querySelector("template[data-crm-empty-row]");
    var list = fieldset.querySelector("[data-crm-rows-list]");
    var button = fieldset.querySelector("[data-crm-add-row]");
    if (!total || !template || !list || !button) return;
    button.hidden = false;

    button.addEventListener("click", function () {
      var index = parseInt(total.value, 10) || 0;
      if (max && index >= parseInt(max.value, 10)) return;
      var wrapper = document.createElement("div");
      wrapper.innerHTML = template.innerHTML.replace(/__prefix__/g, String(index));
      var row = wrapper.firstElementChild;
      var legend = row.querySelector("legend");
      if (legend) legend.textContent = legend.textContent.trim() + " " + (index + 1);
      list.appendChild(row);
      total.value = String(index + 1);
      var first = row.querySelector("input:not([type=hidden]), select, textarea");
      if (first) first.focus();
      if (max && index + 1 >= parseInt(max.value, 10)) button.hidden = true;
    });
  });
})();
