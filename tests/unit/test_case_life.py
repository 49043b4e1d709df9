"""The case state machine: every allowed and every refused transition, who may act, and (with
hypothesis) that no sequence of actions leaves the table. The deadlines each transition sets:
test_case_deadlines.py, on this module's cases and policy."""
import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.escalations import case_clock, case_life
from services.escalations.access import check_principal
from services.escalations.case_life import (
    ACTIONS,
    EVENT_ACTIONS,
    STATES,
    TRANSITIONS,
    apply_action,
)
from services.escalations.policy import CasePolicy
from shared import contracts
from shared.authorisation import Principal
from shared.errors import Conflict, Forbidden, InvalidInput, RuleViolated
from tests.answers import ANSWERED_BY_LETTER

VN = dt.timezone(dt.timedelta(hours=7))
# Wednesday 25 November 2026, 09:00 in Vietnam
AT = dt.datetime(2026, 11, 25, 9, 0, tzinfo=VN)
OFFICER = {"user_id": "officer-1", "role": "authority_officer", "authority_id": "ubnd-xa-tam-hop"}
# the same officer, and the cadre user who carried the concern, as the gateway vouches for them
OFFICER_PRINCIPAL = Principal("officer-1", "authority_officer", authority_id="ubnd-xa-tam-hop")
CADRE_PRINCIPAL = Principal("u2", "cadre", cadre_id="tran-thi-binh")

POLICY = CasePolicy.from_dict({
    "deadlines": [{"topic": "*", "urgency": "*", "acknowledge": 3, "answer": 15},
                  {"topic": "*", "urgency": "urgent", "acknowledge": 1, "answer": 5}],
    "reminder_before_hours": 24, "reopen_within_days": 30,
})

# Written out by hand from the issue, independently of TRANSITIONS: state -> action -> state.
EXPECTED = {
    "routed": {"acknowledge": "acknowledged", "start": "in_progress", "redirect": "redirected",
               "mark_duplicate": "duplicate_of", "escalate": "escalated"},
    "redirected": {"acknowledge": "acknowledged", "start": "in_progress",
                   "redirect": "redirected", "mark_duplicate": "duplicate_of",
                   "escalate": "escalated"},
    "escalated": {"acknowledge": "acknowledged", "start": "in_progress",
                  "redirect": "redirected", "mark_duplicate": "duplicate_of",
                  "escalate": "escalated"},
    "acknowledged": {"start": "in_progress", "request_information": "awaiting_information",
                     "redirect": "redirected", "answer": "answered",
                     "mark_duplicate": "duplicate_of", "escalate": "escalated"},
    "in_progress": {"request_information": "awaiting_information", "redirect": "redirected",
                    "answer": "answered", "mark_duplicate": "duplicate_of",
                    "escalate": "escalated"},
    "awaiting_information": {"provide_information": "in_progress"},
    "answered": {"close": "closed_resolved"},
    "closed_resolved": {"reopen": "reopened"},
    "closed_unresolved": {"reopen": "reopened"},
    "reopened": {"request_information": "awaiting_information", "redirect": "redirected",
                 "answer": "answered", "escalate": "escalated"},
    "duplicate_of": {"answer": "answered"},
    "unrouted": {"redirect": "redirected"},
    "withdrawn": {},
}
# what the branch's events do (visits' concern_withdrawn and answer_reviewed): any case not yet
# closed is withdrawn; an answer is accepted, or rejected (reopened) even after closing
for _state in ("routed", "redirected", "escalated", "acknowledged", "in_progress",
               "awaiting_information", "answered", "reopened", "duplicate_of", "unrouted"):
    EXPECTED[_state]["withdraw"] = "withdrawn"
EXPECTED["answered"]["accept_answer"] = "closed_resolved"
for _state in ("answered", "closed_resolved", "closed_unresolved"):
    EXPECTED[_state]["reject_answer"] = "reopened"

ORIGINAL = {"_id": "k0", "status": "in_progress"}
ARGS = {
    "acknowledge": {}, "start": {},
    "request_information": {"question": "Đoạn đường nào, dài bao nhiêu?"},
    "provide_information": {"information": "Đoạn 300 m từ cổng làng đến trường"},
    "redirect": {"authority_id": "ubnd-huyen-binh-xuyen", "reason": "thuộc thẩm quyền huyện"},
    "answer": {"answer": "Đã đưa vào kế hoạch sửa chữa quý I/2027", "original_case_id": "k0",
               **ANSWERED_BY_LETTER},
    "close": {"outcome": "resolved", "note": "Chi bộ đồng ý"},
    "mark_duplicate": {"original": ORIGINAL},
    "reopen": {"reason": "Chưa sửa như đã hứa"},
    "escalate": {"parent_authority_id": "ubnd-huyen-binh-xuyen", "reason": "quá hạn"},
    "withdraw": {"reason": "Đã được giải quyết tại chỗ"},
    "accept_answer": {"comment": "", "reviewed_on": "2026-12-18"},
    "reject_answer": {"comment": "Đường vẫn chưa sửa", "reviewed_on": "2026-12-18"},
}


def case_in(status, **overrides):
    """A stored case in ``status``, with the fields that state would carry."""
    case = {
        "_id": "k1", "concern_id": "c1", "status": status, "authority_id": "ubnd-xa-tam-hop",
        "topic": "infrastructure", "urgency": "normal", "triage": False,
        "acknowledge_by": "2026-11-30", "answer_by": "2026-12-16",
        "acknowledged_at": None, "awaiting_since": None, "closed_at": None,
        "duplicate_of": None, "escalated_past": [], "reminded": [], "reopened_count": 0,
        "standing_committee_flagged": False, "raised_by_user": "u2",
    }
    if status not in ("routed", "redirected", "escalated", "unrouted"):
        case["acknowledged_at"] = AT - dt.timedelta(days=1)
    if status == "awaiting_information":
        case["awaiting_since"] = AT - dt.timedelta(days=2)
    if status in ("closed_resolved", "closed_unresolved"):
        case["closed_at"] = AT - dt.timedelta(days=2)
    if status == "duplicate_of":
        case["duplicate_of"] = "k0"
    if status == "unrouted":
        case.update(authority_id=None, acknowledge_by=None, answer_by=None)
    case.update(overrides)
    return case


def act(case, action, at=AT, **args):
    return apply_action(case, action, OFFICER, at, POLICY, **{**ARGS[action], **args})


# --- the table, checked both ways ------------------------------------------------------------

def test_independent_expectation_covers_every_state():
    assert set(EXPECTED) == set(STATES)


def test_table_rows_name_known_states_and_never_repeat_a_state_action_pair():
    seen = set()
    for row in TRANSITIONS:
        assert row.sources <= set(STATES) and set(row.targets) <= set(STATES)
        for source in row.sources:
            assert (source, row.action) not in seen
            seen.add((source, row.action))


def table_target(state, action):
    for row in TRANSITIONS:
        if row.action == action and state in row.sources:
            return row.targets[0]
    return None


ALL_PAIRS = [(state, action) for state in STATES for action in ACTIONS + EVENT_ACTIONS]


@pytest.mark.parametrize("state, action", ALL_PAIRS)
def test_every_pair_is_allowed_exactly_as_the_table_and_the_expectation_say(state, action):
    expected = EXPECTED[state].get(action)
    assert table_target(state, action) == expected
    if expected is None:
        with pytest.raises(Conflict) as refused:
            act(case_in(state), action)
        assert refused.value.fields == {"action": [action], "state": [state]}
        assert f"cannot {action} a case that is {state}" == refused.value.message
    else:
        outcome = act(case_in(state), action)
        assert outcome.state == expected == outcome.changes["status"]
        assert outcome.entry["from_state"] == state and outcome.entry["to_state"] == expected
        assert outcome.entry["user_id"] == "officer-1" and outcome.entry["at"] == AT
        event_type, payload = outcome.event
        assert event_type.new(payload)  # the payload keeps its contract


def test_close_leads_to_resolved_or_unresolved_by_its_outcome():
    assert act(case_in("answered"), "close", outcome="unresolved").state == "closed_unresolved"
    with pytest.raises(InvalidInput) as bad:
        act(case_in("answered"), "close", outcome="maybe")
    assert "outcome" in bad.value.fields


def test_unknown_action_is_bad_input_naming_the_field():
    with pytest.raises(InvalidInput) as bad:
        apply_action(case_in("routed"), "approve", OFFICER, AT, POLICY)
    assert "action" in bad.value.fields


@pytest.mark.parametrize("action, field", [
    ("redirect", "reason"), ("redirect", "authority_id"), ("request_information", "question"),
    ("provide_information", "information"), ("answer", "answer"), ("reopen", "reason"),
])
def test_missing_argument_is_refused_naming_it(action, field):
    state = {"provide_information": "awaiting_information", "reopen": "closed_resolved",
             "redirect": "routed"}.get(action, "in_progress")
    with pytest.raises(InvalidInput) as bad:
        act(case_in(state), action, **{field: "  " if field != "authority_id" else None})
    assert field in bad.value.fields


# --- duplicates, reopening -------------------------------------------------------------------

def test_a_duplicate_needs_another_open_original_and_follows_its_answer():
    with pytest.raises(RuleViolated):
        act(case_in("routed"), "mark_duplicate", original={"_id": "k1", "status": "routed"})
    with pytest.raises(RuleViolated):
        act(case_in("routed"), "mark_duplicate", original={"_id": "k0", "status": "answered"})
    marked = act(case_in("routed"), "mark_duplicate")
    assert marked.changes["duplicate_of"] == "k0" and marked.changes["next_deadline_at"] is None
    with pytest.raises(RuleViolated):
        act(case_in("duplicate_of"), "answer", original_case_id="k9")
    answered = act(case_in("duplicate_of"), "answer")
    assert answered.event[1]["original_case_id"] == "k0"


def test_reopen_only_within_the_window_after_closing():
    closed = case_in("closed_unresolved", closed_at=AT - dt.timedelta(days=30))
    reopened = act(closed, "reopen")
    assert reopened.changes["reopened_count"] == 1 and reopened.changes["due_kind"] == "answer"
    with pytest.raises(RuleViolated) as late:
        act(case_in("closed_resolved", closed_at=AT - dt.timedelta(days=31)), "reopen")
    assert "closed_at" in late.value.fields


def test_an_unrouted_case_starts_its_clock_when_routed_by_hand():
    outcome = act(case_in("unrouted"), "redirect")
    assert outcome.changes["acknowledge_by"] == "2026-11-30"
    assert outcome.changes["triage"] is False


# --- who may act -----------------------------------------------------------------------------

def test_an_officer_acts_only_on_cases_their_authority_holds():
    check_principal(case_in("routed"), "acknowledge", OFFICER_PRINCIPAL)
    other = Principal("officer-2", "authority_officer", authority_id="ubnd-huyen-binh-xuyen")
    with pytest.raises(Forbidden) as refused:
        check_principal(case_in("routed"), "acknowledge", other)
    assert refused.value.status == 403


def test_the_raising_side_provides_information_and_reopens_but_does_not_answer():
    cadre = CADRE_PRINCIPAL
    check_principal(case_in("awaiting_information"), "provide_information", cadre)
    check_principal(case_in("closed_resolved"), "reopen", cadre)
    check_principal(case_in("answered"), "close", cadre)
    with pytest.raises(Forbidden):
        check_principal(case_in("in_progress"), "answer", cadre)
    with pytest.raises(Forbidden):
        check_principal(case_in("closed_resolved"), "reopen", OFFICER_PRINCIPAL)


def test_only_the_cadre_who_carried_the_concern_acts_for_the_raising_side():
    another = Principal("u3", "cadre", cadre_id="le-van-cuong")
    with pytest.raises(Forbidden):
        check_principal(case_in("closed_resolved"), "reopen", another)
    with pytest.raises(Forbidden):  # raised with no signed-in user: nobody's
        check_principal(case_in("closed_resolved", raised_by_user=None), "reopen",
                        CADRE_PRINCIPAL)


def test_nobody_answers_a_duplicate_by_hand_and_an_administrator_takes_no_side():
    with pytest.raises(Forbidden):
        check_principal(case_in("duplicate_of"), "answer", OFFICER_PRINCIPAL)
    with pytest.raises(Forbidden):
        check_principal(case_in("routed"), "acknowledge", Principal("a", "administrator"))


def test_a_refused_transition_is_409_before_the_principal_is_judged():
    with pytest.raises(Conflict):
        check_principal(case_in("answered"), "acknowledge", OFFICER_PRINCIPAL)


# --- properties ------------------------------------------------------------------------------

steps = st.lists(st.tuples(st.sampled_from(ACTIONS), st.sampled_from(["resolved", "unresolved"]),
                           st.integers(min_value=0, max_value=72 * 3600)), max_size=25)


@settings(max_examples=200, deadline=None)
@given(steps)
def test_no_action_sequence_reaches_a_state_the_table_does_not_allow(sequence):
    case = case_in("routed")
    case.update(case_clock.schedule(case, POLICY))
    at = AT
    for action, outcome_name, seconds in sequence:
        at += dt.timedelta(seconds=seconds)
        before = case["status"]
        args = {**ARGS[action], **({"outcome": outcome_name} if action == "close" else {})}
        if action == "escalate":
            args["parent_authority_id"] = None if case["escalated_past"] else "ubnd-huyen"
        try:
            outcome = apply_action(case, action, OFFICER, at, POLICY, **args)
        except Conflict:
            assert (table_target(before, action) is None
                    or case.get("standing_committee_flagged"))
            continue
        except RuleViolated:
            assert action in ("reopen", "redirect", "mark_duplicate", "answer")
            continue
        row = case_life.transition(before, action)
        assert outcome.state in row.targets
        assert EXPECTED[before][action] in (outcome.state, "closed_resolved")
        case = {**case, **outcome.changes}
        # the sweep looks at a case exactly while a deadline runs on it
        assert (case["next_deadline_at"] is None) == (case_clock.pending_deadline(case) is None)
        assert case["status"] in STATES


def test_every_event_of_the_table_is_a_contract():
    names = {act(case_in(state), action).event[0] for state in STATES
             for action in EXPECTED[state]}
    assert names <= set(contracts.EVENT_TYPES.values())


# --- the branch's verdicts (visits' answer_reviewed and concern_withdrawn) -------------------

SYSTEM = {"user_id": "system", "role": "system"}


def test_members_not_satisfied_reopen_the_case_at_the_same_authority_with_their_comment():
    for state in ("answered", "closed_resolved"):
        case = case_in(state, answer="Đã sửa xong")
        outcome = apply_action(case, "reject_answer", SYSTEM, AT, POLICY,
                               comment="Đường vẫn chưa sửa", reviewed_on="2026-12-18")
        assert outcome.state == "reopened"
        assert outcome.changes["answer"] is None and outcome.changes["closed_at"] is None
        event_type, payload = outcome.event
        assert event_type is contracts.CASE_REOPENED
        assert payload["authority_id"] == "ubnd-xa-tam-hop"
        assert "Đường vẫn chưa sửa" in payload["reason"] and "not satisfied" in payload["reason"]
        assert outcome.changes["next_deadline_at"] is not None  # its answer deadline runs again


def test_members_satisfied_close_the_answered_case_as_resolved():
    outcome = apply_action(case_in("answered"), "accept_answer", SYSTEM, AT, POLICY,
                           comment="", reviewed_on="2026-12-18")
    assert outcome.state == "closed_resolved"
    assert outcome.event[0] is contracts.CASE_CLOSED and outcome.event[1]["outcome"] == "resolved"
    with pytest.raises(Conflict):  # already closed: nothing to accept
        apply_action(case_in("closed_resolved"), "accept_answer", SYSTEM, AT, POLICY)


def test_a_withdrawn_concern_ends_its_case_and_stops_its_clock():
    outcome = apply_action(case_in("in_progress"), "withdraw", SYSTEM, AT, POLICY,
                           reason="Đã được giải quyết tại chỗ")
    assert outcome.state == "withdrawn" and outcome.changes["next_deadline_at"] is None
    assert outcome.event[0] is contracts.CASE_WITHDRAWN
    assert outcome.entry["why"] == "Đã được giải quyết tại chỗ"
    with pytest.raises(InvalidInput):
        apply_action(case_in("routed"), "withdraw", SYSTEM, AT, POLICY, reason=" ")
    with pytest.raises(Conflict):
        apply_action(case_in("closed_unresolved"), "withdraw", SYSTEM, AT, POLICY, reason="x")


def test_nobody_takes_the_branchs_verdicts_by_hand():
    assert set(case_life.EVENT_ACTIONS) == {"withdraw", "accept_answer", "reject_answer"}
    assert not set(case_life.EVENT_ACTIONS) & set(ACTIONS)
    assert "withdraw" not in case_life.allowed_actions("in_progress")
    with pytest.raises(Forbidden):
        check_principal(case_in("answered"), "accept_answer", OFFICER_PRINCIPAL)
