"""Hostile bytes behind each accepted type's magic header (issue 31): ``check_attachment``
answers an attachment or a refusal naming ``file``, never any other exception (which the
gateway would answer as a 5xx)."""
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.attachments import check_attachment
from shared.errors import InvalidInput
from tests import attachment_samples as samples
from tests.properties.profiles import examples

GENUINE = [samples.jpeg(), samples.png(), samples.webp(), samples.pdf(), samples.docx(),
           samples.xlsx(), samples.doc(), samples.xls()]


@st.composite
def damaged(draw):
    """A genuine file cut, spliced with random bytes, or with random bytes flipped."""
    data = bytearray(draw(st.sampled_from(GENUINE)))
    for _ in range(draw(st.integers(1, 8))):
        at = draw(st.integers(0, len(data) - 1))
        data[at:at + draw(st.integers(0, 64))] = draw(st.binary(max_size=64))
        if not data:
            data = bytearray(b"\0")
    return bytes(data[:draw(st.integers(1, len(data)))])


@settings(max_examples=examples(150))
@given(damaged())
def test_damaged_files_are_accepted_or_refused_never_a_crash(data):
    try:
        accepted = check_attachment("file.bin", data)
    except InvalidInput as refusal:
        assert set(refusal.fields) == {"file"}
    else:
        assert accepted.data
