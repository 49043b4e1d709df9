"""After a restore a service re-publishes what it retained (shared.event_log), at its first
start only: an event RabbitMQ confirmed after a consumer's backup reaches that consumer again.
The visits service is started on a store as tooling.backup restores it."""
import datetime as dt
import time

from kombu import Connection

from services.visits.service import VisitsService
from shared import event_log, topology
from shared.storage import connect
from tests.interface.helpers import concern_raised, drain, wait_for

CONCERNS = "escalations.concern_raised"


def restored_store(config, envelopes, backup_id="2026-12-06T23-50-00Z"):
    client, db = connect(config["STORE_URI"], "visits")
    event_log.retain(db, envelopes, now=dt.datetime.now(dt.timezone.utc)
                     - dt.timedelta(hours=1))
    if backup_id:
        event_log.mark_restored(db, backup_id)
    return client, db


def test_the_first_start_after_a_restore_republishes_the_retained_events_once(
        container_factory, config):
    with Connection(config["AMQP_URI"]) as connection:
        topology.declare(connection, config["EVENT_RETRY_DELAYS"])
    retained = [concern_raised(), concern_raised()]
    client, db = restored_store(config, retained)
    container = container_factory(VisitsService, config)
    container.start()
    received = []
    wait_for(lambda: received.extend(drain(config, CONCERNS)) or len(received) >= 2,
             what="the retained concern_raised events re-published")
    assert sorted(body["event_id"] for body, _ in received) == sorted(
        e["event_id"] for e in retained)
    wait_for(lambda: not event_log.restores_to_republish(db), what="the restore recorded")
    assert db.store_restores.find_one({})["republished"] == 2

    container.stop()
    container_factory(VisitsService, config).start()  # the next start: nothing again
    wait_for(lambda: db.schema_migrations.find_one({}) is not None, what="started")
    assert drain(config, CONCERNS) == []
    client.close()


def test_without_a_restore_the_retained_events_stay_in_the_log(container_factory, config):
    with Connection(config["AMQP_URI"]) as connection:
        topology.declare(connection, config["EVENT_RETRY_DELAYS"])
    client, db = restored_store(config, [concern_raised()], backup_id=None)
    container_factory(VisitsService, config).start()
    time.sleep(0.5)  # several relay passes
    assert drain(config, CONCERNS) == []
    assert db.event_log.count_documents({}) == 1
    client.close()
