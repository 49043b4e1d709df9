"""Storage chosen by URI: each service owns one database.

``mongodb://…`` (or ``mongodb+srv://…``) connects pymongo to a real MongoDB. ``embedded:<folder>``
opens the project's own store on SQLite (the package ``docstore``): ``<folder>/<database>.sqlite3``,
index-backed and safe for several processes sharing the folder, so a service can run as several
instances; relative folders are under the project root.

Code keeps to the pymongo subset both honour (no transactions, no ``array_filters``; only
``Store.batch()`` opens the embedded store's own, ``docstore.Database.transaction``); the
repository tests run against both, with mongomock as the reference. Example::

    client, db = connect("embedded:var/data", "visits")
    db.visits.insert_one({...})
"""
import contextlib
import pathlib
from logging import getLogger

import pymongo

from docstore import Database as EmbeddedDatabase
from docstore import DocStoreClient
from shared.config import ROOT

_log = getLogger(__name__)

DuplicateKeyError = pymongo.errors.DuplicateKeyError


def connect(uri, database):
    """Return ``(client, db)``; close the client when the service stops."""
    if uri.startswith(("mongodb://", "mongodb+srv://")):
        client = pymongo.MongoClient(uri, tz_aware=True, serverSelectionTimeoutMS=10000)
        return client, client[database]
    if uri.startswith("embedded:"):
        folder = pathlib.Path(uri[len("embedded:"):])
        if not folder.is_absolute():
            folder = ROOT / folder
        _log.info("embedded store for %s in %s", database, folder / f"{database}.sqlite3")
        client = DocStoreClient(folder)
        return client, client[database]
    raise ValueError(f"unsupported store URI {uri!r}: use mongodb://… or embedded:<folder>")


@contextlib.contextmanager
def writes_together(db):
    """The writes of the block in one transaction where the store has them cheaply; yields
    whether they are (``atomic``). The embedded store: yes, all or none
    (``docstore.Database.transaction``). MongoDB's need a replica set and a session passed to
    every call, which the services do not pass: there each write stands alone."""
    raw = getattr(db, "_db", db)  # a worker's database wraps the store's (shared.outbox)
    if isinstance(raw, EmbeddedDatabase):
        with raw.transaction():
            yield True
    else:
        yield False
