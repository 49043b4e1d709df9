"""What an officer's answer carries besides its text (issue 25): its outcome, the unit that
answered and its official letter. Tests about something else answer with these::

    act(case_id, "answer", {"answer": "Đã sửa xong", **ANSWERED_BY_LETTER}, OFFICER)
"""
ANSWERED_BY_LETTER = {"outcome": "solved", "answering_unit": "Văn phòng HĐND và UBND xã",
                      "letter_number": "125/UBND-VP", "letter_date": "2026-01-05"}


def fill_answer_record(form, unit="Văn phòng HĐND và UBND xã", number="125/UBND-VP",
                       day="2026-01-05"):
    """In a browser, the case page's answer form (a Playwright locator): solved, by ``unit``'s
    letter ``number`` of ``day``."""
    form.get_by_label("Đã giải quyết", exact=True).check()
    form.get_by_label("Đơn vị trả lời", exact=True).fill(unit)
    form.get_by_label("Số công văn", exact=True).fill(number)
    form.get_by_label("Ngày công văn", exact=True).fill(day)
