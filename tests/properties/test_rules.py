"""Pure rule modules where a property says more than examples: routing a concern (one answer,
whatever the order of the rules, and the most specific applicable rule), the first holder of
every case (the rule's authority or triage, never two), and assignment eligibility (the rule
named really allows it; more positions never make an assignment ineligible)."""
import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.assignments import domain
from services.escalations import cases
from services.escalations.policy import load_policy_file
from services.escalations.routing import ANY_TOPIC, RoutingRule, route_concern
from shared import contracts
from shared.errors import RuleViolated
from tests.properties.profiles import examples

POLICY = load_policy_file()
PATH = ["vp", "vp.bx", "vp.bx.tam-hop", "vp.bx.tam-hop.noi-phat"]
ELSEWHERE = ["vp", "vp.vy", "vp.vy.dai-dong"]
TOPICS = list(contracts.CONCERN_TOPICS)
SETTINGS = settings(max_examples=examples(60))
days = st.dates(dt.date(2025, 1, 1), dt.date(2027, 12, 31))


@st.composite
def routing_rules(draw):
    """Rules with unique ids over a small space, so several often apply to one concern."""
    count = draw(st.integers(0, 12))
    rules = []
    for index in range(count):
        start = draw(st.none() | days)
        end = draw(st.none() | days)
        if start and end and end < start:
            start, end = end, start
        rules.append(RoutingRule(
            rule_id=f"r{index:02d}", topic=draw(st.sampled_from([ANY_TOPIC, "land", "economy"])),
            unit_id=draw(st.sampled_from(PATH + ELSEWHERE)),
            authority_id=draw(st.sampled_from(["ubnd-xa", "ubnd-huyen", "ubnd-tinh"])),
            urgency=draw(st.sampled_from([None, "normal", "urgent"])),
            effective_from=start, effective_to=end))
    return rules


def applies(rule, topic, path, on, urgency):
    return (rule.unit_id in path and rule.topic in (topic, ANY_TOPIC)
            and rule.urgency in (None, urgency)
            and (rule.effective_from is None or rule.effective_from <= on)
            and (rule.effective_to is None or on <= rule.effective_to))


def more_specific(a, b, path):
    """Whether rule ``a`` beats rule ``b`` by the module's stated order, key by key."""
    def key(rule):
        return (rule.topic != ANY_TOPIC, path.index(rule.unit_id), rule.urgency is not None,
                rule.effective_from or dt.date.min, rule.rule_id)
    return key(a) > key(b)


@SETTINGS
@given(routing_rules(), st.sampled_from(["land", "economy", "other"]), st.integers(1, len(PATH)),
       days, st.sampled_from(["normal", "urgent"]), st.randoms(use_true_random=False))
def test_a_concern_gets_the_one_most_specific_applicable_rule_whatever_their_order(
        rules, topic, depth, on, urgency, random):
    path = PATH[:depth]
    chosen = route_concern(topic, path, rules, on=on, urgency=urgency)
    applicable = [rule for rule in rules if applies(rule, topic, path, on, urgency)]
    if not applicable:
        assert chosen is None
        return
    assert chosen in applicable
    assert not any(more_specific(other, chosen, path) for other in applicable)
    shuffled = list(rules)
    random.shuffle(shuffled)
    assert route_concern(topic, path, shuffled, on=on, urgency=urgency) == chosen


@SETTINGS
@given(routing_rules(), st.sampled_from(TOPICS), st.sampled_from(["normal", "urgent"]),
       st.sampled_from([None, "van-phong-tinh-uy"]), days)
def test_every_case_starts_with_exactly_one_holder_the_rule_or_triage(rules, topic, urgency,
                                                                      triage, raised_on):
    concern = {"concern_id": "c1", "unit_id": PATH[-1], "unit_path": PATH, "topic": topic,
               "summary": "Đường thôn xuống cấp", "raised_by": "resident",
               "raised_on": raised_on, "urgency": urgency}
    rule = route_concern(topic, PATH, rules, on=raised_on, urgency=urgency)
    now = dt.datetime.combine(raised_on, dt.time(9), dt.timezone.utc)
    case, event = cases.new_case(concern, "e1", rule, triage, POLICY, now)
    holder = rule.authority_id if rule else triage
    assert case["authority_id"] == holder
    assert case["status"] == ("routed" if holder else "unrouted")
    assert case["triage"] is (rule is None)
    assert event["event_type"] == ("case_routed" if rule else "case_unrouted")
    assert contracts.parse_event(event).payload["authority_id"] == holder
    assert [line["to_state"] for line in case["timeline"]] == [case["status"]]


positions = st.sets(st.sampled_from(sorted(
    {p for rule in domain.ASSIGNMENT_RULES for p in rule.positions} | {"ordinary_member"})),
    max_size=3)
levels = st.sampled_from(sorted({rule.unit_level for rule in domain.ASSIGNMENT_RULES}
                                | {"district", "province"}))
kinds = st.sampled_from([None, "residential", "agency", "enterprise"])


@SETTINGS
@given(positions, positions, levels, kinds, st.integers(0, len(PATH) - 1))
def test_eligibility_names_a_rule_that_allows_it_and_more_positions_never_hurt(
        held, extra, level, kind, home_depth):
    home = PATH[home_depth]
    try:
        name = domain.eligible_rule(held, level, kind, PATH, home)
    except RuleViolated as refusal:
        assert set(refusal.fields) == {"unit_id"}
        allowed = home in PATH[:-1] and any(
            rule.unit_level == level and rule.positions & held
            and (rule.unit_kinds is None or kind in rule.unit_kinds)
            for rule in domain.ASSIGNMENT_RULES)
        assert not allowed
        return
    rule = next(rule for rule in domain.ASSIGNMENT_RULES if rule.name == name)
    assert rule.unit_level == level and rule.positions & held
    assert rule.unit_kinds is None or kind in rule.unit_kinds
    assert home in PATH[:-1]
    # holding more positions keeps it eligible
    assert domain.eligible_rule(held | extra, level, kind, PATH, home)


@SETTINGS
@given(st.lists(st.sampled_from(PATH + ELSEWHERE), unique=True, max_size=5),
       st.sampled_from(PATH + ELSEWHERE + ["new-unit"]))
def test_a_unit_path_ends_with_the_unit_and_never_holds_a_cycle(parent_path, unit_id):
    if unit_id in parent_path:
        with pytest.raises(RuleViolated) as refusal:
            domain.unit_path(parent_path, unit_id)
        assert "parent_id" in refusal.value.fields
        return
    path = domain.unit_path(parent_path, unit_id)
    assert path[:-1] == parent_path and path[-1] == unit_id
    assert len(set(path)) == len(path)
