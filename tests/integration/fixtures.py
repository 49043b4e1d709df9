"""A running system with the demo registry for HTTP-level tests, and its served description."""
import contextlib
import functools

import schemathesis
import yaml

from services.gateway.edge.openapi import openapi_path
from tests.integration.system import RunningSystem
from tooling.load_demo import DEMO_DATA, load_demo


@contextlib.contextmanager
def demo_system(vhost_pipeline, request, tmp_path_factory):
    amqp = request.config.getoption("RABBIT_AMQP_URI").rstrip("/")
    with vhost_pipeline.get() as vhost:
        running = RunningSystem(f"{amqp}/{vhost}", tmp_path_factory.mktemp("system"))
        try:
            running.start_all()
            with open(DEMO_DATA, encoding="utf-8") as handle:
                load_demo({"AMQP_URI": running.env["AMQP_URI"]}, yaml.safe_load(handle))
            yield running
        finally:
            running.stop_all()


@functools.cache
def served_description(base_url):
    return schemathesis.openapi.from_url(f"{base_url}/openapi.json", timeout=10)


def assert_described(system, method, rule, response):
    """Fail unless the served OpenAPI description declares this answer: status and body."""
    operation = served_description(system.base_url)[openapi_path(rule)][method.upper()]
    assert str(response.status_code) in operation.responses.status_codes, (
        f"{method} {rule} answered {response.status_code}, which is not described")
    operation.validate_response(response)
