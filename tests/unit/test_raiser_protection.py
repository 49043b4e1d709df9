"""Who raised a concern, kept from those who need not know (issue 26): the summary the authority
gets without a withheld raiser, and a confidential case read only by the holder's head and the
officers the head named."""
import unicodedata

import pytest
from marshmallow import ValidationError

from services.escalations.access import actions_for, cleared_for, may_read, side_of
from services.escalations.case_life import HOLDER
from services.visits.rules import as_raised
from shared.authorisation import Principal
from shared.contracts.rpc.visits import RaiseConcern
from shared.redaction import MARK, redact, withheld_by_default

SAID = "Ông Nguyễn Văn Hai (0912 000 111, hai.nv@example.vn) phản ánh đèn đường thôn hỏng"

HEAD = Principal("u-head", "authority_officer", authority_id="ubnd-th", authority_head=True)
NAMED = Principal("u-named", "authority_officer", authority_id="ubnd-th")
OTHER = Principal("u-other", "authority_officer", authority_id="ubnd-th")
CADRE = Principal("u-cadre", "cadre", cadre_id="tran-thi-binh")


def test_a_withheld_raisers_name_contact_telephones_and_emails_leave_the_summary():
    shared = redact(SAID, "Nguyễn Văn Hai", "0912 000 111")
    assert "Hai" not in shared.text and "0912" not in shared.text and "@" not in shared.text
    assert shared.text == f"Ông {MARK} ({MARK}, {MARK}) phản ánh đèn đường thôn hỏng"
    assert shared.found == ("contact", "email", "name")


def test_the_name_is_found_whatever_its_case_spacing_or_normalisation():
    typed = unicodedata.normalize("NFD", "Bà con nói nguyễn  văn hai đã báo")
    assert redact(typed, "Nguyễn Văn Hai").text == f"Bà con nói {MARK} đã báo"


def test_telephones_in_other_shapes_are_taken_out_and_dates_and_sums_stay():
    shared = redact("Gọi +84 912.000.111 hoặc 0243-123-4567; họp 26/11/2026, chi 5.000.000 đ")
    assert shared.text == f"Gọi {MARK} hoặc {MARK}; họp 26/11/2026, chi 5.000.000 đ"
    assert shared.found == ("telephone",)


def test_nothing_personal_leaves_the_summary_as_it_is():
    assert redact("Đèn đường thôn hỏng", "Lê", None) == redact("Đèn đường thôn hỏng")
    assert redact("Đèn đường thôn hỏng").found == ()


def test_residents_are_withheld_by_default_and_members_are_not():
    assert withheld_by_default("resident") and not withheld_by_default("party_member")


@pytest.mark.parametrize("raised_by, withhold, shared_has_name", [
    ("resident", None, False), ("party_member", None, True),
    ("party_member", True, False), ("resident", False, True)])
def test_a_concern_as_raised_keeps_the_text_and_shares_it_per_the_cadres_choice(
        raised_by, withhold, shared_has_name):
    item = {"topic": "infrastructure", "summary": SAID, "raised_by": raised_by,
            "raised_by_name": "Nguyễn Văn Hai", "raised_by_contact": "0912 000 111",
            "withhold_raiser": withhold, "confidential": False}
    concern = as_raised(item, "c1", 1)
    assert concern["summary"] == SAID  # the cadre's own text, kept for them
    assert ("Nguyễn Văn Hai" in concern["shared_summary"]) is shared_has_name
    assert concern["withhold_raiser"] is (not shared_has_name)
    assert bool(concern["redacted"]) is (not shared_has_name)


def case(confidential=True, named=()):
    return {"_id": "k1", "status": "routed", "authority_id": "ubnd-th",
            "confidential": confidential, "named_officer_ids": list(named),
            "raised_by_user": "u-cadre"}


def test_a_confidential_case_is_the_heads_and_the_named_officers_only():
    confidential = case(named=["u-named"])
    assert may_read(HEAD, confidential) and may_read(NAMED, confidential)
    assert not may_read(OTHER, confidential)
    assert may_read(CADRE, confidential)  # who carried it follows it still
    assert side_of(confidential, OTHER) is None and actions_for(confidential, OTHER) == []
    assert side_of(confidential, HEAD) == HOLDER and "acknowledge" in actions_for(
        confidential, HEAD)
    # the head of another authority is no head here
    elsewhere = Principal("u-x", "authority_officer", authority_id="ubnd-bx",
                          authority_head=True)
    assert not may_read(elsewhere, confidential)


def test_an_ordinary_case_is_every_officer_of_the_holder():
    assert may_read(OTHER, case(confidential=False))
    assert cleared_for(OTHER, case(confidential=False)) and not cleared_for(OTHER, case())


def test_a_contact_is_kept_only_with_the_raisers_consent():
    concern = {"topic": "land", "summary": "Sổ đỏ chậm", "raised_by": "resident",
               "raised_by_contact": "0912 000 111"}
    with pytest.raises(ValidationError) as refused:
        RaiseConcern().load(concern)
    assert "consent" in refused.value.messages["raised_by_contact"][0]
    assert RaiseConcern().load({**concern, "raiser_consent": True})["raiser_consent"] is True
    assert RaiseConcern().load({**concern, "raised_by_contact": None})["raiser_consent"] is False
