"""Reads of personal data are audited (DESIGN §6), against real visits, assignments and monitor
containers on RabbitMQ: a read that showed a concern's raiser or cadres' contacts to a user is
one entry in the monitor's log (who, when, which records, which read), none when it showed no
one's; administrators alone read the log, and it outlives a restart."""
import datetime as dt

import pytest
from nameko.standalone.rpc import ServiceRpcProxy

from services.assignments.service import AssignmentsService
from services.monitor.service import MonitorService
from services.visits.service import VisitsService
from shared import contracts
from shared.errors import Forbidden, InvalidInput
from tests.interface.helpers import branch_with_cadre, wait_for

BRANCH = "vp.bx.th.np"
BINH = {"user_id": "u-binh", "role": "cadre", "cadre_id": "tran-thi-binh"}
OFFICER = {"user_id": "u-officer", "role": "authority_officer", "authority_id": "ubnd-th"}
OPERATOR = {"user_id": "u-operator", "role": "operator"}
ADMIN = {"user_id": "u-admin", "role": "administrator"}


@pytest.fixture
def system(container_factory, config):
    config = {**config, "ALERT_INTERVAL_SECONDS": 3600}
    containers = {}
    for service in (VisitsService, AssignmentsService, MonitorService):
        containers[service] = container_factory(service, config)
        containers[service].start()
    branch_with_cadre(config, BRANCH)
    with ServiceRpcProxy("visits", config, timeout=15) as visits, \
            ServiceRpcProxy("assignments", config, timeout=15) as assignments, \
            ServiceRpcProxy("monitor", config, timeout=15) as monitor:
        wait_for(lambda: visits.knows_assignment("tran-thi-binh", BRANCH), what="assignment")
        yield {"visits": visits, "assignments": assignments, "monitor": monitor,
               "config": config, "containers": containers}


def log_visit(visits):
    """A visit with one concern whose raiser left a name and telephone, and one without."""
    logged = visits.log_visit({
        "submission_id": contracts.new_id(), "unit_id": BRANCH,
        "meeting_date": (dt.date.today() - dt.timedelta(1)).isoformat(),
        "meeting_kind": "regular", "attendance": {"present": 20, "expected": 25},
        "assessment": {"leadership": 4, "education": 3, "combativeness": 3},
        "concerns": [{"topic": "infrastructure", "raised_by": "resident",
                      "summary": "Đường thôn xuống cấp", "raised_by_name": "Nguyễn Văn Hai",
                      "raised_by_contact": "0912 000 111", "raiser_consent": True},
                     {"topic": "land", "raised_by": "party_member",
                      "summary": "Sổ đỏ chậm"}]}, BINH)
    named, anonymous = (c["concern_id"] for c in logged["concerns"])
    return logged["visit_id"], named, anonymous


def reads(monitor, **query):
    return monitor.personal_data_reads(query, ADMIN)["reads"]


def test_a_cadre_reading_a_raisers_contact_is_recorded_by_name_and_concern(system):
    visits, monitor = system["visits"], system["monitor"]
    _, named, _ = log_visit(visits)
    shown = visits.get_concern(named, BINH)
    assert shown["raised_by_contact"] == "0912 000 111"

    [entry] = wait_for(lambda: reads(monitor, record_id=named), what="the read recorded")
    assert (entry["user_id"], entry["role"]) == ("u-binh", "cadre")
    assert entry["purpose"] == "visits.get_concern" and entry["source"] == "visits"
    assert entry["records"] == [{"kind": "concern", "id": named}]
    assert "0912" not in str(entry) and "Hai" not in str(entry)  # ids, never the data
    read_at = dt.datetime.fromisoformat(entry["read_at"])
    assert abs((dt.datetime.now(dt.timezone.utc) - read_at).total_seconds()) < 60
    # found by reader and by period; not by another reader or a period before it
    assert reads(monitor, user_id="u-binh") == [entry]
    assert reads(monitor, user_id="u-cuong") == []
    hour = dt.timedelta(hours=1)
    assert reads(monitor, **{"from": (read_at - hour).isoformat(),
                             "to": (read_at + hour).isoformat()}) == [entry]
    assert reads(monitor, **{"to": (read_at - hour).isoformat()}) == []
    with pytest.raises(InvalidInput) as backwards:
        reads(monitor, **{"from": read_at.isoformat(), "to": (read_at - hour).isoformat()})
    assert "to" in backwards.value.fields


def test_reads_that_show_no_ones_personal_data_record_nothing(system):
    visits, monitor = system["visits"], system["monitor"]
    visit_id, named, anonymous = log_visit(visits)
    visits.get_concern(anonymous, BINH)  # no name or contact was given
    visits.get_concern(named, None)  # an officer's read, without who raised it
    visits.list_visits({}, ADMIN)  # lines without concerns
    visits.list_visits({}, BINH)
    visits.branch_brief(BRANCH, {}, BINH)  # open concerns without their raisers
    monitor.recent_events({}, OPERATOR)  # an operator's view: metadata only
    # then one read that shows the raiser (both concerns listed, one of them named)
    visits.get_visit(visit_id, BINH)
    [entry] = wait_for(lambda: reads(monitor), what="the visit's read")
    assert entry["purpose"] == "visits.get_visit"
    assert entry["records"] == [{"kind": "concern", "id": named}]


def test_reading_cadres_with_their_contacts_is_recorded_once_per_request(system):
    assignments, monitor = system["assignments"], system["monitor"]
    assignments.register_unit({"unit_id": "vp", "name": "Tỉnh ủy Vĩnh Phúc",
                               "level": "province", "parent_id": None})
    for cadre_id, name, email in (("tran-thi-binh", "Trần Thị Bình", "binh@example.vn"),
                                  ("le-van-cuong", "Lê Văn Cường", "cuong@example.vn"),
                                  ("pham-van-dung", "Phạm Văn Dũng", None)):
        assignments.register_cadre({"cadre_id": cadre_id, "full_name": name,
                                    "home_unit_id": "vp", "email": email,
                                    "positions": ["province_committee_member"]}, ADMIN)
    assignments.list_cadres({"limit": 2}, None)  # an internal caller's (its caller records)
    assignments.get_cadre("pham-van-dung", OFFICER)  # no contact to show
    with pytest.raises(Forbidden):
        assignments.list_cadres({}, OPERATOR)  # operators see no one's contacts
    listed = assignments.list_cadres({}, OFFICER)["cadres"]
    assert len(listed) == 3

    [entry] = wait_for(lambda: reads(monitor), what="the list's read")
    assert (entry["user_id"], entry["purpose"]) == ("u-officer", "assignments.list_cadres")
    assert entry["records"] == [{"kind": "cadre", "id": "le-van-cuong"},
                                {"kind": "cadre", "id": "tran-thi-binh"}]
    found = assignments.search({"q": "binh"}, ADMIN)["cadres"]
    assert [c["cadre_id"] for c in found] == ["tran-thi-binh"]
    wait_for(lambda: [e["purpose"] for e in reads(monitor, user_id="u-admin")]
             == ["assignments.search"], what="the search's read")


def test_only_administrators_read_the_log(system):
    monitor = system["monitor"]
    for someone in (BINH, OFFICER, OPERATOR):
        with pytest.raises(Forbidden):
            monitor.personal_data_reads({}, someone)
    assert monitor.personal_data_reads({}, ADMIN) == {"reads": [], "next_cursor": None}


def test_the_log_outlives_a_restart_of_the_monitor(system, container_factory):
    visits, monitor, config = system["visits"], system["monitor"], system["config"]
    _, named, _ = log_visit(visits)
    visits.get_concern(named, BINH)
    [entry] = wait_for(lambda: reads(monitor), what="the read recorded")
    system["containers"][MonitorService].stop()
    container_factory(MonitorService, config).start()
    with ServiceRpcProxy("monitor", config, timeout=15) as restarted:
        assert reads(restarted) == [entry]
