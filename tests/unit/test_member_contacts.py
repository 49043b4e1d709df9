"""Contacts with Party members and families (issue 29), on in-process stores (mongomock): the
members service's rules for a contact (no future day, not before the member joined the branch,
who may log), its three steps mended by a resend after a crash at any step, and visits' contact
record: its concerns raised into case life (``concern_raised`` naming the kind of contact, no
member), while no read of meetings counts it."""
import datetime as dt

import pytest

from services.members import contacts, store
from services.visits import contacts as visit_contacts
from services.visits import queries as visit_queries
from services.visits import store as visit_store
from shared import contracts
from shared.authorisation import Principal
from shared.contracts.envelope import parse_event
from shared.contracts.rpc.contacts import LogContact, RecordContact
from shared.errors import Conflict, InvalidInput, NotFound
from tests.stores import MONGOMOCK_URI, open_store

TODAY = dt.date(2026, 12, 7)
HOA = Principal("u-hoa", "cadre", cadre_id="hoa")
DUNG = Principal("u-dung", "cadre", cadre_id="dung")
PATH = ["vp", "vp.bx", "vp.bx.th", "vp.bx.th.np"]
CONCERN = {"topic": "social_policy", "raised_by": "party_member",
           "summary": "Gia đình chưa nhận trợ cấp người có công"}


class Registry:
    """The registry as members.access asks it: Hòa sits on np's committee, Dũng on none."""

    def list_unit_assignments(self, unit_id, day):
        return []

    def get_cadre(self, cadre_id):
        seats = [{"unit_id": "vp.bx.th.np", "starts_on": "2025-01-01"}] if cadre_id == "hoa" \
            else []
        return {"cadre_id": cadre_id, "memberships": seats}


class Clock:
    def now(self):
        return dt.datetime(2026, 12, 7, 3, tzinfo=dt.timezone.utc)


class Visits:
    """The visits service in process (its store and functions), failing once when asked."""

    def __init__(self, db, fail_after_recording=False):
        self.db, self.calls, self.fail = db, [], fail_after_recording

    def record_contact(self, given):
        self.calls.append(given)
        schema = RecordContact()
        loaded = schema.load(given)
        answer = visit_contacts.recorded(*visit_contacts.record_contact(
            self.db, Clock(), loaded, schema.dump(loaded)))
        if self.fail:
            self.fail = False
            raise ConnectionError("the reply was lost")
        return answer


@pytest.fixture
def dbs():
    client, members = open_store(MONGOMOCK_URI, "members_contacts")
    members.members.insert_one({
        "_id": "00123", "member_code": "00123", "unit_id": "vp.bx.th.np", "status": "active",
        "full_name": "Nguyễn Văn An", "since": "2026-01-01",
        "history": [{"unit_id": "vp.bx.th.np", "since": "2026-01-01", "until": None}]})
    _, visits = open_store(MONGOMOCK_URI, "visits_contacts")
    for name, indexes in visit_store.INDEXES.items():  # one record per cadre and submission
        for keys, options in indexes:
            visits[name].create_index(keys, **options)
    visit_store.record_unit(visits, PATH[-1], {"name": "Chi bộ thôn Nội Phật",
                                               "level": "branch", "path": PATH})
    yield members, visits
    client.close()


def contact(day="2026-12-05", kind="family_visit", concerns=(CONCERN,), submission="c-1"):
    schema = LogContact()
    loaded = schema.load({"submission_id": submission, "contacted_on": day, "kind": kind,
                          "raised": "Thăm gia đình, hỏi chế độ", "concerns": list(concerns)})
    return loaded, schema.dump(loaded)


def log(dbs, given, principal=HOA, visits=None):
    members, visit_db = dbs
    return contacts.log(members, "00123", *given, principal, Registry(),
                        visits or Visits(visit_db), TODAY)


def test_a_future_day_or_one_before_the_member_joined_is_refused_by_name_writing_nothing(dbs):
    for day, code in (("2026-12-08", "future_day"), ("2025-12-31", "before_since")):
        with pytest.raises(InvalidInput) as refused:
            log(dbs, contact(day))
        assert refused.value.reasons["contacted_on"][0]["code"] == code
    with pytest.raises(Exception) as unknown:  # a kind outside the closed list
        contact(kind="meeting")
    assert "kind" in unknown.value.messages
    assert dbs[0].contacts.count_documents({}) == 0
    assert dbs[1].visits.count_documents({}) == 0


def test_a_cadre_who_may_not_see_the_branch_is_told_the_member_is_not_found(dbs):
    with pytest.raises(NotFound):
        log(dbs, contact(), DUNG)
    with pytest.raises(NotFound):
        contacts.of_member(dbs[0], "00123", DUNG, Registry(), TODAY)
    assert dbs[0].contacts.count_documents({}) == 0


def test_the_concerns_go_to_visits_without_the_member_and_as_no_meeting(dbs):
    kept = log(dbs, contact())
    assert (kept["confirmed"], kept["replayed"], len(kept["concerns"])) == (True, False, 1)
    record = dbs[1].visits.find_one({"_id": kept["contact_id"]})
    assert "00123" not in repr(record) and "Nguyễn Văn An" not in repr(record)
    events = [parse_event(event) for event in record["outbox"]]
    assert [e.event_type for e in events] == [contracts.CONCERN_RAISED]
    assert (events[0].payload["contact_kind"], events[0].payload["raised_on"]) == (
        "family_visit", dt.date(2026, 12, 5))
    assert visit_store.find_case_view(dbs[1], None, PATH[-1])["_id"] == \
        kept["concerns"][0]["concern_id"]  # the branch brief's view of it, awaiting its case
    # no meeting: not in the branch's last visits, the cadre's visits, the year's record
    assert visit_store.last_visits(dbs[1], PATH[-1]) == []
    assert visit_store.page_of_cadre_visits(dbs[1], "hoa", {"limit": 10})["items"] == []
    assert visit_store.visits_of_year(dbs[1], PATH[-1], "2026-01-01", "2026-12-31") == []
    with pytest.raises(NotFound):
        visit_queries.visit(dbs[1], kept["contact_id"], HOA)
    seen = visit_queries.concern(dbs[1], kept["concerns"][0]["concern_id"], HOA)
    assert (seen["contact_kind"], seen["raised_on"]) == ("family_visit", "2026-12-05")
    listed = contacts.of_member(dbs[0], "00123", HOA, Registry(), TODAY)["contacts"]
    assert [c["_id"] for c in listed] == ["c-1"]
    assert dbs[0].personal_data_reads.find_one({"user_id": "u-hoa"})["record_ids"] == ["00123"]


def test_a_resend_after_a_lost_reply_mends_the_contact_and_doubles_nothing(dbs):
    visits = Visits(dbs[1], fail_after_recording=True)
    with pytest.raises(ConnectionError):
        log(dbs, contact(), visits=visits)
    assert store.find_contact(dbs[0], "c-1")["confirmed"] is False  # pending
    kept = log(dbs, contact(), visits=visits)
    assert kept["confirmed"] and len(visits.calls) == 2
    assert dbs[1].visits.count_documents({}) == 1  # visits found its record, raised no more
    again = log(dbs, contact(), visits=visits)
    assert (again["replayed"], again["contact_id"], len(visits.calls)) == (
        True, kept["contact_id"], 2)
    with pytest.raises(Conflict):  # another contact under a confirmed submission
        log(dbs, contact(day="2026-12-06"), visits=visits)


def test_a_contact_without_concerns_is_kept_in_members_alone(dbs):
    visits = Visits(dbs[1])
    kept = log(dbs, contact(kind="phone_call", concerns=()), visits=visits)
    assert (kept["confirmed"], kept["contact_id"], visits.calls) == (True, None, [])
    assert contacts.check({"contacted_on": TODAY}, dbs[0].members.find_one(), TODAY) == {}


def test_a_concern_raised_event_from_before_contacts_loads_as_raised_at_a_meeting():
    envelope = contracts.CONCERN_RAISED.new({
        "concern_id": "c1", "visit_id": "v1", "unit_id": "np", "unit_path": ["np"],
        "topic": "land", "summary": "s", "raised_by": "resident", "raised_on": TODAY})
    envelope["payload"].pop("contact_kind", None)
    assert parse_event(envelope).payload["contact_kind"] is None


@pytest.mark.parametrize("language, words", [
    ("vi", "Nêu khi thăm gia đình đảng viên ngày"),
    ("en", "Raised at a visit to the family of the party member on")])
def test_a_case_raised_at_a_contact_says_so_on_its_page_and_a_meetings_does_not(
        language, words):
    from services.gateway.pages import render
    from tests.unit.page_samples import CASE, PAGES, USERS
    def page(case):
        return render.render("case.html", language, user=USERS["officer"], csrf="t", menu=(),
                             here="/app", **{**PAGES["case.html"], "case": case})
    assert words in page({**CASE, "contact_kind": "family_visit"})
    assert 'id="raised-at-contact"' not in page(CASE)


def test_the_contact_form_sends_a_concern_only_when_one_was_given():
    from services.gateway.pages.member_page import as_form_fields, contact_body
    form = {"submission_id": "s1", "contacted_on": " 2026-12-05 ", "kind": "phone_call",
            "raised": "Hỏi thăm"}
    assert contact_body(form) == {"submission_id": "s1", "contacted_on": "2026-12-05",
                                  "kind": "phone_call", "raised": "Hỏi thăm", "concerns": []}
    with_concern = contact_body({**form, "topic": "land", "summary": "Ranh giới đất "})
    assert with_concern["concerns"] == [{"topic": "land", "summary": "Ranh giới đất",
                                         "raised_by": "party_member"}]
    assert as_form_fields({"concerns.0.summary": "x", "kind": "y"}) == {"summary": "x",
                                                                         "kind": "y"}
