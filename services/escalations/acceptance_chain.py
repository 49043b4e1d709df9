"""Who inside the authority holds a case nobody has accepted yet: the duty roster's chain
(``duty_roster``) applied to a case. Plain rules over the case document, no store.

- On routing, the officer on duty that day becomes the case's assignee (``on_routing``): the
  assignment verb (``case_assigned``, rung "receiving"), not a new state.
- When the acceptance (acknowledge) deadline passes with nobody accepting, the sweep hands the
  case to the deputy, then the head (``hand_over``), each given ``RUNG_WORKING_HOURS`` of
  office time, each a timeline line and a ``case_assigned`` (rung "deputy"/"head") that mails
  that person; past the head ``hand_over`` answers None and the sweep escalates one level up
  as before.

The chain's place is kept on the case (``acceptance``: the authority, the step of
``duty_roster.CHAIN`` and until when), written with the rest of the step in one conditional
update (``store.commit``): a sweep that runs again, after a crash or on another instance, reads
the step already taken and ``next_deadline_at`` moved on, so each step happens once. Example::

    case, events = on_routing(case, first_event, roster, calendar, now, names)
    outcome = hand_over(case, roster, calendar, now, names)   # None: escalate one level up
"""
from services.escalations import case_clock, duty_roster
from services.escalations.case_states import Outcome
from shared import contracts
from shared.clock import vietnam_date

# office time each rung (the deputy, then the head) has to accept before the next is called
RUNG_WORKING_HOURS = 4
SYSTEM = {"user_id": "system", "role": "system"}
# the timeline's reason of each hand-over (``because.<code>`` in the catalogue)
NOT_ACCEPTED = {duty_roster.DEPUTY: "not_accepted_deputy", duty_roster.HEAD: "not_accepted_head"}


def on_duty_officer(roster, calendar, day):
    """The receiving officer of ``day``, or None (no roster, not started, everyone away)."""
    if roster is None:
        return None
    try:
        return duty_roster.on_duty(roster, calendar, day)
    except duty_roster.RosterRefused:
        return None


def on_routing(case, first_event, roster, calendar, now, names):
    """The new case with the officer on duty as its assignee, and its events (the routing's,
    then ``case_assigned``); unchanged when there is nobody on duty to give it to."""
    if case.get("authority_id") is None or case["status"] != "routed":
        return case, [first_event]
    officer = on_duty_officer(roster, calendar, vietnam_date(now))
    if officer is None:
        return case, [first_event]
    entry = _line(case, now, officer, names, {"code": "on_duty"})
    event = contracts.CASE_ASSIGNED.new(_payload(case, officer, duty_roster.RECEIVING),
                                        occurred_at=now)
    case = {**case, "assignee_user_id": officer, "timeline": [*case["timeline"], entry],
            "acceptance": {"authority_id": case["authority_id"], "step": 0, "until": None}}
    return case, [first_event, event]


def hand_over(case, roster, calendar, now, names):
    """The outcome of handing a case nobody accepted in time to the next rung inside its
    authority, or None when the chain is climbed (or there is none): escalate then."""
    pending = case_clock.pending_deadline(case)
    if roster is None or pending is None or pending[0] != "acknowledge":
        return None
    chain = case.get("acceptance") or {}
    step = chain.get("step", 0) if chain.get("authority_id") == case["authority_id"] else 0
    index, rung, officer = duty_roster.next_step(roster, calendar, vietnam_date(now), step + 1)
    if rung == duty_roster.ONE_LEVEL_UP:
        return None
    until = calendar.add_working_hours(now, RUNG_WORKING_HOURS)
    because = {"code": NOT_ACCEPTED[rung], "due_on": pending[1].isoformat()}
    changes = {"assignee_user_id": officer,
               "acceptance": {"authority_id": case["authority_id"], "step": index,
                              "until": until},
               # the sweep looks again when this rung's time is up (the deadline itself passed)
               "next_deadline_at": until, "next_deadline_kind": "acknowledge_deadline"}
    return Outcome(case["status"], changes, _line(case, now, officer, names, because),
                   (contracts.CASE_ASSIGNED, _payload(case, officer, rung)))


def _line(case, at, officer, names, because):
    return {"at": at, **SYSTEM, "action": "assign", "from_state": case["status"],
            "to_state": case["status"], "why": None, "because": because,
            "assignee_user_id": officer, "assignee_name": names.get(officer),
            "authority_id": case["authority_id"]}


def _payload(case, officer, rung):
    return {"case_id": case["_id"], "concern_id": case["concern_id"],
            "authority_id": case["authority_id"], "assignee_user_id": officer,
            "assigned_by": None, "rung": rung}
