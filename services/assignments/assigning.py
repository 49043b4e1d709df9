"""Assignments made, replaced and ended, on the tree as it stood on their day (the seed's rules:
``domain``; the documents: ``store``). Each is idempotent: an assignment made again with the
same start, or ended again the same way, answers what is stored."""
import datetime as dt

from services.assignments import domain, history, store, tree
from shared import contracts
from shared.errors import NotFound


def eligible(db, cadre_id, unit_id, starts_on):
    """A new assignment's fields, once the seed's rules allow it on ``starts_on``."""
    cadre = store.cadre_or_none(db, cadre_id)
    if cadre is None:
        raise NotFound("cadre not found", {"cadre_id": [cadre_id]})
    unit = tree.unit_on(db, unit_id, starts_on)
    rule = domain.eligible_rule(cadre["positions"], unit["level"], unit.get("kind"),
                                unit["path"], domain.sat_on(cadre, unit))
    return {"cadre_id": cadre_id, "unit_id": unit_id, "rule": rule,
            "starts_on": starts_on.isoformat(), "ends_on": None}


def assign(db, assignment, actor):
    existing = store.assignment_of(db, assignment["cadre_id"], assignment["unit_id"])
    if existing and existing["starts_on"] == assignment["starts_on"].isoformat():
        # made already (a re-run import), perhaps ended or carried by a reorganisation since
        return existing
    document = eligible(db, assignment["cadre_id"], assignment["unit_id"],
                        assignment["starts_on"])
    document.update(_id=contracts.new_id(), actor=actor)
    return store.insert_assignment(db, document, actor)


def end(db, assignment, ends_on, reason, actor, already_ok=False):
    """End an assignment (one ``assignment_ended``); ending it again the same way is a no-op."""
    domain.check_end(assignment, ends_on)
    return store.end_assignment(db, assignment, ends_on, reason, actor, already_ok)


def end_by_id(db, assignment_id, ends_on, reason, actor):
    return end(db, store.find_assignment(db, assignment_id), ends_on, reason, actor)


def replace(db, assignment_id, replacement, actor):
    """End an assignment the day before ``starts_on`` and assign ``cadre_id`` to the same unit
    from then; both stay in the history."""
    old = store.find_assignment(db, assignment_id)
    document = eligible(db, replacement["cadre_id"], old["unit_id"], replacement["starts_on"])
    last_day = history.day_before(replacement["starts_on"])
    end(db, old, dt.date.fromisoformat(last_day), replacement["reason"], actor)
    document.update(_id=domain.assignment_id_for(old["_id"], replacement["cadre_id"]),
                    replaces=old["_id"], actor=actor)
    return store.insert_assignment(db, document, actor)
