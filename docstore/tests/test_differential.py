"""The embedded store and mongomock (the reference for MongoDB's semantics) give the same answers
over generated documents, filters, sorts and updates. Booleans are left out: mongomock compares
``True == 1`` as Python does, where MongoDB (and the embedded store) do not."""
import datetime as dt
import itertools

import mongomock
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from docstore import DocStoreClient

UTC = dt.timezone.utc
DATES = [dt.datetime(2026, 11, day, hour, tzinfo=UTC) for day in (1, 2) for hour in (0, 12)]

scalars = st.one_of(
    st.none(),
    st.integers(-3, 3),
    # no float equal to an int: $set of 2.0 over 2 is a type change MongoDB counts as modified
    # and mongomock does not, so the reference cannot judge it
    st.sampled_from([-1.5, 0.5, 2.5]),
    st.text(alphabet="abc", max_size=2),
    st.sampled_from(DATES),
)
values = st.one_of(scalars, st.lists(st.one_of(st.integers(-3, 3), st.text("abc", max_size=1)),
                                     max_size=3))
subdocs = st.fixed_dictionaries({}, optional={"x": st.integers(-2, 2), "y": st.text("ab",
                                                                                     max_size=1)})


@st.composite
def documents(draw):
    count = draw(st.integers(0, 10))
    docs = []
    for i in range(count):
        doc = {"_id": i}
        for field, strategy in (("a", values), ("b", st.text("abc", max_size=2)), ("d", scalars),
                                ("c", st.one_of(subdocs, st.lists(subdocs, max_size=2)))):
            if draw(st.booleans()):
                doc[field] = draw(strategy)
        docs.append(doc)
    return docs


FIELDS = ["a", "b", "d", "c.x", "c.y"]


@st.composite
def conditions(draw):
    field = draw(st.sampled_from(FIELDS))
    op = draw(st.sampled_from(["eq", "$ne", "$gt", "$gte", "$lt", "$lte", "$in", "$nin",
                               "$exists"]))
    if op == "eq":
        return {field: draw(scalars)}
    if op in ("$in", "$nin"):
        return {field: {op: draw(st.lists(scalars, min_size=1, max_size=3))}}
    if op == "$exists":
        # mongomock takes {"c.x": {"$exists": False}} to match when *some* element of the
        # array c lacks x; MongoDB (and the embedded store) only when none has it
        return {field: {op: draw(st.booleans()) if "." not in field else True}}
    # a range on null: MongoDB matches null and missing as $eq does, mongomock nothing
    return {field: {op: draw(scalars.filter(lambda v: v is not None))}}


filters = st.recursive(
    conditions(),
    lambda inner: st.one_of(st.builds(lambda xs: {"$and": xs}, st.lists(inner, min_size=1,
                                                                         max_size=2)),
                            st.builds(lambda xs: {"$or": xs}, st.lists(inner, min_size=1,
                                                                        max_size=2))),
    max_leaves=3)

updates = st.one_of(
    st.builds(lambda v: {"$set": {"d": v}}, scalars),
    st.builds(lambda v: {"$set": {"c.x": v}}, st.integers(-2, 2)),
    st.builds(lambda n: {"$inc": {"n": n}}, st.integers(-2, 2)),
    st.builds(lambda v: {"$push": {"tags": v}}, st.text("ab", max_size=1)),
    st.builds(lambda v: {"$addToSet": {"tags": v}}, st.text("ab", max_size=1)),
    st.just({"$unset": {"b": ""}}),
)

_names = itertools.count()


@pytest.fixture(scope="module")
def stores(tmp_path_factory):
    embedded = DocStoreClient(tmp_path_factory.mktemp("differential"))["differential"]
    reference = mongomock.MongoClient(tz_aware=True)["differential"]
    return embedded, reference


def fresh(stores, docs):
    name = f"c{next(_names)}"
    embedded, reference = stores[0][name], stores[1][name]
    if docs:
        embedded.insert_many([dict(doc) for doc in docs])
        reference.insert_many([dict(doc) for doc in docs])
    return embedded, reference


EXAMPLES = settings(max_examples=150, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow])


@EXAMPLES
@given(docs=documents(), query=filters)
def test_filters_select_the_same_documents(stores, docs, query):
    embedded, reference = fresh(stores, docs)
    expected = sorted(doc["_id"] for doc in reference.find(query))
    assert sorted(doc["_id"] for doc in embedded.find(query)) == expected
    assert embedded.count_documents(query) == len(expected)


@EXAMPLES
@given(docs=documents(), field=st.sampled_from(["b", "d"]), direction=st.sampled_from([1, -1]),
       skip=st.integers(0, 3), limit=st.integers(0, 4))
def test_sorts_skips_and_limits_agree(stores, docs, field, direction, skip, limit):
    embedded, reference = fresh(stores, docs)
    order = [(field, direction), ("_id", 1)]
    expected = list(reference.find({}).sort(order).skip(skip).limit(limit))
    assert list(embedded.find({}).sort(order).skip(skip).limit(limit)) == expected


@EXAMPLES
@given(docs=documents(), query=filters, update=updates, many=st.booleans())
def test_updates_leave_the_same_documents(stores, docs, query, update, many):
    embedded, reference = fresh(stores, docs)
    method = "update_many" if many else "update_one"
    outcomes = []
    for store in (reference, embedded):
        try:
            result = getattr(store, method)(query, update)
            outcomes.append(("ok", result.matched_count, result.modified_count))
        except Exception as error:  # e.g. $push onto a field that is not an array
            outcomes.append(("refused", type(error).__name__))
    if outcomes[0][0] == "refused" or outcomes[1][0] == "refused":
        assert outcomes[0][0] == outcomes[1][0], outcomes
        if many:
            return  # a refused update_many changes nothing here, MongoDB keeps what it did
    else:
        assert outcomes[1] == outcomes[0]
    assert list(embedded.find({}).sort("_id", 1)) == list(reference.find({}).sort("_id", 1))
