"""What an upgrade fills in for data stored before a feature existed, on the stores commit
ec6cc94 wrote (tests/fixtures/before-issue-22): accounts restates its officers for escalations'
read model (a head can assign their older colleagues), escalations gives older cases their
search words (an officer's search finds them), visits gives older concerns receipt codes and
their cases learn them (the public page finds them). Each migration run again changes nothing."""
import gzip
import pathlib
import shutil

import pytest

from docstore import DocStoreClient
from services.accounts import store as account_store
from services.accounts.service import AccountsService
from services.escalations import cases, joining, officers, queries, reactions, store
from services.escalations.service import EscalationsService
from services.visits.service import VisitsService
from shared import migrations, receipts, similar_cases
from shared.contracts import parse_event

FIXTURE = pathlib.Path(__file__).parents[1] / "fixtures" / "before-issue-22"


@pytest.fixture
def old_stores(tmp_path):
    for name in ("accounts", "escalations", "visits"):
        with gzip.open(FIXTURE / f"{name}.sqlite3.gz") as packed, \
                open(tmp_path / f"{name}.sqlite3", "wb") as plain:
            shutil.copyfileobj(packed, plain)
    client = DocStoreClient(tmp_path)
    yield {name: client[name] for name in ("accounts", "escalations", "visits")}
    client.close()


def outbox_events(collection, routing_key):
    return [parse_event(envelope) for document in collection.find({})
            for envelope in document.get("outbox", [])
            if f"{envelope['source']}.{envelope['event_type']}" == routing_key]


def migrate(db, name, service):
    return migrations.migrate(db, name, service.db.schema())


def test_officers_from_before_the_read_model_are_restated_and_a_head_finds_them(old_stores):
    accounts, escalations = old_stores["accounts"], old_stores["escalations"]
    assert escalations.officers.count_documents({}) == 0  # the read model came later
    assert "restate_users" in migrate(accounts, "accounts", AccountsService)
    restated = outbox_events(accounts.users, "accounts.user_restated")
    officers_held = {user["_id"]: user for user in accounts.users.find(
        {"role": "authority_officer"})}
    assert {event.payload["user_id"] for event in restated} == set(officers_held)
    for event in restated:
        officers.learn(escalations, event)
        officers.learn(escalations, event)  # redelivered: the same upsert
    for user in officers_held.values():
        listed = store.officers_of(escalations, user["authority_id"])
        assert [officer["_id"] for officer in listed] == [user["_id"]]
        assert listed[0]["display_name"] == user["display_name"]
    assert migrate(accounts, "accounts", AccountsService) == []


def test_cases_from_before_the_inbox_search_are_given_their_words_and_found(old_stores):
    escalations = old_stores["escalations"]
    old = list(escalations.cases.find({}))
    assert old and not any("search" in case for case in old)
    assert "index_case_words" in migrate(escalations, "escalations", EscalationsService)
    for case in old:
        stored = escalations.cases.find_one({"_id": case["_id"]})
        assert stored["search"] == cases.summary_search(case["summary"])
        typed = case["summary"].split()[-1]  # a word as an officer types it, diacritics and all
        found = store.inbox_page(escalations, case["authority_id"], "holding", {
            "status": None, "topic": None, "unit_id": None, "limit": 50, "cursor": None,
            **queries.searched(typed)})
        assert case["_id"] in [line["_id"] for line in found["items"]], typed
    assert migrate(escalations, "escalations", EscalationsService) == []


def test_cases_from_before_similar_cases_are_given_their_commune_and_listed(old_stores):
    escalations = old_stores["escalations"]
    old = [case for case in escalations.cases.find({}) if case.get("authority_id")]
    assert old and not any("commune_id" in case for case in old)
    assert "give_cases_their_commune" in migrate(escalations, "escalations", EscalationsService)
    for case in old:
        commune = escalations.cases.find_one({"_id": case["_id"]})["commune_id"]
        assert commune == case["unit_path"][-2]
        if case["status"] in similar_cases.JOINABLE and not case.get("confidential"):
            listed = joining.similar(escalations, {"unit_id": "x", "unit_path": case["unit_path"],
                                                   "topic": case["topic"]})
            assert case["_id"] in [found["case_id"] for found in listed]
    assert migrate(escalations, "escalations", EscalationsService) == []


def test_concerns_from_before_receipt_codes_are_given_one_and_their_cases_learn_it(old_stores):
    visits, escalations = old_stores["visits"], old_stores["escalations"]
    raised = [concern for visit in visits.visits.find({}) for concern in visit["concerns"]]
    assert raised and not any(concern.get("receipt_code") for concern in raised)
    assert "give_receipt_codes" in migrate(visits, "visits", VisitsService)
    codes = {concern["concern_id"]: concern["receipt_code"]
             for visit in visits.visits.find({}) for concern in visit["concerns"]}
    assert set(codes) == {concern["concern_id"] for concern in raised}
    assert all(receipts.read(code) == code for code in codes.values())
    assert len(set(codes.values())) == len(codes)
    assert {doc["_id"]: doc["concern_id"] for doc in visits.receipt_codes.find({})} == {
        code: concern_id for concern_id, code in codes.items()}
    given = outbox_events(visits.visits, "visits.receipt_codes_given")
    assert sorted(c["concern_id"] for e in given for c in e.payload["codes"]) == sorted(codes)
    for event in given:
        reactions.give_receipt_codes(escalations, event)
    migrate(escalations, "escalations", EscalationsService)
    for case in escalations.cases.find({}):
        assert case["receipt_code"] == codes[case["concern_id"]]
        assert store.case_of_receipt(escalations, case["receipt_code"])["_id"] == case["_id"]
    assert migrate(visits, "visits", VisitsService) == []
    assert len(outbox_events(visits.visits, "visits.receipt_codes_given")) == len(given)


def test_a_case_that_has_a_code_keeps_it_when_the_event_comes_again(old_stores):
    escalations = old_stores["escalations"]
    case = escalations.cases.find_one({})
    store.give_receipt_codes(escalations, {case["concern_id"]: "7KQM4-TX9RB"})
    store.give_receipt_codes(escalations, {case["concern_id"]: "22222-22222"})
    assert escalations.cases.find_one({"_id": case["_id"]})["receipt_code"] == "7KQM4-TX9RB"


def test_users_from_before_the_administrators_search_are_found_by_their_names(old_stores):
    accounts = old_stores["accounts"]
    assert not any("search" in user for user in accounts.users.find({}))
    assert "index_user_names" in migrate(accounts, "accounts", AccountsService)
    found = account_store.users_page(accounts, {"q": "tamhop", "limit": 10, "cursor": None})
    assert [user["username"] for user in found["items"]] == ["tamhop-officer"]
    assert migrate(accounts, "accounts", AccountsService) == []
