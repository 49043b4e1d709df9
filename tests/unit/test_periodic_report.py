"""The periodic report's figures (services/assignments/reporting.py) against a month computed
by hand (docs/reports-periodic.md), and what the report keeps of each event
(services/assignments/reporting_events.py).

November 2026, the committee ``bx`` (members An, Bình, Dũng), three branches:

- Nội Phật (np): the 5th logged by Bình (18/20, marks 4-3-5) and later by Chi, no member
  (19/20, marks 5-4-4: the latest log counts); the 18th logged by An from before the report
  (no attendance, no marks).
- Nam Tiến (nt): the 10th logged by Chi alone (10/12, 3-3-3); a thematic meeting on the 20th
  logged by Dũng (12/12, 4-5-2).
- Lạc Sơn (ls): nothing logged.

By hand: 4 meetings held (np 5th, np 18th, nt 10th, nt 20th), 3 attended by members (not nt
10th); attendance 19+10+12 = 41 of 20+12+12 = 44, rate 0.932; marks over the 3 meetings with
marks: leadership (5+3+4)/3 = 4.0, education (4+3+5)/3 = 4.0, combativeness (4+3+2)/3 = 3.0.
Nội Phật: 2 held, 2 by members, 19/20 = 0.95, 5/4/4. Nam Tiến: 2 held, 1 by members, 22/24 =
0.917, 3.5/4.0/2.5. One level down, the commune Tam Hợp (Nội Phật, Nam Tiến) holds all 4.
Plan: np 5th (Bình, came), nt 10th (Dũng, did not), ls 15th (An, did not): 3 planned, 1
attended as planned, 2 planned not attended; attended without a plan: Dũng at nt 20th, An at
np 18th = 2.

Concerns raised in November, as things stood on the 30th: land: c1 answered the 12th, due the
20th (on time); c2 answered the 25th, due the 20th (late), reopened the 28th; c3 nothing yet.
Infrastructure: c4 answered on 2 December (after the period: not answered, unresolved); c5
withdrawn the 21st; c6 answered the 22nd, due the 30th (on time), closed unresolved the 26th.
Land: 3 raised, 1 on time, 1 late, 1 reopened, 2 unresolved (c2, c3). Infrastructure: 3
raised, 1 on time, 0 late, 0 reopened, 2 unresolved (c4, c6), 1 withdrawn."""
import datetime as dt

import pytest

from services.assignments import reporting, reporting_events
from shared.contracts import CASE_ANSWERED, VISIT_LOGGED
from shared.errors import RuleViolated

UTC = dt.timezone.utc


def visit(visit_id, unit_id, day, cadres, present=None, expected=None, marks=None,
          kind="regular", logged_at="2026-11-30T00:00:00+00:00"):
    return {"_id": visit_id, "unit_id": unit_id, "meeting_date": f"2026-11-{day:02d}",
            "meeting_kind": kind, "cadre_ids": list(cadres), "logged_at": logged_at,
            "attendance": {"present": present, "expected": expected} if expected else None,
            "assessment": dict(zip(reporting.AXES, marks)) if marks else None}


VISITS = [
    visit("v2", "np", 5, ["chi"], 19, 20, (5, 4, 4), logged_at="2026-11-06T01:00:00+00:00"),
    visit("v1", "np", 5, ["binh"], 18, 20, (4, 3, 5), logged_at="2026-11-05T09:00:00+00:00"),
    visit("v3", "nt", 10, ["chi"], 10, 12, (3, 3, 3)),
    visit("v4", "nt", 20, ["dung"], 12, 12, (4, 5, 2), kind="thematic"),
    visit("v5", "np", 18, ["an"]),
]
# Nội Phật and Nam Tiến are part of the commune Tam Hợp; Lạc Sơn sits right under bx
TAM_HOP = {"part_of": "th", "part_of_name": "Đảng bộ xã Tam Hợp"}
BRANCHES = [{"unit_id": "np", "name": "Chi bộ thôn Nội Phật", **TAM_HOP},
            {"unit_id": "nt", "name": "Chi bộ thôn Nam Tiến", **TAM_HOP},
            {"unit_id": "ls", "name": "Chi bộ thôn Lạc Sơn", "part_of": "ls",
             "part_of_name": "Chi bộ thôn Lạc Sơn"}]
PLANS = [{"unit_id": unit_id, "meeting_on": day, "cadre_id": cadre,
          "attendee_cadre_ids": [cadre]}
         for unit_id, day, cadre in (("np", "2026-11-05", "binh"), ("nt", "2026-11-10", "dung"),
                                     ("ls", "2026-11-15", "an"))]


def fact(kind, on, **more):
    return {"kind": kind, "on": on, "at": f"{on}T03:00:00+00:00", **more}


def concern(topic, raised_on, *facts):
    return {"topic": topic, "unit_path": ["vp", "bx", "th", "np"], "raised_on": raised_on,
            "facts": {f"e{i}": f for i, f in enumerate(facts)}}


CONCERNS = [
    concern("land", "2026-11-05", fact("answered", "2026-11-12", answer_by="2026-11-20")),
    concern("land", "2026-11-05", fact("reopened", "2026-11-28"),
            fact("answered", "2026-11-25", answer_by="2026-11-20")),
    concern("land", "2026-11-10"),
    concern("infrastructure", "2026-11-10",
            fact("answered", "2026-12-02", answer_by="2026-11-24")),
    concern("infrastructure", "2026-11-20", fact("withdrawn", "2026-11-21")),
    concern("infrastructure", "2026-11-20", fact("closed", "2026-11-26", outcome="unresolved"),
            fact("answered", "2026-11-22", answer_by="2026-11-30")),
    # a case's fact heard before its concern: not counted until the concern is
    {"facts": {"e9": fact("answered", "2026-11-12", answer_by="2026-11-20")}},
]


def month_figures():
    return reporting.figures(reporting.ReportPeriod.parse("2026-11"), BRANCHES, VISITS,
                             CONCERNS, PLANS, {"an", "binh", "dung"})


def test_the_months_meetings_as_computed_by_hand():
    totals = month_figures()["totals"]
    assert totals == {"meetings_held": 4, "meetings_attended_by_members": 3, "present": 41,
                      "expected": 44, "attendance_rate": 0.932, "leadership_average": 4.0,
                      "education_average": 4.0, "combativeness_average": 3.0}


def test_each_branch_and_the_plan_against_actual_as_computed_by_hand():
    found = month_figures()
    rows = {row["unit_id"]: row for row in found["branches"]}
    assert [row["unit_id"] for row in found["branches"]] == ["ls", "nt", "np"]  # by name
    assert rows["np"] == {"unit_id": "np", "name": "Chi bộ thôn Nội Phật", **TAM_HOP,
                          "meetings_held": 2,
                          "meetings_attended_by_members": 2, "present": 19, "expected": 20,
                          "attendance_rate": 0.95, "leadership_average": 5.0,
                          "education_average": 4.0, "combativeness_average": 4.0}
    assert (rows["nt"]["meetings_held"], rows["nt"]["meetings_attended_by_members"],
            rows["nt"]["attendance_rate"], rows["nt"]["leadership_average"],
            rows["nt"]["combativeness_average"]) == (2, 1, 0.917, 3.5, 2.5)
    assert (rows["ls"]["meetings_held"], rows["ls"]["attendance_rate"],
            rows["ls"]["education_average"]) == (0, None, None)
    # one level down: Tam Hợp's two branches hold every meeting of the month
    assert [(p["name"], p["branches"], p["meetings_held"]) for p in found["parts"]] == [
        ("Chi bộ thôn Lạc Sơn", 1, 0), ("Đảng bộ xã Tam Hợp", 2, 4)]
    assert {k: v for k, v in found["parts"][1].items()
            if k not in ("unit_id", "name", "branches")} == found["totals"]
    assert found["plan"] == {"planned": 3, "attended_as_planned": 1, "planned_not_attended": 2,
                             "attended_without_plan": 2}


def test_concerns_by_topic_and_outcome_at_the_periods_end():
    assert month_figures()["topics"] == [
        {"topic": "infrastructure", "raised": 3, "answered_on_time": 1, "answered_late": 0,
         "reopened": 0, "unresolved": 2, "withdrawn": 1},
        {"topic": "land", "raised": 3, "answered_on_time": 1, "answered_late": 1,
         "reopened": 1, "unresolved": 2, "withdrawn": 0},
    ]
    # a month later c4's answer (due the 24th, given 2 December) is late and settles it
    assert reporting.concern_outcome(CONCERNS[3], "2026-12-31") == {
        "answered": "late", "reopened": False, "settled": "resolved"}


@pytest.mark.parametrize("text, first, last", [
    ("2026-02", "2026-02-01", "2026-02-28"), ("2026-Q4", "2026-10-01", "2026-12-31"),
    ("2026", "2026-01-01", "2026-12-31")])
def test_a_month_a_quarter_or_a_year(text, first, last):
    period = reporting.ReportPeriod.parse(text)
    assert (str(period), period.first_day.isoformat(), period.last_day.isoformat()) == (
        text, first, last)


@pytest.mark.parametrize("text", ["2026-13", "2026-Q5", "26-01", "", "2026-1", "1999"])
def test_anything_else_is_refused_by_name(text):
    with pytest.raises(RuleViolated) as refused:
        reporting.ReportPeriod.parse(text)
    assert refused.value.reasons["period"][0]["code"] == "report_period_invalid"


def test_an_answer_is_dated_by_its_day_in_vietnam():
    # 17:30 UTC on the 20th is already the 21st in Vietnam: a day after it was due
    envelope = CASE_ANSWERED.schema.load(CASE_ANSWERED.schema.dump({
        "case_id": "k1", "concern_id": "c1", "authority_id": "ubnd", "answer": "Đã trả lời",
        "answered_at": dt.datetime(2026, 11, 20, 17, 30, tzinfo=UTC),
        "answer_by": dt.date(2026, 11, 20)}))
    concern_id, answered = reporting_events.case_fact(
        "case_answered", envelope, dt.datetime(2026, 11, 20, 17, 31, tzinfo=UTC))
    assert (concern_id, answered["on"], answered["answer_by"]) == ("c1", "2026-11-21",
                                                                   "2026-11-20")
    assert reporting.concern_outcome({"facts": {"e": answered}}, "2026-11-30")[
        "answered"] == "late"


def test_a_visit_from_before_the_report_keeps_what_it_has():
    payload = VISIT_LOGGED.schema.load({
        "visit_id": "v9", "unit_id": "np", "cadre_id": "an", "meeting_date": "2026-11-18",
        "meeting_kind": "regular", "concern_ids": []})
    kept = reporting_events.visit_version("visit_logged", payload,
                                          dt.datetime(2026, 11, 18, 3, tzinfo=UTC))
    assert kept == {"_id": "v9", "unit_id": "np", "meeting_date": "2026-11-18",
                    "cadre_ids": ["an"], "version": 1, "meeting_kind": "regular",
                    "logged_at": "2026-11-18T03:00:00+00:00"}


def test_a_quarter_counts_its_months_apart():
    quarter = reporting.figures(reporting.ReportPeriod.parse("2026-Q4"), BRANCHES, VISITS,
                                CONCERNS, PLANS, {"an", "binh", "dung"})
    assert [(m["month"], m["meetings_held"], m["present"], m["attendance_rate"])
            for m in quarter["months"]] == [("2026-10-01", 0, 0, None),
                                             ("2026-11-01", 4, 41, 0.932),
                                             ("2026-12-01", 0, 0, None)]
    # c4's answer of 2 December counts at the quarter's end: late, and settling it
    land, infrastructure = quarter["topics"][1], quarter["topics"][0]
    assert (infrastructure["answered_late"], infrastructure["unresolved"]) == (1, 1)
    assert land == month_figures()["topics"][1]
    assert [m["month"] for m in month_figures()["months"]] == ["2026-11-01"]
