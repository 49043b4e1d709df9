"""The services, once. Everything that can import Python reads this list (the launcher, the
supervisor's configuration, the monitor's health watch, the gateway's operations view); the
files that cannot (``docker-compose.yml``, ``deploy/rabbitmq/definitions.json``,
``deploy/prometheus.yml``) are checked against it by ``tests/unit/test_service_list.py``, and so
is the folder of each, ``services/<name>/service.py``.

In start order: the gateway, the front door to the others, last.
"""
SERVICES = ("assignments", "visits", "escalations", "notifications", "accounts", "imports",
            "members", "monitor", "gateway")
GATEWAY = "gateway"
# the services behind the gateway, whose health the operators watch
BACKEND_SERVICES = tuple(name for name in SERVICES if name != GATEWAY)


def service_class(name):
    """The nameko class of ``services/<name>/service.py``: ``EscalationsService``."""
    return f"{name.capitalize()}Service"
