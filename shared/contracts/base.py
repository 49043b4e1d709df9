"""What every contract is made of: ids, free text, the clock, and the domain's vocabularies."""
import datetime as dt
import re
import uuid

from marshmallow import ValidationError, fields, validate

from shared.reasons import reason

UTC = dt.timezone.utc

# Registry ids (units, cadres, authorities, rules) are chosen by administrators; ids the
# system mints (visits, concerns, cases, events) are uuid4 hex. Both fit this pattern.
ID_PATTERN = r"^[a-z0-9][a-z0-9._-]{0,79}$"


# An envelope on the wire (JSON) is at most this long: consumers dead-letter a longer body
# without decoding it (shared.consumer), so producers refuse to make one (Envelope).
# The longest free text (an 8000-character answer) is under 100 KiB even \u-escaped.
MAX_EVENT_BYTES = 1024 * 1024

# Cc (C0, DEL, C1) and unpaired surrogates: never in a stored string; free text keeps \n and \t
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")


class FullMatch(validate.Regexp):
    """``Regexp`` matched against the whole value: Python's ``$`` also matches before a final
    newline, so ``"unit-1\\n"`` would pass a plain ``Regexp``. The pattern stays ECMA-valid."""

    def __call__(self, value):
        if self.regex.fullmatch(value) is None:
            raise ValidationError(self._format_error(value))
        return value


def no_control_characters(value):
    """Free text: any character but the control ones, except line feeds and tabs."""
    for char in CONTROL_CHARACTERS.findall(value):
        if char not in "\n\t":
            raise ValidationError(reason("control_character",
                                         f"contains the control character U+{ord(char):04X}"))


def Id(**kwargs):
    return fields.String(validate=FullMatch(ID_PATTERN, error="must be a lower-case id "
                         "of letters, digits, '.', '_' or '-' (at most 80)"), **kwargs)


# the days the system holds: units founded long ago, deadlines decades ahead. A year outside
# would overflow date arithmetic (a period from 0001-01-01 less one day) far from the input
FIRST_DAY, LAST_DAY = dt.date(1900, 1, 1), dt.date(2100, 12, 31)


class Day(fields.Date):
    """A calendar day, ``YYYY-MM-DD``, from :data:`FIRST_DAY` to :data:`LAST_DAY`."""

    def _deserialize(self, value, attr, data, **kwargs):
        day = super()._deserialize(value, attr, data, **kwargs)
        if not FIRST_DAY <= day <= LAST_DAY:
            raise ValidationError(reason("day_out_of_range",
                                         f"must be a day from {FIRST_DAY} to {LAST_DAY}",
                                         first=FIRST_DAY.year, last=LAST_DAY.year))
        return day


class StrictBoolean(fields.Boolean):
    """JSON ``true`` or ``false`` only: marshmallow's Boolean also takes 1, "yes", "on"..."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, bool):
            raise self.make_error("invalid", input=value)
        return value


def Text(max_length, min_length=1, **kwargs):
    return fields.String(validate=[validate.Length(min=min_length, max=max_length),
                                   no_control_characters], **kwargs)


def new_id():
    return uuid.uuid4().hex


def utcnow():
    return dt.datetime.now(UTC)


CONCERN_TOPICS = (
    "land", "infrastructure", "environment", "social_policy", "public_order",
    "economy", "party_building", "public_service", "other",
)
RAISED_BY = ("party_member", "resident")
URGENCIES = ("normal", "urgent")
MEETING_KINDS = ("regular", "thematic")
# a committee member's contact with a Party member or their family (issue 29; contact_kind.*)
CONTACT_KINDS = ("member_visit", "family_visit", "phone_call")
