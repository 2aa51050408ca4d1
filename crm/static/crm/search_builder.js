// The complex search builder: nested AND/OR groups of conditions (field, operator, value), drawn
// from the schema the page delivers (json_script "crm-search-schema"). The DOM is the state: on
// every change the expression is read back from it into the JSON textarea, which is what the
// form submits (and what a power user may edit by hand). Every control has a label; adding a
// row moves the focus to its first control and removing one moves it to a neighbour.
(function () {
  "use strict";

  var form = document.querySelector("[data-crm-search-builder]");
  var schemaNode = document.getElementById("crm-search-schema");
  if (!form || !schemaNode) return;
  var schema = JSON.parse(schemaNode.textContent);
  var T = schema.texts || {};
  var root = form.querySelector("[data-crm-builder]");
  var textarea = form.querySelector("[data-crm-expression]");
  var loadButton = form.querySelector("[data-crm-load-json]");
  var live = document.getElementById("crm-builder-live");
  var fields = {};
  schema.fields.forEach(function (field) { fields[field.name] = field; });
  var counter = 0;
  var manual = false; // the textarea was edited by hand after the builder last wrote it

  function text(key, number) {
    var value = T[key] || key;
    return number === undefined ? value : value.replace("%(number)s", number);
  }

  function announce(message) {
    live.textContent = "";
    window.setTimeout(function () { live.textContent = message; }, 50);
  }

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      var value = attrs[key];
      if (value === null || value === undefined || value === false) return;
      if (key === "text") node.textContent = value;
      else if (key === "className") node.className = value;
      else node.setAttribute(key, value === true ? "" : value);
    });
    (children || []).forEach(function (child) { if (child) node.appendChild(child); });
    return node;
  }

  function uid(name) {
    counter += 1;
    return "crm-b" + counter + "-" + name;
  }

  // a labelled control: <div class="crm-ctl"><label for=id>Label</label><control id=id></div>
  function control(label, input, help) {
    var id = uid("ctl");
    input.id = id;
    var wrapper = el("div", { className: "crm-ctl" }, [el("label", { for: id, text: label })]);
    if (help) {
      var helpId = id + "-help";
      wrapper.appendChild(el("span", { className: "w-field__help", id: helpId, text: help }));
      input.setAttribute("aria-describedby", helpId);
    }
    wrapper.appendChild(input);
    return wrapper;
  }

  function options(select, list, selected, placeholder) {
    if (placeholder) select.appendChild(el("option", { value: "", text: placeholder }));
    var chosen = Array.isArray(selected) ? selected.map(String) : [String(selected)];
    list.forEach(function (item) {
      var encoded = JSON.stringify(item.value);
      var option = el("option", { value: encoded, text: item.label });
      if (selected !== undefined && selected !== null && chosen.indexOf(String(item.value)) !== -1) option.selected = true;
      select.appendChild(option);
    });
    return select;
  }

  function decoded(select) {
    if (!select.value) return null;
    try { return JSON.parse(select.value); } catch (e) { return null; }
  }

  function decodedMany(select) {
    var values = [];
    Array.prototype.forEach.call(select.selectedOptions, function (option) {
      if (option.value) values.push(JSON.parse(option.value));
    });
    return values;
  }

  function numberInput(value, min, max) {
    var input = el("input", { type: "number", inputmode: "numeric", step: "1", min: min, max: max });
    if (value !== undefined && value !== null) input.value = value;
    return input;
  }

  function dateInput(value) {
    var input = el("input", { type: "date" });
    if (value) input.value = value;
    return input;
  }

  function intOrNull(input) {
    if (input.value === "") return null;
    var number = Number(input.value);
    return Number.isFinite(number) ? number : input.value;
  }

  // --- value inputs, one per kind; each returns {node, read} ------------------------------------
  function periodParts(value, allowRelative) {
    value = value || {};
    var from = dateInput(value.from);
    var to = dateInput(value.to);
    var parts = [control(text("from"), from), control(text("to"), to)];
    var last = null;
    if (allowRelative) {
      last = numberInput(value.last_days, 1, 36500);
      parts.push(control(text("last_days"), last));
    }
    return {
      nodes: parts,
      read: function (into) {
        if (from.value) into.from = from.value;
        if (to.value) into.to = to.value;
        if (last && last.value !== "") into.last_days = intOrNull(last);
        return into;
      },
    };
  }

  function choiceList(field) {
    return (field.choices && schema.choices[field.choices]) || [];
  }

  var KINDS = {
    number: function (field, value) {
      var input = numberInput(value, field.min, field.max);
      return { nodes: [control(text("value"), input, field.help)], read: function () { return intOrNull(input); } };
    },
    number_range: function (field, value) {
      value = value || {};
      var low = numberInput(value.min, field.min, field.max);
      var high = numberInput(value.max, field.min, field.max);
      return {
        nodes: [control(text("minimum"), low), control(text("maximum"), high)],
        read: function () { return { min: intOrNull(low), max: intOrNull(high) }; },
      };
    },
    date_range: function (field, value) {
      var period = periodParts(value, false);
      return { nodes: period.nodes, read: function () { return period.read({}); } };
    },
    period: function (field, value) {
      var period = periodParts(value, true);
      return { nodes: period.nodes, read: function () { return period.read({}); } };
    },
    choice: function (field, value) {
      var select = options(el("select"), choiceList(field), value, text("choose"));
      return { nodes: [control(text("value"), select, field.help)], read: function () { return decoded(select); } };
    },
    choices: function (field, value) {
      var list = choiceList(field);
      var select = options(el("select", { multiple: true, size: Math.min(Math.max(list.length, 3), 8) }), list, value || []);
      return {
        nodes: [control(text("value"), select, text("several"))],
        read: function () { return decodedMany(select); },
      };
    },
    text: function (field, value) {
      var input = el("input", { type: "text", maxlength: "150" });
      if (typeof value === "string") input.value = value;
      return { nodes: [control(text("value"), input, field.help)], read: function () { return input.value.trim() || null; } };
    },
    texts: function (field, value) {
      var input = el("input", { type: "text", maxlength: "1000" });
      if (Array.isArray(value)) input.value = value.join(", ");
      return {
        nodes: [control(text("value"), input, field.help || text("comma_separated"))],
        read: function () {
          var items = input.value.split(",").map(function (part) { return part.trim(); }).filter(Boolean);
          return items.length ? items : null;
        },
      };
    },
    boolean: function (field, value) {
      var select = options(el("select"), [{ value: true, label: text("yes") }, { value: false, label: text("no") }],
        value === undefined || value === null ? true : value);
      return { nodes: [control(text("value"), select)], read: function () { return decoded(select); } };
    },
    consent: function (field, value) {
      value = value || {};
      var channel = options(el("select"), schema.choices.channels, value.channel || schema.choices.channels[0].value);
      var granted = options(el("select"), [{ value: true, label: text("yes") }, { value: false, label: text("no") }],
        value.granted === undefined ? true : value.granted);
      return {
        nodes: [control(text("channel"), channel), control(text("granted"), granted)],
        read: function () { return { channel: decoded(channel), granted: decoded(granted) }; },
      };
    },
    "case": function (field, value) {
      value = value || {};
      var service = options(el("select"), schema.choices.service_types, value.service_type, text("any"));
      var statuses = schema.choices.case_statuses;
      var status = options(el("select", { multiple: true, size: Math.min(statuses.length, 5) }), statuses, value.status || []);
      var period = periodParts(value, true);
      return {
        nodes: [control(text("service_type"), service), control(text("status"), status, text("several"))].concat(period.nodes),
        read: function () {
          var out = period.read({});
          if (service.value) out.service_type = decoded(service);
          var chosen = decodedMany(status);
          if (chosen.length) out.status = chosen;
          return out;
        },
      };
    },
    payment: function (field, value) {
      value = value || {};
      var amount = numberInput(value.min_amount, 0, 1000000000);
      var period = periodParts(value, true);
      return {
        nodes: [control(text("min_amount"), amount)].concat(period.nodes),
        read: function () {
          var out = period.read({});
          if (amount.value !== "") out.min_amount = intOrNull(amount);
          return out;
        },
      };
    },
    activity: function (field, value) {
      value = value || {};
      var kinds = schema.choices.activity_kinds;
      var kind = options(el("select"), kinds, value.kind || kinds[0].value);
      var period = periodParts(value, true);
      return {
        nodes: [control(text("activity"), kind)].concat(period.nodes),
        read: function () { return period.read({ kind: decoded(kind) }); },
      };
    },
  };

  // --- conditions ------------------------------------------------------------------------------
  function operatorOf(field, name) {
    for (var i = 0; i < field.operators.length; i += 1) if (field.operators[i].name === name) return field.operators[i];
    return field.operators[0];
  }

  function buildCondition(data) {
    data = data || {};
    var field = fields[data.field] || schema.fields[0];
    var node = el("fieldset", { className: "crm-cond", "data-node": "cond", tabindex: "-1" });
    var legend = el("legend", { className: "w-sr-only" });
    node.appendChild(legend);

    var fieldSelect = el("select", { "data-role": "field" });
    schema.fields.forEach(function (f) {
      var option = el("option", { value: f.name, text: f.label });
      if (f.name === field.name) option.selected = true;
      fieldSelect.appendChild(option);
    });
    var operatorSelect = el("select", { "data-role": "operator" });
    var valueBox = el("div", { className: "crm-value", "data-role": "value" });
    var extras = el("div", { className: "crm-value", "data-role": "extras" });
    var notBox = el("input", { type: "checkbox", "data-role": "not" });
    notBox.checked = !!data.not;
    var notId = uid("not");
    notBox.id = notId;
    var remove = el("button", { type: "button", className: "button button-small button-secondary", "data-role": "remove-condition", text: text("remove_condition") });

    node.appendChild(control(text("field"), fieldSelect));
    node.appendChild(control(text("operator"), operatorSelect));
    node.appendChild(valueBox);
    node.appendChild(extras);
    node.appendChild(el("div", { className: "crm-ctl crm-ctl--check" }, [notBox, el("label", { for: notId, text: text("not_condition") })]));
    node.appendChild(remove);

    function fillOperators(selected) {
      operatorSelect.textContent = "";
      field.operators.forEach(function (op) {
        var option = el("option", { value: op.name, text: op.label });
        if (op.name === selected) option.selected = true;
        operatorSelect.appendChild(option);
      });
    }

    function fillValue(value) {
      var operator = operatorOf(field, operatorSelect.value);
      var widget = (KINDS[operator.value] || KINDS.text)(field, value);
      valueBox.textContent = "";
      widget.nodes.forEach(function (part) { valueBox.appendChild(part); });
      node._readValue = widget.read;
      node._kind = operator.value;
    }

    function fillExtras(criterion) {
      extras.textContent = "";
      node._readExtras = function () { return {}; };
      if (field.address) {
        var scope = el("select");
        scope.appendChild(el("option", { value: "any", text: text("address_any") }));
        var byDefault = el("option", { value: "default", text: text("address_default") });
        if (criterion.address === "default") byDefault.selected = true;
        scope.appendChild(byDefault);
        extras.appendChild(control(text("address"), scope));
        node._readExtras = function () { return scope.value === "default" ? { address: "default" } : {}; };
      } else if (field.extra_keys && field.extra_keys.indexOf("on") !== -1) {
        var on = dateInput(criterion.on);
        extras.appendChild(control(text("on_day"), on));
        node._readExtras = function () { return on.value ? { on: on.value } : {}; };
      }
    }

    fillOperators(operatorOf(field, data.operator).name);
    fillValue(data.value);
    fillExtras(data);

    fieldSelect.addEventListener("change", function () {
      field = fields[fieldSelect.value];
      fillOperators(field.operators[0].name);
      fillValue(undefined);
      fillExtras({});
      changed();
    });
    operatorSelect.addEventListener("change", function () {
      var before = node._kind;
      var keep = node._readValue();
      var operator = operatorOf(field, operatorSelect.value);
      fillValue(operator.value === before ? keep : undefined);
      changed();
    });
    remove.addEventListener("click", function () { removeNode(node); });
    return node;
  }

  function readCondition(node) {
    var out = {
      field: node.querySelector("[data-role=field]").value,
      operator: node.querySelector("[data-role=operator]").value,
      value: node._readValue(),
    };
    var extras = node._readExtras();
    Object.keys(extras).forEach(function (key) { out[key] = extras[key]; });
    if (node.querySelector("[data-role=not]").checked) out.not = true;
    return out;
  }

  // --- groups ----------------------------------------------------------------------------------
  function buildGroup(data, isRoot) {
    data = data || { op: "and", items: [{}] };
    var node = el("fieldset", { className: "crm-group", "data-node": "group", tabindex: "-1" });
    node.appendChild(el("legend", { "data-role": "legend" }));
    var op = el("select", { "data-role": "op" });
    op.appendChild(el("option", { value: "and", text: text("all_of") }));
    var anyOption = el("option", { value: "or", text: text("any_of") });
    if (data.op === "or") anyOption.selected = true;
    op.appendChild(anyOption);
    var notBox = el("input", { type: "checkbox", "data-role": "group-not" });
    notBox.checked = !!data.not;
    notBox.id = uid("gnot");
    node.appendChild(el("div", { className: "crm-group__head" }, [
      control(text("match"), op),
      el("div", { className: "crm-ctl crm-ctl--check" }, [notBox, el("label", { for: notBox.id, text: text("not_group") })]),
    ]));
    var list = el("ul", { className: "crm-group__items", "data-role": "items" });
    node.appendChild(list);
    (data.items || []).forEach(function (item) {
      list.appendChild(el("li", {}, [isGroup(item) ? buildGroup(item, false) : buildCondition(item)]));
    });
    var addCondition = el("button", { type: "button", className: "button button-small", "data-role": "add-condition", text: text("add_condition") });
    var addGroup = el("button", { type: "button", className: "button button-small button-secondary", "data-role": "add-group", text: text("add_group") });
    var actions = el("div", { className: "crm-group__actions" }, [addCondition, addGroup]);
    if (!isRoot) {
      var removeGroup = el("button", { type: "button", className: "button button-small button-secondary no", "data-role": "remove-group", text: text("remove_group") });
      removeGroup.addEventListener("click", function () { removeNode(node); });
      actions.appendChild(removeGroup);
    }
    node.appendChild(actions);

    addCondition.addEventListener("click", function () {
      var condition = buildCondition({});
      list.appendChild(el("li", {}, [condition]));
      changed();
      condition.querySelector("[data-role=field]").focus();
      announce(text("condition_added"));
    });
    addGroup.addEventListener("click", function () {
      var group = buildGroup({ op: "and", items: [{}] }, false);
      list.appendChild(el("li", {}, [group]));
      changed();
      group.querySelector("[data-role=field]").focus();
      announce(text("group_added"));
    });
    return node;
  }

  function childNodes(group) {
    var items = group.querySelector(":scope > [data-role=items]");
    return Array.prototype.map.call(items.children, function (li) { return li.firstElementChild; });
  }

  function readGroup(node) {
    var out = { op: node.querySelector(":scope > .crm-group__head [data-role=op]").value, items: [] };
    if (node.querySelector(":scope > .crm-group__head [data-role=group-not]").checked) out.not = true;
    childNodes(node).forEach(function (child) {
      out.items.push(child.getAttribute("data-node") === "group" ? readGroup(child) : readCondition(child));
    });
    return out;
  }

  function isGroup(item) {
    return item && typeof item === "object" && !("field" in item) && ("op" in item || "items" in item);
  }

  function removeNode(node) {
    var li = node.parentElement;
    var group = li.parentElement.closest("[data-node=group]");
    var next = li.nextElementSibling || li.previousElementSibling;
    var wasGroup = node.getAttribute("data-node") === "group";
    li.remove();
    changed();
    var target = next ? next.firstElementChild.querySelector("[data-role=field], [data-role=op]") : null;
    (target || group.querySelector(":scope > .crm-group__actions [data-role=add-condition]")).focus();
    announce(text(wasGroup ? "group_removed" : "condition_removed"));
  }

  // ids and names by position: "crm-node-2-0" is the first item of the third item of the root;
  // the server's error summary links to them
  function renumber(group, path, isRoot) {
    group.id = ["crm-node"].concat(path).join("-");
    var legend = group.querySelector(":scope > [data-role=legend]");
    legend.textContent = isRoot ? text("root") : text("group", path.map(function (p) { return p + 1; }).join("."));
    childNodes(group).forEach(function (child, index) {
      var childPath = path.concat([index]);
      var number = childPath.map(function (p) { return p + 1; }).join(".");
      if (child.getAttribute("data-node") === "group") {
        renumber(child, childPath, false);
        child.querySelector(":scope > .crm-group__actions [data-role=remove-group]").setAttribute("aria-label", text("remove_group_n", number));
      } else {
        child.id = ["crm-node"].concat(childPath).join("-");
        child.querySelector("legend").textContent = text("condition", number);
        child.querySelector("[data-role=remove-condition]").setAttribute("aria-label", text("remove_condition_n", number));
      }
    });
  }

  var top = null;

  function write() {
    textarea.value = JSON.stringify(readGroup(top));
  }

  function changed() {
    renumber(top, [], true);
    manual = false;
    if (loadButton) loadButton.hidden = true;
    write();
  }

  function representable(expression) {
    if (!isGroup(expression)) return false;
    return (expression.items || []).every(function (item) {
      if (isGroup(item)) return representable(item);
      var field = item && fields[item.field];
      return !!(field && field.operators.some(function (op) { return op.name === item.operator; }));
    });
  }

  function load(fromText) {
    var expression = null;
    if (fromText.trim()) {
      try { expression = JSON.parse(fromText); } catch (e) { expression = undefined; }
    }
    if (expression === undefined || (expression !== null && !representable(expression))) return false;
    top = buildGroup(expression || { op: "and", items: [{}] }, true);
    root.textContent = "";
    root.appendChild(top);
    renumber(top, [], true);
    return true;
  }

  if (!load(textarea.value)) {
    // keep the hand-written JSON as the search; the builder starts empty beside it
    manual = true;
    top = buildGroup({ op: "and", items: [{}] }, true);
    root.appendChild(top);
    renumber(top, [], true);
    root.insertBefore(el("p", { className: "help-block help-warning", text: text("not_loaded") }), top);
    var details = form.querySelector("[data-crm-json-details]");
    if (details) details.open = true;
  } else if (!textarea.value.trim()) {
    write();
  }

  root.addEventListener("input", function (event) { if (event.target !== textarea) { manual = false; write(); } });
  root.addEventListener("change", function () { manual = false; write(); });
  textarea.addEventListener("input", function () {
    manual = true;
    if (loadButton) loadButton.hidden = false;
  });
  if (loadButton) {
    loadButton.addEventListener("click", function () {
      if (load(textarea.value)) {
        manual = false;
        loadButton.hidden = true;
        top.querySelector("[data-role=field], [data-role=op]").focus();
      } else {
        announce(text("not_loaded"));
      }
    });
  }
  form.addEventListener("submit", function () {
    if (!manual) write();
  });

  // problems reported by the server: mark the conditions and groups they are about
  document.querySelectorAll("[data-crm-problem-anchor]").forEach(function (link) {
    var target = document.getElementById(link.getAttribute("data-crm-problem-anchor"));
    if (!target) return;
    target.setAttribute("aria-invalid", "true");
    link.addEventListener("click", function (event) {
      event.preventDefault();
      var first = target.querySelector("select, input, textarea, button");
      target.scrollIntoView({ block: "center" });
      (first || target).focus();
    });
  });

  // after a round trip, the error summary, the confirmation or the results get the focus
  var focusTarget = document.querySelector("[data-crm-focus]") || document.querySelector("[data-crm-focus-results]");
  if (focusTarget) focusTarget.focus();
})();
