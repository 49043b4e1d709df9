"""The visits service's own migrations (``shared.migrations``), after every service's.

``give_receipt_codes``: concerns raised before receipt codes (issue 30) had none, so nobody could
follow them on the public page, and their mails carried none. Each gets one, unique as any
(``store.reserve_receipt_code``), with a ``receipt_codes_given`` event per visit so that the
concerns' cases carry them too (escalations). Walked in ``_id`` order; a concern that has a
code keeps it, so a re-run gives none twice. A run cut between reserving a code and writing the
visit leaves that code reserved and unused: harmless, the next run reserves another.

``mark_raisers_held``: visits stored before issue 26 carry no ``raisers_held``, so the
retention sweep (``services.visits.retention``), which finds visits by it, never saw them. Their
summaries went to the authority as typed and were never checked for names or telephones, so each
is marked as holding raisers, idle since it was last logged or amended: the sweep anonymises it
``RETENTION_RAISER_DAYS`` after that, like any other. Walked in ``_id`` order a batch at a time;
idempotent (a marked visit is left as it is). Example::

    VisitsService.db = Store(..., migrations=upkeep.MIGRATIONS)
"""
from services.visits import store
from shared import contracts, receipts
from shared.migrations import Migration, walk

BATCH = 500


def mark_raisers_held(db, batch=BATCH):
    """How many visits were marked."""
    def mark(visit):
        store.set_raisers_held(db, visit["_id"], visit.get("amended_at") or visit["logged_at"])
        return 1
    return walk(lambda last, size: store.visits_without_raisers_held(db, last, size), mark,
                batch, "visits from before retention marked as holding raisers")


def give_receipt_codes(db, batch=BATCH, new_code=receipts.new_code):
    """How many concerns were given a code."""
    def give(visit):
        codes, concerns = {}, []
        for concern in visit["concerns"]:
            if not concern.get("receipt_code"):
                code = store.reserve_receipt_code(db, concern["concern_id"], new_code)
                concern = {**concern, "receipt_code": code}
                codes[concern["concern_id"]] = code
            concerns.append(concern)
        return len(codes) if codes and store.set_receipt_codes(db, visit, concerns, [
            contracts.RECEIPT_CODES_GIVEN.new({
                "visit_id": visit["_id"], "unit_id": visit["unit_id"],
                "codes": [{"concern_id": concern_id, "receipt_code": code}
                          for concern_id, code in codes.items()]})]) else 0
    return walk(lambda last, size: store.visits_after(db, last, size), give, batch,
                "concerns from before receipt codes given theirs")


# append only: a store's schema version is how many of these it ran
MIGRATIONS = [Migration("mark_raisers_held", mark_raisers_held),
              Migration("give_receipt_codes", give_receipt_codes)]
