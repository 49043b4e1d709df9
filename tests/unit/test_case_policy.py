"""The case policy file: what deploy/case_policy.yml holds, and bad files refused by key."""
import datetime as dt

import pytest

from services.escalations.policy import CasePolicy, load_policy_file
from shared.errors import ConfigError

UTC = dt.timezone.utc
GOOD = {"deadlines": [{"topic": "*", "urgency": "*", "acknowledge": 3, "answer": 15}]}


def test_the_shipped_policy_loads_and_covers_every_topic():
    policy = load_policy_file()
    assert policy.triage_authority_id == "van-phong-tinh-uy-vinh-phuc"
    # Fri 2 Jan 2026 is off by the table: from Wed 31 Dec, 1 working day is Mon 5 Jan
    assert policy.calendar.add_working_days(dt.date(2025, 12, 31), 1) == dt.date(2026, 1, 5)
    # tiers: a land concern (normal) is accepted within 8 working hours and answered within 30
    # working days; Wed 7 Oct 2026 10:00 in Vietnam -> Thu 8 Oct 10:00
    accept_by, answer_by = policy.deadlines_for("land", "normal",
                                                dt.datetime(2026, 10, 7, 3, tzinfo=UTC))
    assert accept_by == dt.datetime(2026, 10, 8, 3, tzinfo=UTC)
    assert answer_by == dt.date(2026, 11, 18)
    # without a tier table, acknowledgement is counted in days as before
    assert CasePolicy.from_dict(GOOD).deadlines_for(
        "land", "normal", dt.datetime(2026, 10, 7, 3, tzinfo=UTC))[0] == dt.date(2026, 10, 12)


def test_the_tier_row_of_the_authority_s_level_wins():
    policy = load_policy_file().bound(load_policy_file().calendar,
                                      {"ubnd-xa": "grassroots"}.get)
    received = dt.datetime(2026, 10, 7, 3, tzinfo=UTC)
    assert policy.deadlines_for("health", "normal", received, authority_id="ubnd-xa")[1] == \
        dt.date(2026, 10, 21)
    assert policy.deadlines_for("health", "normal", received, authority_id="ubnd-tinh")[1] == \
        dt.date(2026, 10, 28)


@pytest.mark.parametrize("data, key", [
    ({"deadlines": []}, "deadlines"),
    ({"deadlines": [{"topic": "land", "urgency": "*", "acknowledge": 3, "answer": 9}]},
     "deadlines"),
    ({"deadlines": [{"topic": "*", "urgency": "*", "acknowledge": 9, "answer": 3}]}, "deadlines"),
    ({"deadlines": [{"topic": "weather", "urgency": "*", "acknowledge": 1, "answer": 3}]},
     "deadlines"),
    ({**GOOD, "reopen_within_days": "soon"}, "reopen_within_days"),
    ({**GOOD, "triage_authority_id": "Văn phòng"}, "triage_authority_id"),
    ({**GOOD, "calendar": {"extra_days_off": ["2026-02-30"]}}, "calendar"),
    ({**GOOD, "calendar": {"extra_days_off": ["2026-01-02"],
                           "extra_working_days": ["2026-01-02"]}}, "calendar"),
    ({**GOOD, "tiers": [{"tier": "normal", "accept_within_hours": 8, "answer_within_days": 9}]},
     "tiers"),
    ({**GOOD, "tiers": [{"tier": "rush", "accept_within_hours": 8, "answer_within_days": 9}]},
     "tiers"),
])
def test_a_bad_policy_is_refused_naming_the_key(data, key):
    with pytest.raises(ConfigError) as refused:
        CasePolicy.from_dict(data)
    assert key in refused.value.fields


def test_a_missing_policy_file_names_the_setting():
    from services.escalations.dependencies import _policy
    with pytest.raises(ConfigError) as missing:
        _policy("deploy/no-such-policy.yml")
    assert "CASE_POLICY_FILE" in missing.value.fields


def test_escalations_settings_are_checked_by_key():
    from services.escalations.settings import settings
    deployment = {"AMQP_URI": "amqp://guest:guest@localhost",  # each deployment gives it
                  "DEPLOYMENT_MODE": "development"}  # guest and the written token key
    assert settings(deployment)["SWEEP_INTERVAL_SECONDS"] == 60
    with pytest.raises(ConfigError) as bad:
        settings({**deployment, "SWEEP_INTERVAL_SECONDS": "often"})
    assert "SWEEP_INTERVAL_SECONDS" in bad.value.fields
