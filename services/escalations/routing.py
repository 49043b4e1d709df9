"""Routing a concern to the authority responsible: topic × locality → authority.

A rule names a topic (or ``*`` for any topic), a unit, and an authority; it applies to concerns
raised at that unit or anywhere below it. Among the rules that apply, a rule for the concern's
own topic beats a ``*`` rule, and then the rule closest to the branch (deepest unit) wins::

    route_concern("land", ["vp", "vp.bx", "vp.bx.tam-hop", "vp.bx.tam-hop.noi-phat"], rules)
"""
from dataclasses import dataclass

ANY_TOPIC = "*"


@dataclass(frozen=True)
class RoutingRule:
    rule_id: str
    topic: str
    unit_id: str
    authority_id: str


def route_concern(topic, unit_path, rules):
    """The rule that decides who answers this concern, or None when no rule applies."""
    depth = {unit_id: index for index, unit_id in enumerate(unit_path)}
    applicable = [rule for rule in rules
                  if rule.unit_id in depth and rule.topic in (topic, ANY_TOPIC)]
    if not applicable:
        return None
    return max(applicable, key=lambda rule: (rule.topic == topic, depth[rule.unit_id]))
