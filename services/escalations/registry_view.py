"""What escalations keeps of the organisation tree: where each unit used to sit.

Concerns carry their unit's path as the visits service knows it, so routing needs no tree of
its own, except across reorganisations: rules stay attached to the area they were made for
(see ``routing``), so on ``unit_reorganised`` this view records, for every unit the operation
moved, the units it no longer sits under and how far above it they were (``former``). Applying
an event twice adds nothing (``$addToSet``). Example::

    former_of(db, "vp.bx.th.np")   # {"vp.bx": 2, "vp": 3} after Bình Xuyên was removed
"""
from logging import getLogger

from shared.consumer import subscribe

_log = getLogger(__name__)


def former_ancestors(unit):
    """``[{unit_id, distance}]`` of a reorganised unit: what its previous path held that its
    new one does not."""
    previous = unit.get("previous_path") or []
    return [{"unit_id": unit_id, "distance": len(previous) - 1 - index}
            for index, unit_id in enumerate(previous)
            if unit_id not in unit["path"]]


def former_of(db, unit_id):
    found = db.unit_routes.find_one({"_id": unit_id}) or {}
    former = {}
    for entry in found.get("former", []):
        former[entry["unit_id"]] = min(entry["distance"],
                                       former.get(entry["unit_id"], entry["distance"]))
    return former


class RegistryView:
    """Mixin of ``EscalationsService``: the ``unit_reorganised`` handler."""

    @subscribe("unit_reorganised")
    def follow_reorganisation(self, event):
        for unit in event.payload["units"]:
            if unit["ended"]:
                continue
            former = former_ancestors(unit)
            if former:
                self.db.unit_routes.update_one(
                    {"_id": unit["unit_id"]}, {"$addToSet": {"former": {"$each": former}}},
                    upsert=True)
        _log.info("reorganisation %s (%s): %d units followed", event.payload["operation_id"],
                  event.payload["kind"], len(event.payload["units"]))
