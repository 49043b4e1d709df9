"""Paged reads on both store backends: every item once, in order, across inserts between pages."""
import datetime as dt

import pytest

from shared.errors import InvalidInput
from shared.pages import PageQuery, encode_cursor, read_page

UTC = dt.timezone.utc


def read_all(collection, sort, limit, criteria=None):
    seen, cursor = [], None
    while True:
        query = PageQuery().load({"limit": limit, **({"cursor": cursor} if cursor else {})})
        page = read_page(collection, criteria or {}, sort, query)
        assert len(page["items"]) <= limit
        seen += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            return seen


def test_pages_by_id_give_every_item_once_in_order(database):
    database.units.insert_many([{"_id": f"u{i:03d}"} for i in range(23)])
    database.units.create_index([("_id", 1)])
    ids = [doc["_id"] for doc in read_all(database.units, [("_id", 1)], limit=5)]
    assert ids == [f"u{i:03d}" for i in range(23)]


def test_pages_newest_first_break_ties_by_id(database):
    base = dt.datetime(2026, 11, 1, tzinfo=UTC)
    docs = [{"_id": f"e{i:02d}", "at": base + dt.timedelta(minutes=i // 3), "who": "a"}
            for i in range(20)]  # three events share each minute
    database.events.insert_many(docs)
    database.events.create_index([("who", 1), ("at", -1), ("_id", -1)])
    order = [("at", -1), ("_id", -1)]
    got = [doc["_id"] for doc in read_all(database.events, order, limit=4, criteria={"who": "a"})]
    assert got == [doc["_id"] for doc in sorted(docs, key=lambda d: (d["at"], d["_id"]),
                                                reverse=True)]


def test_an_item_inserted_between_pages_neither_repeats_nor_hides_another(database):
    database.units.insert_many([{"_id": f"u{i}"} for i in (1, 3, 5, 7)])
    first = read_page(database.units, {}, [("_id", 1)], {"limit": 2, "cursor": None})
    database.units.insert_one({"_id": "u0"})  # before the cursor: not seen on later pages
    database.units.insert_one({"_id": "u4"})  # after it: seen
    second = read_page(database.units, {}, [("_id", 1)],
                       {"limit": 10, "cursor": first["next_cursor"]})
    assert [d["_id"] for d in first["items"]] == ["u1", "u3"]
    assert [d["_id"] for d in second["items"]] == ["u4", "u5", "u7"]
    assert second["next_cursor"] is None


@pytest.mark.parametrize("cursor", [
    "%%%", "bm9wZQ", encode_cursor(["a"]), encode_cursor([dt.datetime(2026, 1, 1), "x"]),
    "W1sieCIsIDFdXQ"])
def test_a_cursor_not_made_for_this_list_is_refused_naming_it(database, cursor):
    with pytest.raises(InvalidInput) as caught:
        read_page(database.events, {}, [("at", -1), ("_id", -1)], {"limit": 2, "cursor": cursor})
    assert "cursor" in caught.value.fields


@pytest.mark.parametrize("limit", [0, 501, "x"])
def test_limit_has_a_maximum(limit):
    from marshmallow import ValidationError
    with pytest.raises(ValidationError):
        PageQuery().load({"limit": limit})
