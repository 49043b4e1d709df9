"""The embedded document store: pymongo's API subset on the standard library's SQLite.

Promise: what the services do through pymongo (see the conformance suite in
``tests/repository``; the store's own tests are in ``docstore/tests``) does the same here,
index-backed and atomic across processes:

- one SQLite file per database (WAL, busy timeout), one table per collection, documents as
  JSON; the declared indexes become expression indexes (on key columns holding the indexed
  fields apart, ``docstore/keyed.py``), so queries, sorts and limits run in
  SQL and a sorted, limited query on an index touches only the rows it returns;
- every write runs in ``BEGIN IMMEDIATE``, so update operators (``$inc``, ``$push``, ``$pull``…)
  are atomic even with several processes sharing the folder; unique indexes raise pymongo's
  ``DuplicateKeyError``;
- datetimes come back aware in UTC, at millisecond precision, and sort in time order;
- anything outside the subset raises :class:`UnsupportedOperation` (a ``NotImplementedError``)
  naming the operator, before anything is read or written.

Example::

    from docstore import DocStoreClient
    db = DocStoreClient("var/data")["escalations"]
    db.cases.create_index([("authority_id", 1), ("status", 1), ("routed_at", -1)])
    db.cases.insert_one({"_id": "c1", "authority_id": "a", "status": "routed", "routed_at": now})
    db.cases.find({"authority_id": "a", "status": "routed"}).sort("routed_at", -1).limit(20)
    db.cases.explain({"authority_id": "a"}, sort=[("routed_at", -1)], limit=20)  # SQLite's plan
"""
from docstore.client import Database, DocStoreClient, recording
from docstore.collection import Collection
from docstore.errors import UnsupportedOperation

__all__ = ["Collection", "Database", "DocStoreClient", "UnsupportedOperation", "recording"]
