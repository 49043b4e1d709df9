"""A concern attached to another branch's open case (issue 25): refused when the visit is
logged, by the rules of ``shared.similar_cases``, from visits' own view of every concern's case
(``concern_cases``, kept from escalations' events), so logging asks no other service. A case
the view does not know is refused as not found; one of another topic or commune, or no longer
open, by name; nothing is stored. Escalations looks again when the concern arrives (the case
may close meanwhile: the concern then opens a case of its own). Example::

    check_joins(db, visit["concerns"], unit["path"], "concerns")
"""
from services.visits import store
from shared import similar_cases


def case_as_seen(db, case_id):
    """The case as visits knows it (topic, the raising branch's path, state), or None."""
    view = store.find_case_view(db, case_id)
    if view is None:
        return None
    unit = store.find_unit(db, view["unit_id"])
    return {"topic": view["topic"], "status": view["status"],
            "unit_path": unit["path"] if unit else [view["unit_id"]]}


def check_joins(db, concerns, unit_path, field):
    """Each concern naming ``joins_case_id`` may join that case from the branch at
    ``unit_path``; else the refusal names ``<field>.<i>.joins_case_id``."""
    for i, concern in enumerate(concerns):
        case_id = concern.get("joins_case_id")
        if case_id:
            similar_cases.check_join(case_as_seen(db, case_id), concern["topic"], unit_path,
                                     f"{field}.{i}.joins_case_id")
