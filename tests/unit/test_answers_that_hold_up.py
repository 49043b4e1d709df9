"""Issue 25, answers that hold up when read aloud: an answer says how it settled the matter
(solved, explained, not competent naming the right body, the complaint procedure naming the
law, duplicate), names the unit that answered and its official letter or why there is none; a
refusal names what is missing and changes nothing. The case, its event and its timeline carry
it; the statistics count per outcome and rate only settled answers for being on time; a
"not satisfied" vote says why in one line."""
import datetime as dt

import pytest
from marshmallow import ValidationError

from services.escalations import answer_outcomes, cases
from services.escalations.statistics import case_statistics
from services.gateway.pages.officer import action_arguments
from services.gateway.pages.timeline import sentences
from services.notifications import messages
from shared import contracts
from shared.contracts.rpc.cases import CaseWithTimeline
from shared.contracts.rpc.visits import LogVisit
from shared.errors import InvalidInput
from tests.unit.test_case_life import AT, act, case_in
from tests.unit.test_notification_messages import TRAN_THI_BINH, facts

TODAY = AT.date()
# what an officer's answer may send besides its text (each left out: None)
ANSWER_INPUTS = ("outcome", "right_body", "law", "answering_unit", "letter_number",
                 "letter_date", "no_letter_reason")
LETTER = {"answering_unit": "Phòng Kinh tế - Hạ tầng", "letter_number": "125/UBND-KT",
          "letter_date": "2026-11-24"}


# --- the rule --------------------------------------------------------------------------------

@pytest.mark.parametrize("args, kept", [
    ({"outcome": "solved", **LETTER},
     {"outcome": "solved", "answering_unit": "Phòng Kinh tế - Hạ tầng",
      "letter": {"number": "125/UBND-KT", "date": "2026-11-24"}, "no_letter_reason": None}),
    ({"outcome": "not_competent", "right_body": " Tòa án nhân dân huyện ",
      "answering_unit": "Văn phòng UBND xã",
      "no_letter_reason": "Trả lời trực tiếp tại buổi tiếp dân"},
     {"outcome": "not_competent", "right_body": "Tòa án nhân dân huyện",
      "answering_unit": "Văn phòng UBND xã", "letter": None,
      "no_letter_reason": "Trả lời trực tiếp tại buổi tiếp dân"}),
    ({"outcome": "complaint_procedure", "law": "Luật Tố cáo 2018", **LETTER},
     {"outcome": "complaint_procedure", "law": "Luật Tố cáo 2018",
      "answering_unit": "Phòng Kinh tế - Hạ tầng",
      "letter": {"number": "125/UBND-KT", "date": "2026-11-24"}, "no_letter_reason": None}),
])
def test_an_answer_keeps_its_outcome_unit_and_letter(args, kept):
    assert answer_outcomes.check_answer(args, TODAY) == kept


@pytest.mark.parametrize("args, field, code", [
    ({**LETTER}, "outcome", "outcome_unknown"),
    ({"outcome": "fixed", **LETTER}, "outcome", "outcome_unknown"),
    ({"outcome": "not_competent", **LETTER}, "right_body", "outcome_needs_right_body"),
    ({"outcome": "complaint_procedure", "law": "  ", **LETTER}, "law", "outcome_needs_law"),
    ({"outcome": "solved", **LETTER, "answering_unit": ""}, "answering_unit",
     "answer_needs_unit"),
    ({"outcome": "solved", "answering_unit": "Văn phòng"}, "letter_number",
     "answer_needs_letter"),
    ({"outcome": "solved", **LETTER, "no_letter_reason": "Trả lời trực tiếp tại buổi họp"},
     "no_letter_reason", "letter_or_reason"),
    ({"outcome": "solved", **LETTER, "letter_date": None}, "letter_date",
     "answer_needs_letter_date"),
    ({"outcome": "solved", **LETTER, "letter_date": "2026-11-26"}, "letter_date",
     "letter_dated_later"),
    ({"outcome": "solved", "answering_unit": "Văn phòng", "no_letter_reason": "không có"},
     "no_letter_reason", "no_letter_reason_length"),
])
def test_an_answer_missing_what_it_must_name_is_refused_by_name(args, field, code):
    with pytest.raises(answer_outcomes.OutcomeRefused) as refused:
        answer_outcomes.check_answer(args, TODAY)
    assert (refused.value.field, refused.value.code) == (field, code)
    case = case_in("in_progress")
    with pytest.raises(InvalidInput) as invalid:  # through the case machine: a 400 by name
        act(case, "answer", **{**dict.fromkeys(ANSWER_INPUTS), **args})
    assert invalid.value.reasons[field][0]["code"] == code
    assert case == case_in("in_progress")  # nothing changed


# --- on the case, its event and its timeline ---------------------------------------------------

def answered(**args):
    return act(case_in("in_progress"), "answer",
               **{"outcome": "not_competent", "right_body": "Tòa án nhân dân huyện", **LETTER,
                  **args})


def test_the_answer_record_is_on_the_case_on_its_event_and_on_its_timeline():
    outcome = answered()
    assert {name: outcome.changes[name] for name in contracts.ANSWER_RECORD_FIELDS} == {
        "outcome": "not_competent", "right_body": "Tòa án nhân dân huyện", "law": None,
        "answering_unit": "Phòng Kinh tế - Hạ tầng",
        "letter": {"number": "125/UBND-KT", "date": "2026-11-24"}, "no_letter_reason": None}
    event_type, payload = outcome.event
    loaded = event_type.schema.load(event_type.schema.dump(payload))
    assert (loaded["outcome"], loaded["right_body"], loaded["letter"]["number"]) == (
        "not_competent", "Tòa án nhân dân huyện", "125/UBND-KT")
    shown = CaseWithTimeline().dump(cases.shown(
        {**case_in("in_progress"), **outcome.changes, "timeline": [outcome.entry]}, AT,
        {"ubnd-xa-tam-hop": "UBND xã Tam Hợp"}))
    assert shown["outcome"] == "not_competent" and shown["answering_unit"]
    line = sentences(shown["timeline"], "vi")[0]["sentence"]
    assert "không thuộc thẩm quyền, đề nghị gửi Tòa án nhân dân huyện" in line
    assert "Phòng Kinh tế - Hạ tầng trả lời" in line
    assert "bằng công văn số 125/UBND-KT ngày 24/11/2026" in line
    no_letter = answered(letter_number=None, letter_date=None,
                         no_letter_reason="Trả lời trực tiếp tại buổi tiếp dân")
    line = sentences([no_letter.entry], "vi")[0]["sentence"]
    assert "không có công văn: Trả lời trực tiếp tại buổi tiếp dân" in line


def test_an_answer_event_from_before_outcomes_still_reads():
    schema = contracts.CASE_ANSWERED.schema
    old = {"case_id": "k1", "concern_id": "c1", "authority_id": "a1", "answer": "Đã sửa",
           "answered_at": "2026-11-25T02:00:00+00:00", "original_case_id": None}
    assert schema.load(old)["outcome"] is None and schema.load(old)["letter"] is None


def test_a_duplicate_takes_its_originals_unit_and_letter_with_the_duplicate_outcome():
    outcome = act(case_in("duplicate_of"), "answer", answering_unit="Phòng Kinh tế",
                  letter={"number": "125/UBND-KT", "date": "2026-11-24"},
                  no_letter_reason=None)
    assert outcome.changes["outcome"] == "duplicate"
    assert outcome.changes["letter"] == {"number": "125/UBND-KT", "date": "2026-11-24"}


def test_a_second_answer_after_a_reopening_replaces_the_first_ones_record():
    first = answered()
    reopened = {**case_in("reopened"), **first.changes, "status": "reopened"}
    again = act(reopened, "answer", outcome="solved", **LETTER)
    assert again.changes["outcome"] == "solved" and again.changes["right_body"] is None


def test_the_answer_form_sends_only_what_was_filled_in():
    form = {"csrf": "x", "answer": "Đã chuyển", "outcome": "complaint_procedure",
            "law": "Luật Khiếu nại 2011", "right_body": " ", "answering_unit": "Văn phòng",
            "letter_number": "", "letter_date": "", "no_letter_reason": "Trả lời tại buổi họp"}
    assert action_arguments("answer", form) == {
        "answer": "Đã chuyển", "outcome": "complaint_procedure", "law": "Luật Khiếu nại 2011",
        "answering_unit": "Văn phòng", "no_letter_reason": "Trả lời tại buổi họp"}


def test_the_cadres_answer_mail_says_the_outcome_the_unit_and_the_letter():
    message = messages.answer_arrived(facts(), TRAN_THI_BINH, "UBND xã Tam Hợp", "Chuyển Tòa án", {
        "outcome": "not_competent", "right_body": "Tòa án nhân dân huyện",
        "answering_unit": "Văn phòng UBND xã", "letter": {"number": "12/UBND",
                                                            "date": "2026-12-01"}})
    assert "Kết quả trả lời: Không thuộc thẩm quyền: Tòa án nhân dân huyện" in message.body
    assert "Đơn vị trả lời: Văn phòng UBND xã, công văn số 12/UBND ngày 01/12/2026" in message.body
    old = messages.answer_arrived(facts(), TRAN_THI_BINH, "UBND xã Tam Hợp", "Đã sửa",
                                  {"outcome": None})
    assert "Kết quả trả lời" not in old.body


# --- statistics: a hand-computed fixture -------------------------------------------------------

def summary(outcome, answered_day, answer_by="2026-11-20", **more):
    """A case of UBND xã Tam Hợp about infrastructure, received 2 November, answered (or not)
    on ``answered_day`` of November 2026 at 10:00 in Vietnam."""
    answered_at = (dt.datetime(2026, 11, answered_day, 3, tzinfo=dt.timezone.utc)
                   if answered_day else None)
    return {"authority_id": "ubnd-xa-tam-hop", "topic": "infrastructure",
            "status": "answered" if answered_day else "in_progress",
            "received_at": dt.datetime(2026, 11, 2, 3, tzinfo=dt.timezone.utc),
            "acknowledged_at": None, "acknowledge_by": "2026-11-05",
            "answered_at": answered_at, "answer_by": answer_by, "reopened_count": 0,
            "outcome": outcome, **more}


def test_statistics_count_per_outcome_and_rate_only_settled_answers_for_being_on_time():
    fixture = [
        summary("solved", 18),                    # settled, on time
        summary("solved", 23),                    # settled, late (deadline 20 November)
        summary("explained", 20),                 # settled, on time (the deadline's own day)
        summary("not_competent", 5),              # sent elsewhere quickly: not settled
        summary("complaint_procedure", 6),        # likewise
        summary("duplicate", 7),                  # follows another case
        summary(None, 10),                        # answered before outcomes were recorded
        summary(None, None),                      # not answered yet
        summary("solved", 27, answer_by="2026-11-27"),  # on time to its committed date
    ]
    [row] = case_statistics(fixture)
    assert row["received"] == 9 and row["answered"] == 8
    assert row["answered_on_time"] == 7  # every answer before its deadline, refusals too
    assert row["outcomes"] == {"solved": 3, "explained": 1, "not_competent": 1,
                               "complaint_procedure": 1, "duplicate": 1}
    # solved on the 18th, explained on the 20th, solved on the 27th (committed): 3 of 4
    assert (row["settled"], row["settled_on_time"], row["on_time_rate"]) == (4, 3, 0.75)
    # counting the refusals and the duplicate would have made it 6 of 7
    assert row["on_time_rate"] < row["answered_on_time"] / row["answered"]


def test_statistics_without_a_settled_answer_have_no_on_time_rate():
    [row] = case_statistics([summary("not_competent", 5), summary(None, None)])
    assert (row["settled"], row["on_time_rate"]) == (0, None)


# --- a "not satisfied" vote says why ------------------------------------------------------------

def visit_with(review):
    return {"submission_id": "s1", "unit_id": "thon-noi-phat", "meeting_date": "2026-11-24",
            "meeting_kind": "regular", "attendance": {"expected": 20, "present": 18},
            "assessment": {"leadership": 4, "education": 4, "combativeness": 4},
            "concerns": [], "answer_reviews": [{"case_id": "k1", **review}]}


@pytest.mark.parametrize("review, code", [
    ({"satisfied": False}, "not_satisfied_needs_reason"),
    ({"satisfied": False, "comment": "   "}, "not_satisfied_needs_reason"),
    ({"satisfied": False, "comment": "Đường vẫn ngập\nsau mưa"}, "one_line"),
    ({"satisfied": False, "comment": "x" * 301}, "one_line"),
])
def test_a_not_satisfied_vote_without_a_one_line_reason_is_refused(review, code):
    with pytest.raises(ValidationError) as refused:
        LogVisit().load(visit_with(review))
    [message] = refused.value.messages["answer_reviews"][0]["comment"]
    assert message.code == code


def test_a_satisfied_vote_needs_no_reason_and_a_not_satisfied_one_keeps_it():
    assert LogVisit().load(visit_with({"satisfied": True}))["answer_reviews"][0]["comment"] == ""
    kept = LogVisit().load(visit_with({"satisfied": False, "comment": "Chưa có thời hạn"}))
    assert kept["answer_reviews"][0]["comment"] == "Chưa có thời hạn"
