"""Logging and amending a visit: the write path, plain functions of the store.

:func:`log_visit` stores the visit, its concerns and their events (``visit_logged``, one
``concern_raised`` each, one ``answer_reviewed`` per answer read out) in one insert; a
resubmission with the same ``submission_id`` returns the stored visit instead of a second one
(a unique index, so even three identical requests at the same moment make one visit). Who may
log where is decided from the service's own read model by ``rules``. A working group's visit is
logged once for the group (:func:`group_visit_id`), so a second member's log of the same meeting
is a 409.

:func:`amend_visit` makes a new version within the window (``amendments``), keeping the previous
one, with one update conditional on the version read. Example::

    visit, replayed = log_visit(db, clock, loaded, dumped, principal)
    visit, replayed = amend_visit(db, clock, window, visit_id, dumped, principal)
"""
import datetime as dt
import hashlib
import json
from logging import getLogger

from services.visits import amendments, attachments, joins, raiser_mail, retention, rules, store
from shared import contracts, receipts
from shared.authorisation import actor_of
from shared.errors import Conflict, NotFound, RuleViolated
from shared.storage import writes_together

_log = getLogger(__name__)

AMEND_RETRIES = 3


def fingerprint(dumped_request):
    return hashlib.sha256(json.dumps(dumped_request, sort_keys=True).encode()).hexdigest()


def group_visit_id(working_group_id, unit_id, meeting_date):
    """One visit per working group, branch and meeting: the id says which."""
    key = f"{working_group_id}|{unit_id}|{meeting_date}".encode()
    return "wg" + hashlib.sha256(key).hexdigest()[:30]


def check_localities(db, concerns, field):
    """Each concern's ``locality_unit_id``, when given, must be a unit visits knows."""
    for i, concern in enumerate(concerns):
        locality = concern.get("locality_unit_id")
        if locality and store.find_unit(db, locality) is None:
            raise NotFound("unit not found", {f"{field}.{i}.locality_unit_id": [locality]})


def reviews(db, answer_reviews, unit_id):
    """Each reviewed case must be one of this branch's with an answer that came back."""
    found = []
    for i, review in enumerate(answer_reviews):
        view = store.find_case_view(db, review["case_id"], unit_id)
        if view is None or not view.get("answer"):
            raise RuleViolated("only an answer that came back to this branch is reviewed",
                               {f"answer_reviews.{i}.case_id": [
                                   "no answered case of this branch"]})
        found.append({**review, "concern_id": view["_id"]})
    return found


# --- logging a visit -------------------------------------------------------------------------

def log_visit(db, clock, visit, dumped, principal, limits=attachments.AttachmentLimits()):
    """``visit``: the loaded ``LogVisit``; ``dumped``: the same, dumped. Returns the stored
    visit and whether it was stored before (a replay). Attachments it lists that cannot be
    taken are left out and named in ``attachments_refused``: the visit is logged."""
    unit = store.find_unit(db, visit["unit_id"])
    if unit is None:
        raise NotFound("unit not found", {"unit_id": [visit["unit_id"]]})
    cadre_id = principal.cadre_id
    groups = store.groups_of(db, cadre_id)
    basis = rules.check_may_log_at(store.assignments_of(db, cadre_id, unit["_id"]), unit["_id"],
                                   visit["meeting_date"], groups, visit["working_group_id"],
                                   visit["unscheduled"])
    group = next((g for g in groups if g["_id"] == visit["working_group_id"]), None)
    attended = rules.who_attended(group, cadre_id, visit["attended_cadre_ids"])
    check_localities(db, visit["concerns"], "concerns")
    joins.check_joins(db, visit["concerns"], unit["path"], "concerns")
    reviewed = reviews(db, dumped["answer_reviews"], unit["_id"])
    visit_id = contracts.new_id()
    if group is not None:
        visit_id = group_visit_id(group["_id"], unit["_id"], dumped["meeting_date"])
    minutes, per_concern, refused = attachments.resolve(db, limits, cadre_id, dumped)
    concerns = [rules.as_raised({**concern, "attachments": refs}, contracts.new_id(), 1)
                for concern, refs in zip(dumped["concerns"], per_concern)]
    # one commit for the visit and all it writes beside it (issue 27: each commit its pages)
    with writes_together(db):
        codes = with_receipt_codes(db, concerns)
        addresses = raiser_mail.take_addresses(concerns, clock.now())
        document = {
            "_id": visit_id, **dumped, "cadre_id": cadre_id, "concerns": concerns,
            "unit_name": unit["name"], "unit_path": unit["path"],
            "logged_at": clock.now(), "logged_by": principal.user_id,
            "fingerprint": fingerprint(dumped), "version": 1, "basis": basis,
            "attended_cadre_ids": attended,
            "unscheduled_flag": basis == rules.UNSCHEDULED,
            "answer_reviews": reviewed,
            # until the retention sweep removes them (services.visits.retention)
            "raisers_held": retention.holds_raisers(concerns), "last_activity_at": clock.now(),
            "attachments": minutes, "attachments_refused": refused,
        }
        events = logged_events(document, visit, unit, actor_of(principal))
        attachments.attach(db, visit_id, minutes, concerns)  # before the visit names them
        if not store.insert_visit(db, document, events):
            store.release_receipt_codes(db, codes)
            stored = replayed(db, cadre_id, visit["submission_id"], document)
            raiser_mail.keep(db, stored["concerns"], addresses)  # lost with a crash before
            return stored, True
        after_logging(db, document)
        raiser_mail.keep(db, concerns, addresses)
    _log.info("visit %s logged at %s with %d concerns (%s)", visit_id, unit["_id"],
              len(concerns), basis)
    return document, False


def logged_events(document, visit, unit, actor):
    concerns = document["concerns"]
    return [contracts.VISIT_LOGGED.new({
        "visit_id": document["_id"], "unit_id": unit["_id"],
        "cadre_id": document["cadre_id"], "meeting_date": visit["meeting_date"],
        "meeting_kind": visit["meeting_kind"],
        "concern_ids": [c["concern_id"] for c in concerns],
        "working_group_id": document["working_group_id"],
        "attended_cadre_ids": document["attended_cadre_ids"],
        "unscheduled": document["unscheduled_flag"],
        "attendance": visit["attendance"], "assessment": visit["assessment"],
    }, actor=actor)] + raised_events(concerns, document, actor) + [
        contracts.ANSWER_REVIEWED.new({
            **review, "visit_id": document["_id"], "unit_id": unit["_id"],
            "reviewed_on": visit["meeting_date"]}, actor=actor)
        for review in document["answer_reviews"]] + [
        event for event in [attachments.attached_event(document, actor)] if event]


def with_receipt_codes(db, concerns, new_code=receipts.new_code):
    """Each new concern's receipt code, unique across all (``store.reserve_receipt_code``);
    the codes reserved."""
    for concern in concerns:
        concern["receipt_code"] = store.reserve_receipt_code(db, concern["concern_id"],
                                                             new_code)
    return [concern["receipt_code"] for concern in concerns]


def raised_events(concerns, document, actor):
    # the event's schema carries no personal data: name and contact stay in the visit, and a
    # withheld raiser's are out of the summary it carries
    return [contracts.CONCERN_RAISED.new({
        "concern_id": c["concern_id"], "visit_id": document["_id"],
        "cadre_id": document["cadre_id"],  # its carrier: notifications needs no visit_logged
        "unit_id": document["unit_id"], "unit_path": document["unit_path"],
        "topic": c["topic"], "summary": c["shared_summary"], "raised_by": c["raised_by"],
        "raiser_withheld": c["withhold_raiser"], "confidential": c["confidential"],
        "urgency": c["urgency"], "locality_unit_id": c.get("locality_unit_id"),
        "receipt_code": c.get("receipt_code"), "joins_case_id": c.get("joins_case_id"),
        "contact_kind": document.get("contact_kind"),  # None: at a meeting
        "raised_on": dt.date.fromisoformat(document["meeting_date"])}, actor=actor)
        for c in concerns]


def after_logging(db, document):
    """The brief's view (the new concerns as raised, the reviewed answers read out) and the
    attendance lines of the cadres' histories. Done before the reply and repeated on a
    replay: a crash right after the insert leaves the phone without a reply, and its retry
    writes them."""
    store.ensure_concern_views(db, document)
    store.record_attendance(db, document)
    for review in document.get("answer_reviews", ()):
        store.mark_read_out(db, review["concern_id"], document["_id"])


def replayed(db, cadre_id, submission_id, document):
    """The visit stored by the same submission, or Conflict: the group's meeting logged by
    another member, or the submission id used for a different visit."""
    stored = store.visit_of_submission(db, cadre_id, submission_id)
    if stored is None:  # the group's visit to this meeting, logged by another member
        raise Conflict("this working group's visit to this meeting is already logged",
                       {"working_group_id": [f"logged as visit {document['_id']} by "
                                             f"{store.author_of(db, document['_id'])}"]})
    if stored["fingerprint"] != document["fingerprint"]:
        raise Conflict("submission_id was already used for a different visit",
                       {"submission_id": [submission_id]})
    after_logging(db, stored)
    return stored


# --- amending it -----------------------------------------------------------------------------

def amend_visit(db, clock, window, visit_id, dumped, principal,
                limits=attachments.AttachmentLimits()):
    """A new version of the author's own visit, within ``window``; concerns already raised are
    kept or withdrawn, new ones raised. Once per amendment ``submission_id``. Returns the
    visit as it stands (without versions) and whether the amendment was made before."""
    mark = fingerprint(dumped)
    for _ in range(AMEND_RETRIES):
        visit = store.find_visit(db, visit_id, with_versions=True)
        if visit is None or visit["cadre_id"] != principal.cadre_id or visit.get("record_kind"):
            raise NotFound("visit not found", {"visit_id": [str(visit_id)]})  # or a contact's
        replay = amendment_replayed(visit, dumped["submission_id"], mark)
        if replay is not None:
            return replay, True
        amended = amend(db, clock, window, visit, dumped, mark, principal, limits)
        if amended is not None:
            return amended, False
    raise Conflict("the visit kept changing while amending it; try again",
                   {"visit_id": [visit_id]})


def amendment_replayed(visit, submission_id, mark):
    for version in [visit, *visit.get("versions", ())]:
        if version.get("amendment_submission_id") == submission_id:
            if version.get("amendment_fingerprint") != mark:
                raise Conflict("submission_id was already used for a different amendment",
                               {"submission_id": [submission_id]})
            return {k: v for k, v in visit.items() if k != "versions"}
    return None


def amend(db, clock, window, visit, dumped, mark, principal, limits):
    """The amended visit, or None when it changed since it was read (read it again)."""
    added = [c for c in dumped["concerns"] if "concern_id" not in c]
    check_localities(db, added, "concerns")
    joins.check_joins(db, added, visit["unit_path"], "concerns")
    plan = amendments.plan_amendment(visit, dumped, clock.now(), window, contracts.new_id)
    # a new concern's files (a kept concern is kept as it was, files and all)
    _, per_concern, refused = attachments.resolve(db, limits, visit["cadre_id"],
                                                  {"concerns": dumped["concerns"]})
    new_refs = [refs for item, refs in zip(dumped["concerns"], per_concern)
                if "concern_id" not in item]
    for concern, refs in zip(plan.added, new_refs):
        concern["attachments"] = refs
    codes = with_receipt_codes(db, plan.added)
    addresses = raiser_mail.take_addresses(plan.added, plan.changes["amended_at"])
    changes = {**plan.changes, "amendment_fingerprint": mark,
               "raisers_held": retention.holds_raisers(plan.changes["concerns"]),
               "last_activity_at": plan.changes["amended_at"], "attachments_refused": refused}
    if "attended_cadre_ids" in dumped:
        group = None
        if visit.get("working_group_id"):
            group = store.find_working_group(db, visit["working_group_id"])
            group = group or {"_id": visit["working_group_id"], "member_cadre_ids": []}
        attended = rules.who_attended(group, visit["cadre_id"], dumped["attended_cadre_ids"])
        changes["attended_cadre_ids"] = attended
    after = {**visit, **changes}
    actor = actor_of(principal)
    events = [contracts.VISIT_AMENDED.new({
        "visit_id": visit["_id"], "unit_id": visit["unit_id"], "cadre_id": visit["cadre_id"],
        "version": changes["version"],
        "meeting_date": dt.date.fromisoformat(visit["meeting_date"]),
        "added_concern_ids": [c["concern_id"] for c in plan.added],
        "withdrawn_concern_ids": [c["concern_id"] for c, _ in plan.withdrawn],
        "attended_cadre_ids": after.get("attended_cadre_ids") or [visit["cadre_id"]],
        "meeting_kind": after["meeting_kind"], "attendance": after["attendance"],
        "assessment": after["assessment"],
    }, actor=actor)] + raised_events(plan.added, visit, actor) + [
        contracts.CONCERN_WITHDRAWN.new({
            "concern_id": concern["concern_id"], "visit_id": visit["_id"],
            "unit_id": visit["unit_id"], "reason": reason,
            "withdrawn_at": concern["withdrawn_at"]}, actor=actor)
        for concern, reason in plan.withdrawn] + [
        event for event in [attachments.attached_event(
            {**visit, "attachments": (), "concerns": plan.added}, actor)] if event]
    attachments.attach(db, visit["_id"], (), plan.added)  # before the visit names them
    if not store.commit_amendment(db, visit, changes, plan.snapshot, events):
        store.release_receipt_codes(db, codes)
        return None  # amended meanwhile (a retry racing itself): read it again
    raiser_mail.keep(db, plan.added, addresses)
    store.ensure_concern_views(db, after)
    store.record_attendance(db, after)
    _log.info("visit %s amended to version %d: %d concern(s) added, %d withdrawn",
              visit["_id"], changes["version"], len(plan.added), len(plan.withdrawn))
    return {k: v for k, v in after.items() if k not in ("versions", "outbox")}
