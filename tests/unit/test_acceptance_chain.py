"""The duty roster wired into a case's life (issue 25), under a fixed clock: the officer on duty
receives a new case; nobody accepting in time hands it to the deputy, then the head, inside
the authority, and only then does the sweep escalate it one level up; early warnings at half
and three quarters of the time allowed, each once per deadline. The sweep runs on an
in-process store (mongomock), twice over where a crash or another instance could repeat it."""
import datetime as dt
from types import SimpleNamespace

import pytest

from services.escalations import (
    acceptance_chain,
    acting,
    case_clock,
    duty_roster,
    queries,
    store,
)
from services.escalations.policy import CasePolicy
from shared import contracts
from shared.authorisation import Principal
from shared.clock import VIETNAM
from shared.contracts.rpc.cases import InboxQuery
from tests.stores import MONGOMOCK_URI, open_store

POLICY = CasePolicy.from_dict({
    "deadlines": [{"topic": "*", "urgency": "*", "acknowledge": 3, "answer": 15}],
    "reminder_before_hours": 24})
CALENDAR = POLICY.calendar
MONDAY = dt.date(2026, 10, 5)
ROSTER = duty_roster.Roster(("an", "binh"), "dung", "giang", MONDAY)
NAMES = {"an": "Lê Văn An", "binh": "Trần Thị Bình", "dung": "Phạm Dũng",
         "giang": "Hồ Giang"}
COMMUNE, DISTRICT = "ubnd-xa-tam-hop", "ubnd-huyen-binh-xuyen"


def vn(*args):
    return dt.datetime(*args, tzinfo=VIETNAM)


RECEIVED = vn(2026, 10, 5, 9, 0)       # Monday morning; acknowledge by Thursday 8 October
ACKNOWLEDGE_PASSES = vn(2026, 10, 9, 0, 0)


def new_case(received=RECEIVED, **overrides):
    case = {"_id": "k1", "version": 1, "concern_id": "c1", "status": "routed",
            "authority_id": COMMUNE, "unit_id": "vp.bx.th.np", "topic": "infrastructure",
            "urgency": "normal",
            "received_at": received, "routed_at": received, "acknowledged_at": None,
            "acknowledge_by": "2026-10-08", "answer_by": "2026-10-26", "reminded": [],
            "escalated_past": [], "assignee_user_id": None, "standing_committee_flagged": False,
            "timeline": [{"at": received, "action": "route"}], **overrides}
    return {**case, **case_clock.schedule(case, POLICY)}


# --- on routing: the officer on duty ---------------------------------------------------------

def test_the_officer_on_duty_that_day_is_given_a_routed_case():
    first = contracts.CASE_ROUTED.new({"case_id": "k1", "concern_id": "c1",
                                       "authority_id": COMMUNE, "rule_id": "r1",
                                       "acknowledge_by": dt.date(2026, 10, 8)})
    tuesday = vn(2026, 10, 6, 9, 0)
    case, events = acceptance_chain.on_routing(new_case(tuesday), first, ROSTER, CALENDAR,
                                               tuesday, NAMES)
    assert case["assignee_user_id"] == "binh" and case["status"] == "routed"
    assert [e["event_type"] for e in events] == ["case_routed", "case_assigned"]
    assert events[1]["payload"]["rung"] == "receiving"
    line = case["timeline"][-1]
    assert (line["action"], line["assignee_name"], line["because"]) == (
        "assign", "Trần Thị Bình", {"code": "on_duty"})
    # no roster, or a case in triage: nothing changes
    assert acceptance_chain.on_routing(new_case(), first, None, CALENDAR, RECEIVED, NAMES)[1] \
        == [first]


# --- the chain inside the authority ----------------------------------------------------------

def test_nobody_accepting_hands_the_case_to_the_deputy_then_the_head_then_up():
    case = new_case()
    friday = vn(2026, 10, 9, 8, 0)
    deputy = acceptance_chain.hand_over(case, ROSTER, CALENDAR, friday, NAMES)
    assert deputy.changes["assignee_user_id"] == "dung" and deputy.state == "routed"
    assert deputy.event[1]["rung"] == "deputy"
    assert deputy.entry["because"] == {"code": "not_accepted_deputy", "due_on": "2026-10-08"}
    # four office hours: 08:00-11:30, then 13:00-13:30
    assert deputy.changes["next_deadline_at"] == vn(2026, 10, 9, 13, 30)
    case = {**case, **deputy.changes}
    head = acceptance_chain.hand_over(case, ROSTER, CALENDAR, vn(2026, 10, 9, 13, 30), NAMES)
    assert (head.changes["assignee_user_id"], head.event[1]["rung"]) == ("giang", "head")
    assert head.changes["next_deadline_at"] == vn(2026, 10, 12, 8, 0)   # over the weekend
    case = {**case, **head.changes}
    assert acceptance_chain.hand_over(case, ROSTER, CALENDAR, vn(2026, 10, 12, 8), NAMES) \
        is None


def test_a_deputy_on_leave_is_passed_over_and_an_accepted_case_is_not_handed_on():
    away = duty_roster.Roster(("an",), "dung", "giang", MONDAY,
                              (duty_roster.Leave("dung", dt.date(2026, 10, 9),
                                                 dt.date(2026, 10, 9)),))
    handed = acceptance_chain.hand_over(new_case(), away, CALENDAR, vn(2026, 10, 9, 8), NAMES)
    assert handed.event[1]["rung"] == "head"
    accepted = new_case(status="acknowledged", acknowledged_at=RECEIVED)
    assert acceptance_chain.hand_over(accepted, ROSTER, CALENDAR, vn(2026, 10, 9, 8),
                                      NAMES) is None


# --- early warnings --------------------------------------------------------------------------

def test_the_sweep_looks_at_half_and_three_quarters_of_the_office_time_allowed():
    case = new_case()
    # 30.5 office hours from Monday 09:00 to the end of Thursday: half on Wednesday 08:15
    assert (case["next_deadline_at"], case["next_deadline_kind"]) == (
        vn(2026, 10, 7, 8, 15), "acknowledge_warning")
    assert case["at_risk_from"] == vn(2026, 10, 7, 8, 15)
    half = case_clock.note_warning(case, vn(2026, 10, 7, 8, 15), POLICY, "giang")
    assert (half.event[1]["share"], half.event[1]["head_user_id"]) == (0.5, None)
    assert half.entry["because"]["percent"] == 50
    case = {**case, **half.changes}
    assert (case["next_deadline_at"], case["next_deadline_kind"]) == (
        vn(2026, 10, 8, 0, 0), "acknowledge_reminder")
    case = {**case, **case_clock.note_deadline_near(case, vn(2026, 10, 8), POLICY).changes}
    three = case_clock.note_warning(case, vn(2026, 10, 8, 7, 52, 30), POLICY, "giang")
    assert (three.event[1]["share"], three.event[1]["head_user_id"]) == (0.75, "giang")
    case = {**case, **three.changes}
    # each once: the deadline itself is all that is left
    assert (case["next_deadline_at"], case["next_deadline_kind"]) == (
        ACKNOWLEDGE_PASSES, "acknowledge_deadline")
    assert case_clock.due(case, ACKNOWLEDGE_PASSES) == "escalate"


# --- the sweep, on a store -------------------------------------------------------------------

@pytest.fixture
def db():
    client, database = open_store(MONGOMOCK_URI, "test_acceptance_chain")
    database.authorities.insert_many([{"_id": COMMUNE, "name": "UBND xã Tam Hợp",
                                       "parent_authority_id": DISTRICT},
                                      {"_id": DISTRICT, "name": "UBND huyện Bình Xuyên"}])
    database.officers.insert_many([{"_id": user_id, "display_name": name,
                                    "role": "authority_officer", "authority_id": COMMUNE,
                                    "enabled": True} for user_id, name in NAMES.items()])
    database.rosters.insert_one({"_id": COMMUNE, "rotation": ["an", "binh"],
                                 "deputy_id": "dung", "head_id": "giang",
                                 "starts_on": "2026-10-05", "leave": []})
    yield database
    client.close()


def sweep_at(db, moment, times=2):
    """The sweep at ``moment``, run ``times`` (a second instance, or the same after a crash)."""
    rules = SimpleNamespace(policy=POLICY, clock=SimpleNamespace(now=lambda: moment))
    return [acting.sweep_deadlines(db, rules) for _ in range(times)]


# a case whose warnings and reminder were given: the acknowledge deadline is its next look
WARNED = {"warned": ["acknowledge:2026-10-08:0.5", "acknowledge:2026-10-08:0.75"],
          "reminded": ["acknowledge:2026-10-08"]}


def test_the_sweep_climbs_the_chain_once_per_step_then_escalates(db):
    store.open_case(db, new_case(assignee_user_id="an", **WARNED))
    first, again = sweep_at(db, vn(2026, 10, 9, 8, 0))
    assert (first["hand_over"], again["hand_over"]) == (1, 0)
    sweep_at(db, vn(2026, 10, 9, 13, 30))
    first, again = sweep_at(db, vn(2026, 10, 12, 8, 0))
    assert (first["escalate"], again["escalate"]) == (1, 0)
    case = db.cases.find_one({"_id": "k1"})
    assigned = [(line["action"], line.get("assignee_user_id")) for line in case["timeline"]]
    assert assigned[1:] == [("assign", "dung"), ("assign", "giang"), ("escalate", None)]
    assert (case["authority_id"], case["assignee_user_id"]) == (DISTRICT, None)
    told = [(e["event_type"], e["payload"].get("rung")) for e in case["outbox"]]
    assert told == [("case_assigned", "deputy"), ("case_assigned", "head"),
                    ("case_escalated", None)]


def test_without_a_roster_the_sweep_escalates_as_before(db):
    db.rosters.delete_many({})
    store.open_case(db, new_case(**WARNED))
    [done] = sweep_at(db, vn(2026, 10, 9, 8, 0), times=1)
    assert done["escalate"] == 1
    assert db.cases.find_one({"_id": "k1"})["authority_id"] == DISTRICT


def test_the_head_warning_goes_to_the_rosters_head_once(db):
    store.open_case(db, new_case())
    sweep_at(db, vn(2026, 10, 7, 8, 15))
    sweep_at(db, vn(2026, 10, 8, 0, 0))
    first, again = sweep_at(db, vn(2026, 10, 8, 7, 53))
    assert (first["warn"], again["warn"]) == (1, 0)
    events = [e["payload"] for e in db.cases.find_one({"_id": "k1"})["outbox"]]
    assert [(e.get("share"), e.get("head_user_id")) for e in events] == [
        (0.5, None), (None, None), (0.75, "giang")]


# --- the inbox's "sắp quá hạn" ---------------------------------------------------------------

def test_the_at_risk_view_lists_cases_past_half_their_time_and_not_yet_overdue(db):
    for case_id, received, due in (("half-gone", RECEIVED, "2026-10-08"),
                                   ("fresh", vn(2026, 10, 7, 8, 0), "2026-10-12"),
                                   ("overdue", vn(2026, 9, 28, 9, 0), "2026-10-01")):
        store.open_case(db, new_case(received, _id=case_id, concern_id=case_id,
                                     acknowledge_by=due))
    head = Principal("giang", "authority_officer", authority_id=COMMUNE, authority_head=True)
    query = InboxQuery().load({"authority_id": COMMUNE, "due": "at_risk"})
    listed = queries.inbox(db, query, head, vn(2026, 10, 7, 9, 0), CALENDAR)
    assert [case["_id"] for case in listed["cases"]] == ["half-gone"]
    everything = queries.inbox(db, InboxQuery().load({"authority_id": COMMUNE}), head,
                               vn(2026, 10, 7, 9, 0), CALENDAR)
    assert len(everything["cases"]) == 3
