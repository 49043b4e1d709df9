"""Requests from the people concerned naming a user or a cadre (issue 26), each service's answer
on a real store (the embedded one and mongomock): what it finds of the person, that a deletion
anonymises it there while what the person did stays, and that a redelivered request is answered
once. The fan-out by event is tests/interface/test_data_subject_requests.py."""
import datetime as dt

import pytest

from services.accounts import data_subjects as accounts_answer
from services.accounts import store as account_store
from services.assignments import data_subjects as assignments_answer
from services.escalations import data_subjects as escalations_answer
from services.monitor import data_subjects as monitor_answer
from services.notifications import data_subjects as notifications_answer
from shared import contracts, data_subjects, event_log, folding
from shared.redaction import MARK

NOW = dt.datetime(2026, 12, 7, 9, 0, tzinfo=dt.timezone.utc)
QUYNH = "u-quynh"
BINH = "tran-thi-binh"


def request(kind, **person):
    return {"request_id": f"r-{kind}", "kind": kind, "name": "Lê Thị Quỳnh", "contact": None,
            "user_id": None, "cadre_id": None, **person}


def answer_of(db, request_id):
    """The answer event stored with the answer (its outbox), and how many answers there are."""
    stored = list(db[data_subjects.ANSWERS].find({"_id": request_id}))
    [event] = stored[0]["outbox"] if stored else [None]
    return event["payload"], len(stored)


def outbox_types(document):
    return [event["event_type"] for event in document.get("outbox", [])]


def retain(db, event_type, payload):
    event_log.retain(db, [event_type.new(payload)], NOW)


def retained_payloads(db):
    return [entry["envelope"]["payload"] for entry in db[event_log.COLLECTION].find()]


# --- the rule every service applies to a payload ---------------------------------------------

def test_a_payload_loses_the_persons_details_and_keeps_everything_else():
    payload = {"user_id": QUYNH, "username": "quynh", "display_name": "Lê Thị Quỳnh",
               "email": "quynh@tamhop.example.vn", "phone": "0912 345 678",
               "role": "authority_officer", "full_name": None}
    assert data_subjects.anonymised_payload(payload, {"username": "da-xoa-u-quynh"}) == {
        "user_id": QUYNH, "username": "da-xoa-u-quynh", "display_name": MARK, "email": None,
        "phone": None, "role": "authority_officer", "full_name": None}


# --- accounts: the account and its failed sign-ins -------------------------------------------

@pytest.fixture
def quynh_account(database):
    database.users.insert_one({
        "_id": QUYNH, "username": "quynh", "display_name": "Lê Thị Quỳnh",
        "email": "quynh@tamhop.example.vn", "role": "authority_officer", "cadre_id": None,
        "authority_id": "ubnd-xa-tam-hop", "authority_head": False, "enabled": True,
        "token_version": 0, "password_hash": "$argon2id$v=19$m=65536,t=3,p=4$x$y",
        "search": folding.search_key("quynh", "Lê Thị Quỳnh")})
    for key in ("username:quynh@10.0.0.1", "password-change:quynh@10.0.0.2",
                "username:quynhx@10.0.0.1", "address:10.0.0.1"):
        database.sign_in_attempts.insert_one({"_id": key, "failures": 1})
    retain(database, contracts.USER_CREATED, {
        "user_id": QUYNH, "username": "quynh", "display_name": "Lê Thị Quỳnh",
        "role": "authority_officer", "authority_id": "ubnd-xa-tam-hop",
        "email": "quynh@tamhop.example.vn"})
    return database


def test_accounts_answers_an_access_request_with_the_account_and_changes_nothing(quynh_account):
    db = quynh_account
    accounts_answer.answer_request(db, request("access", user_id=QUYNH))
    answer, _ = answer_of(db, "r-access")
    assert answer == {"request_id": "r-access", "removed": False, "found": [
        {"kind": "user", "id": QUYNH}, {"kind": "sign_in_attempt", "id": QUYNH}]}
    assert db.users.find_one({"_id": QUYNH})["display_name"] == "Lê Thị Quỳnh"
    assert db.sign_in_attempts.count_documents({}) == 4


def test_a_deletion_anonymises_the_account_disables_it_and_ends_its_tokens(quynh_account):
    db = quynh_account
    accounts_answer.answer_request(db, request("deletion", user_id=QUYNH))
    user = db.users.find_one({"_id": QUYNH})
    assert (user["username"], user["display_name"], user["email"]) == (
        "da-xoa-u-quynh", MARK, None)
    assert (user["enabled"], user["password_hash"], user["token_version"]) == (False, None, 1)
    assert user["role"] == "authority_officer"  # what the account did stays its own
    assert outbox_types(user) == ["user_anonymised", "tokens_revoked"]
    # the administrator's search finds the account by what it is now, never by the person
    assert not {"le", "thi"} & set(user["search"]["prefixes"])
    assert account_store.users_page(db, {"q": "Lê Thị", "limit": 5})["items"] == []
    # only the person's failed sign-ins go: another username's and the address's stay
    assert sorted(d["_id"] for d in db.sign_in_attempts.find()) == [
        "address:10.0.0.1", "username:quynhx@10.0.0.1"]
    [retained] = retained_payloads(db)
    assert "Quỳnh" not in str(retained) and "quynh@" not in str(retained)
    answer, _ = answer_of(db, "r-deletion")
    assert answer["removed"] is True
    # the same request again (a redelivery): one answer, the same account
    accounts_answer.answer_request(db, request("deletion", user_id=QUYNH))
    assert answer_of(db, "r-deletion")[1] == 1
    assert db.users.find_one({"_id": QUYNH})["token_version"] == 1


def test_a_request_naming_no_user_here_is_answered_with_nothing_found(database):
    accounts_answer.answer_request(database, request("deletion", user_id="u-nobody"))
    assert answer_of(database, "r-deletion")[0] == {
        "request_id": "r-deletion", "removed": False, "found": []}


# --- assignments: the cadre, their assignments and groups ------------------------------------

@pytest.fixture
def binh_cadre(database):
    database.cadres.insert_one({
        "_id": BINH, "full_name": "Trần Thị Bình", "home_unit_id": "vp.bx",
        "positions": ["district_committee_member"], "email": "binh@vinhphuc.example",
        "phone": "0912 345 678", "search": {"prefixes": ["tran", "thi", "binh"]}})
    database.assignments.insert_one({"_id": "a1", "cadre_id": BINH, "unit_id": "vp.bx.th"})
    database.assignments.insert_one({"_id": "a2", "cadre_id": "le-van-an", "unit_id": "vp.bx"})
    database.working_groups.insert_one({"_id": "g1", "member_cadre_ids": ["le-van-an", BINH]})
    database.working_groups.insert_one({"_id": "g2", "member_cadre_ids": ["le-van-an"]})
    retain(database, contracts.CADRE_REGISTERED, {
        "cadre_id": BINH, "full_name": "Trần Thị Bình", "home_unit_id": "vp.bx",
        "positions": ["district_committee_member"], "email": "binh@vinhphuc.example"})
    return database


def test_assignments_finds_the_cadre_their_assignments_and_groups(binh_cadre):
    assignments_answer.answer_request(binh_cadre, request("access", cadre_id=BINH))
    assert answer_of(binh_cadre, "r-access")[0]["found"] == [
        {"kind": "cadre", "id": BINH}, {"kind": "assignment", "id": "a1"},
        {"kind": "working_group", "id": "g1"}]


def test_a_deletion_anonymises_the_cadre_and_keeps_their_assignments(binh_cadre):
    db = binh_cadre
    assignments_answer.answer_request(db, request("deletion", cadre_id=BINH))
    cadre = db.cadres.find_one({"_id": BINH})
    assert (cadre["full_name"], cadre["email"], cadre["phone"]) == (MARK, None, None)
    assert cadre["home_unit_id"] == "vp.bx" and "binh" not in str(cadre["search"])
    assert outbox_types(cadre) == ["cadre_anonymised", "cadre_contact_changed"]
    assert db.assignments.count_documents({"cadre_id": BINH}) == 1
    assert BINH in db.working_groups.find_one({"_id": "g1"})["member_cadre_ids"]
    assert "Bình" not in str(retained_payloads(db))


# --- notifications: the directory and the mails sent to them ---------------------------------

@pytest.fixture
def mails_to_quynh(database):
    database.users.insert_one({"_id": QUYNH, "name": "Lê Thị Quỳnh",
                               "email": "quynh@tamhop.example.vn"})
    for mail_id, state in (("n-sent", "sent"), ("n-pending", "pending")):
        database.notifications.insert_one({
            "_id": mail_id, "recipient_id": QUYNH, "recipient_name": "Lê Thị Quỳnh",
            "email": "quynh@tamhop.example.vn", "subject": "Vụ việc giao cho đồng chí Quỳnh",
            "body": "Kính gửi Lê Thị Quỳnh", "state": state, "case_id": "k1",
            "created_at": NOW})
    database.notifications.insert_one({
        "_id": "n-other", "recipient_id": "u-an", "recipient_name": "Lê An",
        "email": "an@tamhop.example.vn", "subject": "s", "body": "b", "state": "sent",
        "case_id": "k1", "created_at": NOW})
    retain(database, contracts.NOTIFICATION_SENT, {
        "notification_id": "n-sent", "cause_event_id": "e1", "case_id": "k1",
        "recipient_kind": "officer", "recipient_id": QUYNH,
        "email": "quynh@tamhop.example.vn", "subject": "Vụ việc giao cho đồng chí Quỳnh",
        "message_id": "<m1@sausat>", "sent_at": NOW})
    return database


def test_notifications_finds_the_address_and_the_mails_and_a_deletion_empties_them(
        mails_to_quynh):
    db = mails_to_quynh
    notifications_answer.answer_request(db, request("deletion", user_id=QUYNH))
    answer, _ = answer_of(db, "r-deletion")
    assert sorted((r["kind"], r["id"]) for r in answer["found"]) == [
        ("notification", "n-pending"), ("notification", "n-sent"), ("user", QUYNH)]
    assert answer["removed"] is True
    assert db.users.find_one({"_id": QUYNH}) == {"_id": QUYNH, "name": MARK, "email": None,
                                                 "forgotten": True}
    sent = db.notifications.find_one({"_id": "n-sent"})
    assert (sent["recipient_name"], sent["email"], sent["subject"], sent["body"]) == (
        None, None, "", "")
    assert (sent["state"], sent["case_id"]) == ("sent", "k1")  # the statistics stay
    # a mail the server has not accepted yet is the sender's; another recipient's untouched
    assert db.notifications.find_one({"_id": "n-pending"})["email"] is not None
    assert db.notifications.find_one({"_id": "n-other"})["recipient_name"] == "Lê An"
    [retained] = retained_payloads(db)
    assert "quynh@" not in str(retained) and "Quỳnh" not in str(retained)


def test_a_registration_heard_after_the_deletion_does_not_bring_the_person_back(database):
    # the deletion travels on another queue than the registration events published before it
    # (issue 27: those wait up to 50 ms for company), so it may come first
    from services.notifications import store as notifications_store
    notifications_answer.answer_request(database, request("deletion", user_id=QUYNH,
                                                          cadre_id="le-thi-quynh"))
    answer, _ = answer_of(database, "r-deletion")
    assert answer["found"] == []  # nothing held yet, and nothing will be
    notifications_store.record_user(database, QUYNH, "Lê Thị Quỳnh", "quynh@tamhop.example.vn")
    notifications_store.change_user_email(database, QUYNH, "quynh2@tamhop.example.vn")
    notifications_store.record_cadre(database, "le-thi-quynh", "Lê Thị Quỳnh",
                                     "quynh@tamhop.example.vn")
    notifications_store.change_cadre_email(database, "le-thi-quynh", "q@tamhop.example.vn")
    for collection, person_id in (("users", QUYNH), ("cadres", "le-thi-quynh")):
        assert database[collection].find_one({"_id": person_id}) == {
            "_id": person_id, "name": MARK, "email": None, "forgotten": True}
    # someone else is learned as before
    notifications_store.record_user(database, "u-an", "Lê An", "an@tamhop.example.vn")
    assert database.users.find_one({"_id": "u-an"})["email"] == "an@tamhop.example.vn"
    # and an access request about the forgotten one finds nothing
    notifications_answer.answer_request(database, {**request("access", user_id=QUYNH),
                                                   "request_id": "r-access-2"})
    assert answer_of(database, "r-access-2")[0]["found"] == []


# --- escalations: the officer in the read model and their cases ------------------------------

def test_escalations_finds_the_officer_and_their_cases_and_forgets_the_name(database):
    database.officers.insert_one({"_id": QUYNH, "display_name": "Lê Thị Quỳnh",
                                  "authority_id": "ubnd-xa-tam-hop", "enabled": True,
                                  "role": "authority_officer"})
    database.cases.insert_one({"_id": "k1", "authority_id": "ubnd-xa-tam-hop",
                               "assignee_user_id": QUYNH, "named_officer_ids": []})
    database.cases.insert_one({"_id": "k2", "authority_id": "ubnd-xa-tam-hop",
                               "assignee_user_id": None, "named_officer_ids": [QUYNH]})
    database.cases.insert_one({"_id": "k3", "authority_id": "ubnd-xa-tam-hop",
                               "assignee_user_id": "u-an", "named_officer_ids": []})
    escalations_answer.answer_request(database, request("deletion", user_id=QUYNH))
    assert answer_of(database, "r-deletion")[0]["found"] == [
        {"kind": "officer", "id": QUYNH}, {"kind": "case", "id": "k1"},
        {"kind": "case", "id": "k2"}]
    officer = database.officers.find_one({"_id": QUYNH})
    assert (officer["display_name"], officer["enabled"]) == (MARK, False)
    assert database.cases.find_one({"_id": "k1"})["assignee_user_id"] == QUYNH


# --- the monitor: the audit trail and the access log -----------------------------------------

def test_the_monitor_finds_the_trail_and_reads_and_a_deletion_scrubs_the_trail(database):
    database.audit_trail.insert_one({
        "_id": "e1", "routing_key": "accounts.user_created", "occurred_at": NOW,
        "entities": [{"id": QUYNH}], "payload": {
            "user_id": QUYNH, "username": "quynh", "display_name": "Lê Thị Quỳnh",
            "email": "quynh@tamhop.example.vn", "role": "authority_officer"}})
    database.audit_trail.insert_one({
        "_id": "e2", "routing_key": "accounts.user_created", "occurred_at": NOW,
        "entities": [{"id": "u-an"}], "payload": {"user_id": "u-an", "display_name": "Lê An"}})
    database.personal_data_reads.insert_one({"_id": "p1", "user_id": QUYNH, "read_at": NOW,
                                             "record_ids": ["c1"]})
    monitor_answer.answer_request(database, request("deletion", user_id=QUYNH))
    assert answer_of(database, "r-deletion")[0]["found"] == [
        {"kind": "audit_entry", "id": "e1"}, {"kind": "personal_data_read", "id": "p1"}]
    scrubbed = database.audit_trail.find_one({"_id": "e1"})
    assert scrubbed["payload"] == {"user_id": QUYNH, "username": MARK, "display_name": MARK,
                                   "email": None, "role": "authority_officer"}
    assert scrubbed["routing_key"] == "accounts.user_created"  # what happened stays
    assert database.audit_trail.find_one({"_id": "e2"})["payload"]["display_name"] == "Lê An"


def test_a_closed_deletion_request_keeps_the_person_by_id_only(database):
    database.data_subject_requests.insert_one({"_id": "r1", "kind": "deletion",
                                               "name": "Lê Thị Quỳnh", "contact": "0912",
                                               "user_id": QUYNH})
    retain(database, contracts.DATA_SUBJECT_REQUEST_RECORDED, {
        "request_id": "r1", "kind": "deletion", "name": "Lê Thị Quỳnh", "contact": "0912",
        "user_id": QUYNH})
    monitor_answer.forget_requester(database, {"_id": "r1", "kind": "deletion"})
    kept = database.data_subject_requests.find_one({"_id": "r1"})
    assert (kept["name"], kept["contact"], kept["user_id"]) == (MARK, None, QUYNH)
    assert "Quỳnh" not in str(retained_payloads(database))
    # an access request keeps who asked: its answer is given to them
    database.data_subject_requests.insert_one({"_id": "r2", "kind": "access", "name": "Lê An"})
    monitor_answer.forget_requester(database, {"_id": "r2", "kind": "access"})
    assert database.data_subject_requests.find_one({"_id": "r2"})["name"] == "Lê An"


# --- visits: a cadre's own visits, kept as they are ------------------------------------------

def test_visits_finds_the_visits_a_cadre_logged_and_a_deletion_keeps_them(database):
    from services.visits import retention
    for visit_id, cadre_id, day in (("v1", BINH, "2026-11-20"), ("v2", BINH, "2026-12-01"),
                                    ("v3", "le-van-an", "2026-12-01")):
        database.visits.insert_one({"_id": visit_id, "cadre_id": cadre_id, "meeting_date": day,
                                    "unit_id": "vp.bx.th.np", "concerns": []})
    retention.answer_request(database, request("deletion", name="Trần Thị Bình",
                                               cadre_id=BINH), NOW)
    answer, _ = answer_of(database, "r-deletion")
    assert answer["found"] == [{"kind": "visit", "id": "v2"}, {"kind": "visit", "id": "v1"}]
    assert database.visits.count_documents({"cadre_id": BINH}) == 2  # the history stays


def test_the_last_enabled_administrators_account_is_kept_and_the_answer_says_not_removed(
        database):
    def administrator(user_id, enabled=True):
        database.users.insert_one({
            "_id": user_id, "username": user_id, "display_name": f"Quản trị {user_id}",
            "email": None, "role": "administrator", "cadre_id": None, "authority_id": None,
            "authority_head": False, "enabled": enabled, "token_version": 0,
            "password_hash": "$argon2id$v=19$m=65536,t=3,p=4$x$y",
            "search": folding.search_key(user_id, "Quản trị")})
    administrator("u-only")
    administrator("u-gone", enabled=False)  # a disabled one manages nothing
    accounts_answer.answer_request(database, request("deletion", user_id="u-only"))
    answer, _ = answer_of(database, "r-deletion")
    assert answer["removed"] is False and {"kind": "user", "id": "u-only"} in answer["found"]
    kept = database.users.find_one({"_id": "u-only"})
    assert (kept["username"], kept["enabled"]) == ("u-only", True)
    # with another enabled administrator, the same deletion anonymises it
    administrator("u-second")
    accounts_answer.answer_request(database, {**request("deletion", user_id="u-only"),
                                              "request_id": "r-again"})
    assert answer_of(database, "r-again")[0]["removed"] is True
    assert database.users.find_one({"_id": "u-only"})["username"] == "da-xoa-u-only"


def test_visits_names_the_photos_on_a_raisers_concerns_and_a_cadres_uploads(database):
    from services.visits import retention, rules
    keys = rules.raiser_keys("Lê Thị Quỳnh", None)
    database.visits.insert_one({
        "_id": "v1", "cadre_id": BINH, "meeting_date": "2026-12-01", "unit_id": "vp.bx.th.np",
        "raisers_held": True, "last_activity_at": NOW, "concerns": [{
            "concern_id": "c1", "topic": "infrastructure", "summary": "Đường ngập",
            "raised_by_name": "Lê Thị Quỳnh", "raised_by_contact": None, **keys}]})
    for attachment_id, place in (("a-photo", {"visit_id": "v1", "concern_id": "c1"}),
                                 ("a-minutes", {"visit_id": "v1", "concern_id": None})):
        database.attachments.insert_one({"_id": attachment_id, "uploaded_by": BINH,
                                         "upload_sha256": attachment_id,
                                         "attached_to": [place]})
    retention.answer_request(database, request("access", name="Lê Thị Quỳnh"), NOW)
    answer, _ = answer_of(database, "r-access")
    assert answer["found"] == [{"kind": "concern", "id": "c1"},
                               {"kind": "attachment", "id": "a-photo"}]
    # the cadre who carried it: their visit and every file they uploaded (the minutes too)
    retention.answer_request(database, {**request("access", name="Trần Thị Bình",
                                                  cadre_id=BINH), "request_id": "r-cadre"}, NOW)
    found = answer_of(database, "r-cadre")[0]["found"]
    assert {"kind": "visit", "id": "v1"} in found
    assert sorted(r["id"] for r in found if r["kind"] == "attachment") == [
        "a-minutes", "a-photo"]
