"""The escalations service's reads: cases as a principal may see them, inboxes, the triage
queue, statistics, and the registry of authorities and routing rules.

Each takes the store's ``db`` and what the entrypoint decoded, and answers plain dicts the
entrypoint dumps. A case is the principal's to see (``access.may_read``) or NotFound exactly like
a missing one; an inbox or statistics of another authority, likewise. Example::

    inbox(db, {"authority_id": "ubnd-xa-tam-hop", "view": "holding", ...}, officer, now)
    # {"authority": {...}, "counts": {"routed": 3}, "cases": [...], "next_cursor": None, ...}
"""
import re

from services.escalations import case_life, cases, statistics, store
from services.escalations.access import heads, holds, may_read
from shared import folding
from shared.authorisation import OFFICER, OPERATOR
from shared.clock import vietnam_midnight
from shared.contracts import ANY_TOPIC
from shared.errors import NotFound

# a case's code as mails and pages show it
CASE_CODE = re.compile(r"[0-9a-f]{32}")

# --- cases -----------------------------------------------------------------------------------

def _uncleared_officer(principal, authority_id):
    """The officer's id when their lists leave out the confidential cases (those the head
    named them on are their "named" view); None for the head (and internal callers)."""
    if principal is None or heads(principal, authority_id):
        return None
    return principal.user_id


def visible_case(db, case_id, principal):
    """The case with its timeline, or NotFound alike for a missing one and one the principal
    may not see."""
    case = store.case_or_none(db, case_id)
    if case is None or not may_read(principal, case):
        raise NotFound("case not found", {"case_id": [str(case_id)]})
    return case


def show(db, case, now, principal, calendar=None):
    """The case as ``principal`` sees it, with its holder's name and their actions (and the
    working days left to its deadline, by ``calendar``)."""
    named = {case.get("authority_id")} | {entry.get("authority_id")
                                          for entry in case.get("timeline", ())}
    shown = cases.shown(case, now, store.authority_names(db, named - {None}), principal,
                        calendar)
    assignee = case.get("assignee_user_id") and store.find_officer(db, case["assignee_user_id"])
    return {**shown, "assignee_name": (assignee or {}).get("display_name")}


def _shown(db, found, now, principal, calendar=None):
    names = store.authority_names(
        db, {case["authority_id"] for case in found if case.get("authority_id")})
    return [cases.shown(case, now, names, principal, calendar) for case in found]


def get_case(db, case_id, principal, now, calendar=None):
    """A case with its timeline: an officer's authority's, a cadre's own concern's."""
    return show(db, visible_case(db, case_id, principal), now, principal, calendar)


def get_case_for_concern(db, concern_id, principal, now, calendar=None):
    """The case of a concern, only one the principal may see, else NotFound like a concern
    with no case yet."""
    # its own case, or the one it was attached to (issue 25)
    case = store.case_of_concern(db, concern_id) or store.case_joined_by(db, concern_id,
                                                                         store.LISTED)
    if case is None or not may_read(principal, case):
        raise NotFound("no case for this concern yet", {"concern_id": [str(concern_id)]})
    return show(db, case, now, principal, calendar)


def inbox(db, query, principal, now, calendar=None):
    """An authority's cases a page at a time, only its own officers'; the counts per state,
    exact."""
    authority = store.find_authority(db, query["authority_id"])
    if authority is None or not holds(principal, authority["_id"]):
        raise NotFound("authority not found", {"authority_id": [query["authority_id"]]})
    assignee = {"mine": principal.user_id if principal else None,
                "unassigned": None}.get(query["assignee"], store.ANYONE)
    at_risk = {"at_risk_at": now} if query.get("due") == "at_risk" else {}
    page = store.inbox_page(
        db, authority["_id"], query["view"], {**query, **searched(query["q"]), **at_risk},
        assignee=assignee,
        received_from=query["received_from"] and vietnam_midnight(query["received_from"]),
        received_to=query["received_to"] and vietnam_midnight(query["received_to"]),
        officer_id=_uncleared_officer(principal, authority["_id"]))
    shown = _shown(db, page["items"], now, principal, calendar)
    # exact: an index-only count per state, no document read
    counts = store.counts_by_state(db, authority["_id"], case_life.STATES)
    return {"authority": authority, "view": query["view"],
            "counts": {state: n for state, n in counts.items() if n},
            "overdue": sum(case["overdue"] for case in shown),
            "cases": shown, "next_cursor": page["next_cursor"],
            # every branch (and the unit above it) its cases came from: the branch filter
            "units": [{"unit_id": unit_id, "branch": branch}
                      for unit_id, branch in store.units_of(db, authority["_id"])]}


def searched(text):
    """The inbox's search ``q`` as the store takes it: a case's code (32 hex digits), or
    words each beginning a word of the summary (without diacritics)."""
    if not text:
        return {}
    text = text.strip()
    if CASE_CODE.fullmatch(text):
        return {"case_code": text}
    return {"words": folding.query_words(text, "q")}


def list_officers(db, query, principal):
    """The enabled officers of an authority by name, to its own officers only (the head
    chooses whom to assign a case to)."""
    if not holds(principal, query["authority_id"]):
        raise NotFound("authority not found", {"authority_id": [query["authority_id"]]})
    return store.officers_of(db, query["authority_id"])


def list_unrouted(db, query, principal, now, triage_authority_id):
    """Cases no routing rule covered: held by the triage authority, or by nobody. An officer
    sees only those their authority holds (the triage authority's officers: its queue); an
    operator sees them all without the concern's text or answer (no personal data)."""
    officer = principal is not None and principal.role == OFFICER
    page = store.unrouted_page(db, query, principal.authority_id if officer else None,
                               officer and not heads(principal, principal.authority_id))
    shown = _shown(db, page["items"], now, principal)
    if principal is not None and principal.role == OPERATOR:
        shown = [{**case, "summary": None, "answer": None} for case in shown]
    elif not officer:  # an administrator finding missing rules: not a confidential text
        shown = [{**case, "summary": None, "answer": None} if case.get("confidential")
                 else case for case in shown]
    return {"triage_authority_id": triage_authority_id, "cases": shown,
            "next_cursor": page["next_cursor"]}


def case_statistics(db, query, principal):
    """An authority's statistics: its own officers' or an administrator's; another
    authority's answers an officer like a missing one."""
    officer = principal is not None and principal.role == OFFICER
    if store.find_authority(db, query["authority_id"]) is None or (
            officer and not holds(principal, query["authority_id"])):
        raise NotFound("authority not found", {"authority_id": [query["authority_id"]]})
    summaries = store.case_summaries(
        db, query["authority_id"], vietnam_midnight(query["period_from"]),
        vietnam_midnight(query["period_to"]), query["topic"], statistics.SUMMARY_FIELDS)
    return {"authority_id": query["authority_id"],
            "period_from": query["period_from"].isoformat(),
            "period_to": query["period_to"].isoformat(),
            "rows": statistics.case_statistics(summaries)}


def list_reply_templates(db, query, principal):
    """An authority's reply templates (of a kind; for a topic: its own and every topic's),
    only to its own officers."""
    if not holds(principal, query["authority_id"]):
        raise NotFound("authority not found", {"authority_id": [query["authority_id"]]})
    topics = (query["topic"], ANY_TOPIC) if query["topic"] else None
    return store.reply_templates(db, query["authority_id"], query["kind"], topics)


# --- the registry ----------------------------------------------------------------------------

def get_authority(db, authority_id):
    authority = store.find_authority(db, authority_id)
    if authority is None:
        raise NotFound("authority not found", {"authority_id": [str(authority_id)]})
    return authority


def list_authorities(db, query):
    """Authorities a page at a time; with ``as_of``, those in service that day."""
    page = store.authorities_page(db, query)
    return {"authorities": page["items"], "next_cursor": page["next_cursor"]}


def list_routing_rules(db, query):
    """Routing rules a page at a time; with ``as_of``, those in force that day."""
    page = store.routing_rules_page(db, query)
    return {"routing_rules": page["items"], "next_cursor": page["next_cursor"]}


def authority_names(db, authority_ids):
    return store.authority_names(db, authority_ids)


def search_authorities(db, query):
    """Authorities whose name holds the words of ``q`` (without diacritics), by id."""
    return {"authorities": store.search_authorities(
        db, folding.search_criteria(query["q"]), query["as_of"], query["limit"])}
