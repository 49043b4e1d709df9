"""Retention that anonymises, and requests from the people concerned (Law 91/2025/QH15;
FixMyStreet's practice): who raised a concern is kept only as long as it is needed.

``RETENTION_RAISER_DAYS`` (deploy/config.yml) after a visit's last activity (logged, amended,
a case event about one of its concerns), the sweep removes from the visit, and from each of its
older versions, the raisers' names and contacts and the text as the cadre typed it: each concern
keeps the summary as the authority got it, with the raiser's name, contact, telephones and
e-mails taken out (``shared.redaction``). The visit, its concerns' topics, the cases and every
statistic stay. A visit is found by an index on (``raisers_held``, ``last_activity_at``), never
a scan. Example::

    holds_raisers(visit["concerns"])            # True while a name or contact is kept
    sweep_raisers(db, clock.now(), dt.timedelta(days=730))      # {"anonymised": 3}
    answer_request(db, {"request_id": "r1", "kind": "deletion", "name": "Nguyễn Văn Hai"}, now)

A request (``data_subject_request_recorded``, recorded by an administrator in the monitor)
finds the person's concerns by name or contact (``rules.raiser_keys``, indexed) with the photos
and documents on them, and a cadre's visits and uploads by their id; a deletion anonymises the
concerns like the sweep and deletes their files (a photo may show the person). The sweep itself
keeps a concern's photos: they are what the concern reports (the road, the flood), stripped of
their metadata at upload, and the case still needs them. Each answer is stored
once per request with its ``data_subject_request_answered`` event; a summary the authority got
that changed goes out as ``concern_redacted``, so the cases, mails and the audit trail holding a
copy take the new text.
"""
from logging import getLogger

from services.visits import rules, store
from services.visits.store import attachments as attachment_store
from shared import contracts, event_log, redaction

_log = getLogger(__name__)

SWEEP_BATCH = 200


def holds_raisers(concerns):
    """Whether a concern keeps something personal beyond what the authority got."""
    return any(c.get("raised_by_name") or c.get("raised_by_contact") or c.get("redacted")
               for c in concerns)


def anonymised(concern, now):
    """The concern without who raised it: name, contact and the typed text gone."""
    if concern.get("raiser_removed_at"):
        return concern
    name, contact = concern.get("raised_by_name"), concern.get("raised_by_contact")
    shared = redaction.redact(concern.get("shared_summary", concern["summary"]), name,
                              contact).text
    return {**concern, "raised_by_name": None, "raised_by_contact": None, "summary": shared,
            "shared_summary": shared, "raiser_removed_at": now, "raiser_key": None,
            "raiser_contact_key": None}


def anonymised_visit(visit, now, concern_ids=None):
    """The fields of ``visit`` to set, and the ``concern_redacted`` events: its concerns (those
    of ``concern_ids``; None: all) anonymised, in its older versions too."""
    def change(concern):
        if concern_ids is None or concern["concern_id"] in concern_ids:
            return anonymised(concern, now)
        return concern
    concerns = [change(c) for c in visit["concerns"]]
    events = [contracts.CONCERN_REDACTED.new({"concern_id": after["concern_id"],
                                               "summary": after["shared_summary"]})
              for before, after in zip(visit["concerns"], concerns)
              if before.get("shared_summary", before["summary"]) != after.get(
                  "shared_summary", after["summary"])]
    return {"concerns": concerns,
            "versions": [{**version, "concerns": [change(c) for c in version.get("concerns", ())]}
                         for version in visit.get("versions", ())],
            "raisers_held": still_held(concerns), "raisers_removed_at": now}, events


def still_held(concerns):
    return holds_raisers(c for c in concerns if not c.get("raiser_removed_at"))


def sweep_raisers(db, now, kept_for):
    """Anonymise every visit whose last activity is older than ``kept_for``; how many."""
    done = 0
    for visit in store.visits_holding_raisers(db, now - kept_for, SWEEP_BATCH):
        if anonymise(db, visit, now):
            done += 1
            _log.info("visit %s: raisers removed after %s days without activity",
                      visit["_id"], kept_for.days)
    return {"anonymised": done}


def anonymise(db, visit, now, concern_ids=None):
    """The visit anonymised (see :func:`anonymised_visit`), and the brief's view of each concern
    whose text changed; False when the visit changed since it was read."""
    changes, events = anonymised_visit(visit, now, concern_ids)
    if not store.anonymise_visit(db, visit, changes, events):
        return False
    # the events visits published quoting the text as it was (concern_raised, visit_logged)
    texts = {}
    for before, after in zip(visit["concerns"], changes["concerns"]):
        for field in ("shared_summary", "summary"):
            old, new = before.get(field), after.get(field)
            if old and new is not None and old != new:
                texts[old] = new
    if texts:
        event_log.redact(db, lambda text: _replaced_all(text, texts))
    for event in events:
        store.redact_case_view(db, event["payload"]["concern_id"], event["payload"]["summary"])
    return True


def _replaced_all(text, texts):
    for old, new in texts.items():
        text = text.replace(old, new)
    return text


def answer_request(db, request, now, forget_files=None):
    """The person's concerns found (and, for a deletion, anonymised, and ``forget_files`` of
    their concern ids called: a photo may show them); answered once."""
    keys = rules.raiser_keys(request["name"], request.get("contact"))
    found = store.visits_of_raiser(db, keys["raiser_key"], keys["raiser_contact_key"])
    concern_ids = {c["concern_id"] for visit in found for c in visit["concerns"]
                   if matches(c, keys)}
    removed = request["kind"] == "deletion"
    # the photos and documents on them (read before a deletion takes them)
    attached = attachment_store.ids_of_concerns(db, concern_ids)
    if removed:
        for visit in found:
            if not anonymise(db, visit, now, concern_ids):
                raise RuntimeError(f"visit {visit['_id']} changed while answering; again")
        if forget_files is not None:
            forget_files(concern_ids)
    answer = contracts.VISITS_DATA_SUBJECT_REQUEST_ANSWERED.new({
        "request_id": request["request_id"], "removed": removed,
        "found": ([{"kind": "concern", "id": i} for i in sorted(concern_ids)]
                  + [{"kind": "attachment", "id": i} for i in attached]
                  + visits_logged_by(db, request.get("cadre_id"))
                  + files_uploaded_by(db, request.get("cadre_id")))[:contracts.MAX_FOUND]})
    store.record_answer_to_request(db, request["request_id"], sorted(concern_ids), answer)
    _log.info("request %s (%s): %d concern(s) found%s", request["request_id"],
              request["kind"], len(concern_ids), ", anonymised" if removed else "")


def files_uploaded_by(db, cadre_id):
    """The photos and documents a cadre uploaded (minutes, concerns' photos): the branch's
    records, kept like their visits by a deletion; named in the answer."""
    if not cadre_id:
        return []
    return [{"kind": "attachment", "id": attachment_id}
            for attachment_id in attachment_store.ids_uploaded_by(db, cadre_id,
                                                                  contracts.MAX_FOUND)]


def visits_logged_by(db, cadre_id):
    """A cadre's own visits (newest first, bounded), then the records of the contacts they
    logged with members' families (issue 29): they keep the cadre's id only, no name, so a
    deletion leaves them, and the branch's history, as they are."""
    if not cadre_id:
        return []
    page = store.page_of_cadre_visits(db, cadre_id, {"limit": contracts.MAX_FOUND})
    contacts = store.contact_records_of_cadre(db, cadre_id, contracts.MAX_FOUND)
    return ([{"kind": "visit", "id": visit["_id"]} for visit in page["items"]]
            + [{"kind": "contact_record", "id": record_id} for record_id in contacts]
            )[:contracts.MAX_FOUND]


def matches(concern, keys):
    return any(keys[k] and concern.get(k) == keys[k]
               for k in ("raiser_key", "raiser_contact_key"))
