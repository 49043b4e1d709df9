"""The visits service's units follow reorganisations of the tree (``unit_reorganised``).

Each unit the operation changed takes its name, level, parent and path from the effective day;
a unit merged away or split up keeps its last state and records ``ended_on`` (its last day), so
visits already logged there stay where they were. Concerns raised from then carry the new path.
An event applied twice, or an older one arriving after a newer one, changes nothing: a unit is
only written by an operation effective on or after the one it last followed. Example::

    db.units.find_one({"_id": "vinh-phuc.binh-xuyen.tam-hop"})["ended_on"]   # "2025-06-30"
"""
import datetime as dt
from logging import getLogger

from shared.consumer import subscribe
from shared.storage import DuplicateKeyError

_log = getLogger(__name__)


class RegistryView:
    """Mixin of ``VisitsService``: the ``unit_reorganised`` handler."""

    @subscribe("unit_reorganised")
    def follow_reorganisation(self, event):
        operation = event.payload
        effective_on = operation["effective_on"].isoformat()
        last_day = (operation["effective_on"] - dt.timedelta(days=1)).isoformat()
        for unit in operation["units"]:
            fields = {"name": unit["name"], "level": unit["level"],
                      "parent_id": unit["parent_id"], "path": unit["path"],
                      "reorganised_on": effective_on,
                      "ended_on": last_day if unit["ended"] else None}
            try:
                self.db.units.update_one(
                    {"_id": unit["unit_id"], "$or": [{"reorganised_on": None},
                                                     {"reorganised_on": {"$lte": effective_on}}]},
                    {"$set": fields}, upsert=True)
            except DuplicateKeyError:  # it already follows a later operation
                _log.info("unit %s already follows a later reorganisation", unit["unit_id"])
