"""Storage chosen by URI: each service owns one database.

``mongodb://…`` (or ``mongodb+srv://…``) connects pymongo to a real MongoDB. ``embedded:<folder>``
opens litemongo, a file-backed store with pymongo's API, in ``<folder>/<database>``; relative
folders are under the project root. litemongo is safe with one process per folder, which holds
because each service runs as one process and owns its own folder.

Code keeps to the pymongo subset both honour (no transactions, no ``array_filters``); the
repository tests run against both. Example::

    client, db = connect("embedded:var/data", "visits")
    db.visits.insert_one({...})
"""
import pathlib
from logging import getLogger

import litemongo
import pymongo
from litemongo.sqlite_store import ServerStore

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
        folder = folder / database
        folder.mkdir(parents=True, exist_ok=True)
        _log.info("embedded store for %s in %s", database, folder)
        client = litemongo.MongoClient(ServerStore(folder), database=database, tz_aware=True)
        return client, client[database]
    raise ValueError(f"unsupported store URI {uri!r}: use mongodb://… or embedded:<folder>")
