"""Similar open cases (issue 25): which cases a concern may join (the pure rule), and escalations
joining it on an in-process store (mongomock) under a fixed clock: one more raising of the
open case, once however often ``concern_raised`` arrives; a case closed meanwhile makes the
concern open its own, saying why; the joined branch's cadre reads the case, its withdrawal
leaves it to the others; the commune given to cases from before."""
import datetime as dt
from types import SimpleNamespace

import pytest

from services.escalations import following, joining, queries, reactions, store, upkeep
from services.escalations.policy import CasePolicy
from services.escalations.service import EscalationsService
from shared import contracts, receipts, similar_cases
from shared.authorisation import Principal
from shared.contracts.envelope import parse_event
from shared.errors import Forbidden, InvalidInput, NotFound, RuleViolated
from tests.stores import MONGOMOCK_URI, open_store

POLICY = CasePolicy.from_dict({
    "deadlines": [{"topic": "*", "urgency": "*", "acknowledge": 3, "answer": 15}],
    "reminder_before_hours": 24})
NOW = dt.datetime(2026, 12, 7, 2, 0, tzinfo=dt.timezone.utc)
TAM_HOP = ["vp", "vp.bx", "vp.bx.th"]
NOI_PHAT, YEN_LAN = TAM_HOP + ["vp.bx.th.np"], TAM_HOP + ["vp.bx.th.yl"]
HUONG_CANH = ["vp", "vp.bx", "vp.bx.hc", "vp.bx.hc.tdp1"]
BINH = Principal(user_id="u-binh", role="cadre", cadre_id="tran-thi-binh")
LAN = Principal(user_id="u-lan", role="cadre", cadre_id="nguyen-thi-lan")


def case(**overrides):
    return {"unit_id": NOI_PHAT[-1], "unit_path": NOI_PHAT, "topic": "infrastructure",
            "status": "acknowledged", "raised_on": "2026-12-01", "raisings": [], **overrides}


# --- the rule --------------------------------------------------------------------------------

def test_a_branch_belongs_to_the_grassroots_organisation_it_sits_under():
    assert similar_cases.commune_of(NOI_PHAT) == similar_cases.commune_of(YEN_LAN) == "vp.bx.th"
    assert similar_cases.commune_of(HUONG_CANH) == "vp.bx.hc"
    assert similar_cases.commune_of([]) is None


@pytest.mark.parametrize("found, topic, path, code", [
    (None, "infrastructure", YEN_LAN, "case_not_found"),
    (case(), "land", YEN_LAN, "case_other_topic"),
    (case(), "infrastructure", HUONG_CANH, "case_other_commune"),
    (case(status="answered"), "infrastructure", YEN_LAN, "case_not_open"),
    (case(status="closed_resolved"), "infrastructure", YEN_LAN, "case_not_open"),
    (case(status="duplicate_of"), "infrastructure", YEN_LAN, "case_not_open"),
    (case(status="unrouted"), "infrastructure", YEN_LAN, "case_not_open"),
    (case(), "infrastructure", YEN_LAN, None),
    (case(status="awaiting_information"), "infrastructure", NOI_PHAT, None),
])
def test_which_attachments_are_refused_and_why(found, topic, path, code):
    assert similar_cases.join_refusal(found, topic, path) == code


def test_a_refused_attachment_names_the_field_and_its_reason():
    with pytest.raises(NotFound) as missing:
        similar_cases.check_join(None, "land", YEN_LAN, "concerns.0.joins_case_id")
    assert missing.value.reasons == {"concerns.0.joins_case_id": [{"code": "case_not_found"}]}
    with pytest.raises(RuleViolated) as other:
        similar_cases.check_join(case(), "infrastructure", HUONG_CANH, "concerns.1.joins_case_id")
    assert other.value.reasons == {"concerns.1.joins_case_id": [{"code": "case_other_commune"}]}
    similar_cases.check_join(case(), "infrastructure", YEN_LAN, "x")  # may join: no refusal


def test_similar_cases_are_the_joinable_ones_most_raised_first_then_newest():
    older = case(_id="a", raised_on="2026-11-01",
                 raisings=[{"unit_id": "vp.bx.th.yl"}, {"unit_id": "vp.bx.th.ts"}])
    newer = case(_id="b", raised_on="2026-12-02")
    newest = case(_id="c", raised_on="2026-12-03")
    closed = case(_id="d", status="closed_unresolved", raised_on="2026-12-04")
    land = case(_id="e", topic="land")
    found = similar_cases.similar([newer, closed, older, land, newest], "infrastructure",
                                  YEN_LAN)
    assert [c["_id"] for c in found] == ["a", "c", "b"]
    assert similar_cases.branches_of(older) == ["vp.bx.th.np", "vp.bx.th.yl", "vp.bx.th.ts"]
    # the same branch raising it twice counts once
    assert len(similar_cases.branches_of(case(raisings=[{"unit_id": NOI_PHAT[-1]}]))) == 1


def test_of_many_raised_the_same_day_the_last_received_come_first():
    # a commune with a dozen open road cases raised at one meeting day: the newest shown
    same_day = [case(_id=f"c{n:02}", raised_on="2026-12-05",
                     received_at=NOW + dt.timedelta(minutes=n)) for n in range(12)]
    found = similar_cases.similar(same_day[::-1][6:] + same_day[::-1][:6], "infrastructure",
                                  YEN_LAN)
    assert [c["_id"] for c in found] == [f"c{n:02}" for n in range(11, 1, -1)]
    # a case from before received times were kept sorts after those that have one
    assert similar_cases.similar([case(_id="old", raised_on="2026-12-05"), same_day[0]],
                                 "infrastructure", YEN_LAN)[0]["_id"] == "c00"


# --- escalations joins it --------------------------------------------------------------------

@pytest.fixture
def db():
    client, database = open_store(MONGOMOCK_URI, "escalations_similar")
    database.authorities.insert_one({"_id": "ubnd-th", "name": "UBND xã Tam Hợp"})
    database.routing_rules.insert_one({"_id": "r1", "topic": "*", "unit_id": "vp.bx",
                                       "authority_id": "ubnd-th", "urgency": None})
    yield database
    client.close()


RULES = SimpleNamespace(policy=POLICY, clock=SimpleNamespace(now=lambda: NOW))


def raised(path, actor, topic="infrastructure", joins=None):
    envelope = contracts.CONCERN_RAISED.new({
        "concern_id": contracts.new_id(), "visit_id": contracts.new_id(),
        "unit_id": path[-1], "unit_path": path, "topic": topic,
        "summary": "Đường liên thôn xuống cấp", "raised_by": "resident",
        "raised_on": dt.date(2026, 12, 5), "joins_case_id": joins,
        "receipt_code": receipts.new_code()}, actor=actor.user_id)
    return parse_event(envelope)


def outbox_events(db, case_id):
    return [e["event_type"] for e in store.find_case(db, case_id, {"outbox": 1})["outbox"]]


def test_a_concern_joins_the_open_case_once_and_the_case_counts_its_branches(db):
    first = raised(NOI_PHAT, BINH)
    reactions.route_concern(db, RULES, first)
    original = store.case_of_concern(db, first.payload["concern_id"])
    assert original["commune_id"] == "vp.bx.th" and original["raisings"] == []

    listed = joining.similar(db, {"unit_id": YEN_LAN[-1], "unit_path": YEN_LAN,
                                  "topic": "infrastructure"})
    assert [(c["case_id"], c["branch_count"], c["authority_name"], c["raised_here"])
            for c in listed] == [(original["_id"], 1, "UBND xã Tam Hợp", False)]
    assert "raised_by" not in listed[0] and "raised_by_user" not in listed[0]
    assert joining.similar(db, {"unit_id": "x", "unit_path": YEN_LAN, "topic": "land"}) == []
    assert joining.similar(db, {"unit_id": "x", "unit_path": HUONG_CANH,
                                "topic": "infrastructure"}) == []

    second = raised(YEN_LAN, LAN, joins=original["_id"])
    reactions.route_concern(db, RULES, second)
    reactions.route_concern(db, RULES, second)  # redelivered: one effect
    joined = store.find_case(db, original["_id"])
    assert [r["unit_id"] for r in joined["raisings"]] == [YEN_LAN[-1]]
    assert joined["version"] == original["version"] + 1
    assert store.case_of_concern(db, second.payload["concern_id"]) is None  # no case of its own
    assert joined["timeline"][-1]["because"] == {
        "code": "raised_at_branches", "branch_count": 2, "unit_id": YEN_LAN[-1]}
    assert outbox_events(db, original["_id"]).count("case_joined") == 1
    # the authority's statistics count one case received, not two
    [row] = queries.case_statistics(db, {"authority_id": "ubnd-th", "topic": None,
                                         "period_from": dt.date(2026, 12, 1),
                                         "period_to": dt.date(2026, 12, 31)}, None)["rows"]
    assert row["received"] == 1
    assert joining.similar(db, {"unit_id": YEN_LAN[-1], "unit_path": YEN_LAN,
                                "topic": "infrastructure"})[0]["raised_here"] is True

    # the joined branch's cadre reads the case through their concern; another cadre does not
    shown = queries.get_case_for_concern(db, second.payload["concern_id"], LAN, NOW)
    assert shown["_id"] == original["_id"] and shown["branch_count"] == 2
    stranger = Principal(user_id="u-x", role="cadre", cadre_id="x")
    with pytest.raises(NotFound):
        queries.get_case_for_concern(db, second.payload["concern_id"], stranger, NOW)

    # whoever raised it at Yên Lan follows the shared case by their own receipt code
    code = second.payload["receipt_code"]
    public = following.follow(db, RULES, code, "203.0.113.9")
    assert (public["found"], public["receipt_code"], public["authority_name"]) == (
        True, code, "UBND xã Tam Hợp")

    # withdrawing the joined concern leaves the case to the branch that raised it first
    reactions.withdraw_case(db, RULES, parse_event(contracts.CONCERN_WITHDRAWN.new({
        "concern_id": second.payload["concern_id"], "visit_id": second.payload["visit_id"],
        "unit_id": YEN_LAN[-1], "reason": "Nêu nhầm", "withdrawn_at": NOW})))
    assert store.find_case(db, original["_id"])["status"] == "routed"


def test_the_same_branch_raising_it_again_is_one_more_raising_of_one_branch(db):
    first = raised(NOI_PHAT, BINH)
    reactions.route_concern(db, RULES, first)
    original = store.case_of_concern(db, first.payload["concern_id"])
    reactions.route_concern(db, RULES, raised(NOI_PHAT, BINH, joins=original["_id"]))
    joined = store.find_case(db, original["_id"], {"outbox": 1, "raisings": 1})
    assert len(joined["raisings"]) == 1
    [event] = [e for e in joined["outbox"] if e["event_type"] == "case_joined"]
    assert event["payload"]["branch_count"] == 1


def test_a_case_closed_meanwhile_makes_the_concern_open_its_own_saying_why(db):
    first = raised(NOI_PHAT, BINH)
    reactions.route_concern(db, RULES, first)
    original = store.case_of_concern(db, first.payload["concern_id"])
    db.cases.update_one({"_id": original["_id"]}, {"$set": {"status": "closed_resolved"}})
    assert joining.similar(db, {"unit_id": "x", "unit_path": YEN_LAN,
                                "topic": "infrastructure"}) == []

    late = raised(YEN_LAN, LAN, joins=original["_id"])
    reactions.route_concern(db, RULES, late)
    reactions.route_concern(db, RULES, late)  # redelivered: still one case
    own = store.case_of_concern(db, late.payload["concern_id"])
    assert own["_id"] != original["_id"] and own["status"] == "routed"
    assert own["join_refused"] == {"case_id": original["_id"], "code": "case_not_open"}
    assert store.find_case(db, original["_id"])["raisings"] == []
    assert db.cases.count_documents({}) == 2


def test_confidential_cases_are_not_listed(db):
    first = raised(NOI_PHAT, BINH)
    reactions.route_concern(db, RULES, first)
    db.cases.update_one({}, {"$set": {"confidential": True}})
    assert joining.similar(db, {"unit_id": "x", "unit_path": YEN_LAN,
                                "topic": "infrastructure"}) == []


def test_cases_from_before_are_given_their_commune_once(db):
    db.cases.insert_many([{"_id": "old1", "unit_path": NOI_PHAT},
                          {"_id": "old2", "unit_path": HUONG_CANH, "commune_id": "kept"}])
    assert upkeep.give_cases_their_commune(db, batch=1) == 1
    assert store.find_case(db, "old1")["commune_id"] == "vp.bx.th"
    assert store.find_case(db, "old2")["commune_id"] == "kept"
    assert upkeep.give_cases_their_commune(db) == 0


# --- the RPC the visit form reaches through the gateway ------------------------------------

def test_the_rpc_answers_cadres_only_and_names_a_bad_topic(db):
    service = SimpleNamespace(db=db, rules=RULES)
    reactions.route_concern(db, RULES, raised(NOI_PHAT, BINH))
    query = {"unit_id": YEN_LAN[-1], "unit_path": YEN_LAN, "topic": "infrastructure"}
    found = EscalationsService.similar_cases(service, query, LAN.to_dict())["cases"]
    assert [(c["branch_count"], c["status"]) for c in found] == [(1, "routed")]
    officer = {"user_id": "o1", "role": "authority_officer", "authority_id": "ubnd-th"}
    with pytest.raises(Forbidden):
        EscalationsService.similar_cases(service, query, officer)
    with pytest.raises(InvalidInput) as bad:
        EscalationsService.similar_cases(service, {**query, "topic": "weather"}, LAN.to_dict())
    assert list(bad.value.fields) == ["topic"]
