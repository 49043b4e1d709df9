"""What each case event tells whom: recipients, Vietnamese subjects and bodies, stable keys."""
import datetime as dt

import pytest

from services.notifications import cases, directory, messages
from services.notifications.messages import CaseFacts, Recipient
from shared import contracts, topology
from tests.english import english_in

UBND_TAM_HOP = Recipient("authority", "ubnd-xa-tam-hop", "UBND xã Tam Hợp",
                         "ubnd-xa-tam-hop@vinhphuc.example")
TRAN_THI_BINH = Recipient("cadre", "tran-thi-binh", "Trần Thị Bình",
                          "tran-thi-binh@vinhphuc.example")


def facts(**overrides):
    values = {"case_id": "k1", "concern_id": "c1", "topic": "infrastructure",
              "summary": "Hệ thống thoát nước thải thôn Nội Phật chưa hoàn thành",
              "unit_name": "Chi bộ thôn Nội Phật, xã Tam Hợp", "raised_on": dt.date(2026, 11, 20)}
    values.update(overrides)
    return CaseFacts(**values)


def test_a_routed_case_tells_the_authority_what_reached_it_and_by_when():
    message = messages.case_reached_you(facts(), UBND_TAM_HOP, dt.date(2026, 12, 2))
    assert message.recipient == UBND_TAM_HOP
    assert message.subject == ("[Sâu Sát] Ý kiến mới cần tiếp nhận trước 02/12/2026: "
                               "Hệ thống thoát nước thải thôn Nội Phật chưa hoàn thành")
    assert message.body.startswith("Kính gửi UBND xã Tam Hợp,\n")
    for line in ("Nơi nêu ý kiến: Chi bộ thôn Nội Phật, xã Tam Hợp", "Lĩnh vực: Hạ tầng",
                 "Ngày nêu: 20/11/2026", "Mã hồ sơ: k1",
                 "Hạn tiếp nhận: hết ngày 02/12/2026 (tính theo ngày làm việc)"):
        assert line in message.body


def test_an_urgent_case_says_the_hour_it_must_be_accepted_by_in_vietnam_time():
    before = dt.datetime(2026, 12, 2, 2, 30, tzinfo=dt.timezone.utc)  # 09:30 in Vietnam
    message = messages.case_reached_you(facts(), UBND_TAM_HOP, dt.date(2026, 12, 2), before)
    assert message.subject.startswith("[Sâu Sát] Ý kiến mới cần tiếp nhận trước 09:30 ngày "
                                      "02/12/2026: ")
    assert "Hạn tiếp nhận: trước 09:30 ngày 02/12/2026 (tính theo giờ làm việc)" in message.body
    assert "hết ngày" not in message.body


def test_a_long_summary_is_shortened_in_the_subject_but_whole_in_the_body():
    summary = "Đề nghị " + "sửa chữa đường giao thông nội đồng " * 5
    message = messages.case_reached_you(facts(summary=summary), UBND_TAM_HOP,
                                        dt.date(2026, 12, 2))
    shown = message.subject.split(": ", 1)[1]
    assert len(shown) == messages.SUBJECT_SUMMARY_CHARS and shown.endswith("…")
    assert summary.strip() in message.body


def test_facts_not_known_are_left_out_rather_than_printed_as_none():
    message = messages.case_reached_you(facts(unit_name=None), UBND_TAM_HOP,
                                        dt.date(2026, 12, 2))
    assert "None" not in message.body and "Nơi nêu ý kiến" not in message.body


def test_an_answer_goes_to_the_cadre_who_carried_the_concern_addressed_as_comrade():
    message = messages.answer_arrived(facts(), TRAN_THI_BINH, "UBND xã Tam Hợp",
                                      "Xã đã bố trí vốn, thi công trong quý I/2027.")
    assert message.recipient == TRAN_THI_BINH
    assert message.subject.startswith("[Sâu Sát] Đã có trả lời ý kiến: ")
    assert message.body.startswith("Kính gửi đồng chí Trần Thị Bình,\n")
    assert "Xã đã bố trí vốn, thi công trong quý I/2027." in message.body
    assert "UBND xã Tam Hợp đã trả lời" in message.body


def test_reminders_and_escalations_name_the_deadline_and_where_the_case_came_from():
    near = messages.deadline_near(facts(), UBND_TAM_HOP, "answer", dt.date(2027, 1, 15))
    assert "Sắp đến hạn trả lời (15/01/2027)" in near.subject
    escalated = messages.case_escalated_to_you(
        facts(), Recipient("authority", "ubnd-huyen-binh-xuyen", "UBND huyện Bình Xuyên",
                           "x@vinhphuc.example"), "UBND xã Tam Hợp", "quá hạn tiếp nhận")
    assert "Chuyển lên từ: UBND xã Tam Hợp" in escalated.body
    assert "Lý do: quá hạn tiếp nhận" in escalated.body
    with pytest.raises(KeyError):
        messages.deadline_near(facts(), UBND_TAM_HOP, "lunch", dt.date(2027, 1, 15))


def test_the_notification_key_is_stable_per_event_and_recipient_and_differs_otherwise():
    key = messages.notification_id("e1", UBND_TAM_HOP)
    assert key == messages.notification_id("e1", UBND_TAM_HOP)
    assert key != messages.notification_id("e2", UBND_TAM_HOP)
    assert key != messages.notification_id("e1", TRAN_THI_BINH)
    assert len(key) == 32


def test_the_message_id_derives_from_the_key_and_the_senders_domain():
    assert messages.message_id("abc", "thongbao@sausat.localhost") == "<abc@sausat.localhost>"


def test_retry_delays_grow_then_the_last_one_repeats():
    delays = [5, 30, 120]
    assert [messages.retry_delay(n, delays) for n in range(1, 6)] == [5, 30, 120, 120, 120]
    with pytest.raises(ValueError):
        messages.retry_delay(0, delays)


def test_the_topology_subscribes_to_exactly_the_events_the_service_handles():
    # one queue for what it learns and what it tells (issue 27): in publishing order
    one_queue = topology.subscription("notifications", "learn_then_tell")
    assert set(one_queue.events) == set(cases.CASE_EVENTS) | (
        set(directory.LEARNED_EVENTS) - {contracts.VISIT_LOGGED})
    # the queues before it are bound to nothing; what an installed system left in them is
    # still learned or told (visit_logged's binding went before them)
    for name, handled in (("directory", directory.LEARNED_EVENTS),
                          ("case_events", cases.CASE_EVENTS)):
        retired = topology.subscription("notifications", name)
        assert retired.events == () and set(retired.retired) == set(handled)


def test_a_reminder_made_after_the_deadlines_last_day_in_vietnam_is_too_late():
    due_on = dt.date(2026, 12, 2)
    utc = dt.timezone.utc
    assert not messages.too_late_to_remind(dt.datetime(2026, 12, 2, 16, 59, tzinfo=utc), due_on)
    # 17:00 UTC is midnight in Vietnam: the 3rd there
    assert messages.too_late_to_remind(dt.datetime(2026, 12, 2, 17, 0, tzinfo=utc), due_on)
    assert not messages.too_late_to_remind(dt.datetime(2026, 11, 30, 1, 0, tzinfo=utc), due_on)


def test_no_mail_carries_english_not_even_the_sweeps_reason_for_an_escalation():
    """Every mail a case event sends, with the reasons the system gives in its events: the
    sweep's escalation arrives with its English ``reason`` and its ``because``, and the mail
    words the latter."""
    upper = Recipient("authority", "ubnd-huyen-binh-xuyen", "UBND huyện Bình Xuyên", "x@e.vn")
    swept = messages.escalation_reason(
        "answer deadline 2026-12-16 passed",
        {"code": "deadline_passed", "deadline": "answer", "due_on": "2026-12-16"})
    assert swept == "quá hạn trả lời (16/12/2026)"
    mails = [messages.case_reached_you(facts(), UBND_TAM_HOP, dt.date(2026, 12, 2)),
             messages.deadline_near(facts(), UBND_TAM_HOP, "acknowledge", dt.date(2026, 12, 2)),
             messages.case_escalated_to_you(facts(), upper, "UBND xã Tam Hợp", swept),
             messages.case_redirected_to_you(facts(), upper, "UBND xã Tam Hợp",
                                             "Thuộc thẩm quyền của huyện"),
             messages.case_needs_routing(facts(), upper),
             messages.answer_arrived(facts(), TRAN_THI_BINH, "UBND xã Tam Hợp",
                                     "Xã đã bố trí vốn."),
             messages.information_requested(facts(), TRAN_THI_BINH, "UBND xã Tam Hợp",
                                            "Đoạn nào bị ngập?"),
             messages.information_provided(facts(), UBND_TAM_HOP, "Đoạn gần đình",
                                           dt.date(2026, 12, 20)),
             messages.answer_rejected(
                 facts(), UBND_TAM_HOP,
                 "members not satisfied when the answer was read out on 2026-12-10: chưa sửa",
                 dt.date(2026, 12, 30), {"code": "members_not_satisfied",
                                         "reviewed_on": "2026-12-10", "comment": "chưa sửa"})]
    for mail in mails:
        assert not english_in(mail.subject + "\n" + mail.body), (english_in(mail.body), mail)


def test_every_mail_links_to_the_page_its_reader_opens_the_case_on():
    """An authority's officers its case page, the cadre who carried it the concern's; no
    link without a configured PAGES_URL."""
    linked = facts(pages_url="https://sausat.example/")
    to_officers = messages.information_provided(linked, UBND_TAM_HOP, "Đoạn gần đình",
                                                dt.date(2026, 12, 20))
    assert "Mở hồ sơ (đăng nhập nếu được hỏi): https://sausat.example/app/cases/k1" \
        in to_officers.body
    to_cadre = messages.information_requested(linked, TRAN_THI_BINH, "UBND xã Tam Hợp",
                                              "Đoạn nào bị ngập?")
    assert "https://sausat.example/app/concerns/c1" in to_cadre.body
    assert "Đoạn nào bị ngập?" in to_cadre.body and to_cadre.recipient == TRAN_THI_BINH
    assert "/app/" not in messages.case_reached_you(facts(), UBND_TAM_HOP,
                                                    dt.date(2026, 12, 2)).body


def test_an_answer_the_branch_rejected_tells_the_authority_the_verdict_and_the_new_deadline():
    mail = messages.answer_rejected(
        facts(), UBND_TAM_HOP, "members not satisfied when the answer was read out on "
        "2026-12-10: chưa sửa", dt.date(2026, 12, 30),
        {"code": "members_not_satisfied", "reviewed_on": "2026-12-10", "comment": "chưa sửa"})
    assert mail.subject.startswith("[Sâu Sát] Trả lời chưa được chấp nhận, vụ việc được mở lại")
    for line in ("Chi bộ chưa hài lòng khi nghe đọc câu trả lời ngày 10/12/2026.",
                 "Ý kiến của chi bộ: chưa sửa",
                 "Hạn trả lời: hết ngày 30/12/2026 (tính theo ngày làm việc)"):
        assert line in mail.body
    reopened = messages.answer_rejected(facts(), UBND_TAM_HOP, "Đường vẫn ngập",
                                        dt.date(2026, 12, 30))
    assert "Lý do: Đường vẫn ngập" in reopened.body


def test_every_mail_names_the_case_by_its_receipt_code_not_the_long_id():
    case_id = "5f0c9a1e6b7d4c2a9e8f7a6b5c4d3e2f"
    coded = facts(case_id=case_id, receipt_code="7KQM4-TX9RB")
    mails = [messages.case_reached_you(coded, UBND_TAM_HOP, dt.date(2026, 12, 2)),
             messages.answer_arrived(coded, TRAN_THI_BINH, "UBND xã Tam Hợp", "Đã xong."),
             messages.case_needs_routing(coded, UBND_TAM_HOP)]
    for mail in mails:
        assert "Mã tiếp nhận: 7KQM4-TX9RB" in mail.body
        assert case_id not in mail.subject and "Mã hồ sơ" not in mail.body
    # a confidential case's subject names it by its code, its text staying in the system
    secret = messages.case_reached_you(facts(summary=None, confidential=True, case_id=case_id,
                                             receipt_code="7KQM4-TX9RB"),
                                       UBND_TAM_HOP, dt.date(2026, 12, 2))
    assert secret.subject.endswith(": 7KQM4-TX9RB")


def test_the_raiser_is_told_an_answer_came_with_the_code_and_the_links_not_the_answer():
    raiser = Recipient("raiser", "c1", "Người nêu ý kiến", "hai@example.vn")
    message = messages.answer_to_raiser(
        facts(receipt_code="7KQM4-TX9RB"), raiser, "UBND xã Tam Hợp",
        "https://sausat.example/follow?code=7KQM4-TX9RB",
        "https://sausat.example/follow/unsubscribe?token=t0k3n")
    assert message.recipient == raiser
    assert message.subject == "[Sâu Sát] Đã có trả lời ý kiến: 7KQM4-TX9RB"
    for line in ("Kính gửi Người nêu ý kiến,", "đã có trả lời của UBND xã Tam Hợp",
                 "Mã tiếp nhận: 7KQM4-TX9RB", "https://sausat.example/follow?code=7KQM4-TX9RB",
                 "https://sausat.example/follow/unsubscribe?token=t0k3n"):
        assert line in message.body
    # the concern as typed stays out: it may name others
    assert "Hệ thống thoát nước" not in message.body and not english_in(message.body)
