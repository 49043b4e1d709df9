"""Registering records, one at a time or many in one call: the same checks and the same writes
either way, so a bulk call is only cheaper, never different.

The promise of :func:`register_many`: each item is registered (or refused) exactly as its own
``register_*`` RPC would, in order; a refusal answers in that item's place and stops nothing
after it; every registration stays idempotent, so an import that repeats a chunk after a crash
changes nothing the second time. On the embedded store the writes of one call are one
transaction (a refusal undoes only its own item's writes, if any). Example::

    register_many(db, "units", [unit, unit2], principal)
    # [{"registered": {...unit...}}, {"refused": {"error": "NOT_FOUND", "message": ...}}]
"""
from services.assignments import assigning, cadres, groups, history, store, tree
from shared.authorisation import actor_of
from shared.contracts.rpc import registry as schemas
from shared.errors import SausatError, load_payload


def register_unit(db, unit, principal):
    schema = schemas.RegisterUnit()
    unit = load_payload(schema, unit, "unit")
    dumped = schema.dump(unit)
    registered = {key: dumped.get(key) for key in tree.REGISTERED_FIELDS}
    stored = tree.register(db, unit, actor_of(principal), registered)
    return schemas.Unit().dump(history.latest_state(stored))


def register_cadre(db, cadre, principal):
    schema = schemas.RegisterCadre()
    cadre = schema.dump(load_payload(schema, cadre, "cadre"))
    return schemas.Cadre().dump(cadres.register(db, cadre, actor_of(principal)))


def assign_cadre(db, assignment, principal):
    assignment = load_payload(schemas.AssignCadre(), assignment, "assignment")
    return schemas.Assignment().dump(assigning.assign(db, assignment, actor_of(principal)))


def form_working_group(db, group, principal):
    schema = schemas.FormWorkingGroup()
    group = load_payload(schema, group, "working group")
    return schemas.WorkingGroup().dump(
        groups.form(db, group, schema.dump(group), actor_of(principal)))


# what ``register_many`` registers, by the imports' kind of sheet (schemas.BULK_KINDS)
REGISTRATIONS = {"units": register_unit, "cadres": register_cadre,
                 "assignments": assign_cadre, "working_groups": form_working_group}


def register_many(db, kind, items, principal):
    """Each item's registration or its refusal, in order (see the module's promise)."""
    register = REGISTRATIONS[kind]
    results = []
    with store.registering_together(db):
        for item in items:
            try:
                results.append({"registered": register(db, item, principal)})
            except SausatError as refusal:
                # with its reasons' codes, which the import report words (shared/reasons.py)
                results.append({"refused": {**refusal.to_body(), "reasons": refusal.reasons}})
    return results
