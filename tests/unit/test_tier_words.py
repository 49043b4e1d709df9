"""How pages word tiers and hours-based deadlines: an acceptance moment reads "trước 15:30 ngày
09/12/2026", a tier change and a calendar edit read as sentences of the catalogue."""
from services.gateway.pages import i18n
from services.gateway.pages.timeline import sentence


def test_an_acceptance_moment_reads_before_a_time_on_a_day():
    # 08:30 UTC is 15:30 in Vietnam
    assert i18n.due_by("2026-12-09T08:30:00+00:00") == "trước 15:30 ngày 09/12/2026"
    assert i18n.due_by("2026-12-09T08:30:00+00:00", "en") == "before 15:30 on 09/12/2026"
    assert i18n.due_by("2026-12-09") == "Thứ Tư, 09/12/2026"     # a day stays a day


def test_the_running_acceptance_deadline_is_said_as_its_moment():
    case = {"due_on": "2026-12-09", "due_kind": "acknowledge", "working_days_left": 3,
            "acknowledge_by": "2026-12-09T08:30:00+00:00", "overdue": False}
    assert i18n.deadline_words(case) == "trước 15:30 ngày 09/12/2026"
    assert i18n.deadline_words({**case, "overdue": True}) == \
        "trước 15:30 ngày 09/12/2026 (đã quá hạn)"
    answering = {**case, "due_kind": "answer"}   # the answer deadline is still a day
    assert i18n.deadline_words(answering) == "hết ngày 09/12/2026 (còn 3 ngày làm việc)"


def test_a_tier_change_and_a_calendar_edit_read_as_sentences():
    changed = {"action": "change_tier", "role": "authority_officer", "why": "Cần khảo sát",
               "because": {"code": "tier_changed", "from_tier": "normal", "to_tier": "complex",
                           "comment": "Cần khảo sát"}}
    said, quoted = sentence(changed, "UBND xã Tam Hợp", "vi")
    assert said == ("Cán bộ UBND xã Tam Hợp đổi phân loại xử lý, từ Thông thường sang Phức tạp, "
                    "hạn được tính lại từ lúc tiếp nhận")
    assert quoted == "Cần khảo sát"
    recomputed = {"action": "recompute_deadlines", "role": "administrator",
                  "because": {"code": "calendar_changed", "reason": "Quyết định 12/QĐ-UBND",
                              "day": "2026-12-23", "answer_by": "2026-12-24"}}
    said, quoted = sentence(recomputed, "UBND xã Tam Hợp", "vi")
    assert said == ("Hạn được tính lại, vì lịch làm việc thay đổi: Quyết định 12/QĐ-UBND "
                    "(hạn trả lời: 24/12/2026)")
    assert quoted is None
