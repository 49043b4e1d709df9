"""Retention that anonymises (Law 91/2025/QH15; FixMyStreet's practice): who raised a concern is
kept only as long as it is needed.

``RETENTION_RAISER_DAYS`` (deploy/config.yml) after a visit's last activity (logged, amended,
a case event about one of its concerns), the sweep removes from the visit, and from each of its
older versions, the raisers' names and contacts and the text as the cadre typed it: each concern
keeps the summary as the authority got it, with the raiser's name, contact, telephones and
e-mails taken out (``shared.redaction``). The visit, its concerns' topics, the cases and every
statistic stay. A visit is found by an index on (``raisers_held``, ``last_activity_at``), never
a scan. Example::

    holds_raisers(visit["concerns"])            # True while a name or contact is kept
    sweep_raisers(db, clock.now(), dt.timedelta(days=730))      # {"anonymised": 3}
"""
from logging import getLogger

from services.visits import store
from shared import redaction

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
            "shared_summary": shared, "raiser_removed_at": now}


def anonymised_visit(visit, now):
    """The fields of ``visit`` to set: its concerns and its versions' concerns anonymised."""
    return {"concerns": [anonymised(c, now) for c in visit["concerns"]],
            "versions": [{**version, "concerns": [anonymised(c, now)
                                                  for c in version.get("concerns", ())]}
                         for version in visit.get("versions", ())],
            "raisers_held": False, "raisers_removed_at": now}


def sweep_raisers(db, now, kept_for):
    """Anonymise every visit whose last activity is older than ``kept_for``; how many."""
    done = 0
    for visit in store.visits_holding_raisers(db, now - kept_for, SWEEP_BATCH):
        if store.anonymise_visit(db, visit, anonymised_visit(visit, now)):
            done += 1
            _log.info("visit %s: raisers removed after %s days without activity",
                      visit["_id"], kept_for.days)
    return {"anonymised": done}
