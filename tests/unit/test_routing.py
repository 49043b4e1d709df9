"""route_concern: exact topic beats ``*``, then the deepest unit on the concern's path wins."""
import datetime as dt

import pytest

from services.escalations.routing import ANY_TOPIC, RoutingRule, route_concern

# province > district > grassroots (commune) > branch (hamlet)
PATH = ["vp", "vp.bx", "vp.bx.tam-hop", "vp.bx.tam-hop.noi-phat"]


def rule(**overrides):
    fields = {"rule_id": "r-default", "topic": "land", "unit_id": "vp",
              "authority_id": "province-land-office"}
    fields.update(overrides)
    return RoutingRule(**fields)


def route(topic="land", unit_path=PATH, rules=()):
    return route_concern(topic, unit_path, list(rules))


def test_single_rule_for_the_topic_at_the_root_applies_to_a_concern_at_the_branch():
    only = rule(rule_id="r-root")
    assert route(rules=[only]) is only


def test_topic_rule_beats_wildcard_rule_nearer_the_branch():
    topic_at_province = rule(rule_id="r-topic", topic="land", unit_id="vp")
    wildcard_at_branch = rule(rule_id="r-any", topic=ANY_TOPIC, unit_id="vp.bx.tam-hop.noi-phat")
    for rules in ([topic_at_province, wildcard_at_branch],
                  [wildcard_at_branch, topic_at_province]):
        assert route(rules=rules).rule_id == "r-topic"


def test_deepest_unit_wins_among_rules_for_the_same_topic():
    rules = [rule(rule_id="r-province", unit_id="vp"),
             rule(rule_id="r-commune", unit_id="vp.bx.tam-hop"),
             rule(rule_id="r-district", unit_id="vp.bx")]
    assert route(rules=rules).rule_id == "r-commune"
    assert route(rules=list(reversed(rules))).rule_id == "r-commune"


def test_deepest_unit_wins_among_wildcard_rules_when_no_topic_rule_applies():
    rules = [rule(rule_id="r-any-province", topic=ANY_TOPIC, unit_id="vp"),
             rule(rule_id="r-any-district", topic=ANY_TOPIC, unit_id="vp.bx"),
             rule(rule_id="r-environment", topic="environment", unit_id="vp.bx.tam-hop")]
    assert route(topic="land", rules=rules).rule_id == "r-any-district"


def test_wildcard_rule_applies_when_no_rule_names_the_topic():
    rules = [rule(rule_id="r-environment", topic="environment", unit_id="vp.bx"),
             rule(rule_id="r-any", topic=ANY_TOPIC, unit_id="vp")]
    assert route(topic="land", rules=rules).rule_id == "r-any"


def test_rule_for_another_topic_never_applies():
    assert route(topic="land", rules=[rule(topic="environment")]) is None


def test_rule_for_a_unit_outside_the_path_never_applies_even_if_deeper():
    in_path = rule(rule_id="r-district", unit_id="vp.bx")
    sibling_branch = rule(rule_id="r-sibling", unit_id="vp.bx.tam-hop.other-hamlet")
    other_district = rule(rule_id="r-other-district", unit_id="vp.dh")
    assert route(rules=[sibling_branch, other_district, in_path]).rule_id == "r-district"


def test_topic_rule_outside_the_path_does_not_beat_a_wildcard_rule_inside_it():
    outside = rule(rule_id="r-outside", topic="land", unit_id="vp.dh")
    inside = rule(rule_id="r-any", topic=ANY_TOPIC, unit_id="vp")
    assert route(rules=[outside, inside]).rule_id == "r-any"


def test_rule_below_the_concerns_unit_does_not_apply():
    # a concern raised at the commune is not answered by a rule for one of its hamlets
    below = rule(rule_id="r-hamlet", unit_id="vp.bx.tam-hop.noi-phat")
    assert route(unit_path=PATH[:3], rules=[below]) is None


@pytest.mark.parametrize("rules", [
    [],
    [rule(unit_id="vp.dh"), rule(topic=ANY_TOPIC, unit_id="hn")],
    [rule(topic="environment", unit_id="vp.bx")],
], ids=["no-rules", "all-outside-path", "other-topic-only"])
def test_returns_none_when_nothing_applies(rules):
    assert route(topic="land", rules=rules) is None


# --- effective dates and urgency -------------------------------------------------------------

DAY = dt.date(2026, 11, 20)


def test_a_rule_out_of_force_on_the_day_does_not_apply():
    expired = rule(rule_id="r-expired", unit_id="vp.bx.tam-hop", effective_to=dt.date(2026, 6, 30))
    future = rule(rule_id="r-future", unit_id="vp.bx.tam-hop", effective_from=dt.date(2027, 1, 1))
    current = rule(rule_id="r-current", unit_id="vp")
    assert route_concern("land", PATH, [expired, future, current], on=DAY).rule_id == "r-current"
    # the effective dates are inclusive
    assert route_concern("land", PATH, [expired], on=dt.date(2026, 6, 30)) is expired
    assert route_concern("land", PATH, [future], on=dt.date(2027, 1, 1)) is future


def test_after_a_reorganisation_the_rule_in_force_that_day_wins():
    old = rule(rule_id="r-old", unit_id="vp.bx", authority_id="district",
               effective_to=dt.date(2025, 6, 30))
    new = rule(rule_id="r-new", unit_id="vp.bx", authority_id="commune",
               effective_from=dt.date(2025, 7, 1))
    assert route_concern("land", PATH, [old, new], on=dt.date(2025, 6, 30)).rule_id == "r-old"
    assert route_concern("land", PATH, [old, new], on=dt.date(2025, 7, 1)).rule_id == "r-new"


def test_among_overlapping_rules_the_one_in_force_since_later_wins():
    general = rule(rule_id="r-general", unit_id="vp.bx")
    amended = rule(rule_id="r-amended", unit_id="vp.bx", effective_from=dt.date(2026, 1, 1))
    for rules in ([general, amended], [amended, general]):
        assert route_concern("land", PATH, rules, on=DAY).rule_id == "r-amended"


def test_an_urgency_rule_applies_only_to_concerns_of_that_urgency():
    urgent = rule(rule_id="r-urgent", unit_id="vp.bx", urgency="urgent")
    normal = rule(rule_id="r-any-urgency", unit_id="vp.bx")
    for rules in ([urgent, normal], [normal, urgent]):
        assert route_concern("land", PATH, rules, on=DAY, urgency="urgent").rule_id == "r-urgent"
        assert route_concern("land", PATH, rules, on=DAY,
                             urgency="normal").rule_id == "r-any-urgency"
    assert route_concern("land", PATH, [urgent], on=DAY, urgency="normal") is None


def test_precedence_is_topic_then_depth_then_urgency():
    urgent_province = rule(rule_id="r-urgent-province", unit_id="vp", urgency="urgent")
    commune = rule(rule_id="r-commune", unit_id="vp.bx.tam-hop")
    urgent_any_topic_commune = rule(rule_id="r-any-urgent", topic=ANY_TOPIC,
                                    unit_id="vp.bx.tam-hop", urgency="urgent")
    rules = [urgent_province, commune, urgent_any_topic_commune]
    assert route_concern("land", PATH, rules, on=DAY, urgency="urgent").rule_id == "r-commune"
