"""What the periodic report keeps of each event it hears (pure): a visit's version as the
report counts it, and a concern's facts (raised, answered, reopened, closed, withdrawn), each
dated by its Vietnam day so a period's end decides what had happened by then. Events come in
any order and may come twice: a visit keeps its latest version, a fact is keyed by its event.

Example::

    case_fact("case_answered", payload, occurred_at)
    # ("c1", {"kind": "answered", "on": "2026-12-01", "answer_by": "2026-12-04", ...})
"""
from shared.clock import vietnam_date

# the concern's own facts (visits) and its case's (escalations) the report reads
CASE_FACTS = {"case_answered": "answered", "case_reopened": "reopened",
              "case_closed": "closed", "concern_withdrawn": "withdrawn"}


def _iso(day):
    return day.isoformat() if day is not None else None


def visit_version(event_name, payload, occurred_at):
    """A ``visit_logged`` (version 1) or ``visit_amended``: who attended, and what the
    report counts; fields an event from before the report lacks are left as kept."""
    version = {"_id": payload["visit_id"], "unit_id": payload["unit_id"],
               "meeting_date": str(payload["meeting_date"]),
               "cadre_ids": sorted({payload["cadre_id"],
                                    *(payload.get("attended_cadre_ids") or ())}),
               "version": payload.get("version", 1), "logged_at": occurred_at.isoformat()}
    for field in ("meeting_kind", "attendance", "assessment"):
        if payload.get(field) is not None:
            version[field] = payload[field]
    return version


def concern_fields(payload):
    """A ``concern_raised``: the topic, the branch and where it sits, the day it was raised."""
    return {"topic": payload["topic"], "unit_id": payload["unit_id"],
            "unit_path": list(payload["unit_path"]), "raised_on": _iso(payload["raised_on"])}


def case_fact(event_name, payload, occurred_at):
    """The concern's id and the fact ``event_name`` records of it."""
    kind = CASE_FACTS[event_name]
    at = payload.get("answered_at") or payload.get("withdrawn_at") or occurred_at
    fact = {"kind": kind, "on": vietnam_date(at).isoformat(), "at": at.isoformat()}
    if kind == "answered":
        fact["answer_by"] = _iso(payload.get("answer_by"))
    if kind == "closed":
        fact["outcome"] = payload["outcome"]
    return payload["concern_id"], fact
