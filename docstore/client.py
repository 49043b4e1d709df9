"""Client and database: one SQLite file per database, shared safely by several processes.

Every write runs inside ``BEGIN IMMEDIATE`` … ``COMMIT`` on the database's one connection, under
a lock, and never yields to eventlet's hub in between, so a read-modify-write is atomic for every
process using the file. Reads are single statements: they see committed data. What the SQL of a
collection depends on (paths that held arrays, indexes with side tables) is cached and reloaded
when ``PRAGMA data_version`` says another connection committed. Example::

    client = DocStoreClient("var/data")
    db = client["visits"]            # var/data/visits.sqlite3
    with recording() as statements:  # every statement any client runs, for query plans
        db.visits.find_one({"_id": "v1"})
"""
import contextlib
import json
import pathlib
import sqlite3
import threading
from logging import getLogger

from bson import json_util

from docstore import multikey
from docstore.errors import UnsupportedOperation
from docstore.match import matches
from docstore.query import Meta, node_for

_log = getLogger(__name__)

BUSY_TIMEOUT_SECONDS = 30
CACHE_KIB = 32 * 1024
# the WAL is copied into the database file (and both synced) once it holds this many pages,
# not SQLite's 1,000: a document with many indexes dirties some 30 pages a commit, so 1,000
# meant a checkpoint every ~30 commits, each rewriting the same hot index pages again; a
# checkpoint was a third of an insert's CPU (docs/reports/benchmark/2026-12-07-perf27b.md).
# The WAL file grows to about 16 MB per database.
CHECKPOINT_PAGES = 4000
_RECORDERS = []


@contextlib.contextmanager
def recording():
    """Collects ``(database file, sql, params)`` of every statement run while open."""
    statements = []
    _RECORDERS.append(statements)
    try:
        yield statements
    finally:
        _RECORDERS.remove(statements)


def _ds_match(doc, key):
    return matches(json.loads(doc), node_for(key))


class DocStoreClient:
    """pymongo's ``MongoClient`` shape over a folder of SQLite files."""

    def __init__(self, folder):
        self.folder = pathlib.Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self._databases = {}
        self._lock = threading.Lock()

    def __getitem__(self, name):
        with self._lock:
            if name not in self._databases:
                _check_name(name, "database")
                self._databases[name] = Database(self, name, self.folder / f"{name}.sqlite3")
            return self._databases[name]

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        return self[name]

    def get_database(self, name):
        return self[name]

    def drop_database(self, name):
        database = self._databases.pop(name, None)
        if database is not None:
            database.close()
        for suffix in ("", "-wal", "-shm"):
            (self.folder / f"{name}.sqlite3{suffix}").unlink(missing_ok=True)

    def close(self):
        with self._lock:
            for database in self._databases.values():
                database.close()
            self._databases.clear()


def _check_name(name, what):
    if not isinstance(name, str) or not name or '"' in name or "\x00" in name \
            or name.startswith(("_docstore", "sqlite_")) or "__mk__" in name:
        raise ValueError(f"{what} name {name!r} is not allowed")


class Database:

    def __init__(self, client, name, path):
        self.client, self.name, self.path = client, name, path
        self.lock = threading.RLock()
        self._collections = {}
        self.conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False,
                                    timeout=BUSY_TIMEOUT_SECONDS, cached_statements=512)
        self.conn.execute("PRAGMA journal_mode=WAL")
        # WAL with NORMAL: a commit survives the process being killed; like MongoDB's default
        # journal interval, a power cut may cost the last few commits
        self.conn.execute("PRAGMA synchronous=NORMAL")
        self.conn.execute(f"PRAGMA wal_autocheckpoint={CHECKPOINT_PAGES}")
        # a write inside a savepoint (each write of a batch, shared/batches.py) keeps the pages
        # it changes in a statement journal: past 64 KiB (a case's indexes) SQLite spilled it
        # to a temporary file, and the write's statements cost twice as much; in memory, a copy
        self.conn.execute("PRAGMA temp_store=MEMORY")
        # index pages stay in memory as collections grow (SQLite's default is 2 MB)
        self.conn.execute(f"PRAGMA cache_size=-{CACHE_KIB}")
        # what is deleted or overwritten is zeroed, not left in free space: personal data a
        # deletion request or the retention sweep removed is in no backup taken after it
        # (Debian's SQLite is built with this on; other builds are not)
        self.conn.execute("PRAGMA secure_delete=ON")
        self.conn.create_function("ds_match", 2, _ds_match, deterministic=True)
        with self.write():
            self.conn.execute("CREATE TABLE IF NOT EXISTS _docstore_arrays ("
                              "collection TEXT, path TEXT, PRIMARY KEY (collection, path))"
                              " WITHOUT ROWID")
            self.conn.execute("CREATE TABLE IF NOT EXISTS _docstore_indexes ("
                              "collection TEXT, name TEXT, spec TEXT NOT NULL,"
                              " PRIMARY KEY (collection, name)) WITHOUT ROWID")
            # paths that ever held a subdocument: its JSON text is no string (see query.py)
            self.conn.execute("CREATE TABLE IF NOT EXISTS _docstore_subdocuments ("
                              "collection TEXT, path TEXT, PRIMARY KEY (collection, path))"
                              " WITHOUT ROWID")
            # top-level fields held apart in a key column of their own (docstore/keyed.py)
            self.conn.execute("CREATE TABLE IF NOT EXISTS _docstore_keyed ("
                              "collection TEXT, field TEXT, col TEXT NOT NULL,"
                              " PRIMARY KEY (collection, field)) WITHOUT ROWID")

    # --- collections --------------------------------------------------------------------------

    def __getitem__(self, name):
        collection = self._collections.get(name)
        if collection is None:
            from docstore.collection import Collection
            _check_name(name, "collection")
            collection = self._collections[name] = Collection(self, name)
        return collection

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        return self[name]

    def get_collection(self, name):
        return self[name]

    def list_collection_names(self):
        rows = self.execute("SELECT name FROM sqlite_master WHERE type='table' AND name NOT "
                            "LIKE '\\_docstore%' ESCAPE '\\' AND name NOT LIKE '%\\_\\_mk\\_\\_%'"
                            " ESCAPE '\\' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'").fetchall()
        return sorted(row[0] for row in rows)

    def drop_collection(self, name):
        self[name].drop()

    def sweep_expired(self, now=None):
        """Deletes what TTL indexes say has expired, in every collection; returns how many."""
        return sum(self[name].sweep_expired(now) for name in self._ttl_collections())

    def _ttl_collections(self):
        rows = self.execute("SELECT DISTINCT collection FROM _docstore_indexes "
                            "WHERE json_extract(spec, '$.ttl') IS NOT NULL").fetchall()
        return [row[0] for row in rows]

    def close(self):
        with self.lock:
            self.conn.close()

    # --- statements ---------------------------------------------------------------------------

    def execute(self, sql, params=()):
        for statements in _RECORDERS:
            statements.append((str(self.path), sql, tuple(params)))
        with self.lock:
            return self.conn.execute(sql, params)

    def fetchall(self, sql, params=()):
        for statements in _RECORDERS:
            statements.append((str(self.path), sql, tuple(params)))
        with self.lock:
            try:
                return self.conn.execute(sql, params).fetchall()
            except sqlite3.OperationalError as error:
                if "no such table" in str(error):
                    return []
                raise

    def read(self, collection, statement):
        """Rows of ``statement(meta)`` (which returns ``(sql, params)``), planned and read in
        one read transaction: the plan's knowledge of array paths and the rows are of one
        snapshot, so a field another process just turned into an array is never missed."""
        with self.lock:
            if self.conn.in_transaction:  # inside a write: one snapshot already
                return self.fetchall(*statement(self.meta(collection)))
            self.conn.execute("BEGIN")
            try:  # PRAGMA data_version in meta() is the snapshot's first read
                return self.fetchall(*statement(self.meta(collection)))
            finally:
                if self.conn.in_transaction:
                    self.conn.execute("COMMIT")

    def query_plan(self, sql, params=()):
        """SQLite's ``EXPLAIN QUERY PLAN`` of a statement, one detail line per step."""
        with self.lock:
            return [row[3] for row in self.conn.execute("EXPLAIN QUERY PLAN " + sql, params)]

    _open = None  # the Transaction of an open transaction(): every write joins it
    _savepoints = 0

    @contextlib.contextmanager
    def transaction(self):
        """Every write until the block ends in one ``BEGIN IMMEDIATE`` transaction, committed
        together, or none of them when the block raises. Each write inside is a savepoint: one
        that fails (a duplicate key) undoes only itself, as it would alone. The block holds the
        database's lock, so other (green) threads' reads and writes wait for it; transactions
        do not nest."""
        with self.lock:
            if self._open is not None:
                raise RuntimeError("a transaction is already open on this database")
            with self.write() as txn:
                self._open = txn
                try:
                    yield txn
                finally:
                    self._open = None

    @contextlib.contextmanager
    def write(self):
        """One ``BEGIN IMMEDIATE`` transaction, or a savepoint inside an open
        :meth:`transaction`; yields a :class:`Transaction`."""
        with self.lock:
            if self._open is not None:
                with self._savepoint(self._open) as txn:
                    yield txn
                return
            self.conn.execute("BEGIN IMMEDIATE")
            txn = Transaction(self)
            try:
                yield txn
                self.conn.execute("COMMIT")
            except BaseException:
                if self.conn.in_transaction:
                    self.conn.execute("ROLLBACK")
                self._metas = None  # what it read inside the undone write is gone with it
                for collection in self._collections.values():
                    collection._created = False  # a table made in this write is gone again
                raise
            if txn.rolled_back:  # a savepoint undone: what the cache knows is read again
                self._metas = None
            txn.publish()

    @contextlib.contextmanager
    def _savepoint(self, txn):
        self._savepoints += 1
        name = f"write_{self._savepoints}"
        known = txn.snapshot()
        self.conn.execute(f"SAVEPOINT {name}")
        try:
            yield txn
        except BaseException:
            self.conn.execute(f"ROLLBACK TO {name}")
            self.conn.execute(f"RELEASE {name}")
            txn.restore(known)
            for collection in self._collections.values():
                collection._created = False
            raise
        self.conn.execute(f"RELEASE {name}")

    # --- what SQL depends on ------------------------------------------------------------------

    _version = None
    _metas = None

    def meta(self, collection):
        with self.lock:
            version = self.conn.execute("PRAGMA data_version").fetchone()[0]
            if version != self._version or self._metas is None:
                self._load_meta()
                self._version = version
            return self._metas.setdefault(collection, Meta())

    def _load_meta(self):
        metas = {}
        for collection, path in self.conn.execute("SELECT collection, path FROM _docstore_arrays"):
            metas.setdefault(collection, Meta()).add_arrays([path])
        for collection, path in self.conn.execute(
                "SELECT collection, path FROM _docstore_subdocuments"):
            metas.setdefault(collection, Meta()).subdocuments.add(path)
        for collection, field, name in self.conn.execute(
                "SELECT collection, field, col FROM _docstore_keyed"):
            metas.setdefault(collection, Meta()).keyed[field] = name
        for collection, name, spec in self.conn.execute(
                "SELECT collection, name, spec FROM _docstore_indexes"):
            spec = json_util.loads(spec)  # a partial filter may hold dates
            meta = metas.setdefault(collection, Meta())
            meta.indexes[name] = spec
        for meta in metas.values():  # once every array path is known
            for spec in meta.indexes.values():
                leading = spec["keys"][0][0]
                if spec.get("side") and (not spec.get("columns") or meta.through_array(leading)):
                    columns, row = multikey.layout(spec)
                    meta.multikey[leading] = (spec["side"], columns[0], row)
        self._metas = metas


class Transaction:
    """Meta changes made inside a write, published to the cache only once it committed."""

    def __init__(self, database):
        self.database = database
        self.arrays = {}  # collection -> new array paths
        self.subdocuments = {}  # collection -> new subdocument paths
        self._metas = {}  # nobody else can change them while this write holds the lock
        self.rolled_back = False  # a savepoint in it was undone

    def snapshot(self):
        return ({name: set(paths) for name, paths in self.arrays.items()},
                {name: set(paths) for name, paths in self.subdocuments.items()})

    def restore(self, known):
        """After a savepoint was undone: forget the paths it recorded, and what was cached."""
        self.arrays, self.subdocuments = known
        self.rolled_back = True
        self.invalidate()

    def meta(self, collection):
        if collection not in self._metas:
            self._metas[collection] = self.database.meta(collection)
        return self._metas[collection]

    def add_arrays(self, collection, paths, subdocuments=()):
        """Records the array and subdocument paths of a write; answers the array paths this
        collection never held before."""
        meta = self.meta(collection)
        if paths <= meta.arrays and (not subdocuments or subdocuments <= meta.subdocuments):
            return set()
        first = set()
        for table, known, store in (("_docstore_arrays", meta.arrays, self.arrays),
                                    ("_docstore_subdocuments", meta.subdocuments,
                                     self.subdocuments)):
            given = paths if table == "_docstore_arrays" else set(subdocuments)
            new = given - known - store.get(collection, set())
            if new:  # first time this collection holds an array (or subdocument) there
                self.database.conn.executemany(
                    f"INSERT OR IGNORE INTO {table} VALUES (?, ?)",
                    [(collection, path) for path in sorted(new)])
                store.setdefault(collection, set()).update(new)
                if table == "_docstore_arrays":
                    first = new
        return first

    def publish(self):
        for collection, paths in self.arrays.items():
            self.database.meta(collection).add_arrays(paths)
        for collection, paths in self.subdocuments.items():
            self.database.meta(collection).subdocuments.update(paths)

    def invalidate(self):
        self.database._metas = None
        self._metas.clear()


def refuse(operator, message):
    raise UnsupportedOperation(operator, message)
