"""The visits service decides alone, from its own read model of ``assignment_made`` events,
where a signed-in cadre may log a visit, and shows a cadre only their own visits."""
import datetime as dt

import pytest
from nameko.standalone.rpc import ServiceRpcProxy

from services.visits.service import VisitsService
from shared import contracts
from shared.errors import Forbidden, InvalidInput, NotFound
from tests.interface.helpers import publish, wait_for

BRANCH = "vp.bx.th.np"
BINH = {"user_id": "u-binh", "role": "cadre", "cadre_id": "tran-thi-binh"}
CUONG = {"user_id": "u-cuong", "role": "cadre", "cadre_id": "le-van-cuong"}


@pytest.fixture
def visits(container_factory, config):
    container_factory(VisitsService, config).start()
    publish(config, contracts.UNIT_REGISTERED.new({
        "unit_id": BRANCH, "name": "Chi bộ thôn Nội Phật", "level": "branch",
        "parent_id": "vp.bx.th", "path": ["vp", "vp.bx", "vp.bx.th", BRANCH]}))
    with ServiceRpcProxy("visits", config, timeout=15) as proxy:
        wait_for(lambda: _known(proxy), what="the unit")
        yield proxy


def _known(proxy):
    try:
        return proxy.get_unit(BRANCH)
    except NotFound:
        return None


def visit(day):
    return {"submission_id": contracts.new_id(), "unit_id": BRANCH, "meeting_date": day,
            "meeting_kind": "regular", "attendance": {"present": 5, "expected": 6},
            "assessment": {"leadership": 3, "education": 3, "combativeness": 3}}


def test_a_cadre_logs_only_once_assigned_and_only_from_the_assignments_start(visits, config):
    yesterday = dt.date.today() - dt.timedelta(days=1)
    with pytest.raises(Forbidden) as unsigned:  # no visit without the signed-in cadre
        visits.log_visit(visit(yesterday.isoformat()), None)
    assert "without a signed-in user" in unsigned.value.message
    with pytest.raises(Forbidden) as refused:
        visits.log_visit(visit(yesterday.isoformat()), BINH)
    assert refused.value.fields["rule"] == ["assigned_units_only"]

    publish(config, contracts.ASSIGNMENT_MADE.new({
        "assignment_id": "a1", "cadre_id": "tran-thi-binh", "unit_id": BRANCH,
        "rule": "district_member_to_branch", "starts_on": yesterday}, actor="u-admin"))
    wait_for(lambda: visits.knows_assignment("tran-thi-binh", BRANCH), what="the assignment")

    with pytest.raises(Forbidden):  # the day before the assignment started
        visits.log_visit(visit((yesterday - dt.timedelta(days=1)).isoformat()), BINH)
    with pytest.raises(Forbidden):  # another cadre, not assigned here
        visits.log_visit(visit(yesterday.isoformat()), CUONG)
    with pytest.raises(InvalidInput) as chosen:
        visits.log_visit({**visit(yesterday.isoformat()), "cadre_id": "le-van-cuong"}, BINH)
    assert chosen.value.fields == {"cadre_id": ["Unknown field."]}

    logged = visits.log_visit(visit(yesterday.isoformat()), BINH)
    assert (logged["cadre_id"], logged["logged_by"]) == ("tran-thi-binh", "u-binh")
    assert visits.get_visit(logged["visit_id"], BINH)["visit_id"] == logged["visit_id"]
    with pytest.raises(NotFound):
        visits.get_visit(logged["visit_id"], CUONG)
    with pytest.raises(Forbidden):
        visits.get_visit(logged["visit_id"], {"user_id": "u-op", "role": "operator"})
