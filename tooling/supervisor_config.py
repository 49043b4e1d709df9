"""The supervisord configuration that runs every service, generated from deploy/supervisor/.

The promise: one program per service (``services/<name>/service.py``, class ``<Name>Service``),
each restarted by supervisord within about a second whenever it exits, logging to
``<var>/log/<process>.log``, with supervisord's socket and pid under ``<var>/run``. The
environment overrides of deploy/config.yml that are set when the configuration is generated are
written into it, so the file says exactly what the services run with. A setting that cannot work
is refused with a :class:`SettingError` naming it, and nothing is written.

``INSTANCES_<SERVICE>`` (default 1) runs that many processes of a service as competing
consumers of its queues. The gateway binds one port, so it stays at one.

Example::

    >>> layout = Layout(pathlib.Path("/tmp/sausat-var"))
    >>> text = render(layout, {"INSTANCES_VISITS": "2", "GATEWAY_ADDRESS": "127.0.0.1:18080"})
    >>> "numprocs=2" in text and 'GATEWAY_ADDRESS="127.0.0.1:18080"' in text
    True
"""
import dataclasses
import pathlib
import re
import string
import sys

from shared import broker_uri, config
from shared.services import GATEWAY, SERVICES, service_class

ROOT = pathlib.Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "deploy" / "supervisor"
CONFIG_FILE = ROOT / "deploy" / "config.yml"
MAX_INSTANCES = 16
START_RETRIES = 5
SOCKET_PATH_LIMIT = 100  # AF_UNIX paths stop at 107 bytes on Linux
# Not named in deploy/config.yml, yet the services' behaviour depends on them
EXTRA_ENVIRONMENT = ("PYTHONWARNINGS", "HEALTH_RESTART_SECONDS")
# every process's /metrics and probes, on by default (Prometheus scrapes them, see
# tooling/prometheus_config.py); 9100 is left to a node exporter
OPERATIONS_BASE_PORT = "9400"


class SettingError(ValueError):
    """A setting that cannot work; the message names it and says what would."""


@dataclasses.dataclass(frozen=True)
class Layout:
    """Where a supervised system keeps its runtime files (``var/`` of the checkout by default)."""

    var: pathlib.Path

    @property
    def config(self):
        return self.var / "supervisord.conf"

    @property
    def run_dir(self):
        return self.var / "run"

    @property
    def log_dir(self):
        return self.var / "log"

    @property
    def socket(self):
        return self.run_dir / "supervisord.sock"

    @property
    def pidfile(self):
        return self.run_dir / "supervisord.pid"

    @property
    def prometheus_dir(self):
        """The scrape configuration and alert rules of this layout (tooling/prometheus_config)."""
        return self.var / "prometheus"


def discover_services():
    """Every service (shared.services), the gateway last (it is the front door to the others)."""
    return list(SERVICES)


def instance_counts(environ, services):
    """``{service: processes}`` from ``INSTANCES_<SERVICE>``; refuses typos and bad counts."""
    known = {f"INSTANCES_{name.upper()}": name for name in services}
    for key in environ:
        if key.startswith("INSTANCES_") and key not in known:
            raise SettingError(f"{key}: there is no such service; set one of "
                               f"{', '.join(sorted(known))}")
    counts = {}
    for key, name in known.items():
        raw = environ.get(key, "").strip() or "1"
        if not raw.isdigit() or not 1 <= int(raw) <= MAX_INSTANCES:
            raise SettingError(f"{key}={raw!r}: must be a whole number from 1 to {MAX_INSTANCES}")
        if name == GATEWAY and int(raw) != 1:
            raise SettingError(
                f"{key}={raw}: the gateway binds one port (GATEWAY_ADDRESS), so it runs as one "
                "process; run more instances of the services behind it instead")
        counts[name] = int(raw)
    return counts


def config_names(config_file=CONFIG_FILE):
    """The names deploy/config.yml takes from the environment (``${NAME:default}``)."""
    return sorted(set(re.findall(r"\$\{([A-Za-z_][A-Za-z0-9_]*)", config_file.read_text())))


def service_environment(environ, config_file=CONFIG_FILE):
    """The overrides set in ``environ`` that the services read, in a stable order."""
    names = [*config_names(config_file), *EXTRA_ENVIRONMENT]
    return {name: environ[name] for name in names if name in environ}


def environment_line(values):
    """supervisord's ``environment=K="v",...``; refuses what its parser would misread."""
    pairs = []
    for name, value in values.items():
        if any(bad in value for bad in ('"', "\n", "\r", " ;", " #", "\t;", "\t#")):
            raise SettingError(f"{name}={value!r}: supervisord cannot carry a value with a "
                               "double quote, a line break, or ' ;' / ' #' (read as a comment)")
        pairs.append(f'{name}="{value.replace("%", "%%")}"')
    return f"environment={','.join(pairs)}\n" if pairs else ""


def operations_addresses(environ, services):
    """``{service: OPERATIONS_ADDRESS}`` from ``OPERATIONS_BASE_PORT`` (default
    :data:`OPERATIONS_BASE_PORT`; ``off``: none): each service from ``base + 20 * its
    place``; each process of it adds its number (``OPERATIONS_PORT_OFFSET``), so every
    supervised process has a port of its own, on ``OPERATIONS_HOST`` (loopback unless set)."""
    raw = environ.get("OPERATIONS_BASE_PORT", "").strip() or OPERATIONS_BASE_PORT
    if raw == "off":
        return {}
    if not raw.isdigit() or not 1024 <= int(raw) <= 65535 - 20 * len(services):
        raise SettingError(f"OPERATIONS_BASE_PORT={raw!r}: must be a port from 1024 to "
                           f"{65535 - 20 * len(services)} (20 ports per service follow it)")
    host = environ.get("OPERATIONS_HOST", "127.0.0.1")
    return {name: f"{host}:{int(raw) + 20 * place}" for place, name in enumerate(services)}


def gateway_address(environ):
    return environ.get("GATEWAY_ADDRESS", config.defaults()["WEB_SERVER_ADDRESS"])


def health_url(environ):
    """Where the gateway of this environment answers /health, from this machine."""
    host, port = gateway_address(environ).rsplit(":", 1)
    return f"http://{'127.0.0.1' if host in ('', '0.0.0.0') else host}:{port}/health"


def health_restart_seconds(environ):
    raw = environ.get("HEALTH_RESTART_SECONDS", "").strip() or "0"  # off: see health_watch
    try:
        seconds = float(raw)
    except ValueError:
        seconds = -1
    if not (seconds == 0 or 5 <= seconds <= 86400):  # under 5 s a starting gateway looks hung
        raise SettingError(f"HEALTH_RESTART_SECONDS={raw!r}: must be 0 (never restart a hung "
                           "service) or seconds from 5 to 86400")
    return seconds


def render(layout, environ, python=sys.executable, root=ROOT):
    """The whole supervisord configuration for this layout and environment, as text."""
    if len(str(layout.socket)) > SOCKET_PATH_LIMIT:
        raise SettingError(f"VAR_DIR={layout.var}: too long for supervisord's socket "
                           f"({layout.socket}); choose a folder with a shorter path")
    services = discover_services()
    counts = instance_counts(environ, services)
    environment = environment_line(service_environment(environ))
    operations = operations_addresses(environ, services)
    health_restart_seconds(environ)  # refused here rather than by a crashing watch
    program = string.Template((TEMPLATES / "program.conf").read_text())
    programs = "".join(program.substitute(
        service=name, service_class=service_class(name), python=python, root=root,
        instances=counts[name], log_dir=layout.log_dir, startretries=START_RETRIES,
        # several processes get -0, -1, ... and a log file each
        process_name="%(program_name)s" if counts[name] == 1
        else "%(program_name)s-%(process_num)d",
        priority=999 if name == GATEWAY else 100,
        environment=program_environment(environ, operations.get(name),
                                        own_broker_user(environ, name)),
    ) for name in services)
    main = string.Template((TEMPLATES / "supervisord.conf").read_text())
    return main.substitute(
        socket=layout.socket, pidfile=layout.pidfile, log_dir=layout.log_dir, root=root,
        startretries=START_RETRIES, programs=programs, python=python, environment=environment)


def secrets_dir(environ):
    return pathlib.Path(environ.get("SAUSAT_SECRETS_DIR") or ROOT / "var" / "secrets")


def own_broker_user(environ, name):
    """``{"AMQP_URI": …}`` as the service's own broker user (``<name><BROKER_USER_SUFFIX>``),
    with the password deploy/secrets.sh keeps for it, at the broker and vhost of the
    environment's AMQP_URI (else deploy/config.yml's); {} when there is no password file, and
    the environment's AMQP_URI then applies as it is. The broker must know the user
    (``deploy/rabbitmq.sh users``; tests: tests/identities.py)."""
    secret_file = secrets_dir(environ) / "rabbitmq" / name
    if not secret_file.is_file():
        return {}
    base = environ.get("AMQP_URI") or config.defaults(CONFIG_FILE)["AMQP_URI"]
    user = name + (environ.get("BROKER_USER_SUFFIX") or "")
    return {"AMQP_URI": broker_uri.with_user(base, user, secret_file.read_text().strip()),
            "DECLARE_TOPOLOGY": "false"}


def program_environment(environ, operations_address, own_user=None):
    """The environment line of one program: the shared overrides, its own broker user, and
    its operations port."""
    values = {**service_environment(environ), **(own_user or {})}
    if operations_address is None:
        return environment_line(values)
    line = environment_line({**values, "OPERATIONS_ADDRESS": operations_address})
    return line.rstrip("\n") + ',OPERATIONS_PORT_OFFSET="%(process_num)d"\n'


def recorded_environment(config_text):
    """The service environment written into a generated configuration (see :func:`render`)."""
    match = re.search(r"^environment=(.*)$", config_text, re.MULTILINE)
    if not match:
        return {}
    pairs = re.findall(r'([A-Za-z_][A-Za-z0-9_]*)="([^"]*)"', match.group(1))
    return {name: value.replace("%%", "%") for name, value in pairs}
