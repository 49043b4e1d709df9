/* The administrator's picker fields (input[data-picker]: a unit, a cadre, an authority chosen by
 * typing its name or code): as one types, a bounded search of the registry
 * (GET /app/admin/suggestions/<kind>?q=, or the field's data-picker-url) lists suggestions under the field, an ARIA combobox
 * and listbox whose count is announced. Choosing one puts its name in the field and its code
 * in <name>_pick, sent with the form; typing again forgets it. Without this script the form
 * still works: the server resolves what was typed. */
(function () {
  "use strict";
  var WAIT_MS = 200;

  function picker(input, index) {
    var list = document.createElement("ul");
    var status = document.createElement("p");
    var pick = document.createElement("input");
    var timer = null, asked = 0, options = [], active = -1;
    list.id = input.id + "-suggestions";
    list.className = "suggestions";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", input.dataset.suggestionsLabel);
    list.hidden = true;
    status.id = input.id + "-said";
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    pick.type = "hidden";
    pick.name = input.name + "_pick";
    pick.disabled = true;  // sent only once chosen: a candidate ticked is sent otherwise
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", list.id);
    input.after(list, status);
    input.form.appendChild(pick);

    function close() {
      list.hidden = true; active = -1;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
    }
    function choose(option) {
      input.value = option.name; pick.value = option.id; pick.disabled = false;
      // a candidate ticked after a refusal would say another: the suggestion wins
      document.querySelectorAll('input[name="' + pick.name + '"][type="radio"]').forEach(
        function (radio) { radio.checked = false; });
      close();
    }
    function mark(next) {
      var items = list.children;
      if (!items.length) { return; }
      active = (next + items.length) % items.length;
      for (var i = 0; i < items.length; i++) { items[i].setAttribute("aria-selected", i === active ? "true" : "false"); }
      input.setAttribute("aria-activedescendant", items[active].id);
    }
    function show(answer) {
      options = answer.suggestions;
      list.textContent = "";
      options.forEach(function (option, i) {
        var item = document.createElement("li");
        item.id = list.id + "-" + i;
        item.setAttribute("role", "option");
        item.setAttribute("aria-selected", "false");
        item.textContent = option.words;
        item.addEventListener("mousedown", function (event) { event.preventDefault(); choose(option); });
        list.appendChild(item);
      });
      list.hidden = !options.length;
      input.setAttribute("aria-expanded", options.length ? "true" : "false");
      status.textContent = answer.said;
    }
    function ask() {
      var words = input.value.trim(), mine = ++asked;
      if (!words) { close(); status.textContent = ""; return; }
      var url = input.dataset.pickerUrl || "/app/admin/suggestions/" + input.dataset.picker;
      fetch(url + "?q=" + encodeURIComponent(words),
            {credentials: "same-origin", headers: {"Accept": "application/json"}})
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (answer) { if (answer && mine === asked) { show(answer); } })
        .catch(function () { /* offline or refused: the server resolves what was typed */ });
    }
    input.addEventListener("input", function () {
      pick.value = ""; pick.disabled = true;
      clearTimeout(timer);
      timer = setTimeout(ask, WAIT_MS);
    });
    input.addEventListener("keydown", function (event) {
      if (list.hidden) { return; }
      if (event.key === "ArrowDown") { event.preventDefault(); mark(active + 1); }
      else if (event.key === "ArrowUp") { event.preventDefault(); mark(active - 1); }
      else if (event.key === "Enter" && active >= 0) { event.preventDefault(); choose(options[active]); }
      else if (event.key === "Escape") { close(); }
    });
    // gone from the field: a late answer opens nothing (the page does not move under a click)
    input.addEventListener("blur", function () { clearTimeout(timer); asked++; close(); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("input[data-picker]").forEach(picker);
  });
})();
