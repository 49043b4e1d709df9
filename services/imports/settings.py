"""The imports service's settings: how often it looks for jobs, how long a job's lease holds,
and what one uploaded file may hold (:func:`limits`)."""
from marshmallow import EXCLUDE, Schema, fields, validate

from services.imports.parsing import Limits
from shared import config


class FileLimits(Schema):
    """The keys that say what one uploaded file may hold (read alone by tests and the bench)."""

    class Meta:
        unknown = EXCLUDE

    # what one file may hold: a workbook's entries unpacked (together, one), how tightly an
    # entry may be packed, rows of the file, columns of a header, characters of a cell
    IMPORT_MAX_UNPACKED_BYTES = fields.Integer(required=True,
                                               validate=validate.Range(1000, 2_000_000_000))
    IMPORT_MAX_ENTRY_BYTES = fields.Integer(required=True,
                                            validate=validate.Range(1000, 2_000_000_000))
    IMPORT_MAX_COMPRESSION_RATIO = fields.Float(required=True, validate=validate.Range(2, 10000))
    IMPORT_MAX_ROWS = fields.Integer(required=True, validate=validate.Range(1, 10_000_000))
    IMPORT_MAX_COLUMNS = fields.Integer(required=True, validate=validate.Range(1, 16384))
    IMPORT_MAX_CELL_CHARS = fields.Integer(required=True, validate=validate.Range(1, 32767))


class Settings(config.Settings, FileLimits):
    """The keys of deploy/config.yml the imports service reads (defaults: there)."""

    # seconds between two looks for import jobs that need work (a job runs to its end at once)
    IMPORT_POLL_SECONDS = fields.Float(required=True, validate=validate.Range(0.05, 60))
    # how long a job stays with an instance that stopped renewing it before another takes over
    IMPORT_LEASE_SECONDS = fields.Float(required=True, validate=validate.Range(0.5, 3600))
    # rows of one wave applied in one bulk registering call (assignments takes up to 500)
    IMPORT_BULK_ROWS = fields.Integer(required=True, validate=validate.Range(1, 500))


def settings(given):
    return config.load_settings(Settings(), given)


def limits(given):
    """The :class:`~services.imports.parsing.Limits` a config (or its defaults) sets."""
    loaded = config.load_settings(FileLimits(), given)
    return Limits(unpacked_bytes=loaded["IMPORT_MAX_UNPACKED_BYTES"],
                  entry_bytes=loaded["IMPORT_MAX_ENTRY_BYTES"],
                  compression_ratio=loaded["IMPORT_MAX_COMPRESSION_RATIO"],
                  rows=loaded["IMPORT_MAX_ROWS"], columns=loaded["IMPORT_MAX_COLUMNS"],
                  cell_chars=loaded["IMPORT_MAX_CELL_CHARS"])
