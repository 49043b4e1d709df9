"""The visits service's own read model, kept from other services' events (no call on the write
path): units and their reorganisations, assignments and their ends, working groups, answers, and
the life of the cases its concerns became (the branch brief reads it). Plain functions, one per
event handled, called by the ``@subscribe`` entrypoints of ``service``.

Every reaction is safe to run twice and in any order against its siblings:

- an assignment's start and end are set by separate ``$set`` upserts, so ``assignment_ended``
  arriving before ``assignment_made`` loses nothing;
- a working group is replaced only by a newer event about it (``as_of``, the event's time);
- a case's view moves only forward in event time (``last_at``), and its answer only to a newer
  answer (``answered_at``), so a redelivered or late event changes nothing;
- a unit is only written by a reorganisation effective on or after the one it last followed:
  each unit the operation changed takes its name, level, parent and path from the effective
  day; a unit merged away or split up keeps its last state and records ``ended_on`` (its last
  day), so visits already logged there stay where they were. Example::

    follow_reorganisation(db, event)
    store.find_unit(db, "vinh-phuc.binh-xuyen.tam-hop")["ended_on"]   # "2025-06-30"
"""
import datetime as dt
from logging import getLogger

from services.visits import branch, raiser_mail, redacting, store
from services.visits.store import case_views
from shared import contracts

_log = getLogger(__name__)


def record_assignment(db, event):
    """``assignment_made``."""
    assignment = event.payload
    store.record_assignment(db, assignment["assignment_id"], assignment["cadre_id"],
                            assignment["unit_id"], assignment["starts_on"].isoformat())


def record_unit(db, event):
    """``unit_registered``."""
    unit = event.payload
    store.record_unit(db, unit["unit_id"], {
        "name": unit["name"], "level": unit["level"], "parent_id": unit["parent_id"],
        "path": unit["path"]})


def record_registry(db, event):
    """The ``registry`` subscription: an assignment ended, or a working group formed or
    changed."""
    if event.event_type.name == "assignment_ended":
        end_assignment(db, event)
    else:
        record_working_group(db, event)


def end_assignment(db, event):
    """``assignment_ended``."""
    ended = event.payload
    store.end_assignment(db, ended["assignment_id"], ended["cadre_id"], ended["unit_id"],
                         ended["ends_on"].isoformat(), ended["reason"])


def record_working_group(db, event):
    """``working_group_formed`` / ``working_group_changed``."""
    group = event.payload
    document = {
        "name": group["name"], "formed_by_unit_id": group["formed_by_unit_id"],
        "member_cadre_ids": group["member_cadre_ids"], "unit_ids": group["unit_ids"],
        # a dotted path, so "whose groups" is answered from a multikey index
        "members": [{"cadre_id": cadre} for cadre in group["member_cadre_ids"]],
        "starts_on": group["starts_on"].isoformat(),
        "ends_on": group["ends_on"] and group["ends_on"].isoformat(),
    }
    if not store.record_working_group(db, group["working_group_id"], document,
                                      event.occurred_at):
        _log.info("working group %s already stands as a newer event says",
                  group["working_group_id"])


def follow_reorganisation(db, event):
    """``unit_reorganised``."""
    operation = event.payload
    effective_on = operation["effective_on"].isoformat()
    last_day = (operation["effective_on"] - dt.timedelta(days=1)).isoformat()
    for unit in operation["units"]:
        fields = {"name": unit["name"], "level": unit["level"],
                  "parent_id": unit["parent_id"], "path": unit["path"],
                  "reorganised_on": effective_on,
                  "ended_on": last_day if unit["ended"] else None}
        if not store.follow_reorganisation(db, unit["unit_id"], fields, effective_on):
            _log.info("unit %s already follows a later reorganisation", unit["unit_id"])


def answer_record(answered):
    """How the answer settled the matter, who answered by which letter (None on events from
    before issue 25): every field, so a later answer replaces all of an earlier one's."""
    return {name: answered.get(name) for name in contracts.ANSWER_RECORD_FIELDS}


def record_answer(db, event):
    """``case_answered``: the answer to the concern, for the cadre's own visits."""
    answered = event.payload
    answer = {"case_id": answered["case_id"], "authority_id": answered["authority_id"],
              "answer": answered["answer"], "answered_at": answered["answered_at"],
              **answer_record(answered)}
    # every branch that raised it gets the answer (issue 25)
    for concern_id in [answered["concern_id"], *store.concerns_following(
            db, answered["case_id"], answered["concern_id"])]:
        if not store.record_answer(db, concern_id, answer):
            _log.info("concern %s already has this or a newer answer", concern_id)


def record_case_event(db, event):
    """The ``case_life`` subscription: the concern's case as the branch brief shows it; an
    officer's redaction by hand taken into the concern (``redacting``)."""
    if event.event_type.name == "case_summary_redacted":
        redacting.take_authority_redaction(db, event)
        return
    # the case's own concern and every other branch's attached to it (issue 25) follow it
    for concern_id in [event.payload["concern_id"], *store.concerns_following(
            db, event.payload["case_id"], event.payload["concern_id"])]:
        _follow_case(db, event, {**event.payload, "concern_id": concern_id})


def _follow_case(db, event, payload):
    concern_id = payload["concern_id"]
    # the view logging made names the visit: no read of the whole visit, no upsert per concern
    visit_id = case_views.visit_id_of_view(db, concern_id)
    if visit_id is None:  # no view yet: made here from the visit, its other concerns' too
        visit = store.visit_of_concern(db, concern_id)
        if visit is None:
            _log.warning("case %s is about concern %s, which visits does not know",
                         payload["case_id"], concern_id)
            return
        store.ensure_concern_views(db, visit)
        visit_id = visit["_id"]
    changes = branch.case_changes(event.event_type.name, payload)
    # the store keeps milliseconds: compare at that precision, so an event is applied only
    # over an older one, never over one of the same millisecond it cannot order against
    at = event.occurred_at.replace(microsecond=event.occurred_at.microsecond // 1000 * 1000)
    store.change_case_view(db, concern_id, changes, at)
    store.touch_visit(db, visit_id, at)  # the raisers are kept from here on
    raiser_mail.follow_case(db, event.event_type.name, payload, at)
    if event.event_type.name == "case_answered":
        store.answer_to_read_out(db, concern_id, payload["answer"], payload["answered_at"],
                                 answer_record(payload))
    elif event.event_type.name in ("case_reopened", "case_withdrawn"):
        # the answer no longer stands (reopened), or nothing is left to read out
        store.nothing_to_read_out(db, concern_id, at)
