"""Who read personal data (DESIGN §6): the log an administrator reads.

Every read that showed someone's personal data to a user (a concern's raiser by name or
contact, cadres' e-mail and telephone, mail recipients) is one entry: who read, when, which
records (kind and id, never the data), which read. The services that answered record it through
their outbox; the monitor keeps the log (``shared.personal_data``)."""
from marshmallow import Schema, fields

from services.gateway.api import Api
from services.gateway.edge.http import http, json_response, query_args
from services.gateway.edge.route import Route
from services.gateway.schemas import NextCursor
from shared.contracts.rpc.operations import PersonalDataReadsQuery


class ReadRecord(Schema):
    kind = fields.String(required=True, metadata={
        "description": "concern, visit, cadre or notification"})
    id = fields.String(required=True)


class PersonalDataRead(Schema):
    read_id = fields.String(required=True)
    read_at = fields.String(required=True, metadata={"format": "date-time"})
    user_id = fields.String(required=True, metadata={"description": "who read"})
    role = fields.String(required=True)
    purpose = fields.String(required=True, metadata={
        "description": "the read that showed it, <service>.<rpc>"})
    source = fields.String(required=True, metadata={"description": "the service that answered"})
    records = fields.List(fields.Nested(ReadRecord), required=True)


class PersonalDataReadsPage(Schema):
    reads = fields.List(fields.Nested(PersonalDataRead), required=True)
    next_cursor = NextCursor()


ROUTES = {
    ("GET", "/audit/personal-data"): Route(
        "Who read personal data, which records and when, newest first (administrator)",
        PersonalDataReadsPage, "operations", query=PersonalDataReadsQuery, errors=(403,),
        description="One entry per read that showed a concern's raiser, cadres' contacts or "
                    "mail recipients to a user; ids only, never the data. By reader "
                    "(`user_id`), by record (`record_id`), and from/to (times with their "
                    "offset, both included)."),
}


class AuditApi(Api):
    @http("GET", "/audit/personal-data")
    def personal_data_reads(self, request):
        principal = self._as(request, "audit.read")
        return json_response(self.monitor.personal_data_reads(query_args(request), principal))
