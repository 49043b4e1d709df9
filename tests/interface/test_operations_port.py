"""A service's operations port and housekeeping against a real RabbitMQ: probes in the form
orchestrators read (200/503 naming the failing check), Prometheus text that moves when an
event is handled, and ``processed_events`` pruned after its retention."""
import datetime as dt

import requests
from prometheus_client.parser import text_string_to_metric_families

from shared.consumer import subscribe
from shared.operations_port import OperationsPort
from shared.store import ReportsHealth, Store
from tests.interface.helpers import concern_raised, publish, wait_for


def make_service():
    class RoutingStandIn(ReportsHealth):
        name = "escalations"  # borrows escalations' subscription from the topology
        db = Store(outbox_collections=["cases"])

        @subscribe("concern_raised")
        def route_concern(self, event):
            pass

    return RoutingStandIn


def port_of(container):
    [port] = [dep for dep in container.extensions if isinstance(dep, OperationsPort)]
    return port.port


def handled(base):
    text = requests.get(f"{base}/metrics", timeout=5).text
    return sum(sample.value for family in text_string_to_metric_families(text)
               for sample in family.samples
               if sample.name == "sausat_events_handled_total"
               and sample.labels.get("queue") == "escalations.concern_raised")


def test_probes_metrics_and_a_relay_held_back(container_factory, config):
    container = container_factory(make_service(), {**config,
                                                   "OPERATIONS_ADDRESS": "127.0.0.1:0"})
    container.start()
    base = f"http://127.0.0.1:{port_of(container)}"
    assert requests.get(f"{base}/health/live", timeout=5).json()["status"] == "alive"
    ready = wait_for(lambda: requests.get(f"{base}/health/ready", timeout=5),
                     what="ready")
    assert ready.status_code == 200, ready.text
    assert ready.json()["checks"] == {"broker": "ok", "store": "ok", "outbox_backlog": 0,
                                      "relay": "running"}
    before = handled(base)
    publish(config, concern_raised())
    wait_for(lambda: handled(base) == before + 1, what="the counter to move")
    assert requests.post(f"{base}/metrics", timeout=5).status_code == 405


def test_a_backlog_past_the_limit_is_not_ready(container_factory, config):
    container = container_factory(make_service(), {
        **config, "OPERATIONS_ADDRESS": "127.0.0.1:0", "OUTBOX_RELAY": "paused",
        "READY_BACKLOG_LIMIT": 1})
    container.start()
    base = f"http://127.0.0.1:{port_of(container)}"
    [store] = [dep for dep in container.extensions if isinstance(dep, Store)]
    for number in range(2):
        store.db.cases.insert_one({"_id": f"k{number}", "outbox": [{"event_id": "e"}],
                                   "outbox_pending": True})
    answer = requests.get(f"{base}/health/ready", timeout=5)
    assert answer.status_code == 503
    assert answer.json()["checks"]["outbox_backlog"] == 2
    assert answer.json()["checks"]["relay"] == "paused"
    assert requests.get(f"{base}/health/live", timeout=5).status_code == 200


def test_handled_event_ids_are_pruned_after_their_retention(container_factory, config):
    container = container_factory(make_service(), {
        **config, "PROCESSED_EVENTS_RETENTION_DAYS": 1})
    container.start()
    [store] = [dep for dep in container.extensions if isinstance(dep, Store)]
    now = dt.datetime.now(dt.timezone.utc)
    store.db.processed_events.insert_many([
        {"_id": "q:old", "handled_at": now - dt.timedelta(days=2)},
        {"_id": "q:new", "handled_at": now - dt.timedelta(hours=1)}])
    store.db.sweep_expired()  # what the store's sweep runs every minute
    assert [d["_id"] for d in store.db.processed_events.find({})] == ["q:new"]
