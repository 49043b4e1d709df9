"""The case's clock: the deadline each transition sets or keeps running, the pause while the
raising side is asked for information, escalation one level up with fresh deadlines (and past
the top, the standing committee flagged once), the sweep's reminder then escalation on breach,
and the urgent deadlines. Cases and policy: test_case_life.py's."""
import datetime as dt

import pytest

from services.escalations import case_clock
from services.escalations.case_clock import due, note_deadline_near, pending_deadline
from shared.errors import Conflict, RuleViolated
from tests.unit.test_case_life import AT, POLICY, VN, act, case_in


def test_redirect_names_the_new_holder_and_the_clock_keeps_running():
    outcome = act(case_in("routed"), "redirect")
    assert outcome.changes["authority_id"] == "ubnd-huyen-binh-xuyen"
    assert "acknowledge_by" not in outcome.changes and "answer_by" not in outcome.changes
    assert outcome.changes["due_kind"] == "acknowledge"
    assert outcome.changes["due_at"] == dt.datetime(2026, 12, 1, tzinfo=VN)
    assert outcome.event[1]["reason"] == "thuộc thẩm quyền huyện"


def test_redirect_to_the_holder_itself_is_refused():
    with pytest.raises(RuleViolated):
        act(case_in("routed"), "redirect", authority_id="ubnd-xa-tam-hop")


def test_redirect_after_acknowledging_runs_the_answer_clock():
    outcome = act(case_in("in_progress"), "redirect")
    assert outcome.changes["due_kind"] == "answer"
    assert outcome.changes["due_at"] == dt.datetime(2026, 12, 17, tzinfo=VN)


def test_acknowledge_moves_the_running_deadline_to_the_answer():
    outcome = act(case_in("routed"), "acknowledge")
    assert outcome.changes["acknowledged_at"] == AT
    assert outcome.changes["due_kind"] == "answer"
    assert outcome.event[1]["answer_by"] == dt.date(2026, 12, 16)


def test_awaiting_information_pauses_the_clock_and_providing_it_extends_the_answer_deadline():
    asked = act(case_in("in_progress"), "request_information")
    assert asked.changes["next_deadline_at"] is None and asked.changes["due_at"] is None
    waiting = {**case_in("in_progress"), **asked.changes}
    # asked Wed 25 Nov, answered Wed 2 Dec: Thu, Fri, Mon, Tue, Wed = 5 working days waited
    provided = act(waiting, "provide_information", at=AT + dt.timedelta(days=7))
    assert provided.changes["answer_by"] == "2026-12-23"  # 16 Dec + 5 working days
    assert provided.event[1]["answer_by"] == dt.date(2026, 12, 23)
    assert provided.changes["due_kind"] == "answer"


def test_escalation_moves_the_case_one_level_up_with_fresh_deadlines():
    outcome = act(case_in("routed"), "escalate")
    assert outcome.changes["authority_id"] == "ubnd-huyen-binh-xuyen"
    assert outcome.changes["escalated_past"] == ["ubnd-xa-tam-hop"]
    assert outcome.changes["acknowledge_by"] == "2026-11-30"  # 3 working days from Wed 25 Nov
    assert outcome.changes["acknowledged_at"] is None
    assert outcome.event[1] == {"case_id": "k1", "concern_id": "c1",
                                "from_authority_id": "ubnd-xa-tam-hop",
                                "authority_id": "ubnd-huyen-binh-xuyen",
                                "standing_committee_flagged": False, "reason": "quá hạn"}


def test_escalation_past_the_top_flags_the_standing_committee_once():
    outcome = act(case_in("routed", authority_id="ubnd-tinh"), "escalate",
                  parent_authority_id=None)
    assert outcome.changes["standing_committee_flagged"] is True
    assert "authority_id" not in outcome.changes  # the top authority keeps it
    assert outcome.changes["next_deadline_at"] is None
    assert outcome.event[1]["authority_id"] is None
    flagged = {**case_in("routed"), **outcome.changes}
    with pytest.raises(Conflict):
        act(flagged, "escalate", parent_authority_id=None)


def test_sweep_escalates_on_breach_of_the_acknowledge_deadline():
    case = {**case_in("routed"), **case_clock.schedule(case_in("routed"), POLICY)}
    # acknowledge by Mon 30 Nov: reminded from Mon 00:00, breached from Tue 1 Dec 00:00 (VN)
    assert due(case, dt.datetime(2026, 11, 29, 23, 59, tzinfo=VN)) is None
    assert due(case, dt.datetime(2026, 11, 30, 0, 0, tzinfo=VN)) == "remind"
    reminded = note_deadline_near(case, dt.datetime(2026, 11, 30, 8, 0, tzinfo=VN), POLICY)
    assert reminded.state == "routed"
    assert reminded.event[1]["deadline"] == "acknowledge"
    case = {**case, **reminded.changes}
    assert due(case, dt.datetime(2026, 11, 30, 23, 59, tzinfo=VN)) is None
    breached_at = dt.datetime(2026, 12, 1, 0, 0, tzinfo=VN)
    assert due(case, breached_at) == "escalate"
    escalated = act(case, "escalate", at=breached_at,
                    reason=case_clock.breach_reason(case))
    assert escalated.event[1]["reason"] == "acknowledge deadline 2026-11-30 passed"
    assert due({**case, **escalated.changes}, breached_at) is None


def test_sweep_escalates_on_breach_of_the_answer_deadline():
    case = case_in("in_progress")
    case.update(case_clock.schedule(case, POLICY), reminded=["answer:2026-12-16"])
    case.update(case_clock.schedule(case, POLICY))
    assert pending_deadline(case) == ("answer", dt.date(2026, 12, 16))
    assert due(case, dt.datetime(2026, 12, 17, 0, 0, tzinfo=VN)) == "escalate"


def test_urgent_concerns_get_the_urgent_deadlines():
    outcome = act(case_in("routed", urgency="urgent"), "escalate")
    assert outcome.changes["acknowledge_by"] == "2026-11-26"
    assert outcome.changes["answer_by"] == "2026-12-02"


def test_a_shown_case_says_its_last_day_and_the_working_days_left_today_included():
    from services.escalations.cases import shown
    # routed on Wednesday 25/11, to acknowledge by Monday 30/11: Wed, Thu, Fri, Mon are left
    case = {**case_in("routed"), **case_clock.schedule(case_in("routed"), POLICY)}
    seen = shown(case, AT, {}, None, POLICY.calendar)
    assert (seen["due_on"], seen["working_days_left"]) == ("2026-11-30", 4)
    # on Saturday only Monday is left; once past, none
    saturday = AT + dt.timedelta(days=3)
    assert shown(case, saturday, {}, None, POLICY.calendar)["working_days_left"] == 1
    assert shown(case, AT + dt.timedelta(days=6), {}, None, POLICY.calendar)[
        "working_days_left"] == 0
    # awaiting information: no deadline runs, nothing to count
    waiting = shown(case_in("awaiting_information"), AT, {}, None, POLICY.calendar)
    assert (waiting["due_on"], waiting["working_days_left"]) == (None, None)
