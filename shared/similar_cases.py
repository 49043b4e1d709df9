"""Similar open cases (issue 25): while logging a visit the cadre sees the open cases of the
concern's topic raised in the same commune, and may attach the concern to one of them instead
of opening another case ("nêu tại 3 chi bộ"). Plain rules over plain dicts, read by visits
(refusing an attachment when the visit is logged) and escalations (the list, and joining when
the concern arrives).

A case is ``{"topic", "unit_path", "status"}`` (and ``raisings`` once joined); the commune
is the grassroots organisation the branch sits directly under (the registry's tree: a branch,
chi bộ trực thuộc, always hangs from its Đảng bộ cơ sở), read from the raising unit's path.
Example::

    commune_of(["vp", "vp.bx", "vp.bx.tam-hop", "vp.bx.tam-hop.noi-phat"])  # "vp.bx.tam-hop"
    join_refusal(case, "land", unit_path)     # None, or "case_other_topic", "case_not_open"...
"""
from shared.errors import NotFound, RuleViolated
from shared.reasons import reason

# a case takes another raising only while its holder may still act on it: not once answered
# (the answer already went back), closed, withdrawn, a duplicate, nor with nobody holding it
JOINABLE = frozenset({"routed", "redirected", "escalated", "acknowledged", "in_progress",
                      "reopened", "awaiting_information"})
# the visit form lists at most this many (the most raised first)
SHOWN = 10

REFUSALS = {
    "case_not_found": "no such case",
    "case_other_topic": "the case is about another topic",
    "case_other_commune": "the case was raised in another commune",
    "case_not_open": "the case is no longer open",
}


def commune_of(unit_path):
    """The commune (grassroots organisation) of the branch at the end of ``unit_path``; None
    for no path."""
    if not unit_path:
        return None
    return unit_path[-2] if len(unit_path) >= 2 else unit_path[-1]


def branches_of(case):
    """The branches that raised ``case``: its own, then each joined one, in order, once each."""
    units = [case["unit_id"], *(r["unit_id"] for r in case.get("raisings", ()))]
    return list(dict.fromkeys(units))


def join_refusal(case, topic, unit_path):
    """Why a concern of ``topic`` raised at the branch ``unit_path`` may not join ``case``
    (a code of :data:`REFUSALS`), or None: it may."""
    if case is None:
        return "case_not_found"
    if case["topic"] != topic:
        return "case_other_topic"
    if commune_of(case["unit_path"]) is None or commune_of(case["unit_path"]) != commune_of(
            unit_path):
        return "case_other_commune"
    if case["status"] not in JOINABLE:
        return "case_not_open"
    return None


def check_join(case, topic, unit_path, field):
    """:func:`join_refusal` as a refusal naming ``field``: 404 for a case that does not exist
    (or is not the asker's to see), 422 for one it may not join; nothing when it may."""
    code = join_refusal(case, topic, unit_path)
    if code is None:
        return
    error = NotFound if code == "case_not_found" else RuleViolated
    raise error("this concern cannot be attached to that case",
                {field: [reason(code, REFUSALS[code])]})


def similar(cases, topic, unit_path, limit=SHOWN):
    """The cases of ``cases`` a concern of ``topic`` at ``unit_path`` may join, the most
    raised first, then the newest (raised the same day: the last received first)."""
    found = [case for case in cases if join_refusal(case, topic, unit_path) is None]
    found.sort(key=lambda case: (case["raised_on"], str(case.get("received_at") or "")),
               reverse=True)
    found.sort(key=lambda case: len(branches_of(case)), reverse=True)
    return found[:limit]
