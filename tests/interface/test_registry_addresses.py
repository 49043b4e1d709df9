"""Addresses in the registry: escalations and assignments in containers on the real RabbitMQ.
Registering again with only a new e-mail address changes it (an administrator re-imports the
sheet) and says so in an event; anything else that differs is still refused. The notifications
service then mails the new address."""
import pytest
from nameko.standalone.rpc import ServiceRpcProxy

from services.assignments.service import AssignmentsService
from services.escalations.service import EscalationsService
from services.notifications.service import NotificationsService
from shared.errors import Conflict, InvalidInput
from shared.store import Store
from tests.interface.helpers import drain, publish, wait_for
from tests.interface.test_notifications import case_routed, raise_concern
from tests.mail import MailCatcher

UBND = {"authority_id": "ubnd-xa-tam-hop", "name": "UBND xã Tam Hợp",
        "kind": "peoples_committee", "level": "grassroots", "unit_id": "vp.bx.tam-hop",
        "email": "ubnd-xa-tam-hop@vinhphuc.example"}
NEW_ADDRESS = "vanthu.ubnd-xa-tam-hop@vinhphuc.example"


def directory_events(config, seen):
    seen.extend(body for body, _ in drain(config, "notifications.learn_then_tell"))
    return seen


def test_an_authority_registered_again_with_a_new_address_changes_only_that(
        container_factory, config):
    container_factory(EscalationsService, config).start()
    with ServiceRpcProxy("escalations", config, timeout=15) as escalations:
        assert escalations.register_authority(UBND)["email"] == UBND["email"]
        escalations.register_authority(UBND)  # a re-run import: nothing new
        changed = escalations.register_authority({**UBND, "email": NEW_ADDRESS})
        assert changed["email"] == NEW_ADDRESS
        assert [a["email"] for a in escalations.list_authorities()["authorities"]] == [NEW_ADDRESS]
        with pytest.raises(Conflict):
            escalations.register_authority({**UBND, "name": "UBND phường Tam Hợp",
                                            "email": "x@vinhphuc.example"})
        with pytest.raises(InvalidInput) as bad:
            escalations.register_authority({**UBND, "email": "not an address"})
        assert set(bad.value.fields) == {"email"}

    seen = []
    wait_for(lambda: len(directory_events(config, seen)) >= 2, what="two registry events")
    assert [(e["event_type"], e["payload"]["email"]) for e in seen] == [
        ("authority_registered", UBND["email"]), ("authority_contact_changed", NEW_ADDRESS)]


def test_a_cadre_registered_again_with_a_new_address_says_so(container_factory, config):
    container_factory(AssignmentsService, config).start()
    cadre = {"cadre_id": "tran-thi-binh", "full_name": "Trần Thị Bình", "home_unit_id": "vp",
             "positions": ["district_committee_member"]}
    with ServiceRpcProxy("assignments", config, timeout=15) as assignments:
        assignments.register_unit({"unit_id": "vp", "name": "Tỉnh ủy", "level": "province"})
        assert assignments.register_cadre(cadre)["email"] is None
        changed = assignments.register_cadre({**cadre, "email": "binh@vinhphuc.example"})
        assert changed["email"] == "binh@vinhphuc.example"
    seen = []
    wait_for(lambda: [e for e in directory_events(config, seen)
                      if e["event_type"] == "cadre_contact_changed"], what="the change")
    assert [e["payload"]["email"] for e in seen if e["event_type"] == "cadre_contact_changed"] \
        == ["binh@vinhphuc.example"]


def test_mail_goes_to_the_new_address_after_a_change(container_factory, config, tmp_path):
    catcher = MailCatcher(tmp_path / "mail")
    catcher.start()
    try:
        mail_config = {**config, "SMTP_HOST": "127.0.0.1", "SMTP_PORT": catcher.port,
                       "MAIL_POLL_SECONDS": 0.05}
        container_factory(EscalationsService, mail_config).start()
        notifications = container_factory(NotificationsService, mail_config)
        notifications.start()
        [store] = [dep for dep in notifications.dependencies if isinstance(dep, Store)]
        with ServiceRpcProxy("escalations", mail_config, timeout=15) as escalations:
            escalations.register_authority(UBND)
            escalations.register_authority({**UBND, "email": NEW_ADDRESS})
        concern = raise_concern(mail_config)
        # the directory has taken in the change (events on one queue run concurrently)
        wait_for(lambda: store.db.authorities.find_one({"email": NEW_ADDRESS, "name": {
            "$exists": True}}), what="the new address in the directory")
        publish(mail_config, case_routed(concern))
        [mail] = wait_for(catcher.mail, timeout=20, what="the mail")
        assert mail["X-RcptTo"] == NEW_ADDRESS
    finally:
        catcher.stop()
