"""A unit's history: what it was called and where it sat, day by day, and how to read it ``as_of``.

A unit keeps a list of versions, oldest first, each in force ``from`` one day ``to`` another
(inclusive, ISO dates; ``from`` None: since before the registry began, ``to`` None: still in
force). A reorganisation effective on day D closes the version in force (``to`` = D - 1) and
opens a new one from D; a unit merged away or split up has its last version closed and no new
one. Reorganisations of one unit apply in date order: one dated before the unit's latest change
is refused (history is not rewritten); two on the same day compose into one version. Example::

    versions = [{"from": None, "to": None, "name": "Tam Hợp", "parent_id": "bx", ...}]
    versions = change(versions, dt.date(2025, 7, 1), {"parent_id": "pt"})
    version_on(versions, dt.date(2025, 6, 30))["parent_id"]   # "bx"
    version_on(versions, dt.date(2025, 7, 1))["parent_id"]    # "pt"
"""
import datetime as dt

from shared import folding
from shared.errors import RuleViolated

FIELDS = ("name", "level", "kind", "parent_id", "path")
# what the store keeps for an open start or end, so days compare as text in an index
EARLIEST, LATEST = "0000-01-01", "9999-12-31"


def iso(day):
    return day.isoformat() if isinstance(day, dt.date) else day


def day_before(day):
    return (dt.date.fromisoformat(iso(day)) - dt.timedelta(days=1)).isoformat()


def holds_on(version, day):
    day = iso(day)
    return ((version["from"] is None or version["from"] <= day)
            and (version["to"] is None or day <= version["to"]))


def version_on(versions, day):
    """The version in force on ``day``, or None when the unit did not exist then."""
    for version in reversed(versions):
        if holds_on(version, day):
            return version
    return None


def first_version(fields, day=None, operation_id=None):
    return {**{key: fields.get(key) for key in FIELDS}, "from": iso(day), "to": None,
            "operation_id": operation_id}


def first_versions(unit, parent):
    """A new unit's history: it follows its parent's versions from ``established_on``."""
    start = iso(unit["established_on"])
    fields = {key: unit.get(key) for key in ("name", "level", "kind", "parent_id")}
    if parent is None:
        return [first_version({**fields, "path": [unit["unit_id"]]}, start)]
    if parent["history"][-1]["to"] is not None:
        raise RuleViolated("the parent unit no longer exists", {"parent_id": [
            f"{parent['_id']} ended on {parent['history'][-1]['to']}; register under its "
            f"successor"]})
    versions = []
    for version in parent["history"]:
        if version["to"] is not None and start is not None and version["to"] < start:
            continue
        begins = version["from"] if start is None or (
            version["from"] is not None and version["from"] > start) else start
        versions.append({**fields, "path": [*version["path"], unit["unit_id"]], "from": begins,
                         "to": version["to"], "operation_id": None})
    return versions


def _check_open(versions, day, unit_id):
    last = versions[-1]
    if last["to"] is not None:
        raise RuleViolated("the unit no longer exists", {"unit_id": [
            f"{unit_id} ended on {last['to']}"]})
    if last["from"] is not None and last["from"] > iso(day):
        raise RuleViolated("reorganisations of a unit apply in date order", {"effective_on": [
            f"{unit_id} already changed on {last['from']}; use that day or a later one"]})
    return last


def change(versions, day, changes, unit_id="unit", operation_id=None):
    """``versions`` with ``changes`` in force from ``day``."""
    last = _check_open(versions, day, unit_id)
    if last["from"] == iso(day):  # a second change the same day: one version
        return [*versions[:-1], {**last, **changes, "operation_id": operation_id}]
    closed = {**last, "to": day_before(day)}
    return [*versions[:-1], closed, {**last, **changes, "from": iso(day), "to": None,
                                     "operation_id": operation_id}]


def end(versions, day, unit_id="unit"):
    """``versions`` of a unit that exists no more from ``day`` (merged away, split up)."""
    last = _check_open(versions, day, unit_id)
    return [*versions[:-1], {**last, "to": day_before(day)}]


def lifetime(versions):
    """``(exists_from, exists_to)`` as the store indexes them: open ends as far days."""
    return versions[0]["from"] or EARLIEST, versions[-1]["to"] or LATEST


def current_fields(versions):
    """What a unit document keeps beside its history: its last version's fields, its lifetime
    and the folded words of every name it ever had (search)."""
    last = versions[-1]
    exists_from, exists_to = lifetime(versions)
    names = {version["name"] for version in versions}
    return {**{key: last[key] for key in FIELDS}, "exists_from": exists_from,
            "exists_to": exists_to, "search": folding.search_key(*sorted(names))}


def state_on(unit, day):
    """A unit document as it stood on ``day`` (its version's fields over the rest), or None."""
    version = version_on(unit["history"], day)
    if version is None:
        return None
    return {**unit, **{key: version[key] for key in FIELDS}, "in_force_from": version["from"],
            "in_force_to": version["to"]}


def latest_state(unit):
    """A unit document as it stands from its latest version's first day."""
    return state_on(unit, unit["history"][-1]["from"] or EARLIEST)
