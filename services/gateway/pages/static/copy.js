/* A button that copies a field's text (the calendar feed's address): shown only where the
   browser can copy; without it the field is read-only text to select by hand. */
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var button = document.getElementById("feed-copy");
    if (!button || !navigator.clipboard) { return; }
    var field = document.getElementById(button.getAttribute("data-copy"));
    var status = document.getElementById("feed-copy-status");
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(field.value).then(function () {
        status.textContent = button.getAttribute("data-copied");
      });
    });
  });
}());
