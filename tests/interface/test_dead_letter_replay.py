"""Dead letters against a real RabbitMQ: a malformed message and a failing handler both land in
the dead-letter list with their errors; after the handler is fixed a replay has exactly one
effect, a second replay of the same event none; a discard says why; every action recorded."""
import pytest
from nameko.standalone.rpc import ServiceRpcProxy

from services.monitor.service import MonitorService
from shared.consumer import subscribe
from shared.errors import InvalidInput
from shared.messaging import ConfirmedPublisher
from shared.store import Store
from tests.interface.helpers import concern_raised, drain, publish, wait_for

QUEUE = "escalations.concern_raised"
DEAD = "escalations.concern_raised.dead"
OPERATOR = {"user_id": "op-1", "role": "operator", "cadre_id": None, "authority_id": None}


class Handler:
    """The handler's behaviour, switched by the test: broken, then fixed."""
    broken = True
    effects = None  # the stand-in service's database, once it ran


def make_stand_in():
    class RoutingStandIn:
        name = "escalations"  # borrows escalations' subscription from the topology
        db = Store()

        @subscribe("concern_raised")
        def route_concern(self, event):
            if Handler.broken:
                raise RuntimeError("routing table missing")
            # the effect, keyed by the event: an insert-if-absent would absorb a repeat too,
            # but this one counts every run, so a second run would show
            self.db.effects.insert_one({"event_id": event.event_id})
            Handler.effects = self.db

    return RoutingStandIn


@pytest.fixture
def running(container_factory, config):
    Handler.broken, Handler.effects = True, None
    stand_in = container_factory(make_stand_in(), config)
    stand_in.start()
    monitor = container_factory(MonitorService, {**config, "ALERT_INTERVAL_SECONDS": 3600})
    monitor.start()
    return stand_in


def dead_letters(config, **query):
    with ServiceRpcProxy("monitor", config) as monitor:
        return monitor.dead_letters(query, OPERATOR)


def letters_of(config):
    queues = dead_letters(config, queue=DEAD)["queues"]
    return queues[0]["letters"]


def malformed(config):
    """Bytes no JSON parser reads, published as JSON to the consumer's queue."""
    ConfirmedPublisher(config["AMQP_URI"]).publish_raw(
        b"{not json", exchange="", routing_key=QUEUE, content_type="application/json",
        content_encoding="utf-8", headers={})


def test_poisoned_queue_lists_both_replay_has_one_effect_and_every_action_is_recorded(
        running, config):
    event = concern_raised()
    publish(config, event)
    malformed(config)

    letters = wait_for(lambda: len(letters_of(config)) == 2 and letters_of(config),
                       what="two dead letters")
    by_event = {letter["event_id"]: letter for letter in letters}
    failed, unreadable = by_event[event["event_id"]], by_event[None]
    assert failed["error"] == "RuntimeError: routing table missing"
    assert failed["attempts"] == 3  # the first try and one retry per delay (0.2 s, 0.4 s)
    assert failed["failed_on"] == QUEUE and failed["event_type"] == "concern_raised"
    assert failed["decodable"] and failed["failed_at"]
    assert "payload" not in failed and "summary" not in str(failed)  # metadata only
    assert unreadable["decodable"] is False and "cannot be decoded" in unreadable["error"]
    # listing took nothing away
    assert len(letters_of(config)) == 2

    with ServiceRpcProxy("monitor", config) as monitor:
        shown = monitor.dead_letter(failed["letter_id"], OPERATOR)
        assert "Traceback" in shown["traceback"] and "routing table missing" in shown["traceback"]

        Handler.broken = False  # the fix is deployed
        outcome = monitor.replay_dead_letters(
            {"letter_ids": [failed["letter_id"]], "reason": "routing table restored"}, OPERATOR)
        assert [d["event_id"] for d in outcome["done"]] == [event["event_id"]]
        assert outcome["not_found"] == []
        wait_for(lambda: Handler.effects is not None
                 and Handler.effects.effects.count_documents({}) == 1, what="the effect")

        # the same event replayed again (a duplicate a crash could leave): no second effect
        publish(config, event)
        wait_for(lambda: drain(config, QUEUE) == [], what="the duplicate consumed")
        assert Handler.effects.effects.count_documents({"event_id": event["event_id"]}) == 1

        # the malformed one cannot be fixed by replaying: discarded, saying why
        with pytest.raises(Exception) as refused:
            monitor.discard_dead_letters({"letter_ids": [unreadable["letter_id"]]}, OPERATOR)
        assert "reason" in str(refused.value)
        outcome = monitor.discard_dead_letters(
            {"letter_ids": [unreadable["letter_id"]], "reason": "not JSON; sender fixed"},
            OPERATOR)
        assert [d["letter_id"] for d in outcome["done"]] == [unreadable["letter_id"]]

        assert letters_of(config) == []
        actions = monitor.dead_letter_actions({}, OPERATOR)["actions"]
        assert [(a["action"], a["by"], a["reason"], a["event_id"]) for a in actions] == [
            ("discarded", "op-1", "not JSON; sender fixed", None),
            ("replayed", "op-1", "routing table restored", event["event_id"]),
        ]
    assert Handler.effects.effects.count_documents({}) == 1


def test_replaying_an_unknown_letter_changes_nothing(running, config):
    publish(config, concern_raised())
    wait_for(lambda: len(letters_of(config)) == 1, what="a dead letter")
    with ServiceRpcProxy("monitor", config) as monitor:
        with pytest.raises(Exception) as missing:
            monitor.replay_dead_letters({"letter_ids": ["0" * 24]}, OPERATOR)
        assert type(missing.value).__name__ == "NotFound" and "0" * 24 in str(missing.value)
        with pytest.raises(Exception) as refused:
            monitor.replay_dead_letters({"letter_ids": ["0" * 24], "all": True}, OPERATOR)
        assert "letter_ids" in str(refused.value)
        with pytest.raises(Exception) as refused:
            monitor.replay_dead_letters({"all": True}, {**OPERATOR, "role": "administrator"})
        assert "monitor.operate" in str(refused.value)
    assert len(letters_of(config)) == 1


def test_selection_is_checked_field_by_field():
    from shared.contracts.rpc.operations import DiscardSelection
    from shared.errors import load_payload
    with pytest.raises(InvalidInput) as refused:
        load_payload(DiscardSelection(), {"letter_ids": ["xyz"], "reason": ""}, "selection")
    assert set(refused.value.fields) == {"letter_ids", "reason"}
