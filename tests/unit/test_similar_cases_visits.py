"""Similar open cases in visits (issue 25), on an in-process store (mongomock): an attachment to
a case is refused by name when the visit is logged (unknown, another topic, another commune, no
longer open) from visits' own view of the cases; once joined, the case's life and its answer
reach every branch that raised it (the brief's view of each concern)."""
import datetime as dt

import pytest

from services.visits import joins, logbook, reactions, store
from shared import contracts
from shared.contracts.envelope import parse_event
from shared.errors import NotFound, RuleViolated
from tests.stores import MONGOMOCK_URI, open_store

UTC = dt.timezone.utc
NOI_PHAT = ["vp", "vp.bx", "vp.bx.th", "vp.bx.th.np"]
YEN_LAN = ["vp", "vp.bx", "vp.bx.th", "vp.bx.th.yl"]
HUONG_CANH = ["vp", "vp.bx", "vp.bx.hc", "vp.bx.hc.tdp1"]


@pytest.fixture
def db():
    client, database = open_store(MONGOMOCK_URI, "visits_similar")
    for path in (NOI_PHAT, YEN_LAN, HUONG_CANH):
        store.record_unit(database, path[-1], {"name": path[-1], "level": "branch",
                                               "parent_id": path[-2], "path": path})
    for visit_id, concern_id, path in (("v1", "c1", NOI_PHAT), ("v2", "c2", YEN_LAN)):
        visit = {"_id": visit_id, "unit_id": path[-1], "meeting_date": "2026-12-05",
                 "concerns": [{"concern_id": concern_id, "topic": "infrastructure",
                               "summary": "Đường liên thôn xuống cấp"}]}
        database.visits.insert_one(visit)
        store.ensure_concern_views(database, visit)
    yield database
    client.close()


def case_event(event_type, at, **payload):
    return parse_event(event_type.new({"case_id": "k1", "concern_id": "c1",
                                       "authority_id": "ubnd-th", **payload}, occurred_at=at))


def routed(db, at=dt.datetime(2026, 12, 5, 3, tzinfo=UTC)):
    reactions.record_case_event(db, case_event(
        contracts.CASE_ROUTED, at, rule_id="r1", acknowledge_by=dt.date(2026, 12, 8)))


def concern(topic="infrastructure", joins_case_id="k1"):
    return {"topic": topic, "summary": "Đường xuống cấp", "joins_case_id": joins_case_id}


def test_an_attachment_is_refused_by_name_when_the_visit_is_logged(db):
    with pytest.raises(NotFound) as unknown:  # no case yet: visits knows none by that id
        joins.check_joins(db, [concern()], YEN_LAN, "concerns")
    assert unknown.value.reasons == {"concerns.0.joins_case_id": [{"code": "case_not_found"}]}
    routed(db)
    joins.check_joins(db, [concern(joins_case_id=None), concern()], YEN_LAN, "concerns")
    with pytest.raises(RuleViolated) as topic:
        joins.check_joins(db, [concern(), concern(topic="land")], YEN_LAN, "concerns")
    assert topic.value.reasons == {"concerns.1.joins_case_id": [{"code": "case_other_topic"}]}
    with pytest.raises(RuleViolated) as commune:
        joins.check_joins(db, [concern()], HUONG_CANH, "concerns")
    assert commune.value.reasons == {
        "concerns.0.joins_case_id": [{"code": "case_other_commune"}]}
    reactions.record_case_event(db, case_event(
        contracts.CASE_CLOSED, dt.datetime(2026, 12, 6, tzinfo=UTC), outcome="resolved",
        note="Đã sửa"))
    with pytest.raises(RuleViolated) as closed:
        joins.check_joins(db, [concern()], YEN_LAN, "concerns")
    assert closed.value.reasons == {"concerns.0.joins_case_id": [{"code": "case_not_open"}]}


def test_the_case_and_its_answer_reach_every_branch_that_raised_it(db):
    routed(db)
    reactions.record_case_event(db, case_event(
        contracts.CASE_JOINED, dt.datetime(2026, 12, 5, 4, tzinfo=UTC), concern_id="c2",
        unit_id=YEN_LAN[-1], status="routed", due_on=dt.date(2026, 12, 8), branch_count=2))
    views = {v["_id"]: v for v in db.concern_cases.find()}
    assert (views["c2"]["case_id"], views["c2"]["status"], views["c2"]["due_on"]) == (
        "k1", "routed", "2026-12-08")
    assert views["c1"]["branch_count"] == views["c2"]["branch_count"] == 2

    answered = case_event(contracts.CASE_ANSWERED, dt.datetime(2026, 12, 9, tzinfo=UTC),
                          answer="Đã sửa đường", answered_at=dt.datetime(2026, 12, 9, tzinfo=UTC))
    reactions.record_case_event(db, answered)
    reactions.record_answer(db, answered)
    for concern_id in ("c1", "c2"):
        view = db.concern_cases.find_one({"_id": concern_id})
        assert (view["status"], view["answer"], view["to_read_out"]) == (
            "answered", "Đã sửa đường", True)
        assert store.find_answer(db, concern_id)["answer"] == "Đã sửa đường"
    # each branch's members judge the answer read out at their own meeting
    for path, concern_id in ((NOI_PHAT, "c1"), (YEN_LAN, "c2")):
        [review] = logbook.reviews(db, [{"case_id": "k1", "satisfied": True, "comment": ""}],
                                   path[-1])
        assert review["concern_id"] == concern_id
