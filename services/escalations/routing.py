"""Routing a concern to the authority responsible: topic × locality × urgency, on a day.

A rule names a topic (or ``*`` for any topic), a unit, an authority, optionally an urgency
(``None``: any) and the days it is in force (``effective_from``/``effective_to``, inclusive;
``None``: open-ended). It applies to concerns raised at that unit or anywhere below it, on a day
it is in force. Among the rules that apply the most specific wins: a rule for the concern's own
topic beats a ``*`` rule; then the rule closest to the branch (deepest unit); then one for the
concern's urgency beats one for any urgency; then the rule that came into force last::

    route_concern("land", ["vp", "vp.bx", "vp.bx.tam-hop", "vp.bx.tam-hop.noi-phat"], rules,
                  on=dt.date(2026, 11, 20), urgency="urgent")

Rules stay attached to the area they were made for: a reorganisation that takes a branch out
from under a unit (a district removed in 2025, a commune merged) leaves that unit among the
branch's *former* ancestors, ``former={unit_id: distance}`` (1: the branch's parent), and its
rules keep applying there at that distance until an administrator retires them (``effective_to``)
or a rule of the new tree, in force later, wins the tie.

A concern no rule covers goes to the triage authority (``CasePolicy.triage_authority_id``),
which routes it by hand.
"""
import datetime as dt
from dataclasses import dataclass

from shared.contracts.cases import ANY_TOPIC  # noqa: F401 (the rules' wildcard)


def _day(value):
    return dt.date.fromisoformat(value) if value else None


@dataclass(frozen=True)
class RoutingRule:
    rule_id: str
    topic: str
    unit_id: str
    authority_id: str
    urgency: str = None
    effective_from: dt.date = None
    effective_to: dt.date = None

    @classmethod
    def stored(cls, doc):
        """The rule as ``store`` keeps it (days as ISO text, ``_id`` its id)."""
        return cls(rule_id=doc["_id"], topic=doc["topic"], unit_id=doc["unit_id"],
                   authority_id=doc["authority_id"], urgency=doc.get("urgency"),
                   effective_from=_day(doc.get("effective_from")),
                   effective_to=_day(doc.get("effective_to")))

    def in_force(self, day):
        return ((self.effective_from is None or self.effective_from <= day)
                and (self.effective_to is None or day <= self.effective_to))


def route_concern(topic, unit_path, rules, on=None, urgency=None, former=None):
    """The rule that decides who answers this concern, or None when no rule applies.
    ``on`` is the day the concern was raised (None: ignore effective dates); ``former``: the
    units the concern's unit used to sit under, by distance."""
    depth = {unit_id: index for index, unit_id in enumerate(unit_path)}
    for unit_id, distance in (former or {}).items():
        depth.setdefault(unit_id, len(unit_path) - 1 - distance)
    applicable = [rule for rule in rules
                  if rule.unit_id in depth and rule.topic in (topic, ANY_TOPIC)
                  and rule.urgency in (None, urgency)
                  and (on is None or rule.in_force(on))]
    if not applicable:
        return None
    return max(applicable, key=lambda rule: (
        rule.topic == topic, depth[rule.unit_id], rule.urgency is not None,
        rule.effective_from or dt.date.min, rule.rule_id))
