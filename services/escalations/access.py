"""Which cases a signed-in user may read and act on: plain rules, tested directly.

An officer reads the inbox and the cases of their own authority (the inbox's "escalated_past"
view: those escalated past it); a cadre reads the cases of the concerns they carried (the case
stores the raising user as ``raised_by_user``, the ``concern_raised`` envelope's actor).
Another's case answers exactly like one that does not exist. ``principal`` None is a trusted
internal caller that checked elsewhere.
"""
from shared.authorisation import CADRE, OFFICER


def holds(principal, authority_id):
    """Whether a case or inbox of ``authority_id`` is the principal's to read (None: an
    internal caller that checked elsewhere)."""
    return principal is None or (principal.role == OFFICER
                                 and principal.authority_id == authority_id)


def raised(principal, case):
    """Whether ``principal`` is the cadre user who carried the case's concern."""
    return (principal is not None and principal.role == CADRE
            and case.get("raised_by_user") is not None
            and case["raised_by_user"] == principal.user_id)


def may_read(principal, case):
    """Whether the case is the principal's to see: held by their authority, or raised by them."""
    if principal is None:
        return True
    return (principal.role == OFFICER and holds(principal, case.get("authority_id"))) \
        or raised(principal, case)
