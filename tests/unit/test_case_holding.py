"""Taking a case to work on (services/escalations/holding.py): an officer of the holder takes
it, the state stays, the timeline and ``case_assigned`` say who; a case changing hands has
nobody at its new holder."""
import pytest

from services.escalations import holding
from services.escalations.case_life import STATES, TRANSITIONS
from shared import contracts
from shared.authorisation import Principal
from shared.errors import Conflict, Forbidden, InvalidInput, NotFound
from tests.unit.test_case_life import AT, OFFICER_PRINCIPAL, act, case_in

COLLEAGUE = Principal("officer-2", "authority_officer", authority_id="ubnd-xa-tam-hop")
DISTRICT = Principal("officer-9", "authority_officer", authority_id="ubnd-huyen-binh-xuyen")


def test_an_officer_of_the_holder_takes_the_case_without_changing_its_state():
    outcome = holding.take(case_in("acknowledged"), OFFICER_PRINCIPAL, AT)
    assert outcome.state == "acknowledged"
    assert outcome.changes == {"assignee_user_id": "officer-1"}
    assert (outcome.entry["action"], outcome.entry["from_state"], outcome.entry["to_state"]) \
        == ("take", "acknowledged", "acknowledged")
    event_type, payload = outcome.event
    assert event_type is contracts.CASE_ASSIGNED
    assert payload["assignee_user_id"] == "officer-1"
    # taking is no row of the case machine's table
    assert "take" not in {row.action for row in TRANSITIONS}


def test_a_colleague_may_take_it_over_but_nobody_takes_it_twice():
    taken = case_in("in_progress", assignee_user_id="officer-1")
    assert holding.take(taken, COLLEAGUE, AT).changes == {"assignee_user_id": "officer-2"}
    with pytest.raises(Conflict) as refused:
        holding.take(taken, OFFICER_PRINCIPAL, AT)
    assert refused.value.reasons["assignee_user_id"][0]["code"] == "already_yours"


def test_only_the_holders_officers_take_and_only_while_the_holder_has_work():
    with pytest.raises(Forbidden):
        holding.take(case_in("routed"), DISTRICT, AT)
    finished = [state for state in STATES if state.startswith("closed_")]
    for state in [*finished, "withdrawn"]:
        with pytest.raises(Conflict):
            holding.take(case_in(state), OFFICER_PRINCIPAL, AT)


@pytest.mark.parametrize("action", ["redirect", "escalate"])
def test_a_case_that_changes_hands_has_nobody_at_its_new_holder(action):
    moved = act(case_in("in_progress", assignee_user_id="officer-1"), action)
    assert moved.changes["assignee_user_id"] is None


# --- reply templates (services/escalations/reply_templates.py) -------------------------------

def test_a_case_uses_only_its_holders_templates_for_that_action_and_topic():
    from services.escalations.reply_templates import check_usable, new_template
    template = new_template({"authority_id": "ubnd-xa-tam-hop", "kind": "answer",
                             "topic": "*", "title": "Đã xử lý", "text": "Xã đã xử lý."},
                            OFFICER_PRINCIPAL, AT)
    assert template["created_by"] == "officer-1"
    case = case_in("in_progress")
    check_usable(template, case, "answer")
    check_usable({**template, "topic": "infrastructure"}, case, "answer")
    for wrong, action, code in (
            ({**template, "authority_id": "ubnd-huyen-binh-xuyen"}, "answer", "unknown_template"),
            (None, "answer", "unknown_template"),
            (template, "request_information", "template_for_other_action"),
            ({**template, "topic": "land"}, "answer", "template_for_other_topic")):
        with pytest.raises(InvalidInput) as refused:
            check_usable(wrong, case, action)
        assert refused.value.reasons["template_id"][0]["code"] == code
    with pytest.raises(NotFound):  # another authority's templates are not theirs to add
        new_template({**template, "authority_id": "ubnd-huyen-binh-xuyen"}, OFFICER_PRINCIPAL,
                     AT)
