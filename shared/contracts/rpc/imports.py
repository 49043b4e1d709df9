"""RPC payloads of the imports service (the gateway describes its routes with them too)."""
import base64
import binascii

from marshmallow import Schema, ValidationError, fields, validate, validates

from shared.contracts import Day, StrictBoolean, Text
from shared.reasons import reason

# what an export is answered as
CSV_MEDIA_TYPE = "text/csv; charset=utf-8"
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# members (issue 29) go to the members service, matched there by their organisation code
KIND_NAMES = ("units", "cadres", "assignments", "working_groups", "authorities", "routing_rules",
              "members")
FILE_FORMATS = ("csv", "xlsx")
MAX_FILE_BYTES = 700_000  # decoded; its base64 fits the gateway's 1 MB body
JOB_STATES = ("queued", "planning", "applying", "done", "done_with_errors", "rejected",
              "refused", "failed")
REPORT_FORMATS = ("json", "csv")


class StartImport(Schema):
    filename = Text(200, required=True, metadata={
        "description": "as the office saved it; its extension (.csv, .xlsx) tells the format",
        "example": "don-vi.csv"})
    content_base64 = fields.String(required=True, metadata={
        "description": f"the file's bytes, base64 (at most {MAX_FILE_BYTES} bytes decoded)"})
    kind = fields.String(load_default=None, allow_none=True,
                         validate=validate.OneOf(KIND_NAMES), metadata={
                             "description": "what a CSV holds; default: told by its columns. "
                                            "A workbook's sheets are told by their names"})
    format = fields.String(load_default=None, allow_none=True,
                           validate=validate.OneOf(FILE_FORMATS))
    accept_valid_rows = StrictBoolean(load_default=False, metadata={
        "description": "apply the valid rows although others are rejected (default: a file "
                       "with any rejected row changes nothing)"})

    @validates("content_base64")
    def _decodes(self, value, **kwargs):
        if not value:
            raise ValidationError(reason("empty_file", "the file is empty"))
        decoded_length = len(value) * 3 // 4
        if decoded_length > MAX_FILE_BYTES + 3:
            raise ValidationError(reason("file_too_large", f"the file is over "
                                         f"{MAX_FILE_BYTES} bytes: split it, or save it as "
                                         ".xlsx (compressed)", limit=MAX_FILE_BYTES // 1024))
        try:
            base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError):
            raise ValidationError(reason("not_base64", "not valid base64")) from None


class ImportRejection(Schema):
    sheet = fields.String()
    line = fields.Integer(metadata={"description": "as the spreadsheet program numbers it; "
                                                   "the header is line 1"})
    column = fields.String(metadata={"description": "the field the reason is about"})
    header = fields.String(allow_none=True, metadata={
        "description": "the column as the file (or the import template) names it"})
    reason = fields.String()
    because = fields.Dict(allow_none=True, metadata={
        "description": "the reason as a code and its values (shared/reasons.py), which the "
                       "pages word in the reader's language"})


class ImportRowOutcome(Schema):
    sheet = fields.String()
    line = fields.Integer()
    outcome = fields.String(metadata={"description": "what applying the row did"})


class ImportProgress(Schema):
    total = fields.Integer(metadata={"description": "rows read from the file"})
    rejected = fields.Integer()
    unchanged = fields.Integer(metadata={"description": "already in the registry as given"})
    to_apply = fields.Integer()
    applied = fields.Integer()
    failed = fields.Integer(metadata={"description": "refused by the registry while applying"})


class ImportSummary(Schema):
    import_id = fields.String(attribute="_id")
    filename = fields.String()
    format = fields.String()
    sheets = fields.List(fields.Dict(), metadata={
        "description": "each sheet (or the CSV): its name, kind, rows and ignored columns"})
    accept_valid_rows = fields.Boolean()
    kind = fields.String(allow_none=True, metadata={"description": "as the upload gave it"})
    state = fields.String(validate=validate.OneOf(JOB_STATES), metadata={
        "description": "queued → planning → applying → done (or done_with_errors); rejected: "
                       "rows were rejected and accept_valid_rows was not given; refused: the "
                       "file as a whole could not be read (see refusal). Both changed nothing; "
                       "failed: the job stopped on an error it cannot get past (see refusal); rows "
                       "applied before it stay"})
    refusal = fields.String(allow_none=True, metadata={
        "description": "why the file was refused whole (state refused) or the job stopped "
                       "(state failed)"})
    # a job stored before refusals carried codes has none: null, as for a job not refused
    refusal_because = fields.Dict(allow_none=True, dump_default=None, metadata={
        "description": "the refusal as a code and its values (shared/reasons.py)"})
    progress = fields.Nested(ImportProgress)
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
    finished_at = fields.DateTime(allow_none=True)


class ImportJob(ImportSummary):
    rejections = fields.List(fields.Nested(ImportRejection), metadata={
        "description": "the first 1000 rejected rows, by sheet and line"})
    failures = fields.List(fields.Nested(ImportRejection), metadata={
        "description": "rows the registry refused while applying (a change made meanwhile)"})
    # a job stored before rows had outcomes has none: an empty list
    outcomes = fields.List(fields.Nested(ImportRowOutcome), dump_default=list, metadata={
        "description": "the first 1000 applied rows whose service says what applying did (a "
                       "members row: joined, unchanged, moved, ended, renamed), by sheet and "
                       "line, once the job is done"})


class ImportsPage(Schema):
    imports = fields.List(fields.Nested(ImportSummary))
    next_cursor = fields.String(allow_none=True)


class ExportQuery(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(KIND_NAMES))
    format = fields.String(load_default="csv", validate=validate.OneOf(FILE_FORMATS))


class CoverageQuery(Schema):
    format = fields.String(load_default="json", validate=validate.OneOf(REPORT_FORMATS))
    on = Day(load_default=None, allow_none=True, metadata={
        "description": "the day the report is for (default: today in Vietnam)"})


class UnassignedQuery(CoverageQuery):
    level = fields.String(load_default=None, allow_none=True,
                          validate=validate.Length(1, 80), metadata={
                              "description": "only units of this level (e.g. branch)"})


class StaleQuery(CoverageQuery):
    days = fields.Integer(load_default=90, validate=validate.Range(1, 3650), metadata={
        "description": "a branch whose last attended meeting is older than this many days"})
    level = fields.String(load_default="branch", validate=validate.Length(1, 80))


class CadresCoverageQuery(CoverageQuery):
    cadre_id = fields.String(load_default=None, allow_none=True,
                             validate=validate.Length(1, 80))


class CommitteesQuery(CoverageQuery):
    committee_level = fields.String(load_default="district", validate=validate.Length(1, 80),
                                    metadata={"description": "the level directly above the "
                                                             "grassroots"})
    level = fields.String(load_default="branch", validate=validate.Length(1, 80))
