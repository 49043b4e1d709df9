"""Concerns raised at a committee member's contact with a Party member or their family (issue
29, docs/members.md): they enter the same case life as a meeting's.

The members service logs the contact (it alone knows the member) and asks visits, which owns
concerns, to record them: a *contact record* in the ``visits`` collection (``record_kind``
"contact": the branch, the day, the kind of contact, the cadre and the concerns, never the
member), so receipt codes, the raiser's protection and redaction, the branch brief's read
model, retention and a person's requests treat its concerns as any other. It is no meeting:
no ``visit_logged``, no attendance line, and the reads of meetings leave it out
(``store.MEETINGS_ONLY``), so it counts in no coverage, plan, report or attendance.

The record is keyed as a visit is, by the cadre and the contact's ``submission_id``: the members
service resending after a crash finds it (``replayed``), nothing doubled. Example::

    record, replayed = record_contact(db, clock, {"submission_id": "c-1", "unit_id": "np",
                                      "contacted_on": dt.date(2026, 12, 5),
                                      "kind": "family_visit", "cadre_id": "hoa",
                                      "user_id": "u-hoa", "concerns": [...]})
"""
from logging import getLogger

from services.visits import joins, logbook, raiser_mail, retention, rules, store
from shared import contracts
from shared.errors import Conflict, NotFound

_log = getLogger(__name__)
CONTACT = "contact"


def record_contact(db, clock, given, dumped):
    """``given``: the loaded ``RecordContact``; ``dumped``: the same, dumped. The stored record
    and whether it was stored before."""
    unit = store.find_unit(db, given["unit_id"])
    if unit is None:
        raise NotFound("unit not found", {"unit_id": [given["unit_id"]]})
    logbook.check_localities(db, given["concerns"], "concerns")
    joins.check_joins(db, given["concerns"], unit["path"], "concerns")
    concerns = [rules.as_raised({**concern, "attachments": []}, contracts.new_id(), 1)
                for concern in dumped["concerns"]]
    codes = logbook.with_receipt_codes(db, concerns)
    addresses = raiser_mail.take_addresses(concerns, clock.now())
    document = {
        "_id": contracts.new_id(), "record_kind": CONTACT, "contact_kind": given["kind"],
        "submission_id": given["submission_id"], "cadre_id": given["cadre_id"],
        "unit_id": unit["_id"], "unit_name": unit["name"], "unit_path": unit["path"],
        # the day the concerns were raised, under the name every concern read takes it by
        "meeting_date": dumped["contacted_on"], "concerns": concerns,
        "logged_at": clock.now(), "logged_by": given["user_id"],
        "fingerprint": logbook.fingerprint(dumped), "version": 1,
        "attended_cadre_ids": [given["cadre_id"]], "attachments": [], "answer_reviews": [],
        "raisers_held": retention.holds_raisers(concerns), "last_activity_at": clock.now(),
    }
    events = logbook.raised_events(concerns, document, given["user_id"])
    if not store.insert_visit(db, document, events):
        store.release_receipt_codes(db, codes)
        stored = store.visit_of_submission(db, given["cadre_id"], given["submission_id"])
        if stored is None or stored["fingerprint"] != document["fingerprint"]:
            raise Conflict("submission_id was already used for something else",
                           {"submission_id": [given["submission_id"]]})
        store.ensure_concern_views(db, stored)  # lost with a crash right after the insert
        raiser_mail.keep(db, stored["concerns"], addresses)
        return stored, True
    store.ensure_concern_views(db, document)
    raiser_mail.keep(db, concerns, addresses)
    _log.info("contact record %s at %s with %d concern(s)", document["_id"], unit["_id"],
              len(concerns))
    return document, False


def recorded(document, replayed):
    """The answer to the members service: the record and its concerns."""
    return {"contact_id": document["_id"], "replayed": replayed,
            "concerns": [{"concern_id": c["concern_id"], "topic": c["topic"],
                          "receipt_code": c.get("receipt_code")}
                         for c in document["concerns"]]}


def is_contact(document):
    return document.get("record_kind") == CONTACT
