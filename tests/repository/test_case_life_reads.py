"""A case event follows the concern's view without the visit: the view names the visit it came
from, so the brief's read model neither reads the whole visit (its concerns' multikey lookup)
nor upserts a view per concern of it; a concern without a view yet still gets one (and its
visit's other concerns theirs), on every backend; counted on the embedded store."""
import datetime as dt

from docstore import recording
from services.visits import reactions, store
from shared import contracts

UTC = dt.timezone.utc
CONCERNS = ("c-road", "c-light", "c-water")


def visit_of_three(database):
    visit = {"_id": "v1", "unit_id": "vp.bx.th.np", "meeting_date": "2026-11-20",
             "raisers_held": False, "last_activity_at": dt.datetime(2026, 11, 20, tzinfo=UTC),
             "concerns": [{"concern_id": c, "topic": "infrastructure", "summary": c}
                          for c in CONCERNS]}
    database.visits.insert_one(visit)
    return visit


def case_routed(concern_id):
    return contracts.parse_event(contracts.CASE_ROUTED.new({
        "case_id": f"k-{concern_id}", "concern_id": concern_id, "authority_id": "ubnd-th",
        "rule_id": "r1", "acknowledge_by": dt.date(2026, 11, 25)}))


def writes_and_visit_reads(statements):
    sql = [text for _, text, _ in statements]
    # a read of the visit other than the raisers' check by its id (touch_visit)
    return (len([s for s in sql if s.startswith(("INSERT", "UPDATE"))]),
            len([s for s in sql if s.startswith("SELECT") and '"visits' in s
                 and "WHERE id = ?" not in s]))


def test_a_case_event_on_a_logged_concern_reads_only_its_view(database, store_uri):
    store.ensure_concern_views(database, visit_of_three(database))  # as logging does
    with recording() as statements:
        reactions.record_case_event(database, case_routed("c-road"))
    view = database.concern_cases.find_one({"_id": "c-road"})
    assert (view["case_id"], view["status"], view["authority_id"]) == (
        "k-c-road", "routed", "ubnd-th")
    if store_uri.startswith("embedded"):
        # the view's change only: no read of the visit, no upsert of its three views
        assert writes_and_visit_reads(statements) == (1, 0)


def test_a_concern_without_a_view_gets_one_from_its_visit(database):
    visit_of_three(database)  # logged before the brief existed: no views
    reactions.record_case_event(database, case_routed("c-light"))
    views = {v["_id"]: v for v in database.concern_cases.find({})}
    assert set(views) == set(CONCERNS)
    assert views["c-light"]["case_id"] == "k-c-light"
    assert views["c-road"]["status"] == "raised" and views["c-road"]["visit_id"] == "v1"
