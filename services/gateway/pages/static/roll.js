/* The visit form member by member (issue 29; docs/members.md). When the branch chosen has
 * members this cadre may see, the form lists them on the meeting's day (GET
 * /app/units/<id>/roll), each marked present, absent with a reason or absent without one, and
 * the counts are derived from the marks (shown read-only, sent beside the list, which the
 * server checks they agree with). A branch without members known (none imported, or a 404)
 * keeps the two counts as before.
 *
 * The roll is kept on the phone (localStorage, beside the draft and the outbox: outbox.js) so
 * a meeting is logged member by member without signal: only the member's code and name, only
 * for branches the server answered for this cadre, for KEEP_DAYS at most; signing out forgets
 * it (outbox.js). A visit queued offline carries its list (codes and marks, no names) and
 * leaves the phone when it is sent. */
(function () {
  "use strict";
  var outbox = window.SausatOutbox;
  var ROLLS = outbox.ROLLS;
  var KEEP_DAYS = 31;  // a branch meets monthly: a roll older than that is read again
  var form, box, list, template, words;
  var roll = null;     // {unit_id, as_of, kept_at, members: [{member_code, full_name}]}
  var marks = {};      // member_code → {mark, reason}
  var asked = 0;

  function field(name) { return form.elements.namedItem(name); }
  function csrf() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  // --- the rolls kept on the phone -------------------------------------------------------
  function keptRolls() {  // this cadre's, none older than KEEP_DAYS
    var all = outbox.read(ROLLS, null);
    if (!all || all.cadre !== form.dataset.cadre) { return {cadre: form.dataset.cadre, rolls: {}}; }
    var oldest = Date.now() - KEEP_DAYS * 86400000, dropped = false;
    all.rolls = all.rolls || {};
    Object.keys(all.rolls).forEach(function (unitId) {
      if (!(Date.parse(all.rolls[unitId].kept_at) >= oldest)) { delete all.rolls[unitId]; dropped = true; }
    });
    if (dropped) { outbox.write(ROLLS, all); }  // gone from the phone, not merely unshown
    return all;
  }
  function keep(answer) {
    var all = keptRolls();
    all.rolls[answer.unit_id] = {unit_id: answer.unit_id, as_of: answer.as_of,
      kept_at: new Date().toISOString(),
      members: answer.members.map(function (m) { return {member_code: m.member_code, full_name: m.full_name}; })};
    outbox.write(ROLLS, all);
    return all.rolls[answer.unit_id];
  }
  function forget(unitId) {
    var all = keptRolls();
    delete all.rolls[unitId];
    outbox.write(ROLLS, all);
  }

  // --- the list on the form --------------------------------------------------------------
  function counts() {
    var tally = {present: 0, absent_excused: 0, absent: 0};
    roll.members.forEach(function (m) {
      var given = marks[m.member_code];
      if (given && tally[given.mark] !== undefined) { tally[given.mark] += 1; }
    });
    tally.expected = roll.members.length;
    tally.unmarked = tally.expected - tally.present - tally.absent_excused - tally.absent;
    return tally;
  }
  function showCounts() {
    var tally = counts();
    field("attendance.present").value = tally.present;
    field("attendance.expected").value = tally.expected;
    document.getElementById("roll-count").textContent =
      words.count.replace("{present}", tally.present).replace("{expected}", tally.expected) + " · " +
      words.tally.replace("{excused}", tally.absent_excused).replace("{absent}", tally.absent)
        .replace("{unmarked}", tally.unmarked);
  }
  function showReason(row, mark) {
    row.querySelector("[data-reason]").hidden = mark !== "absent_excused";
  }
  function draw() {
    list.textContent = "";
    roll.members.forEach(function (member, index) {
      var row = template.content.firstElementChild.cloneNode(true), at = "attendance.members." + index;
      var given = marks[member.member_code] || {};
      row.dataset.member = member.member_code;
      row.querySelector("legend").textContent = member.full_name + " · " + member.member_code;
      Array.prototype.forEach.call(row.querySelectorAll("input[type=radio]"), function (radio, n) {
        radio.name = at + ".mark";
        radio.id = n === 0 ? at + ".mark" : at + ".mark." + radio.value;
        radio.nextElementSibling.setAttribute("for", radio.id);
        radio.setAttribute("aria-describedby", at + ".member_code-error " + at + ".mark-error");
        radio.checked = given.mark === radio.value;
      });
      var reason = row.querySelector('[data-name="reason"]');
      reason.id = reason.name = at + ".reason";
      reason.value = given.reason || "";
      reason.setAttribute("aria-describedby", at + ".reason-error");
      row.querySelector("[data-reason] label").setAttribute("for", reason.id);
      ["reason", "member_code", "mark"].forEach(function (name) {
        row.querySelector('[data-error="' + name + '"]').id = at + "." + name + "-error";
      });
      showReason(row, given.mark);
      list.appendChild(row);
    });
    showCounts();
  }
  function show(found, fromPhone) {
    roll = found;
    box.hidden = false;
    ["attendance.present", "attendance.expected"].forEach(function (name) { field(name).readOnly = true; });
    var note = document.getElementById("roll-kept");
    note.hidden = !fromPhone;
    note.textContent = fromPhone ? words.kept.replace("{date}",
      found.kept_at.slice(0, 10).split("-").reverse().join("/")) : "";
    draw();
  }
  function hide() {  // members not known for this branch: the two counts, typed as before
    if (roll) { field("attendance.present").value = ""; field("attendance.expected").value = ""; }
    roll = null;
    box.hidden = true;
    list.textContent = "";
    ["attendance.present", "attendance.expected"].forEach(function (name) { field(name).readOnly = false; });
  }

  // the branch's roll on the meeting's day: the kept one at once, then the server's
  function load() {
    var unitId = field("unit_id").value, day = field("meeting_date").value, mine = ++asked;
    if (!unitId) { hide(); return; }
    var kept = keptRolls().rolls[unitId];
    if (kept) { show(kept, true); } else { hide(); }
    fetch("/app/units/" + encodeURIComponent(unitId) + "/roll" + (day ? "?as_of=" + encodeURIComponent(day) : ""),
          {credentials: "same-origin", cache: "no-store",
           headers: {"Accept": "application/json", "X-CSRF-Token": csrf()}})
      .then(function (response) {
        if (response.status === 404) { return {members: []}; }   // not this cadre's to see
        return response.ok ? response.json() : null;             // 401, 5xx: the kept one stays
      })
      .then(function (answer) {
        if (!answer || mine !== asked) { return; }
        if (!answer.members.length) { forget(unitId); hide(); }
        else { show(keep(answer), false); }
        form.dispatchEvent(new Event("change"));  // the draft keeps the counts shown
      })
      .catch(function () { /* offline: the kept roll, or the counts */ });
  }

  window.SausatVisitForm.extend({
    save: function (body, row) {
      if (row || !roll || roll.unit_id !== body.unit_id) { return; }
      var tally = counts();
      body.attendance = {present: tally.present, expected: tally.expected, members: []};
      roll.members.forEach(function (m) {  // in the roll's order: a refusal names its index
        var given = marks[m.member_code];
        if (!given || !given.mark) { return; }
        var item = {member_code: m.member_code, mark: given.mark};
        if (given.mark === "absent_excused" && given.reason.trim()) { item.reason = given.reason.trim(); }
        body.attendance.members.push(item);
      });
    },
    fill: function (body, row) {
      if (row) { return; }
      marks = {};
      ((body.attendance || {}).members || []).forEach(function (item) {
        marks[item.member_code] = {mark: item.mark, reason: item.reason || ""};
      });
      if (roll) { draw(); }
    },
    // before sending: every member marked, or the list is refused as incomplete
    check: function (body, problems) {
      if (!roll || roll.unit_id !== body.unit_id) { return; }
      var unmarked = counts().unmarked;
      if (unmarked) { problems["attendance.members"] = words.unmarked.replace("{n}", unmarked); }
    }
  });

  document.addEventListener("DOMContentLoaded", function () {
    form = document.getElementById("visit-form");
    box = document.getElementById("roll");
    if (!form || !box) { return; }
    words = JSON.parse(box.dataset.words);
    list = document.getElementById("roll-members");
    template = document.getElementById("member-template");
    // before the form's own listener (it saves the draft): the marks and counts first
    list.addEventListener("change", function (event) {
      var row = event.target.closest("li.member"), code = row && row.dataset.member;
      if (!code) { return; }
      var given = marks[code] || (marks[code] = {mark: null, reason: ""});
      if (event.target.type === "radio") { given.mark = event.target.value; showReason(row, given.mark); showCounts(); }
    });
    list.addEventListener("input", function (event) {
      var row = event.target.closest("li.member");
      if (row && event.target.dataset.name === "reason") {
        (marks[row.dataset.member] || (marks[row.dataset.member] = {mark: null, reason: ""})).reason = event.target.value;
      }
    });
    document.getElementById("all-present").addEventListener("click", function () {
      roll.members.forEach(function (m) { marks[m.member_code] = {mark: "present", reason: ""}; });
      draw();
      form.dispatchEvent(new Event("change"));
    });
    field("unit_id").addEventListener("change", load);
    field("meeting_date").addEventListener("change", load);
    load();
  });
})();
