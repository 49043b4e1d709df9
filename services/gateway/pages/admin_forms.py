"""The administrator's forms read as the API's bodies, and the lists shown beside them: plain
functions (no nameko, no store), tested directly.

A form sends only what its API call takes: a user's scope field is the one its role is bound
to (``shared.authorisation.SCOPE_FIELD``), an empty optional field is left out so the
service's defaults and refusals apply. What a page checks itself (a confirmation ticked, a
password typed twice alike) comes back as ``{field: reason}`` and nothing is sent. Example::

    body, refused = user_to_create(form)     # ({"username": ..., "cadre_id": ...}, {})
    rows = change_rows(changes, names)       # who changed what, with names
"""
from shared.authorisation import SCOPE_FIELD
from shared.errors import InvalidInput
from shared.folding import matches
from shared.reasons import reason

USER_FIELDS = ("username", "display_name", "password", "role")
CONFIRMED = "yes"


def scope_of(role, form):
    """The scope field ``role`` is bound to, from the form (empty: None, refused by the
    service as required)."""
    wanted = SCOPE_FIELD.get(role)
    return {wanted: form.get(wanted) or None} if wanted else {}


def user_to_create(form):
    body = {name: form.get(name) or "" for name in USER_FIELDS}
    body.update(scope_of(body["role"], form))
    return body, {}


def role_change(form):
    role = form.get("role") or ""
    return {"role": role, **scope_of(role, form)}, {}


def disabling(form):
    if form.get("confirm") != CONFIRMED:
        return None, {"confirm": reason("confirm_first", "tick to confirm")}
    return {"enabled": False}, {}


def password_reset(form):
    if (form.get("new_password") or "") != (form.get("new_password_again") or ""):
        return None, {"new_password_again": reason("passwords_differ",
                                                   "the two passwords differ")}
    return {"new_password": form.get("new_password") or ""}, {}


def refused_here(refused):
    """A page's own refusal, shaped as a service's (its reasons beside the fields)."""
    return InvalidInput("form refused", {name: [why] for name, why in refused.items()})


def searched(rows, q, *fields):
    """The rows whose ``fields`` hold each word of ``q`` as a word's start, diacritics aside
    (the registry's search, over a list the page already has); no usable word: all rows."""
    if not q:
        return rows
    try:
        return [row for row in rows if matches(q, *(row.get(name) or "" for name in fields))]
    except InvalidInput:
        return rows


def names_of(rows, key, name="name"):
    return {row[key]: row.get(name) or row[key] for row in rows}


def change_rows(changes, user_names):
    """The change log with the acting user's name (None: the system or a script)."""
    return [{**change, "actor_name": user_names.get(change["actor"]) if change["actor"]
             else None} for change in changes]
