"""Every integration module runs against the same demo system, started once per module: the
services as separate processes on a vhost of their own, the demo registry loaded
(deploy/demo_data.yml) and every demo user signed in. A module that needs a variant says so in
a module-level ``SYSTEM = SystemOptions(...)``, which the ``system`` fixture (conftest.py) reads::

    SYSTEM = SystemOptions(cls=TwoEscalations, test_clock=True)

    def test_something(system):
        requests.get(f"{system.base_url}/me", headers=system.headers["officer"])

``system.headers`` holds each demo user's Authorization headers by username and by the role
they act in (``DEMO_ROLES``; ``anonymous`` sends none); ``system.passwords`` their passwords:
random ones load_demo set, as on an installation outside development (``PASSWORDS`` are the
published ones of the demo data, which only development mode keeps).
``assert_described`` checks an answer against the served OpenAPI description.
"""
import base64
import contextlib
import dataclasses
import functools
import gzip
import json
import shutil

import schemathesis
import yaml

from services.gateway.edge.openapi import openapi_path
from shared.callers import LOADER
from shared.storage import connect
from tests.identities import CONFIG_KEY, declare_topology
from tests.integration.system import TEST_SETTINGS, RunningSystem
from tooling.load_demo import DEMO_DATA, load_demo

DEMO = yaml.safe_load(DEMO_DATA.read_text(encoding="utf-8"))
PASSWORDS = {user["username"]: user["password"] for user in DEMO["users"]}
# the demo user who acts in each role; "officer" is the commune's (UBND xã Tam Hợp)
DEMO_ROLES = {"cadre": "binh", "officer": "tamhop-officer", "district_officer": "binhxuyen-officer",
              "operator": "operator", "administrator": "admin"}


@dataclasses.dataclass(frozen=True)
class SystemOptions:
    """How a module's system differs from the plain demo system."""

    cls: type = RunningSystem  # a subclass, for powers a module's tests need
    settings: dict = dataclasses.field(default_factory=dict)  # every service's environment
    test_clock: bool = False  # a clock file the tests move (shared.clock); sweeps every 0.2 s
    reorganise: bool = False  # also carry out the demo data's 2025 reorganisations
    healthy_within: float = 60  # seconds the services may take to answer /health
    # a folder of gzipped stores (<service>.sqlite3.gz) the services start on, as an older
    # version left them, and the passwords of the users in it
    data_from: object = None
    passwords: dict = dataclasses.field(default_factory=dict)
    # modules whose options are equal and name the same ``shared`` run on one system, kept
    # from the first of them to the last: a start saved per module; their tests must not need
    # a fresh system (each makes its own users, units and concerns)
    shared: str = ""


# the plain demo system shared by the modules that need nothing else (each makes its own data)
PLAIN_SHARED = SystemOptions(shared="plain")


def unpack_stores(folder, data):
    """``folder``'s ``<service>.sqlite3.gz`` into the data folder ``data``, unpacked."""
    data.mkdir(parents=True, exist_ok=True)
    for packed in sorted(folder.glob("*.sqlite3.gz")):
        with gzip.open(packed, "rb") as source, open(data / packed.stem, "wb") as target:
            shutil.copyfileobj(source, target)


def system_options(request):
    options = getattr(request.module, "SYSTEM", SystemOptions())
    if not isinstance(options, SystemOptions):
        raise TypeError(f"{request.module.__name__}.SYSTEM is not a SystemOptions: {options!r}")
    return options


@contextlib.contextmanager
def demo_system(vhost_pipeline, request, tmp_path_factory):
    """The demo system of ``request``'s module (its ``SYSTEM`` options), stopped on leaving."""
    options = system_options(request)
    amqp = request.config.getoption("RABBIT_AMQP_URI").rstrip("/")
    workdir = tmp_path_factory.mktemp(request.module.__name__.rpartition(".test_")[2])
    settings = dict(options.settings)
    if options.data_from is not None:
        unpack_stores(options.data_from, workdir / "data")
    if options.test_clock:
        # every sweep looks every 0.2 s: the meeting reminders' too
        settings.update(TEST_CLOCK_FILE=str(workdir / "clock-offset"),
                        SWEEP_INTERVAL_SECONDS="0.2", MEETING_REMINDER_SWEEP_SECONDS="0.2")
    # each service as its own broker user of definitions.json (tests/identities.py), the
    # topology declared first as the deploy step does, the demo loaded as the loader
    users = request.getfixturevalue("broker_identities")
    with vhost_pipeline.get() as vhost:
        users.grant(vhost)
        admin_uri = f"{amqp}/{vhost}"
        declare_topology({"AMQP_URI": admin_uri, "EVENT_RETRY_DELAYS": settings.get(
            "EVENT_RETRY_DELAYS", TEST_SETTINGS["EVENT_RETRY_DELAYS"])})
        # every user's (deploy and loader too: a supervised system declares the topology)
        running = options.cls(admin_uri, workdir, {
            name: users.uri(admin_uri, name) for name in users.passwords},
            **{**users.settings(), "DECLARE_TOPOLOGY": "false", **settings})
        try:
            running.start_all(healthy_within=options.healthy_within)
            # as the loader; its users get random passwords (not development), as up.sh's do
            loaded = load_demo({"AMQP_URI": users.uri(admin_uri, LOADER)}, DEMO,
                               reorganise=options.reorganise)
            running.passwords = {**options.passwords, **loaded.passwords}
            # for the tests' own RPCs (ClusterRpcProxy, patched in conftest.py): as the
            # gateway with a signed principal, or as the loader (tests/identities.py)
            running.rpc_config = {"AMQP_URI": admin_uri, CONFIG_KEY: users}
            running.headers = sign_in_everyone(running)
            yield running
        finally:
            running.stop_all()


class SharedSystems:
    """The running systems of modules with ``SystemOptions.shared``, by their options: each kept
    while a module still to run asks for the same options, stopped after the last of them (at
    the latest when the session ends). Several may run at once, each on its own vhost."""

    def __init__(self):
        self._kept = []  # [(options, running, stack)]: options hold dicts, so no dict of them

    def get(self, options, start):
        """The running system of ``options``: the kept one, or a new one from ``start()``, a
        context manager."""
        for kept_options, running, _ in self._kept:
            if kept_options == options:
                return running
        stack = contextlib.ExitStack()
        running = stack.enter_context(start())
        self._kept.append((options, running, stack))
        return running

    def release(self, options):
        """Stop the system of ``options``, if one runs."""
        for kept in list(self._kept):
            if kept[0] == options:
                self._kept.remove(kept)
                kept[2].close()

    def close(self):
        for options, _, _ in list(self._kept):
            self.release(options)


def later_module_shares(request, options):
    """Whether a module pytest runs after ``request``'s asks for the same shared system."""
    if not options.shared:
        return False
    items = request.session.items
    last = max(index for index, item in enumerate(items) if item.module is request.module)
    return any(getattr(item.module, "SYSTEM", None) == options for item in items[last + 1:]
               if item.module is not request.module)


def sign_in_everyone(system):
    """Headers of every demo user, by username and by role; "anonymous" has none."""
    by_username = {name: system.sign_in(name, password)
                   for name, password in system.passwords.items()}
    return {"anonymous": {}, **by_username,
            **{role: by_username[username] for role, username in DEMO_ROLES.items()}}


def principal_of(system, who):
    """The principal the gateway acts for when ``who`` (a username or a ``DEMO_ROLES`` role,
    or their headers) calls: found from their token the way the gateway finds it
    (accounts.principal_for)."""
    from nameko.standalone.rpc import ClusterRpcProxy
    headers = who if isinstance(who, dict) else system.headers[who]
    token = headers["Authorization"].split()[1]
    claims = json.loads(base64.urlsafe_b64decode(token.split(".")[1] + "=="))
    with ClusterRpcProxy(system.rpc_config, timeout=30) as cluster:
        return cluster.accounts.principal_for(claims["sub"], claims["ver"])


def audit_events(system, routing_key):
    """The monitor's audit trail of ``routing_key``, newest first, payloads included, read
    from the monitor's own store: over RPC no caller is given payloads any more (an operator
    sees metadata only, and there is no trusted caller without a name)."""
    from services.monitor.store import AUDIT_ORDER
    client, db = connect(system.env["STORE_URI"], "monitor")
    try:
        return [{"event_id": doc["_id"], "routing_key": doc["routing_key"],
                 "occurred_at": doc["occurred_at"].isoformat(), "payload": doc["payload"]}
                for doc in db.audit_trail.find({"routing_key": routing_key}).sort(AUDIT_ORDER)]
    finally:
        client.close()


@functools.cache
def served_description(base_url):
    return schemathesis.openapi.from_url(f"{base_url}/openapi.json", timeout=10)


def assert_described(system, method, rule, response):
    """Fail unless the served OpenAPI description declares this answer: status and body."""
    operation = served_description(system.base_url)[openapi_path(rule)][method.upper()]
    assert str(response.status_code) in operation.responses.status_codes, (
        f"{method} {rule} answered {response.status_code}, which is not described")
    operation.validate_response(response)
