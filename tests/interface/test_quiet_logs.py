"""An expected refusal (NotFound, InvalidInput, …) is one log line without a traceback, over
RPC and through the gateway; a real bug still logs its traceback."""
import logging

import pytest
from nameko.exceptions import RemoteError
from nameko.standalone.rpc import ServiceRpcProxy

from services.accounts.service import AccountsService
from services.gateway.service import GatewayService
from services.visits.service import VisitsService
from shared import tokens
from shared.errors import NotFound
from shared.rpc import rpc
from shared.store import Store

BINH = {"user_id": "u-binh", "role": "cadre", "cadre_id": "tran-thi-binh"}


class VisitsWithABug(VisitsService):
    db = Store(outbox_collections=["visits"])

    @rpc
    def count_concerns(self, visit_id, principal):  # called as the gateway would
        return len(self.db.visits.find_one({"_id": visit_id})["concerns"])  # None: a bug


def worker_errors(caplog):
    return [r for r in caplog.records
            if r.name == "nameko.containers" and "error handling worker" in r.getMessage()]


def test_a_hundred_not_found_answers_log_no_traceback_and_a_bug_still_does(
        container_factory, config, caplog):
    container_factory(VisitsWithABug, config).start()
    with caplog.at_level(logging.INFO), ServiceRpcProxy("visits", config, timeout=15) as visits:
        for _ in range(100):
            with pytest.raises(NotFound):
                visits.get_visit("no-such-visit", BINH)
        refusals = worker_errors(caplog)
        assert len(refusals) == 100
        assert all(r.levelno == logging.WARNING and r.exc_info is None for r in refusals)
        assert "visit not found" in refusals[0].getMessage()
        assert "Traceback" not in caplog.text

        caplog.clear()
        with pytest.raises(RemoteError, match="TypeError"):
            visits.count_concerns("no-such-visit", BINH)
        [bug] = worker_errors(caplog)
        assert bug.levelno == logging.ERROR and bug.exc_info is not None
        assert "Traceback" in caplog.text and "count_concerns" in caplog.text


def test_gateway_answers_a_refusal_without_logging_a_traceback(
        container_factory, config, web_config, web_session, caplog):
    container_factory(AccountsService, config).start()
    container_factory(GatewayService, {**config, **web_config}).start()
    # well signed (the services' key), for a user accounts never heard of: accounts refuses it
    token = tokens.issue(config["TOKEN_SECRET"], 300, "no-such-user", 0)
    with caplog.at_level(logging.INFO):
        for _ in range(20):
            refused = web_session.get("/visits/no-such-visit",
                                      headers={"Authorization": f"Bearer {token}"})
            assert refused.status_code == 401 and refused.json()["error"] == "UNAUTHORIZED"
        anonymous = web_session.get("/visits/no-such-visit")
        assert anonymous.status_code == 401
    refusals = worker_errors(caplog)
    assert len(refusals) == 20 + 1  # the gateway's refusal, each time
    assert all(r.exc_info is None for r in refusals)
    assert "Traceback" not in caplog.text
