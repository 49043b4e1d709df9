"""The embedded store and mongomock (the reference for MongoDB's semantics) give the same answers
over generated documents, filters (``$nor``, subdocuments against scalars), sorts, updates,
unique indexes over null and missing keys, TTL sweeps under partial filters and index option
changes.

CI runs a fixed seed and about 2,000 cases (under 2 minutes); a long run with another seed::

    DOCSTORE_DIFFERENTIAL_SEED=7 DOCSTORE_DIFFERENTIAL_SCALE=20 \\
        .venv/bin/python -m pytest docstore/tests/test_differential.py -q

Where mongomock itself deviates from MongoDB the generators keep out of its way, each place
saying so with MongoDB's documented behaviour:

- booleans are left out: mongomock compares ``True == 1`` as Python does; MongoDB does not;
- no float equal to an int in ``$set`` (MongoDB counts the type change as a modification);
- ``$exists: False`` on a dotted path into an array (mongomock: some element lacks it;
  MongoDB: none has it);
- a range on null (MongoDB matches null and missing as ``$eq`` does; mongomock nothing);
- an index re-declared under another name with the same keys: MongoDB refuses it
  (IndexOptionsConflict, 85), mongomock accepts it, so names are never varied here (the
  refusal is tested in ``test_exactness.py``);
- a sparse unique index: MongoDB's holds documents whose field is an explicit null ("even if
  the index field contains a null value"), so two nulls are duplicates; mongomock leaves them
  out, so sparse cases here have no explicit nulls (``test_exactness.py`` tests them);
- sorting on an array: MongoDB sorts by its least element ascending (its greatest descending);
  mongomock compares the arrays whole, so sorts here are on fields without arrays (the
  least/greatest rule is tested in ``test_exactness.py``);
- mongomock has no TTL monitor: the reference for a sweep is ``find`` of the documents whose
  date is past and which the partial filter selects, which is what MongoDB's TTL monitor
  deletes.
"""
import datetime as dt
import itertools
import os

import mongomock
import pytest
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st
from pymongo.errors import DuplicateKeyError, OperationFailure

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


FIELDS = ["a", "b", "d", "c", "c.x", "c.y"]  # c: a subdocument against scalars


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
                                                                        max_size=2)),
                            st.builds(lambda xs: {"$nor": xs}, st.lists(inner, min_size=1,
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
    folder = tmp_path_factory.mktemp("differential")
    embedded = DocStoreClient(folder)["differential"]
    reference = mongomock.MongoClient(tz_aware=True)["differential"]
    return embedded, reference, folder


def fresh(stores, docs):
    name = f"c{next(_names)}"
    embedded, reference = stores[0][name], stores[1][name]
    if docs:
        embedded.insert_many([dict(doc) for doc in docs])
        reference.insert_many([dict(doc) for doc in docs])
    return embedded, reference


SEED = int(os.environ.get("DOCSTORE_DIFFERENTIAL_SEED", "21"))
SCALE = float(os.environ.get("DOCSTORE_DIFFERENTIAL_SCALE", "1"))


def examples(count):
    """``count`` cases (times the scale) from the fixed seed."""
    return lambda test: seed(SEED)(settings(
        max_examples=int(count * SCALE), deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])(test))


@examples(600)
@given(docs=documents(), query=filters)
def test_filters_select_the_same_documents(stores, docs, query):
    same_selection(*fresh(stores, docs), query)


def same_selection(embedded, reference, query):
    expected = sorted(doc["_id"] for doc in reference.find(query))
    assert sorted(doc["_id"] for doc in embedded.find(query)) == expected
    assert embedded.count_documents(query) == len(expected)


@examples(300)
@given(docs=documents(), field=st.sampled_from(["b", "d", "c"]), direction=st.sampled_from([1, -1]),
       skip=st.integers(0, 3), limit=st.integers(0, 4))
def test_sorts_skips_and_limits_agree(stores, docs, field, direction, skip, limit):
    docs = [doc for doc in docs if not isinstance(doc.get(field), list)]  # see above
    embedded, reference = fresh(stores, docs)
    order = [(field, direction), ("_id", 1)]
    expected = list(reference.find({}).sort(order).skip(skip).limit(limit))
    assert list(embedded.find({}).sort(order).skip(skip).limit(limit)) == expected


@examples(500)
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


def indexed(stores, docs):
    """``fresh``, with the embedded store's fields indexed before the documents come: filters
    on the scalar ones then read their key columns (docstore/keyed.py), the others their side
    tables."""
    name = f"c{next(_names)}"
    # a database of its own: a schema of hundreds of collections slows every index built
    embedded = DocStoreClient(stores[2] / name)["differential"][name]
    reference = stores[1][name]
    for keys in (["a"], ["b"], ["d"], ["n"], ["c"], ["b", "d"], ["d", "n", "b"]):
        embedded.create_index([(key, 1) for key in keys])
    if docs:
        embedded.insert_many([dict(doc) for doc in docs])
        reference.insert_many([dict(doc) for doc in docs])
    return embedded, reference


@examples(300)
@given(docs=documents(), query=filters)
def test_filters_on_indexed_fields_select_the_same_documents(stores, docs, query):
    same_selection(*indexed(stores, docs), query)


@examples(300)
@given(docs=documents(), query=filters, update=updates, many=st.booleans(), after=filters,
       field=st.sampled_from(["b", "d", "n"]), direction=st.sampled_from([1, -1]))
def test_updates_of_indexed_fields_are_found_by_them_after(stores, docs, query, update, many,
                                                          after, field, direction):
    # a key column an update left stale would answer the filters after it wrongly
    embedded, reference = indexed(stores, docs)
    method = "update_many" if many else "update_one"
    refused = []
    for store in (reference, embedded):
        try:
            getattr(store, method)(query, update)
        except Exception as error:  # e.g. $push onto a field that is not an array
            refused.append(type(error).__name__)
    if refused and many:
        return  # a refused update_many changes nothing here, MongoDB keeps what it did
    assert sorted(doc["_id"] for doc in embedded.find(after)) == sorted(
        doc["_id"] for doc in reference.find(after)), (docs, query, update, many, after)
    order = [(field, direction), ("_id", 1)]
    assert [d["_id"] for d in embedded.find({}).sort(order)] == [
        d["_id"] for d in reference.find({}).sort(order)]


keyed = st.lists(st.fixed_dictionaries({}, optional={"u": st.one_of(st.none(), st.integers(0, 1)),
                                                     "v": st.one_of(st.none(), st.just("x"))}),
                 max_size=6)


@examples(300)
@given(docs=keyed, keys=st.sampled_from([["u"], ["u", "v"]]), sparse=st.booleans(),
       partial=st.booleans())
def test_unique_indexes_treat_null_and_missing_alike(stores, docs, keys, sparse, partial):
    embedded, reference = fresh(stores, [])
    options = {"unique": True}
    if partial:  # a partial index does not hold what its filter leaves out
        options["partialFilterExpression"] = {"v": "x"}
    elif sparse:
        options["sparse"] = True
        docs = [{k: v for k, v in doc.items() if v is not None} for doc in docs]  # see above
    outcomes = []
    for store in (reference, embedded):
        store.create_index([(key, 1) for key in keys], **options)
        inserted = []
        for i, doc in enumerate(docs):
            try:
                store.insert_one({"_id": i, **doc})
                inserted.append(i)
            except DuplicateKeyError:
                pass
        outcomes.append(inserted)
    assert outcomes[1] == outcomes[0]


@examples(200)
@given(docs=documents(), ttl=st.sampled_from([0, 3600 * 12, 3600 * 36]),
       partial=st.one_of(st.none(), conditions()))
def test_ttl_sweeps_delete_what_mongodb_expires(stores, docs, ttl, partial):
    embedded, reference = fresh(stores, docs)
    now = dt.datetime(2026, 11, 2, 12, tzinfo=UTC)
    options = {"expireAfterSeconds": ttl}
    if partial is not None:
        options["partialFilterExpression"] = partial
    embedded.create_index("d", **options)
    expired = {"d": {"$lt": now - dt.timedelta(seconds=ttl)}}
    if partial is not None:
        expired = {"$and": [expired, partial]}
    removed = sorted(doc["_id"] for doc in reference.find(expired))
    assert embedded.database.sweep_expired(now) == len(removed)
    left = sorted(doc["_id"] for doc in embedded.find({}))
    assert left == sorted(doc["_id"] for doc in docs if doc["_id"] not in removed)


index_options = st.fixed_dictionaries({}, optional={
    "unique": st.booleans(), "sparse": st.booleans(),
    "expireAfterSeconds": st.sampled_from([60, 120])})


@examples(100)
@given(first=index_options, second=index_options)
def test_index_option_changes_are_refused_as_mongodb_refuses_them(stores, first, second):
    embedded, reference = fresh(stores, [])
    outcomes = []
    for store in (reference, embedded):
        store.create_index("d", **first)
        try:
            store.create_index("d", **second)
            outcomes.append("kept")
        except OperationFailure:
            outcomes.append("refused")
    assert outcomes[1] == outcomes[0], (first, second)
