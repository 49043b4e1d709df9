"""Branch meetings move by the working calendar administrators edit (issue 28 with issue 25's
stored calendar), on the real RabbitMQ: escalations tells each national edit as
``working_calendar_changed`` (in the same write as the edit, through its outbox), assignments
keeps a copy and computes dates from it without asking escalations. An authority's own day
does not move a branch's meeting; a removed entry gives the day back."""
import pytest
from nameko.standalone.rpc import ServiceRpcProxy

from services.assignments.service import AssignmentsService
from services.escalations.service import EscalationsService
from tests.interface.helpers import wait_for
from tests.interface.test_case_life_service import AUTHORITIES
from tests.interface.test_meeting_plans import TREE

ADMIN = {"user_id": "admin-1", "role": "administrator"}
# Nội Phật meets on the 18th; Friday 18 December 2026 is a working day as the law has it
MONTH, DAY = "2026-12", "2026-12-18"


def days(registry, unit_id="np"):
    return [m["day"] for m in registry.meeting_dates(unit_id, MONTH, principal=ADMIN)["meetings"]]


@pytest.fixture
def services(container_factory, config):
    container_factory(EscalationsService, config).start()
    container_factory(AssignmentsService, config).start()
    with ServiceRpcProxy("escalations", config, timeout=15) as escalations, \
            ServiceRpcProxy("assignments", config, timeout=15) as registry:
        for unit in TREE:
            registry.register_unit(unit)
        for authority in AUTHORITIES:
            escalations.register_authority(authority)
        yield escalations, registry


def test_a_day_off_an_administrator_adds_moves_the_branchs_meeting_and_its_removal_back(
        services):
    escalations, registry = services
    assert days(registry) == [DAY]
    # a commune's own day off is its office's, not the branches'
    escalations.add_calendar_entry({"day": DAY, "kind": "day_off", "authority_id": "ubnd-th",
                                    "reason": "Lễ hội làng"}, ADMIN)
    escalations.add_calendar_entry({"day": "2026-12-10", "kind": "day_off",
                                    "reason": "Nghỉ theo thông báo"}, ADMIN)
    # the national edit after it is heard (Nam Tiến's 10th moves to Friday 11th), so the
    # commune's was heard, and kept out, before it
    wait_for(lambda: days(registry, "nt") == ["2026-12-11"], timeout=20,
             what="Nam Tiến's meeting moved off the 10th")
    assert days(registry) == [DAY]
    escalations.add_calendar_entry({"day": DAY, "kind": "day_off",
                                    "reason": "Nghỉ bù theo thông báo của Chính phủ"}, ADMIN)
    wait_for(lambda: days(registry) != [DAY], timeout=20, what="the meeting moved off the day")
    assert days(registry) == ["2026-12-21"]   # Monday: the next working day
    escalations.remove_calendar_entry({"day": DAY}, ADMIN)
    wait_for(lambda: days(registry) == [DAY], timeout=20,
             what="the meeting back on the 18th")
