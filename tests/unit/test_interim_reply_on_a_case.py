"""Issue 25, the interim reply (gia hạn) wired into a case's life: the holder, while the answer
deadline runs, reports progress and commits to a working day; the answer deadline becomes that
day, so the sweep reminds and escalates against it; once per case, never after the deadline nor
to a day before it (refused by name, nothing changed). The branch's view, the cadre's mail and
the timeline tell it."""
import datetime as dt

import pytest

from services.escalations import case_clock, cases, sla
from services.escalations.interim_reply import interim_outcome
from services.gateway.pages.interim import interim_body
from services.gateway.pages.timeline import sentences
from services.notifications import messages
from services.visits import branch
from shared.contracts.rpc.cases import CaseWithTimeline
from shared.errors import Conflict, InvalidInput
from tests.unit.test_case_life import AT, OFFICER, POLICY, case_in
from tests.unit.test_notification_messages import TRAN_THI_BINH, facts

NOTE = "Đã khảo sát hiện trạng, đang chờ phân bổ kinh phí"
# case_in's answer deadline is Wednesday 16 December 2026; this is Wednesday 30 December
COMMITTED = dt.date(2026, 12, 30)


def working_case(**overrides):
    case = case_in("in_progress", **overrides)
    return {**case, **case_clock.schedule(case, POLICY)}


def give(case, at=AT, committed_on=COMMITTED, note=NOTE):
    return interim_outcome(case, OFFICER, at, POLICY, committed_on, note)


def test_the_committed_date_becomes_the_answer_deadline_the_sweep_runs_to():
    case = working_case(reminded=["answer:2026-12-16"])  # reminded of the old deadline
    outcome = give(case)
    assert outcome.state == "in_progress"
    assert outcome.changes["answer_by"] == "2026-12-30"
    assert outcome.changes["interim_reply"] == {
        "committed_on": "2026-12-30", "original_answer_by": "2026-12-16", "note": NOTE,
        "at": AT, "by": "officer-1"}
    assert outcome.changes["due_at"] == sla.deadline_at(COMMITTED)
    after = {**case, **outcome.changes}
    # past the old deadline the sweep does not escalate it; past the committed date it does
    past_old = sla.deadline_at(dt.date(2026, 12, 16)) + dt.timedelta(hours=1)
    assert case_clock.due(case, past_old) == "escalate"
    assert case_clock.due(after, past_old) is None
    assert after["next_deadline_kind"] == "answer_reminder"  # reminded anew of the new date
    reminded = {**after, **case_clock.note_deadline_near(after, past_old, POLICY).changes}
    assert case_clock.due(reminded, sla.deadline_at(COMMITTED) - dt.timedelta(minutes=1)) \
        is None
    assert case_clock.due(reminded, sla.deadline_at(COMMITTED)) == "escalate"
    assert case_clock.breach_reason(reminded) == "answer deadline 2026-12-30 passed"


def test_its_event_and_timeline_line_say_it_in_the_readers_words():
    outcome = give(working_case())
    event_type, payload = outcome.event
    assert event_type.name == "case_interim_replied"
    loaded = event_type.schema.load(event_type.schema.dump(payload))
    assert (loaded["committed_on"], loaded["original_answer_by"], loaded["note"]) == (
        COMMITTED, dt.date(2026, 12, 16), NOTE)
    shown = CaseWithTimeline().dump(cases.shown(
        {**working_case(), **outcome.changes, "timeline": [outcome.entry]}, AT,
        {"ubnd-xa-tam-hop": "UBND xã Tam Hợp"}))
    assert shown["interim_reply"]["committed_on"] == "2026-12-30"
    [line] = sentences(shown["timeline"], "vi")
    assert "trả lời tạm (gia hạn), hẹn trả lời trước hết ngày 30/12/2026 (hạn cũ 16/12/2026)" \
        in line["sentence"]
    assert line["quoted"] == NOTE


@pytest.mark.parametrize("case, at, committed_on, note, field, code", [
    (working_case(interim_reply={"committed_on": "2026-12-16"}), AT, COMMITTED, NOTE,
     "committed_on", "interim_already_given"),
    (working_case(), dt.datetime(2026, 12, 17, 9, tzinfo=AT.tzinfo), COMMITTED, NOTE,
     "committed_on", "interim_after_deadline"),
    (working_case(), AT, dt.date(2026, 12, 15), NOTE, "committed_on",
     "interim_date_before_deadline"),
    (working_case(), AT, dt.date(2026, 12, 26), NOTE, "committed_on",
     "interim_date_not_working_day"),
    (working_case(), AT, COMMITTED, "sắp xong", "note", "interim_note_length"),
])
def test_a_bad_interim_reply_is_refused_by_name(case, at, committed_on, note, field, code):
    before = dict(case)
    with pytest.raises(InvalidInput) as refused:
        give(case, at, committed_on, note)
    assert refused.value.reasons[field][0]["code"] == code
    assert case == before


@pytest.mark.parametrize("status", ["routed", "awaiting_information", "answered",
                                    "closed_resolved"])
def test_no_interim_reply_while_no_answer_deadline_runs(status):
    with pytest.raises(Conflict):
        give(case_in(status))


def test_the_branch_brief_and_the_cadres_mail_tell_the_committed_date():
    payload = {"case_id": "k1", "concern_id": "c1", "authority_id": "ubnd-xa-tam-hop",
               "committed_on": COMMITTED, "original_answer_by": dt.date(2026, 12, 16),
               "note": NOTE}
    assert branch.case_changes("case_interim_replied", payload) == {
        "case_id": "k1", "authority_id": "ubnd-xa-tam-hop", "due_on": "2026-12-30",
        "interim_committed_on": "2026-12-30", "interim_note": NOTE}
    message = messages.interim_reply_given(facts(), TRAN_THI_BINH, "UBND xã Tam Hợp",
                                           COMMITTED, NOTE)
    assert message.recipient == TRAN_THI_BINH
    assert "hẹn ngày trả lời" in message.subject
    assert "UBND xã Tam Hợp báo tiến độ" in message.body
    assert "hẹn trả lời trước hết ngày 30/12/2026" in message.body and NOTE in message.body


def test_the_page_form_sends_what_was_typed():
    assert interim_body({"csrf": "x", "committed_on": " 2026-12-30 ", "note": NOTE}) == {
        "committed_on": "2026-12-30", "note": NOTE}
    assert interim_body({"csrf": "x"}) == {"committed_on": "", "note": ""}

