"""A visit is logged in one commit on the embedded store: the visit, its receipt codes, the
brief's view of its concerns and the attendance lines (issue 27: each commit writes its pages
again). Its replay, in the same transaction, still answers the stored visit."""
import datetime as dt

import pytest

from services.visits import logbook, store
from shared.authorisation import Principal
from shared.contracts.rpc import visits as schemas
from shared.errors import Conflict
from shared.storage import connect

CADRE = Principal("u-binh", "cadre", cadre_id="tran-thi-binh")
PATH = ["vp", "vp.bx", "vp.bx.th", "vp.bx.th.np"]


class Clock:
    def now(self):
        return dt.datetime.now(dt.timezone.utc)


@pytest.fixture
def db(tmp_path):
    client, database = connect(f"embedded:{tmp_path}", "visits")
    for collection, specs in store.INDEXES.items():
        for keys, options in specs:
            database[collection].create_index(keys, **options)
    store.record_unit(database, PATH[-1], {"name": "Chi bộ thôn Nội Phật", "level": "branch",
                                          "parent_id": PATH[-2], "path": PATH})
    yield database
    client.close()


def a_visit(*concerns):
    schema = schemas.LogVisit()
    visit = schema.load({
        "submission_id": "s1", "unit_id": PATH[-1],
        "meeting_date": (dt.date.today() - dt.timedelta(days=1)).isoformat(),
        "meeting_kind": "regular", "attendance": {"present": 27, "expected": 31},
        "assessment": {"leadership": 4, "education": 4, "combativeness": 3},
        "unscheduled": {"reason": "Đi cùng đoàn kiểm tra"},
        "concerns": list(concerns)})
    return visit, schema.dump(visit)


def concern(summary, **more):
    return {"topic": "infrastructure", "raised_by": "resident", "summary": summary, **more}


def test_a_visit_with_its_concerns_is_one_commit(db):
    visit, dumped = a_visit(concern("Đường liên thôn xuống cấp"), concern("Mương tắc"))
    statements = []
    db.conn.set_trace_callback(statements.append)
    stored, replayed = logbook.log_visit(db, Clock(), visit, dumped, CADRE)
    db.conn.set_trace_callback(None)
    assert statements.count("BEGIN IMMEDIATE") == 1  # reads have their own BEGIN, COMMIT
    assert not replayed and len(stored["concerns"]) == 2
    # what it wrote beside the visit: a receipt code per concern, the brief's concern views
    assert db.receipt_codes.count_documents({}) == 2
    assert store.visit_of_submission(db, CADRE.cadre_id, "s1")["_id"] == stored["_id"]


def test_the_same_submission_again_is_answered_by_the_stored_visit(db):
    visit, dumped = a_visit(concern("Đường liên thôn xuống cấp"))
    first, _ = logbook.log_visit(db, Clock(), visit, dumped, CADRE)
    again, replayed = logbook.log_visit(db, Clock(), visit, dumped, CADRE)
    assert replayed and again["_id"] == first["_id"]
    assert db.visits.count_documents({}) == 1 and db.receipt_codes.count_documents({}) == 1
    other, other_dumped = a_visit(concern("Mương tắc"))  # the same submission id, other text
    with pytest.raises(Conflict):
        logbook.log_visit(db, Clock(), other, other_dumped, CADRE)
    assert db.receipt_codes.count_documents({}) == 1
