"""What an officer's answer carries besides its text (issue 25): its outcome, the unit that
answered and its official letter. Tests about something else answer with these::

    act(case_id, "answer", {"answer": "Đã sửa xong", **ANSWERED_BY_LETTER}, OFFICER)
"""
ANSWERED_BY_LETTER = {"outcome": "solved", "answering_unit": "Văn phòng HĐND và UBND xã",
                      "letter_number": "125/UBND-VP", "letter_date": "2026-01-05"}
