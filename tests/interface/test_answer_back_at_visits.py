"""The visits service keeps the answer of each concern from ``case_answered``: shown with the
concern, the same event twice has one effect, and an older answer never replaces a newer one."""
import datetime as dt
import time

import pytest
from kombu import Connection
from nameko.standalone.rpc import ServiceRpcProxy

from services.visits.service import VisitsService
from shared import contracts
from tests.interface.helpers import drain, publish, wait_for

UTC = dt.timezone.utc
UNIT = {"unit_id": "vp.np", "name": "Chi bộ thôn Nội Phật", "level": "branch",
        "parent_id": "vp", "path": ["vp", "vp.np"]}
# the signed-in cadre who logs the visit (assigned to the branch below)
BINH = {"user_id": "u-binh", "role": "cadre", "cadre_id": "tran-thi-binh"}


@pytest.fixture
def visits(container_factory, config):
    container_factory(VisitsService, config).start()
    publish(config, contracts.UNIT_REGISTERED.new(UNIT))
    publish(config, contracts.ASSIGNMENT_MADE.new({
        "assignment_id": "a1", "cadre_id": BINH["cadre_id"], "unit_id": UNIT["unit_id"],
        "rule": "district_member_to_branch", "starts_on": dt.date.today() - dt.timedelta(days=30)}))
    with ServiceRpcProxy("visits", config, timeout=15) as proxy:
        wait_for(lambda: _known(proxy), what="the unit")
        wait_for(lambda: proxy.knows_assignment(BINH["cadre_id"], UNIT["unit_id"]),
                 what="the assignment")
        yield proxy


def _known(proxy):
    try:
        return proxy.get_unit("vp.np")
    except Exception:
        return None


def answered(concern_id, text, at, **overrides):
    return contracts.CASE_ANSWERED.new({
        "case_id": "k1", "concern_id": concern_id, "authority_id": "ubnd-th", "answer": text,
        "answered_at": at, **overrides})


def test_the_answer_is_shown_with_the_concern_once_and_newest_wins(visits, config):
    logged = visits.log_visit({
        "submission_id": contracts.new_id(), "unit_id": "vp.np",
        "meeting_date": dt.date.today().isoformat(), "meeting_kind": "regular",
        "attendance": {"present": 20, "expected": 25},
        "assessment": {"leadership": 4, "education": 4, "combativeness": 4},
        "concerns": [{"topic": "land", "summary": "Ranh giới đất", "raised_by": "resident",
                      "urgency": "urgent"}]}, BINH)
    concern_id = logged["concerns"][0]["concern_id"]
    assert visits.get_concern(concern_id, BINH)["answer"] is None
    assert visits.get_concern(concern_id, BINH)["urgency"] == "urgent"

    first = answered(concern_id, "Đã đo đạc lại", dt.datetime(2026, 12, 1, 3, tzinfo=UTC))
    publish(config, first)
    publish(config, {**first, "event_id": contracts.new_id()})  # the same fact, redelivered
    shown = wait_for(lambda: visits.get_concern(concern_id, BINH)["answer"], what="the answer")
    assert shown["answer"] == "Đã đo đạc lại" and shown["authority_id"] == "ubnd-th"

    newer = answered(concern_id, "Đã cấp lại sổ đỏ", dt.datetime(2026, 12, 20, 3, tzinfo=UTC))
    older = answered(concern_id, "Đang xem xét", dt.datetime(2026, 11, 28, 3, tzinfo=UTC))
    publish(config, newer)
    wait_for(lambda: visits.get_concern(concern_id, BINH)["answer"]["answer"] == "Đã cấp lại sổ đỏ",
             what="the newer answer")
    publish(config, older)
    wait_for(lambda: not drain_ready(config), what="the older answer consumed")
    time.sleep(0.3)  # time enough to handle it, were it still in flight
    assert visits.get_concern(concern_id, BINH)["answer"]["answer"] == "Đã cấp lại sổ đỏ"
    assert drain(config, "visits.case_answered.dead") == []


def drain_ready(config):
    with Connection(config["AMQP_URI"]) as connection:
        _, ready, _ = connection.default_channel.queue_declare(
            "visits.case_answered", passive=True)
        return ready
