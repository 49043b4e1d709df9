"""Retention that anonymises, in a visits container on the real RabbitMQ with a real store and a
test clock (moved, never slept through): RETENTION_RAISER_DAYS after a visit's last activity the
sweep removes who raised its concerns (name, contact, the text as typed) from the visit and its
older versions; before, nothing changes; the meeting record (the branch's statistics) is the
same after as before, and a visit logged since keeps its raisers."""
import datetime as dt
import time

import pytest
from nameko.standalone.rpc import ServiceRpcProxy

from services.visits.service import VisitsService
from shared import contracts
from shared.clock import Clock
from tests.interface.helpers import branch_with_cadre, wait_for

DAY = 86400
SWEEPS = 1.0  # seconds: ten sweeps at RETENTION_SWEEP_SECONDS 0.1
BRANCH = "vp.bx.th.np"
BINH = {"user_id": "u-binh", "role": "cadre", "cadre_id": "tran-thi-binh"}
RAISER, PHONE = "Nguyễn Văn Hai", "0912 000 111"
SAID = f"Ông {RAISER} ({PHONE}) phản ánh đèn đường xóm 2 hỏng"


@pytest.fixture
def visits(container_factory, config, tmp_path):
    clock_file = tmp_path / "clock-offset"
    config = {**config, "TEST_CLOCK_FILE": str(clock_file), "RETENTION_SWEEP_SECONDS": 0.1,
              "RETENTION_RAISER_DAYS": 730}
    container_factory(VisitsService, config).start()
    branch_with_cadre(config, BRANCH)
    with ServiceRpcProxy("visits", config, timeout=15) as proxy:
        wait_for(lambda: proxy.knows_assignment("tran-thi-binh", BRANCH), what="assignment")
        yield proxy, clock_file


def log_visit(visits, days_ago=1):
    return visits.log_visit({
        "submission_id": contracts.new_id(), "unit_id": BRANCH,
        "meeting_date": (dt.date.today() - dt.timedelta(days_ago)).isoformat(),
        "meeting_kind": "regular", "attendance": {"present": 20, "expected": 25},
        "assessment": {"leadership": 4, "education": 3, "combativeness": 3},
        "concerns": [{"topic": "infrastructure", "raised_by": "resident", "summary": SAID,
                      "raised_by_name": RAISER, "raised_by_contact": PHONE,
                      "raiser_consent": True},
                     {"topic": "land", "raised_by": "party_member",
                      "summary": "Đồng chí Lê Văn Cường hỏi về sổ đỏ",
                      "raised_by_name": "Lê Văn Cường"}]}, BINH)


def raisers(visits, visit_id, version=None):
    found = (visits.get_visit(visit_id, BINH) if version is None
             else visits.get_visit_version(visit_id, version, BINH))
    return [(c["raised_by_name"], c["raised_by_contact"], c["summary"])
            for c in found["concerns"]]


def test_raisers_are_removed_after_the_retention_period_and_statistics_stay(visits):
    visits, clock_file = visits
    logged = log_visit(visits)
    visit_id = logged["visit_id"]
    kept = [c["concern_id"] for c in logged["concerns"]]
    visits.amend_visit(visit_id, {"submission_id": contracts.new_id(),
                                  "concerns": [{"concern_id": c} for c in kept]}, BINH)
    year = (dt.date.today() - dt.timedelta(1)).year
    record = visits.meeting_record(BRANCH, {"year": year}, BINH)
    before = raisers(visits, visit_id)
    assert before[0] == (RAISER, PHONE, SAID)

    Clock.move(clock_file, 729 * DAY)  # a day short: nothing changes, sweep after sweep
    time.sleep(SWEEPS)
    assert raisers(visits, visit_id) == before

    Clock.move(clock_file, 731 * DAY)
    wait_for(lambda: raisers(visits, visit_id)[0][0] is None, what="the raisers removed")
    after = raisers(visits, visit_id)
    assert after[0] == (None, None, "Ông [đã ẩn] ([đã ẩn]) phản ánh đèn đường xóm 2 hỏng")
    assert after[1] == (None, None, "Đồng chí [đã ẩn] hỏi về sổ đỏ")
    assert raisers(visits, visit_id, version=1) == after  # the older version too
    # the visit, its concerns and the branch's figures stay
    assert visits.meeting_record(BRANCH, {"year": year}, BINH) == record
    assert [c["topic"] for c in visits.get_visit(visit_id, BINH)["concerns"]] == [
        "infrastructure", "land"]
    # a visit logged since keeps its raisers until its own period has passed
    recent = log_visit(visits, days_ago=2)["visit_id"]
    time.sleep(SWEEPS)
    assert raisers(visits, recent)[0] == (RAISER, PHONE, SAID)
