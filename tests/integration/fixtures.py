"""A running system with the demo registry, shared by the HTTP-level tests of one module."""
import contextlib

import yaml

from deploy.load_demo import DEMO_DATA, load_demo
from tests.integration.system import RunningSystem


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
