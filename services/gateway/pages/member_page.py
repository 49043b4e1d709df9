"""A Party member's page, for keeping close to members and families (issue 29; docs/members.md):
who cares for them, their contacts, and a short form to log a contact from a phone (the day,
visiting the member or the family or a phone call, what was raised, and a concern if one was
raised, which enters the same case life as a meeting's). A plain form, no script needed: a
refusal comes back beside its field, nothing written; the form's ``submission_id`` makes a
resent form the same contact. For whoever may choose it (``care_form``), a form putting the
member in the care of a committee member, the carers before listed. And the members in the
signed-in cadre's care, across branches.
Whoever may not see the member gets the "not found" page."""
from marshmallow import Schema, fields, validate

from services.gateway.api.members import MemberPath
from services.gateway.edge.http import form_args, http
from services.gateway.pages import care_form, i18n
from services.gateway.pages.common import (
    CsrfForm,
    LanguageQuery,
    PagesApi,
    page_route,
    page_status,
    redirect,
)
from shared import clock
from shared.contracts import CONCERN_TOPICS, CONTACT_KINDS, RAISED_BY, new_id
from shared.errors import SausatError

DONE, CARER_SET = "contact_logged", "carer_set"
CONCERN_FIELDS = ("topic", "summary", "raised_by")


class ContactForm(Schema):
    csrf = fields.String(required=True, validate=validate.Length(1, 200))
    submission_id = fields.String(validate=validate.Length(max=80))
    contacted_on = fields.String(validate=validate.Length(max=20))
    kind = fields.String(validate=validate.Length(max=40))
    raised = fields.String(validate=validate.Length(max=5000))
    topic = fields.String(validate=validate.Length(max=40))
    summary = fields.String(validate=validate.Length(max=5000))
    raised_by = fields.String(validate=validate.Length(max=40))


class CareForm(CsrfForm):
    cadre_id = fields.String(validate=validate.Length(max=200))


class MemberPageQuery(LanguageQuery):
    done = fields.String(validate=validate.OneOf([DONE, CARER_SET]), metadata={
        "description": "a contact was just logged, or the carer set (the page says so)"})


ROUTES = {
    ("GET", "/app/members/<member_code>"): page_route(
        "A Party member: who cares for them, their contacts, and the form to log one",
        path=MemberPath, query=MemberPageQuery),
    ("POST", "/app/members/<member_code>/contacts"): page_route(
        "Cadre: log a contact with a Party member or their family", path=MemberPath,
        form=ContactForm),
    ("POST", "/app/members/<member_code>/care"): page_route(
        "Administrator, or a member of the branch's committee or the one above: put a Party "
        "member in the care of a committee member", path=MemberPath, form=CareForm),
    ("GET", "/app/members-in-care"): page_route("Cadre: the Party members in my care"),
}


def contact_body(form):
    """The RPC's body from the form: what was typed, so the service names what is wrong; a
    concern only when its topic or text was given."""
    body = {"submission_id": form.get("submission_id") or new_id(),
            "contacted_on": (form.get("contacted_on") or "").strip(),
            "kind": form.get("kind") or "", "raised": (form.get("raised") or "").strip(),
            "concerns": []}
    if (form.get("topic") or "").strip() or (form.get("summary") or "").strip():
        body["concerns"] = [{"topic": form.get("topic") or "",
                             "summary": (form.get("summary") or "").strip(),
                             "raised_by": form.get("raised_by") or "party_member"}]
    return body


def as_form_fields(errors):
    """A refusal's fields as the form names them (``concerns.0.summary`` is ``summary``)."""
    return {key.removeprefix("concerns.0."): message for key, message in errors.items()}


class MemberPagesApi(PagesApi):
    @http("GET", "/app/members/<member_code>")
    def member_page(self, request, member_code):
        return self._page(request, "members.read",
                          lambda view: self._member_view(view, member_code))

    @http("POST", "/app/members/<member_code>/contacts")
    def log_contact_page(self, request, member_code):
        def build(view):
            self._check_csrf(view)
            form = form_args(request)
            try:
                self.members.log_contact(member_code, contact_body(form), view.principal)
            except SausatError as error:
                if error.status not in (400, 409, 422):
                    raise
                errors = as_form_fields(view.errors(error))
                errors.setdefault("_contact", i18n.refusal(error, view.language))
                return self._member_view(view, member_code, page_status(error), errors, form)
            return redirect(f"/app/members/{member_code}?done={DONE}")
        return self._page(request, "members.contact", build)

    @http("POST", "/app/members/<member_code>/care")
    def put_in_care_page(self, request, member_code):
        def build(view):
            self._check_csrf(view)
            form = form_args(request)
            try:
                self.members.put_in_care(member_code, {"cadre_id": form.get("cadre_id") or ""},
                                         view.principal)
            except SausatError as error:
                if error.status not in (400, 403, 422):
                    raise
                errors = {"cadre_id": care_form.refusal_words(
                    view.errors(error), i18n.refusal(error, view.language), error.status)}
                return self._member_view(view, member_code, page_status(error), errors, form)
            return redirect(f"/app/members/{member_code}?done={CARER_SET}")
        return self._page(request, "members.care", build)

    @http("GET", "/app/members-in-care")
    def members_in_care_page(self, request):
        def build(view):
            held = self.members.members_in_care(view.principal)
            return view.render("members_in_care.html", members=held["members"])
        return self._page(request, "members.read", build)

    def _member_view(self, view, member_code, status=200, errors=None, form=None):
        found = self.members.member_contacts(member_code, view.principal)
        member = found["member"]
        carer = (member.get("in_care_of") or {}).get("cadre_id")
        offered = self.members.care_choices(member["unit_id"], view.principal)
        names = self._carer_names(view, [carer] + [h["cadre_id"] for h in found["care_history"]])
        def worded(kind, values):
            return [(value, i18n.label(kind, value, view.language)) for value in values]
        return view.render(
            "member.html", status, member=member, contacts=found["contacts"],
            carer_name=names.get(carer, carer) if carer else None,
            carer_names=names, care_history=found["care_history"],
            carer_choices=care_form.carer_choices(offered, member, view.language),
            form_errors=errors or {}, form_values=form or {},
            submission_id=(form or {}).get("submission_id") or new_id(),
            today=clock.today().isoformat(), done=view.request.args.get("done"),
            kind_choices=worded("contact_kind", CONTACT_KINDS),
            topic_choices=worded("topic", CONCERN_TOPICS),
            raised_by_choices=worded("raised_by", RAISED_BY))

    def _carer_names(self, view, cadre_ids):
        wanted = sorted({c for c in cadre_ids if c})
        if not wanted:
            return {}
        return {c["cadre_id"]: c["name"]
                for c in self.assignments.cadre_names({"cadre_ids": wanted})["cadres"]}
