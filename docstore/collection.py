"""A collection: one table ``(rid INTEGER PRIMARY KEY, id UNIQUE, doc TEXT)``, pymongo's verbs.

Reads are one SQL statement each (filter, sort, skip and limit in SQL); writes read, change and
write back inside one ``BEGIN IMMEDIATE`` transaction, keeping multikey side tables and the
record of array paths in step. Example::

    visits.create_index([("unit_id", 1), ("meeting_date", -1)])
    visits.find({"unit_id": "u1"}, {"outbox": 0}).sort("meeting_date", -1).limit(5)
"""
import datetime as dt
import sqlite3

from bson import ObjectId
from pymongo import ReturnDocument
from pymongo.errors import BulkWriteError, DuplicateKeyError, PyMongoError
from pymongo.results import (
    BulkWriteResult,
    DeleteResult,
    InsertManyResult,
    InsertOneResult,
    UpdateResult,
)

from docstore import indexes, keyed, multikey
from docstore.cursor import Cursor, normalize_sort
from docstore.encoding import (
    decode_value,
    document_text,
    encode_document,
    encode_value,
    loads,
)
from docstore.errors import UnsupportedOperation
from docstore.match import parse_filter
from docstore.ordering import needs_python, sort_rows
from docstore.query import id_operand, order_by, where
from docstore.unique import NULL_SUFFIX
from docstore.updates import (
    apply_update,
    changed_fields,
    is_operator_update,
    parse_update,
    upsert_seed,
)


class Collection:

    def __init__(self, database, name):
        self.database, self.name = database, name
        self.full_name = f"{database.name}.{name}"
        self.table = f'"{name}"'
        self._created = False

    def __repr__(self):
        return f"Collection({self.full_name!r})"

    # --- indexes ------------------------------------------------------------------------------

    def create_index(self, keys, **options):
        return indexes.create_index(self, keys, **options)

    def index_information(self):
        return indexes.index_information(self)

    def drop(self):
        with self.database.write() as txn:
            for spec in self.database.meta(self.name).indexes.values():
                if spec.get("side"):
                    self.database.execute(f'DROP TABLE IF EXISTS "{spec["side"]}"')
            self.database.execute(f"DROP TABLE IF EXISTS {self.table}")
            for meta_table in ("_docstore_arrays", "_docstore_subdocuments", "_docstore_keyed",
                               "_docstore_indexes"):
                self.database.execute(f"DELETE FROM {meta_table} WHERE collection = ?",
                                           (self.name,))
            txn.invalidate()
        self._created = False

    def _ensure_table(self):
        if not self._created:
            self.database.execute(
                f"CREATE TABLE IF NOT EXISTS {self.table} "
                "(rid INTEGER PRIMARY KEY, id UNIQUE NOT NULL, doc TEXT NOT NULL)")
            self._created = True

    # --- reads --------------------------------------------------------------------------------

    def find(self, filter=None, projection=None, skip=0, limit=0, sort=None):
        cursor = Cursor(self, parse_filter(filter), projection)
        if sort:
            cursor.sort(sort)
        return cursor.skip(skip).limit(limit)

    def find_one(self, filter=None, projection=None, sort=None):
        if filter is not None and not isinstance(filter, dict):
            filter = {"_id": filter}
        for doc in self.find(filter, projection, sort=sort).limit(1):
            return doc
        return None

    def count_documents(self, filter, skip=0, limit=0):
        node = parse_filter(filter)

        def statement(meta):
            planned = multikey.join_plan(node, [], meta)
            join = ""
            if planned:
                meta, join = planned
            sql, params = where(node, meta)
            if not (limit or skip):
                # count(*) straight over the WHERE: when the index answers every condition,
                # SQLite counts its entries and never seeks a row (its seek is deferred)
                return f"SELECT count(*) FROM {self.table}{join} WHERE {sql}", params
            inner = f"SELECT 1 FROM {self.table}{join} WHERE {sql}"
            inner += f" LIMIT {int(limit) or -1} OFFSET {int(skip)}"
            return f"SELECT count(*) FROM ({inner})", params

        rows = self.database.read(self.name, statement)
        return rows[0][0] if rows else 0  # no table yet: nothing was ever written

    def estimated_document_count(self):
        return self.count_documents({})

    def distinct(self, key, filter=None):
        from docstore.encoding import values_at
        from docstore.match import equal
        found = []
        for doc in self._encoded(filter):
            for value in values_at(doc, key):
                if isinstance(value, list):
                    continue  # its elements are there too
                if not any(equal(value, have) for have in found):
                    found.append(value)
        return [decode_value(value) for value in found]

    def aggregate(self, pipeline):
        from docstore.bulk import run_pipeline
        return iter(run_pipeline(self, list(pipeline)))

    def _encoded(self, filter, sql_tail="", node=None):
        import json
        node = parse_filter(filter) if node is None else node

        def statement(meta):
            sql, params = where(node, meta)
            return f"SELECT doc FROM {self.table} WHERE {sql}{sql_tail}", params

        return [json.loads(row[0]) for row in self.database.read(self.name, statement)]

    def explain(self, filter=None, sort=None, limit=0):
        """SQLite's plan of ``find(filter).sort(sort).limit(limit)``."""
        cursor = self.find(filter, sort=normalize_sort(sort) if sort else None).limit(limit)
        sql, params = cursor.statement()
        return self.database.query_plan(sql, params)

    # --- writes -------------------------------------------------------------------------------

    def insert_one(self, document):
        encoded = self._prepare(document)
        with self.database.write() as txn:
            self._insert(txn, encoded)
        return InsertOneResult(document["_id"], True)

    def insert_many(self, documents, ordered=True):
        documents = list(documents)
        if not documents:
            raise TypeError("documents must be a non-empty list")
        encoded = [self._prepare(document) for document in documents]
        try:
            with self.database.write() as txn:
                if any(spec.get("side") for spec in txn.meta(self.name).indexes.values()):
                    self._insert_each(txn, encoded)
                else:  # one statement for all: the bulk load path
                    self._ensure_table()
                    insert, fields = self._insert_sql(txn)
                    self.database.conn.executemany(insert, [
                        (id_operand(doc["_id"]), document_text(doc),
                         *keyed.row_values(doc, fields)) for doc in encoded])
                    paths, subdocuments = set(), set()
                    for doc in encoded:
                        indexes.array_paths(doc, out=paths, subdocuments=subdocuments)
                    first = txn.add_arrays(self.name, paths, subdocuments)
                    if first:  # an index these arrays reach becomes multikey
                        multikey.convert(self, txn, first)
        except sqlite3.IntegrityError:
            with self.database.write() as txn:  # again one by one, to name the duplicate
                self._insert_each(txn, encoded)
        return InsertManyResult([document["_id"] for document in documents], True)

    def _insert_each(self, txn, encoded):
        for i, doc in enumerate(encoded):
            try:
                self._insert(txn, doc)
            except DuplicateKeyError as error:
                raise BulkWriteError({"writeErrors": [{"index": i, "code": 11000,
                                                       "errmsg": str(error)}],
                                      "nInserted": 0}) from None

    def _prepare(self, document):
        if not isinstance(document, dict):
            raise TypeError(f"document must be a dict, not {type(document).__name__}")
        if "_id" not in document:
            document["_id"] = ObjectId()  # as pymongo does, on the caller's document
        return encode_document(document)

    def _insert_sql(self, txn):
        """The INSERT of a document with its key columns, and the fields of those columns."""
        meta = txn.meta(self.name)
        fields = list(meta.keyed)
        names = "".join(f", {keyed.quoted(meta.keyed[field])}" for field in fields)
        marks = ", ?" * len(fields)
        return f"INSERT INTO {self.table} (id, doc{names}) VALUES (?, ?{marks})", fields

    def _insert(self, txn, encoded):
        self._ensure_table()
        insert, fields = self._insert_sql(txn)
        try:
            cursor = self.database.execute(insert, (
                id_operand(encoded["_id"]), document_text(encoded),
                *keyed.row_values(encoded, fields)))
        except sqlite3.IntegrityError as error:
            raise self._duplicate(error, encoded) from None
        indexes.after_write(self, txn, cursor.lastrowid, None, encoded)

    def _duplicate(self, error, encoded):
        text = str(error)
        index = "_id_" if text.endswith(".id") else text.rsplit("index '", 1)[-1].rstrip("'")
        index = index.split("__", 1)[-1] if "__" in index else index
        index = index.removesuffix(NULL_SUFFIX)  # the keys with a null part
        spec = self.database.meta(self.name).indexes.get(index, {"keys": [("_id", 1)]})
        key = {path: decode_value(_get_path(encoded, path)) for path, _ in spec["keys"]}
        return DuplicateKeyError(
            f"E11000 duplicate key error collection: {self.full_name} index: {index} "
            f"dup key: {key}", 11000, {"index": index, "keyValue": key})

    def update_one(self, filter, update, upsert=False):
        return self._update(filter, update, many=False, upsert=upsert)

    def update_many(self, filter, update, upsert=False):
        return self._update(filter, update, many=True, upsert=upsert)

    def replace_one(self, filter, replacement, upsert=False):
        if not isinstance(replacement, dict) or any(k.startswith("$") for k in replacement):
            raise ValueError("replacement must be a document without $ operators")
        return self._update(filter, replacement, many=False, upsert=upsert, replace=True)

    def _update(self, filter, update, many, upsert, replace=False):
        node, change = self._parse_change(filter, update, replace)
        with self.database.write() as txn:
            matched, modified, upserted, _, _ = self._apply(txn, node, change, many, upsert)
        raw = {"n": matched + (1 if upserted is not None else 0), "nModified": modified}
        if upserted is not None:
            raw["upserted"] = upserted
        return UpdateResult(raw, True)

    def _parse_change(self, filter, update, replace):
        node = parse_filter(filter)
        if replace:
            return node, ("replace", encode_document(update))
        if not is_operator_update(update):
            raise ValueError("update only works with $ operators (use replace_one to replace)")
        return node, ("update", parse_update(update))

    def _apply(self, txn, node, change, many, upsert, sort=None):
        """``(matched, modified, upserted_id, before, after)`` of one update, inside ``txn``."""
        import json
        self._ensure_table()
        sql, params = where(node, txn.meta(self.name))
        sort = normalize_sort(sort) if sort else []
        in_python = needs_python(sort, txn.meta(self.name))
        tail = "" if in_python else order_by(sort, txn.meta(self.name))
        tail += "" if many or in_python else " LIMIT 1"
        rows = self.database.execute(
            f"SELECT rid, doc FROM {self.table} WHERE {sql}{tail}", params).fetchall()
        if in_python:
            rows = sort_rows(rows, sort, text_at=1)[:None if many else 1]
        kind, spec = change
        # an update changes only its fields: indexes and arrays elsewhere are left unchecked
        touched = changed_fields(spec) if kind == "update" else None
        matched = modified = 0
        before = after = None
        for rid, text in rows:
            old = json.loads(text)
            if kind == "replace":
                new = {"_id": old["_id"], **{k: v for k, v in spec.items() if k != "_id"}}
                if "_id" in spec and spec["_id"] != old["_id"]:
                    raise PyMongoError("the replacement would change the immutable field '_id'")
            else:
                new = apply_update(old, spec, inserting=False)
            matched += 1
            before, after = old, new
            new_text = document_text(new, updating=True)
            if new_text != text:
                modified += 1
                keys = keyed.changed(txn.meta(self.name), old, new, touched)
                sets = "".join(f", {keyed.quoted(name)} = ?" for name, _ in keys)
                try:
                    self.database.execute(f"UPDATE {self.table} SET doc = ?{sets} WHERE rid = ?",
                                          (new_text, *(text for _, text in keys), rid))
                except sqlite3.IntegrityError as error:
                    raise self._duplicate(error, new) from None
                indexes.after_write(self, txn, rid, old, new, touched)
        if matched or not upsert:
            return matched, modified, None, before, after
        if kind == "replace":
            seed = upsert_seed(node, None)
            new = {**({"_id": seed["_id"]} if "_id" in seed else {}), **spec}
        else:
            new = upsert_seed(node, spec)
        if "_id" not in new:
            new = {"_id": encode_value(ObjectId()), **new}
        self._insert(txn, new)
        return 0, 0, decode_value(new["_id"]), None, new

    def find_one_and_update(self, filter, update, projection=None, sort=None, upsert=False,
                            return_document=ReturnDocument.BEFORE):
        node, change = self._parse_change(filter, update, replace=False)
        with self.database.write() as txn:
            _, _, _, before, after = self._apply(txn, node, change, False, upsert, sort)
        chosen = after if return_document == ReturnDocument.AFTER else before
        if chosen is None:
            return None
        from docstore.cursor import project
        return project(decode_value(chosen), projection)

    def delete_one(self, filter):
        return self._delete(filter, many=False)

    def delete_many(self, filter):
        return self._delete(filter, many=True)

    def _delete(self, filter, many):
        node = parse_filter(filter)
        with self.database.write() as txn:
            count = self._delete_in(txn, node, many)
        return DeleteResult({"n": count}, True)

    def _delete_in(self, txn, node, many):
        self._ensure_table()
        sql, params = where(node, txn.meta(self.name))
        limit = "" if many else " LIMIT 1"
        rids = [row[0] for row in self.database.execute(
            f"DELETE FROM {self.table} WHERE rid IN (SELECT rid FROM {self.table} "
            f"WHERE {sql}{limit}) RETURNING rid", params)]
        indexes.after_delete(self, txn, rids)
        return len(rids)

    def sweep_expired(self, now=None):
        """Deletes what each TTL index says has expired: as MongoDB, the documents its partial
        filter selects whose date (the earliest, for an array of dates) is older than its
        ``expireAfterSeconds``."""
        now = now or dt.datetime.now(dt.timezone.utc)
        deleted = 0
        for spec in list(self.database.meta(self.name).indexes.values()):
            if spec.get("ttl") is None:
                continue
            cutoff = now - dt.timedelta(seconds=spec["ttl"])
            expired = {spec["keys"][0][0]: {"$lt": cutoff}}  # $lt on a date: dates only
            if spec.get("partial"):
                expired = {"$and": [expired, spec["partial"]]}
            with self.database.write() as txn:
                deleted += self._delete_in(txn, parse_filter(expired), many=True)
        return deleted

    def bulk_write(self, requests, ordered=True):
        from docstore.bulk import run_bulk
        result = run_bulk(self, list(requests))
        return BulkWriteResult(result, True)

    def _decode(self, text):
        return loads(text)


def _get_path(doc, path):
    for segment in path.split("."):
        doc = doc.get(segment) if isinstance(doc, dict) else None
    return doc


__all__ = ["Collection", "UnsupportedOperation"]
