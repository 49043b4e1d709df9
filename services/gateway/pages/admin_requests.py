"""The administrator's pages of requests from the people concerned (issue 26): the requests,
newest first, with the form recording one as it came (its kind, the person's name and contact,
their user account or cadre record when they are one of the system's own, the day it came); a
request's page with its legal deadline, each service's answer (what it found of the person,
whether it removed it) and the form closing it with the outcome told to the person. Each form
calls what the API's handler calls (``monitor.record_data_subject_request``,
``close_data_subject_request``) with the signed-in administrator; a refusal is shown beside
the field, nothing recorded."""
from marshmallow import Schema

from services.gateway.api.audit import with_the_persons_records
from services.gateway.edge.http import http
from services.gateway.pages import i18n
from services.gateway.pages.admin import ListQuery, page_query
from services.gateway.pages.admin_base import (
    AdminPagesBase,
    csrf,
    done,
    done_query,
    text,
)
from services.gateway.pages.common import page_route
from shared import contracts
from shared.contracts import REQUEST_KINDS, Id

# who answers a request: the sources of the answer events (services.monitor.requests)
ANSWERING = sorted(event_type.source for event_type in contracts.EVENT_TYPES.values()
                   if event_type.name == "data_subject_request_answered")
# who may record, read and close requests (administrators)
REQUESTS = "audit.requests"
RequestDone = done_query("RequestDone", ("recorded", "closed"))


class RequestPath(Schema):
    request_id = Id(required=True)


class RecordForm(Schema):
    csrf = csrf()
    kind, name, contact, received_on = text(40), text(200), text(200), text(40)
    user_id, cadre_id, note = text(80), text(80), text(2000)


class OutcomeForm(Schema):
    csrf = csrf()
    outcome = text(2000)


ROUTES = {
    ("GET", "/app/admin/data-subject-requests"): page_route(
        "Administrator: requests from the people concerned, and the form to record one",
        query=ListQuery),
    ("POST", "/app/admin/data-subject-requests"): page_route(
        "Administrator: record a person's request from the page", form=RecordForm),
    ("GET", "/app/admin/data-subject-requests/<request_id>"): page_route(
        "Administrator: a request, its deadline, each service's answer, the outcome",
        path=RequestPath, query=RequestDone),
    ("POST", "/app/admin/data-subject-requests/<request_id>"): page_route(
        "Administrator: close a request with the outcome told to the person",
        path=RequestPath, form=OutcomeForm),
}


def request_to_record(form):
    """The API's body from the form: empty optional fields as none (the service judges)."""
    body = {key: form.get(key, "").strip() for key in ("kind", "name", "received_on")}
    body.update({key: form.get(key, "").strip() or None for key in (
        "contact", "user_id", "cadre_id")})
    body["note"] = form.get("note", "").strip()
    return body, {}


def answer_rows(request):
    """One row per answering service, in a fixed order: its answer, or none yet."""
    return [(service, request["answers"].get(service)) for service in ANSWERING]


class RequestsPagesApi(AdminPagesBase):
    @http("GET", "/app/admin/data-subject-requests")
    def data_subject_requests_page(self, request):
        return self._page(request, REQUESTS, self._requests_view)

    def _requests_view(self, view, status=200, errors=None, values=None):
        page = self.monitor.data_subject_requests(page_query(view.request, 50),
                                                  view.principal)
        return view.render("admin_requests.html", status, requests=page["requests"],
                           next_cursor=page["next_cursor"], errors=errors or {},
                           values=values or {}, kind_choices=[
                               (kind, i18n.label("request_kind", kind, view.language))
                               for kind in REQUEST_KINDS])

    @http("POST", "/app/admin/data-subject-requests")
    def record_data_subject_request_page(self, request):
        def record(body, principal):
            return self.monitor.record_data_subject_request(with_the_persons_records(
                self.accounts, self.assignments, body, principal), principal)
        return self._submit(request, request_to_record, record, self._requests_view,
                            lambda made: f"/app/admin/data-subject-requests/"
                                         f"{made['request_id']}?done=recorded",
                            action=REQUESTS)

    @http("GET", "/app/admin/data-subject-requests/<request_id>")
    def data_subject_request_page(self, request, request_id):
        return self._page(request, REQUESTS,
                          lambda view: self._request_view(view, request_id))

    def _request_view(self, view, request_id, status=200, errors=None, values=None):
        found = self.monitor.data_subject_request(request_id, view.principal)
        return view.render("admin_request.html", status, request=found,
                           answers=answer_rows(found), done=done(view, status),
                           errors=errors or {}, values=values or {})

    @http("POST", "/app/admin/data-subject-requests/<request_id>")
    def close_data_subject_request_page(self, request, request_id):
        return self._submit(
            request, lambda form: ({"outcome": form.get("outcome", "").strip()}, {}),
            lambda body, principal: self.monitor.close_data_subject_request(
                request_id, body, principal),
            lambda view, *refusal: self._request_view(view, request_id, *refusal),
            lambda closed: f"/app/admin/data-subject-requests/{request_id}?done=closed",
            action=REQUESTS)
