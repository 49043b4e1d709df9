"""What the visits service tells about a branch: plain rules, tested directly.

- :func:`case_changes`: how one case event (escalations') changes the visits service's own view
  of a concern's case: its state, its holder, its running deadline, whether it is still open.
  The branch brief is read from that view, never from a call to escalations.
- :func:`meeting_record`: a branch's year of meetings (regular meetings attended, attendance
  rate, the averages on the seed's three axes: leadership, education, combativeness).

Example::

    case_changes("case_answered", payload)
    # {"status": "answered", "open": True, "authority_id": "ubnd-xa-tam-hop", "due_on": None}
"""
import datetime as dt

from shared.contracts.base import UTC

# a concern's case is over in these states: no longer an open concern of the branch
OVER = frozenset({"closed_resolved", "closed_unresolved", "withdrawn"})
AXES = ("leadership", "education", "combativeness")
# before any event: a concern raised, its case not yet made
EPOCH = dt.datetime(1970, 1, 1, tzinfo=UTC)


def _iso(day):
    return day.isoformat() if day is not None else None


def case_changes(event_name, payload):
    """The fields of the concern's case view that ``event_name`` sets; ``due_on`` is the date
    the running deadline falls on (None while paused, or unknown until the next event)."""
    changes = {"case_id": payload["case_id"]}
    if "authority_id" in payload:
        changes["authority_id"] = payload["authority_id"]
    status, due_on = None, None
    if event_name == "case_routed":
        status, due_on = "routed", payload["acknowledge_by"]
    elif event_name == "case_unrouted":
        status = "unrouted"
    elif event_name == "case_acknowledged":
        status = "in_progress" if payload["started"] else "acknowledged"
        due_on = payload["answer_by"]
    elif event_name == "case_information_requested":
        status = "awaiting_information"   # the clock pauses
    elif event_name == "case_information_provided":
        status, due_on = "in_progress", payload["answer_by"]
    elif event_name == "case_redirected":
        status = "redirected"
    elif event_name == "case_escalated":
        status = "escalated"
    elif event_name == "case_answered":
        status = "answered"
    elif event_name == "case_closed":
        status = f"closed_{payload['outcome']}"
    elif event_name == "case_marked_duplicate":
        status = "duplicate_of"
    elif event_name == "case_reopened":
        status, due_on = "reopened", payload["answer_by"]
    elif event_name == "case_withdrawn":
        status = "withdrawn"
    elif event_name == "case_deadline_near":
        return {**changes, "due_on": _iso(payload["due_on"])}  # the state stays
    elif event_name == "case_joined":  # another branch's concern attached (issue 25)
        return {**changes, "status": payload["status"], "open": True,
                "due_on": _iso(payload["due_on"]), "branch_count": payload["branch_count"]}
    elif event_name == "case_interim_replied":  # gia hạn: the state stays, the date moves
        return {**changes, "due_on": _iso(payload["committed_on"]),
                "interim_committed_on": _iso(payload["committed_on"]),
                "interim_note": payload["note"]}
    else:
        raise ValueError(f"not a case event: {event_name}")
    if event_name in ("case_redirected", "case_marked_duplicate"):
        return {**changes, "status": status, "open": status not in OVER}  # the clock runs on
    return {**changes, "status": status, "open": status not in OVER, "due_on": _iso(due_on)}


def meeting_record(visits, year):
    """The branch's record for ``year`` from its visits (each {"meeting_date", "meeting_kind",
    "attendance", "assessment", "logged_at"}): one meeting per date and kind, however many
    cadres logged it (the latest log counts)."""
    meetings = {}
    for visit in sorted(visits, key=lambda v: v["logged_at"]):
        meetings[(visit["meeting_date"], visit["meeting_kind"])] = visit
    regular = sorted({day for day, kind in meetings if kind == "regular"})
    present = sum(v["attendance"]["present"] for v in meetings.values())
    expected = sum(v["attendance"]["expected"] for v in meetings.values())
    averages = {axis: (round(sum(v["assessment"][axis] for v in meetings.values())
                             / len(meetings), 2) if meetings else None) for axis in AXES}
    return {
        "year": year,
        "meetings_attended": len(meetings),
        "regular_meetings_attended": len(regular),
        "thematic_meetings_attended": sum(1 for _, kind in meetings if kind == "thematic"),
        # months of the year with a regular meeting attended: a branch meets monthly
        "months_with_regular_meeting": sorted({day[:7] for day in regular}),
        "attendance_rate": round(present / expected, 3) if expected else None,
        "assessment_averages": averages,
    }
