# ruff: noqa: F811  (the fixtures of test_case_life_service, used by name)
"""The branch's decisions reach the case, in the escalations container on the real RabbitMQ:
a concern withdrawn at the branch ends its case (its timeline says why), members satisfied with
an answer close it as resolved, members not satisfied reopen it at the same authority with
their comment, and a redelivered verdict changes nothing more."""
import datetime as dt

from shared import contracts
from tests.answers import ANSWERED_BY_LETTER
from tests.interface.helpers import publish, wait_for
from tests.interface.test_case_life_service import (  # noqa: F401 (fixtures)
    CADRE,
    OFFICER,
    case_config,
    clock_file,
    escalations,
    raise_concern,
)


def answered_case(escalations, case_config):
    case = raise_concern(case_config, escalations)
    escalations.act_on_case(case["case_id"], "start", {}, OFFICER)
    escalations.act_on_case(case["case_id"], "answer",
        {"answer": "Sửa trong quý I", **ANSWERED_BY_LETTER}, OFFICER)
    return case


def reviewed(case, satisfied, comment=""):
    return contracts.ANSWER_REVIEWED.new({
        "case_id": case["case_id"], "concern_id": case["concern_id"], "visit_id": "v2",
        "unit_id": "vp.bx.th.np", "satisfied": satisfied, "comment": comment,
        "reviewed_on": dt.date(2026, 12, 18)})


def status_becomes(escalations, case_id, status):
    return wait_for(lambda: (lambda c: c if c["status"] == status else None)(
        escalations.get_case(case_id, CADRE)), what=f"the case {status}")


def test_members_not_satisfied_reopen_the_case_at_the_same_authority(escalations, case_config):
    case = answered_case(escalations, case_config)
    verdict = reviewed(case, False, "Chưa có thời hạn cụ thể")
    publish(case_config, verdict)
    reopened = status_becomes(escalations, case["case_id"], "reopened")
    assert reopened["authority_id"] == "ubnd-th" and reopened["answer"] is None
    last = reopened["timeline"][-1]
    assert (last["action"], last["user_id"]) == ("reject_answer", "system")
    assert "Chưa có thời hạn cụ thể" in last["why"]
    publish(case_config, verdict)  # redelivered: the subscriber has handled it already
    escalations.act_on_case(case["case_id"], "answer",
        {"answer": "Khởi công 15/1", **ANSWERED_BY_LETTER}, OFFICER)
    publish(case_config, reviewed(case, True, "Đồng ý"))
    closed = status_becomes(escalations, case["case_id"], "closed_resolved")
    assert [line["action"] for line in closed["timeline"]].count("reject_answer") == 1
    assert closed["timeline"][-1]["action"] == "accept_answer"


def test_a_concern_withdrawn_at_the_branch_ends_its_case(escalations, case_config):
    case = raise_concern(case_config, escalations)
    publish(case_config, contracts.CONCERN_WITHDRAWN.new({
        "concern_id": case["concern_id"], "visit_id": case["concern_id"],
        "unit_id": "vp.bx.th.np", "reason": "Đã được giải quyết tại chỗ",
        "withdrawn_at": contracts.utcnow()}))
    withdrawn = status_becomes(escalations, case["case_id"], "withdrawn")
    assert withdrawn["timeline"][-1]["why"] == "Đã được giải quyết tại chỗ"
    assert withdrawn["due_at"] is None and withdrawn["allowed_actions"] == []
