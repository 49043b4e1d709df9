"""The inbox's counts per state are exact however many cases an authority holds (issue 21: no
cap), and its page narrowed to a unit finds the cases raised at that unit or below it, on every
store backend."""
import datetime as dt

from services.escalations import store
from shared.pages import DEFAULT_LIMIT

DAY = dt.datetime(2026, 12, 1, tzinfo=dt.timezone.utc)


def create_indexes(db):
    for collection, specs in store.INDEXES.items():
        for keys, options in specs:
            db[collection].create_index(keys, **options)


def test_counts_per_state_are_exact_past_a_thousand(database):
    create_indexes(database)
    database.cases.insert_many(
        [{"_id": f"c{i}", "concern_id": f"k{i}", "authority_id": "a",
          "status": "routed" if i % 3 else "acknowledged", "unit_path": ["vp"]}
         for i in range(1500)])
    assert store.counts_by_state(database, "a", ["routed", "acknowledged", "answered"]) == {
        "routed": 1000, "acknowledged": 500, "answered": 0}
    database.cases.insert_one({"_id": "c-last", "concern_id": "k-last", "authority_id": "a",
                                 "status": "routed"})
    assert store.counts_by_state(database, "a", ["routed"]) == {"routed": 1001}


def test_the_inbox_narrowed_to_a_unit_holds_the_cases_raised_at_or_below_it(database):
    create_indexes(database)
    paths = [["vp"], ["vp", "vp.bx"], ["vp", "vp.bx", "vp.bx.th"], ["vp", "vp.yl"]]
    database.cases.insert_many(
        [{"_id": f"c{i:02}", "concern_id": f"k{i}", "authority_id": "a", "status": "routed",
          "topic": "land", "unit_path": paths[i % 4], "due_sort": DAY + dt.timedelta(i % 5),
          "routed_at": DAY + dt.timedelta(minutes=i)} for i in range(40)])
    query = {"status": None, "topic": None, "unit_id": "vp.bx", "limit": 4, "cursor": None}
    seen = []
    while True:
        page = store.inbox_page(database, "a", "holding", query)
        seen += page["items"]
        if page["next_cursor"] is None:
            break
        query = {**query, "cursor": page["next_cursor"]}
    assert sorted(case["_id"] for case in seen) == [f"c{i:02}" for i in range(40)
                                                    if i % 4 in (1, 2)]
    order = [(case["due_sort"], DAY - case["routed_at"], case["_id"]) for case in seen]
    assert order == sorted(order)
    assert len(seen) < DEFAULT_LIMIT
