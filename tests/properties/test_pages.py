"""Paging (shared.pages) through any data set, in any indexed order, on both store backends:
the pages together give every matching item exactly once, in the order of one sorted read,
and no page is longer than its limit."""
import datetime as dt
import functools
import uuid

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shared.pages import PageQuery, read_page
from tests.properties.profiles import examples

UTC = dt.timezone.utc
MOMENTS = st.datetimes(dt.datetime(2026, 11, 1), dt.datetime(2026, 11, 3),
                       timezones=st.just(UTC)).map(lambda m: m.replace(microsecond=0))
WORDS = st.sampled_from(["a", "b", "c"])  # few values: many ties for the next key to break


@st.composite
def data_sets(draw):
    """(documents, sort, limit, criteria): a sort of one or two keys ending in ``_id``. A key
    sorted descending is never null (shared.pages.after says why); ascending ones may be."""
    keys = draw(st.lists(st.sampled_from(["word", "at"]), unique=True, max_size=2))
    sort = [(key, draw(st.sampled_from([1, -1]))) for key in keys]
    sort.append(("_id", draw(st.sampled_from([1, -1]))))
    nullable = {key for key, direction in sort if direction == 1}
    documents = []
    for index in draw(st.lists(st.integers(0, 999), unique=True, max_size=25)):
        document = {"_id": f"d{index:03d}", "team": draw(st.sampled_from(["x", "y"]))}
        for key, values in (("word", WORDS), ("at", MOMENTS)):
            document[key] = draw(st.none() | values if key in nullable else values)
        documents.append(document)
    criteria = draw(st.sampled_from([{}, {"team": "x"}]))
    return documents, sort, draw(st.integers(1, 6)), criteria


def reference_order(documents, sort):
    def compare(a, b):
        for key, direction in sort:
            left, right = a[key], b[key]
            if left == right:
                continue
            if left is None or right is None:  # null sorts first, as MongoDB sorts it
                before = left is None
            else:
                before = left < right
            return (-1 if before else 1) * direction
        return 0
    return sorted(documents, key=functools.cmp_to_key(compare))


@settings(max_examples=examples(30),
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data_sets())
def test_paging_through_any_data_set_gives_every_item_once_in_order(database, data_set):
    documents, sort, limit, criteria = data_set
    collection = database[f"c{uuid.uuid4().hex[:10]}"]
    if documents:
        collection.insert_many([dict(document) for document in documents])
    collection.create_index([("team", 1), *sort])
    collection.create_index(sort)
    seen, cursor, pages = [], None, 0
    while True:
        query = PageQuery().load({"limit": limit, **({"cursor": cursor} if cursor else {})})
        page = read_page(collection, criteria, sort, query)
        assert len(page["items"]) <= limit
        seen += [item["_id"] for item in page["items"]]
        cursor, pages = page["next_cursor"], pages + 1
        if cursor is None:
            break
        assert pages <= len(documents) + 1, "paging does not end"
    wanted = [d for d in documents if all(d[k] == v for k, v in criteria.items())]
    assert seen == [d["_id"] for d in reference_order(wanted, sort)]
