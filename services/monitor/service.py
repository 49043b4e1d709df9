"""Monitor service: records every event once (keyed by event id) and reports queue health.

Queue figures come from RabbitMQ's management API: per queue the messages ready and
unacknowledged and the consumers; the dead-letter queues (``*.dead``) are flagged so an operator
sees at once what failed for good.
"""
from logging import getLogger
from urllib.parse import quote, urlsplit

import requests
from nameko.dependency_providers import Config

from services.monitor.schemas import RecentEventsQuery
from shared.authorisation import principal_from, require
from shared.config import settings
from shared.consumer import subscribe
from shared.errors import Unavailable, load_payload
from shared.pages import read_page
from shared.rpc import rpc
from shared.storage import DuplicateKeyError
from shared.store import ReportsHealth, Store
from shared.topology import SUBSCRIPTIONS

_log = getLogger(__name__)


AUDIT_ORDER = [("occurred_at", -1), ("_id", -1)]
OUR_QUEUE_PREFIXES = tuple(sorted({f"{sub.service}." for sub in SUBSCRIPTIONS}))


def management_request(base_uri, path, timeout=5):
    parts = urlsplit(base_uri)
    url = f"{parts.scheme}://{parts.hostname}:{parts.port or 15672}{path}"
    try:
        response = requests.get(url, auth=(parts.username or "guest", parts.password or "guest"),
                                timeout=timeout)
        response.raise_for_status()
    except requests.RequestException as error:
        raise Unavailable(f"RabbitMQ management API did not answer: {error}") from None
    return response.json()


class MonitorService(ReportsHealth):
    name = "monitor"
    db = Store(indexes={"audit_trail": [([("occurred_at", -1), ("_id", -1)], {}),
                                        ([("routing_key", 1), ("occurred_at", -1)], {})]})
    config = Config()

    @subscribe("audit")
    def record_event(self, event):
        try:
            self.db.audit_trail.insert_one({
                "_id": event.event_id,
                "routing_key": event.event_type.routing_key,
                "occurred_at": event.occurred_at,
                "actor": event.actor,
                "payload": event.event_type.schema.dump(event.payload),
            })
        except DuplicateKeyError:
            pass  # recorded already: one entry per event

    @rpc
    def recent_events(self, query=None, principal=None):
        """The latest events. A user (an operator) sees their metadata only, never payloads
        (names and texts of concerns); ``principal`` None is an internal caller."""
        principal = require(principal_from(principal), "monitor.read")
        query = load_payload(RecentEventsQuery(), query or {}, "query")
        page = read_page(self.db.audit_trail, {}, AUDIT_ORDER, query)
        events = []
        for doc in page["items"]:
            event = {"event_id": doc["_id"], "routing_key": doc["routing_key"],
                     "occurred_at": doc["occurred_at"].isoformat(), "actor": doc.get("actor")}
            if principal is None:
                event["payload"] = doc["payload"]
            events.append(event)
        return {"events": events, "next_cursor": page["next_cursor"]}

    @rpc
    def queue_overview(self, principal=None):
        require(principal_from(principal), "monitor.read")
        config = settings(self.config)
        vhost = quote(urlsplit(config["AMQP_URI"]).path[1:] or "/", safe="")
        queues = management_request(
            config["RABBIT_MANAGEMENT_URI"],
            f"/api/queues/{vhost}?columns=name,messages_ready,messages_unacknowledged,consumers")
        return [{"queue": q["name"], "ready": q.get("messages_ready", 0),
                 "unacknowledged": q.get("messages_unacknowledged", 0),
                 "consumers": q.get("consumers", 0), "dead_letters": q["name"].endswith(".dead")}
                for q in sorted(queues, key=lambda q: q["name"])
                if q["name"].startswith(OUR_QUEUE_PREFIXES)]
