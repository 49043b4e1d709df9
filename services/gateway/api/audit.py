"""Who read personal data (DESIGN §6): the log an administrator reads; and the requests from
the people concerned (docs/personal-data.md).

Every read that showed someone's personal data to a user (a concern's raiser by name or
contact, cadres' e-mail and telephone, mail recipients) is one entry: who read, when, which
records (kind and id, never the data), which read. The services that answered record it through
their outbox; the monitor keeps the log (``shared.personal_data``)."""
from marshmallow import Schema, fields

from services.gateway.api import Api
from services.gateway.edge.http import http, json_body, json_response, query_args
from services.gateway.edge.route import Route
from services.gateway.schemas import NextCursor
from shared.contracts.rpc.operations import (
    DataSubjectRequest,
    PersonalDataReadsQuery,
    RecordRequest,
    RequestOutcome,
    RequestPath,
    RequestsQuery,
)
from shared.errors import InvalidInput, NotFound, load_payload
from shared.reasons import reason


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


class DataSubjectRequestsPage(Schema):
    requests = fields.List(fields.Nested(DataSubjectRequest), required=True)
    next_cursor = NextCursor()


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
    ("POST", "/data-subject-requests"): Route(
        "Record a person's request about their data (administrator)", DataSubjectRequest,
        "operations", status=201, body=RecordRequest, errors=(400, 403, 413, 415, 422),
        description="access, correction, deletion or objection, due DATA_SUBJECT_<KIND>_DAYS "
                    "after it was received. Every service holding people's data finds the "
                    "person's records by name or contact (raisers) and by `user_id` and "
                    "`cadre_id` (the system's own users and cadres; a cadre's user brings "
                    "their cadre) and answers (a deletion removes or anonymises them): see "
                    "`answers`.",
        example={"kind": "deletion", "name": "Nguyễn Văn Hai", "contact": "0912 000 111",
                 "received_on": "2026-12-01"}),
    ("GET", "/data-subject-requests"): Route(
        "Requests from the people concerned, newest first (administrator)",
        DataSubjectRequestsPage, "operations", query=RequestsQuery, errors=(403,)),
    ("GET", "/data-subject-requests/<request_id>"): Route(
        "A request with each service's answer (administrator)", DataSubjectRequest,
        "operations", path=RequestPath, errors=(403, 404)),
    ("POST", "/data-subject-requests/<request_id>/outcome"): Route(
        "Close a request with what was done and told to the person (administrator)",
        DataSubjectRequest, "operations", path=RequestPath, body=RequestOutcome,
        errors=(403, 404, 409, 413, 415, 422)),
}


class AuditApi(Api):
    @http("GET", "/audit/personal-data")
    def personal_data_reads(self, request):
        principal = self._as(request, "audit.read")
        return json_response(self.monitor.personal_data_reads(query_args(request), principal))

    @http("POST", "/data-subject-requests")
    def record_data_subject_request(self, request):
        principal = self._as(request, "audit.requests")
        body = self._with_the_persons_records(json_body(request), principal)
        return json_response(self.monitor.record_data_subject_request(body, principal), 201)

    def _with_the_persons_records(self, body, principal):
        return with_the_persons_records(self.accounts, self.assignments, body, principal)

    @http("GET", "/data-subject-requests")
    def data_subject_requests(self, request):
        principal = self._as(request, "audit.requests")
        return json_response(self.monitor.data_subject_requests(query_args(request), principal))

    @http("GET", "/data-subject-requests/<request_id>")
    def data_subject_request(self, request, request_id):
        principal = self._as(request, "audit.requests")
        return json_response(self.monitor.data_subject_request(request_id, principal))

    @http("POST", "/data-subject-requests/<request_id>/outcome")
    def close_data_subject_request(self, request, request_id):
        principal = self._as(request, "audit.requests")
        return json_response(self.monitor.close_data_subject_request(
            request_id, json_body(request), principal))


def with_the_persons_records(accounts, assignments, body, principal):
    """A request naming a user or a cadre names records that exist (else 400 naming the
    field, and nothing is recorded); a cadre's user brings their cadre record along, so a
    deletion anonymises both (the API's and the administrator's page's)."""
    if not isinstance(body, dict):
        return body
    # the fields given as described first: one of the wrong kind is named, not looked up
    load_payload(RecordRequest(partial=True), body, "request")
    given = dict(body)  # the cadre a user brings is known to exist: not looked up again
    for field, lookup in (("user_id", accounts.get_user), ("cadre_id", assignments.get_cadre)):
        value = given.get(field)
        if not isinstance(value, str) or not value:
            continue
        try:
            found = lookup(value, principal)
        except NotFound:
            raise InvalidInput("request refused", {field: [reason(
                "not_in_registry", f"{value} is not in the registry", key=value)]}) from None
        if field == "user_id" and body.get("kind") == "deletion" and (
                value == principal.get("user_id")):
            # erasing one's own account disables it: the system could lose its last
            # administrator, as disabling oneself could (accounts refuses that too)
            raise InvalidInput("request refused", {field: [reason(
                "own_account_deletion", "another administrator must record a deletion "
                "request about your own account")]})
        if field == "user_id" and found.get("cadre_id") and not body.get("cadre_id"):
            body = {**body, "cadre_id": found["cadre_id"]}
    return body
