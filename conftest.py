"""Test set-up shared by every layer, and by the tests that sit beside their packages
(``docstore/tests``, ``tooling/tests``): pytest reads this file first for every test path.

eventlet must patch the standard library before anything opens a socket (nameko hangs
otherwise), and nameko 2.14's pytest helpers need three names newer libraries removed.
The RabbitMQ fixtures (``rabbit_config``: a fresh vhost per test) come from nameko's plugin;
``deploy/test.sh`` starts the broker they talk to.
"""
import warnings

warnings.filterwarnings("ignore", message="\nEventlet is deprecated")  # printed at import
import eventlet  # noqa: E402

eventlet.monkey_patch()

import collections  # noqa: E402
import collections.abc  # noqa: E402
import importlib.metadata  # noqa: E402
import uuid  # noqa: E402
from urllib.parse import urljoin  # noqa: E402

import werkzeug  # noqa: E402
import werkzeug.urls  # noqa: E402

collections.Iterable = collections.abc.Iterable
werkzeug.urls.url_join = urljoin
werkzeug.__version__ = importlib.metadata.version("werkzeug")

import pytest  # noqa: E402

import shared.rpc  # noqa: E402,F401 (registers the refusals: RPC callers in tests get their class)
from tests import identities  # noqa: E402
from tests.stores import MONGO_URI, MONGOMOCK_URI, STORE_BACKENDS, open_store  # noqa: E402


@pytest.fixture(params=STORE_BACKENDS)
def store_uri(request, tmp_path):
    """The store URI of each backend under test: the embedded store and mongomock always,
    MongoDB when MONGO_URI is set."""
    if request.param == "embedded":
        yield f"embedded:{tmp_path / 'data'}"
    elif request.param == "mongomock":
        yield MONGOMOCK_URI
    else:
        yield MONGO_URI


@pytest.fixture
def database(store_uri):
    """A database of its own for one test, dropped afterwards."""
    name = f"test_{uuid.uuid4().hex[:12]}"
    client, db = open_store(store_uri, name)
    yield db
    if store_uri.startswith("mongodb"):
        client.drop_database(name)
    client.close()


@pytest.fixture(scope="session")
def broker_identities(rabbit_manager, tmp_path_factory):
    """deploy/rabbitmq/definitions.json's users for this session (tests/identities.py)."""
    made = identities.BrokerIdentities(rabbit_manager, tmp_path_factory.mktemp("keys"))
    yield made
    made.delete()


@pytest.fixture
def config(rabbit_config, tmp_path, broker_identities, monkeypatch):
    """A service configuration on a fresh vhost and a fresh embedded store, with short retries.
    ``AMQP_URI`` is the vhost's admin, for the test itself; each service container connects
    as its own broker user, and RPCs from the test go as the gateway or the loader."""
    broker_identities.grant(rabbit_config["vhost"])
    identities.patch_standalone_proxies(monkeypatch)
    return {
        **rabbit_config,
        **broker_identities.settings(),
        identities.CONFIG_KEY: broker_identities,
        "STORE_URI": f"embedded:{tmp_path / 'data'}",
        # production (the default): each service container connects as its own broker user
        # (container_factory below); the token key is the session's own, not a published one
        "TOKEN_SECRET": identities.TOKEN_SECRET,
        "EVENT_RETRY_DELAYS": [0.2, 0.4],
        "OUTBOX_POLL_SECONDS": 0.05,
        "max_workers": 4,
    }


@pytest.fixture
def container_factory(container_factory):
    """nameko's, with each service connecting as its own broker user when the config is one
    of the ``config`` fixture's."""
    def make(service_cls, config):
        if identities.CONFIG_KEY in config:
            config = identities.service_config(config, service_cls.name)
        return container_factory(service_cls, config)
    return make
