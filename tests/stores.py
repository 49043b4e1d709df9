"""The store backends every storage test runs on, and how a test opens one.

mongomock is the reference for MongoDB's semantics where no MongoDB server runs; it lives in
this process only, so its URI (a test-only scheme) cannot be shared with another process.
Example::

    client, db = open_store(MONGOMOCK_URI, "test_cases")
"""
import os

from shared.storage import connect

MONGO_URI = os.environ.get("MONGO_URI")
MONGOMOCK_URI = "mongomock:"
STORE_BACKENDS = ["embedded", "mongomock"] + (["mongodb"] if MONGO_URI else [])


def open_store(uri, name):
    """``connect`` plus the test-only ``mongomock:`` scheme."""
    if uri == MONGOMOCK_URI:
        import mongomock
        client = mongomock.MongoClient(tz_aware=True)
        return client, client[name]
    return connect(uri, name)
