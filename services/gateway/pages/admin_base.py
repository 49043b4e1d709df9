"""What the administrator's editing pages share, so that each page is a declaration: a list
searched and read a page at a time (``_listing``), a form read and sent as the API's one call
with its refusal (the page's own or the service's) shown beside its fields (``_submit``), a
record's page with the change just made and who changed what (``_record``)."""
from marshmallow import fields, validate

from services.gateway.edge.http import form_args, query_args
from services.gateway.pages import admin_forms, i18n, pickers
from services.gateway.pages.common import LanguageQuery, PagesApi, page_status, redirect
from shared.errors import InvalidInput, NotFound, SausatError

# what a page reads whole because it is small by nature (levels' committees, a unit's children)
NAMES_LIMIT = 500
# ids named in one batch read by id (the owning service's bound)
NAMES_BATCH = 200
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
    """A form refused: the page's status and ``{field: words}``; nothing was changed.
    ``candidates``: ``{picker field: [(record_id, words)]}`` that matched what was typed."""

    def __init__(self, status, errors, candidates=None):
        super().__init__(status)
        self.status, self.errors, self.candidates = status, errors, candidates or {}


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
        actors = self._names_of(view, "users", [change["actor"] for change in changes])
        return {"done": done(view, status), "changes": admin_forms.change_rows(changes, actors)}

    def _change(self, request, change, read, call, again, then, picked=None):
        """A form on a record's page: refused, the record's page again with this form's
        refusal (``again(view, status, failed, errors, form)``); done, 303 to ``then(answer)``
        saying ``done=<change>``."""
        return self._submit(
            request, read, call,
            lambda view, status, errors, form: again(view, status, change, errors, form),
            lambda answer: f"{then(answer)}?done={change}", picked)

    def _submit(self, request, read, call, again, then, picked=None, action="registry.manage"):
        """A form posted: read by ``read`` and sent as ``call(body, principal)``; refused, the
        page again with the form as typed (``again(view, status, errors, form)``, the picker
        fields' candidates under ``pickers.CANDIDATES_KEY``); done, 303 to ``then(answer)``.
        ``picked``: the form's picker fields, ``{field: kind}`` (:meth:`_resolve`); ``action``:
        what the signed-in user must be allowed."""
        def build(view):
            form = form_args(request)
            try:
                answer = self._call(view, read, form, call, picked)
            except Refused as refused:
                return again(view, refused.status, refused.errors,
                             {**form, pickers.CANDIDATES_KEY: refused.candidates})
            return redirect(then(answer))
        return self._page(request, action, build)

    def _call(self, view, read, form, call, picked=None):
        """``call(body, principal)`` with the form read by ``read``; a refusal (the page's
        own or the service's) as :class:`Refused`, nothing changed."""
        self._check_csrf(view)
        form = self._resolve(view, form, picked or {})
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
        return self._names_of(None, "units", unit_ids)

    # --- names of what a page shows; records chosen by typing -------------------------------

    def _names_of(self, view, kind, ids):
        """``{id: name}`` of exactly ``ids`` of ``kind`` (units, cadres, authorities, users):
        read by id from the service owning them, one call per :data:`NAMES_BATCH` (a page
        shows fewer), never "the first 500". An unknown id is left out."""
        wanted, names = sorted({i for i in ids if i}), {}
        read, key, name = {
            "units": (lambda ids: self.assignments.unit_names({"unit_ids": ids})["units"],
                      "unit_id", "name"),
            "cadres": (lambda ids: self.assignments.cadre_names({"cadre_ids": ids})["cadres"],
                       "cadre_id", "name"),
            "authorities": (lambda ids: self.escalations.authority_names(
                {"authority_ids": ids})["authorities"], "authority_id", "name"),
            "users": (lambda ids: self.accounts.user_names(
                {"user_ids": ids}, view.principal)["users"], "user_id", "username"),
        }[kind]
        for start in range(0, len(wanted), NAMES_BATCH):
            names.update(admin_forms.names_of(read(wanted[start:start + NAMES_BATCH]), key,
                                              name))
        return names

    def _search_records(self, kind, q, limit):
        """``[(record_id, words, name)]``: the first ``limit`` records of ``kind`` whose names
        hold ``q``'s words, searched by the owning service's index; a unit's words say where
        it sits (its parent's name), since many branches share a name."""
        if kind == "units":
            units = self.assignments.list_units({"q": q, "limit": limit})["units"]
            parents = self._names_of(None, "units", [u.get("parent_id") for u in units])
            return [(u["unit_id"], admin_forms.with_place(u["name"], parents.get(
                u.get("parent_id"))), u["name"]) for u in units]
        if kind == "cadres":  # names only: no contact is shown
            return [(c["cadre_id"], c["full_name"], c["full_name"]) for c in
                    self.assignments.list_cadres({"q": q, "limit": limit})["cadres"]]
        return [(a["authority_id"], a["name"], a["name"]) for a in
                self.escalations.search_authorities({"q": q, "limit": limit})["authorities"]]

    def _resolve(self, view, form, picked):
        """``form`` with its picker fields (``{field: kind}``) replaced by the codes typed or
        named; one that names none or several is refused beside it (:class:`Refused`, with
        the several to choose from), nothing sent."""
        if not picked:
            return form
        lookups = {kind: (lambda code, kind=kind: self._names_of(view, kind, [code]).get(code),
                          lambda q, limit, kind=kind: self._search_records(kind, q, limit))
                   for kind in set(picked.values())}
        resolved, because, candidates = pickers.resolve_form(form, picked, lookups)
        if because:
            raise Refused(422, {field: i18n.text(f"reason.{code}", view.language)
                                for field, code in because.items()}, candidates)
        return resolved

    def _user_names(self, view, user_ids=()):
        """The usernames of ``user_ids`` (who added, replaced, ended a record)."""
        return self._names_of(view, "users", user_ids)


def done(view, status):
    """The change just made (``?done=``), shown on the page it led to, not on a refusal."""
    return query_args(view.request).get("done") if status == 200 else None


def every_page(read, query, key):
    """Every row of a list small by nature read :data:`NAMES_LIMIT` at a time
    (``read(query)[key]``), following its cursor."""
    rows, cursor = [], None
    while True:
        page = read({**query, "limit": NAMES_LIMIT, **({"cursor": cursor} if cursor else {})})
        rows += page[key]
        cursor = page["next_cursor"]
        if not cursor:
            return rows


def one(rows, key, wanted):
    for row in rows:
        if row[key] == wanted:
            return row
    raise NotFound("not found", {key: [wanted]})
