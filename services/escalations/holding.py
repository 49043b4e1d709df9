"""Which of the holding authority's officers works on a case: plain rules, tested directly.

Taking or assigning a case is not a transition of the case machine (``case_life.TRANSITIONS``
is untouched): the state stays, ``assignee_user_id`` names the officer, a timeline line says
who took it (or who assigned whom) and ``case_assigned`` tells the rest. Any officer of the
authority holding the case may take it while the holder has something to do with it (from a
colleague too: the line records it); its head may assign it to a named officer of the same
authority. A redirect or an escalation leaves the new holder's case with nobody
(``case_life``). Who the authority's officers are, escalations learns from accounts' events
(``officers``, a read model), so assigning asks no other service. Example::

    outcome = take(case, officer, now)
    outcome = assign(case, head, store.find_officer(db, user_id), now)
    store.commit(db, case, outcome, actor=officer.user_id)
"""
from services.escalations.access import cleared_for, heads, holds
from services.escalations.case_life import HOLDER, Outcome, allowed_actions
from shared import contracts
from shared.authorisation import OFFICER, Principal
from shared.errors import Conflict, Forbidden, InvalidInput
from shared.reasons import reason


def take(case, principal, at):
    """The outcome of ``principal`` taking the case to work on."""
    if principal is None or not holds(principal, case.get("authority_id")):
        raise Forbidden("only an officer of the authority holding the case may take it",
                        {"authority_id": [str(case.get("authority_id"))]})
    _check_open(case)
    if case.get("assignee_user_id") == principal.user_id:
        raise Conflict("you already work on this case",
                       {"assignee_user_id": [reason("already_yours",
                                                    "you already work on this case")]})
    return _outcome(case, principal, "take", principal.user_id, at)


def assign(case, principal, officer, at):
    """The outcome of the head of the holding authority assigning the case to ``officer`` (the
    read model's record of that user, or None when it knows no such user). An officer who is
    not one of the authority's, is disabled, or may not read a confidential case is refused by
    name, as ``user_id``'s reason."""
    if not heads(principal, case.get("authority_id")):
        raise Forbidden("only the head of the authority holding the case assigns it",
                        {"rule": ["cases.assign: the holding authority's head only"]})
    _check_open(case)
    name = (officer or {}).get("display_name") or (officer or {}).get("_id")
    problem = refusal_of(officer, case)
    if problem:
        raise InvalidInput("that officer cannot be assigned this case",
                           {"user_id": [reason(problem, f"{name}: {problem}", name=name)]})
    if case.get("assignee_user_id") == officer["_id"]:
        raise Conflict("that officer already works on this case",
                       {"user_id": [reason("already_assigned", f"{name} already works on it",
                                           name=name)]})
    return _outcome(case, principal, "assign", officer["_id"], at, name)


def refusal_of(officer, case):
    """Why ``officer`` may not work on ``case`` (a reason code), or None."""
    if officer is None or officer.get("role") != OFFICER:
        return "not_an_officer" if officer is not None else "unknown_user"
    if officer.get("authority_id") != case.get("authority_id"):
        return "officer_of_other_authority"
    if not officer.get("enabled", True):
        return "officer_disabled"
    as_principal = Principal(user_id=officer["_id"], role=OFFICER,
                             authority_id=officer["authority_id"],
                             authority_head=officer.get("authority_head", False))
    if not cleared_for(as_principal, case):
        return "officer_not_cleared"
    return None


def _check_open(case):
    state = case["status"]
    if not allowed_actions(state, HOLDER):
        raise Conflict(f"nothing is left to do on a case that is {state}",
                       {"state": [reason("nothing_to_take", f"the case is {state}")]})


def _outcome(case, principal, action, assignee_user_id, at, assignee_name=None):
    state = case["status"]
    entry = {"at": at, "user_id": principal.user_id, "role": principal.role, "action": action,
             "from_state": state, "to_state": state, "why": None, "because": None,
             "authority_id": case["authority_id"]}
    if action == "assign":  # who assigned whom: the line names both
        entry.update(assignee_user_id=assignee_user_id, assignee_name=assignee_name)
    payload = {"case_id": case["_id"], "concern_id": case["concern_id"],
               "authority_id": case["authority_id"], "assignee_user_id": assignee_user_id,
               "assigned_by": principal.user_id if action == "assign" else None}
    return Outcome(state=state, changes={"assignee_user_id": assignee_user_id}, entry=entry,
                   event=(contracts.CASE_ASSIGNED, payload))
