"""The escalations service's own migrations (``shared.migrations``), after every service's;
append only: a store's schema version is how many of them it ran.

- ``retire_duplicate_routing_rules`` (``registry_upkeep``);
- ``index_case_words``: cases stored before the inbox's text search (issue 24) carry no
  ``search``, so no officer's search found them; each gets the words of its summary
  (``cases.summary_search``), walked in ``_id`` order a batch at a time; idempotent;
- ``give_cases_their_commune``: cases from before similar open cases (issue 25) get the
  commune they were raised in (``commune_id``), so the visit form lists them.

The officers of authorities (``officers``) and the receipt codes of older concerns are backfilled
by accounts' and visits' own migrations, as events this service learns from.
Example::

    EscalationsService.db = Store(..., migrations=upkeep.MIGRATIONS)
"""
from services.escalations import cases, registry_upkeep, store
from shared import similar_cases
from shared.migrations import Migration, walk

BATCH = 500


def index_case_words(db, batch=BATCH):
    """How many cases were given their search words."""
    def index(case):
        store.set_case_search(db, case["_id"], cases.summary_search(case.get("summary") or ""))
        return 1
    return walk(lambda last, size: store.cases_without_search(db, last, size), index, batch,
                "cases from before the inbox's search given their words")


def give_cases_their_commune(db, batch=BATCH):
    """Cases stored before similar open cases (issue 25) carry no ``commune_id``, so the visit
    form would not list them: each gets the commune of the branch that raised it."""
    def give(case):
        store.set_case_commune(db, case["_id"],
                               similar_cases.commune_of(case.get("unit_path") or []))
        return 1
    return walk(lambda last, size: store.cases_without_commune(db, last, size), give, batch,
                "cases from before similar cases given their commune")


MIGRATIONS = [
    Migration("retire_duplicate_routing_rules", registry_upkeep.resolve_duplicate_rules),
    Migration("index_case_words", index_case_words),
    Migration("give_cases_their_commune", give_cases_their_commune),
]
