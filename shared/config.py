"""Configuration: ``deploy/config.yml`` with ``${NAME:default}`` environment overrides.

Every setting's default is declared once, in ``deploy/config.yml``: the settings schemas (this
module's :class:`Settings`, and each service's ``settings.py`` extending it) declare no default
of their own, and :func:`load_settings` fills a key the given config lacks from the default
written there, so a script or a test that passes a few keys gets the same values a deployment
would. A setting each deployment must give (``each_deployment`` in its metadata) is never filled.

nameko hands each service the loaded dict; :func:`settings` validates the keys this project
reads, so a bad value stops a service at start-up with the key and the reason, e.g.
``ConfigError: invalid configuration: {'STORE_URI': ['must start with mongodb:// or embedded:']}``.
"""
import functools
import logging
import os
import pathlib
import re
import stat
from urllib.parse import urlsplit

import yaml
from marshmallow import (
    EXCLUDE,
    Schema,
    ValidationError,
    fields,
    validate,
    validates,
    validates_schema,
)

from shared import broker_uri
from shared.errors import ConfigError

ROOT = pathlib.Path(__file__).resolve().parent.parent
DEFAULT_CONFIG_FILE = ROOT / "deploy" / "config.yml"
DEVELOPMENT_TOKEN_SECRET = "dev-only-token-secret-never-use-in-production"
# every published development secret starts so (deploy/config.yml, the old docker-compose.yml)
PUBLISHED_PREFIX = "dev-only-"
MIN_TOKEN_SECRET = 32
MIN_BROKER_PASSWORD = 16
_log = logging.getLogger(__name__)


class DelayList(fields.Field):
    """Seconds, as a list or a comma-separated string: ``"1,5,30"``."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, (int, float)):
            value = [value]
        if isinstance(value, str):
            value = [part for part in value.split(",") if part.strip()]
        if not isinstance(value, (list, tuple)):
            raise ValidationError("must be a list of seconds")
        try:
            delays = [float(item) for item in value]
        except (TypeError, ValueError):
            raise ValidationError("must be numbers of seconds") from None
        if not 1 <= len(delays) <= 10 or not all(0 < d <= 86400 for d in delays):
            raise ValidationError("must be 1 to 10 delays, each above 0 and at most 86400 s")
        return delays


class SecretList(fields.Field):
    """Keys as a comma-separated string (empty: none) or a list."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str):
            value = value.split(",")
        if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
            raise ValidationError("must be keys separated by commas")
        return [item.strip() for item in value if item.strip()]


class AlertSettings(Schema):
    """The alert thresholds: read by the monitor's own alerts and written into Prometheus's
    rules (tooling/prometheus_config.py), so both judge by the same figures."""

    class Meta:
        unknown = EXCLUDE

    ALERT_INTERVAL_SECONDS = fields.Float(required=True, validate=validate.Range(0.1, 3600))
    ALERT_HOLD_SECONDS = fields.Float(required=True, validate=validate.Range(0, 3600))
    ALERT_QUEUE_DEPTH = fields.Integer(required=True, validate=validate.Range(1))
    ALERT_OLDEST_MESSAGE_SECONDS = fields.Float(required=True,
                                                validate=validate.Range(min=1))
    ALERT_OUTBOX_BACKLOG = fields.Integer(required=True, validate=validate.Range(1))
    ALERT_MAIL_FAILURES = fields.Integer(required=True, validate=validate.Range(1))
    ALERT_DEADLINE_UNESCALATED_SECONDS = fields.Float(required=True,
                                                      validate=validate.Range(1, 86400))


class Settings(AlertSettings):
    class Meta:
        unknown = EXCLUDE  # nameko's own keys pass through untouched

    # one node, or a cluster's nodes separated by ";" (shared/broker_uri.py)
    AMQP_URI = fields.String(required=True, metadata={"each_deployment": True},
                             validate=validate.Regexp(r"^(py)?amqps?://",
                                                      error="must start with amqp:// or amqps://"))
    RABBIT_MANAGEMENT_URI = fields.String(required=True)
    STORE_URI = fields.String(required=True)
    EVENT_RETRY_DELAYS = DelayList(required=True)
    EVENT_RETRY_GRACE_SECONDS = fields.Float(required=True, validate=validate.Range(0.1, 3600))
    OUTBOX_POLL_SECONDS = fields.Float(required=True, validate=validate.Range(0.01, 60))
    RPC_TIMEOUT_SECONDS = fields.Float(required=True, validate=validate.Range(0.1, 300))
    DECLARE_TOPOLOGY = fields.Boolean(required=True)
    OUTBOX_RELAY = fields.String(required=True,
                                 validate=validate.OneOf(["running", "paused"]))
    # schema versions (shared/migrations.py): migrate an older store at start, or refuse
    MIGRATE_ON_START = fields.Boolean(required=True)
    # hours each service keeps the events it published, re-published after a restore
    RETAINED_EVENT_HOURS = fields.Float(required=True, validate=validate.Range(min=0.01))
    # production refuses the published secrets (see _secrets); development accepts them
    DEPLOYMENT_MODE = fields.String(required=True,
                                    validate=validate.OneOf(["production", "development"]))
    # signs access tokens (HS256); the default is for development only
    TOKEN_SECRET = fields.String(required=True, validate=validate.Length(
        min=MIN_TOKEN_SECRET, error=f"must be at least {MIN_TOKEN_SECRET} characters"))
    # where TOKEN_SECRET is read from at start instead (owner-only file; empty: not used)
    TOKEN_SECRET_FILE = fields.String(required=True, allow_none=True)
    # keys that still verify tokens (never sign) after a rotation, until retired
    TOKEN_PREVIOUS_SECRETS = SecretList(required=True, allow_none=True)
    TOKEN_TTL_SECONDS = fields.Integer(required=True, validate=validate.Range(10, 86400))
    # who calls (shared/callers.py): the gateway signs principals, every service verifies them
    PRINCIPAL_PUBLIC_KEY_FILE = fields.String(required=True, validate=validate.Length(min=1))
    PRINCIPAL_PRIVATE_KEY_FILE = fields.String(required=True, validate=validate.Length(min=1))
    # appended to each service's name to give its broker user (empty: the name itself)
    BROKER_USER_SUFFIX = fields.String(required=True, allow_none=True, validate=validate.Regexp(
        r"^[A-Za-z0-9_-]*$", error="letters, digits, - and _ only"))
    # tests only: while this file exists, the subscriptions it names fail (shared.consumer)
    TEST_FAIL_HANDLERS_FILE = fields.String(required=True, allow_none=True)
    # operations (shared/operations_port.py, services/monitor/alerts.py, shared/store.py)
    OPERATIONS_ADDRESS = fields.String(required=True, validate=validate.Regexp(
        r"^$|^[^:\s]*:\d{1,5}$", error="must be host:port (port 0: any free one), or empty"))
    READY_BACKLOG_LIMIT = fields.Integer(required=True, validate=validate.Range(0))
    PROCESSED_EVENTS_RETENTION_DAYS = fields.Float(required=True,
                                                   validate=validate.Range(min=0.0001))
    # personal data (Law 91/2025/QH15): the retention sweeps each store runs (shared.retention)
    RETENTION_SWEEP_SECONDS = fields.Float(required=True, validate=validate.Range(0.05, 86400))
    # days an entry of an access log of personal data is kept
    RETENTION_ACCESS_LOG_DAYS = fields.Integer(required=True, validate=validate.Range(1, 36500))
    # days the notifications service keeps a mail's recipient, subject and text
    RETENTION_MAIL_DAYS = fields.Integer(required=True, validate=validate.Range(1, 36500))
    # days the members service keeps a member who left or died, after their membership ended
    RETENTION_FORMER_MEMBER_DAYS = fields.Integer(required=True,
                                                  validate=validate.Range(1, 36500))
    # tests only: a file of seconds moving the clock (see shared.clock); empty: the real time
    TEST_CLOCK_FILE = fields.String(required=True, allow_none=True)

    @validates("AMQP_URI")
    def _amqp_uri(self, value, **kwargs):
        why = broker_uri.problem(value, ("amqp", "amqps", "pyamqp"))
        if why:
            raise ValidationError(why)

    @validates("RABBIT_MANAGEMENT_URI")
    def _management_uri(self, value, **kwargs):
        why = broker_uri.problem(value, ("http", "https"))
        if why:
            raise ValidationError(why)

    @validates("STORE_URI")
    def _store_uri(self, value, **kwargs):
        if not value.startswith(("mongodb://", "mongodb+srv://", "embedded:")):
            raise ValidationError("must start with mongodb://, mongodb+srv:// or embedded:")
        if value.startswith("embedded:") and not value[len("embedded:"):]:
            raise ValidationError("embedded: needs a folder, e.g. embedded:var/data")

    @validates_schema
    def _secrets(self, data, **kwargs):
        """Outside development, no secret anyone could know: a forged administrator's token
        or a broker login must need this installation's own secrets."""
        if data.get("DEPLOYMENT_MODE") != "production":
            return
        problems = {}
        for name, keys in (("TOKEN_SECRET", [data.get("TOKEN_SECRET")]),
                           ("TOKEN_PREVIOUS_SECRETS", data.get("TOKEN_PREVIOUS_SECRETS") or [])):
            for key in keys:
                if key is not None and key.startswith(PUBLISHED_PREFIX):
                    problems[name] = ["is a published development key; production needs this "
                                      "installation's own (deploy/secrets.sh)"]
                elif key is not None and len(key) < MIN_TOKEN_SECRET:
                    problems[name] = [f"each key must be at least {MIN_TOKEN_SECRET} characters"]
        if "AMQP_URI" in data:
            why = broker_password_problem(data["AMQP_URI"])
            if why:
                problems["AMQP_URI"] = [why]
        if data.get("STORE_URI", "").startswith("mongodb"):
            try:
                password = urlsplit(data["STORE_URI"]).password or ""
            except ValueError:
                password = ""  # left to the field's own check
            if password.startswith(PUBLISHED_PREFIX):
                problems["STORE_URI"] = ["has a published development password"]
        if problems:
            raise ValidationError({name: [*why, "(DEPLOYMENT_MODE is production)"]
                                   for name, why in problems.items()})


def broker_password_problem(uri):
    """Why the password in a broker URI would let others in, or None."""
    try:
        password = broker_uri.password(uri)
    except (ValueError, IndexError):
        return "is not a valid URI"
    if not password:
        return "has no password; production needs this service's own"
    if password == "guest" or password.startswith(PUBLISHED_PREFIX):
        return "has a published password (guest or a development one)"
    if len(password) < MIN_BROKER_PASSWORD:
        return f"password must be at least {MIN_BROKER_PASSWORD} characters"
    return None


def settings(config):
    """The validated settings of a nameko config dict."""
    return load_settings(Settings(), config)


def alert_settings(environ):
    """The alert thresholds: deploy/config.yml's, overridden by ``environ`` as nameko would."""
    return load_settings(AlertSettings(), {name: environ[name] for name in AlertSettings().fields
                                           if name in environ})


def load_settings(schema, config, path=DEFAULT_CONFIG_FILE):
    """``schema`` loaded from ``config``, each key it lacks taken from the defaults in ``path``,
    or :class:`ConfigError` naming each bad or missing key."""
    given = dict(config)
    for name, field in schema.fields.items():
        if name not in given and not field.metadata.get("each_deployment"):
            written = defaults(path)
            if name in written:
                given[name] = written[name]
    if given.get("TOKEN_SECRET_FILE"):
        given["TOKEN_SECRET"] = _read_secret_file(given, path)
    try:
        loaded = schema.load(given)
    except ValidationError as error:
        raise ConfigError("invalid configuration", error.normalized_messages()) from None
    if "TOKEN_PREVIOUS_SECRETS" in schema.fields:
        loaded["TOKEN_PREVIOUS_SECRETS"] = loaded.get("TOKEN_PREVIOUS_SECRETS") or []
    _announce(loaded.get("DEPLOYMENT_MODE"))
    return loaded


def _read_secret_file(given, path):
    """TOKEN_SECRET from TOKEN_SECRET_FILE; refused if also given, unreadable, or readable by
    others (its content is never put in an error)."""
    name = given["TOKEN_SECRET_FILE"]
    if given.get("TOKEN_SECRET") not in (None, defaults(path).get("TOKEN_SECRET")):
        raise ConfigError("invalid configuration", {"TOKEN_SECRET_FILE": [
            "give TOKEN_SECRET or TOKEN_SECRET_FILE, not both"]})
    try:
        mode = os.stat(name).st_mode
        if mode & (stat.S_IRWXG | stat.S_IRWXO):
            raise ConfigError("invalid configuration", {"TOKEN_SECRET_FILE": [
                f"{name} may be read by others; make it owner-only (chmod 600)"]})
        with open(name, encoding="utf-8") as handle:
            return handle.read().strip()
    except OSError as error:
        raise ConfigError("invalid configuration", {"TOKEN_SECRET_FILE": [
            f"cannot read {name}: {error.strerror}"]}) from None


_announced = set()


def _announce(mode):
    """One line per process naming the mode it runs in, when it first loads its settings."""
    if mode and mode not in _announced:
        _announced.add(mode)
        if mode == "development":
            _log.warning("DEPLOYMENT_MODE=development: published development secrets accepted")
        else:
            _log.info("DEPLOYMENT_MODE=%s", mode)


# ${NAME} or ${NAME:default}, as nameko reads them (nameko.cli.main)
_PLACEHOLDER = re.compile(r"\$\{([^}:\s]+)(?::([^}]*))?\}")


class _DefaultsLoader(yaml.SafeLoader):
    """Reads a config file taking each ``${NAME:default}`` as its default, whatever the
    environment says, the way nameko would read it with NAME unset."""


def _written_default(loader, node):
    raw = loader.construct_scalar(node)
    value = _PLACEHOLDER.sub(lambda match: match.group(2) or "", raw)
    return value if value == raw else yaml.safe_load(value)


_DefaultsLoader.add_implicit_resolver("!setting", re.compile(r".*\$\{.*\}"), None)
_DefaultsLoader.add_constructor("!setting", _written_default)


@functools.lru_cache(maxsize=4)
def defaults(path=DEFAULT_CONFIG_FILE):
    """Every setting's default as ``path`` declares it."""
    with open(path, encoding="utf-8") as handle:
        return yaml.load(handle, Loader=_DefaultsLoader)  # noqa: S506 (a SafeLoader subclass)


def load_config_file(path=DEFAULT_CONFIG_FILE):
    """Read a config file the way ``nameko run --config`` does, for scripts and tests."""
    from nameko.cli.main import (
        setup_yaml_parser,  # registers the ${NAME:default} resolver
    )
    setup_yaml_parser()
    with open(path) as handle:
        return yaml.safe_load(handle)
