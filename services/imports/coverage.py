"""Coverage: which units nobody keeps close to, and which branches nobody has visited lately.

Plain rules over plain records (the read model the imports service builds from
``unit_registered``, ``unit_reorganised``, ``working_group_formed``/``_changed``,
``assignment_made``, ``assignment_ended`` and ``visit_logged``). Only units that exist on the
day count: one merged away or split up is gone from its effective day (``ended_on``), and the
successor a reorganisation created counts from then (``since``).

- :func:`unassigned`: units with no assignment and no working group in force on a day;
- :func:`stale_branches`: branches whose last attended meeting is older than N days (never
  visited first);
- :func:`per_cadre`: each cadre's units in force, with the unit's last visit and their own;
- :func:`per_committee`: per district-level committee, the share of the branches below it
  with a meeting attended this quarter, and with an attendance planned this quarter;
- planned attendance (``attendance_planned``): a stale branch's next planned meeting, a
  cadre's next planned meeting per unit and how many meetings they are planned for.

Dates are ISO text (``YYYY-MM-DD``), which sorts as dates do. Example::

    in_force(assignment, "2026-11-27")      # starts_on <= day and not ended before it
    quarter_of(dt.date(2026, 11, 27))       # -> ("2026-10-01", "2026-12-31")
"""
import datetime as dt


def in_force(assignment, day):
    return assignment["starts_on"] <= day and (assignment.get("ends_on") is None
                                               or assignment["ends_on"] >= day)


def quarter_of(day):
    first_month = 3 * ((day.month - 1) // 3) + 1
    start = dt.date(day.year, first_month, 1)
    following = dt.date(day.year + 1, 1, 1) if first_month == 10 else \
        dt.date(day.year, first_month + 3, 1)
    return start.isoformat(), (following - dt.timedelta(days=1)).isoformat()


def exists_on(unit, day):
    """Whether ``unit`` stood on ``day``: created by then and not yet merged away or ended."""
    return (unit.get("since") or "") <= day and (unit.get("ended_on") is None
                                                 or day < unit["ended_on"])


def unassigned(units, assignments, day, working_groups=()):
    """Units (in the order given) existing on ``day`` with no assignment in force then and no
    working group attending them then."""
    covered = {a["unit_id"] for a in assignments if in_force(a, day)}
    covered.update(unit_id for group in working_groups if in_force(group, day)
                   for unit_id in group["unit_ids"])
    return [_unit(unit) for unit in units
            if unit["unit_id"] not in covered and exists_on(unit, day)]


def stale_branches(branches, day, days, planned=()):
    """Branches whose last visit is before ``day - days`` or that were never visited: the
    never visited first, then the longest unvisited; each with its next planned attendance
    (``next_planned_on``: the earliest plan entry on or after ``day`` in ``planned``, else
    None), since a stale branch with a visit planned is not a forgotten one."""
    upcoming = next_planned(planned, day)
    cutoff = (dt.date.fromisoformat(day) - dt.timedelta(days=days)).isoformat()
    stale = [b for b in branches if exists_on(b, day)
             and (not b.get("last_visit_on") or b["last_visit_on"] < cutoff)]
    stale.sort(key=lambda b: (b.get("last_visit_on") or "", b["unit_id"]))
    return [{**_unit(b), "last_visit_on": b.get("last_visit_on"),
             "days_since_visit": (dt.date.fromisoformat(day)
                                  - dt.date.fromisoformat(b["last_visit_on"])).days
             if b.get("last_visit_on") else None,
             "next_planned_on": upcoming.get(b["unit_id"])} for b in stale]


def next_planned(planned, day, cadre_id=None):
    """``{unit_id: earliest meeting_on >= day}`` among plan entries (those sending
    ``cadre_id`` only, when given)."""
    found = {}
    for entry in planned:
        if entry["meeting_on"] >= day and (cadre_id is None
                                           or cadre_id in entry["attendee_cadre_ids"]):
            found[entry["unit_id"]] = min(found.get(entry["unit_id"], entry["meeting_on"]),
                                          entry["meeting_on"])
    return found


def per_cadre(assignments, units, own_visits, day, planned=()):
    """``{cadre_id: [{unit_id, name, level, last_visit_on, own_last_visit_on,
    own_next_planned_on}]}`` for the assignments in force on ``day``; ``units`` by id,
    ``own_visits`` by (cadre_id, unit_id); ``own_next_planned_on``: the earliest plan entry on
    or after ``day`` sending that cadre to that unit (``planned``), else None."""
    report, upcoming = {}, {}
    for entry in planned:
        for cadre_id in entry["attendee_cadre_ids"]:
            key = (cadre_id, entry["unit_id"])
            if entry["meeting_on"] >= day and entry["meeting_on"] < upcoming.get(key, "9"):
                upcoming[key] = entry["meeting_on"]
    for a in sorted(assignments, key=lambda a: (a["cadre_id"], a["unit_id"])):
        if not in_force(a, day):
            continue
        unit = units.get(a["unit_id"], {"unit_id": a["unit_id"]})
        report.setdefault(a["cadre_id"], []).append({
            **_unit(unit), "since": a["starts_on"],
            "last_visit_on": unit.get("last_visit_on"),
            "own_last_visit_on": own_visits.get((a["cadre_id"], a["unit_id"])),
            "own_next_planned_on": upcoming.get((a["cadre_id"], a["unit_id"]))})
    return report


def planned_per_cadre(planned):
    """``{cadre_id: how many plan entries send them}`` (one per meeting, a working group's
    entry counting for each member)."""
    counts = {}
    for entry in planned:
        for cadre_id in entry["attendee_cadre_ids"]:
            counts[cadre_id] = counts.get(cadre_id, 0) + 1
    return counts


def per_committee(committees, branches, visited_unit_ids, planned_unit_ids=frozenset()):
    """Per committee (in the order given): its branches (those with the committee on their
    path); ``visited``: those in ``visited_unit_ids``, with the share, rounded to 0.001;
    ``planned``: those in ``planned_unit_ids`` (an attendance planned this quarter), with the
    share; ``planned_visited``: those in both."""
    counts = {c["unit_id"]: [0, 0, 0, 0] for c in committees}
    for branch in branches:
        visited = branch["unit_id"] in visited_unit_ids
        planned = branch["unit_id"] in planned_unit_ids
        for ancestor in branch.get("path") or ():
            if ancestor in counts:
                for i, counted in enumerate((True, visited, planned, visited and planned)):
                    counts[ancestor][i] += counted
    return [{**_unit(c), "branches": n, "visited": visited, "share_visited": _share(visited, n),
             "planned": planned, "share_planned": _share(planned, n),
             "planned_visited": both}
            for c in committees for n, visited, planned, both in [counts[c["unit_id"]]]]


def _share(part, whole):
    return round(part / whole, 3) if whole else None


def _unit(unit):
    return {"unit_id": unit["unit_id"], "name": unit.get("name"), "level": unit.get("level")}
