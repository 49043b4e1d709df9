"""Broker URIs naming a cluster's nodes (shared/broker_uri.py), as settings read them: kombu's
``;``-separated alternates for AMQP, a list tried in turn for the management API."""
import doctest

import pytest

from shared import broker_uri
from shared.config import settings
from shared.errors import ConfigError

NODES = ("amqp://visits:{p}@127.0.0.1:5701/v;amqp://visits:{p}@127.0.0.1:5702/v;"
         "amqp://visits:{p}@127.0.0.1:5703/v")
SECRET = "s3cret-enough-for-production-x"


def test_the_module_examples_hold():
    assert doctest.testmod(broker_uri).failed == 0


def test_user_vhost_and_password_are_read_from_a_list_of_nodes():
    uri = NODES.format(p=SECRET)
    assert broker_uri.user(uri) == "visits"
    assert broker_uri.vhost(uri) == "v"
    assert broker_uri.password(uri) == SECRET
    assert broker_uri.vhost("amqp://a:b@h:1/") == "/"
    assert broker_uri.vhost("amqp://a:b@h:1/%2Ftest") == "/test"


def test_with_user_rewrites_every_node_and_quotes_the_secret():
    uri = broker_uri.with_user(NODES.format(p="x"), "loader-t1", "a/b@c")
    assert broker_uri.alternates(uri) == [
        f"amqp://loader-t1:a%2Fb%40c@127.0.0.1:570{n}/v" for n in (1, 2, 3)]
    assert broker_uri.password(uri) == "a%2Fb%40c"


@pytest.mark.parametrize("uri, why", [
    ("amqp://a:b@h1:5701/v;amqp://c:b@h2:5702/v", "same user, password and virtual host"),
    ("amqp://a:b@h1:5701/v;amqp://a:b@h2:5702/w", "same user, password and virtual host"),
    ("amqp://a:b@h1:5701/v;http://a:b@h2:5702/v", "each node must be"),
    ("amqp://a:b@h1:57x1/v", "is not a valid URI"),
    (";", "names no node"),
])
def test_a_list_that_is_not_one_brokers_nodes_is_refused_by_name(uri, why):
    assert why in broker_uri.problem(uri, ("amqp",))


def test_settings_take_a_cluster_and_refuse_a_mixed_one_naming_the_key():
    config = {"AMQP_URI": NODES.format(p=SECRET), "TOKEN_SECRET": "t" * 40,
              "RABBIT_MANAGEMENT_URI": "http://m:p@127.0.0.1:15701;http://m:p@127.0.0.1:15702"}
    assert settings(config)["AMQP_URI"] == config["AMQP_URI"]
    with pytest.raises(ConfigError, match="AMQP_URI.*same user"):
        settings({**config, "AMQP_URI": config["AMQP_URI"] + ";amqp://guest:guest@h:1/v"})
    with pytest.raises(ConfigError, match="RABBIT_MANAGEMENT_URI"):
        settings({**config, "RABBIT_MANAGEMENT_URI": "ftp://h:1"})


def test_production_refuses_a_published_password_on_any_node_list():
    config = {"AMQP_URI": NODES.format(p="guest"), "TOKEN_SECRET": "t" * 40,
              "DEPLOYMENT_MODE": "production"}
    with pytest.raises(ConfigError, match="AMQP_URI"):
        settings(config)


def test_the_monitor_asks_the_next_node_when_one_is_down_or_paused():
    import http.server
    import threading

    from services.monitor.queues import management_request
    from shared.errors import Unavailable
    from tooling.launcher import free_port

    class Node(http.server.BaseHTTPRequestHandler):
        status = 200

        def do_GET(self):
            self.send_response(self.status)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(b'[{"name": "visits.case_life"}]')

        def log_message(self, *args):
            pass

    class Paused(Node):
        status = 503  # a node paused in a minority

    servers = [http.server.HTTPServer(("127.0.0.1", 0), handler) for handler in (Paused, Node)]
    for server in servers:
        threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        down = free_port()  # nobody listens there
        nodes = ";".join([f"http://m:p@127.0.0.1:{down}",
                          *(f"http://m:p@127.0.0.1:{s.server_port}" for s in servers)])
        assert management_request(nodes, "/api/queues") == [{"name": "visits.case_life"}]
        with pytest.raises(Unavailable, match=f"127.0.0.1:{down}.*503"):
            management_request(nodes.rsplit(";", 1)[0], "/api/queues")
    finally:
        for server in servers:
            server.shutdown()


def test_no_password_of_any_node_reaches_the_logs(caplog):
    import logging

    from nameko.messaging import QueueConsumer

    import shared.rpc  # noqa: F401 (installs the mask, as every service does by importing it)
    uri = NODES.format(p=SECRET)
    class Consumer(QueueConsumer):
        amqp_uri = uri

    with caplog.at_level(logging.WARNING):
        # nameko's own line, as a service logs it while the broker is away
        Consumer.on_connection_error(Consumer.__new__(Consumer), ConnectionRefusedError("x"), 1)
        logging.getLogger("kombu.connection").warning("cannot reach %s", uri)
    assert SECRET not in caplog.text
    assert caplog.text.count("visits:********@127.0.0.1:570") == 6
    assert broker_uri.masked("see http://m:p@h:1/x and mongodb://u:s3@h/db") == \
        "see http://m:********@h:1/x and mongodb://u:********@h/db"
