"""The assignments service's own migrations (``shared.migrations``), after every service's;
append only: a store's schema version is how many of them it ran.

``restate_meeting_plans``: the coverage read model (imports) counts planned attendance from
``attendance_planned`` (issue 28), but plan entries made before that event existed told no one.
Each entry is told again (``restated``), through the outbox in the entry's own update, walked in
``_id`` order a batch at a time. Running it again tells them again, which imports keeps as the
same upsert (keyed by the plan entry). Example::

    AssignmentsService.db = Store(..., migrations=upkeep.MIGRATIONS)
"""
from services.assignments.planning import planned_fact
from services.assignments.store import meetings as meeting_store
from shared.migrations import Migration, walk

BATCH = 500


def restate_meeting_plans(db, batch=BATCH):
    """How many plan entries were told again."""
    def restate(entry):
        meeting_store.tell_plan_again(db, entry["_id"], planned_fact(entry, restated=True))
        return 1
    return walk(lambda last, size: meeting_store.plans_after(db, last, size), restate, batch,
                "meeting plan entries told again for the coverage read model")


MIGRATIONS = [Migration("restate_meeting_plans", restate_meeting_plans)]
