/* Similar open cases on the visit form (issue 25): when a concern's topic is chosen (or the
 * branch changes), the open cases of that topic raised in the branch's commune are asked for
 * (/app/similar-cases) and offered in the concern's "joins_case_id" list, so the cadre may
 * attach the concern to one instead of opening another case. Offline, or when none is open,
 * the list stays hidden and the form works as before (visit.js sends what is chosen). */
(function () {
  "use strict";
  var form, asked = 0;

  function csrf() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }
  function show(row, cases) {
    var box = row.querySelector("[data-similar]");
    var select = row.querySelector('[data-name="joins_case_id"]');
    var list = row.querySelector("[data-similar-list]");
    var kept = select.value || select.dataset.kept || "";
    while (select.options.length > 1) { select.remove(1); }
    list.textContent = "";
    cases.forEach(function (c) {  // the list in full: a phone's select cuts long lines
      var option = document.createElement("option");
      option.value = c.case_id;
      option.textContent = c.words;
      select.appendChild(option);
      var item = document.createElement("li");
      item.textContent = c.words;
      list.appendChild(item);
    });
    select.value = cases.some(function (c) { return c.case_id === kept; }) ? kept : "";
    box.hidden = !cases.length;
  }
  function hide(row) {
    var select = row.querySelector('[data-name="joins_case_id"]');
    if (select.value) { select.dataset.kept = select.value; }
    select.value = "";
    row.querySelector("[data-similar]").hidden = true;
  }
  function ask(row) {
    var topic = row.querySelector('[data-name="topic"]').value;
    var unit = form.elements.namedItem("unit_id").value;
    if (!topic || !unit) { hide(row); return; }
    var mine = ++asked;
    row.dataset.asked = String(mine);
    fetch("/app/similar-cases?unit_id=" + encodeURIComponent(unit) + "&topic=" +
          encodeURIComponent(topic),
          {credentials: "same-origin", headers: {"Accept": "application/json", "X-CSRF-Token": csrf()}})
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (answer) {
        if (row.dataset.asked !== String(mine)) { return; }  // a later question answers
        if (answer) { show(row, answer.cases); } else { hide(row); }
      })
      .catch(function () { hide(row); });  // offline: no list, the concern opens its own case
  }
  function rows() { return Array.prototype.slice.call(form.querySelectorAll("fieldset.concern")); }

  document.addEventListener("DOMContentLoaded", function () {
    form = document.getElementById("visit-form");
    if (!form) { return; }
    form.addEventListener("change", function (event) {
      var target = event.target;
      if (target.name === "unit_id") { rows().forEach(ask); return; }
      if (target.dataset && target.dataset.name === "joins_case_id") { delete target.dataset.kept; return; }
      if (target.dataset && target.dataset.name === "topic") { ask(target.closest("fieldset.concern")); }
    });
    rows().forEach(function (row) {  // a draft read back with its topics chosen
      if (row.querySelector('[data-name="topic"]').value) { ask(row); }
    });
  });
})();
