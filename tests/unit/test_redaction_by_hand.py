"""Redaction by hand, the plain rules: the words picked are marked in any case and spacing, a word
the text does not hold is refused by its place (never repeated), and the words an officer took
out are found again by comparing the texts (the event never carries them)."""
import pytest

from services.visits.redacting import removed_words
from shared.errors import InvalidInput
from shared.redaction import MARK, check_words, redact_words, words_not_in

SAID = "Bà Đỗ Thị Mai ở số 5 ngõ Đình xin hỗ trợ sửa mái nhà"


def test_words_are_marked_whatever_their_case_and_spacing():
    assert redact_words(SAID, ["đỗ thị  mai", "Số 5 ngõ Đình"]) == \
        f"Bà {MARK} ở {MARK} xin hỗ trợ sửa mái nhà"


def test_a_word_the_text_does_not_hold_is_refused_by_its_place():
    with pytest.raises(InvalidInput) as refused:
        check_words(["Đỗ Thị Mai", "Nguyễn Văn Hai"], SAID)
    assert set(refused.value.fields) == {"words.1"}
    assert "Nguyễn" not in str(refused.value.fields)
    check_words(["Nguyễn Văn Hai"], SAID, "Ông Nguyễn Văn Hai")  # held by one of the texts


def test_a_mark_already_there_is_not_a_word_to_redact():
    assert words_not_in(f"Bà {MARK} ở xóm Đình", ["đã ẩn"]) == [0]


def test_the_words_taken_out_are_found_by_comparing_the_texts():
    after = f"Bà {MARK} ở {MARK} xin hỗ trợ sửa mái nhà"
    assert removed_words(SAID, after) == ["số 5 ngõ Đình", "Đỗ Thị Mai"]
    # a mark that was there before is not a word taken out now
    assert removed_words(f"Ông {MARK} nói: Bà Mai ở xóm 2", f"Ông {MARK} nói: Bà {MARK} ở xóm 2"
                         ) == ["Mai"]
    assert removed_words(SAID, "Một nội dung khác hẳn") is None
