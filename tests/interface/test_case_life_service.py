"""The escalations service's case life in a nameko container on the real RabbitMQ with a real
embedded store: acting over RPC, the sweep on a test clock (moved, never slept through),
triage, duplicates following their original, the inbox and the statistics."""
import datetime as dt
import time

import pytest
from nameko.standalone.rpc import ServiceRpcProxy

from services.escalations.service import EscalationsService
from shared.clock import Clock
from shared.errors import Conflict, Forbidden, InvalidInput, NotFound, RuleViolated
from tests.answers import ANSWERED_BY_LETTER
from tests.interface.helpers import concern_raised, drain, publish, wait_for

DAY = 86400
AUTHORITIES = [
    {"authority_id": "ubnd-tinh", "name": "UBND tỉnh", "kind": "peoples_committee",
     "level": "province", "unit_id": "vp"},
    {"authority_id": "ubnd-bx", "name": "UBND huyện Bình Xuyên", "kind": "peoples_committee",
     "level": "district", "unit_id": "vp.bx", "parent_authority_id": "ubnd-tinh"},
    {"authority_id": "ubnd-th", "name": "UBND xã Tam Hợp", "kind": "peoples_committee",
     "level": "grassroots", "unit_id": "vp.bx.th", "parent_authority_id": "ubnd-bx"},
    {"authority_id": "triage", "name": "Văn phòng Tỉnh ủy", "kind": "office",
     "level": "province", "unit_id": "vp"},
]
PATH = ["vp", "vp.bx", "vp.bx.th", "vp.bx.th.np"]
# who acts, as the gateway passes the signed-in user: an officer of each authority, and the
# cadre user who carried the concerns (the actor of every concern_raised published here)
OFFICER = {"user_id": "officer-th", "role": "authority_officer", "authority_id": "ubnd-th"}
OFFICER_BX = {"user_id": "officer-bx", "role": "authority_officer", "authority_id": "ubnd-bx"}
OFFICER_TINH = {"user_id": "officer-tinh", "role": "authority_officer",
                "authority_id": "ubnd-tinh"}
TRIAGE_OFFICER = {"user_id": "triage-officer", "role": "authority_officer",
                  "authority_id": "triage"}
CADRE = {"user_id": "cadre-1", "role": "cadre", "cadre_id": "tran-thi-binh"}
OPERATOR = {"user_id": "operator-1", "role": "operator"}


@pytest.fixture
def clock_file(tmp_path):
    return tmp_path / "clock-offset"


@pytest.fixture
def case_config(config, clock_file, tmp_path):
    policy = tmp_path / "policy.yml"
    policy.write_text(
        "deadlines:\n"
        "  - {topic: '*', urgency: '*', acknowledge: 3, answer: 15}\n"
        "reminder_before_hours: 24\nreopen_within_days: 30\ntriage_authority_id: triage\n")
    return {**config, "TEST_CLOCK_FILE": str(clock_file), "SWEEP_INTERVAL_SECONDS": 0.1,
            "CASE_POLICY_FILE": str(policy)}


@pytest.fixture
def escalations(container_factory, case_config):
    container_factory(EscalationsService, case_config).start()
    with ServiceRpcProxy("escalations", case_config, timeout=15) as proxy:
        for authority in AUTHORITIES:
            proxy.register_authority(authority)
        proxy.add_routing_rule({"rule_id": "infra-th", "topic": "infrastructure",
                                "unit_id": "vp.bx.th", "authority_id": "ubnd-th"})
        yield proxy


def raise_concern(config, proxy, **overrides):
    event = {**concern_raised(unit_id="vp.bx.th.np", unit_path=PATH, **overrides),
             "actor": CADRE["user_id"]}
    publish(config, event)
    concern_id = event["payload"]["concern_id"]

    def case():
        try:
            return proxy.get_case_for_concern(concern_id, CADRE)  # who carried it
        except NotFound:
            return None
    return wait_for(case, what="the case")


def events(config, name, collected):
    collected.extend(body for body, _ in drain(config, "monitor.audit")
                     if body["event_type"] == name)
    return collected


def test_a_case_goes_from_routed_to_closed_and_back_with_its_timeline(escalations, case_config):
    case = raise_concern(case_config, escalations)
    assert (case["status"], case["authority_id"], case["due_kind"]) == \
        ("routed", "ubnd-th", "acknowledge")
    case_id = case["case_id"]
    act = escalations.act_on_case
    assert act(case_id, "acknowledge", {}, OFFICER)["status"] == "acknowledged"
    asked = act(case_id, "request_information", {"question": "Đoạn nào?"}, OFFICER)
    assert asked["due_at"] is None  # the clock pauses
    act(case_id, "provide_information", {"information": "300 m trước cổng trường"}, CADRE)
    answered = act(case_id, "answer",
        {"answer": "Sửa xong trước Tết", **ANSWERED_BY_LETTER}, OFFICER)
    assert answered["status"] == "answered" and answered["answer"] == "Sửa xong trước Tết"
    act(case_id, "close", {"outcome": "unresolved", "note": "chưa đạt"}, CADRE)
    reopened = act(case_id, "reopen", {"reason": "Chưa sửa"}, CADRE)
    assert reopened["status"] == "reopened" and reopened["reopened_count"] == 1
    timeline = escalations.get_case(case_id, CADRE)["timeline"]
    assert [line["action"] for line in timeline] == [
        "route", "acknowledge", "request_information", "provide_information", "answer",
        "close", "reopen"]
    assert timeline[1]["user_id"] == "officer-th" and timeline[2]["why"] == "Đoạn nào?"
    assert escalations.get_case(case_id, CADRE)["version"] == 7
    seen = wait_for(lambda: events(case_config, "case_reopened", []), what="case_reopened")
    assert seen[0]["payload"]["case_id"] == case_id and seen[0]["actor"] == "cadre-1"


def test_refused_and_malformed_actions_change_nothing(escalations, case_config):
    case_id = raise_concern(case_config, escalations)["case_id"]
    with pytest.raises(Conflict) as refused:
        escalations.act_on_case(case_id, "answer", {"answer": "x", **ANSWERED_BY_LETTER}, OFFICER)
    assert refused.value.fields == {"action": ["answer"], "state": ["routed"]}
    with pytest.raises(InvalidInput) as bad:
        escalations.act_on_case(case_id, "redirect", {"authority_id": "ubnd-bx"}, OFFICER)
    assert set(bad.value.fields) == {"reason"}
    with pytest.raises(InvalidInput) as unknown:
        escalations.act_on_case(case_id, "approve", {}, OFFICER)
    assert "action" in unknown.value.fields
    with pytest.raises(NotFound):
        escalations.act_on_case(case_id, "redirect", {"authority_id": "nobody", "reason": "r"},
                                OFFICER)
    with pytest.raises(NotFound) as hidden:  # another authority's case: like a missing one
        escalations.act_on_case(case_id, "acknowledge", {}, OFFICER_BX)
    with pytest.raises(NotFound) as missing:
        escalations.act_on_case("no-such-case", "acknowledge", {}, OFFICER)
    assert hidden.value.message == missing.value.message
    with pytest.raises(Forbidden) as cadre:  # a role that never acknowledges
        escalations.act_on_case(case_id, "acknowledge", {}, CADRE)
    assert cadre.value.fields["rule"] == ["cases.acknowledge: authority_officer only"]
    with pytest.raises(InvalidInput) as named:  # who acts is the principal, never the body
        escalations.act_on_case(case_id, "acknowledge", {"actor": "someone-else"}, OFFICER)
    assert named.value.fields == {"actor": ["Unknown field."]}
    with pytest.raises(Forbidden) as nobody:  # refused before the method runs
        escalations.act_on_case(case_id, "acknowledge", {})
    assert "without a signed-in user" in nobody.value.message
    assert escalations.get_case(case_id, CADRE)["version"] == 1


def test_the_sweep_reminds_then_escalates_once_when_the_clock_passes_the_deadline(
        escalations, case_config, clock_file):
    case = raise_concern(case_config, escalations)
    # acknowledge_by is 3 working days away; 10 days on, every deadline has passed
    Clock.move(clock_file, 10 * DAY)
    moved = wait_for(lambda: (lambda c: c if c["authority_id"] == "ubnd-bx" else None)(
        escalations.get_case(case["case_id"], CADRE)), timeout=15, what="the escalation")
    assert moved["status"] == "escalated" and moved["escalated_past"] == ["ubnd-th"]
    assert moved["due_kind"] == "acknowledge" and not moved["overdue"]
    # a sweep that comes late gives each look once, in order: the early warnings at half and
    # three quarters of the time (their mails are dropped as too late), the reminder, then
    # the escalation
    # (whether the reminder comes before the three-quarter warning depends on the hour the
    # case was raised, in Vietnam's office hours: each comes once)
    actions = [line["action"] for line in moved["timeline"]]
    assert (actions[0], sorted(actions[1:4]), actions[4]) == (
        "route", ["remind", "warn", "warn"], "escalate")
    assert moved["timeline"][4]["why"] == f"acknowledge deadline {case['acknowledge_by']} passed"
    past = escalations.inbox({"authority_id": "ubnd-th", "view": "escalated_past"}, OFFICER)
    assert [c["case_id"] for c in past["cases"]] == [case["case_id"]]
    seen = []
    wait_for(lambda: seen.extend(body for body, _ in drain(case_config, "monitor.audit"))
             or "case_escalated" in [e["event_type"] for e in seen], what="case_escalated")
    time.sleep(0.5)  # several sweeps more: none may act again
    seen.extend(body for body, _ in drain(case_config, "monitor.audit"))
    looks = [(e["event_type"], e["payload"].get("deadline"), e["payload"].get("share"))
             for e in seen if e["event_type"] in ("case_deadline_near", "case_escalated")]
    assert looks[-1] == ("case_escalated", None, None)
    assert sorted(looks[:-1], key=str) == [
        ("case_deadline_near", "acknowledge", 0.5), ("case_deadline_near", "acknowledge", 0.75),
        ("case_deadline_near", "acknowledge", None)]
    assert looks.index(("case_deadline_near", "acknowledge", 0.5)) < looks.index(
        ("case_deadline_near", "acknowledge", 0.75))
    assert escalations.get_case(case["case_id"], CADRE)["version"] == 5


def test_past_the_top_the_standing_committee_is_flagged(escalations, case_config, clock_file):
    case_id = raise_concern(case_config, escalations)["case_id"]
    escalations.act_on_case(case_id, "escalate", {"reason": "vượt thẩm quyền xã"}, OFFICER)
    escalations.act_on_case(case_id, "escalate", {}, OFFICER_BX)
    flagged = escalations.act_on_case(case_id, "escalate", {}, OFFICER_TINH)
    assert flagged["authority_id"] == "ubnd-tinh" and flagged["standing_committee_flagged"]
    assert flagged["due_at"] is None
    with pytest.raises(Conflict):
        escalations.act_on_case(case_id, "escalate", {}, OFFICER_TINH)


def test_a_concern_no_rule_covers_waits_in_triage_until_routed_by_hand(escalations, case_config):
    case = raise_concern(case_config, escalations, topic="land")
    assert (case["status"], case["authority_id"], case["triage"]) == ("routed", "triage", True)
    listed = escalations.list_unrouted(None, TRIAGE_OFFICER)
    assert [c["case_id"] for c in listed["cases"]] == [case["case_id"]]
    assert listed["cases"][0]["summary"]
    # operators see the same list, without the concern's text (no personal data)
    [seen] = escalations.list_unrouted(None, OPERATOR)["cases"]
    assert (seen["case_id"], seen["summary"], seen["answer"]) == (case["case_id"], None, None)
    routed = escalations.act_on_case(case["case_id"], "redirect",
                                     {"authority_id": "ubnd-th", "reason": "đất đai cấp xã"},
                                     TRIAGE_OFFICER)
    assert (routed["status"], routed["authority_id"]) == ("redirected", "ubnd-th")
    assert routed["acknowledge_by"] == case["acknowledge_by"]  # the clock kept running
    assert escalations.list_unrouted(None, TRIAGE_OFFICER)["cases"] == []


def test_a_duplicate_follows_its_originals_answer(escalations, case_config):
    original = raise_concern(case_config, escalations)["case_id"]
    duplicate = raise_concern(case_config, escalations)["case_id"]
    with pytest.raises(RuleViolated):
        escalations.act_on_case(duplicate, "mark_duplicate", {"original_case_id": duplicate},
                                OFFICER)
    escalations.act_on_case(duplicate, "mark_duplicate", {"original_case_id": original},
                            OFFICER)
    escalations.act_on_case(original, "start", {}, OFFICER)
    escalations.act_on_case(original, "answer",
        {"answer": "Đã lắp đèn", **ANSWERED_BY_LETTER}, OFFICER)
    followed = wait_for(lambda: (lambda c: c if c["status"] == "answered" else None)(
        escalations.get_case(duplicate, CADRE)), what="the duplicate answered")
    assert followed["answer"] == "Đã lắp đèn"
    assert followed["timeline"][-1]["user_id"] == "system"


def test_another_authoritys_case_is_no_original_and_is_refused_like_a_missing_one(
        escalations, case_config):
    theirs = raise_concern(case_config, escalations)["case_id"]
    escalations.act_on_case(theirs, "redirect", {"authority_id": "ubnd-bx", "reason": "huyện"},
                            OFFICER)
    ours = raise_concern(case_config, escalations)["case_id"]
    refusals = []
    for original in (theirs, "no-such-case"):
        with pytest.raises(NotFound) as refused:
            escalations.act_on_case(ours, "mark_duplicate", {"original_case_id": original},
                                    OFFICER)
        refusals.append((str(refused.value), refused.value.fields))
    assert refusals[0] == refusals[1]  # nothing tells the other case exists, nor its state
    assert "redirected" not in refusals[0][0]
    after = escalations.get_case(ours, OFFICER)  # its authority's officer reads it
    assert (after["status"], after["version"], after.get("duplicate_of")) == ("routed", 1, None)


def test_inbox_puts_overdue_first_counts_states_and_filters(escalations, case_config,
                                                            clock_file):
    first = raise_concern(case_config, escalations)["case_id"]
    Clock.move(clock_file, 1 * DAY)
    second = raise_concern(case_config, escalations, topic="environment",
                           summary="Rác thải ven sông")
    escalations.add_routing_rule({"rule_id": "env-th", "topic": "environment",
                                  "unit_id": "vp.bx.th", "authority_id": "ubnd-th"})
    third = raise_concern(case_config, escalations, topic="environment")["case_id"]
    escalations.act_on_case(first, "acknowledge", {}, OFFICER)
    inbox = escalations.inbox({"authority_id": "ubnd-th"}, OFFICER)
    # the first acknowledged (answer due in 15 days) comes after the newer unacknowledged one
    assert [c["case_id"] for c in inbox["cases"]] == [third, first]
    assert second["authority_id"] == "triage"
    assert inbox["counts"] == {"routed": 1, "acknowledged": 1}
    only = escalations.inbox({"authority_id": "ubnd-th", "topic": "environment"}, OFFICER)
    assert [c["case_id"] for c in only["cases"]] == [third]
    assert escalations.inbox({"authority_id": "ubnd-th", "unit_id": "vp.bx.th.other"}, OFFICER)[
        "cases"] == []
    with pytest.raises(InvalidInput) as bad:
        escalations.inbox({"authority_id": "ubnd-th", "status": "lost"}, OFFICER)
    assert "status" in bad.value.fields


def test_statistics_over_a_period(escalations, case_config):
    case_id = raise_concern(case_config, escalations)["case_id"]
    escalations.act_on_case(case_id, "start", {}, OFFICER)
    escalations.act_on_case(case_id, "answer", {"answer": "Xong", **ANSWERED_BY_LETTER}, OFFICER)
    today = dt.date.today()
    stats = escalations.statistics({"authority_id": "ubnd-th",
                                    "period_from": (today - dt.timedelta(days=2)).isoformat(),
                                    "period_to": (today + dt.timedelta(days=2)).isoformat()},
                                   OFFICER)
    [row] = stats["rows"]
    assert (row["received"], row["acknowledged_on_time"], row["answered_on_time"]) == (1, 1, 1)
    with pytest.raises(InvalidInput) as bad:
        escalations.statistics({"authority_id": "ubnd-th", "period_from": "2026-12-01",
                                "period_to": "2026-11-01"}, OFFICER)
    assert "period_to" in bad.value.fields
