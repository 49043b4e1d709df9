"""The inbox's one search box: a case id or a receipt code opens the case, a code mistyped gets
"kiểm tra lại mã", and anything else searches the words of the text."""
import pytest

from services.gateway.pages.officer import opens_a_case
from shared import receipts

CODE = receipts.grouped("23456789A" + receipts.check_character("23456789A"))


@pytest.mark.parametrize("typed", [
    CODE, CODE.lower(), CODE.replace("-", " "), CODE.replace("-", ""),
    "0123456789abcdef0123456789abcdef",                  # an older mail's case id
    CODE[:-1] + ("3" if CODE[-1] == "2" else "2"),       # mistyped: refused as a code
])
def test_an_id_a_code_or_a_mistyped_code_opens_the_case_path(typed):
    assert opens_a_case(typed)


@pytest.mark.parametrize("typed", ["cau khi yen", "Cầu khỉ Yên", "duong lien thon xom 5",
                                   "ngap", "KHONGCODEX"])
def test_words_of_the_text_are_searched(typed):
    assert not opens_a_case(typed)
