"""Tiers and the working calendar in the escalations service (a nameko container on the real
RabbitMQ, a real embedded store): routing sets the tier and an acceptance deadline counted in
office hours; an administrator edits the calendar (seeded from the policy file) and an open
case's deadline moves with a line on its timeline, or the edit is refused and nothing changes;
the holder changes the tier with a reason."""
import datetime as dt

import pytest
from nameko.standalone.rpc import ServiceRpcProxy

from services.escalations.service import EscalationsService
from shared.errors import Conflict, Forbidden, NotFound, RuleViolated
from tests.interface.test_case_life_service import (
    AUTHORITIES,
    CADRE,
    OFFICER,
    OFFICER_BX,
    raise_concern,
)

ADMIN = {"user_id": "admin-1", "role": "administrator"}
# 59 days off in the seed (June and July 2027): one more closes a break of sixty days
SEEDED_OFF = [(dt.date(2027, 6, 1) + dt.timedelta(days=n)).isoformat() for n in range(59)]


@pytest.fixture
def tier_config(config, tmp_path):
    policy = tmp_path / "policy.yml"
    policy.write_text(
        "deadlines:\n"
        "  - {topic: '*', urgency: '*', acknowledge: 3, answer: 15}\n"
        "tiers:\n"
        "  - {tier: urgent, accept_within_hours: 4, answer_within_days: 3}\n"
        "  - {tier: normal, accept_within_hours: 8, answer_within_days: 10}\n"
        "  - {tier: complex, accept_within_hours: 16, answer_within_days: 30}\n"
        "  - {tier: normal, level: grassroots, accept_within_hours: 6, answer_within_days: 12}\n"
        "triage_authority_id: triage\n"
        f"calendar: {{extra_days_off: {SEEDED_OFF}}}\n")
    return {**config, "CASE_POLICY_FILE": str(policy)}


@pytest.fixture
def escalations(container_factory, tier_config):
    container_factory(EscalationsService, tier_config).start()
    with ServiceRpcProxy("escalations", tier_config, timeout=15) as proxy:
        for authority in AUTHORITIES:
            proxy.register_authority(authority)
        proxy.add_routing_rule({"rule_id": "infra-th", "topic": "infrastructure",
                                "unit_id": "vp.bx.th", "authority_id": "ubnd-th"})
        yield proxy


def test_tiers_and_calendar_edits_through_the_service(tier_config, escalations):
    # routing: the grassroots row of the urgency's tier, acceptance by a moment in office hours
    case = raise_concern(tier_config, escalations, urgency="normal")
    received_at = dt.datetime.fromisoformat(case["received_at"])
    acknowledge_by = dt.datetime.fromisoformat(case["acknowledge_by"])
    assert case["tier"] == "normal"
    assert acknowledge_by > received_at
    assert dt.datetime.fromisoformat(case["due_at"]) == acknowledge_by
    urgent = raise_concern(tier_config, escalations, urgency="urgent")
    assert urgent["tier"] == "urgent"
    assert dt.datetime.fromisoformat(urgent["acknowledge_by"]) < acknowledge_by

    # the calendar was seeded from the policy file, each entry saying where it came from
    calendar = escalations.working_calendar({}, ADMIN)
    assert len(calendar["entries"]) == 59
    assert calendar["office_hours"]["sessions"] == [["07:30", "11:30"], ["13:00", "17:00"]]

    # an administrator gives the commune a day off on the case's answer day: it moves on
    answer_by = dt.date.fromisoformat(case["answer_by"])
    edited = escalations.add_calendar_entry(
        {"day": answer_by.isoformat(), "kind": "day_off", "authority_id": "ubnd-th",
         "reason": "Quyết định 12/QĐ-UBND nghỉ lễ hội làng"}, ADMIN)
    assert edited["cases_recomputed"] == 1   # the urgent case is answered before it
    assert edited["entry"]["entered_by"] == "admin-1"
    moved = escalations.get_case(case["case_id"], OFFICER)
    assert dt.date.fromisoformat(moved["answer_by"]) > answer_by
    line = moved["timeline"][-1]
    assert line["action"] == "recompute_deadlines" and line["user_id"] == "admin-1"
    assert line["because"]["code"] == "calendar_changed"
    assert line["because"]["reason"] == "Quyết định 12/QĐ-UBND nghỉ lễ hội làng"
    # the commune's own entry is listed with its calendar, not with the national one
    own = escalations.working_calendar({"authority_id": "ubnd-th"}, ADMIN)["entries"]
    assert [e["reason"] for e in own if e["authority_id"] == "ubnd-th"] == [
        "Quyết định 12/QĐ-UBND nghỉ lễ hội làng"]
    assert all(e["authority_id"] is None
               for e in escalations.working_calendar({}, ADMIN)["entries"])

    # an entry that leaves no working day for sixty days is refused, and nothing changes
    with pytest.raises(RuleViolated) as refused:
        escalations.add_calendar_entry({"day": "2027-07-30", "kind": "day_off",
                                        "reason": "nhầm"}, ADMIN)
    assert "calendar_without_working_days" in str(refused.value.reasons)
    assert len(escalations.working_calendar({}, ADMIN)["entries"]) == 59
    # office hours out of order: refused by the calendar's rule, the hours as they were
    with pytest.raises(RuleViolated) as disordered:
        escalations.set_office_hours("ubnd-th", {"sessions": [["13:00", "17:00"],
                                                              ["07:30", "11:30"]],
                                                 "reason": "nhầm thứ tự"}, ADMIN)
    assert "office_hours_disordered" in str(disordered.value.reasons)
    assert escalations.working_calendar({"authority_id": "ubnd-th"}, ADMIN)[
        "office_hours"]["entered_by"] is None
    # only administrators keep the calendar
    with pytest.raises(Forbidden):
        escalations.add_calendar_entry({"day": "2027-08-02", "kind": "day_off",
                                        "reason": "x"}, OFFICER)

    # removing the day off brings the deadline back, with a line again
    escalations.remove_calendar_entry({"day": answer_by.isoformat(),
                                       "authority_id": "ubnd-th"}, ADMIN)
    back = escalations.get_case(case["case_id"], OFFICER)
    assert back["answer_by"] == answer_by.isoformat()
    assert [e["action"] for e in back["timeline"]][-2:] == ["recompute_deadlines"] * 2
    with pytest.raises(NotFound):
        escalations.remove_calendar_entry({"day": answer_by.isoformat(),
                                           "authority_id": "ubnd-th"}, ADMIN)

    # the holder's officer puts the case in the complex tier, with a reason
    changed = escalations.change_case_tier(case["case_id"], {
        "tier": "complex", "reason": "Cần khảo sát thực địa"}, OFFICER)
    assert changed["tier"] == "complex"
    assert changed["answer_by"] > case["answer_by"]
    assert changed["timeline"][-1]["action"] == "change_tier"
    assert changed["timeline"][-1]["why"] == "Cần khảo sát thực địa"
    with pytest.raises(Conflict):
        escalations.change_case_tier(case["case_id"], {"tier": "complex", "reason": "lại"},
                                     OFFICER)
    # another authority's officer sees no such case; a cadre may not change tiers at all
    with pytest.raises(NotFound):
        escalations.change_case_tier(case["case_id"], {"tier": "urgent", "reason": "x"},
                                     OFFICER_BX)
    with pytest.raises(Forbidden):
        escalations.change_case_tier(case["case_id"], {"tier": "urgent", "reason": "x"},
                                     CADRE)
