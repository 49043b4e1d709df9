/* The visit form: a draft kept in localStorage as it is typed (with the submission_id minted
 * when the form first opened), concerns added and removed, and on submit the visit handed to
 * the outbox (outbox.js), which sends it now or when the connection returns.
 * Parts of the form kept by scripts of their own (attach.js: the files) join through
 * SausatVisitForm.extend({save(body, row), fill(body, row), renumber(row, index),
 * check(body, problems)}): row is a concern's fieldset, or null for the visit itself; check
 * adds {field: words} for what must be put right before the visit may go (roll.js). */
(function () {
  "use strict";
  var outbox = window.SausatOutbox;
  var extensions = [];
  window.SausatVisitForm = {extend: function (extension) { extensions.push(extension); }};
  function extend(hook) {
    var args = Array.prototype.slice.call(arguments, 1);
    extensions.forEach(function (extension) { if (extension[hook]) { extension[hook].apply(null, args); } });
  }
  var LOGGED = "sausat.visit.logged";
  var form, words, concernsBox, template, draft;
  var SCALAR = ["unit_id", "meeting_date", "meeting_kind", "attendance.present",
                "attendance.expected", "assessment.leadership", "assessment.education",
                "assessment.combativeness", "assessment.note"];
  // a concern's fields; the last three are yes/no (or the default, left out)
  var CONCERN = ["summary", "topic", "raised_by", "urgency", "raised_by_name",
                 "raised_by_contact", "raiser_email", "raiser_consent", "withhold_raiser",
                 "confidential", "joins_case_id"];
  var CHOICES = ["raiser_consent", "withhold_raiser", "confidential"];
  var INTEGERS = ["attendance.present", "attendance.expected", "assessment.leadership",
                  "assessment.education", "assessment.combativeness"];

  function mint() {
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }
  function field(name) { return form.elements.namedItem(name); }

  function addConcern(values) {
    var node = template.content.firstElementChild.cloneNode(true);
    concernsBox.appendChild(node);
    CONCERN.forEach(function (name) {
      var input = node.querySelector('[data-name="' + name + '"]');
      if (values && values[name] !== undefined && values[name] !== null) {
        input.value = String(values[name]);
        input.dataset.kept = String(values[name]);  // a list filled later (similar.js) keeps it
      }
    });
    extend("fill", values || {}, node);
    node.querySelector(".remove-concern").addEventListener("click", function () {
      node.remove(); renumber(); saveDraft();
    });
    renumber();
    return node;
  }
  function concernRows() { return Array.prototype.slice.call(concernsBox.querySelectorAll("fieldset.concern")); }
  function renumber() {
    concernRows().forEach(function (row, index) {
      row.querySelector("legend").textContent = words.concern_n.replace("{n}", index + 1);
      row.querySelector(".remove-concern").textContent = words.remove_concern;
      CONCERN.forEach(function (name) {
        var id = "concerns." + index + "." + name;
        var input = row.querySelector('[data-name="' + name + '"]');
        input.id = id; input.name = id;
        input.setAttribute("aria-describedby", id + "-error");
        row.querySelector('[data-for="' + name + '"]').setAttribute("for", id);
        row.querySelector('[data-error="' + name + '"]').id = id + "-error";
      });
      extend("renumber", row, index);
    });
  }

  function payload() {
    var body = {submission_id: draft.submission_id, attendance: {}, assessment: {}, concerns: [],
                answer_reviews: []};
    SCALAR.forEach(function (name) {
      var value = field(name).value;
      if (INTEGERS.indexOf(name) >= 0 && /^\s*-?\d+\s*$/.test(value)) { value = parseInt(value, 10); }
      var parts = name.split(".");
      if (parts.length === 2) { body[parts[0]][parts[1]] = value; } else { body[name] = value; }
    });
    concernRows().forEach(function (row) {
      var concern = {};
      CONCERN.forEach(function (name) {
        var value = row.querySelector('[data-name="' + name + '"]').value;
        if (CHOICES.indexOf(name) >= 0) {  // "": the default for the raiser's kind
          if (value !== "") { concern[name] = value === "true"; }
        } else if (["raised_by_name", "raised_by_contact", "raiser_email",
                    "joins_case_id"].indexOf(name) >= 0) {
          if (value.trim() !== "") { concern[name] = value; }
        // no topic chosen: left out, so the refusal says "required" beside it
        } else if (value !== "" || name !== "topic") { concern[name] = value; }
      });
      extend("save", concern, row);
      body.concerns.push(concern);
    });
    // the answers read out at this meeting, for the branch chosen (a vote left empty: not read)
    reviewRows().forEach(function (row) {
      if (row.dataset.unitId !== body.unit_id) { return; }
      var caseId = row.dataset.caseId;
      var vote = row.querySelector('input[type="radio"]:checked');
      if (!vote || !vote.value) { return; }
      body.answer_reviews.push({case_id: caseId, satisfied: vote.value === "yes",
        comment: field("review." + caseId + ".comment").value});
    });
    extend("save", body, null);
    return body;
  }
  function reviewRows() { return Array.prototype.slice.call(form.querySelectorAll("fieldset.answer-review")); }
  function showReviews() {  // only the chosen branch's answers are reviewed
    reviewRows().forEach(function (row) { row.hidden = row.dataset.unitId !== field("unit_id").value; });
  }
  function fillReviews(reviews) {
    reviewRows().forEach(function (row) {
      var caseId = row.dataset.caseId, review = null;
      (reviews || []).forEach(function (r) { if (r.case_id === caseId) { review = r; } });
      var value = review ? (review.satisfied ? "yes" : "no") : "";
      row.querySelector('input[type="radio"][value="' + value + '"]').checked = true;
      field("review." + caseId + ".comment").value = review ? review.comment : "";
    });
    showReviews();
  }
  function fill(body) {
    SCALAR.forEach(function (name) {
      var parts = name.split("."), value = parts.length === 2 ? (body[parts[0]] || {})[parts[1]] : body[name];
      if (value !== undefined && value !== null) { field(name).value = value; }
    });
    concernRows().forEach(function (row) { row.remove(); });
    (body.concerns || []).forEach(function (concern) { addConcern(concern); });
    extend("fill", body, null);
    fillReviews(body.answer_reviews);
  }

  function saveDraft() {
    draft.payload = payload();
    outbox.write(outbox.DRAFT, draft);
  }
  function newDraft() {
    draft = {submission_id: mint(), payload: null, errors: null};
    outbox.write(outbox.DRAFT, draft);
  }

  function clearErrors() {
    Array.prototype.forEach.call(form.querySelectorAll(".field-error"), function (p) { p.hidden = true; p.textContent = ""; });
    Array.prototype.forEach.call(form.querySelectorAll("[aria-invalid]"), function (el) { el.removeAttribute("aria-invalid"); });
  }
  // the outcome sits above the form: after sending it is brought to where the eye is
  function status(text, kind) {
    var box = document.getElementById("form-status");
    document.getElementById("form-outcome").hidden = !text;
    box.className = "notice " + (kind || "");
    box.innerHTML = "";
    if (text) { box.appendChild(document.createTextNode(text)); }
    return box;
  }
  function showOutcome() {
    var outcome = document.getElementById("form-outcome");
    outcome.scrollIntoView({block: "start"});
    outcome.focus({preventScroll: true});
  }
  // sent (or kept on the phone): the form keeps what was sent, read-only, until a new one
  function lock(locked) {
    Array.prototype.forEach.call(form.elements, function (el) { el.disabled = locked; });
    document.getElementById("new-visit").hidden = !locked;
  }
  function showErrors(body) {
    clearErrors();
    var fields = (body && body.fields) || {}, unplaced = [], first = null;
    Object.keys(fields).forEach(function (name) {
      var slot = document.getElementById(name + "-error");
      var input = document.getElementById(name);
      if (slot) {
        slot.textContent = fields[name]; slot.hidden = false;
        if (input) { input.setAttribute("aria-invalid", "true"); first = first || input; }
      } else { unplaced.push(fields[name]); }
    });
    var message = words.visit_refused + (unplaced.length ? " " + unplaced.join(" ") : "") +
      (body && body.message && !Object.keys(fields).length ? " " + body.message : "");
    status(message, "error");
    if (first) { first.focus(); }
  }

  // the next refused visit (if any) becomes the draft, unless one is being typed
  function takeRefused(submissionId) {
    var refused = outbox.read(outbox.REFUSED, []);
    var index = -1;
    refused.forEach(function (r, i) { if (submissionId ? r.submission_id === submissionId : index < 0) { index = i; } });
    if (index < 0) { return null; }
    var taken = refused.splice(index, 1)[0];
    outbox.write(outbox.REFUSED, refused);
    draft = taken;
    outbox.write(outbox.DRAFT, draft);
    lock(false);
    fill(draft.payload);
    field("submission_id").value = draft.submission_id;
    showErrors(draft.errors);
    return taken;
  }
  function blankForm() {
    locked = null;
    lock(false);
    status("", "");
    hideSameMeeting();
    newDraft();
    field("submission_id").value = draft.submission_id;
    ["attendance.present", "attendance.expected", "assessment.note"].forEach(function (name) { field(name).value = ""; });
    concernRows().forEach(function (row) { row.remove(); });
    addConcern();
    extend("fill", {}, null);
    fillReviews([]);
    saveDraft();
    window.scrollTo(0, 0);
    field("unit_id").focus();
  }
  function dropBlankConcerns() {  // a row left empty is no concern: the meeting had none
    concernRows().forEach(function (row) {
      var summary = row.querySelector('[data-name="summary"]').value.trim();
      if (!summary && !row.querySelector('[data-name="topic"]').value) { row.remove(); }
    });
    renumber();
  }

  // the same meeting (branch and date) logged by this cadre already, or waiting to be sent
  function sameMeeting(body) {
    var logged = JSON.parse(form.dataset.logged || "[]").concat(
      outbox.read(LOGGED, []).filter(function (v) { return v.cadre === form.dataset.cadre; }));
    var found = null;
    logged.forEach(function (v) {
      if (v.unit_id === body.unit_id && v.meeting_date === body.meeting_date) { found = v; }
    });
    if (found) { return found; }
    outbox.pending().forEach(function (item) {
      if (item.payload.unit_id === body.unit_id && item.payload.meeting_date === body.meeting_date &&
          item.submission_id !== body.submission_id) { found = {waiting: true}; }
    });
    return found;
  }
  function warnSameMeeting(earlier, body) {
    var box = document.getElementById("same-meeting");
    var unit = field("unit_id").selectedOptions[0].textContent;
    var date = body.meeting_date.split("-").reverse().join("/");
    var text = earlier.waiting ? words.same_meeting_waiting : words.same_meeting;
    document.getElementById("same-meeting-text").textContent =
      text.replace("{unit}", unit).replace("{date}", date);
    var amend = document.getElementById("same-meeting-amend");
    amend.hidden = !earlier.visit_id;
    amend.href = earlier.visit_id ? "/app/visits/" + earlier.visit_id + "/amend" : "";
    box.hidden = false;
    box.focus();
  }
  function hideSameMeeting() { document.getElementById("same-meeting").hidden = true; }
  function remember(body, detail) {  // logged from this phone: warned of before the next log
    var logged = outbox.read(LOGGED, []).slice(-50);
    logged.push({cadre: form.dataset.cadre, unit_id: body.unit_id,
                 meeting_date: body.meeting_date, visit_id: detail && detail.visit_id});
    outbox.write(LOGGED, logged);
  }

  function isBlank(body) {
    if (!body) { return true; }
    var typed = (body.concerns || []).some(function (c) { return c.summary; });
    var attendance = body.attendance || {};
    return !typed && !attendance.present && !(attendance.members || []).length &&
      !(body.assessment || {}).note;
  }

  var submitted = null;
  var locked = null;  // the visit the locked form shows: refused later (sent offline), it returns
  function onResult(kind, item, detail) {
    var mine = item.submission_id === submitted;
    if (kind === "sent") {
      remember(item.payload, detail);
      var box = status(words.visit_sent + " ", "ok");
      var link = document.createElement("a");
      link.href = detail.url; link.textContent = detail.unit_name + " · " + detail.meeting_date;
      link.className = "sent-visit-link";
      box.appendChild(link);
      // the codes to read out or write down for whoever raised each concern
      (detail.concerns || []).forEach(function (concern) {
        if (!concern.receipt_code) { return; }
        var line = document.createElement("span");
        line.className = "receipt";
        line.textContent = " · " + words.receipt_code + ": " + concern.receipt_code;
        box.appendChild(line);
      });
    } else if (kind === "waiting" && mine) {
      status(words.kept_offline, "warning");
    } else if (kind === "signin" && mine) {
      status(words.session_expired + " " + words.kept_offline, "warning");
    } else if (kind === "refused" && (mine || item.submission_id === locked)) {
      takeRefused(item.submission_id);
    }
    // a refusal puts the eye on the first field refused instead
    if (mine) { submitted = null; if (kind !== "refused") { showOutcome(); } }
  }

  document.addEventListener("DOMContentLoaded", function () {
    form = document.getElementById("visit-form");
    if (!form) { return; }
    words = JSON.parse(form.dataset.words);
    concernsBox = document.getElementById("concerns");
    template = document.getElementById("concern-template");
    draft = outbox.read(outbox.DRAFT, null);
    if (!draft || !draft.submission_id) { newDraft(); }
    if (draft.payload) { fill(draft.payload); } else { addConcern(); }
    field("submission_id").value = draft.submission_id;
    if (draft.errors) { showErrors(draft.errors); }
    else if (isBlank(draft.payload)) { takeRefused(null); }
    showReviews();
    field("unit_id").addEventListener("change", showReviews);
    form.addEventListener("input", saveDraft);
    form.addEventListener("change", saveDraft);
    document.getElementById("add-concern").addEventListener("click", function () {
      var row = addConcern(); saveDraft(); row.querySelector("textarea").focus();
    });
    outbox.onResult(onResult);
    var confirmed = false;
    document.getElementById("same-meeting-confirm").addEventListener("click", function () {
      confirmed = true; form.requestSubmit();
    });
    document.getElementById("new-visit").addEventListener("click", blankForm);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      clearErrors();
      dropBlankConcerns();
      var body = payload(), problems = {};
      extend("check", body, problems);
      if (Object.keys(problems).length) { showErrors({fields: problems}); return; }
      var earlier = confirmed ? null : sameMeeting(body);
      confirmed = false;
      if (earlier) { warnSameMeeting(earlier, body); return; }
      hideSameMeeting();
      submitted = locked = body.submission_id;
      lock(true);
      status(words.sending, "");
      showOutcome();
      outbox.queue(body);   // from here the visit is safe on the phone, whatever happens
      newDraft();           // the next visit gets a submission_id of its own
      outbox.flush();
    });
  });
})();
