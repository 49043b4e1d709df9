"""Following a case by its receipt code: what the public answer holds (public_view: never a
name, a contact, the internal text, the timeline or who acted; the summary and the answer only
as written for publication and marked so), an unknown code answered like a case with nothing to
show, lookups counted per address under the clock (following.follow), a mistyped code refused
alike whatever it is, and receipt codes unique in visits' store, a collision tried again."""
import datetime as dt
import types

import pytest

from services.escalations import following, public_view, store
from services.visits import logbook, raiser_mail
from services.visits import store as visits_store
from shared import contracts, receipts
from shared.clock import Clock
from shared.errors import InvalidInput, TooManyRequests

UTC = dt.timezone.utc
NOW = dt.datetime(2026, 12, 7, 3, 0, tzinfo=UTC)
CODE = receipts.new_code()
RAISER, PHONE = "Nguyễn Văn Hai", "0912 000 111"
SAID = f"Ông {RAISER} ({PHONE}) phản ánh đèn đường xóm 2 hỏng"


def a_case(**changes):
    return {"_id": "k1", "concern_id": "c1", "receipt_code": CODE, "topic": "infrastructure",
            "unit_id": "u-noi-phat", "unit_path": ["u-tam-hop", "u-noi-phat"],
            "status": "in_progress", "authority_id": "ubnd-xa-tam-hop", "summary": SAID,
            "raised_on": "2026-12-01", "received_at": NOW - dt.timedelta(days=5),
            "acknowledged_at": NOW - dt.timedelta(days=4), "acknowledge_by": "2026-12-03",
            "answer_by": "2026-12-15", "answer": None, "answered_at": None, "closed_at": None,
            "raised_by_user": "u-binh", "assignee_user_id": "u-officer",
            "confidential": False, "public_summary": None, "public_answer": None,
            "timeline": [{"at": NOW, "user_id": "u-officer", "action": "acknowledge",
                          "why": f"gọi {RAISER}"}],
            **changes}


NAMES = {"ubnd-xa-tam-hop": "UBND xã Tam Hợp"}


def test_a_case_shows_its_topic_state_holder_deadline_and_dates_and_nothing_else():
    shown = public_view.public_view(a_case(), NAMES)
    assert set(shown) == set(public_view.FIELDS)
    assert shown == {**public_view.not_yet(CODE), "found": True, "topic": "infrastructure",
                     "state": "in_progress", "authority_name": "UBND xã Tam Hợp",
                     "raised_on": "2026-12-01", "received_on": "2026-12-02",
                     "due_on": "2026-12-15"}
    said = str(shown)
    for private in (RAISER, PHONE, "đèn đường", "u-binh", "u-officer", "k1", "c1"):
        assert private not in said


def test_the_texts_show_only_as_written_for_publication_and_marked_publishable():
    drafted = a_case(status="answered", answer=f"Đã trả lời ông {RAISER}",
                     answered_at=NOW, public_summary={"text": "Đèn đường hỏng", "publishable":
                                                      False},
                     public_answer={"text": "Đã thay đèn", "publishable": False})
    shown = public_view.public_view(drafted, NAMES)
    assert (shown["public_summary"], shown["public_answer"]) == (None, None)
    assert "Đèn đường hỏng" not in str(shown) and RAISER not in str(shown)
    published = {**drafted, "public_summary": {"text": "Đèn đường hỏng", "publishable": True},
                 "public_answer": {"text": "Đã thay đèn", "publishable": True}}
    shown = public_view.public_view(published, NAMES)
    assert (shown["public_summary"], shown["public_answer"]) == ("Đèn đường hỏng",
                                                                 "Đã thay đèn")
    assert shown["state"] == "answered" and shown["answered_on"] == "2026-12-07"
    assert shown["due_on"] is None and RAISER not in str(shown)


def test_an_unknown_code_and_a_confidential_case_answer_alike():
    unknown = public_view.public_view(None, NAMES, CODE)
    assert unknown == public_view.public_view(a_case(confidential=True), NAMES)
    assert unknown["found"] is False and unknown["receipt_code"] == CODE
    assert [k for k, v in unknown.items() if v is not None] == ["receipt_code", "found"]


@pytest.mark.parametrize("status, state", [("routed", "with_authority"),
                                           ("awaiting_information", "awaiting_information"),
                                           ("closed_unresolved", "closed"),
                                           ("unrouted", "received")])
def test_each_state_is_said_in_plain_words(status, state):
    assert public_view.public_view(a_case(status=status), NAMES)["state"] == state


# --- the lookup, under the clock -------------------------------------------------------------

@pytest.fixture
def rules(tmp_path):
    clock_file = tmp_path / "clock"
    return types.SimpleNamespace(clock=Clock(clock_file), file=clock_file)


def test_lookups_are_limited_per_address_until_the_window_ends(database, rules):
    store.open_case(database, a_case(), _event())
    database.authorities.insert_one({"_id": "ubnd-xa-tam-hop", "name": "UBND xã Tam Hợp"})
    for _ in range(following.LOOKUPS_PER_WINDOW):
        assert following.follow(database, rules, CODE.lower(), "203.0.113.9")["found"]
    with pytest.raises(TooManyRequests) as refused:
        following.follow(database, rules, CODE, "203.0.113.9")
    # a whole number of seconds: it crosses RPC as its text and comes back as an int
    assert refused.value.args[2] == refused.value.retry_after
    assert isinstance(refused.value.args[2], int)
    assert 0 < refused.value.retry_after <= following.WINDOW_SECONDS
    # a mistyped code counts too: guessing costs the same whatever is typed
    with pytest.raises(TooManyRequests):
        following.follow(database, rules, "nonsense", "203.0.113.9")
    # another address is not held back
    assert following.follow(database, rules, CODE, "198.51.100.4")["state"] == "in_progress"
    # the window passed (the test clock moved on): the address may look again
    rules.file.write_text(str(following.WINDOW_SECONDS + 1))
    assert following.follow(database, rules, CODE, "203.0.113.9")["found"] is True


def test_a_mistyped_code_is_refused_alike_whatever_it_is(database, rules):
    plain = CODE.replace("-", "")
    wrong_check = plain[:-1] + next(c for c in receipts.ALPHABET if c != plain[-1])
    refusals = []
    for typed in (wrong_check, plain[:-2], "0" * 10, "", "x" * 41):
        with pytest.raises(InvalidInput) as refused:
            following.follow(database, rules, typed, "203.0.113.9")
        refusals.append((refused.value.message, refused.value.reasons))
    assert len(set(map(str, refusals))) == 1
    assert refusals[0][1] == {"code": [{"code": "receipt_code_mistyped"}]}


def _event():
    return contracts.CASE_UNROUTED.new({"case_id": "k1", "concern_id": "c1",
                                        "unit_id": "u", "topic": "infrastructure",
                                        "authority_id": None})


# --- codes unique where they are made --------------------------------------------------------

def test_a_colliding_code_is_tried_again_and_never_given_twice(database):
    first = visits_store.reserve_receipt_code(database, "c1", receipts.new_code)
    drawn = iter([first, first, receipts.new_code()])
    second = visits_store.reserve_receipt_code(database, "c2", lambda: next(drawn))
    assert second != first and receipts.is_code(second)
    with pytest.raises(RuntimeError):
        visits_store.reserve_receipt_code(database, "c3", lambda: first)
    assert database.receipt_codes.count_documents({}) == 2


def test_each_concern_of_a_visit_gets_its_own_code(database):
    concerns = [{"concern_id": f"c{i}"} for i in range(5)]
    codes = logbook.with_receipt_codes(database, concerns)
    assert len(set(codes)) == 5 and all(receipts.is_code(code) for code in codes)
    assert [c["receipt_code"] for c in concerns] == codes
    visits_store.release_receipt_codes(database, codes[:2])
    assert database.receipt_codes.count_documents({}) == 3


# --- the raiser's address --------------------------------------------------------------------

def test_the_address_leaves_the_concern_and_is_kept_apart_until_unsubscribed(database):
    concerns = [{"concern_id": "c1", "receipt_code": CODE, "raiser_email": "hai@example.vn"},
                {"concern_id": "c2", "receipt_code": receipts.new_code(), "raiser_email": None}]
    addresses = raiser_mail.take_addresses(concerns, NOW)
    assert all("raiser_email" not in concern for concern in concerns)
    raiser_mail.keep(database, concerns, addresses)
    raiser_mail.keep(database, concerns, raiser_mail.take_addresses(concerns, NOW))  # a replay
    told = raiser_mail.to_tell(database, "c1")
    assert told["email"] == "hai@example.vn" and told["receipt_code"] == CODE
    assert told["token"] == addresses[0]["token"] and len(told["token"]) >= 32
    assert raiser_mail.to_tell(database, "c2") is None
    assert raiser_mail.unsubscribe(database, "not-the-token-of-anyone") is False
    assert raiser_mail.unsubscribe(database, told["token"]) is True
    assert raiser_mail.to_tell(database, "c1") is None


def test_the_address_is_deleted_the_configured_days_after_the_case_closes(database):
    concerns = [{"concern_id": f"c{i}", "raiser_email": f"r{i}@example.vn"} for i in range(3)]
    raiser_mail.keep(database, concerns, raiser_mail.take_addresses(concerns, NOW))
    kept_for = dt.timedelta(days=30)
    raiser_mail.follow_case(database, "case_closed", {"concern_id": "c0"}, NOW)
    raiser_mail.follow_case(database, "case_closed", {"concern_id": "c1"}, NOW)
    raiser_mail.follow_case(database, "case_reopened", {"concern_id": "c1"},
                            NOW + dt.timedelta(days=1))
    raiser_mail.follow_case(database, "case_answered", {"concern_id": "c2"}, NOW)
    assert raiser_mail.sweep(database, NOW + kept_for - dt.timedelta(seconds=1), kept_for) == 0
    assert raiser_mail.sweep(database, NOW + kept_for, kept_for) == 1
    assert raiser_mail.to_tell(database, "c0") is None  # closed 30 days ago: gone
    assert raiser_mail.to_tell(database, "c1") and raiser_mail.to_tell(database, "c2")
