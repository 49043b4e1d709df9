"""The administrator's forms read as the API's bodies, and the lists shown beside them: plain
functions (no nameko, no store), tested directly.

A form sends only what its API call takes: a user's scope field is the one its role is bound
to (``shared.authorisation.SCOPE_FIELD``), an empty optional field is left out so the
service's defaults and refusals apply. What a page checks itself (a confirmation ticked, a
password typed twice alike) comes back as ``{field: reason}`` and nothing is sent. Example::

    body, refused = user_to_create(form)     # ({"username": ..., "cadre_id": ...}, {})
    rows = change_rows(changes, names)       # who changed what, with names
"""
import re

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


def heads(form):
    """The head-of-authority box: ticked or not (an officer's only; the service refuses it
    for another role, beside the box)."""
    return {"authority_head": form.get("authority_head") == CONFIRMED}


def user_to_create(form):
    body = {name: form[name] for name in USER_FIELDS if form.get(name)}
    if (form.get("email") or "").strip():  # left empty: no address
        body.update(contact_change(form)[0])
    body.update(scope_of(body.get("role"), form))
    body.update(heads(form))
    return body, {}


def role_change(form):
    role = form.get("role") or ""
    return {"role": role, **scope_of(role, form), **heads(form)}, {}


def contact_change(form):
    """The user's e-mail address (left empty: none)."""
    return {"email": (form.get("email") or "").strip() or None}, {}


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


def page_of(rows, query, key, *fields):
    """A page (``query``: ``limit``, ``q``, ``cursor``) of a list small by nature and read
    whole (routing rules, working groups): searched, in ``key`` order, the cursor the last
    key shown. Answers ``(rows, next_cursor)`` as a service's page does."""
    found = sorted(searched(rows, query.get("q"), *fields), key=lambda row: row[key])
    if query.get("cursor"):
        found = [row for row in found if row[key] > query["cursor"]]
    more = len(found) > query["limit"]
    return found[:query["limit"]], (found[query["limit"] - 1][key] if more else None)


def names_of(rows, key, name="name"):
    return {row[key]: row.get(name) or row[key] for row in rows}


def with_place(name, parent_name):
    """A unit's name with where it sits, to tell apart branches named alike."""
    return f"{name} — {parent_name}" if parent_name else name


def change_rows(changes, user_names):
    """The change log with the acting user's name (None: the system or a script)."""
    return [{**change, "actor_name": user_names.get(change["actor"]) if change["actor"]
             else None} for change in changes]


# --- authorities and routing rules -----------------------------------------------------------

AUTHORITY_FIELDS = ("name", "kind", "level", "unit_id", "parent_authority_id", "email")
# left empty in a form: none (the top of the tree, no mail)
OPTIONAL = ("parent_authority_id", "email", "urgency", "effective_from", "effective_to")


def _given(form, names):
    """The form's ``names`` for a new record: an optional one left empty is None, a required
    one left empty is not sent (the service says it is required)."""
    given = {name: form.get(name) or None for name in names}
    return {name: value for name, value in given.items()
            if value is not None or name in OPTIONAL}


def _changed(form, names):
    """The form's ``names`` for a change: an empty required one stays "" (refused)."""
    return {name: (form.get(name) or None) if name in OPTIONAL else (form.get(name) or "")
            for name in names}


def authority_to_register(form):
    return _given(form, ("authority_id", *AUTHORITY_FIELDS)), {}


def authority_change(form, authority):
    """Only what the form changes of ``authority``; nothing changed is refused here."""
    changes = {name: value for name, value in _changed(form, AUTHORITY_FIELDS).items()
               if value != authority.get(name)}
    if not changes:
        return None, {"_form": reason("nothing_changed", "nothing to change")}
    return changes, {}


def retiring(form):
    if form.get("confirm") != CONFIRMED:
        return None, {"confirm": reason("confirm_first", "tick to confirm")}
    return _given(form, ("retired_on",)), {}


def rule_to_add(form):
    return _given(form, ("rule_id", "topic", "unit_id", "authority_id", "urgency",
                         "effective_from", "effective_to")), {}


def rule_ending(form):
    return _all_given(form, ("effective_to",))


def rule_handover(form):
    return _all_given(form, ("authority_id", "changed_on", "new_rule_id"))


def _all_given(form, names):
    """A change whose every field is needed (a day, a rule taking over): each one left empty
    refused here, since the service would refuse the change as a whole."""
    missing = {name: reason("required", "required") for name in names if not form.get(name)}
    return (None, missing) if missing else ({name: form[name] for name in names}, {})


# --- units and assignments -------------------------------------------------------------------

UNIT_OPTIONAL = ("kind", "parent_id", "established_on")


def unit_to_register(form):
    body = _given(form, ("unit_id", "name", "level"))
    body.update({name: form.get(name) or None for name in UNIT_OPTIONAL})
    return body, {}


def renaming(form, unit_id):
    """A rename as the reorganisation it is: its ``operation_id`` minted when the form was
    shown, so the same form sent twice renames once."""
    body, refused = _all_given(form, ("operation_id", "name", "effective_on"))
    if refused:
        return None, refused
    return {**body, "kind": "rename", "unit_id": unit_id}, {}


def assigning(form, unit_id):
    body, refused = _all_given(form, ("cadre_id", "starts_on"))
    return (None, refused) if refused else ({**body, "unit_id": unit_id}, {})


def assignment_ending(form):
    return _all_given(form, ("ends_on", "reason"))


def assignment_replacement(form):
    return _all_given(form, ("cadre_id", "starts_on", "reason"))


def path_names(unit, unit_names):
    """A unit's place in the tree as names, from the root."""
    return [unit_names.get(unit_id, unit_id) for unit_id in unit.get("path") or ()]


# --- cadres ----------------------------------------------------------------------------------

CADRE_FIELDS = ("full_name", "positions", "email", "phone")


def positions_of(form, known):
    """The positions ticked among ``known`` (``position_<code>`` fields) and any others
    written out (codes separated by commas), each once."""
    chosen = [code for code in known if form.get(f"position_{code}") == CONFIRMED]
    chosen += [code for code in re.split(r"[,;\s]+", form.get("other_positions") or "") if code]
    return list(dict.fromkeys(chosen))


def cadre_to_register(form, known):
    body = _given(form, ("cadre_id", "full_name", "home_unit_id"))
    body.update({"positions": positions_of(form, known), "email": form.get("email") or None,
                 "phone": form.get("phone") or None})
    return body, {}


def cadre_change(form, cadre, known):
    """Only what the form changes of ``cadre``; nothing changed is refused here."""
    given = {"full_name": form.get("full_name") or "", "positions": positions_of(form, known),
             "email": form.get("email") or None, "phone": form.get("phone") or None}
    changes = {name: value for name, value in given.items() if value != cadre.get(name)}
    if not changes:
        return None, {"_form": reason("nothing_changed", "nothing to change")}
    return changes, {}


def membership_added(form, cadre):
    """``cadre``'s memberships and one more, typed as ``memberships.<n>.<field>`` (``n``: the
    next position, so a refusal of it lands beside its field); its first day is needed."""
    at = len(cadre.get("memberships") or ())
    typed = {name: form.get(f"memberships.{at}.{name}") or None
             for name in ("unit_id", "role", "starts_on", "ends_on")}
    missing = {f"memberships.{at}.{name}": reason("required", "required")
               for name in ("unit_id", "role", "starts_on") if not typed[name]}
    if missing:
        return None, missing
    return {"memberships": [*(cadre.get("memberships") or ()), typed]}, {}


def membership_ended(form, cadre):
    """``cadre``'s memberships with the one at ``membership`` (its position, and its unit to
    tell a form shown before another change) ending on ``memberships.<n>.ends_on``."""
    memberships = [dict(m) for m in cadre.get("memberships") or ()]
    at = form.get("membership") or ""
    if not at.isdigit() or int(at) >= len(memberships) or \
            memberships[int(at)]["unit_id"] != form.get("unit_id"):
        return None, {"_form": reason("invalid", "that membership changed meanwhile")}
    field = f"memberships.{at}.ends_on"
    if not form.get(field):
        return None, {field: reason("required", "required")}
    memberships[int(at)]["ends_on"] = form[field]
    return {"memberships": memberships}, {}


# --- working groups --------------------------------------------------------------------------

MEMBER, BRANCH = "member.", "branch."


def ticked(form, prefix):
    """The ids whose ``<prefix><id>`` box is ticked, in the form's order."""
    return [name[len(prefix):] for name, value in form.items()
            if name.startswith(prefix) and value == CONFIRMED and len(name) > len(prefix)]


# a member or a branch added by typing a name (pages/pickers.py), beside the boxes ticked
MEMBER_ADDED, BRANCH_ADDED = "member_add", "branch_add"


def chosen(form, prefix, added):
    """The ids ticked, and the one added by name if any (once)."""
    ids = ticked(form, prefix)
    return ids + [form[added]] if form.get(added) and form[added] not in ids else ids


def group_to_form(form):
    body = _given(form, ("working_group_id", "name", "formed_by_unit_id", "starts_on"))
    body.update({"member_cadre_ids": chosen(form, MEMBER, MEMBER_ADDED),
                 "unit_ids": chosen(form, BRANCH, BRANCH_ADDED),
                 "ends_on": form.get("ends_on") or None})
    return body, {}


def group_change(form, group):
    """Only what the form changes of ``group`` (members and branches compared as sets)."""
    given = {"name": form.get("name") or "", "ends_on": form.get("ends_on") or None,
             "member_cadre_ids": chosen(form, MEMBER, MEMBER_ADDED),
             "unit_ids": chosen(form, BRANCH, BRANCH_ADDED)}
    changes = {}
    for name, value in given.items():
        before = group.get(name)
        same = set(value) == set(before or ()) if isinstance(value, list) else value == before
        if not same:
            changes[name] = value
    if not changes:
        return None, {"_form": reason("nothing_changed", "nothing to change")}
    return changes, {}
