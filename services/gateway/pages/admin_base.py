"""What the administrator's editing pages share, so that each page is a declaration: a list
searched and read a page at a time (``_listing``), a form read and sent as the API's one call
with its refusal (the page's own or the service's) shown beside its fields (``_submit``), a
record's page with the change just made and who changed what (``_record``)."""
from marshmallow import fields, validate

from services.gateway.edge.http import form_args, query_args
from services.gateway.pages import admin_forms, i18n
from services.gateway.pages.common import LanguageQuery, PagesApi, page_status, redirect
from shared.errors import InvalidInput, NotFound, SausatError

# users, authorities, cadres and rules read for a form's choices: one page of each
NAMES_LIMIT = 500
# a list's page: what a person reads before searching further
PAGE_SIZE = 50


def text(limit):
    """A form's text field: empty when not sent, judged by the service (or the form's reader)."""
    return fields.String(load_default="", validate=validate.Length(max=limit))


def csrf():
    return fields.String(required=True, validate=validate.Length(1, 200))


class NameSearch(LanguageQuery):
    q = fields.String(validate=validate.Length(max=200), metadata={
        "description": "words that begin a word of the name, with or without diacritics"})
    cursor = fields.String(validate=validate.Length(1, 400), metadata={
        "description": "where the previous page ended (its link \"more\")"})


def done_query(name, changes):
    """A record's page query: ``done`` names the change just made (the page says so)."""
    return type(name, (LanguageQuery,), {"done": fields.String(
        validate=validate.OneOf(changes), metadata={
            "description": "the change just made (the page says it was done)"})})


class Refused(Exception):
    """A form refused: the page's status and ``{field: words}``; nothing was changed."""

    def __init__(self, status, errors):
        super().__init__(status)
        self.status, self.errors = status, errors


class AdminPagesBase(PagesApi):
    def _show(self, request, build, *ids):
        """A page the registry's administrator reads: ``build(view, *ids)``."""
        return self._page(request, "registry.manage", lambda view: build(view, *ids))

    def _listing(self, view, status, fetch_page):
        """A list's search and page: ``fetch_page({"limit", "q"?, "cursor"?})`` answers
        ``(rows, next_cursor)`` read by the service (bounded, from an index). A search the
        service refuses (no letter in it) is said beside the search field, nothing found."""
        asked = query_args(view.request) if status == 200 else {}
        q, cursor = (asked.get("q") or "").strip(), asked.get("cursor")
        query = {"limit": PAGE_SIZE, **({"q": q} if q else {}),
                 **({"cursor": cursor} if cursor else {})}
        try:
            rows, next_cursor = fetch_page(query)
        except InvalidInput as refused:
            return {"q": q, "found": [], "next_cursor": None,
                    "search_error": " ".join(view.errors(refused).values())
                    or i18n.refusal(refused, view.language)}
        return {"q": q, "found": rows, "next_cursor": next_cursor, "search_error": None}

    def _record(self, view, entity_id, status):
        """What every record's page shows: the change just made, and who changed what (the
        monitor's audit trail of ``entity_id``, the users by name)."""
        changes = self.monitor.changes_of({"entity_id": entity_id, "limit": 100},
                                          view.principal)["changes"]
        return {"done": done(view, status),
                "changes": admin_forms.change_rows(changes, self._user_names(view))}

    def _change(self, request, change, read, call, again, then):
        """A form on a record's page: refused, the record's page again with this form's
        refusal (``again(view, status, failed, errors, form)``); done, 303 to ``then(answer)``
        saying ``done=<change>``."""
        return self._submit(
            request, read, call,
            lambda view, status, errors, form: again(view, status, change, errors, form),
            lambda answer: f"{then(answer)}?done={change}")

    def _submit(self, request, read, call, again, then, action="registry.manage"):
        """A form posted: read by ``read`` and sent as ``call(body, principal)``; refused, the
        page again with the form as typed (``again(view, status, errors, form)``); done, 303 to
        ``then(answer)``. ``action``: what the signed-in user must be allowed."""
        def build(view):
            form = form_args(request)
            try:
                answer = self._call(view, read, form, call)
            except Refused as refused:
                return again(view, refused.status, refused.errors, form)
            return redirect(then(answer))
        return self._page(request, action, build)

    def _call(self, view, read, form, call):
        """``call(body, principal)`` with the form read by ``read``; a refusal (the page's
        own or the service's) as :class:`Refused`, nothing changed."""
        self._check_csrf(view)
        try:
            body, refused = read(form)
            if refused:
                raise admin_forms.refused_here(refused)
            return call(body, view.principal)
        except SausatError as error:
            if error.status not in (400, 404, 409, 422):
                raise
            errors = view.errors(error)  # a 404: a chosen authority or unit that is gone
            errors.setdefault("_form", i18n.refusal(error, view.language))
            raise Refused(422 if error.status == 404 else page_status(error), errors) from None

    def _names_of_units(self, unit_ids):
        """Today's names of ``unit_ids`` (an ended unit: left out), a bounded call per 200."""
        wanted, names = sorted(set(unit_ids)), {}
        for start in range(0, len(wanted), 200):
            found = self.assignments.unit_names({"unit_ids": wanted[start:start + 200]})
            names.update(admin_forms.names_of(found["units"], "unit_id"))
        return names

    def _committees(self):
        """``(unit_id, name)`` of the units with a committee (of a level others sit under):
        the choices of a parent, a home unit, a seat; one bounded read per level."""
        levels = self.assignments.list_levels()["levels"]
        rows = []
        for level in sorted({parent for level in levels for parent in level["parent_levels"]}):
            rows += self.assignments.list_units({"level": level, "limit": NAMES_LIMIT})["units"]
        return [(unit["unit_id"], unit["name"]) for unit in rows]

    def _user_names(self, view):
        users = self.accounts.list_users({"limit": NAMES_LIMIT}, view.principal)["users"]
        return admin_forms.names_of(users, "user_id", "username")


def done(view, status):
    """The change just made (``?done=``), shown on the page it led to, not on a refusal."""
    return query_args(view.request).get("done") if status == 200 else None


def one(rows, key, wanted):
    for row in rows:
        if row[key] == wanted:
            return row
    raise NotFound("not found", {key: [wanted]})
