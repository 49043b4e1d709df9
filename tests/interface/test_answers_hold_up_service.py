# ruff: noqa: F811  (the fixtures of test_case_life_service, used by name)
"""Issue 25 through the escalations service in a nameko container on the real RabbitMQ: an
answer refused by name while it misses its unit, letter or named body (nothing changes), kept
with its outcome and counted per outcome in the statistics; the interim reply over RPC (an
officer of the holder only, once, the answer deadline moved to the committed date); and the
branch's view in the visits service taking both from the events."""
import datetime as dt

import pytest

from shared import contracts
from shared.clock import Clock
from shared.errors import Forbidden, InvalidInput, NotFound
from tests.interface.helpers import publish, wait_for
from tests.interface.test_answer_back_at_visits import BINH, visits  # noqa: F401 (fixture)
from tests.interface.test_case_life_service import (  # noqa: F401 (fixtures)
    CADRE,
    OFFICER,
    OFFICER_BX,
    case_config,
    clock_file,
    escalations,
    raise_concern,
)

UNIT_NAME = "Văn phòng HĐND và UBND xã Tam Hợp"
NOTE = "Đã khảo sát hiện trạng, chờ phân bổ kinh phí"


def working_case(escalations, case_config):
    case = raise_concern(case_config, escalations)
    escalations.act_on_case(case["case_id"], "start", {}, OFFICER)
    return escalations.get_case(case["case_id"], OFFICER)


def test_an_answer_missing_what_it_must_name_is_refused_and_changes_nothing(escalations,
                                                                            case_config):
    case = working_case(escalations, case_config)
    for args, field, code in (
            ({"outcome": "solved", "answering_unit": UNIT_NAME}, "letter_number",
             "answer_needs_letter"),
            ({"outcome": "not_competent", "answering_unit": UNIT_NAME,
              "no_letter_reason": "Trả lời trực tiếp tại buổi tiếp dân"}, "right_body",
             "outcome_needs_right_body")):
        with pytest.raises(InvalidInput) as refused:
            escalations.act_on_case(case["case_id"], "answer", {"answer": "Đã xử lý", **args},
                                    OFFICER)
        assert refused.value.reasons[field] == [{"code": code}]
    with pytest.raises(InvalidInput) as refused:  # the schema: outcome and unit are required
        escalations.act_on_case(case["case_id"], "answer", {"answer": "Đã xử lý"}, OFFICER)
    assert set(refused.value.fields) == {"outcome", "answering_unit"}
    after = escalations.get_case(case["case_id"], OFFICER)
    assert (after["status"], after["version"], after["outcome"]) == (
        "in_progress", case["version"], None)


def test_an_answer_keeps_its_record_and_the_statistics_count_it_per_outcome(escalations,
                                                                           case_config):
    solved, referred = (working_case(escalations, case_config) for _ in range(2))
    escalations.act_on_case(solved["case_id"], "answer", {
        "answer": "Đã nạo vét cống", "outcome": "solved", "answering_unit": UNIT_NAME,
        "letter_number": "125/UBND-VP", "letter_date": dt.date.today().isoformat()}, OFFICER)
    shown = escalations.act_on_case(referred["case_id"], "answer", {
        "answer": "Đề nghị gửi Tòa án", "outcome": "not_competent",
        "right_body": "Tòa án nhân dân huyện Bình Xuyên", "answering_unit": UNIT_NAME,
        "no_letter_reason": "Trả lời trực tiếp tại buổi tiếp dân"}, OFFICER)
    assert (shown["outcome"], shown["right_body"], shown["no_letter_reason"]) == (
        "not_competent", "Tòa án nhân dân huyện Bình Xuyên",
        "Trả lời trực tiếp tại buổi tiếp dân")
    assert shown["timeline"][-1]["because"]["code"] == "outcome_not_competent"
    today = Clock().today()
    [row] = escalations.statistics({
        "authority_id": "ubnd-th", "period_from": (today - dt.timedelta(days=1)).isoformat(),
        "period_to": (today + dt.timedelta(days=1)).isoformat()}, OFFICER)["rows"]
    assert row["outcomes"]["solved"] == 1 and row["outcomes"]["not_competent"] == 1
    assert (row["answered_on_time"], row["settled"], row["settled_on_time"],
            row["on_time_rate"]) == (2, 1, 1, 1.0)


def test_an_interim_reply_moves_the_answer_deadline_once(escalations, case_config):
    case = working_case(escalations, case_config)
    calendar_next = dt.date.fromisoformat(case["answer_by"]) + dt.timedelta(days=7)
    while calendar_next.weekday() >= 5:
        calendar_next += dt.timedelta(days=1)
    reply = {"committed_on": calendar_next.isoformat(), "note": NOTE}
    with pytest.raises(Forbidden):  # the raising side does not extend the authority's deadline
        escalations.give_interim_reply(case["case_id"], reply, CADRE)
    with pytest.raises(NotFound):  # another authority's officer: as for a missing case
        escalations.give_interim_reply(case["case_id"], reply, OFFICER_BX)
    given = escalations.give_interim_reply(case["case_id"], reply, OFFICER)
    assert given["answer_by"] == calendar_next.isoformat() == given["due_on"]
    assert given["interim_reply"]["original_answer_by"] == case["answer_by"]
    assert given["timeline"][-1]["action"] == "interim_reply"
    with pytest.raises(InvalidInput) as refused:
        escalations.give_interim_reply(case["case_id"], reply, OFFICER)
    assert refused.value.reasons["committed_on"] == [{"code": "interim_already_given"}]
    assert escalations.get_case(case["case_id"], OFFICER)["version"] == given["version"]


def test_the_branch_view_takes_the_outcome_and_the_interim_reply_from_the_events(visits,
                                                                                  config):
    logged = visits.log_visit({
        "submission_id": contracts.new_id(), "unit_id": "vp.np",
        "meeting_date": dt.date.today().isoformat(), "meeting_kind": "regular",
        "attendance": {"present": 20, "expected": 25},
        "assessment": {"leadership": 4, "education": 4, "combativeness": 4},
        "concerns": [{"topic": "land", "summary": "Ranh giới đất", "raised_by": "resident"}]},
        BINH)
    concern_id = logged["concerns"][0]["concern_id"]
    refs = {"case_id": "k1", "concern_id": concern_id, "authority_id": "ubnd-th"}
    publish(config, contracts.CASE_INTERIM_REPLIED.new({
        **refs, "committed_on": dt.date(2027, 1, 15), "original_answer_by": dt.date(2027, 1, 5),
        "note": NOTE}))
    brief = wait_for(lambda: (lambda b: b if b["open_concerns"] and b["open_concerns"][0].get(
        "interim_committed_on") else None)(visits.branch_brief("vp.np", {}, BINH)),
        what="the interim reply in the brief")
    assert brief["open_concerns"][0]["interim_note"] == NOTE
    assert brief["open_concerns"][0]["due_on"] == "2027-01-15"
    publish(config, contracts.CASE_ANSWERED.new({
        **refs, "answer": "Chuyển Tòa án", "answered_at": dt.datetime.now(dt.timezone.utc),
        "outcome": "not_competent", "right_body": "Tòa án nhân dân huyện",
        "answering_unit": UNIT_NAME, "letter": {"number": "12/UBND", "date": "2027-01-04"}}))
    answer = wait_for(lambda: visits.get_concern(concern_id, BINH)["answer"],
                      what="the answer")
    assert (answer["outcome"], answer["right_body"], answer["letter"]["number"]) == (
        "not_competent", "Tòa án nhân dân huyện", "12/UBND")
    read_out = wait_for(lambda: visits.branch_brief("vp.np", {}, BINH)["answers_to_read_out"],
                        what="the answer to read out")
    assert read_out[0]["outcome"] == "not_competent"
    assert read_out[0]["answering_unit"] == UNIT_NAME
