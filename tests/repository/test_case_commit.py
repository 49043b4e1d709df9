"""A case change is one update conditional on the version read: from one reading, exactly one
writer wins and the other gets 409 with nothing written, on every store backend."""
import datetime as dt

import pytest

from services.escalations import case_clock, case_life, cases, store
from services.escalations.policy import CasePolicy
from services.escalations.routing import RoutingRule
from shared.errors import Conflict
from shared.outbox import with_events

NOW = dt.datetime(2026, 11, 25, 2, 0, tzinfo=dt.timezone.utc)
POLICY = CasePolicy.from_dict({"deadlines": [{"topic": "*", "urgency": "*", "acknowledge": 3,
                                              "answer": 15}]})
RULE = RoutingRule("infra-th", "infrastructure", "vp.bx.th", "ubnd-th")
CONCERN = {"concern_id": "c1", "unit_id": "vp.bx.th.np", "unit_path": ["vp", "vp.bx.th.np"],
           "topic": "infrastructure", "urgency": "normal", "summary": "Đường hỏng",
           "raised_by": "resident", "raised_on": dt.date(2026, 11, 24)}


@pytest.fixture
def stored(database):
    case, event = cases.new_case(CONCERN, "e1", RULE, None, POLICY, NOW)
    database.cases.insert_one(with_events(case, [event]))
    return store.find_case(database, case["_id"])


def test_from_one_reading_one_writer_wins_and_the_other_gets_409(database, stored):
    acknowledge = case_life.apply_action(stored, "acknowledge", "officer-a", NOW, POLICY)
    redirect = case_life.apply_action(stored, "redirect", "officer-b", NOW, POLICY,
                                      authority_id="ubnd-bx", reason="cấp huyện")
    shown = store.commit(database, stored, acknowledge, actor="u-officer-a")
    with pytest.raises(Conflict) as late:
        store.commit(database, stored, redirect)
    assert "someone else acted on this case first" in late.value.message
    after = database.cases.find_one({"_id": stored["_id"]})
    assert (after["status"], after["authority_id"], after["version"]) == \
        ("acknowledged", "ubnd-th", 2)
    assert [line["action"] for line in after["timeline"]] == ["route", "acknowledge"]
    assert [e["event_type"] for e in after["outbox"]] == ["case_routed", "case_acknowledged"]
    assert after["outbox_pending"] is True
    assert after["outbox"][-1]["actor"] == "u-officer-a"
    # what the caller gets back is what was stored, the line just pushed included
    assert shown["timeline"] == after["timeline"] and shown["version"] == 2


def test_the_sweep_finds_due_cases_by_the_deadline_range(database, stored):
    due_at = stored["next_deadline_at"]
    database.cases.create_index([("next_deadline_at", 1)])
    assert list(database.cases.find({"next_deadline_at": {"$lte": due_at
                                                          - dt.timedelta(seconds=1)}})) == []
    [found] = database.cases.find({"next_deadline_at": {"$lte": due_at}})
    # the first look is the early warning at half the time allowed (issue 25)
    assert found["_id"] == stored["_id"] and case_clock.due(found, due_at) == "warn"
