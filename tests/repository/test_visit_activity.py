"""A case event moves a visit's last activity only where the retention sweep reads it: on a
visit holding raisers. Another visit is not rewritten for it (with its indexes, its side
tables), on every backend; counted on the embedded store."""
import datetime as dt

from docstore import recording
from services.visits import store

UTC = dt.timezone.utc
LOGGED, LATER = dt.datetime(2026, 11, 20, tzinfo=UTC), dt.datetime(2026, 11, 25, tzinfo=UTC)


def test_a_case_event_touches_only_a_visit_holding_raisers(database, store_uri):
    for visit_id, held in (("with-raisers", True), ("without", False)):
        database.visits.insert_one({"_id": visit_id, "raisers_held": held,
                                    "last_activity_at": LOGGED})
    with recording() as statements:
        store.touch_visit(database, "with-raisers", LATER)
        store.touch_visit(database, "without", LATER)
    activity = {v["_id"]: v["last_activity_at"].replace(tzinfo=UTC)
                for v in database.visits.find({}, {"last_activity_at": 1})}
    assert activity == {"with-raisers": LATER, "without": LOGGED}
    if store_uri.startswith("embedded"):
        assert len([sql for _, sql, _ in statements if sql.startswith("UPDATE")]) == 1
