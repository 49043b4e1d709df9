/* Redaction by selecting the words (issue 26): on a concern's or a case's page, the words
 * selected in the summary are added, one per line, to the redaction form's field by the
 * "add the selected words" button. Without JavaScript the button stays hidden and the field
 * is typed into: the form is the same either way (services/gateway/pages/redaction.py). */
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var button = document.getElementById("redact-pick");
    var field = document.getElementById("redact-words");
    if (!button || !field) { return; }
    var source = document.getElementById(button.dataset.source);
    if (!source) { return; }
    var picked = "";

    // the last words selected inside the summary: a click elsewhere may clear the selection
    function selectedInSource() {
      var selection = window.getSelection();
      if (!selection || selection.rangeCount === 0 || selection.isCollapsed) { return ""; }
      var range = selection.getRangeAt(0);
      if (!source.contains(range.commonAncestorContainer)) { return ""; }
      return selection.toString().replace(/\s+/g, " ").trim();
    }
    document.addEventListener("selectionchange", function () {
      var words = selectedInSource();
      if (words) { picked = words; }
    });

    button.addEventListener("click", function () {
      var words = selectedInSource() || picked;
      if (!words) { document.getElementById("redact-pick-hint").classList.add("error"); return; }
      var lines = field.value.split("\n").map(function (line) { return line.trim(); })
        .filter(function (line) { return line; });
      if (lines.indexOf(words) === -1) { lines.push(words); }
      field.value = lines.join("\n");
      picked = "";
      field.focus();
    });
    button.parentNode.hidden = false;
  });
})();
