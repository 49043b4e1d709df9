"""Where attachments' bytes are kept: one port, two adapters, chosen by the store's URI.

A file is named by the SHA-256 of its bytes (content-addressed): storing the same bytes twice
keeps one copy, and a reader can check what it got. ``embedded:<folder>`` keeps each file beside
the embedded store, in ``<folder>/<database>.files/<2 hex>/<64 hex>`` (written to a temporary
name, then renamed: a reader never sees half a file); ``mongodb://…`` keeps them in GridFS
(``<database>.attachment_files``), in the same database as the documents that reference them.

A service writes the file *before* the document that references it, so a crash between the two
leaves a file nothing references, never a reference to nothing; :func:`sweep` removes such files
once they are older than a grace period (an upload whose document is still on its way is not
swept). Example::

    files = files_for("embedded:var/data", "visits", db)
    digest = files.put(b"...")            # the SHA-256, hex
    files.get(digest)                     # the bytes, or FileMissing
    sweep(files, referenced={digest}, now=now, grace=dt.timedelta(hours=24))
"""
import datetime as dt
import hashlib
import os
import pathlib
import re
import tempfile

import gridfs
from nameko.extensions import DependencyProvider

from shared.config import ROOT
from shared.storage import connect

GRIDFS_COLLECTION = "attachment_files"
_DIGEST = re.compile(r"^[0-9a-f]{64}$")
UTC = dt.timezone.utc


class FileMissing(LookupError):
    """No file is stored under this digest (or what is stored no longer hashes to it)."""


def digest_of(data):
    return hashlib.sha256(data).hexdigest()


def _checked(digest):
    if not isinstance(digest, str) or not _DIGEST.match(digest):
        raise FileMissing(f"not a SHA-256 digest: {digest!r}")
    return digest


class Files:
    """The port: what a service may do with stored files."""

    def put(self, data):
        """Stores ``data`` (once, however often it is put); returns its SHA-256 (hex)."""
        raise NotImplementedError

    def get(self, digest):
        raise NotImplementedError

    def exists(self, digest):
        raise NotImplementedError

    def delete(self, digest):
        """Removes the file; removing a file that is not there is not an error."""
        raise NotImplementedError

    def stored(self):
        """Every stored file as ``(digest, stored_at)`` (aware, UTC)."""
        raise NotImplementedError


class FolderFiles(Files):
    """Files in a folder, one per digest, fanned out by its first two hex digits."""

    def __init__(self, folder):
        self.folder = pathlib.Path(folder)

    def _path(self, digest):
        return self.folder / digest[:2] / digest

    def put(self, data):
        digest = digest_of(data)
        path = self._path(digest)
        if path.exists():
            return digest
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())  # on disk before any document may reference it
            os.replace(temporary, path)
        except BaseException:
            pathlib.Path(temporary).unlink(missing_ok=True)
            raise
        return digest

    def get(self, digest):
        try:
            data = self._path(_checked(digest)).read_bytes()
        except FileNotFoundError:
            raise FileMissing(digest) from None
        if digest_of(data) != digest:  # a damaged disk: say so rather than serve other bytes
            raise FileMissing(f"{digest}: stored bytes no longer match their digest")
        return data

    def exists(self, digest):
        try:
            return self._path(_checked(digest)).is_file()
        except FileMissing:
            return False

    def delete(self, digest):
        self._path(_checked(digest)).unlink(missing_ok=True)

    def stored(self):
        if not self.folder.is_dir():
            return
        for path in self.folder.glob("??/*"):
            if _DIGEST.match(path.name):
                yield path.name, dt.datetime.fromtimestamp(path.stat().st_mtime, UTC)


class GridFiles(Files):
    """Files in MongoDB's GridFS (``gridfs.GridFS``: mongomock, the tests' reference, has no
    ``GridFSBucket``), each under its digest as ``_id``."""

    def __init__(self, db, collection=GRIDFS_COLLECTION):
        self.grid = gridfs.GridFS(db, collection=collection)
        self.listing = db[f"{collection}.files"]

    def put(self, data):
        digest = digest_of(data)
        try:
            self.grid.put(data, _id=digest)
        except gridfs.errors.FileExists:
            pass
        return digest

    def get(self, digest):
        try:
            data = self.grid.get(_checked(digest)).read()
        except gridfs.errors.NoFile:
            raise FileMissing(digest) from None
        if digest_of(data) != digest:
            raise FileMissing(f"{digest}: stored bytes no longer match their digest")
        return data

    def exists(self, digest):
        try:
            return self.grid.exists(_checked(digest))
        except FileMissing:
            return False

    def delete(self, digest):
        self.grid.delete(_checked(digest))

    def stored(self):
        for found in self.listing.find({}, {"uploadDate": 1}):
            stored_at = found["uploadDate"]
            if stored_at.tzinfo is None:
                stored_at = stored_at.replace(tzinfo=UTC)
            yield found["_id"], stored_at


def files_for(uri, database, db):
    """The adapter for a service's store: a folder beside the embedded store's file, or GridFS
    in the service's MongoDB database ``db``."""
    if uri.startswith("embedded:"):
        folder = pathlib.Path(uri[len("embedded:"):])
        if not folder.is_absolute():
            folder = ROOT / folder
        return FolderFiles(folder / f"{database}.files")
    if uri.startswith(("mongodb://", "mongodb+srv://")):
        return GridFiles(db)
    raise ValueError(f"unsupported store URI {uri!r}: use mongodb://… or embedded:<folder>")


def sweep(files, referenced, now, grace):
    """Removes the files no document references that were stored before ``now - grace``;
    returns their digests. ``referenced`` answers ``digest in referenced``."""
    removed = []
    for digest, stored_at in list(files.stored()):
        if digest not in referenced and stored_at <= now - grace:
            files.delete(digest)
            removed.append(digest)
    return removed


class HeldFiles:
    """``digest in HeldFiles(collection)``: whether a document of ``collection`` (a service's
    attachments) holds that file as its ``sha256`` or ``thumbnail_sha256`` (two index
    lookups), for :func:`sweep` and an erasure."""

    def __init__(self, collection):
        self.collection = collection

    def __contains__(self, digest):
        return any(self.collection.find_one({field: digest}, {"_id": 1}) is not None
                   for field in ("sha256", "thumbnail_sha256"))


class FileStore(DependencyProvider):
    """A service's files as a nameko dependency, beside its ``Store`` (the same URI and
    database name)."""

    def setup(self):
        uri = self.container.config["STORE_URI"]
        self.client, db = None, None
        if uri.startswith(("mongodb://", "mongodb+srv://")):
            self.client, db = connect(uri, self.container.service_name)
        self.files = files_for(uri, self.container.service_name, db)

    def stop(self):
        if self.client is not None:
            self.client.close()

    def get_dependency(self, worker_ctx):
        return self.files
