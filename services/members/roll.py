"""The branch roll: what an import's rows do to the members held, decided before anything is
written, and who is a member of a branch on a day.

The promise: a row is applied only when the whole of it makes sense against the roll and the
registry's organisation codes; otherwise it is refused with its reason and changes nothing.
Re-importing the same sheet changes nothing (``unchanged``); a member under another
organisation's code moves (``moved``: their membership of the old branch ends the day before);
a member who left or died ends their membership with the day and reason, kept, never deleted
(``ended``). A member named twice in one import (two branches at once, or the same twice) is
refused on every row naming them. Example::

    plan([{"member_code": "00123", "organisation_code": "01.003", "full_name": "An",
           "status": "active", ...}], {"01.003": "vp.bx.th.np"}, {}, dt.date(2026, 12, 7))
    # [Outcome("joined", "00123", "vp.bx.th.np", member={...})]
"""
import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from shared.reasons import reason, reasons_of

ONE_DAY = dt.timedelta(days=1)


@dataclass
class Outcome:
    outcome: str                 # joined, moved, ended, renamed, unchanged, refused
    member_code: str
    unit_id: str = None
    member: dict = None          # the member as it is to be stored (None: nothing to write)
    refusal: dict = field(default_factory=dict)   # {field: [Reason]} when refused

    def to_dict(self):
        done = {"outcome": self.outcome, "member_code": self.member_code,
                "unit_id": self.unit_id}
        if self.refusal:  # as an error body, which an import job reports against its row
            done["refused"] = {"error": "RULE_VIOLATED", "message": "row refused",
                               "fields": {k: [str(m) for m in v]
                                          for k, v in self.refusal.items()},
                               "reasons": reasons_of(self.refusal)}
        else:
            done["registered"] = {"member_code": self.member_code, "unit_id": self.unit_id,
                                  "outcome": self.outcome}
        return done


def member_on(member, unit_id, day):
    """Whether ``member`` belonged to ``unit_id`` on ``day`` (ISO; their stints, ends
    included). The roll keeps days as ISO text, as the store does."""
    return any(stint["unit_id"] == unit_id and stint["since"] <= day
               and (stint["until"] is None or day <= stint["until"])
               for stint in member.get("history") or ())


def members_on(members, unit_id, day):
    return [member for member in members if member_on(member, unit_id, day)]


def plan(rows, units_by_code, current, today):
    """An :class:`Outcome` per row, in order. ``units_by_code``: the registry's
    ``{organisation_code: unit_id}``; ``current``: ``{member_code: member}`` as stored."""
    rows = [_iso_days(row) for row in rows]
    today = today.isoformat()
    counts = Counter(row["member_code"] for row in rows)
    outcomes = []
    for row in rows:
        code = row["member_code"]
        if counts[code] > 1:
            branches = {r["organisation_code"] for r in rows if r["member_code"] == code}
            words = ("in two branches at once" if len(branches) > 1
                     else "named twice in one import")
            outcomes.append(_refused(code, "member_code", reason(
                "member_twice", f"member {code} is {words}", member_code=code,
                organisation_codes=", ".join(sorted(branches)))))
            continue
        unit_id = units_by_code.get(row["organisation_code"])
        if unit_id is None:
            outcomes.append(_refused(code, "organisation_code", reason(
                "unknown_organisation_code", f"no unit of the registry has the organisation "
                f"code {row['organisation_code']}", organisation_code=row["organisation_code"])))
            continue
        outcomes.append(_apply(row, unit_id, current.get(code), today))
    return outcomes


def _iso_days(row):
    return {**row, **{name: row[name].isoformat() for name in ("since", "ended_on")
                      if isinstance(row.get(name), dt.date)}}


def _refused(code, name, why):
    return Outcome("refused", code, refusal={name: [why]})


def _apply(row, unit_id, held, today):
    code = row["member_code"]
    since = row.get("since") or today
    if held is None:
        if row["status"] != "active":  # an end of someone never held: nothing to end
            return _refused(code, "status", reason(
                "not_a_member", f"member {code} is not on any roll: nothing to end",
                member_code=code))
        return Outcome("joined", code, unit_id, {
            "_id": code, "member_code": code, "full_name": row["full_name"],
            "organisation_code": row["organisation_code"], "unit_id": unit_id,
            "status": "active", "since": since, "ended_on": None, "end_note": None,
            "history": [{"unit_id": unit_id, "since": since, "until": None}]})
    if held["status"] != "active":
        if row["status"] == held["status"] and row["ended_on"] == held["ended_on"]:
            return Outcome("unchanged", code, held["unit_id"])
        return _refused(code, "status", reason(
            "membership_ended", f"member {code}'s membership ended on "
            f"{held['ended_on']} ({held['status']})", member_code=code, ended_on=held["ended_on"]))
    if row["status"] in ("left", "died"):
        return _end(row, held)
    if held["unit_id"] != unit_id:
        return _move(row, held, unit_id, since)
    if held["full_name"] != row["full_name"]:
        return Outcome("renamed", code, unit_id, {**held, "full_name": row["full_name"]})
    return Outcome("unchanged", code, unit_id)


def _end(row, held):
    code, ended_on = row["member_code"], row["ended_on"]
    stint = held["history"][-1]
    if ended_on < stint["since"]:
        return _refused(code, "ended_on", reason(
            "before_since", f"before the member joined the branch on {stint['since']}",
            since=stint["since"]))
    history = held["history"][:-1] + [{**stint, "until": ended_on}]
    return Outcome("ended", code, held["unit_id"], {
        **held, "status": row["status"], "ended_on": ended_on,
        "end_note": row.get("end_note"), "history": history})


def _move(row, held, unit_id, since):
    code = row["member_code"]
    stint = held["history"][-1]
    if since < stint["since"]:
        return _refused(code, "since", reason(
            "before_since", f"a move must come after the member joined their branch on "
            f"{stint['since']}", since=stint["since"]))
    moved = {"unit_id": unit_id, "since": since, "until": None}
    if since == stint["since"]:  # the same day: the branch was given wrongly, not left
        history = held["history"][:-1] + [moved]
    else:
        day_before = (dt.date.fromisoformat(since) - ONE_DAY).isoformat()
        history = held["history"][:-1] + [{**stint, "until": day_before}, moved]
    return Outcome("moved", code, unit_id, {
        **held, "unit_id": unit_id, "organisation_code": row["organisation_code"],
        "full_name": row["full_name"], "since": since, "history": history})
