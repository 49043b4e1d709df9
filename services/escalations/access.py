"""Which cases a signed-in user may read and act on: plain rules, tested directly.

An officer reads the inbox and the cases of their own authority (the inbox's "escalated_past"
view: those escalated past it); a cadre reads the cases of the concerns they carried (the case
stores the raising user as ``raised_by_user``, the ``concern_raised`` envelope's actor).
Another's case answers exactly like one that does not exist. ``principal`` None is a trusted
internal caller that checked elsewhere. A *confidential* case (marked so by the cadre, issue 26)
is read only by the head of the authority holding it and the officers the head named on it:
to any other officer of that authority it is as missing as another authority's.

Who acts: an officer of the authority holding the case acts for the holder side, the cadre who
carried the concern for the raising side (the sides of ``case_life.TRANSITIONS``); each is
shown and allowed only their side's actions. Example::

    actions_for(case, officer)     # ["acknowledge", "start", "redirect", ...]: the holder's
    actions_for(case, cadre)       # []: nothing for the raising side while it is routed
"""
from services.escalations.case_life import HOLDER, RAISER, allowed_actions, transition
from shared.authorisation import CADRE, OFFICER, may
from shared.errors import Forbidden


def holds(principal, authority_id):
    """Whether a case or inbox of ``authority_id`` is the principal's to read (None: an
    internal caller that checked elsewhere)."""
    return principal is None or (principal.role == OFFICER
                                 and principal.authority_id == authority_id)


def heads(principal, authority_id):
    """Whether ``principal`` is the head of ``authority_id``."""
    return (principal is not None and holds(principal, authority_id)
            and principal.authority_head)


def cleared_for(principal, case):
    """Whether a case's confidentiality lets ``principal`` (an officer of its holder) see it:
    not confidential, or they head the holder, or the head named them on it."""
    return (principal is None or not case.get("confidential")
            or heads(principal, case.get("authority_id"))
            or principal.user_id in case.get("named_officer_ids", ()))


def holds_case(principal, case):
    """Whether ``principal`` is an officer of the holder cleared for the case."""
    return holds(principal, case.get("authority_id")) and cleared_for(principal, case)


def raised(principal, case):
    """Whether ``principal`` is a cadre user who carried the case's concern (or one joined
    to it)."""
    if principal is None or principal.role != CADRE:
        return False
    # the cadre who carried it, or one who attached their branch's concern to it (issue 25)
    raisers = [case.get("raised_by_user"),
               *(raising.get("raised_by_user") for raising in case.get("raisings", ()))]
    return principal.user_id in raisers and principal.user_id is not None


def may_read(principal, case):
    """Whether the case is the principal's to see: held by their authority, or raised by them."""
    if principal is None:
        return True
    return (principal.role == OFFICER and holds_case(principal, case)) \
        or raised(principal, case)


# --- who may act -----------------------------------------------------------------------------

def side_of(case, principal):
    """The side of the case ``principal`` acts for: HOLDER (an officer of the authority holding
    it), RAISER (the cadre who carried the concern), or None (anyone else)."""
    if principal is not None and holds_case(principal, case):
        return HOLDER
    if raised(principal, case):
        return RAISER
    return None


def actions_for(case, principal):
    """The actions ``principal`` may take on the case now: their side's, as far as their role
    may act (``shared.authorisation``); none for anyone on no side (an operator, an
    administrator, an officer the case escalated past). A trusted internal caller (None) is
    told the actions of either side."""
    if principal is None:
        return allowed_actions(case["status"])
    side = side_of(case, principal)
    if side is None or not may(principal, "cases.act"):
        return []
    return [action for action in allowed_actions(case["status"], side)
            if may(principal, f"cases.{action}")]


def check_principal(case, action, principal):
    """Refuse (403) a principal not on a side of the case that may take ``action`` now.

    ``principal`` is a :class:`shared.authorisation.Principal` the caller already found may see
    the case (:func:`may_read`). An ``authority_officer`` of the authority
    holding the case acts for the holder; the cadre who carried the concern acts for the raising
    side; nobody else acts on a case (the system's own actions need no principal).
    """
    row = transition(case["status"], action)
    side = side_of(case, principal)
    if side is not None and side in row.sides:
        return
    role = principal.role if principal is not None else None
    raise Forbidden(f"a {role or 'caller without a role'} may not {action} a case that is "
                    f"{case['status']}",
                    {"role": [str(role)], "action": [action], "state": [case["status"]]})
