"""A contact's record (issue 29; services/visits/contacts.py) sits beside the visits but is no
meeting: the reads of meetings (a branch's last visits, a page of visits, a cadre's visits, a
year's meeting record) leave it out on every backend, and still list the meeting."""
from services.visits import store


def test_the_reads_of_meetings_leave_a_contacts_record_out(database):
    for record_id, kind in (("meeting", None), ("contact", "contact")):
        database.visits.insert_one({
            "_id": record_id, "unit_id": "np", "cadre_id": "hoa", "meeting_date": "2026-12-05",
            "submission_id": record_id, "concerns": [],
            **({"record_kind": kind} if kind else {})})
    assert [v["_id"] for v in store.last_visits(database, "np")] == ["meeting"]
    assert [v["_id"] for v in store.page_of_visits(database, {"unit_id": "np"},
                                                   {"limit": 10})["items"]] == ["meeting"]
    assert [v["_id"] for v in store.page_of_cadre_visits(database, "hoa",
                                                         {"limit": 10})["items"]] == ["meeting"]
    assert [v["_id"] for v in store.visits_of_year(database, "np", "2026-01-01",
                                                   "2026-12-31")] == ["meeting"]


def test_a_cadres_request_finds_the_contact_records_they_logged_beside_their_visits(database):
    from services.visits import retention
    for record_id, kind in (("meeting", None), ("contact", "contact")):
        database.visits.insert_one({
            "_id": record_id, "unit_id": "np", "cadre_id": "hoa", "meeting_date": "2026-12-05",
            "submission_id": record_id, "concerns": [], "logged_at": "2026-12-05T09:00:00Z",
            **({"record_kind": kind} if kind else {})})
    assert retention.visits_logged_by(database, "hoa") == [
        {"kind": "visit", "id": "meeting"}, {"kind": "contact_record", "id": "contact"}]
    assert retention.visits_logged_by(database, "someone-else") == []
