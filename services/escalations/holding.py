"""Which of the holding authority's officers works on a case: a plain rule, tested directly.

Taking a case is not a transition of the case machine (``case_life.TRANSITIONS`` is untouched):
the state stays, ``assignee_user_id`` names the officer, a timeline line says who took it and
``case_assigned`` tells the rest. Any officer of the authority holding the case may take it
while the holder has something to do with it (from a colleague too: the line records it). A
redirect or an escalation leaves the new holder's case with nobody (``case_life``). Example::

    outcome = take(case, officer, now)
    store.commit(db, case, outcome, actor=officer.user_id)
"""
from services.escalations.access import holds
from services.escalations.case_life import HOLDER, Outcome, allowed_actions
from shared import contracts
from shared.errors import Conflict, Forbidden
from shared.reasons import reason


def take(case, principal, at):
    """The outcome of ``principal`` taking the case to work on."""
    state = case["status"]
    if principal is None or not holds(principal, case.get("authority_id")):
        raise Forbidden("only an officer of the authority holding the case may take it",
                        {"authority_id": [str(case.get("authority_id"))]})
    if not allowed_actions(state, HOLDER):
        raise Conflict(f"nothing is left to do on a case that is {state}",
                       {"state": [reason("nothing_to_take", f"the case is {state}")]})
    if case.get("assignee_user_id") == principal.user_id:
        raise Conflict("you already work on this case",
                       {"assignee_user_id": [reason("already_yours",
                                                    "you already work on this case")]})
    entry = {"at": at, "user_id": principal.user_id, "role": principal.role, "action": "take",
             "from_state": state, "to_state": state, "why": None, "because": None,
             "authority_id": case["authority_id"]}
    payload = {"case_id": case["_id"], "concern_id": case["concern_id"],
               "authority_id": case["authority_id"], "assignee_user_id": principal.user_id}
    return Outcome(state=state, changes={"assignee_user_id": principal.user_id}, entry=entry,
                   event=(contracts.CASE_ASSIGNED, payload))
