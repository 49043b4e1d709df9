"""What importing checked rows would do to the registry, decided before anything is written.

The promise: given the rows that passed ``rows`` and what the registry already holds about
the ids they name (:class:`Known`), every row becomes exactly one of

- a :class:`Step` to apply: ``register`` (new), ``change_contact`` (only the e-mail
  address differs, which the registering RPC changes), or ``change`` (only fields the kind's
  ``change_rpc`` changes differ: a working group's members, branches or end);
- ``unchanged``: the registry already holds it with the same data (a file imported twice);
- a :class:`~services.imports.rows.Rejection` naming the column: a duplicate of another line
  with other data, a reference to nothing (``parent_id``, ``home_unit_id``, ...) or to a
  rejected line, an id registered with other data, an assignment no rule of the seed allows.

Steps come in ``wave`` order: what a row refers to is applied in an earlier wave (parents
before children, units before cadres before assignments), so the rows of one wave may be
applied concurrently. Example::

    wanted = lookups(checked_sheets)          # ids to fetch from the registry
    plan = make_plan(checked_sheets, Known(units={...}, cadres={...}, ...))
    plan.steps, plan.unchanged, plan.rejections
"""
from dataclasses import dataclass, field

from services.imports.kinds import APPLY_ORDER, KINDS
from services.imports.rows import Rejection
from shared.eligibility import eligible_rule
from shared.errors import RuleViolated
from shared.reasons import Reason, reason

# fields compared to decide "the same record"; the contact may change on its own
COMPARED = {
    "units": ("name", "level", "kind", "parent_id", "locality", "meeting_schedule", "contacts",
              "organisation_code"),
    "cadres": ("full_name", "home_unit_id", "positions", "phone", "memberships"),
    "assignments": ("starts_on", "ends_on", "end_reason"),
    "working_groups": ("name", "formed_by_unit_id", "member_cadre_ids", "unit_ids", "starts_on",
                       "ends_on"),
    "authorities": ("name", "kind", "level", "unit_id", "parent_authority_id", "retired_on"),
    # members: none here; the members service plans them against its roll (moves, ends)
    "members": (),
    "routing_rules": ("topic", "unit_id", "authority_id", "urgency", "effective_from",
                      "effective_to"),
}
CONTACT = {"cadres": "email", "authorities": "email"}


@dataclass
class Known:
    """What the registry holds now, as its RPCs answer: only the ids a plan asks about."""
    units: dict = field(default_factory=dict)          # unit_id -> unit (with path)
    cadres: dict = field(default_factory=dict)         # cadre_id -> cadre
    authorities: dict = field(default_factory=dict)    # authority_id -> authority
    assignments: dict = field(default_factory=dict)    # (cadre_id, unit_id) -> assignment
    working_groups: dict = field(default_factory=dict)  # working_group_id -> working group
    routing_rules: dict = field(default_factory=dict)  # rule_id -> rule (all of them)


@dataclass
class Step:
    kind: str
    sheet: str
    line: int
    payload: dict
    action: str        # register | change_contact | change
    wave: int


@dataclass
class Plan:
    steps: list = field(default_factory=list)
    unchanged: list = field(default_factory=list)     # (sheet, line)
    rejections: list = field(default_factory=list)


def lookups(checked_sheets):
    """The ids a plan needs to know about: ``{"units": {...}, "cadres": {...},
    "authorities": {...}, "assignments_of": {cadre_id, ...}, "working_groups": {...},
    "routing_rules": bool}``."""
    wanted = {"units": set(), "cadres": set(), "authorities": set(), "assignments_of": set(),
              "working_groups": set(), "routing_rules": False}
    for checked in checked_sheets:
        for row in checked.rows:
            p = row.payload
            if checked.kind == "units":
                wanted["units"].update(filter(None, (p["unit_id"], p.get("parent_id"))))
            elif checked.kind == "cadres":
                wanted["cadres"].add(p["cadre_id"])
                wanted["units"].add(p["home_unit_id"])
            elif checked.kind == "assignments":
                wanted["cadres"].add(p["cadre_id"])
                wanted["units"].add(p["unit_id"])
                wanted["assignments_of"].add(p["cadre_id"])
            elif checked.kind == "working_groups":
                wanted["working_groups"].add(p["working_group_id"])
                wanted["units"].update((p["formed_by_unit_id"], *p["unit_ids"]))
                wanted["cadres"].update(p["member_cadre_ids"])
            elif checked.kind == "authorities":
                wanted["authorities"].update(
                    filter(None, (p["authority_id"], p.get("parent_authority_id"))))
            elif checked.kind == "routing_rules":
                wanted["authorities"].add(p["authority_id"])
                wanted["routing_rules"] = True
    return wanted


def make_plan(checked_sheets, known):
    planner = _Planner(known)
    by_kind = {}
    for checked in checked_sheets:
        by_kind.setdefault(checked.kind, []).extend(checked.rows)
    for index, kind in enumerate(APPLY_ORDER):
        rows = planner.without_duplicates(kind, by_kind.get(kind, []))
        getattr(planner, f"_plan_{kind}")(rows, index * 1000)
    planner.plan.steps.sort(key=lambda step: (step.wave, step.sheet, step.line))
    return planner.plan


class _Planner:
    def __init__(self, known):
        self.known = known
        self.plan = Plan()
        # what the file itself will have registered: id -> (payload, line), or REJECTED
        self.in_file = {kind: {} for kind in APPLY_ORDER}
        self.rejected = {kind: {} for kind in APPLY_ORDER}   # id -> line

    def reject(self, row, column, reason):
        self.plan.rejections.append(Rejection(row.sheet, row.line, column, reason,
                                              KINDS[row.kind].header_of(column)))
        self.rejected[row.kind][KINDS[row.kind].key_of(row.payload)] = row.line

    def without_duplicates(self, kind, rows):
        first, kept = {}, []
        for row in rows:
            key = KINDS[kind].key_of(row.payload)
            if key in first:
                earlier = first[key]
                if earlier.payload == row.payload:
                    self.plan.unchanged.append((row.sheet, row.line))  # the same line twice
                else:
                    column = KINDS[kind].key[-1]
                    self.plan.rejections.append(Rejection(
                        row.sheet, row.line, column, reason(
                            "repeated_key", f"{'/'.join(key)} is also on line {earlier.line} "
                            "with other data", key="/".join(key), line=earlier.line),
                        KINDS[kind].header_of(column)))
                continue
            first[key] = row
            kept.append(row)
        return kept

    def compare(self, kind, row, existing):
        """None (new), "unchanged", "change_contact", or raises _Differs naming the fields."""
        if existing is None:
            return None
        differing = [name for name in COMPARED[kind]
                     if _same_form(existing.get(name)) != _same_form(row.payload.get(name))]
        if differing and set(differing) <= set(KINDS[kind].changeable) \
                and not set(differing) & set(KINDS[kind].key):
            return "change"
        follow_up = KINDS[kind].follow_up
        if differing and follow_up and set(differing) <= set(follow_up[3].values()) \
                and existing.get(next(iter(follow_up[3].values()))) is None:
            return "register"   # registering again is a no-op; the follow-up (the end) is new
        if differing:
            raise _Differs(differing, existing)
        contact = CONTACT.get(kind)
        if contact and existing.get(contact) != row.payload.get(contact):
            return "change_contact"
        return "unchanged"

    def settle(self, kind, row, existing, wave):
        """Register, keep or refuse ``row`` against what exists; True if it will exist."""
        try:
            outcome = self.compare(kind, row, existing)
        except _Differs as differs:
            shown = ", ".join(f"{name} {differs.existing.get(name)!r} there, "
                              f"{row.payload.get(name)!r} here" for name in differs.fields)
            self.reject(row, KINDS[kind].key[-1], reason(
                "registered_differently", f"already registered with other data ({shown})",
                fields=shown))
            return False
        if outcome == "unchanged":
            self.plan.unchanged.append((row.sheet, row.line))
        else:
            self.plan.steps.append(Step(kind, row.sheet, row.line, row.payload,
                                        outcome or "register", wave))
        return True

    def _exists(self, kind, key, row, column):
        """Whether ``key`` of ``kind`` exists in the registry or will from this file; else
        rejects ``row`` on ``column``."""
        if key in self.in_file[kind] or key in getattr(self.known, kind):
            return True
        singular = kind[:-1].replace("_", " ")
        if (key,) in self.rejected[kind]:
            line = self.rejected[kind][(key,)]
            self.reject(row, column, reason("depends_on_rejected", f"{singular} {key!r} is "
                                            f"rejected on line {line}", key=key, line=line))
        else:
            self.reject(row, column, reason("unknown_reference", f"no {singular} {key!r} in the "
                                            "registry or in this file", key=key))
        return False

    # --- each kind ----------------------------------------------------------------------------

    def _plan_units(self, rows, wave):
        pending = {row.payload["unit_id"]: row for row in rows}
        paths = {}

        def path_of(unit_id, seen=()):
            if unit_id in paths:
                return paths[unit_id]
            if unit_id in self.known.units and unit_id not in pending:
                return list(self.known.units[unit_id]["path"])
            row = pending.get(unit_id)
            if row is None or unit_id in seen:
                return None
            parent = row.payload.get("parent_id")
            if parent is None:
                return [unit_id]
            parent_path = path_of(parent, (*seen, unit_id))
            return None if parent_path is None else [*parent_path, unit_id]

        for row in sorted(rows, key=lambda r: r.line):
            unit_id, parent = row.payload["unit_id"], row.payload.get("parent_id")
            if parent is not None and parent not in pending and parent not in self.known.units:
                self.reject(row, "parent_id", reason("unknown_reference", f"no unit {parent!r} "
                                                     "in the registry or in this file",
                                                     key=parent))
                continue
            path = path_of(unit_id)
            if path is None:
                self.reject(row, "parent_id", reason("parent_cycle",
                                                     "the parents make a cycle"))
                continue
            paths[unit_id] = path
        # parents first: by depth within the file, then refuse what hangs from a rejected unit
        for row in sorted(rows, key=lambda r: (len(paths.get(r.payload["unit_id"]) or ()),
                                               r.line)):
            unit_id, parent = row.payload["unit_id"], row.payload.get("parent_id")
            if unit_id not in paths:
                continue
            if parent in pending and parent not in self.in_file["units"]:
                line = pending[parent].line
                self.reject(row, "parent_id", reason("depends_on_rejected", f"unit {parent!r} "
                                                     f"is rejected on line {line}", key=parent,
                                                     line=line))
                continue
            depth = sum(1 for ancestor in paths[unit_id] if ancestor in self.in_file["units"])
            if self.settle("units", row, self.known.units.get(unit_id), wave + depth):
                self.in_file["units"][unit_id] = {**row.payload, "path": paths[unit_id]}

    def _plan_cadres(self, rows, wave):
        for row in rows:
            if not self._exists("units", row.payload["home_unit_id"], row, "home_unit_id"):
                continue
            if self.settle("cadres", row, self.known.cadres.get(row.payload["cadre_id"]), wave):
                self.in_file["cadres"][row.payload["cadre_id"]] = row.payload

    def _plan_assignments(self, rows, wave):
        for row in rows:
            cadre_id, unit_id = row.payload["cadre_id"], row.payload["unit_id"]
            if not (self._exists("cadres", cadre_id, row, "cadre_id")
                    and self._exists("units", unit_id, row, "unit_id")):
                continue
            cadre = self.in_file["cadres"].get(cadre_id) or self.known.cadres[cadre_id]
            unit = self.in_file["units"].get(unit_id) or self.known.units[unit_id]
            try:
                eligible_rule(cadre["positions"], unit["level"], unit.get("kind"),
                                     unit["path"], cadre["home_unit_id"])
            except RuleViolated as refused:
                said = [m for ms in (refused.fields or {}).values() for m in ms]
                detail = "; ".join(said)
                english = f"{refused.message}: {detail}" if detail else refused.message
                first = said[0] if said and isinstance(said[0], Reason) else None
                self.reject(row, "unit_id", Reason(english, first.code, first.params)
                            if first else english)
                continue
            self.settle("assignments", row, self.known.assignments.get((cadre_id, unit_id)),
                        wave)

    def _plan_working_groups(self, rows, wave):
        for row in rows:
            p = row.payload
            if not (self._exists("units", p["formed_by_unit_id"], row, "formed_by_unit_id")
                    and all(self._exists("units", unit_id, row, "unit_ids")
                            for unit_id in p["unit_ids"])
                    and all(self._exists("cadres", cadre_id, row, "member_cadre_ids")
                            for cadre_id in p["member_cadre_ids"])):
                continue
            self.settle("working_groups", row,
                        self.known.working_groups.get(p["working_group_id"]), wave)

    def _plan_authorities(self, rows, wave):
        pending = {row.payload["authority_id"]: row for row in rows}
        depth = {}

        def depth_of(authority_id, seen=()):
            row = pending.get(authority_id)
            if row is None:
                return 0 if authority_id in self.known.authorities else None
            parent = row.payload.get("parent_authority_id")
            if parent is None:
                return 0
            if authority_id in seen:
                return None
            parent_depth = depth_of(parent, (*seen, authority_id))
            return None if parent_depth is None else parent_depth + 1

        for row in rows:
            depth[row.payload["authority_id"]] = depth_of(row.payload["authority_id"])
        for row in sorted(rows, key=lambda r: (depth[r.payload["authority_id"]] or 0, r.line)):
            authority_id = row.payload["authority_id"]
            parent = row.payload.get("parent_authority_id")
            if parent is not None and parent not in pending \
                    and parent not in self.known.authorities:
                self.reject(row, "parent_authority_id", reason(
                    "unknown_reference", f"no authority {parent!r} in the registry or in this "
                    "file", key=parent))
                continue
            if depth[authority_id] is None:
                self.reject(row, "parent_authority_id", reason("parent_cycle",
                                                               "the parents make a cycle"))
                continue
            if parent in pending and parent not in self.in_file["authorities"]:
                line = pending[parent].line
                self.reject(row, "parent_authority_id", reason(
                    "depends_on_rejected", f"authority {parent!r} is rejected on line {line}",
                    key=parent, line=line))
                continue
            if self.settle("authorities", row, self.known.authorities.get(authority_id),
                           wave + depth[authority_id]):
                self.in_file["authorities"][authority_id] = row.payload

    def _plan_members(self, rows, wave):
        """Every member row to the members service, which alone knows the roll."""
        for row in rows:
            self.plan.steps.append(Step("members", row.sheet, row.line, row.payload,
                                        "register", wave))

    def _plan_routing_rules(self, rows, wave):
        by_scope = {_scope(rule): rule_id for rule_id, rule in self.known.routing_rules.items()}
        for row in rows:
            if not self._exists("authorities", row.payload["authority_id"], row,
                                "authority_id"):
                continue
            rule_id = row.payload["rule_id"]
            other = by_scope.get(_scope(row.payload))
            if other is not None and other != rule_id:
                self.reject(row, "rule_id", reason("rule_overlaps", f"rule {other!r} already "
                                                   "covers this topic, unit, urgency and start "
                                                   "date", key=other))
                continue
            if self.settle("routing_rules", row, self.known.routing_rules.get(rule_id), wave):
                by_scope[_scope(row.payload)] = rule_id


class _Differs(Exception):
    def __init__(self, fields, existing):
        super().__init__(fields)
        self.fields = fields
        self.existing = existing


def _scope(rule):
    return (rule.get("topic"), rule.get("unit_id"), rule.get("urgency"),
            _same_form(rule.get("effective_from")))


def _same_form(value):
    """Values as both sides write them: lists as lists, empty text or list as None."""
    if value in ("", [], ()):
        return None
    if isinstance(value, tuple):
        return list(value)
    return value
