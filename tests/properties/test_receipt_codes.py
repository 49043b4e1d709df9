"""Receipt codes (shared/receipts.py) over many codes: unique, valid, and unguessable (every
character equally likely in every place, nothing following the order they were made in); the
check character catches every single wrong character and every swap of two neighbours, and a
code typed with spaces, dashes or small letters still reads."""
import math

from hypothesis import given, settings
from hypothesis import strategies as st

from shared import receipts
from tests.properties.profiles import examples

MANY = 20_000
SETTINGS = settings(max_examples=examples(60))
data_parts = st.text(alphabet=receipts.ALPHABET, min_size=receipts.DATA_LENGTH,
                     max_size=receipts.DATA_LENGTH)


def plain(code):
    return code.replace("-", "")


def as_number(code):
    value = 0
    for char in plain(code):
        value = value * receipts.BASE + receipts.ALPHABET.index(char)
    return value


def correlation(xs, ys):
    """Pearson's: about N(0, 1/sqrt(n)) for independent draws."""
    n = len(xs)
    mx, my = sum(xs) / n, sum(ys) / n
    cov = sum((a - mx) * (b - my) for a, b in zip(xs, ys))
    return cov / math.sqrt(sum((a - mx) ** 2 for a in xs) * sum((b - my) ** 2 for b in ys))


def test_many_codes_are_unique_valid_grouped_and_follow_no_order():
    codes = [receipts.new_code() for _ in range(MANY)]
    assert len(set(codes)) == MANY
    for code in codes[:2000]:
        assert receipts.read(code) == code
        assert [len(group) for group in code.split("-")] == [5, 5]
        assert not set(plain(code)) & set("01OIL")
    # the order they were made in says nothing of their value: for independent draws the
    # correlation is about N(0, 1/sqrt(n)); 5 standard deviations is never reached by chance
    made = list(range(MANY))
    bound = 5 / math.sqrt(MANY)
    assert abs(correlation(made, [as_number(c) for c in codes])) < bound
    # nor of any one place, nor one code of the next made
    for place in range(receipts.DATA_LENGTH):
        values = [receipts.ALPHABET.index(plain(c)[place]) for c in codes]
        assert abs(correlation(made, values)) < bound
        assert abs(correlation(values[:-1], values[1:])) < bound


def test_every_character_is_equally_likely_in_every_place():
    codes = [plain(receipts.new_code()) for _ in range(MANY)]
    expected = MANY / receipts.BASE
    # chi-square with 30 degrees of freedom: above 80 happens with probability ~1e-6
    for place in range(receipts.DATA_LENGTH):
        counts = {char: 0 for char in receipts.ALPHABET}
        for code in codes:
            counts[code[place]] += 1
        chi_square = sum((n - expected) ** 2 / expected for n in counts.values())
        assert chi_square < 80, (place, chi_square)


@SETTINGS
@given(data_parts)
def test_the_check_character_catches_every_single_substitution(data):
    code = data + receipts.check_character(data)
    assert receipts.is_code(code)
    for place in range(receipts.LENGTH):
        for char in receipts.ALPHABET:
            if char != code[place]:
                typo = code[:place] + char + code[place + 1:]
                assert not receipts.is_code(typo), (code, typo)


@SETTINGS
@given(data_parts)
def test_the_check_character_catches_every_swap_of_neighbours(data):
    code = data + receipts.check_character(data)
    for place in range(receipts.LENGTH - 1):
        if code[place] != code[place + 1]:
            swapped = code[:place] + code[place + 1] + code[place] + code[place + 2:]
            assert not receipts.is_code(swapped), (code, swapped)


@SETTINGS
@given(data_parts, st.lists(st.sampled_from([" ", "-", ""]), min_size=receipts.LENGTH,
                            max_size=receipts.LENGTH))
def test_a_code_typed_loosely_still_reads(data, separators):
    code = data + receipts.check_character(data)
    typed = "".join(sep + char for sep, char in zip(separators, code.lower()))
    assert receipts.read(typed) == receipts.grouped(code)


@SETTINGS
@given(st.text(max_size=30))
def test_anything_else_is_refused_the_same_way(text):
    try:
        receipts.read(text)
    except receipts.MistypedCode:
        return
    assert receipts.is_code(text)
