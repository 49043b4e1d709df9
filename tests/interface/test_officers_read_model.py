"""Escalations learns each authority's officers from accounts' events, on the real RabbitMQ
(issue 24): a head assigns cases by name without an RPC to accounts per request. An e-mail
address given to a user travels in ``user_created`` / ``user_contact_changed`` and changes
no token."""
from nameko.standalone.rpc import ServiceRpcProxy

from services.escalations.service import EscalationsService
from tests.interface.helpers import wait_for
from tests.interface.test_accounts import ADMIN, accounts, events_of  # noqa: F401 (fixture)

# an officer of the authority, as the gateway vouches for them
OFFICER = {"user_id": "u-th", "role": "authority_officer", "authority_id": "ubnd-xa-tam-hop"}
HUNG = {"username": "hung", "display_name": "Nguyễn Văn Hùng", "password": "hung-password-1",
        "role": "authority_officer", "authority_id": "ubnd-xa-tam-hop",
        "email": "hung@tamhop.example.vn"}


def test_escalations_lists_the_officers_accounts_created_and_forgets_a_disabled_one(
        accounts, container_factory, config):  # noqa: F811
    container_factory(EscalationsService, config).start()
    admin = accounts.create_user(ADMIN)
    admin = {"user_id": admin["user_id"], "role": "administrator"}
    hung = accounts.create_user(HUNG, admin)
    assert hung["email"] == "hung@tamhop.example.vn"
    an = accounts.create_user({**HUNG, "username": "an", "display_name": "Lê An",
                               "email": None}, admin)
    with ServiceRpcProxy("escalations", config, timeout=30) as escalations:
        def names():
            return [o["display_name"] for o in escalations.list_officers(
                {"authority_id": "ubnd-xa-tam-hop"}, OFFICER)["officers"]]
        wait_for(lambda: names() == ["Lê An", "Nguyễn Văn Hùng"], what="the officers learned")
        changed = accounts.change_user(an["user_id"], {"email": "an@tamhop.example.vn"}, admin)
        assert (changed["email"], changed["tokens_revoked"]) == ("an@tamhop.example.vn", None)
        accounts.change_user(hung["user_id"], {"enabled": False}, admin)
        wait_for(lambda: names() == ["Lê An"], what="the disabled officer forgotten")
    sent = {body["event_type"]: body["payload"] for body in events_of(config)}
    assert sent["user_contact_changed"] == {"user_id": an["user_id"],
                                            "email": "an@tamhop.example.vn"}
