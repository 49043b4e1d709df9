"""An authority's duty roster as its head (or an administrator) keeps it: who receives new
cases on which working day, with leave, the deputy and the head (``duty_roster``'s rules),
stored whole in escalations' ``rosters`` (one document per authority).

Every officer the roster names must be an enabled officer of that authority as the officers'
read model knows them (``officers``); a roster that leaves a working day of the next
``COVERED_DAYS`` with nobody receiving is refused, and nothing is changed. Example::

    set_roster(db, "ubnd-xa-tam-hop", {"rotation": ["an", "binh"], "deputy_id": "dung",
               "head_id": "giang", "starts_on": date, "leave": []}, head, now, calendar)
    roster_of(store.find_roster(db, "ubnd-xa-tam-hop"))     # a duty_roster.Roster
"""
import datetime as dt

from services.escalations import duty_roster, store
from services.escalations.access import heads, holds
from services.escalations.holding import refusal_of
from shared.authorisation import ADMINISTRATOR
from shared.clock import vietnam_date
from shared.errors import Forbidden, InvalidInput, NotFound
from shared.reasons import reason

# how far ahead a roster must leave no working day without a receiving officer
COVERED_DAYS = 60
# which field of the request names each person a roster checks
NAMED = ("rotation", "deputy_id", "head_id")
# the request field a roster refusal names (else "rotation")
REFUSED_FIELD = {"leave_ends_before_it_starts": "leave", "roster_chain_incomplete": "head_id"}


def roster_of(document):
    """The stored roster as ``duty_roster``'s rule value (None: the authority has none)."""
    if document is None:
        return None
    return duty_roster.Roster(
        rotation=tuple(document["rotation"]), deputy_id=document["deputy_id"],
        head_id=document["head_id"], starts_on=_day(document["starts_on"]),
        leave=tuple(duty_roster.Leave(leave["officer_id"], _day(leave["first_day"]),
                                      _day(leave["last_day"]))
                    for leave in document.get("leave", ())))


def _day(value):
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(value)


def get_roster(db, authority_id, principal):
    """The roster of ``authority_id``: to its officers and administrators (another
    authority's officer: NotFound, like a missing one)."""
    _check_reader(principal, authority_id)
    found = store.find_roster(db, authority_id)
    if found is None:
        raise NotFound("this authority has no duty roster yet",
                       {"authority_id": [reason("no_roster", authority_id)]})
    return _shown(db, found)


def set_roster(db, authority_id, request, principal, now, calendar):
    """The head of ``authority_id`` (or an administrator) replaces its roster as a whole."""
    _check_reader(principal, authority_id)
    if not (principal.role == ADMINISTRATOR or heads(principal, authority_id)):
        raise Forbidden("only the authority's head (or an administrator) edits its roster",
                        {"rule": ["rosters.manage: the authority's head only"]})
    if store.find_authority(db, authority_id) is None:
        raise NotFound("authority not found", {"authority_id": [authority_id]})
    _check_officers(db, authority_id, request)
    document = {"authority_id": authority_id, "rotation": list(request["rotation"]),
                "deputy_id": request["deputy_id"], "head_id": request["head_id"],
                "starts_on": request["starts_on"].isoformat(),
                "leave": [{"officer_id": leave["officer_id"],
                           "first_day": leave["first_day"].isoformat(),
                           "last_day": leave["last_day"].isoformat()}
                          for leave in request.get("leave", ())]}
    try:
        roster = roster_of(document)
        first = max(roster.starts_on, vietnam_date(now))
        duty_roster.check_covered(roster, calendar, first,
                                  first + dt.timedelta(days=COVERED_DAYS))
    except duty_roster.RosterRefused as refused:
        raise InvalidInput("the roster cannot be kept as it is", {
            REFUSED_FIELD.get(refused.code, "rotation"): [reason(refused.code, str(refused))]
        }) from None
    stored = store.save_roster(db, authority_id, {
        **document, "changed_by": principal.user_id, "changed_at": now})
    return _shown(db, stored)


def _check_reader(principal, authority_id):
    if principal is None or principal.role == ADMINISTRATOR:
        return
    if not holds(principal, authority_id):
        raise NotFound("authority not found", {"authority_id": [authority_id]})


def _check_officers(db, authority_id, request):
    """Everyone named is an enabled officer of the authority, else refused by name."""
    problems = {}
    on_leave = [leave["officer_id"] for leave in request.get("leave", ())]
    for field, user_ids in (*((field, _listed(request[field])) for field in NAMED),
                            ("leave", on_leave)):
        for user_id in user_ids:
            officer = store.find_officer(db, user_id)
            problem = refusal_of(officer, {"authority_id": authority_id})
            if problem == "officer_of_other_authority":  # no case here: "of this authority"
                problem = "not_of_this_authority"
            if problem:
                name = (officer or {}).get("display_name") or user_id
                problems.setdefault(field, []).append(
                    reason(problem, f"{name}: {problem}", name=name))
    if problems:
        raise InvalidInput("the roster names someone who is not an officer of the authority",
                           problems)


def _listed(value):
    return value if isinstance(value, (list, tuple)) else [value]


def names_of(db, roster):
    """``{user_id: display_name}`` of everyone ``roster`` (a ``duty_roster.Roster``) names."""
    ids = {*roster.rotation, roster.deputy_id, roster.head_id}
    return {user_id: (store.find_officer(db, user_id) or {}).get("display_name")
            for user_id in ids}


def _shown(db, document):
    """The roster with each officer's name, as the page and the API show it."""
    ids = {*document["rotation"], document["deputy_id"], document["head_id"],
           *(leave["officer_id"] for leave in document.get("leave", ()))}
    names = {user_id: (store.find_officer(db, user_id) or {}).get("display_name")
             for user_id in ids}
    leave = [{**leave, "first_day": _day(leave["first_day"]),
              "last_day": _day(leave["last_day"])} for leave in document.get("leave", ())]
    return {**document, "starts_on": _day(document["starts_on"]), "leave": leave,
            "names": names}
