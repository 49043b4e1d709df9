"""The operations port: a tiny HTTP server in every service for Prometheus and orchestrators.

The promise: when ``OPERATIONS_ADDRESS`` (``host:port``) is set, the service answers on it

- ``GET /metrics``: Prometheus text of this process (``shared.metrics``);
- ``GET /health/live``: 200 while the process runs and its event loop answers;
- ``GET /health/ready``: 200 when the broker and the store answer, the outbox relay is running
  and its backlog is below ``READY_BACKLOG_LIMIT``; 503 otherwise, with the failing check named.

It runs beside nameko in the container's own green threads (an extension, not a web
entrypoint), so a service without HTTP entrypoints gets one too, and a busy RPC queue does not
hold the probe up. Port 0 binds a free port (logged). Example::

    $ curl -s localhost:9102/health/ready
    {"status": "ready", "checks": {"broker": "ok", "store": "ok", "relay": "running",
     "outbox_backlog": 0}}
"""
import json
import os
import time
from logging import getLogger

import eventlet
import eventlet.wsgi
from kombu import Connection
from nameko.extensions import DependencyProvider

from shared import metrics
from shared.config import settings

_log = getLogger(__name__)

BROKER_CHECK_SECONDS = 3
BROKER_CACHE_SECONDS = 5  # a probe every second does not open a connection every second


class _QuietLog:
    def write(self, line):
        pass


class OperationsPort(DependencyProvider):
    def setup(self):
        self.settings = settings(self.container.config)
        self.address = self.settings["OPERATIONS_ADDRESS"]
        self.socket = None
        self._broker = (0.0, None)  # (checked at, problem or None)

    def start(self):
        if not self.address:
            return
        host, _, port = self.address.rpartition(":")
        port = int(port)
        if port:  # the n-th supervised process of a service (tooling/supervisor_config.py)
            port += int(os.environ.get("OPERATIONS_PORT_OFFSET") or 0)
        self.socket = eventlet.listen((host or "0.0.0.0", port))
        self.port = self.socket.getsockname()[1]
        _log.info("operations port on %s:%d (/metrics, /health/live, /health/ready)",
                  host, self.port)
        self.container.spawn_managed_thread(self._serve, identifier="operations_port")

    def stop(self):
        if self.socket is not None:
            self.socket.close()
            self.socket = None

    def kill(self):
        self.stop()

    def _serve(self):
        try:
            eventlet.wsgi.server(self.socket, self.app, log=_QuietLog(), log_output=False,
                                 socket_timeout=10)
        except (OSError, ValueError):  # closed at stop
            pass

    def app(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if environ.get("REQUEST_METHOD") not in ("GET", "HEAD"):
            return self._answer(start_response, 405, {"error": "only GET is served"})
        if path == "/metrics":
            self.readiness()  # refreshes the backlog gauge
            start_response("200 OK", [("Content-Type", metrics.CONTENT_TYPE)])
            return [metrics.exposition()]
        if path == "/health/live":
            return self._answer(start_response, 200, {"status": "alive",
                                                      "service": self.container.service_name})
        if path == "/health/ready":
            checks, ready = self.readiness()
            return self._answer(start_response, 200 if ready else 503, {
                "status": "ready" if ready else "not ready",
                "service": self.container.service_name, "checks": checks})
        return self._answer(start_response, 404, {"error": f"nothing at {path}"})

    @staticmethod
    def _answer(start_response, status, body):
        phrases = {200: "OK", 404: "Not Found", 405: "Method Not Allowed",
                   503: "Service Unavailable"}
        start_response(f"{status} {phrases[status]}", [("Content-Type", "application/json")])
        return [json.dumps(body).encode() + b"\n"]

    # --- the checks ---------------------------------------------------------------------------

    def readiness(self):
        """``(checks, ready)``: each check's finding, and whether all of them pass."""
        checks = {"broker": self._check_broker()}
        ready = checks["broker"] == "ok"
        store = self._store()
        if store is not None:
            try:
                backlog = store.outbox_backlog()
                checks["store"] = "ok"
                checks["outbox_backlog"] = backlog
                metrics.OUTBOX_BACKLOG.set(backlog)
                if backlog > self.settings["READY_BACKLOG_LIMIT"]:
                    ready = False
            except Exception as error:
                checks["store"] = f"error: {error}"
                ready = False
            checks["relay"] = store.relay_state()
            ready = ready and checks["relay"] in ("running", "none", "paused")
        return checks, ready

    def _store(self):
        # the service's store (shared.store.Store), known by what readiness asks of it: the store
        # declares this port, so naming its class here would be an import circle
        stores = [dep for dep in self.container.dependencies
                  if callable(getattr(dep, "outbox_backlog", None))
                  and callable(getattr(dep, "relay_state", None))]
        return stores[0] if stores else None

    def _check_broker(self):
        checked_at, problem = self._broker
        if time.monotonic() - checked_at > BROKER_CACHE_SECONDS:
            try:
                with Connection(self.settings["AMQP_URI"],
                                connect_timeout=BROKER_CHECK_SECONDS) as connection:
                    connection.ensure_connection(max_retries=1)
                problem = None
            except Exception as error:
                problem = f"unreachable: {error}"
            self._broker = (time.monotonic(), problem)
        return problem or "ok"
