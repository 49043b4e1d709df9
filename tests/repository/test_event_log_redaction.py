"""A concern anonymised in its service is anonymised in that service's retained event log too
(shared/event_log.redact), on every store: neither the next backup nor a restore's
re-publishing may bring back what a deletion request removed."""
import datetime as dt

from shared import event_log

NOW = dt.datetime(2026, 12, 7, 1, 0, tzinfo=dt.timezone.utc)
TYPED = "Đồng chí Nguyễn Văn Dũng (0912 345 678) đề nghị công khai kinh phí"
REDACTED = "Đồng chí [đã ẩn] ([đã ẩn]) đề nghị công khai kinh phí"


def envelope(event_id, payload):
    return {"event_id": event_id, "source": "visits", "event_type": "concern_raised",
            "payload": payload}


def test_every_retained_event_quoting_the_text_takes_the_new_one_and_no_other_changes(database):
    event_log.ensure_index(database, 48)
    event_log.retain(database, [
        envelope("e1", {"concern_id": "c1", "summary": TYPED}),
        envelope("e2", {"visit_id": "v1", "concerns": [{"concern_id": "c1", "summary": TYPED}],
                        "subject": f"[Sâu Sát] {TYPED[:20]}…"}),
        envelope("e3", {"concern_id": "c2", "summary": "Đường ngập"}),
    ], now=NOW)
    changed = event_log.redact(database, lambda text: text.replace(TYPED, REDACTED))
    assert changed == 2
    kept = {entry["_id"]: entry["envelope"] for entry in database.event_log.find({})}
    assert kept["e1"]["payload"]["summary"] == REDACTED
    assert kept["e2"]["payload"]["concerns"][0]["summary"] == REDACTED
    assert kept["e3"]["payload"]["summary"] == "Đường ngập"
    assert "Dũng" not in str(kept["e1"]) + str(kept["e2"]["payload"]["concerns"])
    assert event_log.redact(database, lambda text: text.replace(TYPED, REDACTED)) == 0
