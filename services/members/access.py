"""Who sees a branch's members (docs/members.md): administrators; the cadres assigned to the
branch on the day asked; the cadres holding a seat on the branch's committee that day. Anyone
else is told the branch's members are not found, as for a branch that does not exist.

Party membership is sensitive personal data (Law 91/2025/QH15): the rule is decided here from
what the registry answers (``registry``: the assignments service's RPCs), never from a copy.
Example::

    may_see(principal, "vp.bx.th.np", "2026-12-07", registry)   # True or False
"""
from shared.authorisation import ADMINISTRATOR, CADRE
from shared.errors import NotFound

PERMISSION = "members.read"


def may_see(principal, unit_id, day, registry):
    """Whether ``principal`` may see ``unit_id``'s members on ``day`` (ISO); None is a calling
    service the RPC entrypoint verified (``shared.callers``)."""
    if principal is None or principal.role == ADMINISTRATOR:
        return True
    if principal.role != CADRE:
        return False
    assigned = registry.list_unit_assignments(unit_id, day)
    if any(item["cadre_id"] == principal.cadre_id for item in assigned):
        return True
    return holds_seat(registry.get_cadre(principal.cadre_id), (unit_id,), day)


def holds_seat(cadre, unit_ids, day):
    """Whether ``cadre`` (the registry's) sits on the committee of one of ``unit_ids`` on
    ``day`` (ISO; a seat without a start counts from always)."""
    return any(seat["unit_id"] in unit_ids and (seat.get("starts_on") or "") <= day
               and (seat.get("ends_on") is None or day <= seat["ends_on"])
               for seat in cadre.get("memberships") or ())


def require_sight(principal, unit_id, day, registry):
    """Raises NotFound, as for no such branch, unless ``principal`` may see its members."""
    if not may_see(principal, unit_id, day, registry):
        raise NotFound("branch not found", {"unit_id": [str(unit_id)]})
