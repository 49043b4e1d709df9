"""An import's rows applied to the roll: planned against the members held and the registry's
organisation codes (``roll.plan``), then each planned change written. A window re-run after a
crash plans against what the first run wrote, so it writes nothing twice. Example::

    import_rows(db, rows, units_by_code, dt.date(2026, 12, 7))
    # [{"outcome": "joined", "member_code": "00123", "unit_id": "vp.bx.th.np"}, ...]
"""
from services.members import roll, store


def import_rows(db, rows, units_by_code, today):
    """The row report: one outcome per row, in order."""
    held = store.members_coded(db, {row["member_code"] for row in rows})
    outcomes = roll.plan(rows, units_by_code, held, today)
    for outcome in outcomes:
        if outcome.member is not None:
            store.write_member(db, outcome.member)
    return [outcome.to_dict() for outcome in outcomes]
