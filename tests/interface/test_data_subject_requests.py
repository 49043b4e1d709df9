"""Requests from the people concerned naming a user or a cadre, fanned out by event on the real
RabbitMQ to accounts, assignments, notifications, escalations, the monitor, visits (issue 26)
and members (issue 29): each answers with what it holds of the person, the request is "answered"
once every one did; a deletion anonymises the account (sign-in refused, tokens ended) and the
cadre everywhere, while the account's and the cadre's ids, and so their history, stay; a backup
taken with the backup command afterwards holds none of the person's details, though one taken
before did."""
import datetime as dt

import pytest
from nameko.standalone.rpc import ServiceRpcProxy

from services.assignments.service import AssignmentsService
from services.escalations.service import EscalationsService
from services.members.service import MembersService
from services.monitor.service import MonitorService
from services.notifications.service import NotificationsService
from services.visits.service import VisitsService
from shared.errors import Unauthorized
from shared.redaction import MARK
from tests.interface.helpers import wait_for
from tests.interface.test_accounts import (  # noqa: F401 (fixture)
    ADMIN,
    accounts,
    principal_of,
    sign_in,
)
from tooling import backup

COMMUNE = "ubnd-xa-tam-hop"
OFFICER = {"user_id": "u-th", "role": "authority_officer", "authority_id": COMMUNE}
QUYNH = {"username": "quynh", "display_name": "Lê Thị Quỳnh", "password": "quynh-password-1",
         "role": "authority_officer", "authority_id": COMMUNE,
         "email": "quynh@tamhop.example.vn"}
BINH_NAME, BINH_MAIL, BINH_PHONE = "Trần Thị Bình", "binh.tran@vinhphuc.example", "0912 345 678"
BINH = {"username": "binh", "display_name": BINH_NAME, "password": "binh-password-1",
        "role": "cadre", "cadre_id": "tran-thi-binh", "email": BINH_MAIL}
ANSWERING = {"accounts", "assignments", "notifications", "escalations", "monitor", "visits",
             "members"}


@pytest.fixture
def people(accounts, container_factory, config, tmp_path):  # noqa: F811
    """Every answering service running; an administrator, the officer Quỳnh and the cadre
    Trần Thị Bình (a user bound to her cadre record), each known wherever their events go."""
    config = {**config, "ALERT_INTERVAL_SECONDS": 3600}
    for service in (AssignmentsService, NotificationsService, EscalationsService,
                    MonitorService, VisitsService, MembersService):
        container_factory(service, config).start()
    admin = accounts.create_user(ADMIN)
    admin = {"user_id": admin["user_id"], "role": "administrator"}
    with ServiceRpcProxy("assignments", config, timeout=30) as assignments, \
            ServiceRpcProxy("escalations", config, timeout=30) as escalations, \
            ServiceRpcProxy("monitor", config, timeout=30) as monitor:
        assignments.register_unit({"unit_id": "vp", "name": "Tỉnh ủy Vĩnh Phúc",
                                   "level": "province", "parent_id": None}, admin)
        assignments.register_cadre({"cadre_id": "tran-thi-binh", "full_name": BINH_NAME,
                                    "home_unit_id": "vp", "email": BINH_MAIL,
                                    "phone": BINH_PHONE,
                                    "positions": ["province_committee_member"]}, admin)
        quynh = accounts.create_user(QUYNH, admin)
        binh = accounts.create_user(BINH, admin)
        wait_for(lambda: [o["user_id"] for o in escalations.list_officers(
            {"authority_id": COMMUNE}, OFFICER)["officers"]] == [quynh["user_id"]],
            what="the officer learned")
        for person in (quynh["user_id"], binh["user_id"], "tran-thi-binh"):
            wait_for(lambda: monitor.changes_of({"entity_id": person}, admin)["changes"],
                     what="the audit trail of their records")
        yield {"accounts": accounts, "assignments": assignments, "escalations": escalations,
               "monitor": monitor, "admin": admin, "quynh": quynh, "binh": binh,
               "config": config, "backups": tmp_path / "backups"}


def answered(people, kind, **person):
    """The request recorded, once every service answered it."""
    monitor, admin = people["monitor"], people["admin"]
    recorded = monitor.record_data_subject_request({
        "kind": kind, "name": person.pop("name"), "received_on": dt.date.today().isoformat(),
        **person}, admin)

    def if_answered():
        request = monitor.data_subject_request(recorded["request_id"], admin)
        return request if request["state"] == "answered" else None
    return wait_for(if_answered, timeout=20, what="every service's answer")


def kinds(answer):
    return sorted({record["kind"] for record in answer["found"]})


def access_request_about_the_officer(people):
    """An access request about Quỳnh: every service's answer, and nothing changes."""
    user_id = people["quynh"]["user_id"]
    request = answered(people, "access", name="Lê Thị Quỳnh", user_id=user_id)
    answers = request["answers"]
    assert set(answers) == ANSWERING
    assert answers["accounts"]["found"] == [{"kind": "user", "id": user_id}]
    assert answers["escalations"]["found"] == [{"kind": "officer", "id": user_id}]
    assert answers["notifications"]["found"] == [{"kind": "user", "id": user_id}]
    assert kinds(answers["monitor"]) == ["audit_entry"]
    assert answers["assignments"]["found"] == answers["visits"]["found"] == \
        answers["members"]["found"] == []
    assert not any(answer["removed"] for answer in answers.values())
    # an access request changes nothing
    assert people["accounts"].get_user(user_id, people["admin"])["display_name"] == \
        "Lê Thị Quỳnh"


def holding(backup_folder, *texts):
    """Which texts any store file of the backup holds (free pages included)."""
    files = [path.read_bytes() for path in backup_folder.glob("*.sqlite3")]
    assert files, "the backup holds no store"
    return [text for text in texts if any(text.encode() in data for data in files)]


def test_every_service_answers_and_a_deletion_anonymises_the_person_and_the_next_backup(
        people):
    """(one system start for both requests: the services take ~9 s to start and learn)"""
    access_request_about_the_officer(people)
    users, admin, binh = people["accounts"], people["admin"], people["binh"]
    data = people["config"]["STORE_URI"].removeprefix("embedded:")
    signed_in = sign_in(users, "binh", BINH["password"])
    details = (BINH_NAME, BINH_MAIL, BINH_PHONE)
    before = backup.take(data, people["backups"] / "before")
    assert holding(before, *details) == list(details)  # the check can fail

    request = answered(people, "deletion", name=BINH_NAME, user_id=binh["user_id"],
                       cadre_id="tran-thi-binh")
    answers = request["answers"]
    assert kinds(answers["accounts"]) == ["user"] and answers["accounts"]["removed"]
    assert kinds(answers["assignments"]) == ["cadre"] and answers["assignments"]["removed"]
    assert kinds(answers["notifications"]) == ["cadre", "user"]
    assert kinds(answers["monitor"]) == ["audit_entry"]

    user = users.get_user(binh["user_id"], admin)
    assert (user["display_name"], user["email"], user["enabled"]) == (MARK, None, False)
    assert user["username"] == f"da-xoa-{binh['user_id']}"
    assert (user["role"], user["cadre_id"]) == ("cadre", "tran-thi-binh")  # history stays
    with pytest.raises(Unauthorized):
        sign_in(users, "binh", BINH["password"])
    with pytest.raises(Unauthorized):  # the token she signed in with before is ended
        principal_of(users, signed_in)
    cadre = people["assignments"].get_cadre("tran-thi-binh", admin)
    assert (cadre["full_name"], cadre["email"], cadre.get("phone")) == (MARK, None, None)
    assert people["assignments"].search({"q": "binh"}, admin)["cadres"] == []

    people["monitor"].close_data_subject_request(
        request["request_id"], {"outcome": "Đã xóa; đã báo đồng chí bằng văn bản"}, admin)
    taken = iter(range(100))

    def a_backup_without_her():  # the copies' own events (cadre_contact_changed) may lag
        return holding(backup.take(data, people["backups"] / f"after-{next(taken)}"),
                       *details) == []
    wait_for(a_backup_without_her, timeout=5, interval=0.3, what="a backup without her")
