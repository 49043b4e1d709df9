"""The authority's desk, part 2 (issue 24): its head assigns a case to a named officer of the
same authority (services/escalations/holding.py), officers change and delete reply templates
(reply_templates.py), and the officer working on a case is told what the holder is told
(case_life's events carry the assignee)."""
import pytest

from services.escalations import holding, reply_templates
from services.escalations.case_clock import note_deadline_near
from services.escalations.case_life import TRANSITIONS
from shared import contracts
from shared.authorisation import Principal
from shared.errors import Conflict, Forbidden, InvalidInput, NotFound
from tests.unit.test_case_life import AT, OFFICER_PRINCIPAL, POLICY, act, case_in

HEAD = Principal("head-1", "authority_officer", authority_id="ubnd-xa-tam-hop",
                 authority_head=True)
OTHER_HEAD = Principal("head-9", "authority_officer", authority_id="ubnd-huyen-binh-xuyen",
                       authority_head=True)


def officer(user_id="officer-2", **overrides):
    """An officer as escalations' read model of accounts' events keeps them."""
    return {"_id": user_id, "display_name": "Nguyễn Văn Hùng", "role": "authority_officer",
            "authority_id": "ubnd-xa-tam-hop", "authority_head": False, "enabled": True,
            **overrides}


def test_the_head_assigns_a_named_officer_and_the_line_says_who_assigned_whom():
    outcome = holding.assign(case_in("acknowledged"), HEAD, officer(), AT)
    assert outcome.state == "acknowledged"
    assert outcome.changes == {"assignee_user_id": "officer-2"}
    entry = outcome.entry
    assert (entry["action"], entry["user_id"], entry["assignee_user_id"],
            entry["assignee_name"]) == ("assign", "head-1", "officer-2", "Nguyễn Văn Hùng")
    assert entry["from_state"] == entry["to_state"] == "acknowledged"
    event_type, payload = outcome.event
    assert event_type is contracts.CASE_ASSIGNED
    assert (payload["assignee_user_id"], payload["assigned_by"]) == ("officer-2", "head-1")
    contracts.CASE_ASSIGNED.new(payload)  # the contract takes it
    assert "assign" not in {row.action for row in TRANSITIONS}
    # taking it oneself names nobody as assigning it
    assert holding.take(case_in("acknowledged"), OFFICER_PRINCIPAL, AT).event[1][
        "assigned_by"] is None


@pytest.mark.parametrize("who", [OFFICER_PRINCIPAL, OTHER_HEAD, None])
def test_only_the_head_of_the_holding_authority_assigns(who):
    with pytest.raises(Forbidden):
        holding.assign(case_in("acknowledged"), who, officer(), AT)


@pytest.mark.parametrize("record, code", [
    (officer(authority_id="ubnd-huyen-binh-xuyen"), "officer_of_other_authority"),
    (officer(enabled=False), "officer_disabled"),
    (officer(role="cadre", authority_id=None), "not_an_officer"),
    (None, "unknown_user"),
])
def test_an_officer_who_cannot_work_on_it_is_refused_by_name(record, code):
    case = case_in("in_progress")
    with pytest.raises(InvalidInput) as refused:
        holding.assign(case, HEAD, record, AT)
    said = refused.value.reasons["user_id"][0]
    assert said["code"] == code
    if record is not None:
        assert said["name"] == "Nguyễn Văn Hùng"


def test_a_confidential_case_goes_only_to_an_officer_the_head_named_on_it():
    case = case_in("in_progress", confidential=True, named_officer_ids=[])
    with pytest.raises(InvalidInput) as refused:
        holding.assign(case, HEAD, officer(), AT)
    assert refused.value.reasons["user_id"][0]["code"] == "officer_not_cleared"
    named = {**case, "named_officer_ids": ["officer-2"]}
    assert holding.assign(named, HEAD, officer(), AT).changes["assignee_user_id"] == "officer-2"


def test_nobody_is_assigned_twice_nor_a_case_with_nothing_left_to_do():
    with pytest.raises(Conflict) as refused:
        holding.assign(case_in("in_progress", assignee_user_id="officer-2"), HEAD, officer(), AT)
    assert refused.value.reasons["user_id"][0]["code"] == "already_assigned"
    with pytest.raises(Conflict):
        holding.assign(case_in("closed_resolved"), HEAD, officer(), AT)


def test_the_officer_working_on_it_is_named_in_what_the_holder_is_told():
    taken = {"assignee_user_id": "officer-2"}
    reopened = act(case_in("closed_unresolved", **taken), "reopen", reason="Chưa sửa")
    provided = act(case_in("awaiting_information", **taken), "provide_information",
                   information="Đoạn 300 m")
    near = note_deadline_near(case_in("acknowledged", **taken), AT, POLICY)
    for outcome in (reopened, provided, near):
        event_type, payload = outcome.event
        assert payload["assignee_user_id"] == "officer-2"
        event_type.new(payload)
    assert act(case_in("awaiting_information"), "provide_information",
               information="x").event[1]["assignee_user_id"] is None


# --- reply templates changed and deleted ------------------------------------------------------

def template(**overrides):
    return {"_id": "t1", "authority_id": "ubnd-xa-tam-hop", "kind": "answer", "topic": "*",
            "title": "Đã xử lý", "text": "Xã đã xử lý.", **overrides}


def test_an_officer_changes_a_template_and_the_change_says_who_and_which_fields():
    changed, line = reply_templates.change(template(), {"title": "Đã xử lý xong",
                                                        "text": "Xã đã xử lý."},
                                           OFFICER_PRINCIPAL, AT)
    assert changed == {"title": "Đã xử lý xong", "changed_by": "officer-1", "changed_at": AT}
    assert line == {"by": "officer-1", "at": AT, "action": "change", "fields": ["title"]}
    with pytest.raises(InvalidInput) as refused:
        reply_templates.change(template(), {"title": "Đã xử lý"}, OFFICER_PRINCIPAL, AT)
    assert refused.value.reasons["_schema"][0]["code"] == "nothing_changed"


def test_another_authoritys_template_or_a_deleted_one_is_missing_to_an_officer():
    for wrong in (template(authority_id="ubnd-huyen-binh-xuyen"), template(deleted_at=AT),
                  None):
        with pytest.raises(NotFound):
            reply_templates.change(wrong, {"title": "x"}, OFFICER_PRINCIPAL, AT)
        with pytest.raises(NotFound):
            reply_templates.delete(wrong, OFFICER_PRINCIPAL, AT)


def test_a_deleted_template_is_kept_but_no_answer_starts_from_it_any_more():
    deleted, line = reply_templates.delete(template(), OFFICER_PRINCIPAL, AT)
    assert deleted == {"deleted_by": "officer-1", "deleted_at": AT}
    assert line["action"] == "delete"
    reply_templates.check_usable(template(), case_in("in_progress"), "answer")
    with pytest.raises(InvalidInput) as refused:
        reply_templates.check_usable({**template(), **deleted}, case_in("in_progress"),
                                     "answer")
    assert refused.value.reasons["template_id"][0]["code"] == "unknown_template"
