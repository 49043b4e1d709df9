"""The case life policy as data: deadlines per topic and urgency, severity tiers per authority
level and topic, reminders, the reopen window, the triage authority and the calendar's seed,
read from ``deploy/case_policy.yml``.

A bad file stops the service at start-up naming the key and the reason. With a ``tiers`` table,
a case gets a tier when it reaches an authority: acceptance by a moment counted in the
authority's office hours, the answer by a working day (``tiers``); without one, both are days
(``deadlines``). The calendar the file seeds is the store's afterwards (``calendars``): the
service binds the stored one and the authorities' levels with :meth:`CasePolicy.bound`.
Example::

    policy = load_policy_file()          # or CasePolicy.from_dict({...}) in tests
    policy.deadlines_for("land", "normal", received_at)   # -> (acknowledge_by, answer_by)
    policy.deadlines_for("land", "normal", received_at, tier="urgent", authority_id="ubnd-x")
"""
import datetime as dt
import pathlib
from dataclasses import dataclass, field, replace

import yaml
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from services.escalations import sla, tiers
from shared.contracts import CONCERN_TOPICS, ID_PATTERN, URGENCIES
from shared.errors import ConfigError
from shared.working_calendar import ENTRY_KINDS

DEFAULT_POLICY_FILE = pathlib.Path(__file__).resolve().parents[2] / "deploy" / "case_policy.yml"


class _DeadlineRow(Schema):
    topic = fields.String(required=True, validate=validate.OneOf((sla.ANY, *CONCERN_TOPICS)))
    urgency = fields.String(required=True, validate=validate.OneOf((sla.ANY, *URGENCIES)))
    acknowledge = fields.Integer(required=True, strict=True, validate=validate.Range(0, 60))
    answer = fields.Integer(required=True, strict=True, validate=validate.Range(1, 365))


class _CalendarEntry(Schema):
    day = fields.Date(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(ENTRY_KINDS))
    reason = fields.String(required=True, validate=validate.Length(1, 500))


class _Calendar(Schema):
    # the national calendar's seed: each day with the notice it rests on
    entries = fields.List(fields.Nested(_CalendarEntry), load_default=list)
    extra_days_off = fields.List(fields.Date(), load_default=list)
    extra_working_days = fields.List(fields.Date(), load_default=list)


class _TierRow(Schema):
    tier = fields.String(required=True, validate=validate.OneOf(tiers.TIERS))
    level = fields.String(load_default=tiers.ANY, validate=validate.Regexp(r"^(\*|[a-z_]+)$"))
    topic = fields.String(load_default=tiers.ANY,
                          validate=validate.OneOf((tiers.ANY, *CONCERN_TOPICS)))
    accept_within_hours = fields.Float(required=True, validate=validate.Range(0, 8 * 60))
    answer_within_days = fields.Integer(required=True, strict=True,
                                        validate=validate.Range(0, 365))


class _Policy(Schema):
    deadlines = fields.List(fields.Nested(_DeadlineRow), required=True,
                            validate=validate.Length(min=1))
    reminder_before_hours = fields.Float(load_default=24, validate=validate.Range(0, 24 * 30))
    reopen_within_days = fields.Integer(load_default=30, strict=True,
                                        validate=validate.Range(0, 3650))
    triage_authority_id = fields.String(load_default=None, allow_none=True,
                                        validate=validate.Regexp(ID_PATTERN))
    calendar = fields.Nested(_Calendar, load_default=dict)
    # the local hour (Vietnam) from which each officer's daily digest goes out (issue 25)
    digest_local_hour = fields.Integer(load_default=7, strict=True,
                                       validate=validate.Range(0, 23))
    # severity tiers (optional: without them, acknowledgement is counted in days too)
    tiers = fields.List(fields.Nested(_TierRow), load_default=None)

    @validates_schema(skip_on_field_errors=True)
    def _covers_everything(self, data, **kwargs):
        rows = data["deadlines"]
        if not any(row["topic"] == sla.ANY and row["urgency"] == sla.ANY for row in rows):
            raise ValidationError('needs a row for topic "*" and urgency "*"', "deadlines")
        for row in rows:
            if row["acknowledge"] > row["answer"]:
                raise ValidationError(f"{row['topic']}/{row['urgency']}: acknowledge must not "
                                      "come after answer", "deadlines")


@dataclass(frozen=True)
class CasePolicy:
    deadline_rules: tuple
    calendar: sla.WorkingCalendar = field(compare=False)  # shared.working_calendar
    reminder_before: dt.timedelta = dt.timedelta(hours=24)
    reopen_within: dt.timedelta = dt.timedelta(days=30)
    triage_authority_id: str = None
    digest_hour: int = 7
    tier_rows: tuple = None         # None: no tiers, deadlines in days (``deadline_rules``)
    # an authority's level ("commune", ...) for the tier rows; bound to the store's registry
    level_of: object = field(default=lambda authority_id: tiers.ANY, compare=False)

    @classmethod
    def from_dict(cls, data):
        try:
            data = _Policy().load(data)
        except ValidationError as error:
            raise ConfigError("invalid case policy", error.normalized_messages()) from None
        try:
            calendar = sla.calendar_from_table(**data["calendar"])
        except ValueError as error:
            raise ConfigError("invalid case policy", {"calendar": [str(error)]}) from None
        try:
            tier_rows = data["tiers"] and tiers.check_table(
                [tiers.TierTarget(**row) for row in data["tiers"]])
        except tiers.TierRefused as error:
            raise ConfigError("invalid case policy", {"tiers": [str(error)]}) from None
        return cls(
            deadline_rules=tuple(sla.DeadlineRule(**row) for row in data["deadlines"]),
            calendar=calendar,
            reminder_before=dt.timedelta(hours=data["reminder_before_hours"]),
            reopen_within=dt.timedelta(days=data["reopen_within_days"]),
            triage_authority_id=data["triage_authority_id"], tier_rows=tier_rows,
            digest_hour=data["digest_local_hour"])

    @property
    def tiered(self):
        return self.tier_rows is not None

    def tier_table(self):
        """The tier rows in force (the built-in ones when the file has none)."""
        return self.tier_rows or tiers.DEFAULT_TIERS

    def bound(self, calendar, level_of):
        """This policy with the stored calendar and the registry's authority levels."""
        return replace(self, calendar=calendar, level_of=level_of)

    def tier_of(self, case):
        """A case's tier: its own, else (tiers in force) the one its urgency picks, else None
        (a case stored before tiers, under a policy without them: counted in days)."""
        if case.get("tier") or not self.tiered:
            return case.get("tier")
        return tiers.TIER_OF_URGENCY.get(case.get("urgency"), tiers.NORMAL)

    def case_deadlines(self, case, authority_id, at):
        """``(tier, acknowledge_by, answer_by)`` of ``case`` reaching ``authority_id`` at ``at``."""
        tier = self.tier_of(case)
        return (tier, *self.deadlines_for(case["topic"], case.get("urgency", "normal"), at,
                                          tier=tier, authority_id=authority_id))

    def deadlines_for(self, topic, urgency, received_at, tier=None, authority_id=None):
        """``(acknowledge_by, answer_by)`` for a case ``authority_id`` received then: with a
        tier (the case's, or with tiers in force the one its urgency picks) a moment in the
        authority's office hours and a working day; else two working days."""
        calendar = self.calendar.for_authority(authority_id)
        if tier is None and not self.tiered:
            return sla.deadlines(self.deadline_rules, calendar, topic, urgency, received_at)
        target = self.tier_target(topic, urgency, tier, authority_id)
        return tiers.targets(target, calendar, received_at)

    def tier_target(self, topic, urgency, tier, authority_id):
        return tiers.tier_for(self.tier_table(), self.level_of(authority_id), topic,
                              urgency=urgency, tier=tier)


def load_policy_file(path=DEFAULT_POLICY_FILE):
    with open(path, encoding="utf-8") as handle:
        return CasePolicy.from_dict(yaml.safe_load(handle))
