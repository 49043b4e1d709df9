"""Contacts with Party members and families (issue 29) through the members, registry and visits
services on the real RabbitMQ: a committee member on the branch's committee logs a visit to a
member's family with a concern, which visits raises as a contact's (no meeting, no member); the
same contact resent doubles nothing; a cadre who cannot see the branch is told the member is
not found, a future day or an unknown kind is refused by name, and nothing is written. The
member is put in the care of a member of the branch's committee, not of a cadre on none, who
alone is offered to choose from.
(One test: each running system costs seconds of CI.)"""
import datetime as dt

import pytest
from nameko.standalone.rpc import ServiceRpcProxy

from services.assignments.service import AssignmentsService
from services.members.service import MembersService
from services.visits.service import VisitsService
from shared import clock, contracts
from shared.errors import Forbidden, InvalidInput, NotFound
from tests.interface.helpers import wait_for
from tests.interface.test_members_service import ADMIN, BINH, DUNG, HOA, row, seed_registry

CONCERN = {"topic": "social_policy", "raised_by": "party_member",
           "summary": "Gia đình chưa nhận trợ cấp người có công"}


@pytest.fixture
def system(container_factory, config):
    for service in (AssignmentsService, MembersService, VisitsService):
        container_factory(service, config).start()
    with ServiceRpcProxy("assignments", config, timeout=15) as registry, \
            ServiceRpcProxy("members", config, timeout=15) as members, \
            ServiceRpcProxy("visits", config, timeout=15) as visits:
        seed_registry(registry)
        members.import_members({"items": [row("00123", since="2026-01-01")]}, ADMIN)
        wait_for(lambda: _known(visits), what="visits to know the branch")
        yield {"members": members, "visits": visits}


def _known(visits):
    try:
        return visits.get_unit("np")
    except NotFound:
        return None


def contact(day=None, kind="family_visit", concerns=(CONCERN,)):
    return {"submission_id": contracts.new_id(),
            "contacted_on": day or clock.today().isoformat(), "kind": kind,
            "raised": "Thăm gia đình, hỏi chế độ", "concerns": list(concerns)}


def test_a_family_contacts_concern_raised_once_refusals_write_nothing_and_care(system):
    members, visits = system["members"], system["visits"]
    given = contact()
    kept = members.log_contact("00123", given, HOA)  # np's secretary, assigned nowhere
    assert (kept["member_code"], kept["kind"], kept["confirmed"]) == (
        "00123", "family_visit", True)
    concern_id = kept["concerns"][0]["concern_id"]
    seen = visits.get_concern(concern_id, HOA)
    assert (seen["contact_kind"], seen["unit_id"], seen["visit_id"]) == (
        "family_visit", "np", kept["contact_id"])
    with pytest.raises(NotFound):  # a contact's record is no visit
        visits.get_visit(kept["contact_id"], HOA)
    again = members.log_contact("00123", given, HOA)
    assert (again["replayed"], again["concerns"]) == (True, kept["concerns"])
    listed = members.member_contacts("00123", BINH)["contacts"]
    assert [c["submission_id"] for c in listed] == [given["submission_id"]]
    with pytest.raises(Forbidden):  # visits takes a contact only from the members service
        visits.record_contact({**given, "unit_id": "np", "cadre_id": "hoa",
                               "user_id": "u-hoa"}, HOA)
    # refusals name why and write nothing (one running system for both: each costs seconds)
    with pytest.raises(NotFound):  # Dũng is assigned to Nam Tiến, not Nội Phật
        members.log_contact("00123", contact(), DUNG)
    with pytest.raises(NotFound):
        members.member_contacts("00123", DUNG)
    # Vietnam's day after tomorrow: one day of slack is allowed, and from 17:00 UTC the
    # machine's date is a day behind Vietnam's
    later = (clock.today() + dt.timedelta(days=2)).isoformat()
    with pytest.raises(InvalidInput) as future:
        members.log_contact("00123", contact(later), HOA)
    assert future.value.reasons["contacted_on"][0]["code"] == "future_day"
    with pytest.raises(InvalidInput) as kind:
        members.log_contact("00123", contact(kind="meeting"), HOA)
    assert kind.value.reasons["kind"][0]["code"] == "one_of"
    with pytest.raises(Forbidden):  # an administrator reads, a cadre logs
        members.log_contact("00123", contact(), ADMIN)
    assert len(members.member_contacts("00123", ADMIN)["contacts"]) == 1
    # the member in the care of a committee member (not of a cadre on no committee)
    with pytest.raises(InvalidInput) as refused:  # assigned to the branch, on no committee
        members.put_in_care("00123", {"cadre_id": "binh"}, ADMIN)
    assert refused.value.reasons["cadre_id"][0]["code"] == "not_on_committee"
    assert members.put_in_care("00123", {"cadre_id": "hoa"}, HOA)["cadre_id"] == "hoa"
    listed = members.list_members("np", {}, BINH)["members"]
    assert listed[0]["in_care_of"]["cadre_id"] == "hoa"
    assert [m["member_code"] for m in members.members_in_care(HOA)["members"]] == ["00123"]
    # whom the page offers (the registry's seat holders, asked by the members service alone)
    offered = members.care_choices("np", HOA)
    assert (offered["may_choose"], [c["cadre_id"] for c in offered["cadres"]]) == (True, ["hoa"])
    assert members.care_choices("np", BINH)["may_choose"] is False
    members.put_in_care("00123", {"cadre_id": "hoa"}, ADMIN)  # the same carer: no history
    assert members.member_contacts("00123", ADMIN)["care_history"] == []
    assert members.get_member("00123", BINH)["in_care_of"]["cadre_id"] == "hoa"
