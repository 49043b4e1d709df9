"""What anyone holding a receipt code may read of a case, and nothing more.

The public page (no sign-in) shows a case by its receipt code: the topic, its state in plain
words, the authority holding it, the running deadline and the dates. The summary and the answer
are free text that often names people: they are shown only as rewritten for publication and
marked publishable (the cadre's ``public_summary``, the authority's ``public_answer``). Never a
person's name or contact, the internal text, the timeline or who acted.

A code that names no case, a case not recorded here yet (its event on its way), and a
confidential case all answer the same :data:`NOT_YET` view, so the page tells nobody whether a
code exists. Example::

    public_view(case, {"ubnd-xa-tam-hop": "UBND xã Tam Hợp"})["state"]   # "in_progress"
    public_view(None, names) == not_yet("7KQM4-TX9RB")                   # True
"""
from services.escalations import case_clock
from services.escalations import case_life as life
from shared.clock import vietnam_date

# the state as a person reads it (each a key of shared/words: public_state_<key>)
PUBLIC_STATES = {
    life.UNROUTED: "received", life.ROUTED: "with_authority",
    life.REDIRECTED: "with_authority", life.ESCALATED: "with_authority",
    life.ACKNOWLEDGED: "in_progress", life.IN_PROGRESS: "in_progress",
    life.REOPENED: "in_progress", life.AWAITING_INFORMATION: "awaiting_information",
    life.ANSWERED: "answered", life.CLOSED_RESOLVED: "closed",
    life.CLOSED_UNRESOLVED: "closed", life.DUPLICATE_OF: "merged",
    life.WITHDRAWN: "withdrawn",
}
# every field a public answer has: the page and its tests know no other
FIELDS = ("receipt_code", "found", "topic", "state", "authority_name", "raised_on",
          "received_on", "due_on", "answered_on", "closed_on", "public_summary",
          "public_answer")


def not_yet(code):
    """The answer for a code with nothing to show: the same for every such code."""
    return {field: None for field in FIELDS} | {"receipt_code": code, "found": False}


def published(text_field):
    """The text of a ``public_summary``/``public_answer`` once marked publishable, else None."""
    if not text_field or not text_field.get("publishable"):
        return None
    return text_field.get("text") or None


def _day(moment):
    return vietnam_date(moment).isoformat() if moment is not None else None


def public_view(case, authority_names, code=None):
    """The public answer for ``case`` (None: no case by that code yet)."""
    # the code asked about: a concern attached to another branch's case has its own (issue 25)
    code = code or (case or {}).get("receipt_code")
    if case is None or case.get("confidential"):
        return not_yet(code)
    pending = case_clock.pending_deadline(case) if case.get("status") in life.STATES else None
    return {
        "receipt_code": code, "found": True, "topic": case["topic"],
        "state": PUBLIC_STATES.get(case["status"], "in_progress"),
        "authority_name": authority_names.get(case.get("authority_id")),
        "raised_on": case.get("raised_on"), "received_on": _day(case.get("received_at")),
        "due_on": pending[1].isoformat() if pending else None,
        "answered_on": _day(case.get("answered_at")), "closed_on": _day(case.get("closed_at")),
        "public_summary": published(case.get("public_summary")),
        "public_answer": published(case.get("public_answer")),
    }
