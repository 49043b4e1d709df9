"""What escalations keeps of the organisation tree: where each unit used to sit.

Concerns carry their unit's path as the visits service knows it, so routing needs no tree of
its own, except across reorganisations: rules stay attached to the area they were made for
(see ``routing``), so on ``unit_reorganised`` (``reactions.follow_reorganisation``) the store
records, for every unit the operation moved, the units it no longer sits under and how far
above it they were (``former``). Applying an event twice adds nothing (``$addToSet``).
Example::

    former_ancestors({"unit_id": "vp.bx.th.np", "path": ["vp", "vp.bx.th", "vp.bx.th.np"],
                      "previous_path": ["vp", "vp.bx", "vp.bx.th", "vp.bx.th.np"]})
    # [{"unit_id": "vp.bx", "distance": 2}]: Bình Xuyên was removed
    store.former_of(db, "vp.bx.th.np")   # {"vp.bx": 2} once it is remembered
"""


def former_ancestors(unit):
    """``[{unit_id, distance}]`` of a reorganised unit: what its previous path held that its
    new one does not."""
    previous = unit.get("previous_path") or []
    return [{"unit_id": unit_id, "distance": len(previous) - 1 - index}
            for index, unit_id in enumerate(previous)
            if unit_id not in unit["path"]]
