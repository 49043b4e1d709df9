"""The periodic report a committee files upward (issue 28): pure rules over its read model,
defined figure by figure in docs/reports-periodic.md so each can be computed by hand.

Inputs are what the assignments service keeps from events (never a call to another service):
the visits logged at the committee's branches (``meetings_attended``, from ``visit_logged`` and
``visit_amended``), the concerns raised there with what became of their cases
(``report_concerns``, from ``concern_raised``, ``concern_withdrawn``, ``case_answered``,
``case_reopened``, ``case_closed``) and the committee's attendance plan. Example::

    figures(ReportPeriod.parse("2026-11"), branches, visits, concerns, plans, members)
    # {"totals": {"meetings_held": 3, ...}, "branches": [...], "topics": [...], "plan": {...}}
"""
import re
from collections import defaultdict

from services.assignments import attendance, meetings
from shared.errors import RuleViolated
from shared.reasons import reason

AXES = ("leadership", "education", "combativeness")
_PERIOD = re.compile(r"^(\d{4})(?:-(0[1-9]|1[0-2])|-Q([1-4]))?$")
OUTCOMES = ("answered_on_time", "answered_late", "reopened", "unresolved", "withdrawn")


class ReportPeriod(meetings.Period):
    """A month (``2026-02``), a quarter (``2026-Q1``) or a year (``2026``: 12 months)."""

    @classmethod
    def parse(cls, text):
        found = _PERIOD.match(text or "")
        if not found or not 2000 <= int(found.group(1)) <= 2100:
            raise RuleViolated("not a month, a quarter or a year", {"period": [reason(
                "report_period_invalid",
                "must be a month (2026-02), a quarter (2026-Q1) or a year (2026)")]})
        year, month, quarter = found.groups()
        if month:
            return cls(int(year), int(month), 1)
        if quarter:
            return cls(int(year), 3 * int(quarter) - 2, 3)
        return cls(int(year), 1, 12)

    def __str__(self):
        return str(self.year) if self.months == 12 else super().__str__()


def meetings_held(visits):
    """One meeting per branch, day and kind however many cadres logged it; its attendance and
    marks are the latest log's (the read model keeps each visit's latest version)."""
    held = {}
    for visit in sorted(visits, key=lambda v: (v.get("logged_at") or "", v["_id"])):
        key = (visit["unit_id"], visit["meeting_date"], visit.get("meeting_kind") or "regular")
        cadres = held.get(key, {}).get("cadre_ids", set()) | set(visit["cadre_ids"])
        held[key] = {**visit, "cadre_ids": cadres}
    return held


def _meeting_figures(meetings, members):
    counted = [m for m in meetings if m.get("attendance")]
    present = sum(m["attendance"]["present"] for m in counted)
    expected = sum(m["attendance"]["expected"] for m in counted)
    marked = [m["assessment"] for m in meetings if m.get("assessment")]
    return {
        "meetings_held": len(meetings),
        "meetings_attended_by_members": sum(1 for m in meetings if m["cadre_ids"] & members),
        "present": present, "expected": expected,
        "attendance_rate": round(present / expected, 3) if expected else None,
        **{f"{axis}_average": round(sum(marks[axis] for marks in marked) / len(marked), 2)
           if marked else None for axis in AXES},
    }


def concern_outcome(concern, last_day):
    """What became of a concern by the end of ``last_day`` (ISO), from its case's facts:
    ``answered``: None, ``on_time`` or ``late`` (its first answer against the day it was due);
    ``reopened``: reopened at least once; ``settled``: ``withdrawn``, ``resolved`` (closed as
    resolved, or answered and not reopened since) or ``unresolved``."""
    facts = sorted((f for f in (concern.get("facts") or {}).values() if f["on"] <= last_day),
                   key=lambda f: (f["on"], f.get("at") or ""))
    answers = [f for f in facts if f["kind"] == "answered"]
    answered = None
    if answers and answers[0].get("answer_by"):
        answered = "on_time" if answers[0]["on"] <= answers[0]["answer_by"] else "late"
    settled = "unresolved"
    for fact in facts:
        if fact["kind"] == "withdrawn":
            settled = "withdrawn"
            break
        if fact["kind"] == "answered" or (fact["kind"] == "closed"
                                          and fact.get("outcome") == "resolved"):
            settled = "resolved"
        elif fact["kind"] in ("reopened", "closed"):
            settled = "unresolved"
    return {"answered": answered, "reopened": any(f["kind"] == "reopened" for f in facts),
            "settled": settled}


def topics(concerns, last_day):
    """Per topic: concerns raised and the outcome counts (docs/reports-periodic.md)."""
    rows = defaultdict(lambda: {"raised": 0, **{outcome: 0 for outcome in OUTCOMES}})
    for concern in concerns:
        if not concern.get("topic"):
            continue  # a case's facts heard before its concern: counted once it is
        row, found = rows[concern["topic"]], concern_outcome(concern, last_day)
        row["raised"] += 1
        if found["answered"]:
            row[f"answered_{found['answered']}"] += 1
        row["reopened"] += found["reopened"]
        if found["settled"] in ("unresolved", "withdrawn"):
            row[found["settled"]] += 1
    return [{"topic": topic, **rows[topic]} for topic in sorted(rows)]


def parts(branches, per_branch, members):
    """One level down: per unit right under the committee (a district's communes), the
    meetings of its branches; a branch directly under the committee is a part of its own."""
    grouped = defaultdict(list)
    for branch in branches:
        grouped[(branch.get("part_of_name") or branch["name"],
                 branch.get("part_of") or branch["unit_id"])].append(branch["unit_id"])
    return [{"unit_id": unit_id, "name": name, "branches": len(ids),
             **_meeting_figures([m for i in ids for m in per_branch[i]], members)}
            for (name, unit_id), ids in sorted(grouped.items())]


def figures(period, branches, visits, concerns, plans, members):
    """The report's figures for ``period``: ``branches`` ({unit_id, name}) under the
    committee, the ``visits`` logged there that period, the ``concerns`` raised there that
    period, the committee's ``plans`` and its ``members`` (cadre ids)."""
    members = set(members)
    held = meetings_held(visits)
    per_branch, per_month = defaultdict(list), defaultdict(list)
    for (unit_id, day, _), meeting in held.items():
        per_branch[unit_id].append(meeting)
        per_month[day[:7]].append(meeting)
    compared = attendance.compare(plans, visits, members)
    return {
        "period": str(period), "first_day": period.first_day.isoformat(),
        "last_day": period.last_day.isoformat(),
        "totals": _meeting_figures(list(held.values()), members),
        "branches": [{"unit_id": b["unit_id"], "name": b["name"],
                      "part_of": b.get("part_of"), "part_of_name": b.get("part_of_name"),
                      **_meeting_figures(per_branch[b["unit_id"]], members)}
                     for b in sorted(branches, key=lambda b: (b["name"], b["unit_id"]))],
        "parts": parts(branches, per_branch, members),
        # a quarter's or a year's meetings month by month (one row for a month's report)
        "months": [{"month": start.isoformat(),
                    **_meeting_figures(per_month[start.isoformat()[:7]], members)}
                   for start in period.month_starts()],
        "plan": {"planned": compared["planned"],
                 "attended_as_planned": compared["attended_as_planned"],
                 "planned_not_attended": len(compared["planned_not_attended"]),
                 "attended_without_plan": len(compared["attended_without_plan"])},
        "topics": topics(concerns, period.last_day.isoformat()),
    }
