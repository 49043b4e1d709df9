"""The retention sweeps of shared.retention on every backend: the access log forgets entries
past RETENTION_ACCESS_LOG_DAYS (never one whose event still waits for the relay), the stored
mail loses its recipient, address, subject and text past RETENTION_MAIL_DAYS (never a mail still
waiting to be sent), and what stays still counts the same."""
import datetime as dt

import pytest

from services.notifications import outgoing
from services.notifications.retention import MAIL
from shared.errors import Conflict
from shared.retention import ACCESS_LOG

NOW = dt.datetime(2030, 6, 1, 12, 0, tzinfo=dt.timezone.utc)
SETTINGS = {"RETENTION_ACCESS_LOG_DAYS": 1825, "RETENTION_MAIL_DAYS": 730}


def read(entry_id, days_ago, pending=False):
    entry = {"_id": entry_id, "read_at": NOW - dt.timedelta(days=days_ago), "user_id": "u1",
             "purpose": "visits.get_concern", "record_ids": ["c1"]}
    return {**entry, "outbox": [{"event_id": entry_id}], "outbox_pending": True} \
        if pending else entry


def test_the_access_log_forgets_what_is_past_its_period(database):
    database.personal_data_reads.insert_many([
        read("old", 1826), read("older", 3000), read("waiting", 1900, pending=True),
        read("kept", 1824)])
    assert ACCESS_LOG.due(database, NOW, SETTINGS) == 2
    assert {e["_id"] for e in database.personal_data_reads.find({})} == {"waiting", "kept"}
    assert ACCESS_LOG.due(database, NOW, SETTINGS) == 0  # a second sweep: nothing more


def test_the_access_log_is_swept_a_batch_at_a_time(database, monkeypatch):
    monkeypatch.setattr("shared.retention.BATCH", 2)
    database.personal_data_reads.insert_many([read(f"r{i}", 2000 + i) for i in range(5)])
    assert ACCESS_LOG.due(database, NOW, SETTINGS) == 5
    assert database.personal_data_reads.count_documents({}) == 0


def mail(mail_id, days_ago, state="sent"):
    return {"_id": mail_id, "case_id": "k1", "recipient_kind": "authority",
            "recipient_id": "ubnd-xa-tam-hop", "recipient_name": "UBND xã Tam Hợp",
            "email": "ubnd@vinhphuc.example", "subject": "Ý kiến mới: ông Hai",
            "body": "Ông Nguyễn Văn Hai phản ánh…", "state": state,
            "created_at": NOW - dt.timedelta(days=days_ago), "attempts": 1}


def test_stored_mail_loses_its_contents_after_its_period_and_still_counts(database):
    database.notifications.insert_many([
        mail("sent", 731), mail("rejected", 800, "rejected"), mail("waiting", 900, "pending"),
        mail("recent", 729)])
    assert MAIL.due(database, NOW, SETTINGS) == 2
    stored = {m["_id"]: m for m in database.notifications.find({})}
    assert len(stored) == 4  # what was sent, when, about which case: all there
    for gone in ("sent", "rejected"):
        assert (stored[gone]["recipient_name"], stored[gone]["email"], stored[gone]["subject"],
                stored[gone]["body"]) == (None, None, "", "")
        assert (stored[gone]["case_id"], stored[gone]["recipient_id"]) == (
            "k1", "ubnd-xa-tam-hop")
    assert stored["sent"]["state"] == "sent"
    for kept in ("waiting", "recent"):
        assert stored[kept]["email"] == "ubnd@vinhphuc.example"
        assert stored[kept]["body"].startswith("Ông Nguyễn Văn Hai")
    assert MAIL.due(database, NOW, SETTINGS) == 0


def test_a_mail_past_its_period_is_not_sent_again(database):
    database.notifications.insert_one(mail("rejected", 800, "rejected"))
    MAIL.due(database, NOW, SETTINGS)
    with pytest.raises(Conflict):
        outgoing.retry(database, "rejected", "địa chỉ đã sửa", "u-operator")
    assert database.notifications.find_one({"_id": "rejected"})["state"] == "rejected"
