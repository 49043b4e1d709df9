"""Plain logic of the meeting pages (issue 28): which period a page shows, the committee's plan
as rows a person reads (each meeting, who is planned or who may be, plan against actual per
cadre), the planning form and the secretary's schedule form read as the API's bodies.

No nameko, no store: the handlers (``meeting_pages``) call the RPCs and hand their answers
here. Example::

    rows = plan_rows(committee_plan, candidates, names)
    # [{"unit_id": "np", "name": "Chi bộ thôn Nội Phật", "meetings": [{"day": ..., "entry":
    #   None, "choices": [("cadre:binh", "Trần Thị Bình")]}], "refused": None}]
"""
import datetime as dt
import re

from shared.reasons import reason

# the attendee choice travels as "<kind>:<id>": one field, one refusal beside it
CADRE, GROUP = "cadre", "group"
_PERIOD = re.compile(r"^\d{4}-(0[1-9]|1[0-2]|Q[1-4])$")
# thematic meetings typed one a line: "2026-12-20 Học tập Nghị quyết"
_THEMATIC = re.compile(r"^\s*(\d{4}-\d{2}-\d{2})\s+(.+?)\s*$")
# how far ahead the cadre's page lists planned meetings (this month and the next two)
MONTHS_AHEAD = 3


def month_of(day):
    return f"{day.year}-{day.month:02d}"


def period_asked(asked, today):
    """The month or quarter a page shows: the one asked (the API refuses a bad one beside
    ``period``), else today's month."""
    return asked if asked else month_of(today)


def neighbours(period):
    """The periods before and after ``period`` (a month's months, a quarter's quarters)."""
    year, part = period.split("-")
    year = int(year)
    if part.startswith("Q"):
        quarter = int(part[1:])
        before = (year, quarter - 1) if quarter > 1 else (year - 1, 4)
        after = (year, quarter + 1) if quarter < 4 else (year + 1, 1)
        return f"{before[0]}-Q{before[1]}", f"{after[0]}-Q{after[1]}"
    month = int(part)
    before = (year, month - 1) if month > 1 else (year - 1, 12)
    after = (year, month + 1) if month < 12 else (year + 1, 1)
    return f"{before[0]}-{before[1]:02d}", f"{after[0]}-{after[1]:02d}"


def switched(period):
    """The same time seen the other way: a month's quarter, a quarter's first month."""
    year, part = period.split("-")
    if part.startswith("Q"):
        return f"{year}-{3 * int(part[1:]) - 2:02d}"
    return f"{year}-Q{(int(part) + 2) // 3}"


def months_ahead(today, count=MONTHS_AHEAD):
    found, day = [], today.replace(day=1)
    for _ in range(count):
        found.append(month_of(day))
        day = (day + dt.timedelta(days=32)).replace(day=1)
    return found


def holds_on(record, day):
    return record["starts_on"] <= day and (record.get("ends_on") is None
                                           or day <= record["ends_on"])


def candidates(assignments, members, groups, committee_id, unit_id, day):
    """Who may attend ``unit_id``'s meeting on ``day`` for the committee: its members
    assigned to that branch that day, and the working groups it formed attending it then,
    as ``[(choice, kind, id)]``."""
    found = [(f"{CADRE}:{a['cadre_id']}", CADRE, a["cadre_id"]) for a in assignments
             if a["cadre_id"] in members and holds_on(a, day)]
    found += [(f"{GROUP}:{g['working_group_id']}", GROUP, g["working_group_id"]) for g in groups
              if g["formed_by_unit_id"] == committee_id and unit_id in g["unit_ids"]
              and holds_on(g, day)]
    return sorted(dict.fromkeys(found))


def plan_rows(plan, choices, names):
    """The committee's branches, each meeting with its plan entry (or the choices the form
    offers: ``choices[(unit_id, day)]``), the names read once by the handler."""
    planned = {(entry["unit_id"], entry["meeting_on"]): entry for entry in plan["plan"]}
    rows = []
    for branch in plan["branches"]:
        meetings = []
        for meeting in branch["meetings"]:
            key = (branch["unit_id"], meeting["day"])
            entry = planned.get(key)
            meetings.append({**meeting, "entry": entry, "who": who_of(entry, names),
                             "choices": [(choice, names.get(ident, ident))
                                         for choice, _, ident in choices.get(key, ())]})
        rows.append({"unit_id": branch["unit_id"], "name": branch["name"],
                     "refused": branch["refused"], "meetings": meetings})
    return rows


def who_of(entry, names):
    """Who an entry sends, named: the cadre, or the working group."""
    if entry is None:
        return None
    ident = entry.get("cadre_id") or entry.get("working_group_id")
    return names.get(ident, ident)


def comparison_rows(comparison, names):
    """Plan against actual per cadre, by name: ``[(name, figures)]``."""
    return sorted(((names.get(cadre_id, cadre_id), figures)
                   for cadre_id, figures in comparison["per_cadre"].items()),
                  key=lambda row: row[0])


def plan_entry_of(form, committee_id):
    """The planning form's row as ``plan_attendance``'s body, or the refusal beside its
    field: ``(body, errors)``."""
    kind, _, ident = (form.get("attendee") or "").partition(":")
    if kind not in (CADRE, GROUP) or not ident:
        return None, {"attendee": [reason("required", "choose who attends")]}
    return {"committee_unit_id": committee_id, "unit_id": form.get("unit_id") or "",
            "meeting_on": form.get("meeting_on") or "",
            "cadre_id": ident if kind == CADRE else None,
            "working_group_id": ident if kind == GROUP else None}, {}


def upcoming(meetings, today):
    """The planned meetings from today on, soonest first (one each)."""
    kept = {(m["unit_id"], m["meeting_on"]): m for m in meetings
            if m["meeting_on"] >= today.isoformat()}
    return [kept[key] for key in sorted(kept, key=lambda key: (key[1], key[0]))]


# --- the secretary's schedule form --------------------------------------------------------------

def schedule_values(schedule):
    """The form's fields as the schedule stands (``meeting_schedule.<name>``)."""
    schedule = schedule or {}
    values = {f"meeting_schedule.{name}": "" if schedule.get(name) is None
              else str(schedule[name])
              for name in ("frequency", "day_of_month", "on_day_off", "month_of_quarter",
                           "starts_at", "note")}
    values["meeting_schedule.thematic"] = "\n".join(
        f"{extra['on']} {extra.get('topic') or ''}".strip()
        for extra in schedule.get("thematic") or ())
    return values


def schedule_of(form):
    """The schedule typed, as ``change_meeting_schedule``'s ``meeting_schedule``; a number
    that is not one is sent as typed (the registry refuses it beside its field), a thematic
    line that is not "day topic" is refused here: ``(schedule, errors)``."""
    def given(name):
        return (form.get(f"meeting_schedule.{name}") or "").strip()

    schedule = {"frequency": given("frequency"), "day_of_month": _number(given("day_of_month")),
                "note": given("note") or None}
    for name in ("on_day_off", "starts_at"):
        if given(name):
            schedule[name] = given(name)
    if given("month_of_quarter"):
        schedule["month_of_quarter"] = _number(given("month_of_quarter"))
    lines = [line for line in given("thematic").splitlines() if line.strip()]
    thematic = []
    for line in lines:
        found = _THEMATIC.match(line)
        if not found:
            return None, {"meeting_schedule.thematic": [reason(
                "thematic_line", "one meeting a line: its day (YYYY-MM-DD) and its topic",
                line=line.strip())]}
        thematic.append({"on": found.group(1), "topic": found.group(2)})
    if thematic:
        schedule["thematic"] = thematic
    return schedule, {}


def _number(text):
    return int(text) if text.isdigit() else text


def change_lines(change):
    """What one recorded change changed: ``[(field, before, after)]`` of the fields that
    differ (a thematic list shown as its days)."""
    before, after = change.get("before") or {}, change.get("after") or {}
    lines = []
    for name in sorted(set(before) | set(after)):
        old, new = _shown(before.get(name)), _shown(after.get(name))
        if old != new:
            lines.append((name, old, new))
    return lines


def _shown(value):
    if isinstance(value, list):
        return ", ".join(f"{item.get('on')} {item.get('topic') or ''}".strip() for item in value)
    return "" if value is None else str(value)
